//! When a digest is due. A schedule is a cron expression read in the organisation's time zone
//! (`[organisation] timezone`, so "07:00 on Mondays" stays 07:00 across BST); the period key is
//! the scheduled time in UTC, so each period is handled once however often the daemon
//! restarts, and a period missed while the daemon was down is caught up when it starts — once,
//! covering the whole gap.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use cron::Schedule;

/// The latest scheduled time at or before `now`, looking back up to 400 days.
pub fn latest_due(schedule: &Schedule, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
    let local = now.with_timezone(&tz);
    [Duration::days(1), Duration::days(35), Duration::days(400)]
        .into_iter()
        .find_map(|lookback| {
            schedule
                .after(&(local - lookback))
                .take_while(|t| *t <= local)
                .last()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// The next scheduled time after `now`.
pub fn next_due(schedule: &Schedule, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
    schedule
        .after(&now.with_timezone(&tz))
        .next()
        .map(|t| t.with_timezone(&Utc))
}

/// The organisation's time zone by its IANA name; UTC when the name is unknown (the config
/// check rejects one).
pub fn timezone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
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
        let due = latest_due(&weekly(), now, Tz::UTC).expect("a due time");
        assert_eq!(period_key(due), "2026-11-23T07:00:00Z");
        assert_eq!(
            period_key(next_due(&weekly(), now, Tz::UTC).expect("next")),
            "2026-11-30T07:00:00Z"
        );
    }

    #[test]
    fn seven_on_monday_is_local_time_in_summer_and_winter() {
        let london = timezone("Europe/London");
        // Wednesday 1 July 2026 (BST): the latest Monday 07:00 was 06:00 UTC.
        let summer = Utc
            .with_ymd_and_hms(2026, 7, 1, 12, 0, 0)
            .single()
            .expect("date");
        assert_eq!(
            period_key(latest_due(&weekly(), summer, london).expect("due")),
            "2026-06-29T06:00:00Z"
        );
        let winter = Utc
            .with_ymd_and_hms(2026, 12, 2, 12, 0, 0)
            .single()
            .expect("date");
        assert_eq!(
            period_key(latest_due(&weekly(), winter, london).expect("due")),
            "2026-11-30T07:00:00Z"
        );
        assert_eq!(timezone("Not/AZone"), Tz::UTC);
    }

    #[test]
    fn exactly_at_the_scheduled_time_is_due() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 30, 7, 0, 0)
            .single()
            .expect("date");
        assert_eq!(latest_due(&weekly(), now, Tz::UTC), Some(now));
    }

    #[test]
    fn frequent_schedules_are_cheap() {
        let every_minute = Schedule::from_str("0 * * * * *").expect("valid cron");
        let now = Utc
            .with_ymd_and_hms(2026, 11, 29, 12, 0, 30)
            .single()
            .expect("date");
        assert_eq!(
            period_key(latest_due(&every_minute, now, Tz::UTC).expect("due")),
            "2026-11-29T12:00:00Z"
        );
    }
}
