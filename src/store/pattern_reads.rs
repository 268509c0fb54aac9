//! What the pattern stage reads: contacts with their topic marks and the staff they reached,
//! and the stored pattern flags — of every customer (a full pass over the whole history) or
//! of the customers that new items belong to (an incremental pass, `flags::stage`). Every
//! read stops at the item id the pass judges up to, so a pass never counts an item its
//! cursor has not passed. On SQLite a full read comes packed (`store::packed`): sqlx's
//! per-row cost was most of a full pass.

use super::flags::{PATTERN_STAGE, READABLE_UPTO, SIGNAL_STAGE};
use super::{dispatch, packed, Backend, Store, StoreError};
use crate::domain::UnixTime;
use std::collections::HashMap;

/// A contact as the full read gets it: id, customer, occurred_at, channel × 2 + inbound,
/// thread key.
type ContactCodes = (i64, i64, i64, i64, Option<String>);

/// An item's topic marks: item, thread root, bands.
type ItemMarks = (i64, Option<String>, Option<String>);

/// A scoped contact row: [`ContactCodes`], the marks and the staff ids (`,`-separated).
type ScopedContact = (
    i64,
    i64,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Direction and channel as one small code (channel × 2 + inbound).
const CODE: &str = "(CASE i.channel WHEN 'email' THEN 0 WHEN 'call' THEN 1 WHEN 'letter' THEN 2 WHEN 'note' THEN 3 ELSE 4 END) * 2 \
                    + (CASE i.direction WHEN 'inbound' THEN 1 ELSE 0 END)";

/// What makes an item a contact.
const CONTACT: &str =
    "i.customer_id IS NOT NULL AND i.automated = FALSE AND i.direction IN ('inbound', 'outbound')";

/// Channel names by code / 2.
const CHANNELS: [&str; 5] = ["email", "call", "letter", "note", "other"];

/// Whose contacts a pattern pass reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactScope {
    /// Every customer's: a full pass.
    All,
    /// Only the customers with a contact among the items after `after` up to `upto` (by id):
    /// an incremental pass. The store finds them inside each read, so the pass needs no
    /// statement of its own to learn who they are.
    NewSince {
        /// The pattern cursor.
        after: i64,
        /// The newest item the pass judges.
        upto: i64,
    },
}

/// The customers of a [`ContactScope::NewSince`], as SQL over its two parameters.
fn new_since(after: &str, upto: &str) -> String {
    format!(
        "(SELECT n.customer_id FROM items n WHERE n.id > {after} AND n.id <= {upto} \
         AND n.customer_id IS NOT NULL AND n.automated = FALSE AND n.direction IN ('inbound', 'outbound'))"
    )
}

/// Where the flag stages stand, read in one statement at the start of a pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlagPositions {
    /// The signal stage's cursor (0 before its first pass).
    pub signals: i64,
    /// The pattern stage's cursor (0 before its first pass).
    pub patterns: i64,
    /// The highest item id the stages may read, as [`Store::max_item_id`].
    pub readable: i64,
    /// How many times items the stages may have read changed customer
    /// (`pattern_inputs.generation`, kept by a trigger): a pass whose memory was built at
    /// another generation reads everything again. `None` on PostgreSQL, where several
    /// daemons commit ids out of order and every pass reads the whole history.
    pub generation: Option<i64>,
    /// The earliest expiry of any stored flag (`None` when there is none).
    pub next_expiry: Option<UnixTime>,
}

/// One contact as the pattern pass reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagContactRow {
    /// Item id.
    pub item_id: i64,
    /// Internal customer id.
    pub customer_id: i64,
    /// When.
    pub occurred_at: UnixTime,
    /// Channel name.
    pub channel: &'static str,
    /// From the customer (else from the organisation).
    pub inbound: bool,
    /// Normalised subject.
    pub thread_key: Option<String>,
    /// Thread root from the headers (signal stage).
    pub thread_root: Option<String>,
    /// MinHash band keys (signal stage).
    pub bands: Option<String>,
}

/// A stored pattern flag with its evidence, for the lifecycle decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPatternFlag {
    /// Flag id.
    pub id: i64,
    /// Internal customer id.
    pub customer_id: i64,
    /// Kind.
    pub kind: String,
    /// State.
    pub state: String,
    /// Window start.
    pub window_start: UnixTime,
    /// Window end.
    pub window_end: UnixTime,
    /// Figures (JSON text).
    pub figures: String,
    /// Evidence item ids.
    pub evidence: Vec<i64>,
}

impl Store {
    /// Both stage cursors, the highest readable item, the pattern generation and the next
    /// flag expiry, in one statement: what a flag pass needs to know before it reads.
    pub async fn flag_positions(&self) -> Result<FlagPositions, StoreError> {
        let sql = |generation: &str| {
            format!(
                "SELECT COALESCE((SELECT item_id FROM stage_cursors WHERE stage = $1), 0), \
                        COALESCE((SELECT item_id FROM stage_cursors WHERE stage = $2), 0), \
                        COALESCE({READABLE_UPTO}, 0), {generation}, \
                        (SELECT MIN(expires_at) FROM flags)"
            )
        };
        type Row = (i64, i64, i64, Option<i64>, Option<i64>);
        let row: Row = match &self.backend {
            Backend::Sqlite { read, .. } => {
                sqlx::query_as(&sql("(SELECT generation FROM pattern_inputs WHERE id = 1)"))
                    .bind(SIGNAL_STAGE)
                    .bind(PATTERN_STAGE)
                    .fetch_one(read)
                    .await?
            }
            Backend::Postgres(pool) => {
                sqlx::query_as(&sql("CAST(NULL AS BIGINT)"))
                    .bind(SIGNAL_STAGE)
                    .bind(PATTERN_STAGE)
                    .fetch_one(pool)
                    .await?
            }
        };
        Ok(FlagPositions {
            signals: row.0,
            patterns: row.1,
            readable: row.2,
            generation: row.3,
            next_expiry: row.4,
        })
    }

    /// The contacts of `scope` up to item `upto`, with their topic marks, in id order, and
    /// the (item, staff member) pairs of those items in item order: what the pattern rules
    /// count. An incremental scope is one statement (each contact's staff listed beside it,
    /// so the customers' rows are found once); a full read is three packed reads at once.
    pub async fn pattern_contacts(
        &self,
        scope: ContactScope,
        upto: i64,
    ) -> Result<(Vec<FlagContactRow>, Vec<(i64, i64)>), StoreError> {
        let ContactScope::NewSince {
            after,
            upto: scope_upto,
        } = scope
        else {
            return tokio::try_join!(self.every_contact(upto), self.every_item_staff(upto));
        };
        let sql = |staff_list: &str| {
            format!(
                "SELECT i.id, i.customer_id, i.occurred_at, CAST({CODE} AS BIGINT), i.thread_key, m.thread_root, m.bands, \
                        (SELECT {staff_list} FROM item_staff s WHERE s.item_id = i.id) \
                 FROM items i LEFT JOIN item_marks m ON m.item_id = i.id \
                 WHERE i.customer_id IN {} AND i.id <= $3 AND {CONTACT} ORDER BY i.id",
                new_since("$1", "$2")
            )
        };
        let sql = match &self.backend {
            Backend::Sqlite { .. } => sql("group_concat(s.staff_id)"),
            Backend::Postgres(_) => sql("string_agg(CAST(s.staff_id AS TEXT), ',')"),
        };
        let rows: Vec<ScopedContact> = dispatch!(read self, pool => sqlx::query_as(&sql)
            .bind(after)
            .bind(scope_upto)
            .bind(upto)
            .fetch_all(pool)
            .await)?;
        let mut pairs = Vec::new();
        let mut contacts = Vec::with_capacity(rows.len());
        for r in rows {
            for staff in
                r.7.as_deref()
                    .unwrap_or_default()
                    .split(',')
                    .filter(|s| !s.is_empty())
            {
                let staff = staff.parse::<i64>().map_err(|e| {
                    StoreError::Corrupt(format!("item {}: staff list {staff:?}: {e}", r.0))
                })?;
                pairs.push((r.0, staff));
            }
            contacts.push(contact_row((r.0, r.1, r.2, r.3, r.4), r.5, r.6));
        }
        Ok((contacts, pairs))
    }

    /// Every contact up to `upto`: the rows and the marks read at once.
    async fn every_contact(&self, upto: i64) -> Result<Vec<FlagContactRow>, StoreError> {
        let (rows, marks) = tokio::try_join!(self.contact_rows(upto), self.mark_rows(upto))?;
        let mut marks: HashMap<i64, (Option<String>, Option<String>)> = marks
            .into_iter()
            .map(|(id, root, bands)| (id, (root, bands)))
            .collect();
        Ok(rows
            .into_iter()
            .map(|r| {
                let (root, bands) = marks.remove(&r.0).unwrap_or_default();
                contact_row(r, root, bands)
            })
            .collect())
    }

    /// [`ContactCodes`] of every contact up to `upto`.
    async fn contact_rows(&self, upto: i64) -> Result<Vec<ContactCodes>, StoreError> {
        Ok(match &self.backend {
            Backend::Sqlite { read, .. } => {
                let sql = format!(
                    "SELECT group_concat({} || {} || {} || {} || {}, '') FROM items i \
                     WHERE i.id > $1 AND i.id <= $2 AND {CONTACT}",
                    packed::int_field("i.id"),
                    packed::int_field("i.customer_id"),
                    packed::int_field("i.occurred_at"),
                    packed::int_field(CODE),
                    packed::text_field("i.thread_key"),
                );
                let mut rows = packed::rows(read, &sql, upto, |f| {
                    Ok((
                        f.int()?,
                        f.int()?,
                        f.int()?,
                        f.int()?,
                        f.text()?.map(str::to_owned),
                    ))
                })
                .await?;
                rows.sort_unstable_by_key(|r| r.0);
                rows
            }
            Backend::Postgres(pool) => {
                sqlx::query_as(&format!(
                "SELECT i.id, i.customer_id, i.occurred_at, CAST({CODE} AS BIGINT), i.thread_key \
                     FROM items i WHERE i.id <= $1 AND {CONTACT} ORDER BY i.id"
            ))
                .bind(upto)
                .fetch_all(pool)
                .await?
            }
        })
    }

    /// (item, thread root, bands) of every item up to `upto` the signal stage marked.
    async fn mark_rows(&self, upto: i64) -> Result<Vec<ItemMarks>, StoreError> {
        match &self.backend {
            Backend::Sqlite { read, .. } => {
                let sql = format!(
                    "SELECT group_concat({} || {} || {}, '') FROM item_marks \
                     WHERE item_id > $1 AND item_id <= $2",
                    packed::int_field("item_id"),
                    packed::text_field("thread_root"),
                    packed::text_field("bands"),
                );
                packed::rows(read, &sql, upto, |f| {
                    Ok((
                        f.int()?,
                        f.text()?.map(str::to_owned),
                        f.text()?.map(str::to_owned),
                    ))
                })
                .await
            }
            Backend::Postgres(pool) => Ok(sqlx::query_as(
                "SELECT item_id, thread_root, bands FROM item_marks WHERE item_id <= $1",
            )
            .bind(upto)
            .fetch_all(pool)
            .await?),
        }
    }

    /// The (item, staff member) pairs of every item up to `upto`, in item order.
    async fn every_item_staff(&self, upto: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        match &self.backend {
            Backend::Sqlite { read, .. } => {
                let sql = format!(
                    "SELECT group_concat({} || {}, '') FROM item_staff \
                     WHERE item_id > $1 AND item_id <= $2",
                    packed::int_field("item_id"),
                    packed::int_field("staff_id"),
                );
                let mut pairs =
                    packed::rows(read, &sql, upto, |f| Ok((f.int()?, f.int()?))).await?;
                pairs.sort_unstable();
                Ok(pairs)
            }
            Backend::Postgres(pool) => Ok(sqlx::query_as(
                "SELECT item_id, staff_id FROM item_staff WHERE item_id <= $1 ORDER BY item_id",
            )
            .bind(upto)
            .fetch_all(pool)
            .await?),
        }
    }

    /// The unexpired pattern flags of `scope`, with their evidence, in one statement (a
    /// row per flag and evidence item).
    pub async fn pattern_flags(
        &self,
        now: UnixTime,
        scope: ContactScope,
    ) -> Result<Vec<StoredPatternFlag>, StoreError> {
        type Row = (i64, i64, String, String, i64, i64, String, Option<i64>);
        let (filter, after, upto) = match scope {
            ContactScope::All => (String::new(), 0, 0),
            ContactScope::NewSince { after, upto } => (
                format!(" AND f.customer_id IN {}", new_since("$2", "$3")),
                after,
                upto,
            ),
        };
        let sql = format!(
            "SELECT f.id, f.customer_id, f.kind, f.state, f.window_start, f.window_end, f.figures, e.item_id \
             FROM flags f LEFT JOIN flag_evidence e ON e.flag_id = f.id \
             WHERE f.item_id IS NULL AND f.expires_at > $1{filter} ORDER BY f.id, e.item_id"
        );
        let rows: Vec<Row> = dispatch!(read self, pool => {
            let query = sqlx::query_as(&sql).bind(now);
            let query = if filter.is_empty() { query } else { query.bind(after).bind(upto) };
            query.fetch_all(pool).await
        })?;
        let mut flags: Vec<StoredPatternFlag> = Vec::new();
        for r in rows {
            if flags.last().is_none_or(|f| f.id != r.0) {
                flags.push(StoredPatternFlag {
                    id: r.0,
                    customer_id: r.1,
                    kind: r.2,
                    state: r.3,
                    window_start: r.4,
                    window_end: r.5,
                    figures: r.6,
                    evidence: Vec::new(),
                });
            }
            if let (Some(item), Some(flag)) = (r.7, flags.last_mut()) {
                flag.evidence.push(item);
            }
        }
        Ok(flags)
    }
}

fn contact_row(
    r: ContactCodes,
    thread_root: Option<String>,
    bands: Option<String>,
) -> FlagContactRow {
    FlagContactRow {
        item_id: r.0,
        customer_id: r.1,
        occurred_at: r.2,
        channel: CHANNELS[usize::try_from(r.3 / 2).unwrap_or(4).min(4)],
        inbound: r.3 % 2 == 1,
        thread_key: r.4,
        thread_root,
        bands,
    }
}
