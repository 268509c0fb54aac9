//! Bulk inserts on the ingest hot path, one implementation per backend: SQLite takes
//! multi-row `VALUES` (1000 rows a statement); PostgreSQL takes one `UNNEST` of arrays per
//! table and batch, which parses and plans once whatever the batch size.

use super::batch::ROWS_PER_STATEMENT;
use super::{Entry, ItemRecord};
use crate::domain::UnixTime;
use sqlx::{PgConnection, QueryBuilder, SqliteConnection};

/// One item row: the raw item and part it comes from, the record and what the link stage will
/// decide its customer from (JSON of its customer reference).
pub(crate) struct ItemRow<'a> {
    pub raw_id: i64,
    pub part: i64,
    pub dedupe_key: Option<&'a str>,
    pub item: &'a ItemRecord,
    pub link_input: Option<&'a str>,
    /// The link stage's decision, when it was made before the row is written.
    pub link: Option<ItemLink<'a>>,
}

/// A link decision written with its item: customer, method, confidence, reasons, when.
pub(crate) struct ItemLink<'a> {
    pub customer: Option<i64>,
    pub method: &'static str,
    pub confidence: f64,
    pub reasons: &'a str,
    pub at: UnixTime,
}

/// The four hot inserts of a batch.
pub(crate) trait BulkInsert {
    /// Inserts raw items; returns (id, fingerprint) of those that were new.
    async fn insert_raw(
        &mut self,
        rows: &[&Entry],
        now: UnixTime,
    ) -> Result<Vec<(i64, String)>, sqlx::Error>;
    /// Records (source, locator, raw id) sightings; a known place is left as it is.
    async fn insert_sightings(
        &mut self,
        rows: &[(&str, &str, i64)],
        now: UnixTime,
    ) -> Result<(), sqlx::Error>;
    /// Inserts items; returns (id, raw id, part) of those that were new (an item whose dedupe
    /// key or (raw id, part) is already stored is left as it is).
    async fn insert_items(
        &mut self,
        rows: &[ItemRow<'_>],
    ) -> Result<Vec<(i64, i64, i64)>, sqlx::Error>;
    /// Links items to staff.
    async fn insert_item_staff(&mut self, rows: &[(i64, i64)]) -> Result<(), sqlx::Error>;
}

impl BulkInsert for SqliteConnection {
    async fn insert_raw(
        &mut self,
        rows: &[&Entry],
        now: UnixTime,
    ) -> Result<Vec<(i64, String)>, sqlx::Error> {
        let mut out = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO raw_items (fingerprint, channel, size_bytes, content, content_encoding, first_source, first_locator, stored_at, received_at, direction) ",
            );
            qb.push_values(chunk, |mut b, e| {
                b.push_bind(e.fingerprint.as_str())
                    .push_bind(e.channel.as_str())
                    .push_bind(e.size_bytes)
                    .push_bind(e.content.as_ref().map(|c| c.stored_bytes()))
                    .push_bind(e.content.as_ref().map_or("identity", |c| c.encoding()))
                    .push_bind(e.source.as_str())
                    .push_bind(e.locator.as_str())
                    .push_bind(now)
                    .push_bind(e.received_at)
                    .push_bind(e.direction.as_str());
            });
            qb.push(" ON CONFLICT (fingerprint) DO NOTHING RETURNING id, fingerprint");
            out.extend(
                qb.build_query_as::<(i64, String)>()
                    .fetch_all(&mut *self)
                    .await?,
            );
        }
        Ok(out)
    }

    async fn insert_sightings(
        &mut self,
        rows: &[(&str, &str, i64)],
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut qb =
                QueryBuilder::new("INSERT INTO sightings (source, locator, raw_id, seen_at) ");
            qb.push_values(chunk, |mut b, (source, locator, id)| {
                b.push_bind(*source)
                    .push_bind(*locator)
                    .push_bind(*id)
                    .push_bind(now);
            });
            qb.push(" ON CONFLICT (source, locator) DO NOTHING");
            qb.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn insert_items(
        &mut self,
        rows: &[ItemRow<'_>],
    ) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
        let mut out = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO items (raw_id, part, dedupe_key, item_ref, channel, direction, occurred_at, link_input, counterpart, subject, excerpt, thread_key, automated, details, body, customer_id, link_method, link_confidence, link_reasons, linked_at) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.raw_id)
                    .push_bind(r.part)
                    .push_bind(r.dedupe_key)
                    .push_bind(r.item.item_ref.as_str())
                    .push_bind(r.item.channel.as_str())
                    .push_bind(r.item.direction.as_str())
                    .push_bind(r.item.occurred_at)
                    .push_bind(r.link_input)
                    .push_bind(r.item.counterpart.as_deref())
                    .push_bind(r.item.subject.as_deref())
                    .push_bind(r.item.excerpt.as_deref())
                    .push_bind(r.item.thread_key.as_deref())
                    .push_bind(r.item.automated)
                    .push_bind(r.item.details.as_deref())
                    .push_bind(r.item.body.as_deref())
                    .push_bind(r.link.as_ref().and_then(|l| l.customer))
                    .push_bind(r.link.as_ref().map(|l| l.method))
                    .push_bind(r.link.as_ref().map(|l| l.confidence))
                    .push_bind(r.link.as_ref().map(|l| l.reasons))
                    .push_bind(r.link.as_ref().map(|l| l.at));
            });
            qb.push(" ON CONFLICT DO NOTHING RETURNING id, raw_id, part");
            out.extend(
                qb.build_query_as::<(i64, i64, i64)>()
                    .fetch_all(&mut *self)
                    .await?,
            );
        }
        Ok(out)
    }

    async fn insert_item_staff(&mut self, rows: &[(i64, i64)]) -> Result<(), sqlx::Error> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut qb = QueryBuilder::new("INSERT INTO item_staff (item_id, staff_id) ");
            qb.push_values(chunk, |mut b, (item_id, staff_id)| {
                b.push_bind(*item_id).push_bind(*staff_id);
            });
            qb.push(" ON CONFLICT DO NOTHING");
            qb.build().execute(&mut *self).await?;
        }
        Ok(())
    }
}

impl BulkInsert for PgConnection {
    async fn insert_raw(
        &mut self,
        rows: &[&Entry],
        now: UnixTime,
    ) -> Result<Vec<(i64, String)>, sqlx::Error> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query_as(
            "INSERT INTO raw_items (fingerprint, channel, size_bytes, content, content_encoding, first_source, first_locator, stored_at, received_at, direction) \
             SELECT f, c, s, b, enc, src, loc, $8, rcv, dir FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bytea[], $5::text[], $6::text[], $7::text[], \
                                                            $9::bigint[], $10::text[]) \
             AS t(f, c, s, b, enc, src, loc, rcv, dir) ON CONFLICT (fingerprint) DO NOTHING RETURNING id, fingerprint",
        )
        .bind(rows.iter().map(|e| e.fingerprint.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|e| e.channel.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|e| e.size_bytes).collect::<Vec<_>>())
        .bind(rows.iter().map(|e| e.content.as_ref().map(|c| c.stored_bytes())).collect::<Vec<_>>())
        .bind(rows.iter().map(|e| e.content.as_ref().map_or("identity", |c| c.encoding())).collect::<Vec<_>>())
        .bind(rows.iter().map(|e| e.source.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|e| e.locator.as_str()).collect::<Vec<_>>())
        .bind(now)
        .bind(rows.iter().map(|e| e.received_at).collect::<Vec<_>>())
        .bind(rows.iter().map(|e| e.direction.as_str()).collect::<Vec<_>>())
        .fetch_all(&mut *self)
        .await
    }

    async fn insert_sightings(
        &mut self,
        rows: &[(&str, &str, i64)],
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        if rows.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO sightings (source, locator, raw_id, seen_at) \
             SELECT s, l, r, $4 FROM UNNEST($1::text[], $2::text[], $3::bigint[]) AS t(s, l, r) \
             ON CONFLICT (source, locator) DO NOTHING",
        )
        .bind(rows.iter().map(|r| r.0).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2).collect::<Vec<_>>())
        .bind(now)
        .execute(&mut *self)
        .await?;
        Ok(())
    }

    async fn insert_items(
        &mut self,
        rows: &[ItemRow<'_>],
    ) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query_as(
            "INSERT INTO items (raw_id, part, dedupe_key, item_ref, channel, direction, occurred_at, link_input, counterpart, subject, excerpt, thread_key, automated, details, body, \
                                customer_id, link_method, link_confidence, link_reasons, linked_at) \
             SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], \
                                  $9::text[], $10::text[], $11::text[], $12::text[], $13::boolean[], $14::text[], $15::text[], \
                                  $16::bigint[], $17::text[], $18::float8[], $19::text[], $20::bigint[]) \
             ON CONFLICT DO NOTHING RETURNING id, raw_id, part::bigint",
        )
        .bind(rows.iter().map(|r| r.raw_id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.part).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.dedupe_key).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.item.item_ref.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.item.channel.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.item.direction.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.item.occurred_at).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.link_input).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.item.counterpart.as_deref()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.item.subject.as_deref()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.item.excerpt.as_deref()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.item.thread_key.as_deref()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.item.automated).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.item.details.as_deref()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.item.body.as_deref()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.link.as_ref().and_then(|l| l.customer)).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.link.as_ref().map(|l| l.method)).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.link.as_ref().map(|l| l.confidence)).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.link.as_ref().map(|l| l.reasons)).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.link.as_ref().map(|l| l.at)).collect::<Vec<_>>())
        .fetch_all(&mut *self)
        .await
    }

    async fn insert_item_staff(&mut self, rows: &[(i64, i64)]) -> Result<(), sqlx::Error> {
        if rows.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO item_staff (item_id, staff_id) SELECT * FROM UNNEST($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING",
        )
        .bind(rows.iter().map(|r| r.0).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1).collect::<Vec<_>>())
        .execute(&mut *self)
        .await?;
        Ok(())
    }
}
