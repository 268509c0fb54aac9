//! The routing stage's bookkeeping: which new inbound email items still need a decision, the
//! decisions with their outcomes, and the forwards per customer for the hourly limit. A
//! decision and its outbox messages are written in one transaction keyed by the item, so a
//! message is decided — and forwarded — once, however many daemons share the database.

use super::batch::now;
use super::outbox::enqueue_message;
use super::{dispatch, NewOutboxMessage, OutboxExtras, Store, StoreError};
use crate::domain::UnixTime;

/// Items below the cursor still looked at, in case an item with a lower id committed late
/// (another daemon's transaction on PostgreSQL).
const LOOKBACK_IDS: i64 = 2000;

/// An inbound email item waiting for its routing decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutingCandidate {
    /// Item id.
    pub item_id: i64,
    /// Its raw item.
    pub raw_id: i64,
    /// The customer it is linked to.
    pub customer_id: Option<i64>,
    /// When it was sent.
    pub occurred_at: UnixTime,
    /// When its raw item was stored.
    pub stored_at: UnixTime,
}

/// A decision to record.
#[derive(Clone, Debug)]
pub struct RoutingRecord<'a> {
    /// The item decided.
    pub item_id: i64,
    /// Its customer.
    pub customer_id: Option<i64>,
    /// The arrangement it was decided under.
    pub arrangement_id: Option<i64>,
    /// `routed`, `copied` or `not-routed`.
    pub outcome: &'a str,
    /// Why.
    pub reason: &'a str,
    /// Who it went to, comma-separated.
    pub recipients: String,
}

/// A recorded decision, as `tidings routing list` shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RoutingListing {
    /// Item id.
    pub item_id: i64,
    /// The item's reference.
    pub item_ref: String,
    /// The customer's key.
    pub customer_key: Option<String>,
    /// When it was decided.
    pub decided_at: UnixTime,
    /// What happened.
    pub outcome: String,
    /// Why.
    pub reason: String,
    /// The arrangement it was decided under.
    pub arrangement_id: Option<i64>,
    /// Who it went to.
    pub recipients: String,
}

type ListTuple = (
    i64,
    String,
    Option<String>,
    i64,
    String,
    String,
    Option<i64>,
    String,
);

impl Store {
    /// Up to `limit` inbound email items with ids up to `up_to` that have no decision yet,
    /// oldest first.
    pub async fn routing_candidates(
        &self,
        up_to: i64,
        limit: i64,
    ) -> Result<Vec<RoutingCandidate>, StoreError> {
        let rows: Vec<(i64, i64, Option<i64>, i64, i64)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT i.id, i.raw_id, i.customer_id, i.occurred_at, r.stored_at FROM items i JOIN raw_items r ON r.id = i.raw_id \
             WHERE i.id > (SELECT last_item_id FROM routing_cursor WHERE id = 1) - $1 AND i.id <= $2 \
             AND i.channel = 'email' AND i.direction = 'inbound' AND (i.linked_at IS NOT NULL OR i.link_input IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM routing_decisions d WHERE d.item_id = i.id) ORDER BY i.id LIMIT $3",
        )
        .bind(LOOKBACK_IDS)
        .bind(up_to)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(
                |(item_id, raw_id, customer_id, occurred_at, stored_at)| RoutingCandidate {
                    item_id,
                    raw_id,
                    customer_id,
                    occurred_at,
                    stored_at,
                },
            )
            .collect())
    }

    /// Moves the stage's cursor up to `item_id` (never back).
    pub async fn advance_routing_cursor(&self, item_id: i64) -> Result<(), StoreError> {
        dispatch!(self, pool => sqlx::query(
            "UPDATE routing_cursor SET last_item_id = CASE WHEN last_item_id < $1 THEN $1 ELSE last_item_id END WHERE id = 1",
        )
        .bind(item_id)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Records a decision and enqueues its messages in one transaction. Returns false (and
    /// enqueues nothing) when the item was already decided, by this or another daemon.
    pub async fn record_routing(
        &self,
        record: &RoutingRecord<'_>,
        messages: &[(NewOutboxMessage, OutboxExtras)],
    ) -> Result<bool, StoreError> {
        let now = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let inserted: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO routing_decisions (item_id, decided_at, customer_id, arrangement_id, outcome, reason, recipients) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (item_id) DO NOTHING RETURNING item_id",
            )
            .bind(record.item_id)
            .bind(now)
            .bind(record.customer_id)
            .bind(record.arrangement_id)
            .bind(record.outcome)
            .bind(record.reason)
            .bind(record.recipients.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if inserted.is_none() {
                return Ok(false);
            }
            for (m, extras) in messages {
                let _inserted: bool = enqueue_message!(tx, m, extras, now);
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Forwards of `customer_id`'s mail decided since `since`.
    pub async fn forwards_since(
        &self,
        customer_id: i64,
        since: UnixTime,
    ) -> Result<u32, StoreError> {
        let (n,): (i64,) = dispatch!(read self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM routing_decisions WHERE customer_id = $1 AND outcome = 'routed' AND decided_at >= $2",
        )
        .bind(customer_id)
        .bind(since)
        .fetch_one(pool)
        .await)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// When staff last contacted `customer_id` (an outbound item of any channel).
    pub async fn last_outbound_contact(
        &self,
        customer_id: i64,
    ) -> Result<Option<UnixTime>, StoreError> {
        let (at,): (Option<i64>,) = dispatch!(read self, pool => sqlx::query_as(
            "SELECT MAX(occurred_at) FROM items WHERE customer_id = $1 AND direction = 'outbound'",
        )
        .bind(customer_id)
        .fetch_one(pool)
        .await)?;
        Ok(at)
    }

    /// Sources whose checkpoint has not moved since `before` (they have not synced).
    pub async fn stale_sources(&self, before: UnixTime) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT source FROM checkpoints WHERE updated_at < $1 ORDER BY source",
        )
        .bind(before)
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }

    /// Recorded decisions, newest first; without `all`, only those about customers under an
    /// arrangement (not `no-arrangement` or `no-customer`).
    pub async fn routing_decisions(
        &self,
        all: bool,
        limit: i64,
    ) -> Result<Vec<RoutingListing>, StoreError> {
        let filter = if all {
            ""
        } else {
            "WHERE d.reason NOT IN ('no-arrangement', 'no-customer')"
        };
        let sql = format!(
            "SELECT d.item_id, i.item_ref, c.customer_key, d.decided_at, d.outcome, d.reason, d.arrangement_id, d.recipients \
             FROM routing_decisions d JOIN items i ON i.id = d.item_id LEFT JOIN customers c ON c.id = d.customer_id \
             {filter} ORDER BY d.item_id DESC LIMIT $1"
        );
        let rows: Vec<ListTuple> = dispatch!(read self, pool => sqlx::query_as(&sql)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    item_id,
                    item_ref,
                    customer_key,
                    decided_at,
                    outcome,
                    reason,
                    arrangement_id,
                    recipients,
                )| {
                    RoutingListing {
                        item_id,
                        item_ref,
                        customer_key,
                        decided_at,
                        outcome,
                        reason,
                        arrangement_id,
                        recipients,
                    }
                },
            )
            .collect())
    }
}
