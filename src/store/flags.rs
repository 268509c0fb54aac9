//! Advisory flags: raised by the rules, reviewed by people, expiring on their own.

use super::batch::now;
use super::{dispatch, FlagDraft, FlagRow, FlagWrite, Store, StoreError};
use crate::domain::UnixTime;

const FLAG_COLUMNS: &str = "f.id, f.kind, f.customer_id, c.customer_key, c.display_name, f.state, \
     f.window_start, f.window_end, f.figures, f.threshold, f.created_at, f.expires_at";

type FlagTuple = (
    i64,
    String,
    i64,
    String,
    Option<String>,
    String,
    i64,
    i64,
    String,
    String,
    i64,
    i64,
);

fn to_row(t: FlagTuple) -> FlagRow {
    FlagRow {
        id: t.0,
        kind: t.1,
        customer_id: t.2,
        customer_key: t.3,
        customer_name: t.4,
        state: t.5,
        window_start: t.6,
        window_end: t.7,
        figures: t.8,
        threshold: t.9,
        created_at: t.10,
        expires_at: t.11,
    }
}

impl Store {
    /// Raises a flag, or refreshes the open one of the same kind for the customer, with its
    /// evidence items. A flag a reviewer acknowledged or dismissed is left alone until it
    /// expires, so a reviewed pattern is not raised again for the same window.
    pub async fn record_flag(
        &self,
        draft: &FlagDraft,
        evidence: &[i64],
    ) -> Result<FlagWrite, StoreError> {
        let now = now();
        let figures = draft.figures.to_string();
        let threshold = draft.threshold.to_string();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let existing: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, state FROM flags WHERE customer_id = $1 AND kind = $2 AND expires_at > $3 \
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(draft.customer_id)
            .bind(draft.kind.as_str())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let write = match existing {
                Some((id, state)) if state != "open" => FlagWrite::AlreadyReviewed(id),
                Some((id, _)) => {
                    sqlx::query(
                        "UPDATE flags SET window_start = $1, window_end = $2, figures = $3, threshold = $4, updated_at = $5 WHERE id = $6",
                    )
                    .bind(draft.window_start)
                    .bind(draft.window_end)
                    .bind(figures.as_str())
                    .bind(threshold.as_str())
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    FlagWrite::Refreshed(id)
                }
                None => {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO flags (customer_id, kind, window_start, window_end, figures, threshold, state, created_at, updated_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7, $8) RETURNING id",
                    )
                    .bind(draft.customer_id)
                    .bind(draft.kind.as_str())
                    .bind(draft.window_start)
                    .bind(draft.window_end)
                    .bind(figures.as_str())
                    .bind(threshold.as_str())
                    .bind(now)
                    .bind(draft.expires_at)
                    .fetch_one(&mut *tx)
                    .await?;
                    FlagWrite::Raised(id)
                }
            };
            if let FlagWrite::Raised(id) | FlagWrite::Refreshed(id) = write {
                for chunk in evidence.chunks(super::batch::ROWS_PER_STATEMENT) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO flag_evidence (flag_id, item_id) ");
                    qb.push_values(chunk, |mut b, item| {
                        b.push_bind(id).push_bind(*item);
                    });
                    qb.push(" ON CONFLICT DO NOTHING");
                    qb.build().execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            Ok(write)
        })
    }

    /// Flags, newest first. `since` keeps those raised at or after it; `include_expired`
    /// keeps expired ones too.
    pub async fn flags(
        &self,
        since: Option<UnixTime>,
        include_expired: bool,
    ) -> Result<Vec<FlagRow>, StoreError> {
        let sql = format!(
            "SELECT {FLAG_COLUMNS} FROM flags f JOIN customers c ON c.id = f.customer_id \
             WHERE f.created_at >= $1 AND ($2 OR f.expires_at > $3) ORDER BY f.id DESC"
        );
        let rows: Vec<FlagTuple> = dispatch!(read self, pool => sqlx::query_as(&sql)
            .bind(since.unwrap_or(0))
            .bind(include_expired)
            .bind(now())
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(to_row).collect())
    }

    /// Open, unexpired flags.
    pub async fn open_flag_count(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = dispatch!(read self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM flags WHERE state = 'open' AND expires_at > $1",
        )
        .bind(now())
        .fetch_one(pool)
        .await)?;
        Ok(n)
    }

    /// The evidence of a flag: item references, oldest first.
    pub async fn flag_evidence(
        &self,
        flag_id: i64,
    ) -> Result<Vec<(i64, String, UnixTime)>, StoreError> {
        Ok(dispatch!(read self, pool => sqlx::query_as(
            "SELECT i.id, i.item_ref, i.occurred_at FROM flag_evidence e JOIN items i ON i.id = e.item_id \
             WHERE e.flag_id = $1 ORDER BY i.occurred_at, i.id",
        )
        .bind(flag_id)
        .fetch_all(pool)
        .await)?)
    }
}
