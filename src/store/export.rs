//! Rows for `tidings export`: items, customers and flags, joined and flattened.

use super::{dispatch, Store, StoreError};
use crate::domain::UnixTime;
use std::collections::HashMap;

/// One contact item as exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemExport {
    /// Internal id.
    pub id: i64,
    /// Stable reference (Message-ID for email).
    pub item_ref: String,
    /// Channel name.
    pub channel: String,
    /// Direction name.
    pub direction: String,
    /// When it happened.
    pub occurred_at: UnixTime,
    /// Linked customer's key.
    pub customer_key: Option<String>,
    /// Customer-side address as it appeared.
    pub counterpart: Option<String>,
    /// Staff addresses, sorted.
    pub staff: Vec<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Topic key.
    pub thread_key: Option<String>,
    /// Automated mail (auto-reply, bounce, list).
    pub automated: bool,
    /// Channel details (call duration and result, letter fields) as JSON text.
    pub details: Option<String>,
}

/// One customer as exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerExport {
    /// Stable key.
    pub customer_key: String,
    /// person, group or organisation.
    pub kind: String,
    /// Display name.
    pub display_name: Option<String>,
    /// `kind:value` identifiers, sorted.
    pub identifiers: Vec<String>,
    /// Inbound contacts, all time.
    pub inbound_contacts: i64,
    /// First contact.
    pub first_contact: Option<UnixTime>,
    /// Last contact.
    pub last_contact: Option<UnixTime>,
}

type CustomerTuple = (
    i64,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
);
type ItemTuple = (
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
);

impl Store {
    /// Every item, oldest first.
    pub async fn export_items(&self) -> Result<Vec<ItemExport>, StoreError> {
        let rows: Vec<ItemTuple> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT i.id, i.item_ref, i.channel, i.direction, i.occurred_at, c.customer_key, i.counterpart, \
                    i.subject, i.thread_key, i.automated, i.details \
             FROM items i LEFT JOIN customers c ON c.id = i.customer_id ORDER BY i.occurred_at, i.id",
        )
        .fetch_all(pool)
        .await)?;
        let links: Vec<(i64, String)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT l.item_id, s.email FROM item_staff l JOIN staff s ON s.id = l.staff_id ORDER BY l.item_id, s.email",
        )
        .fetch_all(pool)
        .await)?;
        let mut staff: HashMap<i64, Vec<String>> = HashMap::new();
        for (item, email) in links {
            staff.entry(item).or_default().push(email);
        }
        Ok(rows
            .into_iter()
            .map(|r| ItemExport {
                id: r.0,
                item_ref: r.1,
                channel: r.2,
                direction: r.3,
                occurred_at: r.4,
                customer_key: r.5,
                counterpart: r.6,
                staff: staff.remove(&r.0).unwrap_or_default(),
                subject: r.7,
                thread_key: r.8,
                automated: r.9,
                details: r.10,
            })
            .collect())
    }

    /// Every customer with identifiers and contact totals.
    pub async fn export_customers(&self) -> Result<Vec<CustomerExport>, StoreError> {
        let rows: Vec<CustomerTuple> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT c.id, c.customer_key, c.kind, c.display_name, \
                    COUNT(i.id), MIN(i.occurred_at), MAX(i.occurred_at) \
             FROM customers c LEFT JOIN items i ON i.customer_id = c.id AND i.direction = 'inbound' AND NOT i.automated \
             GROUP BY c.id, c.customer_key, c.kind, c.display_name ORDER BY c.customer_key",
        )
        .fetch_all(pool)
        .await)?;
        let ids: Vec<(i64, String, String)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT customer_id, kind, value FROM identifiers ORDER BY customer_id, kind, value",
        )
        .fetch_all(pool)
        .await)?;
        let mut identifiers: HashMap<i64, Vec<String>> = HashMap::new();
        for (customer, kind, value) in ids {
            identifiers
                .entry(customer)
                .or_default()
                .push(format!("{kind}:{value}"));
        }
        Ok(rows
            .into_iter()
            .map(|r| CustomerExport {
                customer_key: r.1,
                kind: r.2,
                display_name: r.3,
                identifiers: identifiers.remove(&r.0).unwrap_or_default(),
                inbound_contacts: r.4,
                first_contact: r.5,
                last_contact: r.6,
            })
            .collect())
    }
}
