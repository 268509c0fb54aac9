//! The quarantine: items that could not be read, kept visible with their reason.

use super::batch::now;
use super::batch::write_entries;
use super::{dispatch, BatchOutcome, Entry, QuarantineRow, Store, StoreError};

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

    /// The kept bytes of a quarantined item, for a retry.
    pub async fn quarantined_content(
        &self,
        quarantine_id: i64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<(Option<Vec<u8>>, String)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT r.content, r.content_encoding FROM quarantine q JOIN raw_items r ON r.id = q.raw_id WHERE q.id = $1",
        )
        .bind(quarantine_id)
        .fetch_optional(pool)
        .await)?;
        match row {
            Some((Some(stored), encoding)) => super::content::decode(&encoding, stored).map(Some),
            _ => Ok(None),
        }
    }

    /// Sightings (source, locator) and fingerprint of a quarantined item's raw bytes.
    pub async fn quarantined_sightings(
        &self,
        quarantine_id: i64,
    ) -> Result<(String, Vec<(String, String)>), StoreError> {
        let fp: Option<(String,)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT r.fingerprint FROM quarantine q JOIN raw_items r ON r.id = q.raw_id WHERE q.id = $1",
        )
        .bind(quarantine_id)
        .fetch_optional(pool)
        .await)?;
        let (fingerprint,) = fp.ok_or_else(|| StoreError::NotFound {
            what: "quarantine entry with kept content",
            id: quarantine_id.to_string(),
        })?;
        let sightings: Vec<(String, String)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT s.source, s.locator FROM sightings s JOIN quarantine q ON q.raw_id = s.raw_id WHERE q.id = $1",
        )
        .bind(quarantine_id)
        .fetch_all(pool)
        .await)?;
        Ok((fingerprint, sightings))
    }

    /// Replaces a quarantined raw item by `entries` (the same bytes, now readable, one entry per
    /// place it was seen) and marks the quarantine row released — in one transaction, so the
    /// item is never absent.
    pub async fn release_quarantined(
        &self,
        quarantine_id: i64,
        entries: &[Entry],
    ) -> Result<BatchOutcome, StoreError> {
        let now = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let raw: Option<(Option<i64>,)> = sqlx::query_as("SELECT raw_id FROM quarantine WHERE id = $1 AND released_at IS NULL")
                .bind(quarantine_id)
                .fetch_optional(&mut *tx)
                .await?;
            let raw_id = raw.and_then(|(r,)| r).ok_or_else(|| StoreError::NotFound {
                what: "unreleased quarantine entry",
                id: quarantine_id.to_string(),
            })?;
            sqlx::query("UPDATE quarantine SET released_at = $1, raw_id = NULL WHERE id = $2")
                .bind(now)
                .bind(quarantine_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sightings WHERE raw_id = $1").bind(raw_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM raw_items WHERE id = $1").bind(raw_id).execute(&mut *tx).await?;
            let outcome = write_entries!(tx, entries, None, now);
            tx.commit().await?;
            Ok(outcome)
        })
    }
}
