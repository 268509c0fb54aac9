//! `[[calls.formats]]` mappings compiled against a file: header names resolved to positions,
//! value words into lookup tables, the time zone parsed once.

use super::mapped::{Columns, Mapped};
use super::time::TimeReader;
use super::values::header_key;
use super::{Plan, Reader};
use crate::domain::{CallResult, Direction};
use crate::ingest::calls::config::{timezone, CallFormat, ColumnRef};
use crate::ingest::calls::{CallContext, CallLogError, CallsConfigError};
use csv::StringRecord;

/// The mapping's delimiter byte, if it is one ASCII character.
pub(crate) fn delimiter(format: &CallFormat) -> Option<u8> {
    match format.delimiter.as_bytes() {
        [b] if b.is_ascii() => Some(*b),
        _ => None,
    }
}

fn refs(format: &CallFormat) -> [(&'static str, Option<&ColumnRef>); 12] {
    let c = &format.columns;
    [
        ("call_id", c.call_id.as_ref()),
        ("start", c.start.as_ref()),
        ("date", c.date.as_ref()),
        ("time", c.time.as_ref()),
        ("direction", c.direction.as_ref()),
        ("caller", c.caller.as_ref()),
        ("called", c.called.as_ref()),
        ("agent", c.agent.as_ref()),
        ("extension", c.extension.as_ref()),
        ("duration", c.duration.as_ref()),
        ("result", c.result.as_ref()),
        ("recording", c.recording.as_ref()),
    ]
}

/// Whether every column the mapping names is in this header.
pub(crate) fn header_matches(format: &CallFormat, keys: &[String]) -> bool {
    let mut named = 0;
    let all = refs(format).into_iter().all(|(_, r)| match r {
        Some(ColumnRef::Name(name)) => {
            named += 1;
            keys.contains(&header_key(name))
        }
        _ => true,
    });
    all && named > 0
}

/// Compiles the mapping; `header` is the file's first record when the mapping has one.
pub(crate) fn plan(
    format: &CallFormat,
    header: Option<&StringRecord>,
    ctx: &CallContext,
) -> Result<Plan, CallLogError> {
    format.validate()?;
    let bad = |why: String| {
        CallLogError::BadFormat(CallsConfigError::BadFormat {
            name: format.name.clone(),
            why,
        })
    };
    let keys: Vec<String> = header
        .map(|h| h.iter().map(header_key).collect())
        .unwrap_or_default();
    let mut positions = [None; 12];
    for (slot, (field, r)) in positions.iter_mut().zip(refs(format)) {
        *slot = match r {
            None => None,
            Some(ColumnRef::Position(p)) => Some(p - 1),
            Some(ColumnRef::Name(name)) => {
                let found = keys.iter().position(|k| *k == header_key(name));
                Some(found.ok_or_else(|| {
                    bad(format!(
                        "`columns.{field}` = {name:?} is not in the file's header ({}); correct the name or give a 1-based position",
                        header.map(|h| h.iter().collect::<Vec<_>>().join(", ")).unwrap_or_default()
                    ))
                })?)
            }
        };
    }
    let [call_id, start, date, time, direction, caller, called, agent, extension, duration, result, recording] =
        positions;
    let cols = Columns {
        call_id,
        start,
        date,
        time,
        direction,
        caller,
        called,
        agent,
        extension,
        duration,
        result,
        recording,
    };
    let tz = match &format.timezone {
        Some(name) => timezone(&format!("calls.formats[{}].timezone", format.name), name)?,
        None => ctx.tz,
    };
    let dv = &format.direction_values;
    let directions = [
        (&dv.inbound, Direction::Inbound),
        (&dv.outbound, Direction::Outbound),
        (&dv.internal, Direction::Internal),
    ]
    .into_iter()
    .flat_map(|(words, d)| words.iter().map(move |w| (w.clone(), d)))
    .collect();
    let rv = &format.result_values;
    let results = [
        (&rv.answered, CallResult::Answered),
        (&rv.missed, CallResult::Missed),
        (&rv.busy, CallResult::Busy),
        (&rv.voicemail, CallResult::Voicemail),
        (&rv.failed, CallResult::Failed),
    ]
    .into_iter()
    .flat_map(|(words, r)| words.iter().map(move |w| (w.clone(), r)))
    .collect();
    let time_reader = TimeReader::new(tz, format.time_format.clone());
    Ok(Plan {
        format: format.name.clone(),
        delimiter: delimiter(format).unwrap_or(b','),
        has_header: format.has_header,
        reader: Reader::Mapped(Mapped::new(
            cols,
            header.filter(|_| format.has_header),
            time_reader,
            directions,
            results,
        )),
    })
}
