//! Contact arrangements: what a case conference decided for one customer (a single point of
//! contact, proactive contact at a frequency, regular meetings, mediation, written contact
//! only, contact suspended pending legal advice, enforcement), who authorised it, why, when
//! the customer was told, and when it is reviewed. An arrangement is time-limited: it lapses
//! at the end of its review date unless renewed with reasons. Every change is kept.
//!
//! Pure model and validation: no I/O (the store keeps arrangements, `app` runs the commands).
//! An arrangement describes how the service will handle contact; it is never a label on the
//! customer, and its reasons pass the labelling-words guard.

mod kind;
mod validate;

pub use kind::ArrangementKind;
pub use validate::{
    validate, validate_end, validate_renewal, ArrangementError, ArrangementRequest, NewArrangement,
    Renewal,
};

use crate::domain::EmailAddress;
use chrono::NaiveDate;

/// Months from the case conference to the default review date (the policy's quarterly
/// review); also the longest a review may be set ahead.
pub const REVIEW_MONTHS: u32 = 3;

/// A recorded arrangement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrangement {
    /// Its number, cited in forwards ("arrangement #N").
    pub id: i64,
    /// The customer's row id.
    pub customer_id: i64,
    /// The customer's key.
    pub customer_key: String,
    /// What was decided.
    pub kind: ArrangementKind,
    /// The nominated staff member (single point of contact, proactive contact).
    pub nominated: Option<EmailAddress>,
    /// Who stands in while the nominated person is absent.
    pub deputy: Option<EmailAddress>,
    /// Days between proactive contacts or meetings.
    pub frequency_days: Option<u32>,
    /// Service areas it applies in (the nominated person's, from the staff directory).
    pub service_areas: Vec<String>,
    /// The case-conference date.
    pub decided_on: NaiveDate,
    /// Who attended the case conference.
    pub attendees: Vec<EmailAddress>,
    /// The director who authorised it.
    pub authorised_by: EmailAddress,
    /// Why (a description of what happened, guard-checked).
    pub reasons: String,
    /// When the customer was told of it, with the reasons and their right to a review.
    pub told_on: NaiveDate,
    /// The review date: it lapses after this day unless renewed.
    pub review_on: NaiveDate,
    /// When it was recorded (Unix seconds).
    pub created_at: i64,
    /// When it was ended early, if it was.
    pub ended_at: Option<i64>,
    /// Why it was ended.
    pub ended_reason: Option<String>,
}

/// Where an arrangement stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// In force.
    Active,
    /// Its review date has passed without a renewal.
    Lapsed,
    /// Ended early with reasons.
    Ended,
}

impl Status {
    /// The name shown by the CLI and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Lapsed => "lapsed",
            Status::Ended => "ended",
        }
    }
}

impl Arrangement {
    /// Its status on `today` (a local calendar day): active through the review date, lapsed
    /// from the day after, ended once ended.
    pub fn status(&self, today: NaiveDate) -> Status {
        if self.ended_at.is_some() {
            Status::Ended
        } else if today > self.review_on {
            Status::Lapsed
        } else {
            Status::Active
        }
    }

    /// Whether it is in force on `today`.
    pub fn is_active(&self, today: NaiveDate) -> bool {
        self.status(today) == Status::Active
    }

    /// Days from `today` to the review date (negative once passed).
    pub fn days_to_review(&self, today: NaiveDate) -> i64 {
        (self.review_on - today).num_days()
    }
}

/// One entry of an arrangement's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArrangementEvent {
    /// `added`, `renewed` or `ended`.
    pub action: String,
    /// When (Unix seconds).
    pub at: i64,
    /// Who authorised or recorded it.
    pub by: String,
    /// The reasons given.
    pub reasons: String,
    /// The review date it set, if any.
    pub review_on: Option<NaiveDate>,
}

/// The default review date: [`REVIEW_MONTHS`] after the case conference.
pub fn default_review(decided_on: NaiveDate) -> NaiveDate {
    decided_on
        .checked_add_months(chrono::Months::new(REVIEW_MONTHS))
        .unwrap_or(decided_on)
}

/// Today's date in the organisation's time zone (`[organisation] timezone`; UTC when the
/// name is unknown, which `config check` reports).
pub fn today(timezone: &str, now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    match timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => now.with_timezone(&tz).date_naive(),
        Err(_) => now.date_naive(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn arrangement(review_on: &str) -> Arrangement {
        let staff = EmailAddress::parse("jane.smith@fire.example").expect("address");
        Arrangement {
            id: 1,
            customer_id: 1,
            customer_key: "c-1".to_owned(),
            kind: ArrangementKind::SinglePointOfContact,
            nominated: Some(staff.clone()),
            deputy: None,
            frequency_days: None,
            service_areas: Vec::new(),
            decided_on: date("2026-09-01"),
            attendees: vec![staff.clone()],
            authorised_by: staff,
            reasons: "Fourteen emails in a week about one hydrant".to_owned(),
            told_on: date("2026-09-02"),
            review_on: date(review_on),
            created_at: 0,
            ended_at: None,
            ended_reason: None,
        }
    }

    #[test]
    fn an_arrangement_is_active_through_its_review_date_and_lapses_the_day_after() {
        let a = arrangement("2026-12-01");
        assert_eq!(a.status(date("2026-11-30")), Status::Active);
        assert_eq!(a.status(date("2026-12-01")), Status::Active);
        assert_eq!(a.status(date("2026-12-02")), Status::Lapsed);
        assert_eq!(a.days_to_review(date("2026-11-24")), 7);
    }

    #[test]
    fn an_ended_arrangement_is_ended_whatever_the_date() {
        let mut a = arrangement("2026-12-01");
        a.ended_at = Some(1);
        assert_eq!(a.status(date("2026-10-01")), Status::Ended);
    }

    #[test]
    fn the_default_review_is_three_months_after_the_case_conference() {
        assert_eq!(default_review(date("2026-09-01")), date("2026-12-01"));
        assert_eq!(default_review(date("2026-11-30")), date("2027-02-28"));
    }

    #[test]
    fn today_is_the_local_calendar_day() {
        let late = chrono::DateTime::parse_from_rfc3339("2026-06-30T23:30:00Z")
            .expect("time")
            .with_timezone(&chrono::Utc);
        assert_eq!(today("Europe/London", late), date("2026-07-01"));
        assert_eq!(today("UTC", late), date("2026-06-30"));
    }
}
