//! Read-side figures: contact counts per customer in a window, evidence items, daily counts,
//! and totals for status and digests. Only inbound, non-automated items count as contact.

use super::{dispatch, ContactCount, Store, StoreError};
use crate::domain::UnixTime;

/// Totals over a period, for digests and `tidings status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Items (all directions) that occurred in the period.
    pub items: i64,
    /// Distinct customers with an inbound contact in the period.
    pub customers: i64,
    /// Items quarantined in the period.
    pub quarantined: i64,
}

impl Store {
    /// Inbound, non-automated contacts per customer with `start <= occurred_at < end`, with the
    /// number of distinct staff those contacts reached.
    pub async fn contact_counts(
        &self,
        start: UnixTime,
        end: UnixTime,
    ) -> Result<Vec<ContactCount>, StoreError> {
        let rows: Vec<(i64, i64, i64)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT i.customer_id, COUNT(DISTINCT i.id), COUNT(DISTINCT s.staff_id) \
             FROM items i LEFT JOIN item_staff s ON s.item_id = i.id \
             WHERE i.customer_id IS NOT NULL AND i.direction = 'inbound' AND i.automated = $3 \
               AND i.occurred_at >= $1 AND i.occurred_at < $2 \
             GROUP BY i.customer_id",
        )
        .bind(start)
        .bind(end)
        .bind(false)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(customer_id, contacts, distinct_staff)| ContactCount {
                customer_id,
                contacts,
                distinct_staff,
            })
            .collect())
    }

    /// The items that make up a customer's count in a window (the flag's evidence).
    pub async fn contact_items(
        &self,
        customer_id: i64,
        start: UnixTime,
        end: UnixTime,
    ) -> Result<Vec<(i64, UnixTime)>, StoreError> {
        Ok(dispatch!(read self, pool => sqlx::query_as(
            "SELECT id, occurred_at FROM items \
             WHERE customer_id = $1 AND direction = 'inbound' AND automated = $4 \
               AND occurred_at >= $2 AND occurred_at < $3 ORDER BY occurred_at, id",
        )
        .bind(customer_id)
        .bind(start)
        .bind(end)
        .bind(false)
        .fetch_all(pool)
        .await)?)
    }

    /// Totals for `start <= t < end`.
    pub async fn totals(&self, start: UnixTime, end: UnixTime) -> Result<Totals, StoreError> {
        let (items, customers): (i64, i64) = dispatch!(read self, pool => sqlx::query_as(
            "SELECT COUNT(*), COUNT(DISTINCT CASE WHEN direction = 'inbound' THEN customer_id END) \
             FROM items WHERE occurred_at >= $1 AND occurred_at < $2",
        )
        .bind(start)
        .bind(end)
        .fetch_one(pool)
        .await)?;
        let (quarantined,): (i64,) = dispatch!(read self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM quarantine WHERE quarantined_at >= $1 AND quarantined_at < $2 \
             AND dismissed_at IS NULL",
        )
        .bind(start)
        .bind(end)
        .fetch_one(pool)
        .await)?;
        Ok(Totals {
            items,
            customers,
            quarantined,
        })
    }

    /// Counts of stored items and customers, for `tidings status`.
    pub async fn counts(&self) -> Result<(i64, i64, i64), StoreError> {
        Ok(dispatch!(read self, pool => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM items), (SELECT COUNT(*) FROM customers), \
                    (SELECT COUNT(*) FROM quarantine WHERE released_at IS NULL AND dismissed_at IS NULL)",
        )
        .fetch_one(pool)
        .await)?)
    }
}
