//! The Microsoft Teams PSTN usage report (Teams admin centre export, or the Graph
//! `pstnCallLogRow` fields): `UsageId`, `Call ID`, `User display name`, `User principal name`
//! (or `UPN`), `Caller Number`, `Callee Number`, `Call type` (`user_in`, `user_out`,
//! `ucap_in`, `ucap_out`, `emergency_out`…), `Start time`, `End time`, `Duration` (seconds),
//! `Success`. Times are UTC ISO 8601. The Teams user is the handler (name and UPN).

use super::record::CallFacts;
use super::time::TimeReader;
use super::values::{duration_error, find, parse_duration};
use crate::domain::{CallResult, Direction};
use csv::StringRecord;

/// Header keys that only the Teams report has.
pub(crate) fn looks_like(keys: &[String]) -> bool {
    keys.iter().any(|k| k == "usageid")
        || (keys.iter().any(|k| k == "calltype")
            && keys.iter().any(|k| k == "userprincipalname" || k == "upn"))
}

/// Reads Teams report rows.
#[derive(Debug)]
pub(crate) struct Teams {
    usage_id: Option<usize>,
    call_id: Option<usize>,
    name: Option<usize>,
    upn: Option<usize>,
    caller: Option<usize>,
    callee: Option<usize>,
    call_type: Option<usize>,
    start: Option<usize>,
    duration: Option<usize>,
    success: Option<usize>,
    width: usize,
    time: TimeReader,
}

impl Teams {
    /// Resolves the columns from header keys; `Err` lists what is missing.
    pub(crate) fn new(keys: &[String]) -> Result<Self, String> {
        let t = Self {
            usage_id: find(keys, &["usageid"]),
            call_id: find(keys, &["callid", "id"]),
            name: find(keys, &["userdisplayname", "displayname"]),
            upn: find(keys, &["userprincipalname", "upn"]),
            caller: find(keys, &["callernumber", "callerid", "caller"]),
            callee: find(
                keys,
                &[
                    "calleenumber",
                    "destinationnumber",
                    "destinationdialed",
                    "callee",
                ],
            ),
            call_type: find(keys, &["calltype"]),
            start: find(keys, &["starttime", "startdatetime", "start"]),
            duration: find(keys, &["duration", "durationseconds", "durationsecs"]),
            success: find(keys, &["success"]),
            width: keys.len(),
            time: TimeReader::new(chrono_tz::UTC, None),
        };
        let mut missing = Vec::new();
        if t.start.is_none() {
            missing.push("`Start time`");
        }
        if t.caller.is_none() && t.callee.is_none() {
            missing.push("`Caller Number` or `Callee Number`");
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
        let start = self.time.read("Start time", cell(self.start))?;
        let call_type = cell(self.call_type).to_ascii_lowercase();
        let direction =
            if call_type.ends_with("_in") || call_type == "in" || call_type.contains("inbound") {
                Some(Direction::Inbound)
            } else if call_type.ends_with("_out")
                || call_type == "out"
                || call_type.contains("outbound")
            {
                Some(Direction::Outbound)
            } else {
                None
            };
        let duration = parse_duration(cell(self.duration))
            .ok_or_else(|| duration_error("Duration", cell(self.duration)))?;
        let success = cell(self.success).to_ascii_lowercase();
        let result = match success.as_str() {
            "false" | "no" | "0" => CallResult::Failed,
            "true" | "yes" | "1" | "" if duration > 0 => CallResult::Answered,
            "true" | "yes" | "1" | "" => CallResult::Missed,
            other => return Err(format!("column `Success` {other:?} is not true or false")),
        };
        let some = |i: Option<usize>| Some(cell(i)).filter(|s| !s.is_empty());
        Ok(CallFacts {
            call_id: some(self.call_id),
            row_id: some(self.usage_id),
            start,
            direction,
            caller: (cell(self.caller), "Caller Number"),
            callee: (cell(self.callee), "Callee Number"),
            caller_name: None,
            callee_name: None,
            handler_ext: None,
            handler_name: some(self.name),
            handler_email: some(self.upn),
            handler_stated: true,
            duration,
            result,
            recording: None,
        })
    }
}
