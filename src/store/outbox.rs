//! The transactional outbox: messages are written here first and delivered by a worker with
//! retries, each keeping its stable Message-ID across attempts.
//!
//! Recipients are rows (`outbox_recipients`); a message may carry extra headers, a raw item
//! attached whole and the item it concerns. A worker *claims* due messages (an owner and a
//! lease expiry, set by one atomic `UPDATE … RETURNING`, with `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL), so several daemons on one database never send one message at the same time;
//! a claim whose daemon died expires and the message is taken up again.

use super::batch::now;
use super::{dispatch, Backend, NewOutboxMessage, OutboxExtras, OutboxRow, Store, StoreError};
use crate::domain::UnixTime;

type ClaimTuple = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    String,
    Option<i64>,
    Option<i64>,
);

type ListTuple = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// Outbox totals for status and metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxTotals {
    /// Waiting for a (re)try.
    pub pending: i64,
    /// Delivered.
    pub sent: i64,
    /// Given up on (permanent error or too many attempts): the dead letters.
    pub failed: i64,
}

/// Where an outbox message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutboxState {
    /// Waiting for its first or next attempt.
    Pending,
    /// Accepted by the SMTP server.
    Sent,
    /// Given up on; `tidings outbox retry` puts it back.
    Dead,
}

impl OutboxState {
    /// The name shown by `tidings outbox list`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Dead => "dead",
        }
    }
}

/// One outbox message as `tidings outbox list` shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OutboxListing {
    /// Row id (for `tidings outbox retry`).
    pub id: i64,
    /// Stable Message-ID.
    pub message_id: String,
    /// What it is for.
    pub purpose: String,
    /// Recipients, comma-separated.
    pub recipients: String,
    /// Subject.
    pub subject: String,
    /// Attempts so far.
    pub attempts: i64,
    /// When it was enqueued.
    pub created_at: UnixTime,
    /// When the next attempt is due (pending messages).
    pub next_attempt_at: UnixTime,
    /// When it was delivered.
    pub sent_at: Option<UnixTime>,
    /// When it was given up on.
    pub failed_at: Option<UnixTime>,
    /// The last error, if any.
    pub last_error: Option<String>,
    /// Pending, sent or dead.
    pub state: OutboxState,
}

impl Store {
    /// Claims up to `limit` messages due at `at` for `owner` until `at + lease_secs`, oldest
    /// first. A message another owner holds under an unexpired claim is never returned, on
    /// either backend, so two daemons never attempt one message at once.
    pub async fn outbox_claim(
        &self,
        owner: &str,
        at: UnixTime,
        lease_secs: i64,
        limit: i64,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        const RETURNING: &str = " RETURNING id, message_id, purpose, subject, body_text, body_html, attempts, headers, attach_raw_id, concerns_item_id";
        const DUE: &str = "sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $3 \
                           AND (claim_expires_at IS NULL OR claim_expires_at <= $3)";
        let lock = match self.backend {
            Backend::Sqlite { .. } => "",
            Backend::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        };
        // The outer condition repeats the inner one: on PostgreSQL a row updated by another
        // claim meanwhile is re-checked against it and skipped.
        let sql = format!(
            "UPDATE outbox SET claimed_by = $1, claim_expires_at = $2 WHERE id IN \
             (SELECT id FROM outbox WHERE {DUE} ORDER BY id LIMIT $4{lock}) AND {DUE}{RETURNING}"
        );
        let mut rows: Vec<ClaimTuple> = dispatch!(self, pool => sqlx::query_as(&sql)
            .bind(owner)
            .bind(at + lease_secs)
            .bind(at)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        rows.sort_by_key(|r| r.0);
        let mut claimed = Vec::with_capacity(rows.len());
        for (
            id,
            message_id,
            purpose,
            subject,
            body_text,
            body_html,
            attempts,
            headers,
            attach_raw_id,
            concerns_item_id,
        ) in rows
        {
            let headers: Vec<(String, String)> = serde_json::from_str(&headers).map_err(|e| {
                StoreError::Corrupt(format!("outbox message {id} has unreadable headers: {e}"))
            })?;
            claimed.push(OutboxRow {
                id,
                message_id,
                purpose,
                recipients: self.outbox_recipients(id).await?,
                subject,
                body_text,
                body_html,
                attempts,
                headers,
                attach_raw_id,
                concerns_item_id,
            });
        }
        Ok(claimed)
    }

    async fn outbox_recipients(&self, id: i64) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = dispatch!(self, pool => sqlx::query_as(
            "SELECT address FROM outbox_recipients WHERE outbox_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|(a,)| a).collect())
    }

    /// Records a successful delivery and releases the claim.
    pub async fn outbox_sent(&self, id: i64) -> Result<(), StoreError> {
        dispatch!(self, pool => sqlx::query(
            "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL, \
             claimed_by = NULL, claim_expires_at = NULL WHERE id = $2",
        )
        .bind(now())
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Records a failed attempt and releases the claim: retried at `retry_at`, or given up
    /// (a dead letter) when `retry_at` is None.
    pub async fn outbox_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<UnixTime>,
    ) -> Result<(), StoreError> {
        let now = now();
        dispatch!(self, pool => sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = COALESCE($2, next_attempt_at), \
             failed_at = CASE WHEN $2 IS NULL THEN $3 ELSE NULL END, claimed_by = NULL, claim_expires_at = NULL WHERE id = $4",
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

    /// Puts dead letters back in the queue, due now with their attempts reset: the one with
    /// `id`, or every dead letter when `id` is None (superseded digests are left alone). Returns how many were put back.
    pub async fn outbox_retry(&self, id: Option<i64>) -> Result<u64, StoreError> {
        let now = now();
        let done = dispatch!(self, pool => sqlx::query(
            "UPDATE outbox SET failed_at = NULL, attempts = 0, next_attempt_at = $1, \
             claimed_by = NULL, claim_expires_at = NULL \
             WHERE failed_at IS NOT NULL AND sent_at IS NULL \
             AND ($2 IS NULL OR id = $2) AND ($2 IS NOT NULL OR COALESCE(last_error, '') NOT LIKE 'superseded by%')",
        )
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done)
    }

    /// Outbox messages, newest first: all, or only those in `state`.
    pub async fn outbox_list(
        &self,
        state: Option<OutboxState>,
        limit: i64,
    ) -> Result<Vec<OutboxListing>, StoreError> {
        let filter = match state {
            None => "",
            Some(OutboxState::Pending) => "WHERE sent_at IS NULL AND failed_at IS NULL",
            Some(OutboxState::Sent) => "WHERE sent_at IS NOT NULL",
            Some(OutboxState::Dead) => "WHERE failed_at IS NOT NULL AND sent_at IS NULL",
        };
        let sql = format!(
            "SELECT id, message_id, purpose, recipients, subject, attempts, created_at, next_attempt_at, \
             sent_at, failed_at, last_error FROM outbox {filter} ORDER BY id DESC LIMIT $1"
        );
        let rows: Vec<ListTuple> = dispatch!(read self, pool => sqlx::query_as(&sql)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    id,
                    message_id,
                    purpose,
                    recipients,
                    subject,
                    attempts,
                    created_at,
                    next_attempt_at,
                    sent_at,
                    failed_at,
                    last_error,
                )| OutboxListing {
                    id,
                    message_id,
                    purpose,
                    recipients,
                    subject,
                    attempts,
                    created_at,
                    next_attempt_at,
                    state: match (sent_at, failed_at) {
                        (Some(_), _) => OutboxState::Sent,
                        (None, Some(_)) => OutboxState::Dead,
                        (None, None) => OutboxState::Pending,
                    },
                    sent_at,
                    failed_at,
                    last_error,
                },
            )
            .collect())
    }

    /// Dead letters: messages given up on, except digests superseded by a later digest.
    pub async fn dead_letters(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = dispatch!(read self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL AND sent_at IS NULL \
             AND COALESCE(last_error, '') NOT LIKE 'superseded by%'",
        )
        .fetch_one(pool)
        .await)?;
        Ok(n)
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

/// Inserts one outbox message with its recipient rows inside an open transaction; a
/// Message-ID already present is skipped. Evaluates to whether it was inserted.
macro_rules! enqueue_message {
    ($tx:ident, $message:expr, $extras:expr, $now:expr) => {{
        let m: &$crate::store::NewOutboxMessage = $message;
        let extras: &$crate::store::OutboxExtras = $extras;
        let headers = serde_json::to_string(&extras.headers).unwrap_or_else(|_| "[]".to_owned());
        let recipients: Vec<&str> = m
            .recipients
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .collect();
        let inserted: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO outbox (message_id, purpose, recipients, subject, body_text, body_html, created_at, next_attempt_at, \
             headers, attach_raw_id, concerns_item_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10) ON CONFLICT (message_id) DO NOTHING RETURNING id",
        )
        .bind(m.message_id.as_str())
        .bind(m.purpose.as_str())
        .bind(recipients.join(", "))
        .bind(m.subject.as_str())
        .bind(m.body_text.as_str())
        .bind(m.body_html.as_deref())
        .bind($now)
        .bind(headers)
        .bind(extras.attach_raw_id)
        .bind(extras.concerns_item_id)
        .fetch_optional(&mut *$tx)
        .await?;
        if let Some((id,)) = inserted {
            for (position, address) in recipients.iter().enumerate() {
                sqlx::query("INSERT INTO outbox_recipients (outbox_id, position, address) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(i64::try_from(position).unwrap_or(i64::MAX))
                    .bind(*address)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
        inserted.is_some()
    }};
}
pub(super) use enqueue_message;

/// Inserts plain outbox messages inside an open transaction; a Message-ID already present is
/// skipped.
macro_rules! enqueue_messages {
    ($tx:ident, $messages:expr, $now:expr) => {{
        let plain = $crate::store::OutboxExtras::default();
        for m in $messages {
            let _inserted: bool = $crate::store::outbox::enqueue_message!($tx, m, &plain, $now);
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

    /// Puts messages with extras (headers, an attached raw item, the item concerned) in the
    /// outbox in one transaction. Returns how many were new (a known Message-ID is skipped).
    pub async fn enqueue_with(
        &self,
        messages: &[(NewOutboxMessage, OutboxExtras)],
    ) -> Result<usize, StoreError> {
        let now = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut added = 0;
            for (m, extras) in messages {
                if enqueue_message!(tx, m, extras, now) {
                    added += 1;
                }
            }
            tx.commit().await?;
            Ok::<usize, StoreError>(added)
        })
    }
}
