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
/// `$tx` and evaluates to a [`BatchOutcome`].
macro_rules! write_entries {
    ($tx:ident, $entries:expr, $checkpoint:expr, $now:expr) => {{
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

            // 4. What the new raw items became.
            let fresh: Vec<(&$crate::store::Entry, i64)> = firsts
                .iter()
                .filter_map(|e| new_raw.get(&e.fingerprint).map(|id| (*e, *id)))
                .collect();
            let items: Vec<(&$crate::store::Entry, &$crate::store::ItemRecord, i64)> = fresh
                .iter()
                .filter_map(|(e, id)| match &e.outcome {
                    $crate::store::EntryOutcome::Item(item) => Some((*e, &**item, *id)),
                    $crate::store::EntryOutcome::Quarantined { .. } => None,
                })
                .collect();
            let quarantined: Vec<(&$crate::store::Entry, &str, i64)> = fresh
                .iter()
                .filter_map(|(e, id)| match &e.outcome {
                    $crate::store::EntryOutcome::Quarantined { reason } => Some((*e, reason.as_str(), *id)),
                    $crate::store::EntryOutcome::Item(_) => None,
                })
                .collect();

            // 5. Customers, found by identifier or created with their deterministic key.
            let mut wanted: std::collections::HashMap<(&str, &str), &$crate::store::CustomerRef> = std::collections::HashMap::new();
            for (_, item, _) in &items {
                if let Some(c) = &item.customer {
                    wanted.entry((c.identifier_kind.as_str(), c.identifier.as_str())).or_insert(c);
                }
            }
            let mut customer_ids: std::collections::HashMap<(String, String), i64> = std::collections::HashMap::new();
            // One query per identifier kind: `kind = $1 AND value IN (…)` uses the primary key
            // on both backends (a row-value IN list does not on PostgreSQL).
            macro_rules! lookup_identifiers {
                ($refs:expr) => {
                    let mut kinds: Vec<&str> = $refs.iter().map(|c| c.identifier_kind.as_str()).collect();
                    kinds.sort_unstable();
                    kinds.dedup();
                    for kind in kinds {
                        let values: Vec<&str> = $refs
                            .iter()
                            .filter(|c| c.identifier_kind == kind)
                            .map(|c| c.identifier.as_str())
                            .collect();
                        for chunk in values.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                            let mut qb = sqlx::QueryBuilder::new("SELECT value, customer_id FROM identifiers WHERE kind = ");
                            qb.push_bind(kind);
                            qb.push(" AND value IN (");
                            let mut list = qb.separated(", ");
                            for value in chunk {
                                list.push_bind(*value);
                            }
                            qb.push(")");
                            let rows: Vec<(String, i64)> = qb.build_query_as().fetch_all(&mut **tx).await?;
                            customer_ids.extend(rows.into_iter().map(|(v, id)| ((kind.to_string(), v), id)));
                        }
                    }
                };
            }
            let all: Vec<&$crate::store::CustomerRef> = wanted.into_values().collect();
            lookup_identifiers!(all);
            let missing: Vec<&$crate::store::CustomerRef> = all
                .into_iter()
                .filter(|c| !customer_ids.contains_key(&(c.identifier_kind.clone(), c.identifier.clone())))
                .collect();
            for chunk in missing.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO customers (customer_key, display_name, created_at) ");
                qb.push_values(chunk, |mut b, c| {
                    b.push_bind(c.new_key.as_str()).push_bind(c.display_name.as_deref()).push_bind(now);
                });
                qb.push(" ON CONFLICT (customer_key) DO NOTHING");
                qb.build().execute(&mut **tx).await?;

                let mut qb = sqlx::QueryBuilder::new("INSERT INTO identifiers (kind, value, customer_id, created_at) ");
                qb.push_values(chunk, |mut b, c| {
                    b.push_bind(c.identifier_kind.as_str())
                        .push_bind(c.identifier.as_str())
                        .push_unseparated(", (SELECT id FROM customers WHERE customer_key = ")
                        .push_bind_unseparated(c.new_key.as_str())
                        .push_unseparated(")")
                        .push_bind(now);
                });
                qb.push(" ON CONFLICT (kind, value) DO NOTHING");
                qb.build().execute(&mut **tx).await?;
            }
            // Another writer may have linked an identifier first: read back what won.
            lookup_identifiers!(missing);

            // 6. Staff members.
            let staff: std::collections::HashMap<&str, &$crate::store::StaffRef> = items
                .iter()
                .flat_map(|(_, item, _)| item.staff.iter())
                .map(|s| (s.email.as_str(), s))
                .collect();
            let staff: Vec<&$crate::store::StaffRef> = staff.into_values().collect();
            let mut staff_ids: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
            for chunk in staff.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO staff (email, display_name, created_at) ");
                qb.push_values(chunk, |mut b, s| {
                    b.push_bind(s.email.as_str()).push_bind(s.display_name.as_deref()).push_bind(now);
                });
                qb.push(" ON CONFLICT (email) DO NOTHING");
                qb.build().execute(&mut **tx).await?;
                let mut qb = sqlx::QueryBuilder::new("SELECT id, email FROM staff WHERE email IN (");
                let mut list = qb.separated(", ");
                for s in chunk {
                    list.push_bind(s.email.as_str());
                }
                qb.push(")");
                let rows: Vec<(i64, String)> = qb.build_query_as().fetch_all(&mut **tx).await?;
                staff_ids.extend(rows.into_iter().map(|(id, email)| (email, id)));
            }

            // 7. Items and who they reached.
            let item_rows: Vec<$crate::store::bulk::ItemRow<'_>> = items
                .iter()
                .map(|(entry, item, id)| $crate::store::bulk::ItemRow {
                    id: *id,
                    item,
                    channel: entry.channel.as_str(),
                    customer_id: item.customer.as_ref().and_then(|c| {
                        customer_ids.get(&(c.identifier_kind.clone(), c.identifier.clone())).copied()
                    }),
                })
                .collect();
            $crate::store::bulk::BulkInsert::insert_items(&mut **tx, &item_rows).await?;
            let links: Vec<(i64, i64)> = items
                .iter()
                .flat_map(|(_, item, id)| {
                    let ids: std::collections::HashSet<i64> = item.staff.iter().filter_map(|s| staff_ids.get(&s.email).copied()).collect();
                    ids.into_iter().map(move |staff_id| (*id, staff_id))
                })
                .collect();
            $crate::store::bulk::BulkInsert::insert_item_staff(&mut **tx, &links).await?;

            // 8. Quarantine, with the bytes kept in raw_items for `quarantine retry`.
            for chunk in quarantined.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO quarantine (raw_id, source, locator, reason, quarantined_at) ");
                qb.push_values(chunk, |mut b, (e, reason, id)| {
                    b.push_bind(*id).push_bind(e.source.as_str()).push_bind(e.locator.as_str()).push_bind(*reason).push_bind(now);
                });
                qb.build().execute(&mut **tx).await?;
            }

            // 9. The checkpoint moves only with the items it covers.
            if let Some(cp) = checkpoint {
                sqlx::query(
                    "INSERT INTO checkpoints (source, uid_validity, last_uid, highest_modseq, updated_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (source) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, \
                     highest_modseq = excluded.highest_modseq, updated_at = excluded.updated_at",
                )
                .bind(cp.source.as_str())
                .bind(cp.uid_validity)
                .bind(cp.last_uid)
                .bind(cp.highest_modseq)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }
            $crate::store::BatchOutcome {
                stored: items.len(),
                duplicates: entries.len() - fresh.len(),
                quarantined: quarantined.len(),
            }
    }};
}
pub(super) use write_entries;

impl Store {
    /// Stores a batch in one transaction and advances `checkpoint` with it, so a source never
    /// moves past an item that is not stored. Idempotent: a fingerprint already stored becomes a
    /// sighting, never a second item.
    pub async fn write_batch(
        &self,
        entries: &[Entry],
        checkpoint: Option<&Checkpoint>,
    ) -> Result<BatchOutcome, StoreError> {
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let outcome = write_entries!(tx, entries, checkpoint, now());
            tx.commit().await?;
            Ok(outcome)
        })
    }
}
