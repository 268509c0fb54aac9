//! Digest periods: one row per period makes a restart unable to send a digest twice.

use super::batch::now;
use super::outbox::enqueue_messages;
use super::{dispatch, NewOutboxMessage, Store, StoreError};
use crate::domain::UnixTime;

/// A digest period already handled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestRun {
    /// The period's key (the scheduled time, RFC 3339, or `manual-…`).
    pub period_key: String,
    /// Start of the period covered.
    pub period_start: UnixTime,
    /// End of the period covered.
    pub period_end: UnixTime,
    /// When the digest was generated.
    pub created_at: UnixTime,
}

impl Store {
    /// The most recent digest run, if any.
    pub async fn last_digest_run(&self) -> Result<Option<DigestRun>, StoreError> {
        let row: Option<(String, i64, i64, i64)> = dispatch!(self, pool => sqlx::query_as(
            "SELECT period_key, period_start, period_end, created_at FROM digest_runs ORDER BY created_at DESC, period_end DESC LIMIT 1",
        )
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(
            |(period_key, period_start, period_end, created_at)| DigestRun {
                period_key,
                period_start,
                period_end,
                created_at,
            },
        ))
    }

    /// Whether a period has been handled.
    pub async fn digest_run_exists(&self, period_key: &str) -> Result<bool, StoreError> {
        let (n,): (i64,) = dispatch!(self, pool => sqlx::query_as("SELECT COUNT(*) FROM digest_runs WHERE period_key = $1")
            .bind(period_key)
            .fetch_one(pool)
            .await)?;
        Ok(n > 0)
    }

    /// Records a period and enqueues its messages in one transaction. Returns false (and
    /// enqueues nothing) when the period was already recorded, by this or another daemon.
    pub async fn record_digest_run(
        &self,
        period_key: &str,
        period_start: UnixTime,
        period_end: UnixTime,
        messages: &[NewOutboxMessage],
    ) -> Result<bool, StoreError> {
        let now = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO digest_runs (period_key, period_start, period_end, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (period_key) DO NOTHING",
            )
            .bind(period_key)
            .bind(period_start)
            .bind(period_end)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            enqueue_messages!(tx, messages, now);
            tx.commit().await?;
            Ok(true)
        })
    }
}
