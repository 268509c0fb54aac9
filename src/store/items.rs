//! Reading single items and customers back, for `tidings items show` and `tidings note add`.

use super::{dispatch, Store, StoreError};
use crate::domain::UnixTime;

/// One item with everything kept about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemView {
    /// Internal id.
    pub id: i64,
    /// The raw item it came from.
    pub raw_id: i64,
    /// Its part within the raw item.
    pub part: i64,
    /// Stable reference.
    pub item_ref: String,
    /// Channel name.
    pub channel: String,
    /// Direction name.
    pub direction: String,
    /// When it happened.
    pub occurred_at: UnixTime,
    /// Linked customer's key.
    pub customer_key: Option<String>,
    /// Customer-side identifier.
    pub counterpart: Option<String>,
    /// Staff involved, sorted.
    pub staff: Vec<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Excerpt.
    pub excerpt: Option<String>,
    /// Automated mail.
    pub automated: bool,
    /// Channel details (JSON text).
    pub details: Option<String>,
    /// Kept text (letters, notes).
    pub body: Option<String>,
    /// Where it was first read (`source locator`).
    pub origin: String,
}

type ViewTuple = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    bool,
    Option<String>,
    Option<String>,
    String,
);

impl Store {
    /// Every item with this reference (normally one; a Message-ID reused by a sender can
    /// name several).
    pub async fn items_by_ref(&self, item_ref: &str) -> Result<Vec<ItemView>, StoreError> {
        let rows: Vec<ViewTuple> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT i.id, i.raw_id, CAST(i.part AS BIGINT), i.item_ref, i.channel, i.direction, i.occurred_at, c.customer_key, \
                    i.counterpart, i.subject, i.excerpt, i.automated, i.details, i.body, \
                    r.first_source || ' ' || r.first_locator \
             FROM items i JOIN raw_items r ON r.id = i.raw_id LEFT JOIN customers c ON c.id = i.customer_id \
             WHERE i.item_ref = $1 ORDER BY i.id",
        )
        .bind(item_ref)
        .fetch_all(pool)
        .await)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let staff: Vec<(String,)> = dispatch!(read self, pool => sqlx::query_as(
                "SELECT s.email FROM item_staff l JOIN staff s ON s.id = l.staff_id WHERE l.item_id = $1 ORDER BY s.email",
            )
            .bind(r.0)
            .fetch_all(pool)
            .await)?;
            out.push(ItemView {
                id: r.0,
                raw_id: r.1,
                part: r.2,
                item_ref: r.3,
                channel: r.4,
                direction: r.5,
                occurred_at: r.6,
                customer_key: r.7,
                counterpart: r.8,
                staff: staff.into_iter().map(|(s,)| s).collect(),
                subject: r.9,
                excerpt: r.10,
                automated: r.11,
                details: r.12,
                body: r.13,
                origin: r.14,
            });
        }
        Ok(out)
    }

    /// True when a customer has this key (or had it before a merge).
    pub async fn customer_exists(&self, customer_key: &str) -> Result<bool, StoreError> {
        let row: Option<(i64,)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT id FROM customers WHERE customer_key = $1",
        )
        .bind(customer_key)
        .fetch_optional(pool)
        .await)?;
        Ok(row.is_some())
    }
}

/// A customer with what is held on them, for `tidings customers show`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerView {
    /// Stable key.
    pub customer_key: String,
    /// person, group or organisation.
    pub kind: String,
    /// Display name seen first.
    pub display_name: Option<String>,
    /// `kind:value` identifiers, sorted.
    pub identifiers: Vec<String>,
    /// (channel, direction, items), sorted.
    pub totals: Vec<(String, String, i64)>,
    /// The latest items: (item_ref, channel, direction, occurred_at, subject).
    pub recent: Vec<(String, String, String, UnixTime, Option<String>)>,
    /// The customer this key was merged into, if it was.
    pub merged_into: Option<String>,
    /// Keys merged into this customer.
    pub merged: Vec<String>,
}

/// How an item's customer was decided.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkDecision {
    /// The rule or `person`.
    pub method: String,
    /// 0–1.
    pub confidence: f64,
    /// Why (JSON list).
    pub reasons: String,
    /// The person who decided, when one did.
    pub linked_by: Option<String>,
    /// When.
    pub linked_at: UnixTime,
}

/// id, key, kind, name, the survivor's key when merged.
type CustomerRow = (i64, String, String, Option<String>, Option<String>);
/// method, confidence, reasons, by, at.
type DecisionRow = (
    Option<String>,
    Option<f64>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

impl Store {
    /// A customer by key with identifiers, totals and the `recent` latest items.
    pub async fn customer_view(
        &self,
        customer_key: &str,
        recent: i64,
    ) -> Result<Option<CustomerView>, StoreError> {
        // A merged key shows its survivor, saying so.
        let row: Option<CustomerRow> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT COALESCE(s.id, c.id), COALESCE(s.customer_key, c.customer_key), COALESCE(s.kind, c.kind),                     COALESCE(s.display_name, c.display_name), s.customer_key              FROM customers c LEFT JOIN customers s ON s.id = c.merged_into WHERE c.customer_key = $1",
        )
        .bind(customer_key)
        .fetch_optional(pool)
        .await)?;
        let Some((id, key, kind, display_name, merged_into)) = row else {
            return Ok(None);
        };
        let merged: Vec<(String,)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT customer_key FROM customers WHERE merged_into = $1 ORDER BY customer_key",
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        let identifiers: Vec<(String, String)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT kind, value FROM identifiers WHERE customer_id IN \
             (SELECT id FROM customers WHERE COALESCE(merged_into, id) = $1) ORDER BY kind, value",
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        let totals: Vec<(String, String, i64)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT channel, direction, COUNT(*) FROM items WHERE customer_id = $1 \
             GROUP BY channel, direction ORDER BY channel, direction",
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        let latest: Vec<(String, String, String, i64, Option<String>)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT item_ref, channel, direction, occurred_at, subject FROM items WHERE customer_id = $1 \
             ORDER BY occurred_at DESC, id DESC LIMIT $2",
        )
        .bind(id)
        .bind(recent)
        .fetch_all(pool)
        .await)?;
        Ok(Some(CustomerView {
            customer_key: key,
            kind,
            display_name,
            identifiers: identifiers
                .into_iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect(),
            totals,
            recent: latest,
            merged_into,
            merged: merged.into_iter().map(|(k,)| k).collect(),
        }))
    }

    /// How item `id`'s customer was decided, once the link stage (or a person) has.
    pub async fn link_decision(&self, id: i64) -> Result<Option<LinkDecision>, StoreError> {
        let row: Option<DecisionRow> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT link_method, link_confidence, link_reasons, linked_by, linked_at FROM items WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        Ok(
            row.and_then(|(method, confidence, reasons, linked_by, at)| {
                Some(LinkDecision {
                    method: method?,
                    confidence: confidence.unwrap_or_default(),
                    reasons: reasons.unwrap_or_else(|| "[]".into()),
                    linked_by,
                    linked_at: at?,
                })
            }),
        )
    }
}
