//! Call start times: a hand-written reader for the layouts call logs use (ISO 8601 with or
//! without an offset, `YYYY-MM-DD HH:MM[:SS]`, `YYYY/MM/DD HH:MM:SS`, `DD/MM/YYYY HH:MM[:SS]`)
//! or a configured chrono `strftime` layout, and the local-time → UTC conversion with a small
//! cache so a sorted log looks its time zone up about once per quarter hour, not once per row.

use crate::domain::UnixTime;
use chrono::{NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;
use std::cell::Cell;

/// The layouts accepted when no `time_format` is configured, for error messages.
pub(crate) const ACCEPTED: &str =
    "YYYY-MM-DD HH:MM[:SS], DD/MM/YYYY HH:MM[:SS] or ISO 8601 such as 2025-07-01T09:00:00Z";

/// A wall-clock reading: seconds since the epoch as if the clock were UTC, and the offset
/// written with it, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// Local seconds (date and time as written, read as UTC).
    pub local: i64,
    /// The UTC offset written in the text, in seconds east of UTC.
    pub offset: Option<i32>,
}

/// Reads `n` ASCII digits at `at`.
fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let slice = b.get(at..at + n)?;
    slice.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn civil(year: u32, month: u32, day: u32) -> Option<i64> {
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

/// `HH:MM[:SS[.fff]]` then an optional `Z` / `±HH[:MM]`, from `at` to the end.
fn clock(b: &[u8], at: usize) -> Option<(i64, Option<i32>)> {
    let hour = digits(b, at, 2)?;
    if b.get(at + 2) != Some(&b':') {
        return None;
    }
    let minute = digits(b, at + 3, 2)?;
    let mut i = at + 5;
    let mut second = 0;
    if b.get(i) == Some(&b':') {
        second = digits(b, i + 1, 2)?;
        i += 3;
        if matches!(b.get(i), Some(b'.' | b',')) {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let secs = i64::from(hour * 3600 + minute * 60 + second.min(59));
    let rest = &b[i..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let offset = match rest {
        [] => None,
        [b'Z' | b'z'] => Some(0),
        [b'U', b'T', b'C'] | [b'G', b'M', b'T'] => Some(0),
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let h = digits(tail, 0, 2)?;
            let m = match tail.len() {
                2 => 0,
                4 => digits(tail, 2, 2)?,
                5 if tail[2] == b':' => digits(tail, 3, 2)?,
                _ => return None,
            };
            let east = i32::try_from(h * 3600 + m * 60).ok()?;
            Some(if *sign == b'-' { -east } else { east })
        }
        _ => return None,
    };
    Some((secs, offset))
}

/// A date alone: `YYYY-MM-DD`, `YYYY/MM/DD` or `DD/MM/YYYY`; returns local midnight and the
/// index after the date.
fn date(b: &[u8]) -> Option<(i64, usize)> {
    match (b.get(4), b.get(2)) {
        (Some(b'-' | b'/'), _) if b.get(7) == b.get(4) => Some((
            civil(digits(b, 0, 4)?, digits(b, 5, 2)?, digits(b, 8, 2)?)?,
            10,
        )),
        (_, Some(b'/' | b'-' | b'.')) if b.get(5) == b.get(2) => Some((
            civil(digits(b, 6, 4)?, digits(b, 3, 2)?, digits(b, 0, 2)?)?,
            10,
        )),
        _ => None,
    }
}

/// Reads a date and time in one of the [`ACCEPTED`] layouts.
pub(crate) fn parse_stamp(text: &str) -> Option<Stamp> {
    let b = text.trim().as_bytes();
    let (day, at) = date(b)?;
    if !matches!(b.get(at), Some(b' ' | b'T' | b't')) {
        return None;
    }
    let (secs, offset) = clock(b, at + 1)?;
    Some(Stamp {
        local: day + secs,
        offset,
    })
}

/// Reads a date cell and a time cell (`date` and `time` columns).
pub(crate) fn parse_date_and_time(date_text: &str, time_text: &str) -> Option<Stamp> {
    let d = date_text.trim().as_bytes();
    let (day, at) = date(d)?;
    if at != d.len() {
        return None;
    }
    let t = time_text.trim().as_bytes();
    let (secs, offset) = if t.get(1) == Some(&b':') {
        // `9:05:00`: an unpadded hour.
        let padded = format!("0{}", time_text.trim());
        clock(padded.as_bytes(), 0)?
    } else {
        clock(t, 0)?
    };
    Some(Stamp {
        local: day + secs,
        offset,
    })
}

/// Reads a time with a configured chrono layout; an offset is read when the layout has `%z`.
pub(crate) fn parse_with_format(text: &str, format: &str) -> Option<Stamp> {
    let text = text.trim();
    if format.contains("%z") || format.contains("%:z") || format.contains("%#z") {
        let dt = chrono::DateTime::parse_from_str(text, format).ok()?;
        Some(Stamp {
            local: dt.naive_local().and_utc().timestamp(),
            offset: Some(dt.offset().fix().local_minus_utc()),
        })
    } else {
        let dt = NaiveDateTime::parse_from_str(text, format).ok()?;
        Some(Stamp {
            local: dt.and_utc().timestamp(),
            offset: None,
        })
    }
}

/// Width of a cached offset span: no time zone changes its offset inside a quarter hour.
const SPAN: i64 = 900;

/// Turns local readings into UTC in one time zone, remembering the last offset looked up.
#[derive(Debug)]
pub(crate) struct Clock {
    tz: Tz,
    /// (local quarter-hour, offset east in seconds) of the last unambiguous lookup.
    last: Cell<Option<(i64, i32)>>,
}

impl Clock {
    /// A clock for local times in `tz`.
    pub(crate) fn new(tz: Tz) -> Self {
        Self {
            tz,
            last: Cell::new(None),
        }
    }

    /// UTC seconds for a reading: its own offset if it has one, else this clock's zone. A
    /// local time that occurs twice (clocks going back) is read as the first; one that never
    /// occurs (clocks going forward) is an error.
    pub(crate) fn utc(&self, stamp: Stamp) -> Result<UnixTime, String> {
        if let Some(offset) = stamp.offset {
            return Ok(stamp.local - i64::from(offset));
        }
        let span = stamp.local.div_euclid(SPAN);
        if let Some((cached, offset)) = self.last.get() {
            if cached == span {
                return Ok(stamp.local - i64::from(offset));
            }
        }
        let naive = chrono::DateTime::from_timestamp(stamp.local, 0)
            .ok_or_else(|| "is out of range".to_string())?
            .naive_utc();
        match self.tz.offset_from_local_datetime(&naive) {
            chrono::LocalResult::Single(offset) => {
                let east = offset.fix().local_minus_utc();
                self.last.set(Some((span, east)));
                Ok(stamp.local - i64::from(east))
            }
            chrono::LocalResult::Ambiguous(first, _) => {
                Ok(stamp.local - i64::from(first.fix().local_minus_utc()))
            }
            chrono::LocalResult::None => Err(format!(
                "is a local time that did not exist in {} (the clocks went forward)",
                self.tz.name()
            )),
        }
    }
}

/// How one format's time cells are read: a zone for times without an offset, and an optional
/// `strftime` layout.
#[derive(Debug)]
pub(crate) struct TimeReader {
    clock: Clock,
    format: Option<String>,
}

impl TimeReader {
    /// Times in `tz` unless written with an offset; `format` as configured.
    pub(crate) fn new(tz: Tz, format: Option<String>) -> Self {
        Self {
            clock: Clock::new(tz),
            format,
        }
    }

    fn not_a_time(&self, column: &str, raw: &str) -> String {
        match &self.format {
            Some(f) => format!("column `{column}` {raw:?} is not a time in format {f}"),
            None => format!("column `{column}` {raw:?} is not a time (write {ACCEPTED})"),
        }
    }

    /// A start time from one cell.
    pub(crate) fn read(&self, column: &str, raw: &str) -> Result<UnixTime, String> {
        let stamp = match &self.format {
            Some(f) => parse_with_format(raw, f),
            None => parse_stamp(raw),
        }
        .ok_or_else(|| self.not_a_time(column, raw))?;
        self.clock
            .utc(stamp)
            .map_err(|e| format!("column `{column}` {raw:?} {e}"))
    }

    /// A start time from a date cell and a time cell.
    pub(crate) fn read_pair(
        &self,
        columns: (&str, &str),
        date: &str,
        time: &str,
    ) -> Result<UnixTime, String> {
        let label = || format!("{}` and `{}", columns.0, columns.1);
        let raw = || format!("{} {}", date.trim(), time.trim());
        let stamp = match &self.format {
            Some(f) => parse_with_format(&raw(), f),
            None => parse_date_and_time(date, time),
        }
        .ok_or_else(|| self.not_a_time(&label(), &raw()))?;
        self.clock
            .utc(stamp)
            .map_err(|e| format!("columns `{}` {:?} {e}", label(), raw()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Option<String> {
        let clock = Clock::new(chrono_tz::Europe::London);
        let secs = clock.utc(parse_stamp(text)?).ok()?;
        Some(
            chrono::DateTime::from_timestamp(secs, 0)
                .expect("in range")
                .to_rfc3339(),
        )
    }

    #[test]
    fn london_summer_time_is_an_hour_ahead_and_winter_is_utc() {
        assert_eq!(
            utc("2025-07-01 10:00:00").as_deref(),
            Some("2025-07-01T09:00:00+00:00")
        );
        assert_eq!(
            utc("2025-01-15 10:00:00").as_deref(),
            Some("2025-01-15T10:00:00+00:00")
        );
        assert_eq!(
            utc("01/07/2025 10:00").as_deref(),
            Some("2025-07-01T09:00:00+00:00")
        );
        assert_eq!(
            utc("2025/07/01 10:00:00").as_deref(),
            Some("2025-07-01T09:00:00+00:00")
        );
    }

    #[test]
    fn a_written_offset_wins_over_the_zone() {
        assert_eq!(
            utc("2025-07-01T10:00:00Z").as_deref(),
            Some("2025-07-01T10:00:00+00:00")
        );
        assert_eq!(
            utc("2025-07-01T10:00:00.1234567+02:00").as_deref(),
            Some("2025-07-01T08:00:00+00:00")
        );
        assert_eq!(
            utc("2025-07-01 10:00:00 -0500").as_deref(),
            Some("2025-07-01T15:00:00+00:00")
        );
    }

    #[test]
    fn impossible_dates_and_times_are_refused() {
        for bad in [
            "31/02/2025 25:00",
            "2025-02-30 10:00:00",
            "2025-07-01 10:61",
            "yesterday",
            "",
            "2025-07-01",
        ] {
            assert_eq!(utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn clocks_going_back_read_the_first_and_forward_is_an_error() {
        let clock = Clock::new(chrono_tz::Europe::London);
        let back = parse_stamp("2025-10-26 01:30:00").expect("parses");
        assert_eq!(clock.utc(back), Ok(1_761_438_600), "01:30 BST = 00:30 UTC");
        let gap = parse_stamp("2025-03-30 01:30:00").expect("parses");
        assert!(clock.utc(gap).is_err());
    }

    #[test]
    fn the_cache_never_crosses_a_change_of_offset() {
        let clock = Clock::new(chrono_tz::Europe::London);
        let before = clock.utc(parse_stamp("2025-03-30 00:59:00").expect("parses"));
        let after = clock.utc(parse_stamp("2025-03-30 02:01:00").expect("parses"));
        assert_eq!(after.expect("valid") - before.expect("valid"), 120);
    }

    #[test]
    fn separate_date_and_time_cells_and_strftime_layouts() {
        assert_eq!(
            parse_date_and_time("01/07/2025", "9:05"),
            parse_stamp("2025-07-01 09:05:00")
        );
        assert_eq!(
            parse_with_format("07-01-2025 09.05", "%m-%d-%Y %H.%M"),
            parse_stamp("2025-07-01 09:05:00")
        );
    }
}
