//! Delivering the outbox: every due message is sent over SMTP with its stable Message-ID.
//! A transient failure is retried with exponential backoff (30 s doubling to 1 h); a
//! permanent one, or 30 failed attempts, marks the message failed (visible in `tidings status`).

use super::smtp::{OutboundMessage, SmtpError, SmtpSender};
use crate::domain::UnixTime;
use crate::store::{Store, StoreError};
use crate::telemetry::events;

/// Attempts before a message is given up on.
pub const MAX_ATTEMPTS: i64 = 30;
/// Messages claimed per pass.
const PASS_LIMIT: i64 = 100;

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

/// Sends every message due at `now`.
pub async fn deliver_due(
    store: &Store,
    sender: &SmtpSender,
    now: UnixTime,
) -> Result<DeliveryReport, StoreError> {
    let mut report = DeliveryReport::default();
    for row in store.outbox_due(now, PASS_LIMIT).await? {
        let message = OutboundMessage {
            message_id: row.message_id.clone(),
            to: row
                .recipients
                .split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect(),
            subject: row.subject.clone(),
            text: row.body_text.clone(),
            html: row.body_html.clone(),
            attachments: Vec::new(),
            headers: Vec::new(),
        };
        match sender.send(&message).await {
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
    events::outbox_pending(store.outbox_totals().await?.pending);
    Ok(report)
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
