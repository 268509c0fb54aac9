//! What the pattern stage reads: contacts with their topic marks and the staff they reached,
//! and the stored pattern flags — of every customer (a full pass over the whole history) or
//! of the customers that new items belong to (an incremental pass, `flags::stage`). Every
//! read stops at the item id the pass judges up to, so a pass never counts an item its
//! cursor has not passed. On SQLite a full read comes packed (`store::packed`): sqlx's
//! per-row cost was most of a full pass.

use super::{dispatch, packed, Backend, Store, StoreError};
use crate::domain::UnixTime;
use std::collections::HashMap;

/// A contact as the full read gets it: id, customer, occurred_at, channel × 2 + inbound,
/// thread key.
type ContactCodes = (i64, i64, i64, i64, Option<String>);

/// An item's topic marks: item, thread root, bands.
type ItemMarks = (i64, Option<String>, Option<String>);

/// A scoped contact row: [`ContactCodes`] and the marks.
type ScopedContact = (
    i64,
    i64,
    i64,
    i64,
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
pub enum ContactScope<'a> {
    /// Every customer's: a full pass.
    All,
    /// These customers' (internal ids) only: an incremental pass.
    Customers(&'a [i64]),
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
    /// How many times items the flag stages may have read changed customer
    /// (`pattern_inputs.generation`, kept by a trigger): a pass whose memory was built at
    /// another generation reads everything again. `None` on PostgreSQL, where several
    /// daemons commit ids out of order and every pass reads the whole history.
    pub async fn pattern_generation(&self) -> Result<Option<i64>, StoreError> {
        match &self.backend {
            Backend::Sqlite { read, .. } => {
                let (n,): (i64,) =
                    sqlx::query_as("SELECT generation FROM pattern_inputs WHERE id = 1")
                        .fetch_one(read)
                        .await?;
                Ok(Some(n))
            }
            Backend::Postgres(_) => Ok(None),
        }
    }

    /// The customers with a contact among the items after `after` up to `upto` (by id).
    pub async fn customers_with_contacts(
        &self,
        after: i64,
        upto: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<(i64,)> = dispatch!(read self, pool => sqlx::query_as(&format!(
            "SELECT DISTINCT i.customer_id FROM items i WHERE i.id > $1 AND i.id <= $2 AND {CONTACT} \
             ORDER BY i.customer_id"
        ))
        .bind(after)
        .bind(upto)
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The contacts of `scope` up to item `upto`, with their topic marks, in id order: what
    /// the pattern rules count.
    pub async fn flag_contacts(
        &self,
        scope: ContactScope<'_>,
        upto: i64,
    ) -> Result<Vec<FlagContactRow>, StoreError> {
        let customers = match scope {
            ContactScope::All => return self.every_contact(upto).await,
            ContactScope::Customers(ids) => ids,
        };
        let sql = |filter: &str| {
            format!(
                "SELECT i.id, i.customer_id, i.occurred_at, CAST({CODE} AS BIGINT), i.thread_key, m.thread_root, m.bands \
                 FROM items i LEFT JOIN item_marks m ON m.item_id = i.id \
                 WHERE {filter} AND i.id <= $2 AND {CONTACT} ORDER BY i.id"
            )
        };
        let rows: Vec<ScopedContact> = match &self.backend {
            Backend::Sqlite { read, .. } => {
                sqlx::query_as(&sql("i.customer_id IN (SELECT value FROM json_each($1))"))
                    .bind(json_ids(customers))
                    .bind(upto)
                    .fetch_all(read)
                    .await?
            }
            Backend::Postgres(pool) => {
                sqlx::query_as(&sql("i.customer_id = ANY($1)"))
                    .bind(customers)
                    .bind(upto)
                    .fetch_all(pool)
                    .await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|r| contact_row((r.0, r.1, r.2, r.3, r.4), r.5, r.6))
            .collect())
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

    /// The (item, staff member) pairs of the items of `scope` up to `upto`, in item order.
    pub async fn flag_item_staff(
        &self,
        scope: ContactScope<'_>,
        upto: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        const SCOPED: &str =
            "SELECT s.item_id, s.staff_id FROM item_staff s JOIN items i ON i.id = s.item_id \
                              WHERE s.item_id <= $2 AND i.customer_id";
        match (&self.backend, scope) {
            (Backend::Sqlite { read, .. }, ContactScope::All) => {
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
            (Backend::Postgres(pool), ContactScope::All) => Ok(sqlx::query_as(
                "SELECT item_id, staff_id FROM item_staff WHERE item_id <= $1 ORDER BY item_id",
            )
            .bind(upto)
            .fetch_all(pool)
            .await?),
            (Backend::Sqlite { read, .. }, ContactScope::Customers(ids)) => Ok(sqlx::query_as(
                &format!("{SCOPED} IN (SELECT value FROM json_each($1)) ORDER BY s.item_id"),
            )
            .bind(json_ids(ids))
            .bind(upto)
            .fetch_all(read)
            .await?),
            (Backend::Postgres(pool), ContactScope::Customers(ids)) => Ok(sqlx::query_as(
                &format!("{SCOPED} = ANY($1) ORDER BY s.item_id"),
            )
            .bind(ids)
            .bind(upto)
            .fetch_all(pool)
            .await?),
        }
    }

    /// The unexpired pattern flags of `scope`, with their evidence.
    pub async fn pattern_flags(
        &self,
        now: UnixTime,
        scope: ContactScope<'_>,
    ) -> Result<Vec<StoredPatternFlag>, StoreError> {
        type Row = (i64, i64, String, String, i64, i64, String);
        let filter = match (&self.backend, scope) {
            (_, ContactScope::All) => "",
            (Backend::Sqlite { .. }, ContactScope::Customers(_)) => {
                " AND f.customer_id IN (SELECT value FROM json_each($2))"
            }
            (Backend::Postgres(_), ContactScope::Customers(_)) => " AND f.customer_id = ANY($2)",
        };
        let ids = match scope {
            ContactScope::All => &[][..],
            ContactScope::Customers(ids) => ids,
        };
        let flags = format!(
            "SELECT f.id, f.customer_id, f.kind, f.state, f.window_start, f.window_end, f.figures FROM flags f \
             WHERE f.item_id IS NULL AND f.expires_at > $1{filter} ORDER BY f.id"
        );
        let evidence = format!(
            "SELECT e.flag_id, e.item_id FROM flag_evidence e JOIN flags f ON f.id = e.flag_id \
             WHERE f.item_id IS NULL AND f.expires_at > $1{filter}"
        );
        let (rows, evidence): (Vec<Row>, Vec<(i64, i64)>) = match &self.backend {
            Backend::Sqlite { read, .. } => {
                let list = json_ids(ids);
                let rows = sqlx::query_as(&flags).bind(now);
                let ev = sqlx::query_as(&evidence).bind(now);
                let (rows, ev) = if filter.is_empty() {
                    (rows, ev)
                } else {
                    (rows.bind(list.clone()), ev.bind(list))
                };
                (rows.fetch_all(read).await?, ev.fetch_all(read).await?)
            }
            Backend::Postgres(pool) => {
                let rows = sqlx::query_as(&flags).bind(now);
                let ev = sqlx::query_as(&evidence).bind(now);
                let (rows, ev) = if filter.is_empty() {
                    (rows, ev)
                } else {
                    (rows.bind(ids), ev.bind(ids))
                };
                (rows.fetch_all(pool).await?, ev.fetch_all(pool).await?)
            }
        };
        let mut by_flag: HashMap<i64, Vec<i64>> = HashMap::new();
        for (flag, item) in evidence {
            by_flag.entry(flag).or_default().push(item);
        }
        Ok(rows
            .into_iter()
            .map(|r| StoredPatternFlag {
                evidence: by_flag.remove(&r.0).unwrap_or_default(),
                id: r.0,
                customer_id: r.1,
                kind: r.2,
                state: r.3,
                window_start: r.4,
                window_end: r.5,
                figures: r.6,
            })
            .collect())
    }
}

/// Ids as a JSON array, for SQLite's `json_each`.
fn json_ids(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_string())
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
