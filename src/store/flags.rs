//! Advisory flags: raised by the rules (pattern flags over windows, item flags from the
//! signal scan), reviewed by people, deleted when they expire; the context cues and topic
//! marks the signal stage derives; and the cursors of the two incremental flag stages.
//! The rules are pure (`crate::flags`); this file only reads and writes what they decide.

use super::batch::{now, ROWS_PER_STATEMENT};
use super::{dispatch, FlagRow, Store, StoreError};
use crate::domain::UnixTime;

const FLAG_COLUMNS: &str = "f.id, f.kind, f.customer_id, c.customer_key, c.display_name, f.state, \
     f.window_start, f.window_end, f.figures, f.threshold, f.created_at, f.expires_at, \
     f.item_id, i.item_ref, f.sentence, f.reviewed_by, f.reviewed_at, f.state_note";

const FLAG_FROM: &str =
    "FROM flags f JOIN customers c ON c.id = f.customer_id LEFT JOIN items i ON i.id = f.item_id";

/// A flag row as selected by [`FLAG_COLUMNS`] (more columns than sqlx's tuples hold).
#[derive(sqlx::FromRow)]
struct FlagRecord {
    id: i64,
    kind: String,
    customer_id: i64,
    customer_key: String,
    display_name: Option<String>,
    state: String,
    window_start: i64,
    window_end: i64,
    figures: String,
    threshold: String,
    created_at: i64,
    expires_at: i64,
    item_id: Option<i64>,
    item_ref: Option<String>,
    sentence: Option<String>,
    reviewed_by: Option<String>,
    reviewed_at: Option<i64>,
    state_note: Option<String>,
}

fn to_row(r: FlagRecord) -> FlagRow {
    FlagRow {
        id: r.id,
        kind: r.kind,
        customer_id: r.customer_id,
        customer_key: r.customer_key,
        customer_name: r.display_name,
        state: r.state,
        window_start: r.window_start,
        window_end: r.window_end,
        figures: r.figures,
        threshold: r.threshold,
        created_at: r.created_at,
        expires_at: r.expires_at,
        item_id: r.item_id,
        item_ref: r.item_ref,
        sentence: r.sentence,
        reviewed_by: r.reviewed_by,
        reviewed_at: r.reviewed_at,
        note: r.state_note,
    }
}

/// A pattern flag to write: raise new, or refresh open flag `refresh`.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternWrite {
    /// `Some(id)` refreshes that open flag; `None` raises a new one.
    pub refresh: Option<i64>,
    /// Internal customer id.
    pub customer_id: i64,
    /// Kind.
    pub kind: String,
    /// Window start.
    pub window_start: UnixTime,
    /// Window end.
    pub window_end: UnixTime,
    /// Figures.
    pub figures: serde_json::Value,
    /// Threshold.
    pub threshold: serde_json::Value,
    /// Exactly the items the figures count.
    pub evidence: Vec<i64>,
}

/// What a batch of pattern writes did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PatternOutcome {
    /// New flags.
    pub raised: usize,
    /// Open flags given a stronger window.
    pub refreshed: usize,
}

/// One item the signal stage reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanRow {
    /// Item id.
    pub item_id: i64,
    /// Its raw item (emails' text is in the raw bytes).
    pub raw_id: i64,
    /// Reference.
    pub item_ref: String,
    /// Channel name.
    pub channel: String,
    /// Direction.
    pub direction: String,
    /// Machine-generated.
    pub automated: bool,
    /// Internal customer id.
    pub customer_id: Option<i64>,
    /// Customer key.
    pub customer_key: Option<String>,
    /// When.
    pub occurred_at: UnixTime,
    /// Kept text (letters, notes).
    pub body: Option<String>,
    /// Subject.
    pub subject: Option<String>,
}

/// An item flag to raise.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemFlagWrite {
    /// Kind.
    pub kind: String,
    /// Matched sentence.
    pub sentence: String,
    /// Figures.
    pub figures: serde_json::Value,
    /// Threshold.
    pub threshold: serde_json::Value,
}

/// What the signal stage found in one item.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScanWrite {
    /// Item id.
    pub item_id: i64,
    /// Internal customer id (item flags need one).
    pub customer_id: Option<i64>,
    /// When the item happened.
    pub occurred_at: UnixTime,
    /// Item flags.
    pub flags: Vec<ItemFlagWrite>,
    /// Context cues: (kind, sentence, cue).
    pub context: Vec<(String, String, String)>,
    /// Thread root.
    pub thread_root: Option<String>,
    /// MinHash band keys.
    pub bands: Option<String>,
}

impl ScanWrite {
    /// True when the item gave nothing to record (a call, a text with no marks): the batch
    /// only moves the cursor.
    pub fn records_nothing(&self) -> bool {
        self.flags.is_empty()
            && self.context.is_empty()
            && self.thread_root.is_none()
            && self.bands.is_none()
    }
}

/// A context cue as listed beside flags and exported.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ContextRow {
    /// The item's reference.
    pub item_ref: String,
    /// Customer key.
    pub customer_key: String,
    /// `support-consideration` or `communication-needs`.
    pub kind: String,
    /// The sentence it was found in.
    pub sentence: String,
    /// When the item happened.
    pub occurred_at: UnixTime,
}

/// The two incremental flag stages.
pub const SIGNAL_STAGE: &str = "signals";
/// The pattern stage.
pub const PATTERN_STAGE: &str = "patterns";

/// SQL for the highest item id the flag stages may read (NULL for an empty log): the item
/// before the first one still waiting for the link stage, else the newest.
pub(super) const READABLE_UPTO: &str =
    "COALESCE((SELECT MIN(+id) - 1 FROM items WHERE linked_at IS NULL AND link_input IS NOT NULL), \
              (SELECT MAX(id) FROM items))";

macro_rules! set_cursor {
    ($tx:ident, $stage:expr, $item_id:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO stage_cursors (stage, item_id, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (stage) DO UPDATE SET item_id = excluded.item_id, updated_at = excluded.updated_at",
        )
        .bind($stage)
        .bind($item_id)
        .bind($now)
        .execute(&mut *$tx)
        .await?
    };
}

macro_rules! insert_evidence {
    ($tx:ident, $flag:expr, $items:expr) => {
        for chunk in $items.chunks(ROWS_PER_STATEMENT) {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO flag_evidence (flag_id, item_id) ");
            qb.push_values(chunk, |mut b, item| {
                b.push_bind($flag).push_bind(*item);
            });
            qb.push(" ON CONFLICT DO NOTHING");
            qb.build().execute(&mut *$tx).await?;
        }
    };
}

impl Store {
    /// How far `stage` has read, by item id (0 before its first pass).
    pub async fn stage_cursor(&self, stage: &str) -> Result<i64, StoreError> {
        let row: Option<(i64,)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT item_id FROM stage_cursors WHERE stage = $1",
        )
        .bind(stage)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map_or(0, |r| r.0))
    }

    /// Moves `stage` back to the start: its next pass reads every item again.
    pub async fn reset_stage_cursor(&self, stage: &str) -> Result<(), StoreError> {
        let now = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            set_cursor!(tx, stage, 0_i64, now);
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Gives every item flag the customer its item belongs to now (after a merge, split or
    /// relink). Returns the flags moved.
    pub async fn realign_item_flags(&self) -> Result<u64, StoreError> {
        let moved = dispatch!(self, pool => sqlx::query(
            "UPDATE flags SET customer_id = (SELECT i.customer_id FROM items i WHERE i.id = flags.item_id) \
             WHERE item_id IS NOT NULL AND EXISTS (SELECT 1 FROM items i WHERE i.id = flags.item_id \
                   AND i.customer_id IS NOT NULL AND i.customer_id <> flags.customer_id)",
        )
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(moved)
    }

    /// The highest item id the flag stages may read (0 for an empty log): every item up to
    /// it has its customer decided, so no item is read before the link stage has linked it.
    /// (`+id` keeps SQLite from walking the whole table in id order looking for a waiting
    /// item, when there is none, instead of reading the small index of waiting items.)
    pub async fn max_item_id(&self) -> Result<i64, StoreError> {
        let (n,): (Option<i64>,) = dispatch!(read self, pool => sqlx::query_as(
            &format!("SELECT {READABLE_UPTO}"),
        )
        .fetch_one(pool)
        .await)?;
        Ok(n.unwrap_or(0))
    }

    /// Raises and refreshes pattern flags and moves the pattern cursor to `cursor` (and the
    /// signal cursor to `signals`, when the signal stage had nothing else to write), in one
    /// transaction. A raise that meets an open flag of the same customer, kind and window
    /// (another daemon got there first) is skipped by the database's unique index. Returns
    /// what was written; each new flag is logged.
    pub async fn write_pattern_flags(
        &self,
        writes: &[PatternWrite],
        (cursor, signals): (i64, Option<i64>),
        expires_at: UnixTime,
    ) -> Result<PatternOutcome, StoreError> {
        let now = now();
        let mut outcome = PatternOutcome::default();
        let mut raised: Vec<(i64, &PatternWrite)> = Vec::new();
        if writes.is_empty() {
            // Nothing raised or refreshed: only the cursors move, in one statement.
            dispatch!(self, pool => {
                let mut conn = pool.acquire().await?;
                match signals {
                    Some(signals) => {
                        sqlx::query(
                            "INSERT INTO stage_cursors (stage, item_id, updated_at) VALUES ($1, $2, $5), ($3, $4, $5) \
                             ON CONFLICT (stage) DO UPDATE SET item_id = excluded.item_id, updated_at = excluded.updated_at",
                        )
                        .bind(PATTERN_STAGE)
                        .bind(cursor)
                        .bind(SIGNAL_STAGE)
                        .bind(signals)
                        .bind(now)
                        .execute(&mut *conn)
                        .await?;
                    }
                    None => {
                        set_cursor!(conn, PATTERN_STAGE, cursor, now);
                    }
                }
                Ok::<(), StoreError>(())
            })?;
            return Ok(outcome);
        }
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            for w in writes {
                let figures = w.figures.to_string();
                let threshold = w.threshold.to_string();
                let id = match w.refresh {
                    Some(id) => {
                        let done = sqlx::query(
                            "UPDATE flags SET window_start = $1, window_end = $2, figures = $3, threshold = $4, updated_at = $5 \
                             WHERE id = $6 AND state = 'open' AND NOT EXISTS (SELECT 1 FROM flags o WHERE o.id <> $6 \
                               AND o.customer_id = $7 AND o.kind = $8 AND o.window_start = $1 AND o.window_end = $2 \
                               AND o.state = 'open' AND o.item_id IS NULL)",
                        )
                        .bind(w.window_start)
                        .bind(w.window_end)
                        .bind(figures.as_str())
                        .bind(threshold.as_str())
                        .bind(now)
                        .bind(id)
                        .bind(w.customer_id)
                        .bind(w.kind.as_str())
                        .execute(&mut *tx)
                        .await?;
                        if done.rows_affected() == 0 {
                            continue;
                        }
                        sqlx::query("DELETE FROM flag_evidence WHERE flag_id = $1")
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        outcome.refreshed += 1;
                        id
                    }
                    None => {
                        let id: Option<(i64,)> = sqlx::query_as(
                            "INSERT INTO flags (customer_id, kind, window_start, window_end, figures, threshold, state, created_at, updated_at, expires_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7, $8) ON CONFLICT DO NOTHING RETURNING id",
                        )
                        .bind(w.customer_id)
                        .bind(w.kind.as_str())
                        .bind(w.window_start)
                        .bind(w.window_end)
                        .bind(figures.as_str())
                        .bind(threshold.as_str())
                        .bind(now)
                        .bind(expires_at)
                        .fetch_optional(&mut *tx)
                        .await?;
                        let Some((id,)) = id else { continue };
                        outcome.raised += 1;
                        raised.push((id, w));
                        id
                    }
                };
                insert_evidence!(tx, id, w.evidence);
            }
            set_cursor!(tx, PATTERN_STAGE, cursor, now);
            if let Some(signals) = signals {
                set_cursor!(tx, SIGNAL_STAGE, signals, now);
            }
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        for (id, w) in raised {
            crate::telemetry::events::flag_raised(id, &w.kind, &w.figures);
        }
        Ok(outcome)
    }

    /// The next items after `after` and up to `upto` (by id) for the signal stage, at most
    /// `limit`. Calls carry no text and are not read.
    pub async fn scan_batch(
        &self,
        after: i64,
        upto: i64,
        limit: i64,
    ) -> Result<Vec<ScanRow>, StoreError> {
        type Row = (
            i64,
            i64,
            String,
            String,
            String,
            bool,
            Option<i64>,
            Option<String>,
            i64,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT i.id, i.raw_id, i.item_ref, i.channel, i.direction, i.automated, i.customer_id, c.customer_key, \
                    i.occurred_at, i.body, i.subject \
             FROM items i LEFT JOIN customers c ON c.id = i.customer_id \
             WHERE i.id > $1 AND i.id <= $2 AND i.channel <> 'call' ORDER BY i.id LIMIT $3",
        )
        .bind(after)
        .bind(upto)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| ScanRow {
                item_id: r.0,
                raw_id: r.1,
                item_ref: r.2,
                channel: r.3,
                direction: r.4,
                automated: r.5,
                customer_id: r.6,
                customer_key: r.7,
                occurred_at: r.8,
                body: r.9,
                subject: r.10,
            })
            .collect())
    }

    /// The original bytes of raw items, by raw id (items whose bytes were not kept are
    /// absent).
    pub async fn raw_contents(
        &self,
        raw_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<u8>>, StoreError> {
        let mut out = std::collections::HashMap::new();
        for chunk in raw_ids.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<(i64, Option<Vec<u8>>, String)> = dispatch!(read self, pool => {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT id, content, content_encoding FROM raw_items WHERE id IN (",
                );
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(")");
                qb.build_query_as().fetch_all(pool).await
            })?;
            for (id, content, encoding) in rows {
                if let Some(stored) = content {
                    out.insert(id, super::content::decode(&encoding, stored)?);
                }
            }
        }
        Ok(out)
    }

    /// Records what the signal stage found in a batch — item flags, context cues, topic
    /// marks — and moves the signal cursor to `cursor`, in one transaction. An item flag is
    /// keyed by its item and kind, so scanning an item again raises nothing twice. Returns
    /// the new item flags as (flag id, item id, kind).
    pub async fn write_scan(
        &self,
        writes: &[ScanWrite],
        cursor: i64,
        expires_at: UnixTime,
    ) -> Result<Vec<(i64, i64, String)>, StoreError> {
        let now = now();
        let mut raised = Vec::new();
        let contexts: Vec<(i64, &(String, String, String))> = writes
            .iter()
            .flat_map(|w| w.context.iter().map(move |c| (w.item_id, c)))
            .collect();
        let marks: Vec<&ScanWrite> = writes
            .iter()
            .filter(|w| w.thread_root.is_some() || w.bands.is_some())
            .collect();
        if writes.iter().all(ScanWrite::records_nothing) {
            // Only the cursor moves (calls, texts with nothing to mark): one statement.
            dispatch!(self, pool => {
                let mut conn = pool.acquire().await?;
                set_cursor!(conn, SIGNAL_STAGE, cursor, now);
                Ok::<(), StoreError>(())
            })?;
            return Ok(raised);
        }
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            for w in writes {
                let Some(customer_id) = w.customer_id else { continue };
                for f in &w.flags {
                    let id: Option<(i64,)> = sqlx::query_as(
                        "INSERT INTO flags (customer_id, kind, window_start, window_end, figures, threshold, state, created_at, updated_at, expires_at, item_id, sentence) \
                         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id",
                    )
                    .bind(customer_id)
                    .bind(f.kind.as_str())
                    .bind(w.occurred_at)
                    .bind(w.occurred_at + 1)
                    .bind(f.figures.to_string())
                    .bind(f.threshold.to_string())
                    .bind(now)
                    .bind(expires_at)
                    .bind(w.item_id)
                    .bind(f.sentence.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some((id,)) = id {
                        insert_evidence!(tx, id, [w.item_id]);
                        raised.push((id, w.item_id, f.kind.clone()));
                    }
                }
            }
            for chunk in contexts.chunks(ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO item_context (item_id, kind, sentence, cue) ");
                qb.push_values(chunk, |mut b, (item, (kind, sentence, cue))| {
                    b.push_bind(*item).push_bind(kind.as_str()).push_bind(sentence.as_str()).push_bind(cue.as_str());
                });
                qb.push(" ON CONFLICT DO NOTHING");
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in marks.chunks(ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO item_marks (item_id, thread_root, bands) ");
                qb.push_values(chunk, |mut b, w| {
                    b.push_bind(w.item_id).push_bind(w.thread_root.as_deref()).push_bind(w.bands.as_deref());
                });
                qb.push(" ON CONFLICT (item_id) DO UPDATE SET thread_root = excluded.thread_root, bands = excluded.bands");
                qb.build().execute(&mut *tx).await?;
            }
            set_cursor!(tx, SIGNAL_STAGE, cursor, now);
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(raised)
    }

    /// Deletes flags that expired at or before `now`, with their evidence. Returns how many.
    pub async fn delete_expired_flags(&self, now: UnixTime) -> Result<u64, StoreError> {
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM flag_evidence WHERE flag_id IN (SELECT id FROM flags WHERE expires_at <= $1)")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let done = sqlx::query("DELETE FROM flags WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(done.rows_affected())
        })
    }

    /// Acknowledges or dismisses an open flag: `state` is `acknowledged` or `dismissed`,
    /// with the reviewer and their note. False when no open flag has that id.
    pub async fn review_flag(
        &self,
        id: i64,
        state: &str,
        by: &str,
        note: &str,
    ) -> Result<bool, StoreError> {
        let now = now();
        let done = dispatch!(self, pool => sqlx::query(
            "UPDATE flags SET state = $1, reviewed_by = $2, state_note = $3, reviewed_at = $4, updated_at = $4 \
             WHERE id = $5 AND state = 'open' AND expires_at > $4",
        )
        .bind(state)
        .bind(by)
        .bind(note)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// One flag by id (also when expired but not yet deleted).
    pub async fn flag(&self, id: i64) -> Result<Option<FlagRow>, StoreError> {
        let sql = format!("SELECT {FLAG_COLUMNS} {FLAG_FROM} WHERE f.id = $1");
        let row: Option<FlagRecord> = dispatch!(read self, pool => sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(to_row))
    }

    /// Flags, newest first. `since` keeps those raised at or after it; `include_expired`
    /// keeps expired ones too.
    pub async fn flags(
        &self,
        since: Option<UnixTime>,
        include_expired: bool,
    ) -> Result<Vec<FlagRow>, StoreError> {
        let sql = format!(
            "SELECT {FLAG_COLUMNS} {FLAG_FROM} \
             WHERE f.created_at >= $1 AND ($2 OR f.expires_at > $3) ORDER BY f.id DESC"
        );
        let rows: Vec<FlagRecord> = dispatch!(read self, pool => sqlx::query_as(&sql)
            .bind(since.unwrap_or(0))
            .bind(include_expired)
            .bind(now())
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(to_row).collect())
    }

    /// Open, unexpired flags.
    pub async fn open_flag_count(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = dispatch!(read self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM flags WHERE state = 'open' AND expires_at > $1",
        )
        .bind(now())
        .fetch_one(pool)
        .await)?;
        Ok(n)
    }

    /// The evidence of a flag: item id, reference and time, oldest first.
    pub async fn flag_evidence(
        &self,
        flag_id: i64,
    ) -> Result<Vec<(i64, String, UnixTime)>, StoreError> {
        Ok(dispatch!(read self, pool => sqlx::query_as(
            "SELECT i.id, i.item_ref, i.occurred_at FROM flag_evidence e JOIN items i ON i.id = e.item_id \
             WHERE e.flag_id = $1 ORDER BY i.occurred_at, i.id",
        )
        .bind(flag_id)
        .fetch_all(pool)
        .await)?)
    }

    /// The context cues found in a customer's items, newest first.
    pub async fn customer_context(&self, customer_id: i64) -> Result<Vec<ContextRow>, StoreError> {
        self.context_rows(Some(customer_id)).await
    }

    /// Every context cue, for `tidings export context`, oldest first.
    pub async fn export_context(&self) -> Result<Vec<ContextRow>, StoreError> {
        let mut rows = self.context_rows(None).await?;
        rows.reverse();
        Ok(rows)
    }

    async fn context_rows(&self, customer: Option<i64>) -> Result<Vec<ContextRow>, StoreError> {
        let rows: Vec<(String, String, String, String, i64)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT i.item_ref, c.customer_key, x.kind, x.sentence, i.occurred_at FROM item_context x \
             JOIN items i ON i.id = x.item_id JOIN customers c ON c.id = i.customer_id \
             WHERE ($1 OR i.customer_id = $2) ORDER BY i.occurred_at DESC, i.id DESC, x.kind",
        )
        .bind(customer.is_none())
        .bind(customer.unwrap_or(0))
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| ContextRow {
                item_ref: r.0,
                customer_key: r.1,
                kind: r.2,
                sentence: r.3,
                occurred_at: r.4,
            })
            .collect())
    }

    /// A customer's non-automated inbound and outbound items between `start` and `end`, as
    /// (time, inbound), for counter-evidence.
    pub async fn customer_exchanges(
        &self,
        customer_id: i64,
        start: UnixTime,
        end: UnixTime,
    ) -> Result<Vec<(UnixTime, bool)>, StoreError> {
        let rows: Vec<(i64, String)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT occurred_at, direction FROM items WHERE customer_id = $1 AND automated = $2 \
             AND direction IN ('inbound', 'outbound') AND occurred_at >= $3 AND occurred_at < $4 ORDER BY occurred_at",
        )
        .bind(customer_id)
        .bind(false)
        .bind(start)
        .bind(end)
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|(t, d)| (t, d == "inbound")).collect())
    }
}
