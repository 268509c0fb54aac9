//! Asterisk `cdr_csv` (`Master.csv`): no header; the 16 standard columns (accountcode, src,
//! dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
//! billsec, disposition, amaflags), then optional uniqueid, userfield and newer columns.
//! Times are local (`[calls] timezone`) unless `asterisk_gmt` (`usegmtime=yes`).

use super::number::is_extension;
use super::record::CallFacts;
use super::time::{parse_stamp, TimeReader};
use super::values::{parse_duration, recording};
use crate::domain::{CallResult, Direction};
use crate::ingest::calls::CallContext;
use csv::StringRecord;

/// Columns in a standard record.
const STANDARD: usize = 16;
const SRC: usize = 1;
const DST: usize = 2;
const CLID: usize = 4;
const CHANNEL: usize = 5;
const DSTCHANNEL: usize = 6;
const LASTAPP: usize = 7;
const START: usize = 9;
const BILLSEC: usize = 13;
const DISPOSITION: usize = 14;
const UNIQUEID: usize = 16;
const USERFIELD: usize = 17;

/// Whether a first record has the Asterisk shape: at least 16 cells and a
/// `YYYY-MM-DD HH:MM:SS` start in column 10.
pub(crate) fn looks_like(first: &StringRecord) -> bool {
    first.len() >= STANDARD
        && first.get(START).is_some_and(|s| {
            let s = s.trim();
            s.len() == 19 && s.as_bytes()[4] == b'-' && parse_stamp(s).is_some()
        })
}

/// The extension in a channel name: `PJSIP/2101-0000001a` → `2101`.
fn channel_extension(channel: &str) -> Option<&str> {
    let (_, rest) = channel.split_once('/')?;
    let ext = rest.split(['-', '@', ';']).next()?;
    is_extension(ext).then_some(ext)
}

/// `"Jane Smith" <2101>` → `Jane Smith`, unless the name is only the number again.
fn clid_name(clid: &str) -> Option<&str> {
    let name = clid.split('<').next()?.trim().trim_matches('"').trim();
    (!name.is_empty() && name.chars().any(char::is_alphabetic)).then_some(name)
}

/// Reads `Master.csv` rows.
#[derive(Debug)]
pub(crate) struct Asterisk {
    time: TimeReader,
}

impl Asterisk {
    /// A reader for this context's zone (UTC with `asterisk_gmt`).
    pub(crate) fn new(ctx: &CallContext) -> Self {
        let tz = if ctx.asterisk_gmt {
            chrono_tz::UTC
        } else {
            ctx.tz
        };
        Self {
            time: TimeReader::new(tz, None),
        }
    }

    /// What one row says.
    pub(crate) fn facts<'a>(&'a self, rec: &'a StringRecord) -> Result<CallFacts<'a>, String> {
        if rec.len() < STANDARD {
            return Err(format!(
                "has {} columns; an Asterisk Master.csv row has at least {STANDARD} (accountcode, src, dst, … disposition, amaflags)",
                rec.len()
            ));
        }
        let cell = |i: usize| rec.get(i).unwrap_or("").trim();
        let start = self.time.read("start", cell(START))?;
        let billsec = parse_duration(cell(BILLSEC))
            .ok_or_else(|| super::values::duration_error("billsec", cell(BILLSEC)))?;
        let voicemail = cell(LASTAPP).eq_ignore_ascii_case("voicemail");
        let result = match cell(DISPOSITION).to_ascii_uppercase().as_str() {
            _ if voicemail => CallResult::Voicemail,
            "ANSWERED" => CallResult::Answered,
            "NO ANSWER" => CallResult::Missed,
            "BUSY" => CallResult::Busy,
            "FAILED" | "CONGESTION" => CallResult::Failed,
            other => {
                return Err(format!(
                    "column `disposition` {other:?} is not ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION"
                ))
            }
        };
        let src = cell(SRC);
        // A staff phone whose caller id was rewritten to a direct dial still places the call
        // on its own channel (`PJSIP/2101-…`): that is an outbound call by 2101.
        let (direction, handler_ext) = match channel_extension(cell(CHANNEL)) {
            _ if is_extension(src) => (None, None),
            Some(ext) => (Some(Direction::Outbound), Some(ext)),
            None => (None, channel_extension(cell(DSTCHANNEL))),
        };
        let caller_name = clid_name(cell(CLID));
        Ok(CallFacts {
            call_id: rec.get(UNIQUEID).map(str::trim).filter(|s| !s.is_empty()),
            row_id: None,
            start,
            direction,
            caller: (src, "src"),
            callee: (cell(DST), "dst"),
            caller_name,
            callee_name: None,
            handler_ext,
            handler_name: None,
            handler_email: None,
            handler_stated: false,
            duration: billsec,
            result,
            recording: rec.get(USERFIELD).and_then(recording),
        })
    }
}
