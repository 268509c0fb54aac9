//! 3CX CDR output with a header (v16–v18 `cdroutput` fields: `historyid`, `callid`,
//! `duration`, `time-start`, `time-answered`, `time-end`, `reason-terminated`, `from-no`,
//! `to-no`, `from-dn`, `to-dn`, `dial-no`, `final-number`, `final-dn`, `from-type`,
//! `to-type`, `final-type`, `from-dispname`, `to-dispname`, `final-dispname`, …). Times are
//! local (`[calls] timezone`) unless written with an offset. Talk time is `time-end` −
//! `time-answered` when both are given, else `duration`. The web client's call log report
//! (`Call Time`, `From`, `To`, `Direction`, `Status`, `Talking`) is read by the export columns.

use super::record::CallFacts;
use super::time::TimeReader;
use super::values::{duration_error, find, parse_duration};
use crate::domain::{CallResult, Direction};
use csv::StringRecord;

/// Header keys that only 3CX CDR output has.
pub(crate) fn looks_like(keys: &[String]) -> bool {
    keys.iter()
        .any(|k| k == "historyid" || k == "timestart" || k == "fromno" || k == "reasonterminated")
}

/// Reads 3CX CDR rows.
#[derive(Debug)]
pub(crate) struct ThreeCx {
    history_id: Option<usize>,
    call_id: Option<usize>,
    duration: Option<usize>,
    start: Option<usize>,
    answered: Option<usize>,
    end: Option<usize>,
    reason: Option<usize>,
    from_no: Option<usize>,
    to_no: Option<usize>,
    from_dn: Option<usize>,
    to_dn: Option<usize>,
    dial_no: Option<usize>,
    final_dn: Option<usize>,
    from_type: Option<usize>,
    to_type: Option<usize>,
    final_type: Option<usize>,
    from_name: Option<usize>,
    to_name: Option<usize>,
    final_name: Option<usize>,
    width: usize,
    time: TimeReader,
}

fn is_line(kind: &str) -> bool {
    let k = kind.to_ascii_lowercase();
    k.contains("line") || k.contains("external") || k.contains("trunk")
}

fn is_ext(kind: &str) -> bool {
    kind.to_ascii_lowercase().contains("extension")
}

fn is_voicemail(kind: &str) -> bool {
    let k = kind.to_ascii_lowercase();
    k.contains("vmail") || k.contains("voicemail")
}

impl ThreeCx {
    /// Resolves the columns from header keys; `Err` lists what is missing.
    pub(crate) fn new(keys: &[String], time: TimeReader) -> Result<Self, String> {
        let f = |aliases: &[&str]| find(keys, aliases);
        let t = Self {
            history_id: f(&["historyid"]),
            call_id: f(&["callid"]),
            duration: f(&["duration"]),
            start: f(&["timestart", "starttime"]),
            answered: f(&["timeanswered"]),
            end: f(&["timeend"]),
            reason: f(&["reasonterminated"]),
            from_no: f(&["fromno"]),
            to_no: f(&["tono"]),
            from_dn: f(&["fromdn"]),
            to_dn: f(&["todn"]),
            dial_no: f(&["dialno"]),
            final_dn: f(&["finaldn"]),
            from_type: f(&["fromtype"]),
            to_type: f(&["totype"]),
            final_type: f(&["finaltype"]),
            from_name: f(&["fromdispname"]),
            to_name: f(&["todispname"]),
            final_name: f(&["finaldispname"]),
            width: keys.len(),
            time,
        };
        let mut missing = Vec::new();
        if t.start.is_none() {
            missing.push("`time-start`");
        }
        if t.from_no.is_none() && t.to_no.is_none() {
            missing.push("`from-no` or `to-no`");
        }
        if missing.is_empty() {
            Ok(t)
        } else {
            Err(missing.join(" and "))
        }
    }

    /// What one row says.
    pub(crate) fn facts<'a>(&'a self, rec: &'a StringRecord) -> Result<CallFacts<'a>, String> {
        if rec.len() != self.width {
            return Err(format!(
                "has {} columns but the header has {}; check for a missing cell or an unquoted comma",
                rec.len(),
                self.width
            ));
        }
        let cell = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("").trim();
        let some = |i: Option<usize>| Some(cell(i)).filter(|s| !s.is_empty());
        let start = self.time.read("time-start", cell(self.start))?;
        let answered = match some(self.answered) {
            Some(raw) => Some(self.time.read("time-answered", raw)?),
            None => None,
        };
        let end = match some(self.end) {
            Some(raw) => Some(self.time.read("time-end", raw)?),
            None => None,
        };
        let duration = match (answered, end) {
            (Some(a), Some(e)) if e >= a => u32::try_from(e - a).unwrap_or(u32::MAX),
            _ => parse_duration(cell(self.duration))
                .ok_or_else(|| duration_error("duration", cell(self.duration)))?,
        };
        let (from_type, to_type) = (cell(self.from_type), cell(self.to_type));
        let direction = match (is_line(from_type), is_line(to_type)) {
            (true, false) => Some(Direction::Inbound),
            (false, true) => Some(Direction::Outbound),
            _ if is_ext(from_type) && is_ext(to_type) => Some(Direction::Internal),
            _ => None,
        };
        let final_type = cell(self.final_type);
        let reason = cell(self.reason).to_ascii_lowercase();
        let result = if is_voicemail(final_type) || is_voicemail(to_type) {
            CallResult::Voicemail
        } else if answered.is_some() || (self.answered.is_none() && duration > 0) {
            CallResult::Answered
        } else if reason.contains("fail") && !reason.contains("cancel") {
            CallResult::Failed
        } else if reason.contains("busy") {
            CallResult::Busy
        } else {
            CallResult::Missed
        };
        let outbound = direction == Some(Direction::Outbound);
        let (handler_ext, handler_name) = if outbound {
            (some(self.from_dn), some(self.from_name))
        } else if is_ext(final_type) {
            (
                some(self.final_dn),
                some(self.final_name).or(some(self.to_name)),
            )
        } else {
            (
                some(self.to_dn).filter(|_| is_ext(to_type)),
                some(self.to_name).filter(|_| is_ext(to_type)),
            )
        };
        let callee = match (outbound, some(self.dial_no)) {
            (true, Some(dialled)) => (dialled, "dial-no"),
            _ => (cell(self.to_no), "to-no"),
        };
        Ok(CallFacts {
            call_id: some(self.call_id).or(some(self.history_id)),
            row_id: some(self.history_id),
            start,
            direction,
            caller: (cell(self.from_no), "from-no"),
            callee,
            caller_name: some(self.from_name).filter(|_| !outbound && is_line(from_type)),
            callee_name: None,
            handler_ext: handler_ext.filter(|e| super::number::is_extension(e)),
            handler_name,
            handler_email: None,
            handler_stated: true,
            duration,
            result,
            recording: None,
        })
    }
}
