//! The quarantine: items that could not be read, kept visible with their reason.

use super::batch::now;
use super::parts::write_parts;
use super::{dispatch, BatchOutcome, KeptRaw, Part, QuarantineRow, Store, StoreError};

impl Store {
    /// Quarantined items not yet released, oldest first.
    pub async fn quarantine_list(&self) -> Result<Vec<QuarantineRow>, StoreError> {
        let rows: Vec<(i64, Option<i64>, String, String, String, i64)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT id, raw_id, source, locator, reason, quarantined_at FROM quarantine \
             WHERE released_at IS NULL ORDER BY id",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, raw_id, source, locator, reason, quarantined_at)| QuarantineRow {
                    id,
                    raw_id,
                    source,
                    locator,
                    reason,
                    quarantined_at,
                },
            )
            .collect())
    }

    /// Unreleased quarantine rows per source.
    pub async fn quarantine_by_source(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(dispatch!(read self, pool => sqlx::query_as(
            "SELECT source, COUNT(*) FROM quarantine WHERE released_at IS NULL GROUP BY source ORDER BY source",
        )
        .fetch_all(pool)
        .await)?)
    }

    /// The raw item behind a quarantine entry, as its source handed it over, for a retry.
    /// `None` when the entry does not exist or was already released.
    pub async fn quarantined_raw(&self, quarantine_id: i64) -> Result<Option<KeptRaw>, StoreError> {
        let row: Option<(i64, i64)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT raw_id, part FROM quarantine WHERE id = $1 AND released_at IS NULL AND raw_id IS NOT NULL",
        )
        .bind(quarantine_id)
        .fetch_optional(pool)
        .await)?;
        match row {
            Some((raw_id, _)) => self.kept_raw(raw_id).await,
            None => Ok(None),
        }
    }

    /// Replaces the quarantine entries of a raw item by what reading it again gave (`parts`)
    /// in one transaction: the entries are released, readable parts become items and parts
    /// still unreadable are quarantined again with their new reason.
    pub async fn retry_quarantined(
        &self,
        raw_id: i64,
        parts: &[Part],
    ) -> Result<BatchOutcome, StoreError> {
        let now = now();
        let pairs: Vec<(i64, &Part)> = parts.iter().map(|p| (raw_id, p)).collect();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE quarantine SET released_at = $1, raw_id = NULL WHERE raw_id = $2 AND released_at IS NULL")
                .bind(now)
                .bind(raw_id)
                .execute(&mut *tx)
                .await?;
            let outcome = write_parts!(&mut tx, &pairs, now);
            tx.commit().await?;
            Ok(outcome)
        })
    }
}
