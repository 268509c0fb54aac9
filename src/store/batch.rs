//! The ingest write path: one transaction per batch stores raw items (de-duplicated by
//! fingerprint), sightings, customers and identifiers, staff, items, quarantine rows and the
//! source checkpoint. Multi-row statements keep the per-statement cost off the hot path.

use super::{dispatch, BatchOutcome, Checkpoint, Entry, Store, StoreError};
use crate::domain::UnixTime;

/// Rows per multi-row statement: stays far below SQLite's 32,766 bound parameters.
pub(crate) const ROWS_PER_STATEMENT: usize = 1000;

/// Seconds since the epoch, now.
pub(crate) fn now() -> UnixTime {
    chrono::Utc::now().timestamp()
}

/// The body of a batch write, compiled once per backend. Runs inside the caller's transaction
/// `$tx` and evaluates to a [`BatchOutcome`]; `$decide` as for `write_parts!`.
macro_rules! write_entries {
    ($tx:ident, $entries:expr, $checkpoint:expr, $now:expr, $decide:expr) => {{
        let entries: &[$crate::store::Entry] = $entries;
        let checkpoint: Option<&$crate::store::Checkpoint> = $checkpoint;
        let now: $crate::domain::UnixTime = $now;
        let tx = &mut $tx;
        let mut seen = std::collections::HashSet::new();
        let firsts: Vec<&$crate::store::Entry> = entries
            .iter()
            .filter(|e| seen.insert(e.fingerprint.as_str()))
            .collect();
            // 1. Raw items; RETURNING tells which fingerprints are new.
            let new_raw: std::collections::HashMap<String, i64> =
                $crate::store::bulk::BulkInsert::insert_raw(&mut **tx, &firsts, now)
                    .await?
                    .into_iter()
                    .map(|(id, fp)| (fp, id))
                    .collect();

            // 2. Ids of the fingerprints that were already stored.
            let mut raw_ids = new_raw.clone();
            let known: Vec<&str> = firsts
                .iter()
                .map(|e| e.fingerprint.as_str())
                .filter(|fp| !new_raw.contains_key(*fp))
                .collect();
            for chunk in known.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new("SELECT id, fingerprint FROM raw_items WHERE fingerprint IN (");
                let mut list = qb.separated(", ");
                for fp in chunk {
                    list.push_bind(*fp);
                }
                qb.push(")");
                let rows: Vec<(i64, String)> = qb.build_query_as().fetch_all(&mut **tx).await?;
                raw_ids.extend(rows.into_iter().map(|(id, fp)| (fp, id)));
            }

            // 3. Every place each item was seen.
            let sightings: Vec<(&str, &str, i64)> = entries
                .iter()
                .filter_map(|e| raw_ids.get(&e.fingerprint).map(|id| (e.source.as_str(), e.locator.as_str(), *id)))
                .collect();
            $crate::store::bulk::BulkInsert::insert_sightings(&mut **tx, &sightings, now).await?;

            // 4. What the new raw items became: parts to write, and letters queued for OCR.
            let fresh: Vec<(&$crate::store::Entry, i64)> = firsts
                .iter()
                .filter_map(|e| new_raw.get(&e.fingerprint).map(|id| (*e, *id)))
                .collect();
            let parts: Vec<(i64, &$crate::store::Part)> = fresh
                .iter()
                .flat_map(|(e, id)| match &e.outcome {
                    $crate::store::EntryOutcome::Parts(parts) => parts.iter().map(|p| (*id, p)).collect::<Vec<_>>(),
                    $crate::store::EntryOutcome::Pending => Vec::new(),
                })
                .collect();
            let pending: Vec<(&$crate::store::Entry, i64)> = fresh
                .iter()
                .filter(|(e, _)| matches!(e.outcome, $crate::store::EntryOutcome::Pending))
                .copied()
                .collect();
            let mut outcome = $crate::store::parts::write_parts!(tx, &parts, now, $decide);
            for chunk in pending.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO ocr_jobs (raw_id, source, locator, received_at, created_at) ");
                qb.push_values(chunk, |mut b, (e, id)| {
                    b.push_bind(*id).push_bind(e.source.as_str()).push_bind(e.locator.as_str()).push_bind(e.received_at).push_bind(now);
                });
                qb.push(" ON CONFLICT (raw_id) DO NOTHING");
                qb.build().execute(&mut **tx).await?;
            }
            outcome.pending += pending.len();
            // A complete message replaces the headers-only copy quarantined for its size.
            for (e, _) in &fresh {
                if let Some(fp) = &e.supersedes {
                    sqlx::query(
                        "UPDATE quarantine SET released_at = $1 WHERE released_at IS NULL AND dismissed_at IS NULL \
                         AND raw_id = (SELECT id FROM raw_items WHERE fingerprint = $2)",
                    )
                    .bind(now)
                    .bind(fp.as_str())
                    .execute(&mut **tx)
                    .await?;
                }
            }
            outcome.duplicates += entries.len() - fresh.len();

            // 5. The checkpoint moves only with the items it covers.
            if let Some(cp) = checkpoint {
                sqlx::query(
                    "INSERT INTO checkpoints (source, cursor, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
                )
                .bind(cp.source.as_str())
                .bind(cp.cursor.as_str())
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }
            outcome
    }};
}

pub(crate) use write_entries;

impl Store {
    /// Stores a batch in one transaction and advances `checkpoint` with it, so a source never
    /// moves past an item that is not stored. Idempotent: a fingerprint already stored becomes a
    /// sighting, never a second item. The link stage decides the new items' customers in the
    /// same transaction (`Store::write_linked`); should that fail, the batch is stored without
    /// the decisions and the link stage decides them after, so linking never holds up ingest.
    pub async fn write_batch(
        &self,
        entries: &[Entry],
        checkpoint: Option<&Checkpoint>,
    ) -> Result<BatchOutcome, StoreError> {
        match self.write_linked(entries, checkpoint).await {
            Ok(outcome) => Ok(outcome),
            Err(e) => {
                tracing::warn!(
                    "Deciding a batch's customers while storing it failed: {e}; storing the \
                     batch alone, the link stage decides it next."
                );
                dispatch!(self, pool => {
                    let mut tx = pool.begin().await?;
                    let outcome = write_entries!(tx, entries, checkpoint, now(), false);
                    tx.commit().await?;
                    Ok(outcome)
                })
            }
        }
    }
}
