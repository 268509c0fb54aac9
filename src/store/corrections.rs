//! Staff corrections to linking — merge, unmerge, split, relink, review decisions — each in
//! one transaction with its audit-log entry (who, when, why, what). A person's decision pins
//! the items it moves (`items.linked_by`), so no later automatic pass undoes it; a merge is a
//! pointer from the merged customer to the survivor, so it can be undone exactly.

use super::batch::now;
use super::{dispatch, CustomerRef, Store, StoreError, KEY_KIND};
use crate::domain::UnixTime;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// Why a correction could not be made. Each message says what to do instead.
#[derive(Debug, thiserror::Error)]
pub enum CorrectionError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A reason is required and was empty.
    #[error(
        "the reason is empty: say why (what was checked), describing behaviour, never the person"
    )]
    NoReason,
    /// The reason labels a person.
    #[error(transparent)]
    Label(#[from] crate::guard::LabelError),
    /// No customer has this key.
    #[error("there is no customer {0:?}; find keys with `tidings export customers`")]
    NoCustomer(String),
    /// The customer was merged into another.
    #[error("customer {key} was merged into {survivor}; use {survivor}, or `tidings customers unmerge {key}` first")]
    Merged {
        /// The merged key.
        key: String,
        /// Its survivor.
        survivor: String,
    },
    /// Both keys are one customer.
    #[error("{0} and {1} are already one customer")]
    Same(String, String),
    /// Unmerge of a customer that was never merged.
    #[error("customer {0} is not merged into another customer; nothing to undo")]
    NotMerged(String),
    /// No item has this reference.
    #[error("no item {0:?}; see `tidings customers show KEY` or `tidings export items`")]
    NoItem(String),
    /// Several items share the reference.
    #[error("{n} items have the reference {item_ref:?}; correct them one customer at a time with `customers split`")]
    AmbiguousItem {
        /// The reference.
        item_ref: String,
        /// How many items.
        n: usize,
    },
    /// A split names an item of another customer.
    #[error("item {item_ref:?} is not in the history of {key}; list it with `tidings customers show {key}`")]
    NotInHistory {
        /// The item.
        item_ref: String,
        /// The customer.
        key: String,
    },
    /// A split would move every item.
    #[error("splitting every item away from {0} leaves nothing behind; use `tidings items relink` or leave it as it is")]
    SplitAll(String),
    /// No such review candidate.
    #[error("no open review {0}; see `tidings links review`")]
    NoReview(i64),
}

/// A correction's audit-log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// Entry id.
    pub id: i64,
    /// When.
    pub at: UnixTime,
    /// Who.
    pub actor: String,
    /// `merge`, `unmerge`, `split`, `relink`, `review-accept`, `review-reject`.
    pub action: String,
    /// The customer key or item reference it concerns.
    pub subject: String,
    /// Why.
    pub reason: String,
    /// What changed (JSON).
    pub details: String,
}

/// A possible link waiting for (or given) a person's decision.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkReview {
    /// Review id (`links accept|reject ID`).
    pub id: i64,
    /// The item.
    pub item_ref: String,
    /// The item's channel.
    pub channel: String,
    /// When the item happened.
    pub occurred_at: UnixTime,
    /// The customer it is linked to now.
    pub customer_key: Option<String>,
    /// The customer it might belong to.
    pub candidate_key: String,
    /// Match weight, 0–1.
    pub score: f64,
    /// Why (JSON list).
    pub reasons: String,
    /// `open`, `accepted`, `rejected`.
    pub state: String,
}

fn checked_reason(reason: &str) -> Result<&str, CorrectionError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CorrectionError::NoReason);
    }
    crate::guard::check_free_text("reason", reason)?;
    Ok(reason)
}

/// Every identifier an item's link input names (customer keys excluded).
fn identifiers_of(link_input: Option<&str>) -> Vec<(String, String)> {
    let Some(r) = link_input.and_then(|j| serde_json::from_str::<CustomerRef>(j).ok()) else {
        return Vec::new();
    };
    std::iter::once((r.identifier_kind, r.identifier))
        .chain(r.also)
        .filter(|(k, _)| k != KEY_KIND)
        .collect()
}

/// (id, survivor id, survivor key) of a customer key.
type Resolved = (i64, i64, String);

macro_rules! resolve_key {
    ($tx:expr, $key:expr) => {{
        let key: &str = $key;
        let row: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT c.id, COALESCE(c.merged_into, c.id), COALESCE(s.customer_key, c.customer_key) \
             FROM customers c LEFT JOIN customers s ON s.id = c.merged_into WHERE c.customer_key = $1",
        )
        .bind(key)
        .fetch_optional(&mut *$tx)
        .await
        .map_err(StoreError::from)?;
        let resolved: Resolved = row.ok_or_else(|| CorrectionError::NoCustomer(key.to_string()))?;
        resolved
    }};
}

/// Points customer `$other` (and every customer merged into it) at `$keep` and moves its
/// items — pinned ones too when `$pinned_too` (a person's merge), else only the rules' —
/// inside `$tx`; evaluates to (the keys that had been merged into `$other`, the item ids
/// moved).
macro_rules! merge_rows {
    ($tx:expr, $keep:expr, $other:expr, $pinned_too:expr) => {{
        let (keep, other): (i64, i64) = ($keep, $other);
        let absorbed: Vec<(String,)> =
            sqlx::query_as("SELECT customer_key FROM customers WHERE merged_into = $1 ORDER BY id")
                .bind(other)
                .fetch_all(&mut *$tx)
                .await
                .map_err($crate::store::StoreError::from)?;
        sqlx::query("UPDATE customers SET merged_into = $1 WHERE id = $2 OR merged_into = $2")
            .bind(keep)
            .bind(other)
            .execute(&mut *$tx)
            .await
            .map_err($crate::store::StoreError::from)?;
        let moved: Vec<(i64,)> = sqlx::query_as(if $pinned_too {
            "UPDATE items SET customer_id = $1 WHERE customer_id = $2 RETURNING id"
        } else {
            "UPDATE items SET customer_id = $1 WHERE customer_id = $2 AND linked_by IS NULL RETURNING id"
        })
        .bind(keep)
        .bind(other)
        .fetch_all(&mut *$tx)
        .await
        .map_err($crate::store::StoreError::from)?;
        (
            absorbed.into_iter().map(|(k,)| k).collect::<Vec<String>>(),
            moved.into_iter().map(|(id,)| id).collect::<Vec<i64>>(),
        )
    }};
}
pub(super) use merge_rows;

/// Links item `$item` to customer `$customer` by a person's decision (`linked_by`), inside
/// `$tx`: no later automatic pass changes it.
macro_rules! pin_item {
    ($tx:expr, $item:expr, $customer:expr, $by:expr, $reasons:expr, $now:expr) => {
        sqlx::query(
            "UPDATE items SET customer_id = $1, linked_by = $2, link_method = 'person', \
             link_confidence = 1.0, link_reasons = $3, linked_at = $4 WHERE id = $5",
        )
        .bind($customer)
        .bind($by)
        .bind($reasons)
        .bind($now)
        .bind($item)
        .execute(&mut *$tx)
        .await
        .map_err(StoreError::from)?
    };
}

/// Writes one audit-log entry inside `$tx`.
macro_rules! audit {
    ($tx:expr, $now:expr, $actor:expr, $action:expr, $subject:expr, $reason:expr, $details:expr) => {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, subject, reason, details) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($now)
        .bind($actor)
        .bind($action)
        .bind($subject)
        .bind($reason)
        .bind($details.to_string())
        .execute(&mut *$tx)
        .await
        .map_err($crate::store::StoreError::from)?
    };
}
pub(super) use audit;

impl Store {
    /// Merges customer `other` into `keep`: every item of `other` becomes `keep`'s, `other`'s
    /// key resolves to `keep` from now on. Returns the items moved.
    pub async fn merge_customers(
        &self,
        keep: &str,
        other: &str,
        by: &str,
        reason: &str,
    ) -> Result<usize, CorrectionError> {
        let reason = checked_reason(reason)?;
        let now = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await.map_err(StoreError::from)?;
            let (keep_id, keep_survivor, keep_key) = resolve_key!(tx, keep);
            if keep_id != keep_survivor {
                return Err(CorrectionError::Merged { key: keep.to_string(), survivor: keep_key });
            }
            let (other_id, other_survivor, other_key) = resolve_key!(tx, other);
            if other_id != other_survivor {
                return Err(CorrectionError::Merged { key: other.to_string(), survivor: other_key });
            }
            if keep_id == other_id {
                return Err(CorrectionError::Same(keep.to_string(), other.to_string()));
            }
            let (absorbed, moved) = merge_rows!(tx, keep_id, other_id, true);
            let details = json!({
                "keep": keep,
                "merged": other,
                "also_merged": absorbed,
                "items": moved,
            });
            audit!(tx, now, by, "merge", other, reason, details);
            tx.commit().await.map_err(StoreError::from)?;
            Ok(moved.len())
        })
    }

    /// Undoes the latest merge of `key`: it is its own customer again with the items the
    /// merge moved; every item the rules decided for either customer is decided again (the
    /// caller runs the link stage). Returns the items moved back.
    pub async fn unmerge_customer(
        &self,
        key: &str,
        by: &str,
        reason: &str,
    ) -> Result<usize, CorrectionError> {
        let reason = checked_reason(reason)?;
        let now = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await.map_err(StoreError::from)?;
            let (id, survivor, survivor_key) = resolve_key!(tx, key);
            if id == survivor {
                return Err(CorrectionError::NotMerged(key.to_string()));
            }
            let merge: Option<(String,)> = sqlx::query_as(
                "SELECT details FROM audit_log WHERE action = 'merge' AND subject = $1 ORDER BY id DESC LIMIT 1",
            )
            .bind(key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            let details: serde_json::Value = merge
                .and_then(|(d,)| serde_json::from_str(&d).ok())
                .unwrap_or_default();
            let also: Vec<String> = details["also_merged"]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            let items: Vec<i64> = details["items"]
                .as_array()
                .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect())
                .unwrap_or_default();
            sqlx::query("UPDATE customers SET merged_into = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            for k in &also {
                sqlx::query("UPDATE customers SET merged_into = $1 WHERE customer_key = $2 AND merged_into = $3")
                    .bind(id)
                    .bind(k.as_str())
                    .bind(survivor)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::from)?;
            }
            let mut moved = 0;
            for chunk in items.chunks(super::batch::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new("UPDATE items SET customer_id = ");
                qb.push_bind(id);
                qb.push(" WHERE customer_id = ");
                qb.push_bind(survivor);
                qb.push(" AND id IN (");
                let mut list = qb.separated(", ");
                for i in chunk {
                    list.push_bind(*i);
                }
                qb.push(")");
                moved += qb.build().execute(&mut *tx).await.map_err(StoreError::from)?.rows_affected();
            }
            sqlx::query(
                "UPDATE items SET customer_id = NULL, link_method = NULL, link_confidence = NULL, \
                 link_reasons = NULL, linked_at = NULL \
                 WHERE customer_id IN ($1, $2) AND linked_by IS NULL AND link_input IS NOT NULL",
            )
            .bind(id)
            .bind(survivor)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            let details = json!({ "survivor": survivor_key, "restored": also, "items_moved_back": moved });
            audit!(tx, now, by, "unmerge", key, reason, details);
            tx.commit().await.map_err(StoreError::from)?;
            Ok(moved as usize)
        })
    }

    /// Moves the items `refs` of customer `key` to a new customer (a different person who
    /// was linked by mistake), with the identifiers only those items carry. Returns the new
    /// customer's key. Undone by `merge_customers(key, new_key)`.
    pub async fn split_customer(
        &self,
        key: &str,
        refs: &[String],
        by: &str,
        reason: &str,
    ) -> Result<String, CorrectionError> {
        let reason = checked_reason(reason)?;
        let now = now();
        let wanted: BTreeSet<&str> = refs.iter().map(String::as_str).collect();
        let new_key = {
            let mut h = Sha256::new();
            h.update(format!("split:{key}"));
            for r in &wanted {
                h.update([0]);
                h.update(r.as_bytes());
            }
            format!("c-{}", &hex::encode(h.finalize())[..12])
        };
        dispatch!(self, pool => {
            let mut tx = pool.begin().await.map_err(StoreError::from)?;
            let (id, survivor, survivor_key) = resolve_key!(tx, key);
            if id != survivor {
                return Err(CorrectionError::Merged { key: key.to_string(), survivor: survivor_key });
            }
            let items: Vec<(i64, String, Option<String>)> = sqlx::query_as(
                "SELECT id, item_ref, link_input FROM items WHERE customer_id = $1",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            for r in &wanted {
                if !items.iter().any(|(_, item_ref, _)| item_ref == r) {
                    return Err(CorrectionError::NotInHistory { item_ref: r.to_string(), key: key.to_string() });
                }
            }
            let (moving, staying): (Vec<_>, Vec<_>) =
                items.iter().partition(|(_, r, _)| wanted.contains(r.as_str()));
            if staying.is_empty() {
                return Err(CorrectionError::SplitAll(key.to_string()));
            }
            let stays: BTreeSet<(String, String)> = staying
                .iter()
                .flat_map(|(_, _, l)| identifiers_of(l.as_deref()))
                .collect();
            let carried: BTreeSet<(String, String)> = moving
                .iter()
                .flat_map(|(_, _, l)| identifiers_of(l.as_deref()))
                .filter(|i| !stays.contains(i))
                .collect();
            sqlx::query("INSERT INTO customers (customer_key, created_at) VALUES ($1, $2) ON CONFLICT (customer_key) DO NOTHING")
                .bind(new_key.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            let (new_id,): (i64,) = sqlx::query_as("SELECT id FROM customers WHERE customer_key = $1")
                .bind(new_key.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            let reasons = serde_json::to_string(&[reason]).unwrap_or_default();
            for (item, _, _) in &moving {
                pin_item!(tx, *item, new_id, by, reasons.as_str(), now);
            }
            for (k, v) in &carried {
                sqlx::query(
                    "UPDATE identifiers SET customer_id = $1, decided_by = $5 WHERE kind = $2 AND value = $3 \
                     AND customer_id IN (SELECT id FROM customers WHERE COALESCE(merged_into, id) = $4)",
                )
                .bind(new_id)
                .bind(k.as_str())
                .bind(v.as_str())
                .bind(id)
                .bind(by)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            }
            let details = json!({
                "new_customer": new_key,
                "items": wanted,
                "identifiers": carried.iter().map(|(k, v)| format!("{k}:{v}")).collect::<Vec<_>>(),
            });
            audit!(tx, now, by, "split", key, reason, details);
            tx.commit().await.map_err(StoreError::from)?;
            Ok(new_key.clone())
        })
    }

    /// Links one item to `customer` by a person's decision; returns the customer it had.
    pub async fn relink_item(
        &self,
        item_ref: &str,
        customer: &str,
        by: &str,
        reason: &str,
    ) -> Result<Option<String>, CorrectionError> {
        let reason = checked_reason(reason)?;
        let now = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await.map_err(StoreError::from)?;
            let found: Vec<(i64, Option<String>)> = sqlx::query_as(
                "SELECT i.id, c.customer_key FROM items i LEFT JOIN customers c ON c.id = i.customer_id \
                 WHERE i.item_ref = $1",
            )
            .bind(item_ref)
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            let (item, before) = match found.as_slice() {
                [] => return Err(CorrectionError::NoItem(item_ref.to_string())),
                [one] => one.clone(),
                many => {
                    return Err(CorrectionError::AmbiguousItem { item_ref: item_ref.to_string(), n: many.len() })
                }
            };
            let (_, survivor, survivor_key) = resolve_key!(tx, customer);
            let reasons = serde_json::to_string(&[reason]).unwrap_or_default();
            pin_item!(tx, item, survivor, by, reasons.as_str(), now);
            let details = json!({ "from": before, "to": survivor_key });
            audit!(tx, now, by, "relink", item_ref, reason, details);
            tx.commit().await.map_err(StoreError::from)?;
            Ok(before)
        })
    }

    /// Review candidates, open ones only unless `all`.
    pub async fn link_reviews(&self, all: bool) -> Result<Vec<LinkReview>, StoreError> {
        let sql = format!(
            "SELECT r.id, i.item_ref, i.channel, i.occurred_at, c.customer_key, \
                    COALESCE(s.customer_key, k.customer_key), r.score, r.reasons, r.state \
             FROM link_reviews r JOIN items i ON i.id = r.item_id \
             LEFT JOIN customers c ON c.id = i.customer_id \
             JOIN customers k ON k.id = r.candidate_id LEFT JOIN customers s ON s.id = k.merged_into \
             {} ORDER BY r.id",
            if all { "" } else { "WHERE r.state = 'open'" }
        );
        type Row = (
            i64,
            String,
            String,
            i64,
            Option<String>,
            String,
            f64,
            String,
            String,
        );
        let rows: Vec<Row> =
            dispatch!(read self, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| LinkReview {
                id: r.0,
                item_ref: r.1,
                channel: r.2,
                occurred_at: r.3,
                customer_key: r.4,
                candidate_key: r.5,
                score: r.6,
                reasons: r.7,
                state: r.8,
            })
            .collect())
    }

    /// Inbound mail kept without a customer because no header gave a usable sender: for a
    /// person to link (`items relink`). (item_ref, occurred_at, subject), oldest first.
    pub async fn unlinked_inbound(
        &self,
    ) -> Result<Vec<(String, UnixTime, Option<String>)>, StoreError> {
        let rows = dispatch!(read self, pool => sqlx::query_as(
            "SELECT item_ref, occurred_at, subject FROM items \
             WHERE customer_id IS NULL AND link_input IS NULL AND counterpart IS NULL \
               AND direction = 'inbound' AND channel = 'email' AND NOT automated \
             ORDER BY occurred_at, id",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }

    /// Closes an open review as accepted or rejected, with who and why.
    pub async fn decide_review(
        &self,
        id: i64,
        accepted: bool,
        by: &str,
        reason: &str,
    ) -> Result<(), CorrectionError> {
        let reason = checked_reason(reason)?;
        let now = now();
        let state = if accepted { "accepted" } else { "rejected" };
        dispatch!(self, pool => {
            let mut tx = pool.begin().await.map_err(StoreError::from)?;
            let done = sqlx::query(
                "UPDATE link_reviews SET state = $1, decided_by = $2, decided_at = $3, note = $4 \
                 WHERE id = $5 AND state = 'open'",
            )
            .bind(state)
            .bind(by)
            .bind(now)
            .bind(reason)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .rows_affected();
            if done == 0 {
                return Err(CorrectionError::NoReview(id));
            }
            let action = if accepted { "review-accept" } else { "review-reject" };
            audit!(tx, now, by, action, format!("review {id}"), reason, json!({ "review": id }));
            tx.commit().await.map_err(StoreError::from)?;
            Ok(())
        })
    }

    /// The audit-log entries that concern a customer key or item reference, oldest first.
    pub async fn audit_entries(&self, subject: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let pattern = format!("%\"{subject}\"%");
        let rows: Vec<(i64, i64, String, String, String, String, String)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT id, at, actor, action, subject, reason, details FROM audit_log \
             WHERE subject = $1 OR details LIKE $2 ORDER BY id",
        )
        .bind(subject)
        .bind(pattern)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.0,
                at: r.1,
                actor: r.2,
                action: r.3,
                subject: r.4,
                reason: r.5,
                details: r.6,
            })
            .collect())
    }
}
