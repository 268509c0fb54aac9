//! The link stage's decision for a batch of customer references, written once for both
//! places it runs: the link stage over stored items waiting for a decision
//! (`link_waiting!`), and an ingest batch deciding its new items before they are written
//! (`write_parts!`), so that an item's row is written once, with its decision.

use std::collections::HashMap;

/// Identifier kind of an E.164 number.
pub(crate) const PHONE_KIND: &str = "phone";

/// (kind, value) → (the customer holding it, that customer's survivor).
pub(crate) type Held = HashMap<(String, String), (i64, i64)>;

/// What the link stage decided for a batch of references, in their order.
pub(crate) struct Decided {
    /// Per reference: its customer (the survivor of any merge), how, and why (JSON words).
    pub links: Vec<(Option<i64>, crate::pipeline::identity::Method, String)>,
    /// Candidate links for review: (reference index, candidate customer, score, reasons JSON).
    pub reviews: Vec<(usize, i64, f64, String)>,
    /// Customers created.
    pub new_customers: usize,
}

/// Decides the customers of `$refs` (`&[&CustomerRef]`, earliest contact first) on the
/// connection `$conn` (an ident bound to `&mut` a connection inside the caller's
/// transaction): looks up what the batch names, creates customers, attaches identifiers,
/// makes the rules' merges (audited), fills display names, and evaluates to a [`Decided`].
/// Writes nothing to `items` or `link_reviews`: the caller knows where its items are.
macro_rules! link_decide {
    ($conn:ident, $refs:expr, $now:expr) => {{
        let refs: &[&$crate::store::CustomerRef] = $refs;
        let now: $crate::domain::UnixTime = $now;
            // Every identifier the batch names, looked up once, one query per kind
            // (`kind = $1 AND value IN (…)` uses the primary key on both backends).
            let mut held: $crate::store::decide::Held = std::collections::HashMap::new();
            macro_rules! lookup {
                ($ids:expr) => {
                    let ids: Vec<(&str, &str)> = $ids;
                    let mut kinds: Vec<&str> = ids.iter().map(|(k, _)| *k).collect();
                    kinds.sort_unstable();
                    kinds.dedup();
                    for kind in kinds {
                        let mut values: Vec<&str> =
                            ids.iter().filter(|(k, _)| *k == kind).map(|(_, v)| *v).collect();
                        values.sort_unstable();
                        values.dedup();
                        for chunk in values.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                            // A customer named by its key (a file note) is found by that key.
                            let mut qb = if kind == $crate::store::KEY_KIND {
                                sqlx::QueryBuilder::new(
                                    "SELECT customer_key, id, COALESCE(merged_into, id) FROM customers \
                                     WHERE customer_key IN (",
                                )
                            } else {
                                let mut qb = sqlx::QueryBuilder::new(
                                    "SELECT i.value, c.id, COALESCE(c.merged_into, c.id) FROM identifiers i \
                                     JOIN customers c ON c.id = i.customer_id WHERE i.kind = ",
                                );
                                qb.push_bind(kind);
                                qb.push(" AND i.value IN (");
                                qb
                            };
                            let mut list = qb.separated(", ");
                            for value in chunk {
                                list.push_bind(*value);
                            }
                            qb.push(")");
                            let found: Vec<(String, i64, i64)> =
                                qb.build_query_as().fetch_all(&mut *$conn).await?;
                            held.extend(
                                found.into_iter().map(|(v, id, s)| ((kind.to_string(), v), (id, s))),
                            );
                        }
                    }
                };
            }
            lookup!(refs
                .iter()
                .flat_map(|c| {
                    std::iter::once((c.identifier_kind.as_str(), c.identifier.as_str()))
                        .chain(c.also.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                })
                .collect());
            let mut survivor: std::collections::HashMap<i64, i64> = held.values().copied().collect();
            let known: std::collections::HashMap<(String, String), i64> =
                held.iter().map(|(k, (id, _))| (k.clone(), *id)).collect();

            // Names of the customers an item's other identifiers point at: a second
            // identifier links only when the names agree.
            let mut candidates: Vec<i64> = refs
                .iter()
                .flat_map(|r| r.also.iter())
                .filter_map(|id| known.get(id).copied())
                .collect();
            candidates.sort_unstable();
            candidates.dedup();
            let mut names: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
            let mut keys: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
            for chunk in candidates.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT id, customer_key, display_name FROM customers WHERE id IN (",
                );
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(")");
                let found: Vec<(i64, String, Option<String>)> =
                    qb.build_query_as().fetch_all(&mut *$conn).await?;
                for (id, key, name) in found {
                    match name {
                        Some(n) => {
                            names.insert(id, n);
                        }
                        None => {
                            keys.insert(id, key);
                        }
                    }
                }
            }
            // Nameless customers keyed by a number they hold: known only as a caller.
            let callers: std::collections::HashSet<i64> = known
                .iter()
                .filter(|((kind, value), id)| {
                    kind == $crate::store::decide::PHONE_KIND
                        && keys.get(*id).is_some_and(|k| *k == $crate::pipeline::link::customer_key(kind, value))
                })
                .map(|(_, id)| *id)
                .collect();

            let plan = $crate::pipeline::identity::resolve(&refs, &known, &names, &callers);
            let first_known: Vec<bool> = refs
                .iter()
                .map(|c| known.contains_key(&(c.identifier_kind.clone(), c.identifier.clone())))
                .collect();

            // New customers (keys derived from their primary identifier, so two writers
            // agree), read back: another writer may have created one first, and a key merged
            // since resolves to its survivor.
            let mut new_ids: Vec<Option<i64>> = vec![None; plan.new_customers.len()];
            for chunk in plan.new_customers.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO customers (customer_key, display_name, created_at) ",
                );
                qb.push_values(chunk, |mut b, c| {
                    b.push_bind(c.key.as_str())
                        .push_bind(c.display_name.as_deref())
                        .push_bind(now);
                });
                qb.push(" ON CONFLICT (customer_key) DO NOTHING");
                qb.build().execute(&mut *$conn).await?;
            }
            let mut by_key: std::collections::HashMap<String, (i64, i64)> = std::collections::HashMap::new();
            for chunk in plan.new_customers.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT customer_key, id, COALESCE(merged_into, id) FROM customers WHERE customer_key IN (",
                );
                let mut list = qb.separated(", ");
                for c in chunk {
                    list.push_bind(c.key.as_str());
                }
                qb.push(")");
                let found: Vec<(String, i64, i64)> = qb.build_query_as().fetch_all(&mut *$conn).await?;
                by_key.extend(found.into_iter().map(|(k, id, s)| (k, (id, s))));
            }
            for (slot, c) in new_ids.iter_mut().zip(&plan.new_customers) {
                if let Some((id, s)) = by_key.get(&c.key) {
                    *slot = Some(*id);
                    survivor.insert(*id, *s);
                }
            }
            let target_id = |t: &$crate::pipeline::identity::Target| match t {
                $crate::pipeline::identity::Target::Existing(id) => Some(*id),
                $crate::pipeline::identity::Target::New(n) => new_ids.get(*n).copied().flatten(),
            };
            let attach: Vec<(&str, &str, i64)> = plan
                .attach
                .iter()
                .filter_map(|(k, v, t)| target_id(t).map(|id| (k.as_str(), v.as_str(), id)))
                .collect();
            for chunk in attach.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO identifiers (kind, value, customer_id, created_at) ",
                );
                qb.push_values(chunk, |mut b, (k, v, id)| {
                    b.push_bind(*k).push_bind(*v).push_bind(*id).push_bind(now);
                });
                qb.push(" ON CONFLICT (kind, value) DO NOTHING");
                qb.build().execute(&mut *$conn).await?;
            }
            // Only primaries that were not known before this batch can have changed hands
            // (another writer linked one first): what won is what the items get.
            held.clear();
            lookup!(refs
                .iter()
                .zip(&first_known)
                .filter(|(_, known)| !**known)
                .map(|(c, _)| (c.identifier_kind.as_str(), c.identifier.as_str()))
                .collect());
            survivor.extend(held.values().copied());
            let resolved = |id: i64| survivor.get(&id).copied().unwrap_or(id);

            let decided: Vec<(Option<i64>, $crate::pipeline::identity::Method, String)> = refs
                .iter()
                .zip(&plan.decisions)
                .map(|(r, d)| {
                    let stored = held
                        .get(&(r.identifier_kind.clone(), r.identifier.clone()))
                        .map(|(id, _)| *id);
                    let customer = stored.or_else(|| d.target.as_ref().and_then(target_id));
                    let reasons = serde_json::to_string(&d.reasons).unwrap_or_default();
                    (customer.map(resolved), d.method, reasons)
                })
                .collect();
            // A customer known only as a calling number joins the named person who gave the
            // number: the rules' merge, recorded like a person's and undone the same way.
            for (merged, into, why) in &plan.merges {
                let (Some(merged), Some(into)) = (target_id(merged), target_id(into)) else {
                    continue;
                };
                let survive = |id: i64| survivor.get(&id).copied().unwrap_or(id);
                let (merged, into) = (survive(merged), survive(into));
                if merged == into {
                    continue;
                }
                let keys: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, customer_key FROM customers WHERE id IN ($1, $2)",
                )
                .bind(merged)
                .bind(into)
                .fetch_all(&mut *$conn)
                .await?;
                let key_of = |id: i64| {
                    keys.iter()
                        .find(|(k, _)| *k == id)
                        .map(|(_, key)| key.clone())
                        .unwrap_or_default()
                };
                let (absorbed, moved) = $crate::store::corrections::merge_rows!($conn, into, merged, false);
                survivor.insert(merged, into);
                let details = serde_json::json!({
                    "keep": key_of(into),
                    "merged": key_of(merged),
                    "also_merged": absorbed,
                    "items": moved,
                });
                $crate::store::corrections::audit!($conn, now, $crate::store::RULES, "merge", key_of(merged), why.as_str(), details);
            }
            let resolved = |id: i64| survivor.get(&id).copied().unwrap_or(id);

            // A customer first seen without a name takes the first name an item gives.
            let named: Vec<(i64, &str)> = decided
                .iter()
                .zip(refs)
                .filter_map(|((c, _, _), r)| Some((resolved((*c)?), r.display_name.as_deref()?)))
                .collect();
            for chunk in named.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::new("WITH v(id, name) AS (");
                qb.push_values(chunk, |mut b, (id, name)| {
                    b.push_bind(*id).push_bind(*name);
                });
                qb.push(
                    ") UPDATE customers SET display_name = v.name FROM v \
                     WHERE customers.id = v.id AND customers.display_name IS NULL",
                );
                qb.build().execute(&mut *$conn).await?;
            }

            let reviews: Vec<(usize, i64, f64, String)> = plan
                .candidates
                .iter()
                .filter_map(|c| target_id(&c.customer).map(|candidate| (c, candidate)))
                .filter(|(c, candidate)| {
                    decided[c.item].0.is_some_and(|own| own != resolved(*candidate))
                })
                .map(|(c, candidate)| {
                    (
                        c.item,
                        candidate,
                        c.score,
                        serde_json::to_string(&c.reasons).unwrap_or_default(),
                    )
                })
                .collect();
            let links = decided
                .into_iter()
                .map(|(c, method, reasons)| (c.map(resolved), method, reasons))
                .collect();
            $crate::store::decide::Decided {
                links,
                reviews,
                new_customers: plan.new_customers.len(),
            }
    }};
}
pub(crate) use link_decide;

/// Inserts review candidates `$rows` (`&[(item id, candidate customer, score, reasons JSON)]`)
/// on `$conn`; a candidate already proposed for the item is left as it was decided.
macro_rules! insert_reviews {
    ($conn:ident, $rows:expr, $now:expr) => {
        let rows: &[(i64, i64, f64, &str)] = $rows;
        for chunk in rows.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO link_reviews (item_id, candidate_id, score, reasons, created_at) ",
            );
            qb.push_values(chunk, |mut b, (item, candidate, score, reasons)| {
                b.push_bind(*item)
                    .push_bind(*candidate)
                    .push_bind(*score)
                    .push_bind(*reasons)
                    .push_bind($now);
            });
            qb.push(" ON CONFLICT (item_id, candidate_id) DO NOTHING");
            qb.build().execute(&mut *$conn).await?;
        }
    };
}
pub(crate) use insert_reviews;
