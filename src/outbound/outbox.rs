//! Delivering the outbox: due messages are claimed (an owner and a lease, so several daemons
//! on one database never send one message twice) and sent over SMTP with their stable
//! Message-ID, so a retry after an ambiguous failure (a connection reset after `DATA`) is
//! recognisably the same message. A raw item referenced by a message is attached whole as
//! `message/rfc822`, byte for byte. A transient failure (4xx, connection, timeout) is retried
//! with exponential backoff (30 s doubling to 1 h); a permanent one, or [`MAX_ATTEMPTS`]
//! failed attempts, makes it a dead letter (`tidings outbox list --state dead`, `tidings
//! outbox retry`).

use super::smtp::{Attachment, OutboundMessage, SmtpError, SmtpSender};
use crate::domain::UnixTime;
use crate::store::{OutboxRow, Store, StoreError};
use crate::telemetry::events;
use std::sync::OnceLock;

/// Attempts before a message becomes a dead letter.
pub const MAX_ATTEMPTS: i64 = 30;
/// Messages claimed per pass.
const PASS_LIMIT: i64 = 100;
/// How long a claim holds: longer than any one send may take (the SMTP deadline).
const LEASE_SECS: i64 = 600;

/// What one delivery pass did.
#[derive(Clone, Debug, Default)]
pub struct DeliveryReport {
    /// Delivered.
    pub sent: usize,
    /// Failed and scheduled for a retry.
    pub retrying: usize,
    /// Failed for good.
    pub failed: usize,
    /// The last error seen, for `--once` to report.
    pub last_error: Option<String>,
}

/// Seconds to wait before attempt number `attempts + 1`.
pub fn backoff_secs(attempts: i64) -> i64 {
    (30_i64 << attempts.clamp(0, 7)).min(3600)
}

/// This process's claim owner: unique per process and start.
pub fn owner() -> &'static str {
    static OWNER: OnceLock<String> = OnceLock::new();
    OWNER.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        format!("tidings-{}-{nanos}", std::process::id())
    })
}

/// Sends every message due at `now` that no other daemon holds.
pub async fn deliver_due(
    store: &Store,
    sender: &SmtpSender,
    now: UnixTime,
) -> Result<DeliveryReport, StoreError> {
    let mut report = DeliveryReport::default();
    loop {
        let claimed = store
            .outbox_claim(owner(), now, LEASE_SECS, PASS_LIMIT)
            .await?;
        let full = claimed.len() as i64 == PASS_LIMIT;
        for row in claimed {
            let sent = match outbound(store, &row).await? {
                Ok(message) => sender.send(&message).await,
                Err(e) => Err(e),
            };
            match sent {
                Ok(()) => {
                    store.outbox_sent(row.id).await?;
                    events::outbox_sent(&row.message_id);
                    report.sent += 1;
                }
                Err(e) => {
                    let retry = retry_at(&e, row.attempts, now);
                    events::outbox_attempt_failed(&row.message_id, &e, retry.is_some());
                    store.outbox_failed(row.id, &e.to_string(), retry).await?;
                    if retry.is_some() {
                        report.retrying += 1;
                    } else {
                        report.failed += 1;
                    }
                    report.last_error = Some(e.to_string());
                }
            }
        }
        if !full {
            break;
        }
    }
    events::outbox_pending(store.outbox_totals().await?.pending);
    Ok(report)
}

/// The message to send for `row`, with its attachment read from the raw store; an
/// attachment that is no longer kept is a permanent failure.
async fn outbound(
    store: &Store,
    row: &OutboxRow,
) -> Result<Result<OutboundMessage, SmtpError>, StoreError> {
    let mut attachments = Vec::new();
    if let Some(raw_id) = row.attach_raw_id {
        match store.kept_raw(raw_id).await?.and_then(|raw| raw.bytes) {
            Some(bytes) => attachments.push(Attachment {
                filename: "original.eml".to_owned(),
                content_type: "message/rfc822".to_owned(),
                bytes,
            }),
            None => {
                return Ok(Err(SmtpError::InvalidMessage {
                    reason: format!(
                    "the original (raw item {raw_id}) is no longer kept, so it cannot be attached"
                ),
                }))
            }
        }
    }
    Ok(Ok(OutboundMessage {
        message_id: row.message_id.clone(),
        to: row.recipients.clone(),
        subject: row.subject.clone(),
        text: row.body_text.clone(),
        html: row.body_html.clone(),
        attachments,
        headers: row.headers.clone(),
    }))
}

fn retry_at(error: &SmtpError, attempts: i64, now: UnixTime) -> Option<UnixTime> {
    (error.is_transient() && attempts + 1 < MAX_ATTEMPTS).then(|| now + backoff_secs(attempts))
}

#[cfg(test)]
mod tests {
    use super::backoff_secs;

    #[test]
    fn backoff_doubles_and_caps_at_an_hour() {
        assert_eq!(backoff_secs(0), 30);
        assert_eq!(backoff_secs(1), 60);
        assert_eq!(backoff_secs(5), 960);
        assert_eq!(backoff_secs(20), 3600);
    }
}
