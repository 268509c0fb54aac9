//! Reminders about arrangements: a review coming up (within `[routing]
//! review_reminder_days`) or passed without a renewal goes to the nominated person (and the
//! authorising director); a proactive contact that is due goes to the nominated person; and at
//! the start of each quarter senior managers (`senior = yes` in the staff directory) get a
//! roll-up of every arrangement in force, for the policy's quarterly review. Each reminder has
//! a Message-ID made from what it is about, so it is enqueued once however often this runs.
//! The texts name arrangements, dates and customer keys only: no reasons, no message content.

use super::facts::OwnMarks;
use crate::arrangements::{Arrangement, ArrangementKind, Status};
use crate::domain::EmailAddress;
use crate::store::{NewOutboxMessage, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};

/// What one reminder pass enqueued (messages already enqueued earlier are not counted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReminderPass {
    /// Review reminders (due or passed).
    pub reviews: usize,
    /// Proactive-contact reminders.
    pub proactive: usize,
    /// Quarterly roll-ups.
    pub rollups: usize,
}

fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn message(
    id: String,
    purpose: &str,
    to: &[&EmailAddress],
    subject: String,
    body: String,
) -> NewOutboxMessage {
    let to: Vec<&str> = to.iter().map(|a| a.as_str()).collect();
    NewOutboxMessage {
        message_id: id,
        purpose: purpose.to_owned(),
        recipients: to.join(", "),
        subject,
        body_text: body,
        body_html: None,
    }
}

/// The review reminder for `a` on `today`, if one is due.
pub fn review_reminder(
    a: &Arrangement,
    today: NaiveDate,
    days_before: u32,
    marks: &OwnMarks,
) -> Option<NewOutboxMessage> {
    let status = a.status(today);
    let days = a.days_to_review(today);
    let due = status == Status::Active && days <= i64::from(days_before);
    let lapsed = status == Status::Lapsed;
    if !due && !lapsed {
        return None;
    }
    let mut to: Vec<&EmailAddress> = a.nominated.iter().collect();
    if lapsed || to.is_empty() {
        to.push(&a.authorised_by);
    }
    let review = date(a.review_on);
    let (tag, subject, line) = if lapsed {
        (
            "lapsed",
            format!("Contact arrangement #{} lapsed after its review date {review}", a.id),
            format!("Contact arrangement #{} ({}) for customer {} was due for review on {review} and was not renewed, so it no longer applies and mail is no longer forwarded under it. If a case conference decides it should continue, record a new arrangement or renew it with reasons.", a.id, a.kind, a.customer_key),
        )
    } else {
        (
            "review",
            format!("Review due {review}: contact arrangement #{}", a.id),
            format!("Contact arrangement #{} ({}) for customer {} is due for review on {review}. Renew it with reasons (tidings arrangements renew {} …) or end it; otherwise it lapses after that day.", a.id, a.kind, a.customer_key, a.id),
        )
    };
    Some(message(
        format!(
            "{tag}-{}-{}@{}",
            a.id,
            a.review_on.format("%Y%m%d"),
            marks.message_id_domain
        ),
        "reminder",
        &to,
        subject,
        format!("{line}\n"),
    ))
}

/// When proactive contact under `a` is due, if it is due on `today`: (the last contact or the
/// case conference, the day contact fell due).
pub fn proactive_due(
    a: &Arrangement,
    today: NaiveDate,
    last_contact: Option<NaiveDate>,
) -> Option<(NaiveDate, NaiveDate)> {
    if a.kind != ArrangementKind::ProactiveContact || !a.is_active(today) {
        return None;
    }
    let since = last_contact.map_or(a.decided_on, |d| d.max(a.decided_on));
    let due = since + chrono::Days::new(u64::from(a.frequency_days?));
    (due <= today).then_some((since, due))
}

/// The proactive-contact reminder for `a`, if contact is due: `frequency_days` after the last
/// contact by staff (or after the case conference when there has been none).
pub fn proactive_reminder(
    a: &Arrangement,
    today: NaiveDate,
    last_contact: Option<NaiveDate>,
    marks: &OwnMarks,
) -> Option<NewOutboxMessage> {
    let nominated = a.nominated.as_ref()?;
    let days = a.frequency_days?;
    let (since, due) = proactive_due(a, today, last_contact)?;
    Some(message(
        format!("proactive-{}-{}@{}", a.id, due.format("%Y%m%d"), marks.message_id_domain),
        "reminder",
        &[nominated],
        format!("Proactive contact due: contact arrangement #{}", a.id),
        format!(
            "Under contact arrangement #{} you agreed to contact customer {} every {days} days. The last contact recorded was on {}, so the next one was due on {}. Once you have made contact it is logged like any other (mail from the shared mailbox, a call, or tidings note add).\n",
            a.id,
            a.customer_key,
            date(since),
            date(due)
        ),
    ))
}

/// The quarterly roll-up of arrangements in force, one message per senior manager; nothing
/// when none is in force.
pub fn quarterly_rollup(
    active: &[Arrangement],
    today: NaiveDate,
    seniors: &[EmailAddress],
    marks: &OwnMarks,
) -> Vec<NewOutboxMessage> {
    let quarter = (today.month0() / 3) + 1;
    let mut lines = Vec::new();
    for a in active.iter().filter(|a| a.is_active(today)) {
        lines.push(format!(
            "#{} {} for customer {}: decided {}, authorised by {}, review due {}{}",
            a.id,
            a.kind,
            a.customer_key,
            date(a.decided_on),
            a.authorised_by.as_str(),
            date(a.review_on),
            a.nominated
                .as_ref()
                .map(|n| format!(", nominated {}", n.as_str()))
                .unwrap_or_default()
        ));
    }
    if lines.is_empty() {
        return Vec::new();
    }
    let body = format!(
        "{} contact arrangement(s) are in force. Each is reviewed by its date or lapses:\n\n{}\n",
        lines.len(),
        lines.join("\n")
    );
    seniors
        .iter()
        .map(|who| {
            let key = hex::encode(&Sha256::digest(who.as_str().as_bytes())[..6]);
            message(
                format!(
                    "rollup-{}q{quarter}-{key}@{}",
                    today.year(),
                    marks.message_id_domain
                ),
                "reminder",
                &[who],
                format!(
                    "Contact arrangements in force: quarter {quarter} {}",
                    today.year()
                ),
                body.clone(),
            )
        })
        .collect()
}

/// Enqueues every reminder due on `today`, a date in `tz` (once each: known Message-IDs are
/// skipped).
pub async fn run(
    store: &Store,
    today: NaiveDate,
    tz: chrono_tz::Tz,
    days_before: u32,
    seniors: &[EmailAddress],
    marks: &OwnMarks,
) -> Result<ReminderPass, StoreError> {
    let all = store.arrangements(None).await?;
    let mut pass = ReminderPass::default();
    let mut reviews = Vec::new();
    let mut proactive = Vec::new();
    for a in &all {
        reviews.extend(review_reminder(a, today, days_before, marks));
        if a.kind == ArrangementKind::ProactiveContact && a.is_active(today) {
            let last = store
                .last_outbound_contact(a.customer_id)
                .await?
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                .map(|t| t.with_timezone(&tz).date_naive());
            proactive.extend(proactive_reminder(a, today, last, marks));
        }
    }
    pass.reviews = store.enqueue_with(&plain(reviews)).await?;
    pass.proactive = store.enqueue_with(&plain(proactive)).await?;
    let active: Vec<Arrangement> = all.into_iter().filter(|a| a.is_active(today)).collect();
    pass.rollups = store
        .enqueue_with(&plain(quarterly_rollup(&active, today, seniors, marks)))
        .await?;
    Ok(pass)
}

fn plain(messages: Vec<NewOutboxMessage>) -> Vec<(NewOutboxMessage, crate::store::OutboxExtras)> {
    messages
        .into_iter()
        .map(|m| (m, crate::store::OutboxExtras::default()))
        .collect()
}

#[cfg(test)]
#[path = "reminders_tests.rs"]
mod tests;
