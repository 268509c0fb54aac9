//! Writing the parts of raw items: customers and identifiers, staff, items, item↔staff and
//! quarantine rows. Shared by the ingest batch (new raw items) and by the later stages that
//! read a kept raw item again (OCR of a letter, a quarantine retry).

/// Writes `(raw_id, part)` pairs inside the caller's transaction (`$tx`: a `&mut` to it);
/// evaluates to a
/// [`BatchOutcome`](crate::store::BatchOutcome) (`stored`, `duplicates`, `quarantined`).
macro_rules! write_parts {
    ($tx:expr, $parts:expr, $now:expr) => {{
        let parts: &[(i64, &$crate::store::Part)] = $parts;
        let now: $crate::domain::UnixTime = $now;
        let tx = &mut *$tx;
        let items: Vec<(i64, &$crate::store::Part, &$crate::store::ItemRecord)> = parts
            .iter()
            .filter_map(|(raw_id, p)| match &p.outcome {
                $crate::store::PartOutcome::Item(item) => Some((*raw_id, *p, &**item)),
                $crate::store::PartOutcome::Quarantined { .. } => None,
            })
            .collect();
        let quarantined: Vec<(i64, i64, &str)> = parts
            .iter()
            .filter_map(|(raw_id, p)| match &p.outcome {
                $crate::store::PartOutcome::Quarantined { reason } => {
                    Some((*raw_id, p.part, reason.as_str()))
                }
                $crate::store::PartOutcome::Item(_) => None,
            })
            .collect();
        // 5. Customers: every identifier the batch names is looked up once; the pure
        // resolver (pipeline::identity) plans which customer each item belongs to, which new
        // customers to create (keys derived from their primary identifier) and which
        // identifiers to attach; then the primary identifiers are read back, because another
        // writer may have linked one first — what won is what the items get.
        let (ref_items, refs): (Vec<usize>, Vec<&$crate::store::CustomerRef>) = items
            .iter()
            .enumerate()
            .filter_map(|(n, (_, _, item))| item.customer.as_ref().map(|c| (n, c)))
            .unzip();
        let mut customer_ids: std::collections::HashMap<(String, String), i64> =
            std::collections::HashMap::new();
        // One query per identifier kind: `kind = $1 AND value IN (…)` uses the primary key
        // on both backends (a row-value IN list does not on PostgreSQL).
        macro_rules! lookup_identifiers {
            ($ids:expr) => {
                let ids: Vec<(&str, &str)> = $ids;
                let mut kinds: Vec<&str> = ids.iter().map(|(k, _)| *k).collect();
                kinds.sort_unstable();
                kinds.dedup();
                for kind in kinds {
                    let mut values: Vec<&str> = ids
                        .iter()
                        .filter(|(k, _)| *k == kind)
                        .map(|(_, v)| *v)
                        .collect();
                    values.sort_unstable();
                    values.dedup();
                    for chunk in values.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                        // A customer named by its key (a file note) is found by that key.
                        let mut qb = if kind == $crate::store::KEY_KIND {
                            sqlx::QueryBuilder::new(
                                "SELECT customer_key, id FROM customers WHERE customer_key IN (",
                            )
                        } else {
                            let mut qb = sqlx::QueryBuilder::new(
                                "SELECT value, customer_id FROM identifiers WHERE kind = ",
                            );
                            qb.push_bind(kind);
                            qb.push(" AND value IN (");
                            qb
                        };
                        let mut list = qb.separated(", ");
                        for value in chunk {
                            list.push_bind(*value);
                        }
                        qb.push(")");
                        let rows: Vec<(String, i64)> =
                            qb.build_query_as().fetch_all(&mut **tx).await?;
                        customer_ids
                            .extend(rows.into_iter().map(|(v, id)| ((kind.to_string(), v), id)));
                    }
                }
            };
        }
        lookup_identifiers!(refs
            .iter()
            .flat_map(|c| {
                std::iter::once((c.identifier_kind.as_str(), c.identifier.as_str()))
                    .chain(c.also.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            })
            .collect());
        // Names of the customers an item's other identifiers point at: a second identifier
        // links only when the names agree.
        let mut names: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
        let candidates: Vec<i64> = {
            let mut c: Vec<i64> = refs
                .iter()
                .flat_map(|r| r.also.iter())
                .filter_map(|id| customer_ids.get(id).copied())
                .collect();
            c.sort_unstable();
            c.dedup();
            c
        };
        for chunk in candidates.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT id, display_name FROM customers WHERE display_name IS NOT NULL AND id IN (",
            );
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(")");
            let rows: Vec<(i64, String)> = qb.build_query_as().fetch_all(&mut **tx).await?;
            names.extend(rows);
        }
        let plan = $crate::pipeline::identity::resolve(&refs, &customer_ids, &names);
        let first_known: Vec<bool> = refs
            .iter()
            .map(|c| customer_ids.contains_key(&(c.identifier_kind.clone(), c.identifier.clone())))
            .collect();
        let mut new_ids: Vec<Option<i64>> = vec![None; plan.new_customers.len()];
        for chunk in plan
            .new_customers
            .chunks($crate::store::batch::ROWS_PER_STATEMENT)
        {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO customers (customer_key, display_name, created_at) ",
            );
            qb.push_values(chunk, |mut b, c| {
                b.push_bind(c.key.as_str())
                    .push_bind(c.display_name.as_deref())
                    .push_bind(now);
            });
            qb.push(" ON CONFLICT (customer_key) DO NOTHING");
            qb.build().execute(&mut **tx).await?;
        }
        if !plan.new_customers.is_empty() {
            let mut by_key = std::collections::HashMap::new();
            for chunk in plan
                .new_customers
                .chunks($crate::store::batch::ROWS_PER_STATEMENT)
            {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT customer_key, id FROM customers WHERE customer_key IN (",
                );
                let mut list = qb.separated(", ");
                for c in chunk {
                    list.push_bind(c.key.as_str());
                }
                qb.push(")");
                let rows: Vec<(String, i64)> = qb.build_query_as().fetch_all(&mut **tx).await?;
                by_key.extend(rows);
            }
            for (slot, c) in new_ids.iter_mut().zip(&plan.new_customers) {
                *slot = by_key.get(&c.key).copied();
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
            qb.build().execute(&mut **tx).await?;
        }
        // What each item's customer is: its primary identifier as stored now (another writer
        // may have won it), else the plan's target.
        let targets: Vec<Option<i64>> = plan
            .targets
            .iter()
            .map(|t| t.as_ref().and_then(target_id))
            .collect();
        // Only primaries that were not known before this batch can have changed hands.
        lookup_identifiers!(refs
            .iter()
            .zip(&first_known)
            .filter(|(_, known)| !**known)
            .map(|(c, _)| (c.identifier_kind.as_str(), c.identifier.as_str()))
            .collect());
        let mut item_customer: Vec<Option<i64>> = vec![None; items.len()];
        for ((n, c), target) in ref_items.iter().zip(&refs).zip(&targets) {
            let stored = customer_ids
                .get(&(c.identifier_kind.clone(), c.identifier.clone()))
                .copied();
            item_customer[*n] = stored.or(*target);
        }

        // 6. Staff members.
        let staff: std::collections::HashMap<&str, &$crate::store::StaffRef> = items
            .iter()
            .flat_map(|(_, _, item)| item.staff.iter())
            .map(|s| (s.email.as_str(), s))
            .collect();
        let staff: Vec<&$crate::store::StaffRef> = staff.into_values().collect();
        let mut staff_ids: std::collections::HashMap<String, i64> =
            std::collections::HashMap::new();
        for chunk in staff.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
            let mut qb =
                sqlx::QueryBuilder::new("INSERT INTO staff (email, display_name, created_at) ");
            qb.push_values(chunk, |mut b, s| {
                b.push_bind(s.email.as_str())
                    .push_bind(s.display_name.as_deref())
                    .push_bind(now);
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

        // 7. Items and who they reached. An item met before (its dedupe key is known) or a
        // part already written is not returned by the insert: it counts as a duplicate.
        let item_rows: Vec<$crate::store::bulk::ItemRow<'_>> = items
            .iter()
            .zip(&item_customer)
            .map(
                |((raw_id, part, item), customer_id)| $crate::store::bulk::ItemRow {
                    raw_id: *raw_id,
                    part: part.part,
                    dedupe_key: part.dedupe_key.as_deref(),
                    item,
                    customer_id: *customer_id,
                },
            )
            .collect();
        let inserted: std::collections::HashMap<(i64, i64), i64> =
            $crate::store::bulk::BulkInsert::insert_items(&mut **tx, &item_rows)
                .await?
                .into_iter()
                .map(|(id, raw_id, part)| ((raw_id, part), id))
                .collect();
        let links: Vec<(i64, i64)> = items
            .iter()
            .filter_map(|(raw_id, part, item)| {
                inserted.get(&(*raw_id, part.part)).map(|id| (*id, *item))
            })
            .flat_map(|(id, item)| {
                let ids: std::collections::HashSet<i64> = item
                    .staff
                    .iter()
                    .filter_map(|s| staff_ids.get(&s.email).copied())
                    .collect();
                ids.into_iter().map(move |staff_id| (id, staff_id))
            })
            .collect();
        $crate::store::bulk::BulkInsert::insert_item_staff(&mut **tx, &links).await?;

        // 8. Quarantine, with the bytes kept in raw_items for `quarantine retry`.
        for chunk in quarantined.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO quarantine (raw_id, part, source, locator, reason, quarantined_at) ",
            );
            qb.push_values(chunk, |mut b, (raw_id, part, reason)| {
                b.push_bind(*raw_id)
                    .push_bind(*part)
                    .push_unseparated(", (SELECT first_source FROM raw_items WHERE id = ")
                    .push_bind_unseparated(*raw_id)
                    .push_unseparated("), (SELECT first_locator FROM raw_items WHERE id = ")
                    .push_bind_unseparated(*raw_id)
                    .push_unseparated(")")
                    .push_bind(*reason)
                    .push_bind(now);
            });
            qb.push(" ON CONFLICT DO NOTHING");
            qb.build().execute(&mut **tx).await?;
        }
        $crate::store::BatchOutcome {
            stored: inserted.len(),
            duplicates: items.len() - inserted.len(),
            quarantined: quarantined.len(),
            pending: 0,
        }
    }};
}
pub(crate) use write_parts;
