//! From what a row says ([`CallFacts`]) to a [`ParsedCall`]: numbers read, direction settled,
//! parties named, and the fingerprint that recognises the same call in a later export.

use super::number::{NumberReader, Side};
use crate::domain::{
    CallDetails, CallResult, Channel, ContactRecord, Details, Direction, EmailAddress, EvidenceRef,
    Identifier, Party, PartyRole, ThreadHints, UnixTime,
};
use crate::ingest::calls::{CallContext, ParsedCall};
use sha2::{Digest, Sha256};

/// What one row of a call log says, before numbers are read. Borrowed from the row.
#[derive(Debug, Default)]
pub(crate) struct CallFacts<'a> {
    /// The telephone system's call id (item reference).
    pub call_id: Option<&'a str>,
    /// A per-row id that is more unique than the call id (Teams `UsageId`, 3CX `historyid`).
    pub row_id: Option<&'a str>,
    /// Start time, UTC.
    pub start: UnixTime,
    /// The direction the log states, if it states one.
    pub direction: Option<Direction>,
    /// The calling number as written, and the column it came from.
    pub caller: (&'a str, &'a str),
    /// The called number as written, and the column it came from.
    pub callee: (&'a str, &'a str),
    /// The caller's display name (Asterisk `clid`, 3CX `from-dispname`).
    pub caller_name: Option<&'a str>,
    /// The called party's display name.
    pub callee_name: Option<&'a str>,
    /// The staff member's extension, when the log says who handled the call.
    pub handler_ext: Option<&'a str>,
    /// The staff member's name (agent).
    pub handler_name: Option<&'a str>,
    /// The staff member's sign-in address (Teams UPN).
    pub handler_email: Option<&'a str>,
    /// The log says who handled the call (or that nobody did, e.g. a queue nobody answered),
    /// so the handler is not taken from an extension on either side.
    pub handler_stated: bool,
    /// Talk time in seconds.
    pub duration: u32,
    /// How the call ended.
    pub result: CallResult,
    /// A recording path or id.
    pub recording: Option<&'a str>,
}

fn side_ext(side: &Side) -> Option<&str> {
    match side {
        Side::Extension(ext, _) => Some(ext.as_str()),
        _ => None,
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Builds records for one file.
pub(crate) struct Builder<'c> {
    numbers: NumberReader<'c>,
    file_name: &'c str,
    format: &'c str,
}

fn party(role: PartyRole, side: &Side, name: Option<&str>) -> Party {
    let (identifiers, side_name) = match side {
        Side::Withheld => (Vec::new(), None),
        Side::Extension(ext, n) => (vec![Identifier::Extension(ext.clone())], n.as_deref()),
        Side::Own(p) => (vec![Identifier::Role(format!("own line {p}"))], None),
        Side::External(p) => (vec![Identifier::Phone(p.clone())], None),
    };
    Party {
        role,
        name: non_empty(name).or(side_name).map(str::to_string),
        identifiers,
    }
}

impl<'c> Builder<'c> {
    /// A builder for `file_name`, read as `format`.
    pub(crate) fn new(ctx: &'c CallContext, file_name: &'c str, format: &'c str) -> Self {
        Self {
            numbers: NumberReader::new(&ctx.region, &ctx.own_numbers),
            file_name,
            format,
        }
    }

    /// The record for data row `row`; the error names the column that could not be read.
    pub(crate) fn build(&mut self, row: usize, f: &CallFacts<'_>) -> Result<ParsedCall, String> {
        let column_error = |(raw, column): (&str, &str), e: String| {
            format!("column `{column}` {raw:?} is not a telephone number or extension: {e}")
        };
        let caller = self
            .numbers
            .side(f.caller.0, false)
            .map_err(|e| column_error(f.caller, e))?;
        let outbound = f.direction == Some(Direction::Outbound)
            || (f.direction.is_none() && caller.is_staff());
        let callee = self
            .numbers
            .side(f.callee.0, outbound)
            .map_err(|e| column_error(f.callee, e))?;
        let both_extensions = matches!(
            (&caller, &callee),
            (Side::Extension(..), Side::Extension(..))
        );
        let direction = if both_extensions {
            Direction::Internal
        } else if let Some(stated) = f.direction {
            stated
        } else {
            match (caller.is_staff(), callee.is_staff()) {
                (true, true) => Direction::Internal,
                (true, false) => Direction::Outbound,
                (false, _) => Direction::Inbound,
            }
        };
        // Without a stated handler, the staff side's extension handled the call: the caller's
        // for outbound calls, the callee's otherwise.
        let (side, side_name) = match direction {
            Direction::Outbound => (&caller, f.caller_name),
            Direction::Inbound | Direction::Internal => (&callee, f.callee_name),
        };
        let defaulted = if f.handler_stated {
            None
        } else {
            side_ext(side)
        };
        let handler_ext = non_empty(f.handler_ext).or(defaulted);
        let side_name = match side {
            Side::Extension(_, Some(n)) => Some(n.as_str()),
            _ => side_name,
        };
        let handler_name =
            non_empty(f.handler_name).or(if defaulted.is_some() && f.handler_ext.is_none() {
                non_empty(side_name)
            } else {
                None
            });
        let caller_name = f.caller_name.filter(|_| caller != Side::Withheld);
        let callee_name = f.callee_name.filter(|_| callee != Side::Withheld);
        let mut parties = vec![
            party(PartyRole::Caller, &caller, caller_name),
            party(PartyRole::Callee, &callee, callee_name),
        ];
        let handler_email = non_empty(f.handler_email).and_then(|e| EmailAddress::parse(e).ok());
        if handler_ext.is_some() || handler_name.is_some() || handler_email.is_some() {
            let mut identifiers = Vec::with_capacity(3);
            identifiers.extend(handler_ext.map(|e| Identifier::Extension(e.to_string())));
            identifiers.extend(handler_email.map(Identifier::Email));
            identifiers.extend(handler_name.map(|n| Identifier::Name(n.to_string())));
            parties.push(Party {
                role: PartyRole::Handler,
                name: handler_name.map(str::to_string),
                identifiers,
            });
        }
        let call_id = non_empty(f.call_id);
        let recording = non_empty(f.recording).map(str::to_string);
        let duration = if f.result == CallResult::Answered || f.result == CallResult::Voicemail {
            f.duration
        } else {
            0
        };
        let fingerprint = fingerprint(
            self.format,
            non_empty(f.row_id).or(call_id),
            f.start,
            duration,
            [
                caller.canonical(),
                callee.canonical(),
                handler_ext.unwrap_or(""),
            ],
        );
        let record = ContactRecord {
            channel: Channel::Call,
            item_ref: call_id.map_or_else(|| format!("{}#{row}", self.file_name), str::to_string),
            occurred_at: f.start,
            direction,
            parties,
            subject: None,
            text: String::new(),
            thread: ThreadHints::default(),
            evidence: recording
                .iter()
                .cloned()
                .map(EvidenceRef::Recording)
                .collect(),
            automated: false,
            details: Details::Call(CallDetails {
                call_id: call_id.map(str::to_string),
                result: f.result,
                duration_secs: duration,
                caller_raw: f.caller.0.trim().to_string(),
                callee_raw: f.callee.0.trim().to_string(),
                recording,
                format: self.format.to_string(),
            }),
        };
        Ok(ParsedCall {
            row,
            fingerprint,
            record,
        })
    }
}

/// SHA-256 (hex) of the canonical form of a call. With an id: the format family, the id,
/// the start, the callee and the handler's extension (ids are reused across the legs of a
/// transferred call). Without: the start, caller, callee, duration and handler's extension,
/// so the same call exported by two systems is recognised.
fn fingerprint(
    family: &str,
    id: Option<&str>,
    start: UnixTime,
    duration: u32,
    sides: [&str; 3],
) -> String {
    let [caller, callee, handler] = sides;
    let mut h = Sha256::new();
    let start = start.to_string();
    let duration = duration.to_string();
    let parts: [&str; 6] = match id {
        Some(id) => [family, "id", id, &start, callee, handler],
        None => ["call", &start, caller, callee, &duration, handler],
    };
    for part in parts {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}
