//! mbox (mboxo/mboxrd): messages separated by `From ` lines; `>From ` quoting is undone.
//! Streams the file: memory stays at one message. The date on each `From ` line (asctime,
//! `From a@b.example Sat Jan  3 01:05:34 1996`) becomes the item's `received_at`.

use super::ImportError;
use crate::domain::{Direction, UnixTime};
use crate::ingest::{RawItem, RawKind};
use std::io::BufRead;
use std::path::PathBuf;

/// A message's bytes and the date of the `From ` line that starts it.
type DatedMessage = (Vec<u8>, Option<UnixTime>);

/// Reads an mbox file one message at a time.
pub struct MboxReader<R> {
    reader: R,
    path: PathBuf,
    source: String,
    pending_from: bool,
    /// The date of the `From ` line that ended the previous message and starts the next.
    pending_date: Option<UnixTime>,
    number: u64,
    done: bool,
}

impl<R: BufRead> MboxReader<R> {
    /// A reader over `reader`; `path` is named in errors, `source` in sightings.
    pub fn new(reader: R, path: PathBuf, source: &str) -> Self {
        Self {
            reader,
            path,
            source: source.to_string(),
            pending_from: false,
            pending_date: None,
            number: 0,
            done: false,
        }
    }

    /// The next message's bytes and its `From ` line date.
    fn next_message(&mut self) -> Result<Option<DatedMessage>, ImportError> {
        let mut message = Vec::new();
        let mut line = Vec::new();
        let mut started = self.pending_from;
        let mut date = self.pending_date.take();
        loop {
            line.clear();
            let read =
                self.reader
                    .read_until(b'\n', &mut line)
                    .map_err(|source| ImportError::Io {
                        path: self.path.clone(),
                        source,
                    })?;
            if read == 0 {
                self.done = true;
                return Ok(started.then_some((message, date)));
            }
            if line.starts_with(b"From ") {
                let line_date = from_line_date(&line);
                if started {
                    self.pending_from = true;
                    self.pending_date = line_date;
                    return Ok(Some((message, date)));
                }
                started = true;
                date = line_date;
                continue;
            }
            if !started {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue; // blank lines before the first separator
                }
                return Err(ImportError::NotMbox {
                    path: self.path.clone(),
                });
            }
            let unquoted = match line.iter().position(|b| *b != b'>') {
                Some(n) if n > 0 && line[n..].starts_with(b"From ") => &line[1..],
                _ => &line[..],
            };
            message.extend_from_slice(unquoted);
        }
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = Result<RawItem, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_message() {
            Ok(Some((mut bytes, received_at))) => {
                // The blank line before the next separator belongs to the format.
                if bytes.ends_with(b"\n\n") {
                    bytes.pop();
                }
                self.number += 1;
                Some(Ok(RawItem {
                    kind: RawKind::Email,
                    source: self.source.clone(),
                    locator: format!("message-{}", self.number),
                    bytes,
                    received_at,
                    direction: Direction::Inbound,
                    oversized: None,
                }))
            }
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// The asctime date of a `From ` line: `From SENDER Www Mmm dd hh:mm:ss yyyy`, optionally with
/// a numeric zone (`+0100`) before or after the year; read as UTC when no zone is given.
fn from_line_date(line: &[u8]) -> Option<UnixTime> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let text = std::str::from_utf8(line).ok()?;
    let tokens: Vec<&str> = text.split_whitespace().skip(2).collect();
    let month_of = |t: &str| MONTHS.iter().position(|m| t.eq_ignore_ascii_case(m));
    let month_at = tokens.iter().position(|t| month_of(t).is_some())?;
    let month = month_of(tokens[month_at])?;
    let day: u32 = tokens.get(month_at + 1)?.parse().ok()?;
    let time = chrono::NaiveTime::parse_from_str(tokens.get(month_at + 2)?, "%H:%M:%S").ok()?;
    let mut year = None;
    let mut offset = 0i64;
    for t in tokens.iter().skip(month_at + 3).take(2) {
        if let Some(zone) = zone_seconds(t) {
            offset = zone;
        } else if t.len() == 4 {
            year = t.parse::<i32>().ok();
        }
    }
    let date = chrono::NaiveDate::from_ymd_opt(year?, month as u32 + 1, day)?;
    Some(date.and_time(time).and_utc().timestamp() - offset)
}

/// `+0100` → 3600, `-0500` → -18000.
fn zone_seconds(token: &str) -> Option<i64> {
    let (sign, digits) = match token.as_bytes().first()? {
        b'+' => (1, &token[1..]),
        b'-' => (-1, &token[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits[2..].parse().ok()?;
    Some(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<String> {
        MboxReader::new(text.as_bytes(), PathBuf::from("t.mbox"), "mbox")
            .map(|r| String::from_utf8(r.expect("readable").bytes).expect("utf8"))
            .collect()
    }

    #[test]
    fn splits_on_from_lines_and_unquotes() {
        let text = "From a@b Mon Jan 1 00:00:00 2024\nSubject: one\n\n>From here\n\nFrom c@d Tue Jan 2 00:00:00 2024\nSubject: two\n\nbody\n";
        let messages = read(text);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0], "Subject: one\n\nFrom here\n");
        assert_eq!(messages[1], "Subject: two\n\nbody\n");
    }

    #[test]
    fn the_from_line_date_becomes_received_at() {
        let text = "From a@b.example Sat Jan  3 01:05:34 1996\nSubject: one\n\nx\n\n\
                    From c@d.example Tue Feb 13 10:00:00 2001\nSubject: two\n\ny\n\n\
                    From e@f.example no date here\nSubject: three\n\nz\n";
        let dates: Vec<Option<i64>> = MboxReader::new(text.as_bytes(), PathBuf::from("t"), "mbox")
            .map(|r| r.expect("readable").received_at)
            .collect();
        // 1996-01-03 01:05:34 UTC and 2001-02-13 10:00:00 UTC
        assert_eq!(dates, vec![Some(820_631_134), Some(982_058_400), None]);
    }

    #[test]
    fn from_line_dates_in_their_variants() {
        let date = |l: &str| from_line_date(l.as_bytes());
        assert_eq!(
            date("From a@b.example Sat Jan  3 01:05:34 1996\n"),
            Some(820_631_134)
        );
        assert_eq!(
            date("From a@b.example Sat Jan 3 01:05:34 1996 +0100"),
            Some(820_627_534)
        );
        assert_eq!(
            date("From MAILER-DAEMON Sat Jan 3 01:05:34 +0100 1996"),
            Some(820_627_534)
        );
        assert_eq!(date("From a@b.example  Sat Jan 32 01:05:34 1996"), None);
        assert_eq!(date("From a@b.example"), None);
        assert_eq!(date("From a@b.example Sat Jan 3 1996"), None);
    }

    #[test]
    fn empty_file_has_no_messages() {
        assert!(read("").is_empty());
        assert!(read("\n\n").is_empty());
    }

    #[test]
    fn a_file_that_does_not_start_with_a_from_line_is_not_an_mbox() {
        for text in [
            "Subject: a lone message\n\nFrom here on, text\n",
            "junk before any separator\nFrom a@b Mon Jan 1 00:00:00 2024\n\nx\n",
        ] {
            let mut reader = MboxReader::new(text.as_bytes(), PathBuf::from("inbox.eml"), "mbox");
            let err = match reader.next() {
                Some(Err(e)) => e.to_string(),
                other => panic!("{text:?}: expected an error, got {other:?}"),
            };
            assert!(
                err.contains("inbox.eml") && err.contains("does not start with a `From ` line"),
                "{err}"
            );
            assert!(reader.next().is_none(), "reading stops after the error");
        }
    }
}
