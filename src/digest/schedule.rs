//! When a digest is due. A schedule is a cron expression (UTC); the period key is the
//! scheduled time, so each period is handled once however often the daemon restarts, and a
//! period missed while the daemon was down is caught up when it starts.

use chrono::{DateTime, Duration, Utc};
use cron::Schedule;

/// The latest scheduled time at or before `now`, looking back up to 400 days.
pub fn latest_due(schedule: &Schedule, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    [Duration::days(1), Duration::days(35), Duration::days(400)]
        .into_iter()
        .find_map(|lookback| {
            schedule
                .after(&(now - lookback))
                .take_while(|t| *t <= now)
                .last()
        })
}

/// The next scheduled time after `now`.
pub fn next_due(schedule: &Schedule, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    schedule.after(&now).next()
}

/// The key recording a period: its scheduled time in RFC 3339.
pub fn period_key(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::str::FromStr;

    fn weekly() -> Schedule {
        Schedule::from_str("0 0 7 * * Mon").expect("valid cron")
    }

    #[test]
    fn latest_due_is_the_last_monday_morning() {
        // Sunday 29 November 2026, noon.
        let now = Utc
            .with_ymd_and_hms(2026, 11, 29, 12, 0, 0)
            .single()
            .expect("date");
        let due = latest_due(&weekly(), now).expect("a due time");
        assert_eq!(period_key(due), "2026-11-23T07:00:00Z");
        assert_eq!(
            period_key(next_due(&weekly(), now).expect("next")),
            "2026-11-30T07:00:00Z"
        );
    }

    #[test]
    fn exactly_at_the_scheduled_time_is_due() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 30, 7, 0, 0)
            .single()
            .expect("date");
        assert_eq!(latest_due(&weekly(), now), Some(now));
    }

    #[test]
    fn frequent_schedules_are_cheap() {
        let every_minute = Schedule::from_str("0 * * * * *").expect("valid cron");
        let now = Utc
            .with_ymd_and_hms(2026, 11, 29, 12, 0, 30)
            .single()
            .expect("date");
        assert_eq!(
            period_key(latest_due(&every_minute, now).expect("due")),
            "2026-11-29T12:00:00Z"
        );
    }
}
