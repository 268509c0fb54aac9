//! The link stage's store side: items waiting for a customer decision, the identifiers and
//! customers the pure resolver (`pipeline::identity`) decides from, and the decisions it
//! writes — method, confidence, reasons, when — plus the candidates it leaves for review.
//!
//! Identifiers always stay with the customer they were first seen with, even after that
//! customer is merged into another: resolution maps a merged customer to its survivor
//! (`customers.merged_into`), so a merge can be undone exactly and a merged key still
//! resolves.

use super::batch::{now, write_entries, ROWS_PER_STATEMENT};
use super::{dispatch, BatchOutcome, Checkpoint, CustomerRef, Entry, Store, StoreError};
use crate::pipeline::identity::Method;

/// Who the audit log names for a merge the rules made.
pub const RULES: &str = "link stage";

/// SQLite writer page cache during `links recompute`, in KiB.
const RELINK_CACHE_KIB: i64 = 262_144;

/// SQLite writer page cache while the link stage drains a backlog, in KiB.
const BACKLOG_CACHE_KIB: i64 = 65_536;

/// A batch with more parts than this (a call log) is written with the larger page cache.
const LARGE_BATCH_PARTS: usize = 20_000;

/// Items decided per transaction by `links recompute`: the whole history is decided in the
/// order the contacts happened, which is not the order the rows are stored in, so each batch
/// touches pages all over the table; fewer, larger batches touch each page fewer times.
const RELINK_BATCH: i64 = 100_000;

/// Items decided per transaction by the link stage.
pub const LINK_BATCH: i64 = 5_000;

/// What one link pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkPass {
    /// Items given a decision.
    pub decided: usize,
    /// Customers created.
    pub new_customers: usize,
    /// Candidate links left for a person to review.
    pub candidates: usize,
}

impl std::ops::AddAssign for LinkPass {
    fn add_assign(&mut self, o: LinkPass) {
        self.decided += o.decided;
        self.new_customers += o.new_customers;
        self.candidates += o.candidates;
    }
}

/// The link stage over stored items: decides up to `$limit` waiting items, earliest contact
/// first, inside the caller's transaction `$tx` (the stage's own, or an ingest batch's when
/// a backlog was waiting before it), and writes the decisions onto their rows. Evaluates to a
/// [`LinkPass`].
macro_rules! link_waiting {
    ($tx:ident, $limit:expr, $now:expr) => {'link: {
        let now: $crate::domain::UnixTime = $now;
        let limit: i64 = $limit;
        let select =
            "SELECT id, link_input FROM items WHERE linked_at IS NULL AND link_input IS NOT NULL \
                      ORDER BY occurred_at, id LIMIT $1";
            let rows: Vec<(i64, String)> = sqlx::query_as(select)
                .bind(limit)
                .fetch_all(&mut *$tx)
                .await?;
            if rows.is_empty() {
                break 'link $crate::store::LinkPass::default();
            }
            let mut item_ids = Vec::with_capacity(rows.len());
            let mut inputs = Vec::with_capacity(rows.len());
            for (id, json) in rows {
                let input: CustomerRef = serde_json::from_str(&json).map_err(|e| {
                    StoreError::Corrupt(format!("item {id}: link input {json:?}: {e}"))
                })?;
                item_ids.push(id);
                inputs.push(input);
            }
            let refs: Vec<&CustomerRef> = inputs.iter().collect();
            let conn = &mut *$tx;

            let decided = $crate::store::decide::link_decide!(conn, &refs, now);
            // Written in row order: neighbouring rows share pages.
            let mut updates: Vec<(i64, &(Option<i64>, Method, String))> =
                item_ids.iter().copied().zip(&decided.links).collect();
            updates.sort_unstable_by_key(|(id, _)| *id);
            for chunk in updates.chunks(ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new(
                    "WITH v(id, customer_id, method, confidence, reasons) AS (",
                );
                qb.push_values(chunk, |mut b, (item, (customer, method, reasons))| {
                    b.push_bind(*item)
                        .push_bind(*customer)
                        .push_bind(method.as_str())
                        .push_bind(method.confidence())
                        .push_bind(reasons.as_str());
                });
                qb.push(
                    ") UPDATE items SET customer_id = v.customer_id, link_method = v.method, \
                     link_confidence = v.confidence, link_reasons = v.reasons, linked_at = ",
                );
                qb.push_bind(now);
                qb.push(" FROM v WHERE items.id = v.id");
                qb.build().execute(&mut *conn).await?;
            }
            let reviews: Vec<(i64, i64, f64, &str)> = decided
                .reviews
                .iter()
                .map(|(i, candidate, score, reasons)| (item_ids[*i], *candidate, *score, reasons.as_str()))
                .collect();
            $crate::store::decide::insert_reviews!(conn, &reviews, now);
            $crate::store::LinkPass {
                decided: updates.len(),
                new_customers: decided.new_customers,
                candidates: reviews.len(),
            }
    }};
}

impl Store {
    /// Decides up to `limit` waiting items in one transaction, earliest contact first, so
    /// that an imported year links as the year lived through would have.
    pub async fn link_pending(&self, limit: i64) -> Result<LinkPass, StoreError> {
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let pass = link_waiting!(tx, limit, now());
            tx.commit().await?;
            Ok(pass)
        })
    }

    /// Stores a batch (`write_entries!`) with the link stage deciding in the same
    /// transaction: when nothing stored is waiting, the new items are decided before they are
    /// written, so each row is written once with its decision; when a backlog waits (an
    /// earlier failure, items from a later stage), the stage decides the earliest waiting
    /// items instead, as it would have next.
    pub(super) async fn write_linked(
        &self,
        entries: &[Entry],
        checkpoint: Option<&Checkpoint>,
    ) -> Result<BatchOutcome, StoreError> {
        let now = now();
        let parts: usize = entries.iter().map(Entry::parts).sum();
        let large = parts > LARGE_BATCH_PARTS;
        if large {
            self.writer_cache_kib(RELINK_CACHE_KIB).await?;
        }
        let outcome = self.write_linked_once(entries, checkpoint, now).await;
        if large {
            self.writer_cache_kib(super::SQLITE_CACHE_KIB).await?;
        }
        outcome
    }

    async fn write_linked_once(
        &self,
        entries: &[Entry],
        checkpoint: Option<&Checkpoint>,
        now: crate::domain::UnixTime,
    ) -> Result<BatchOutcome, StoreError> {
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut outcome = write_entries!(tx, entries, checkpoint, now, true);
            if outcome.stored > 0 && outcome.linked.decided == 0 {
                outcome.linked = link_waiting!(tx, LINK_BATCH, now);
            }
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Runs the link stage until no item is waiting. A backlog (a backfill) drains with a
    /// larger writer page cache, back to the ingest setting after.
    pub async fn link_all(&self) -> Result<LinkPass, StoreError> {
        let first = self.link_pending(LINK_BATCH).await?;
        if (first.decided as i64) < LINK_BATCH {
            return Ok(first);
        }
        self.writer_cache_kib(BACKLOG_CACHE_KIB).await?;
        let rest = self.drain(LINK_BATCH).await;
        self.writer_cache_kib(super::SQLITE_CACHE_KIB).await?;
        let mut total = first;
        total += rest?;
        Ok(total)
    }

    /// Decides waiting items, batch after batch, until none is left.
    async fn drain(&self, batch: i64) -> Result<LinkPass, StoreError> {
        let mut total = LinkPass::default();
        loop {
            let pass = self.link_pending(batch).await?;
            if pass.decided == 0 {
                return Ok(total);
            }
            total += pass;
        }
    }

    /// Items waiting for the link stage.
    pub async fn links_pending(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = dispatch!(read self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM items WHERE linked_at IS NULL AND link_input IS NOT NULL",
        )
        .fetch_one(pool)
        .await)?;
        Ok(n)
    }

    /// Forgets every rule's decision and every identifier the rules attached, keeps people's
    /// decisions (pinned items, identifiers a person moved), and decides every other item
    /// again in the order the contacts happened. Open review candidates are proposed afresh;
    /// accepted and rejected ones stay as they were decided.
    pub async fn relink_everything(&self) -> Result<LinkPass, StoreError> {
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM link_reviews WHERE state = 'open'")
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM identifiers WHERE decided_by IS NULL")
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE items SET customer_id = NULL, link_method = NULL, link_confidence = NULL, \
                 link_reasons = NULL, linked_at = NULL WHERE linked_by IS NULL AND link_input IS NOT NULL",
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        // Deciding the whole history rewrites rows all over the table: a larger page cache on
        // the one writer connection for this command only (measured: 5.7 s → 4.0 s for 66,000
        // items), back to the ingest setting after.
        self.writer_cache_kib(RELINK_CACHE_KIB).await?;
        let pass = self.drain(RELINK_BATCH).await;
        self.writer_cache_kib(super::SQLITE_CACHE_KIB).await?;
        pass
    }

    /// Sets the SQLite writer connection's page cache (nothing on PostgreSQL).
    async fn writer_cache_kib(&self, kib: i64) -> Result<(), StoreError> {
        if let super::Backend::Sqlite { write, .. } = &self.backend {
            sqlx::query(&format!("PRAGMA cache_size = -{kib}"))
                .execute(write)
                .await?;
        }
        Ok(())
    }
}
