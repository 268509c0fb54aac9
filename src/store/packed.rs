//! Whole-table reads from SQLite packed into text: SQLite builds one string per range of ids
//! (`group_concat` of each row's fields), and Rust splits it. sqlx hands every result row
//! through its worker thread on its own, which costs a few microseconds a row: reading a
//! million contacts as rows took about 4 s, packed it takes well under one (see
//! docs/benchmarks.md, flags recompute). Used where a stage reads every row of a table.
//!
//! The format is self-delimiting, so no value can break it: an integer is its decimal digits
//! and `,`; a text is its length in bytes, `:` and its bytes (`-1:` for NULL). [`int_field`]
//! and [`text_field`] write those as SQL; [`Fields`] reads them back.

use super::StoreError;
use futures::{StreamExt, TryStreamExt};
use sqlx::SqlitePool;

/// Ids per packed query: about 2–3 MB of text for a range of contacts.
const IDS_PER_QUERY: i64 = 65_536;

/// Queries in flight at once, on the read pool's connections.
const QUERIES_AT_ONCE: usize = 3;

/// SQL that writes the integer expression `expr` as a packed field.
pub(super) fn int_field(expr: &str) -> String {
    format!("({expr}) || ','")
}

/// SQL that writes the text expression `expr` (NULL allowed) as a packed field.
pub(super) fn text_field(expr: &str) -> String {
    format!("COALESCE(length(CAST(({expr}) AS BLOB)), -1) || ':' || COALESCE(({expr}), '')")
}

/// Runs `sql` once per range of ids up to `max_id`, binding each range as `$1 < id <= $2`,
/// a few ranges at once, and returns the packed texts in range order. `sql` selects one
/// `group_concat(…, '')` column over the rows of its range.
async fn read(pool: &SqlitePool, sql: &str, max_id: i64) -> Result<Vec<String>, StoreError> {
    let ranges: Vec<(i64, i64)> = (0..=max_id.max(0) / IDS_PER_QUERY)
        .map(|i| (i * IDS_PER_QUERY, (i + 1) * IDS_PER_QUERY))
        .collect();
    futures::stream::iter(ranges)
        .map(|(after, upto)| async move {
            let (text,): (Option<String>,) = sqlx::query_as(sql)
                .bind(after)
                .bind(upto)
                .fetch_one(pool)
                .await?;
            Ok::<_, StoreError>(text.unwrap_or_default())
        })
        .buffered(QUERIES_AT_ONCE)
        .try_collect()
        .await
}

/// Runs `sql` as [`read`] does and turns each packed row into a `T` with `row`, in range
/// order.
pub(super) async fn rows<T>(
    pool: &SqlitePool,
    sql: &str,
    max_id: i64,
    mut row: impl FnMut(&mut Fields<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    for text in read(pool, sql, max_id).await? {
        let mut fields = Fields::new(&text);
        while !fields.is_empty() {
            out.push(row(&mut fields)?);
        }
    }
    Ok(out)
}

/// Reads the fields of packed rows in order.
pub(super) struct Fields<'a> {
    rest: &'a str,
}

impl<'a> Fields<'a> {
    /// The fields of `packed`.
    pub(super) fn new(packed: &'a str) -> Self {
        Self { rest: packed }
    }

    /// Whether every field has been read.
    pub(super) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next integer field.
    pub(super) fn int(&mut self) -> Result<i64, StoreError> {
        let (digits, rest) = self
            .rest
            .split_once(',')
            .ok_or_else(|| corrupt("an integer field has no end"))?;
        self.rest = rest;
        digits
            .parse()
            .map_err(|_| corrupt(&format!("{digits:?} is not an integer")))
    }

    /// The next text field (`None` for NULL).
    pub(super) fn text(&mut self) -> Result<Option<&'a str>, StoreError> {
        let (len, rest) = self
            .rest
            .split_once(':')
            .ok_or_else(|| corrupt("a text field has no length"))?;
        let len: i64 = len
            .parse()
            .map_err(|_| corrupt(&format!("{len:?} is not a text length")))?;
        let Ok(len) = usize::try_from(len) else {
            self.rest = rest;
            return Ok(None);
        };
        let text = rest
            .get(..len)
            .ok_or_else(|| corrupt("a text field is shorter than its length"))?;
        self.rest = &rest[len..];
        Ok(Some(text))
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!(
        "packed read: {what}; this is a bug in Tidings, please report it"
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn fields_read_back_integers_texts_and_nulls_whatever_they_hold() {
        let tricky = "a,b:c\u{1e}é";
        let packed = format!("12,-3,{}:{tricky}-1:0:7,", tricky.len());
        let mut f = Fields::new(&packed);
        assert_eq!(f.int().unwrap(), 12);
        assert_eq!(f.int().unwrap(), -3);
        assert_eq!(f.text().unwrap(), Some(tricky));
        assert_eq!(f.text().unwrap(), None);
        assert_eq!(f.text().unwrap(), Some(""));
        assert_eq!(f.int().unwrap(), 7);
        assert!(f.is_empty());
    }

    #[test]
    fn damaged_text_is_an_error_not_a_panic() {
        for bad in ["12", "x,", "5:abc", "1:é", "q:"] {
            let mut f = Fields::new(bad);
            let read = if bad.contains(':') {
                f.text().map(|_| ())
            } else {
                f.int().map(|_| ())
            };
            assert!(matches!(read, Err(StoreError::Corrupt(_))), "{bad}");
        }
    }

    #[tokio::test]
    async fn sqlite_packs_what_fields_reads() {
        let pool = SqlitePool::connect("sqlite::memory:").await.unwrap();
        sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT)")
            .execute(&pool)
            .await
            .unwrap();
        for (id, s) in [(1, Some("plain")), (2, None), (70_000, Some("a,b:\u{1e}ü"))] {
            sqlx::query("INSERT INTO t VALUES ($1, $2, $3)")
                .bind(id)
                .bind(id * 10)
                .bind(s)
                .execute(&pool)
                .await
                .unwrap();
        }
        let sql = format!(
            "SELECT group_concat({} || {} || {}, '') FROM t WHERE id > $1 AND id <= $2",
            int_field("id"),
            int_field("n"),
            text_field("s")
        );
        let mut rows = Vec::new();
        for text in read(&pool, &sql, 70_000).await.unwrap() {
            let mut f = Fields::new(&text);
            while !f.is_empty() {
                rows.push((
                    f.int().unwrap(),
                    f.int().unwrap(),
                    f.text().unwrap().map(str::to_owned),
                ));
            }
        }
        assert_eq!(
            rows,
            vec![
                (1, 10, Some("plain".to_owned())),
                (2, 20, None),
                (70_000, 700_000, Some("a,b:\u{1e}ü".to_owned())),
            ]
        );
    }
}
