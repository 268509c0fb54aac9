//! Digest periods: one row per period makes a restart unable to send a digest twice.

use super::batch::now;
use super::outbox::enqueue_messages;
use super::{dispatch, NewOutboxMessage, Store, StoreError};
use crate::domain::UnixTime;

impl Store {
    /// The end of the last scheduled digest that reached its recipients: where the next
    /// scheduled digest starts. Manual sends (`manual-…`) do not move it, and a digest still
    /// waiting in the outbox (or given up on) does not count, so a catch-up after an outage
    /// covers the whole gap in one digest.
    pub async fn digest_covered_until(&self) -> Result<Option<UnixTime>, StoreError> {
        let (at,): (Option<i64>,) = dispatch!(self, pool => sqlx::query_as(
            "SELECT MAX(r.created_at) FROM digest_runs r WHERE r.period_key NOT LIKE 'manual-%' \
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.purpose = 'digest' AND o.created_at = r.created_at AND o.sent_at IS NULL)",
        )
        .fetch_one(pool)
        .await)?;
        Ok(at)
    }

    /// Whether a period has been handled.
    pub async fn digest_run_exists(&self, period_key: &str) -> Result<bool, StoreError> {
        let (n,): (i64,) = dispatch!(self, pool => sqlx::query_as("SELECT COUNT(*) FROM digest_runs WHERE period_key = $1")
            .bind(period_key)
            .fetch_one(pool)
            .await)?;
        Ok(n > 0)
    }

    /// Records a period and enqueues its messages in one transaction; a scheduled period
    /// supersedes digests still waiting in the outbox (it covers their weeks). Returns false (and
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
            if !period_key.starts_with("manual-") {
                // The new digest covers their weeks too: one digest, not a pile, after an outage.
                sqlx::query(
                    "UPDATE outbox SET failed_at = $1, last_error = $2 WHERE purpose = 'digest' AND sent_at IS NULL \
                     AND failed_at IS NULL AND claimed_by IS NULL",
                )
                .bind(now)
                .bind(format!("superseded by the digest for {period_key}, which covers the same weeks"))
                .execute(&mut *tx)
                .await?;
            }
            enqueue_messages!(tx, messages, now);
            tx.commit().await?;
            Ok(true)
        })
    }
}
