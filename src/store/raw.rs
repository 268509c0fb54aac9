//! Reading a kept raw item back, for the stages that read it again after ingest (OCR of a
//! letter scan, a quarantine retry), and writing what they made of it.

use super::batch::now;
use super::parts::write_parts;
use super::{dispatch, BatchOutcome, KeptRaw, Part, Store, StoreError};
use crate::domain::{Channel, Direction};

type RawTuple = (
    i64,
    String,
    String,
    String,
    String,
    Option<Vec<u8>>,
    String,
    Option<i64>,
    String,
);

impl Store {
    /// A raw item with its original bytes and what its source said about it.
    pub async fn kept_raw(&self, raw_id: i64) -> Result<Option<KeptRaw>, StoreError> {
        let row: Option<RawTuple> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT id, fingerprint, channel, first_source, first_locator, content, content_encoding, received_at, direction \
             FROM raw_items WHERE id = $1",
        )
        .bind(raw_id)
        .fetch_optional(pool)
        .await)?;
        let Some((
            id,
            fingerprint,
            channel,
            source,
            locator,
            content,
            encoding,
            received_at,
            direction,
        )) = row
        else {
            return Ok(None);
        };
        let bad = |what: &str, value: &str| {
            StoreError::Corrupt(format!("raw item {id} has an unknown {what} {value:?}"))
        };
        Ok(Some(KeptRaw {
            raw_id: id,
            fingerprint,
            channel: channel
                .parse::<Channel>()
                .map_err(|_| bad("channel", &channel))?,
            source,
            locator,
            bytes: match content {
                Some(stored) => Some(super::content::decode(&encoding, stored)?),
                None => None,
            },
            received_at,
            direction: direction
                .parse::<Direction>()
                .map_err(|_| bad("direction", &direction))?,
        }))
    }

    /// Letter scans waiting for OCR, oldest first: (raw id, attempts so far).
    pub async fn ocr_queue(&self, limit: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(dispatch!(read self, pool => sqlx::query_as(
            "SELECT raw_id, CAST(attempts AS BIGINT) FROM ocr_jobs ORDER BY created_at, raw_id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await)?)
    }

    /// How many letter scans are waiting for OCR.
    pub async fn ocr_queue_len(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = dispatch!(read self, pool => sqlx::query_as("SELECT COUNT(*) FROM ocr_jobs")
            .fetch_one(pool)
            .await)?;
        Ok(n)
    }

    /// Records that an OCR attempt on `raw_id` is starting, so a job that keeps crashing the
    /// reader can be given up after a few attempts. Returns the attempts so far, this one
    /// included.
    pub async fn ocr_attempt(&self, raw_id: i64) -> Result<i64, StoreError> {
        let row: Option<(i64,)> = dispatch!(self, pool => sqlx::query_as(
            "UPDATE ocr_jobs SET attempts = attempts + 1 WHERE raw_id = $1 RETURNING CAST(attempts AS BIGINT)",
        )
        .bind(raw_id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map_or(0, |(n,)| n))
    }

    /// Writes what OCR made of a letter scan and removes its job, in one transaction: the
    /// job is done exactly when its item (or its quarantine entry) exists.
    pub async fn complete_ocr(
        &self,
        raw_id: i64,
        parts: &[Part],
    ) -> Result<BatchOutcome, StoreError> {
        let now = now();
        let pairs: Vec<(i64, &Part)> = parts.iter().map(|p| (raw_id, p)).collect();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let outcome = write_parts!(&mut tx, &pairs, now, false);
            sqlx::query("DELETE FROM ocr_jobs WHERE raw_id = $1")
                .bind(raw_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Puts a raw item (a letter scan) back in the OCR queue, for a quarantine retry.
    pub async fn requeue_ocr(&self, raw: &KeptRaw) -> Result<(), StoreError> {
        let now = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE quarantine SET released_at = $1, raw_id = NULL WHERE raw_id = $2 AND released_at IS NULL")
                .bind(now)
                .bind(raw.raw_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO ocr_jobs (raw_id, source, locator, received_at, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (raw_id) DO NOTHING",
            )
            .bind(raw.raw_id)
            .bind(raw.source.as_str())
            .bind(raw.locator.as_str())
            .bind(raw.received_at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }
}
