//! Writing the parts of raw items: staff, items (with what each was found with, for the link
//! stage), item↔staff and quarantine rows. Shared by the ingest batch (new raw items) and by the later stages that
//! read a kept raw item again (OCR of a letter, a quarantine retry).

/// Writes `(raw_id, part)` pairs inside the caller's transaction (`$tx`: a `&mut` to it);
/// evaluates to a
/// [`BatchOutcome`](crate::store::BatchOutcome) (`stored`, `duplicates`, `quarantined`,
/// `linked`). With `$decide`, and nothing stored waiting for the link stage, the link stage's
/// code decides the new items' customers first (earliest contact first, as the stage would)
/// and each row is written once with its decision; otherwise the items wait for the stage.
macro_rules! write_parts {
    ($tx:expr, $parts:expr, $now:expr, $decide:expr) => {{
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
        // 5. What each item was found with (`link_input`), for the link stage; and, when
        // nothing stored is still waiting for it, the stage's decisions for the new items.
        let link_inputs: Vec<Option<String>> = items
            .iter()
            .map(|(_, _, item)| {
                item.customer
                    .as_ref()
                    .map(|c| serde_json::to_string(c).expect("a customer reference serialises"))
            })
            .collect();
        let mut decisions: Vec<Option<usize>> = vec![None; items.len()];
        let mut decided: Option<$crate::store::decide::Decided> = None;
        let decide_now = $decide && {
            let waiting: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM items WHERE linked_at IS NULL AND link_input IS NOT NULL LIMIT 1",
            )
            .fetch_optional(&mut **tx)
            .await?;
            waiting.is_none()
        };
        if decide_now {
            // Only items that will be written: not one whose dedupe key is stored already,
            // nor a second of the same key in this batch.
            let keys: Vec<&str> = items
                .iter()
                .filter_map(|(_, p, _)| p.dedupe_key.as_deref())
                .collect();
            let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
            for chunk in keys.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                let mut qb =
                    sqlx::QueryBuilder::new("SELECT dedupe_key FROM items WHERE dedupe_key IN (");
                let mut list = qb.separated(", ");
                for key in chunk {
                    list.push_bind(*key);
                }
                qb.push(")");
                let rows: Vec<(String,)> = qb.build_query_as().fetch_all(&mut **tx).await?;
                taken.extend(rows.into_iter().map(|(k,)| k));
            }
            let mut order: Vec<usize> = (0..items.len())
                .filter(|i| {
                    // The key is taken by the first part that has it, customer or not.
                    let (_, part, item) = items[*i];
                    let written = part
                        .dedupe_key
                        .as_ref()
                        .is_none_or(|k| taken.insert(k.clone()));
                    written && item.customer.is_some()
                })
                .collect();
            order.sort_by_key(|i| (items[*i].2.occurred_at, *i));
            let refs: Vec<&$crate::store::CustomerRef> = order
                .iter()
                .filter_map(|i| items[*i].2.customer.as_ref())
                .collect();
            if !refs.is_empty() {
                let conn = &mut **tx;
                decided = Some($crate::store::decide::link_decide!(conn, &refs, now));
                for (k, i) in order.iter().enumerate() {
                    decisions[*i] = Some(k);
                }
            }
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
            .zip(&link_inputs)
            .zip(&decisions)
            .map(
                |(((raw_id, part, item), link_input), k)| $crate::store::bulk::ItemRow {
                    raw_id: *raw_id,
                    part: part.part,
                    dedupe_key: part.dedupe_key.as_deref(),
                    item,
                    link_input: link_input.as_deref(),
                    link: k.zip(decided.as_ref()).map(|(k, d)| {
                        let (customer, method, reasons) = &d.links[k];
                        $crate::store::bulk::ItemLink {
                            customer: *customer,
                            method: method.as_str(),
                            confidence: method.confidence(),
                            reasons: reasons.as_str(),
                            at: now,
                        }
                    }),
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

        // The decisions' review candidates, now that the items have ids.
        let mut linked = $crate::store::LinkPass::default();
        if let Some(d) = &decided {
            let mut ids: Vec<Option<i64>> = vec![None; d.links.len()];
            for ((raw_id, part, _), k) in items.iter().zip(&decisions) {
                if let (Some(k), Some(id)) = (k, inserted.get(&(*raw_id, part.part))) {
                    ids[*k] = Some(*id);
                }
            }
            let reviews: Vec<(i64, i64, f64, &str)> = d
                .reviews
                .iter()
                .filter_map(|(k, candidate, score, reasons)| {
                    Some((ids[*k]?, *candidate, *score, reasons.as_str()))
                })
                .collect();
            let conn = &mut **tx;
            $crate::store::decide::insert_reviews!(conn, &reviews, now);
            linked = $crate::store::LinkPass {
                decided: ids.iter().flatten().count(),
                new_customers: d.new_customers,
                candidates: reviews.len(),
            };
        }

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
            linked,
        }
    }};
}
pub(crate) use write_parts;
