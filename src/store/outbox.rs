//! The transactional outbox: messages are written here first and delivered by a worker with
//! retries, each keeping its stable Message-ID across attempts.

use super::batch::now;
use super::{dispatch, NewOutboxMessage, OutboxRow, Store, StoreError};
use crate::domain::UnixTime;

type OutboxTuple = (i64, String, String, String, String, Option<String>, i64);

/// Outbox totals for status and metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxTotals {
    /// Waiting for a (re)try.
    pub pending: i64,
    /// Delivered.
    pub sent: i64,
    /// Given up on (permanent error or too many attempts).
    pub failed: i64,
}

impl Store {
    /// Messages due for an attempt at `at`, oldest first.
    pub async fn outbox_due(&self, at: UnixTime, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
        let rows: Vec<OutboxTuple> = dispatch!(self, pool => sqlx::query_as(
            "SELECT id, message_id, recipients, subject, body_text, body_html, attempts FROM outbox \
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT $2",
        )
        .bind(at)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, message_id, recipients, subject, body_text, body_html, attempts)| OutboxRow {
                    id,
                    message_id,
                    recipients,
                    subject,
                    body_text,
                    body_html,
                    attempts,
                },
            )
            .collect())
    }

    /// Records a successful delivery.
    pub async fn outbox_sent(&self, id: i64) -> Result<(), StoreError> {
        dispatch!(self, pool => sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
            .bind(now())
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Records a failed attempt: retried at `retry_at`, or given up when `retry_at` is None.
    pub async fn outbox_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<UnixTime>,
    ) -> Result<(), StoreError> {
        let now = now();
        dispatch!(self, pool => sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = COALESCE($2, next_attempt_at), \
             failed_at = CASE WHEN $2 IS NULL THEN $3 ELSE NULL END WHERE id = $4",
        )
        .bind(error)
        .bind(retry_at)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Pending, sent and failed counts.
    pub async fn outbox_totals(&self) -> Result<OutboxTotals, StoreError> {
        let (pending, sent, failed): (i64, i64, i64) = dispatch!(read self, pool => sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) FROM outbox",
        )
        .fetch_one(pool)
        .await)?;
        Ok(OutboxTotals {
            pending,
            sent,
            failed,
        })
    }
}

/// Inserts outbox messages inside an open transaction; a Message-ID already present is skipped.
macro_rules! enqueue_messages {
    ($tx:ident, $messages:expr, $now:expr) => {{
        for m in $messages {
            sqlx::query(
                "INSERT INTO outbox (message_id, purpose, recipients, subject, body_text, body_html, created_at, next_attempt_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (message_id) DO NOTHING",
            )
            .bind(m.message_id.as_str())
            .bind(m.purpose.as_str())
            .bind(m.recipients.as_str())
            .bind(m.subject.as_str())
            .bind(m.body_text.as_str())
            .bind(m.body_html.as_deref())
            .bind($now)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(super) use enqueue_messages;

impl Store {
    /// Puts messages in the outbox (outside any digest period bookkeeping).
    pub async fn enqueue(&self, messages: &[NewOutboxMessage]) -> Result<(), StoreError> {
        let now = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            enqueue_messages!(tx, messages, now);
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }
}
