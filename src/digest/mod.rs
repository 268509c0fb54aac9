//! The weekly digest of advisory flags for managers: gather figures from the store
//! (`build_view`), render them (`render`), and enqueue one message per recipient through the
//! outbox, once per schedule period (`schedule`). Every flag kind is shown through
//! `crate::flags::describe`: figures, context and counter-evidence, and for an item flag
//! its matched sentence, never whole messages; text from messages is masked by the guard.

pub mod attention;
pub mod render;
pub mod schedule;

use crate::config::Config;
use crate::domain::UnixTime;
use crate::flags::windows::Calendar;
use crate::guard::mask;
use crate::store::{FlagRow, NewOutboxMessage, Store, StoreError};
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use render::{DigestFlag, DigestView, PeriodTotals, RenderedDigest};
use sha2::{Digest, Sha256};

/// Why a digest could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// Reading figures or recording the period failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// There is nobody to send it to.
    #[error("no digest recipients are configured; add [[digest.recipients]] with name and email to the config file")]
    NoRecipients,
}

fn utc(t: UnixTime) -> DateTime<Utc> {
    Utc.timestamp_opt(t, 0).single().unwrap_or_default()
}

/// `t` in the organisation's time zone, for the dates a digest shows.
fn local(t: UnixTime, tz: Tz) -> DateTime<Tz> {
    utc(t).with_timezone(&tz)
}

/// Gathers the digest for flags raised after `since` (all unexpired flags when `None`).
pub async fn build_view(
    store: &Store,
    config: &Config,
    recipient_name: Option<String>,
    since: Option<UnixTime>,
    now: UnixTime,
) -> Result<DigestView, StoreError> {
    let period_start = since.unwrap_or(now - 7 * 86_400);
    let tz = schedule::timezone(&config.organisation.timezone);
    let calendar = Calendar::new(tz);
    let flags = store.flags(since.map(|s| s + 1), false).await?;
    let mut new_flags = Vec::with_capacity(flags.len());
    for flag in flags {
        new_flags.push(digest_flag(store, config, &calendar, flag, now).await?);
    }
    let totals = store.totals(period_start, now).await?;
    Ok(DigestView {
        organisation: config.organisation.name.clone(),
        recipient_name,
        period_start: local(period_start, tz),
        period_end: local(now, tz),
        new_flags,
        open_flags_total: usize::try_from(store.open_flag_count().await?).unwrap_or(0),
        totals: PeriodTotals {
            items_in_period: u64::try_from(totals.items).unwrap_or(0),
            customers_in_period: u64::try_from(totals.customers).unwrap_or(0),
            quarantined_in_period: u64::try_from(totals.quarantined).unwrap_or(0),
        },
    })
}

/// Context notes shown beside one flag at most.
const MAX_CONTEXT: usize = 3;

async fn digest_flag(
    store: &Store,
    config: &Config,
    calendar: &Calendar,
    flag: FlagRow,
    now: UnixTime,
) -> Result<DigestFlag, StoreError> {
    let words = crate::flags::describe(&flag.kind, &flag.figures).unwrap_or_else(|e| {
        crate::flags::Description {
            title: "Flag",
            summary: e.to_string(),
            figures: Vec::new(),
            threshold: String::new(),
            strength: 0,
        }
    });
    let pattern = crate::flags::is_pattern(&flag.kind);
    let (daily, counter_evidence) = if pattern {
        // One bar per local day of the window, up to today's for a window still open.
        let chart_end = flag
            .window_end
            .min(calendar.day_end(now.max(flag.window_start)));
        let times: Vec<i64> = store
            .contact_items(flag.customer_id, flag.window_start, flag.window_end)
            .await?
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        let reply_days = config.flags.reply_days;
        let exchanges = store
            .customer_exchanges(
                flag.customer_id,
                flag.window_start,
                flag.window_end + i64::from(reply_days) * 86_400 + 1,
            )
            .await?;
        let window = crate::flags::windows::Window {
            start: flag.window_start,
            end: flag.window_end,
        };
        let replies = crate::flags::counter::replies(&exchanges, window, reply_days, now);
        (
            calendar.per_day(&times, flag.window_start, chart_end),
            replies.lines(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    // Text that comes from messages is masked: a sender's display name or a sentence may
    // carry a labelling word, and manager mail must not.
    let context = store
        .customer_context(flag.customer_id)
        .await?
        .into_iter()
        .take(MAX_CONTEXT)
        .map(|c| format!("{}: \"{}\" ({})", c.kind, mask(&c.sentence), c.item_ref))
        .collect();
    Ok(DigestFlag {
        flag_id: flag.id,
        kind: flag.kind,
        customer_key: flag.customer_key,
        customer_name: flag.customer_name.as_deref().map(mask),
        summary: words.summary,
        figures: words.figures,
        threshold: words.threshold,
        window_start: local(flag.window_start, calendar.tz()),
        window_end: local(flag.window_end, calendar.tz()),
        raised_at: local(flag.created_at, calendar.tz()),
        expires_at: local(flag.expires_at, calendar.tz()),
        state: flag.state,
        context,
        sentence: flag.sentence.as_deref().map(mask),
        counter_evidence,
        daily_counts: daily,
        review_url: None,
    })
}

/// Renders the digest for the first recipient (or a generic greeting), without sending.
pub async fn preview(
    store: &Store,
    config: &Config,
    now: UnixTime,
) -> Result<RenderedDigest, StoreError> {
    let since = store.digest_covered_until().await?;
    let name = config
        .digest
        .recipients
        .first()
        .and_then(|r| r.name.clone());
    let mut rendered = render::render(&build_view(store, config, name, since, now).await?);
    let (due, health) = attention_now(store, config, now).await?;
    attention::add_to(&mut rendered, &due, &health);
    Ok(rendered)
}

/// Arrangements needing action (reviews due within `[routing] review_reminder_days`, reviews
/// lapsed in the last four weeks, proactive contacts due) and the health figures, now.
async fn attention_now(
    store: &Store,
    config: &Config,
    now: UnixTime,
) -> Result<(Vec<attention::ArrangementDue>, attention::Health), StoreError> {
    use crate::arrangements::Status;
    let tz = schedule::timezone(&config.organisation.timezone);
    let today = crate::arrangements::today(&config.organisation.timezone, utc(now));
    let mut due = Vec::new();
    for a in store.arrangements(None).await? {
        let days = a.days_to_review(today);
        let what = match a.status(today) {
            Status::Active if days <= i64::from(config.routing.review_reminder_days) => {
                Some(attention::review_due(a.review_on, false))
            }
            Status::Lapsed if days >= -28 => Some(attention::review_due(a.review_on, true)),
            _ => None,
        };
        let last = store
            .last_outbound_contact(a.customer_id)
            .await?
            .map(|t| local(t, tz).date_naive());
        let proactive = crate::routing::reminders::proactive_due(&a, today, last)
            .map(|(_, on)| attention::proactive_due(on));
        for what in what.into_iter().chain(proactive) {
            due.push(attention::ArrangementDue {
                id: a.id,
                kind: a.kind.to_string(),
                customer_key: a.customer_key.clone(),
                what,
            });
        }
    }
    let health = attention::Health {
        quarantined: store.quarantine_list().await?.len(),
        stale_sources: store.stale_sources(now - 86_400).await?,
        dead_letters: store.dead_letters().await?,
    };
    Ok((due, health))
}

/// Renders the digest for every recipient and records the period with its outbox messages in
/// one transaction. Returns false when the period was already handled (by this or another
/// daemon): a period is never sent twice.
pub async fn enqueue_period(
    store: &Store,
    config: &Config,
    period_key: &str,
    now: UnixTime,
) -> Result<bool, DigestError> {
    if config.digest.recipients.is_empty() {
        return Err(DigestError::NoRecipients);
    }
    if store.digest_run_exists(period_key).await? {
        return Ok(false);
    }
    let since = store.digest_covered_until().await?;
    let domain = config
        .smtp
        .as_ref()
        .and_then(|s| {
            s.from
                .rsplit_once('@')
                .map(|(_, d)| d.trim_end_matches('>').to_string())
        })
        .unwrap_or_else(|| "tidings.invalid".to_string());
    // The figures are the same for every recipient: gather them once, greet each by name.
    let mut view = build_view(store, config, None, since, now).await?;
    let new_flags = view.new_flags.len();
    let period: String = period_key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let (due, health) = attention_now(store, config, now).await?;
    let mut messages = Vec::new();
    for recipient in &config.digest.recipients {
        view.recipient_name.clone_from(&recipient.name);
        let mut rendered = render::render(&view);
        attention::add_to(&mut rendered, &due, &health);
        let who =
            hex::encode(&Sha256::digest(recipient.email.to_ascii_lowercase().as_bytes())[..6]);
        messages.push(NewOutboxMessage {
            message_id: format!("digest-{period}-{who}@{domain}"),
            purpose: "digest".to_string(),
            recipients: recipient.email.clone(),
            subject: rendered.subject,
            body_text: rendered.text,
            body_html: Some(rendered.html),
        });
    }
    let period_start = since.unwrap_or(now - 7 * 86_400);
    let recorded = store
        .record_digest_run(period_key, period_start, now, &messages)
        .await?;
    if recorded {
        crate::telemetry::events::digest_enqueued(period_key, messages.len(), new_flags);
    }
    Ok(recorded)
}
