//! Turning what a person typed (`tidings arrangements add …`) into a checked
//! [`NewArrangement`]: every rule of the policy in one place, each refusal saying what to fix.

use super::{default_review, ArrangementKind, REVIEW_MONTHS};
use crate::domain::EmailAddress;
use crate::organisation::StaffDirectory;
use chrono::NaiveDate;

/// Why an arrangement cannot be recorded, with what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArrangementError {
    /// The kind is not one of the policy's.
    #[error("--kind {given:?} is not an arrangement kind; use one of: {}", kinds())]
    UnknownKind {
        /// What was given.
        given: String,
    },
    /// A date is not `YYYY-MM-DD`.
    #[error("{arg} {given:?} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-01")]
    BadDate {
        /// The argument.
        arg: &'static str,
        /// What was given.
        given: String,
    },
    /// An address is not a mail address.
    #[error("{arg} {given:?} is not a mail address; give the staff member's work address")]
    BadAddress {
        /// The argument.
        arg: &'static str,
        /// What was given.
        given: String,
    },
    /// The staff directory is not configured, so nobody can be checked.
    #[error("no staff directory is configured; set [organisation] staff_directory so the authorising director and the nominated staff can be checked")]
    NoDirectory,
    /// Someone named is not in the staff directory.
    #[error("{arg} {address} is not in the staff directory; name a member of staff listed there (or add them to the directory first)")]
    NotStaff {
        /// The argument.
        arg: &'static str,
        /// The address.
        address: String,
    },
    /// The authoriser is not a director.
    #[error("--authorised-by {address} has the role {role:?}, not a director; an arrangement must be authorised by a director in the staff directory")]
    NotDirector {
        /// The address.
        address: String,
        /// Their role in the directory.
        role: String,
    },
    /// A kind that needs a nominated staff member has none.
    #[error(
        "a {kind} arrangement needs --nominated EMAIL (the staff member who handles the contact)"
    )]
    NominatedMissing {
        /// The kind.
        kind: ArrangementKind,
    },
    /// The deputy is the nominated person.
    #[error(
        "--deputy must be someone other than --nominated; leave --deputy out if there is none"
    )]
    DeputyIsNominated,
    /// A proactive-contact arrangement without a frequency, or a frequency where none applies.
    #[error("{problem}")]
    Frequency {
        /// What is wrong and what to do.
        problem: String,
    },
    /// No attendees.
    #[error("--attendees needs at least one address (who attended the case conference, comma-separated)")]
    NoAttendees,
    /// The dates are out of order.
    #[error("{problem}")]
    Dates {
        /// What is wrong and what to do.
        problem: String,
    },
    /// Reasons are missing.
    #[error("--reasons is required: describe what happened and why this arrangement was chosen")]
    NoReasons,
    /// The reasons label a person.
    #[error(transparent)]
    Label(#[from] crate::guard::LabelError),
    /// The arrangement cannot be renewed or ended in its state.
    #[error("{problem}")]
    State {
        /// What is wrong and what to do.
        problem: String,
    },
}

fn kinds() -> String {
    ArrangementKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `tidings arrangements add` was given, as typed.
#[derive(Clone, Debug, Default)]
pub struct ArrangementRequest {
    /// `--kind`.
    pub kind: String,
    /// `--nominated`.
    pub nominated: Option<String>,
    /// `--deputy`.
    pub deputy: Option<String>,
    /// `--authorised-by`.
    pub authorised_by: String,
    /// `--decided-on`.
    pub decided_on: String,
    /// `--attendees`, comma-separated.
    pub attendees: String,
    /// `--reasons`.
    pub reasons: String,
    /// `--told-on`.
    pub told_on: String,
    /// `--review-on`.
    pub review_on: Option<String>,
    /// `--frequency-days`.
    pub frequency_days: Option<u32>,
}

/// A checked arrangement, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewArrangement {
    /// What was decided.
    pub kind: ArrangementKind,
    /// The nominated staff member.
    pub nominated: Option<EmailAddress>,
    /// The deputy.
    pub deputy: Option<EmailAddress>,
    /// Days between proactive contacts or meetings.
    pub frequency_days: Option<u32>,
    /// The nominated person's service areas.
    pub service_areas: Vec<String>,
    /// Case-conference date.
    pub decided_on: NaiveDate,
    /// Case-conference attendees.
    pub attendees: Vec<EmailAddress>,
    /// The authorising director.
    pub authorised_by: EmailAddress,
    /// Reasons (guard-checked).
    pub reasons: String,
    /// When the customer was told.
    pub told_on: NaiveDate,
    /// Review date.
    pub review_on: NaiveDate,
}

/// A checked renewal: new reasons and a new review date, authorised by a director.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renewal {
    /// The authorising director.
    pub authorised_by: EmailAddress,
    /// Why it continues (guard-checked).
    pub reasons: String,
    /// The new review date.
    pub review_on: NaiveDate,
}

fn date(arg: &'static str, given: &str) -> Result<NaiveDate, ArrangementError> {
    NaiveDate::parse_from_str(given.trim(), "%Y-%m-%d").map_err(|_| ArrangementError::BadDate {
        arg,
        given: given.to_owned(),
    })
}

fn address(arg: &'static str, given: &str) -> Result<EmailAddress, ArrangementError> {
    EmailAddress::parse(given).map_err(|_| ArrangementError::BadAddress {
        arg,
        given: given.to_owned(),
    })
}

fn staff(
    directory: &StaffDirectory,
    arg: &'static str,
    given: &str,
) -> Result<EmailAddress, ArrangementError> {
    let email = address(arg, given)?;
    if directory.by_email(&email).is_none() {
        return Err(ArrangementError::NotStaff {
            arg,
            address: email.as_str().to_owned(),
        });
    }
    Ok(email)
}

/// The authorising director: in the directory, with a director's role.
fn director(directory: &StaffDirectory, given: &str) -> Result<EmailAddress, ArrangementError> {
    if directory.is_empty() {
        return Err(ArrangementError::NoDirectory);
    }
    let email = staff(directory, "--authorised-by", given)?;
    if !directory.directors().any(|d| d.email == email) {
        let role = directory
            .by_email(&email)
            .map(|m| m.role.clone())
            .unwrap_or_default();
        return Err(ArrangementError::NotDirector {
            address: email.as_str().to_owned(),
            role,
        });
    }
    Ok(email)
}

fn reasons(text: &str) -> Result<String, ArrangementError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ArrangementError::NoReasons);
    }
    crate::guard::check_free_text("reasons", text)?;
    Ok(text.to_owned())
}

/// A review date: after `today`, and no more than [`REVIEW_MONTHS`] after `from`.
fn review(from: NaiveDate, review_on: NaiveDate, today: NaiveDate) -> Result<(), ArrangementError> {
    if review_on <= today {
        return Err(ArrangementError::Dates {
            problem: format!("--review-on {review_on} is not in the future; an arrangement must have a review date still to come"),
        });
    }
    if review_on > default_review(from) {
        return Err(ArrangementError::Dates {
            problem: format!(
                "--review-on {review_on} is more than {REVIEW_MONTHS} months after {from}; arrangements are reviewed at least quarterly (renew it at the review)"
            ),
        });
    }
    Ok(())
}

/// Checks a request against the policy and the staff directory on `today` (a local day).
pub fn validate(
    request: &ArrangementRequest,
    directory: &StaffDirectory,
    today: NaiveDate,
) -> Result<NewArrangement, ArrangementError> {
    let kind =
        ArrangementKind::parse(&request.kind).ok_or_else(|| ArrangementError::UnknownKind {
            given: request.kind.clone(),
        })?;
    let authorised_by = director(directory, &request.authorised_by)?;
    let nominated = request
        .nominated
        .as_deref()
        .map(|n| staff(directory, "--nominated", n))
        .transpose()?;
    if kind.needs_nominated() && nominated.is_none() {
        return Err(ArrangementError::NominatedMissing { kind });
    }
    let deputy = request
        .deputy
        .as_deref()
        .map(|d| staff(directory, "--deputy", d))
        .transpose()?;
    if deputy.is_some() && deputy == nominated {
        return Err(ArrangementError::DeputyIsNominated);
    }
    let frequency_days = match (kind.has_frequency(), request.frequency_days) {
        (true, Some(days)) if (1..=366).contains(&days) => Some(days),
        (true, Some(days)) => {
            return Err(ArrangementError::Frequency {
                problem: format!("--frequency-days {days} must be between 1 and 366"),
            })
        }
        (true, None) if kind == ArrangementKind::ProactiveContact => {
            return Err(ArrangementError::Frequency {
                problem: "a proactive-contact arrangement needs --frequency-days N (how often the nominated person makes contact)".to_owned(),
            })
        }
        (true, None) => None,
        (false, Some(_)) => {
            return Err(ArrangementError::Frequency {
                problem: format!("--frequency-days applies to proactive-contact and regular-meetings, not {kind}; leave it out"),
            })
        }
        (false, None) => None,
    };
    let attendees: Vec<EmailAddress> = request
        .attendees
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| address("--attendees", a))
        .collect::<Result<_, _>>()?;
    if attendees.is_empty() {
        return Err(ArrangementError::NoAttendees);
    }
    let decided_on = date("--decided-on", &request.decided_on)?;
    let told_on = date("--told-on", &request.told_on)?;
    if decided_on > today {
        return Err(ArrangementError::Dates {
            problem: format!("--decided-on {decided_on} is in the future; give the date of the case conference that decided it"),
        });
    }
    if told_on < decided_on || told_on > today {
        return Err(ArrangementError::Dates {
            problem: format!("--told-on {told_on} must be on or after --decided-on {decided_on} and not in the future: record the arrangement once the customer has been told of it, its reasons and their right to a review"),
        });
    }
    let review_on = match &request.review_on {
        Some(r) => date("--review-on", r)?,
        None => default_review(decided_on),
    };
    review(decided_on, review_on, today)?;
    let service_areas = nominated
        .as_ref()
        .and_then(|n| directory.by_email(n))
        .map(|m| m.service_areas.clone())
        .unwrap_or_default();
    Ok(NewArrangement {
        kind,
        nominated,
        deputy,
        frequency_days,
        service_areas,
        decided_on,
        attendees,
        authorised_by,
        reasons: reasons(&request.reasons)?,
        told_on,
        review_on,
    })
}

/// Checks a renewal decided on `today`: a director, reasons, and a review date (default
/// [`REVIEW_MONTHS`] from today).
pub fn validate_renewal(
    directory: &StaffDirectory,
    authorised_by: &str,
    reasons_text: &str,
    review_on: Option<&str>,
    today: NaiveDate,
) -> Result<Renewal, ArrangementError> {
    let authorised_by = director(directory, authorised_by)?;
    let review_on = match review_on {
        Some(r) => date("--review-on", r)?,
        None => default_review(today),
    };
    review(today, review_on, today)?;
    Ok(Renewal {
        authorised_by,
        reasons: reasons(reasons_text)?,
        review_on,
    })
}

/// Checks the reasons for ending an arrangement early.
pub fn validate_end(reasons_text: &str) -> Result<String, ArrangementError> {
    reasons(reasons_text)
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
