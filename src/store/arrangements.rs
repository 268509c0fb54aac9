//! Contact arrangements and their history, and staff absences (for the deputy rule). Dates
//! are kept as `YYYY-MM-DD` text (local calendar days), which sorts and compares as dates.

use super::batch::now;
use super::{dispatch, Store, StoreError};
use crate::arrangements::{
    Arrangement, ArrangementEvent, ArrangementKind, NewArrangement, Renewal,
};
use crate::domain::EmailAddress;
use chrono::NaiveDate;

/// One `arrangements` row joined with its customer's key.
#[derive(sqlx::FromRow)]
struct ArrangementRow {
    id: i64,
    customer_id: i64,
    customer_key: String,
    kind: String,
    nominated: Option<String>,
    deputy: Option<String>,
    frequency_days: Option<i64>,
    service_areas: String,
    decided_on: String,
    attendees: String,
    authorised_by: String,
    reasons: String,
    told_on: String,
    review_on: String,
    created_at: i64,
    ended_at: Option<i64>,
    ended_reason: Option<String>,
}

const COLUMNS: &str = "a.id, a.customer_id, c.customer_key, a.kind, a.nominated, a.deputy, a.frequency_days, \
    a.service_areas, a.decided_on, a.attendees, a.authorised_by, a.reasons, a.told_on, a.review_on, \
    a.created_at, a.ended_at, a.ended_reason FROM arrangements a JOIN customers c ON c.id = a.customer_id";

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_day(id: i64, text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        StoreError::Corrupt(format!("arrangement {id} has an unreadable date {text:?}"))
    })
}

fn parse_address(id: i64, text: &str) -> Result<EmailAddress, StoreError> {
    EmailAddress::parse(text).map_err(|_| {
        StoreError::Corrupt(format!(
            "arrangement {id} has an unreadable address {text:?}"
        ))
    })
}

fn list(text: &str) -> Vec<&str> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

fn arrangement(row: ArrangementRow) -> Result<Arrangement, StoreError> {
    let ArrangementRow {
        id,
        customer_id,
        customer_key,
        kind,
        nominated,
        deputy,
        frequency_days,
        service_areas,
        decided_on,
        attendees,
        authorised_by,
        reasons,
        told_on,
        review_on,
        created_at,
        ended_at,
        ended_reason,
    } = row;
    Ok(Arrangement {
        id,
        customer_id,
        customer_key,
        kind: ArrangementKind::parse(&kind).ok_or_else(|| {
            StoreError::Corrupt(format!("arrangement {id} has an unknown kind {kind:?}"))
        })?,
        nominated: nominated
            .as_deref()
            .map(|a| parse_address(id, a))
            .transpose()?,
        deputy: deputy
            .as_deref()
            .map(|a| parse_address(id, a))
            .transpose()?,
        frequency_days: frequency_days.and_then(|d| u32::try_from(d).ok()),
        service_areas: list(&service_areas)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        decided_on: parse_day(id, &decided_on)?,
        attendees: list(&attendees)
            .into_iter()
            .map(|a| parse_address(id, a))
            .collect::<Result<_, _>>()?,
        authorised_by: parse_address(id, &authorised_by)?,
        reasons,
        told_on: parse_day(id, &told_on)?,
        review_on: parse_day(id, &review_on)?,
        created_at,
        ended_at,
        ended_reason,
    })
}

impl Store {
    /// Records an arrangement for the customer with `customer_key`, with its `added` history
    /// entry, in one transaction. Returns its id, or None when there is no such customer.
    pub async fn add_arrangement(
        &self,
        customer_key: &str,
        new: &NewArrangement,
    ) -> Result<Option<i64>, StoreError> {
        let now = now();
        let attendees: Vec<&str> = new.attendees.iter().map(EmailAddress::as_str).collect();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let customer: Option<(i64,)> = sqlx::query_as("SELECT id FROM customers WHERE customer_key = $1")
                .bind(customer_key)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((customer_id,)) = customer else {
                return Ok(None);
            };
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO arrangements (customer_id, kind, nominated, deputy, frequency_days, service_areas, decided_on, \
                 attendees, authorised_by, reasons, told_on, review_on, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            )
            .bind(customer_id)
            .bind(new.kind.as_str())
            .bind(new.nominated.as_ref().map(EmailAddress::as_str))
            .bind(new.deputy.as_ref().map(EmailAddress::as_str))
            .bind(new.frequency_days.map(i64::from))
            .bind(new.service_areas.join(", "))
            .bind(day(new.decided_on))
            .bind(attendees.join(", "))
            .bind(new.authorised_by.as_str())
            .bind(new.reasons.as_str())
            .bind(day(new.told_on))
            .bind(day(new.review_on))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO arrangement_events (arrangement_id, action, at, by_whom, reasons, review_on) VALUES ($1, 'added', $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(now)
            .bind(new.authorised_by.as_str())
            .bind(new.reasons.as_str())
            .bind(day(new.review_on))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(id))
        })
    }

    /// One arrangement.
    pub async fn arrangement(&self, id: i64) -> Result<Option<Arrangement>, StoreError> {
        let sql = format!("SELECT {COLUMNS} WHERE a.id = $1");
        let row: Option<ArrangementRow> = dispatch!(read self, pool => sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        row.map(arrangement).transpose()
    }

    /// Every arrangement (of one customer when `customer_key` is given), oldest first.
    pub async fn arrangements(
        &self,
        customer_key: Option<&str>,
    ) -> Result<Vec<Arrangement>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} WHERE ($1 IS NULL OR c.customer_key = $1) ORDER BY a.id");
        let rows: Vec<ArrangementRow> = dispatch!(read self, pool => sqlx::query_as(&sql)
            .bind(customer_key)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(arrangement).collect()
    }

    /// Arrangements in force on `today`: not ended, review date not passed. Oldest first.
    pub async fn active_arrangements(
        &self,
        today: NaiveDate,
    ) -> Result<Vec<Arrangement>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} WHERE a.ended_at IS NULL AND a.review_on >= $1 ORDER BY a.id"
        );
        let rows: Vec<ArrangementRow> = dispatch!(read self, pool => sqlx::query_as(&sql)
            .bind(day(today))
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(arrangement).collect()
    }

    /// An arrangement's history, oldest first.
    pub async fn arrangement_history(&self, id: i64) -> Result<Vec<ArrangementEvent>, StoreError> {
        let rows: Vec<(String, i64, String, String, Option<String>)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT action, at, by_whom, reasons, review_on FROM arrangement_events WHERE arrangement_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|(action, at, by, reasons, review_on)| {
                Ok(ArrangementEvent {
                    action,
                    at,
                    by,
                    reasons,
                    review_on: review_on.as_deref().map(|d| parse_day(id, d)).transpose()?,
                })
            })
            .collect()
    }

    /// Renews an arrangement that has not been ended: new review date, history entry.
    /// Returns false when there is no such arrangement or it was ended.
    pub async fn renew_arrangement(&self, id: i64, renewal: &Renewal) -> Result<bool, StoreError> {
        let now = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query("UPDATE arrangements SET review_on = $1 WHERE id = $2 AND ended_at IS NULL")
                .bind(day(renewal.review_on))
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 0 {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO arrangement_events (arrangement_id, action, at, by_whom, reasons, review_on) VALUES ($1, 'renewed', $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(now)
            .bind(renewal.authorised_by.as_str())
            .bind(renewal.reasons.as_str())
            .bind(day(renewal.review_on))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Ends an arrangement early, with reasons and who recorded it. Returns false when there
    /// is no such arrangement or it was already ended.
    pub async fn end_arrangement(
        &self,
        id: i64,
        by: &str,
        reasons: &str,
    ) -> Result<bool, StoreError> {
        let now = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query("UPDATE arrangements SET ended_at = $1, ended_reason = $2 WHERE id = $3 AND ended_at IS NULL")
                .bind(now)
                .bind(reasons)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 0 {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO arrangement_events (arrangement_id, action, at, by_whom, reasons, review_on) VALUES ($1, 'ended', $2, $3, $4, NULL)",
            )
            .bind(id)
            .bind(now)
            .bind(by)
            .bind(reasons)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Records that `email` is absent from `from` to `until` (both days included).
    pub async fn add_absence(
        &self,
        email: &EmailAddress,
        from: NaiveDate,
        until: NaiveDate,
    ) -> Result<(), StoreError> {
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO staff_absences (email, from_on, until_on, recorded_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(email.as_str())
        .bind(day(from))
        .bind(day(until))
        .bind(now())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Staff absent on `today`, with the last day of their absence.
    pub async fn absent_on(
        &self,
        today: NaiveDate,
    ) -> Result<Vec<(EmailAddress, NaiveDate)>, StoreError> {
        let rows: Vec<(String, String)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT email, MAX(until_on) FROM staff_absences WHERE from_on <= $1 AND until_on >= $1 GROUP BY email ORDER BY email",
        )
        .bind(day(today))
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|(email, until)| Ok((parse_address(0, &email)?, parse_day(0, &until)?)))
            .collect()
    }
}
