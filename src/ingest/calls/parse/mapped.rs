//! Column-mapped CSV: the generic headed `export` preset (columns found by their common
//! names) and `[[calls.formats]]` mappings (columns by header name or position) read rows the
//! same way once their columns are resolved.

use super::record::CallFacts;
use super::time::TimeReader;
use super::values::{direction_word, duration_error, find, parse_duration, recording, result_word};
use crate::domain::{CallResult, Direction};
use csv::StringRecord;

/// Where each field is, by 0-based position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Columns {
    pub call_id: Option<usize>,
    pub start: Option<usize>,
    pub date: Option<usize>,
    pub time: Option<usize>,
    pub direction: Option<usize>,
    pub caller: Option<usize>,
    pub called: Option<usize>,
    pub agent: Option<usize>,
    pub extension: Option<usize>,
    pub duration: Option<usize>,
    pub result: Option<usize>,
    pub recording: Option<usize>,
}

impl Columns {
    /// Columns of the generic export, found by common header names (keys from
    /// [`header_key`](super::values::header_key)).
    pub(crate) fn export(keys: &[String]) -> Self {
        Self {
            call_id: find(keys, &["callid", "uniqueid", "id"]),
            start: find(
                keys,
                &[
                    "start",
                    "starttime",
                    "date/time",
                    "datetime",
                    "calltime",
                    "startdatetime",
                    "timestamp",
                ],
            ),
            date: find(keys, &["date", "calldate"]),
            time: find(keys, &["time"]),
            direction: find(keys, &["direction", "type", "calltype"]),
            caller: find(
                keys,
                &[
                    "caller",
                    "from",
                    "callingnumber",
                    "callerid",
                    "cli",
                    "callernumber",
                    "source",
                ],
            ),
            called: find(
                keys,
                &[
                    "called",
                    "to",
                    "callednumber",
                    "dialled",
                    "dialed",
                    "calleenumber",
                    "destination",
                    "callee",
                ],
            ),
            agent: find(
                keys,
                &["agent", "staff", "user", "name", "answeredby", "agentname"],
            ),
            extension: find(keys, &["extension", "ext"]),
            duration: find(keys, &["duration", "talktime", "billsec", "talking"]),
            result: find(keys, &["result", "status", "disposition", "outcome"]),
            recording: find(keys, &["recording", "recordingfile", "recordingurl"]),
        }
    }

    /// The required fields that have no column, described for a message.
    pub(crate) fn missing(&self) -> Option<String> {
        let mut missing = Vec::new();
        if self.start.is_none() && self.date.is_none() {
            missing
                .push("the start time (`start`, `start time`, `date/time`, or `date` and `time`)");
        }
        if self.caller.is_none() && self.called.is_none() {
            missing.push("the caller or called number (`caller`/`from`, `called`/`to`)");
        }
        (!missing.is_empty()).then(|| missing.join(" and "))
    }

    fn max(&self) -> usize {
        [
            self.call_id,
            self.start,
            self.date,
            self.time,
            self.direction,
            self.caller,
            self.called,
            self.agent,
            self.extension,
            self.duration,
            self.result,
            self.recording,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
    }
}

/// Reads rows through resolved columns.
#[derive(Debug)]
pub(crate) struct Mapped {
    cols: Columns,
    /// Column labels for messages: header names, or `column N`.
    labels: Vec<String>,
    /// Cells a row must have: the header's width, or enough for the highest mapped position.
    width: usize,
    /// Whether rows must have exactly `width` cells (headed files).
    exact: bool,
    time: TimeReader,
    directions: Vec<(String, Direction)>,
    results: Vec<(String, CallResult)>,
}

impl Mapped {
    /// A reader. `header` holds the header names when the file has one.
    pub(crate) fn new(
        cols: Columns,
        header: Option<&StringRecord>,
        time: TimeReader,
        directions: Vec<(String, Direction)>,
        results: Vec<(String, CallResult)>,
    ) -> Self {
        let width = header.map_or(cols.max() + 1, StringRecord::len);
        let labels = (0..width.max(cols.max() + 1))
            .map(|i| match header.and_then(|h| h.get(i)) {
                Some(name) if !name.trim().is_empty() => name.trim().to_string(),
                _ => format!("column {}", i + 1),
            })
            .collect();
        Self {
            cols,
            labels,
            width,
            exact: header.is_some(),
            time,
            directions: directions
                .into_iter()
                .map(|(w, d)| (w.trim().to_lowercase(), d))
                .collect(),
            results: results
                .into_iter()
                .map(|(w, r)| (w.trim().to_lowercase(), r))
                .collect(),
        }
    }

    fn label(&self, i: usize) -> &str {
        self.labels.get(i).map_or("?", String::as_str)
    }

    fn lookup<T: Copy>(table: &[(String, T)], text: &str) -> Option<T> {
        table
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(text))
            .map(|&(_, v)| v)
    }

    /// What one row says.
    pub(crate) fn facts<'a>(&'a self, rec: &'a StringRecord) -> Result<CallFacts<'a>, String> {
        let short = rec.len() < self.width;
        if short || (self.exact && rec.len() > self.width) {
            return Err(format!(
                "has {} columns but {} expects {}; check for a missing cell or an unquoted comma",
                rec.len(),
                if self.exact {
                    "the header"
                } else {
                    "the mapping"
                },
                self.width
            ));
        }
        let cell = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("").trim();
        let labelled = |i: Option<usize>| (cell(i), i.map_or("", |i| self.label(i)));
        let start = match (self.cols.start, self.cols.date, self.cols.time) {
            (Some(i), _, _) => self.time.read(self.label(i), cell(Some(i)))?,
            (None, Some(d), Some(t)) => {
                self.time
                    .read_pair((self.label(d), self.label(t)), cell(Some(d)), cell(Some(t)))?
            }
            (None, Some(d), None) => self.time.read(self.label(d), cell(Some(d)))?,
            _ => return Err("has no start time column".to_string()),
        };
        let direction = match cell(self.cols.direction) {
            "" => None,
            word => Some(
                Self::lookup(&self.directions, word)
                    .or_else(|| direction_word(word))
                    .ok_or_else(|| {
                        format!(
                            "column `{}` {word:?} is not a direction (inbound, outbound or internal{})",
                            self.cols.direction.map_or("", |i| self.label(i)),
                            if self.directions.is_empty() { "" } else { ", or a configured `direction_values` word" }
                        )
                    })?,
            ),
        };
        let duration_cell = cell(self.cols.duration);
        let duration = parse_duration(duration_cell).ok_or_else(|| {
            duration_error(
                self.cols.duration.map_or("", |i| self.label(i)),
                duration_cell,
            )
        })?;
        let result = match cell(self.cols.result) {
            "" if duration > 0 => CallResult::Answered,
            "" => CallResult::Missed,
            word => Self::lookup(&self.results, word)
                .or_else(|| result_word(word))
                .ok_or_else(|| {
                    format!(
                        "column `{}` {word:?} is not a call result (answered, missed, busy, voicemail or failed{})",
                        self.cols.result.map_or("", |i| self.label(i)),
                        if self.results.is_empty() { "" } else { ", or a configured `result_values` word" }
                    )
                })?,
        };
        let rec_cell = cell(self.cols.recording);
        Ok(CallFacts {
            call_id: Some(cell(self.cols.call_id)).filter(|s| !s.is_empty()),
            row_id: None,
            start,
            direction,
            caller: labelled(self.cols.caller),
            callee: labelled(self.cols.called),
            caller_name: None,
            callee_name: None,
            handler_ext: Some(cell(self.cols.extension)).filter(|s| !s.is_empty()),
            handler_name: Some(cell(self.cols.agent)).filter(|s| !s.is_empty()),
            handler_email: None,
            handler_stated: false,
            duration,
            result,
            recording: recording(rec_cell).or(Some(rec_cell).filter(|s| !s.is_empty())),
        })
    }
}
