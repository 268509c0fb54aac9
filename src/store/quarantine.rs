//! The quarantine: items that could not be read, kept visible with their reason until they
//! are released (read again successfully) or dismissed by a person with a note.

use super::batch::now;
use super::parts::write_parts;
use super::{dispatch, BatchOutcome, KeptRaw, Part, QuarantineRow, Store, StoreError};
use crate::domain::UnixTime;

/// Where a quarantine entry stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuarantineState {
    /// Still unreadable and waiting for a retry or a decision.
    Open,
    /// Read again successfully and stored; the entry is history.
    Released {
        /// When.
        at: UnixTime,
    },
    /// A person decided it needs nothing more, and said why.
    Dismissed {
        /// When.
        at: UnixTime,
        /// Who.
        by: String,
        /// Why (checked by the guard).
        note: String,
    },
}

/// A quarantine row with its state, for `tidings quarantine list --all`.
#[derive(Clone, Debug)]
pub struct QuarantineEntry {
    /// The row as listed.
    pub row: QuarantineRow,
    /// Open, released or dismissed.
    pub state: QuarantineState,
}

type EntryColumns = (
    i64,
    Option<i64>,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

fn entry(c: EntryColumns) -> QuarantineEntry {
    let (id, raw_id, source, locator, reason, quarantined_at, released, dismissed, by, note) = c;
    let state = match (dismissed, released) {
        (Some(at), _) => QuarantineState::Dismissed {
            at,
            by: by.unwrap_or_default(),
            note: note.unwrap_or_default(),
        },
        (None, Some(at)) => QuarantineState::Released { at },
        (None, None) => QuarantineState::Open,
    };
    QuarantineEntry {
        row: QuarantineRow {
            id,
            raw_id,
            source,
            locator,
            reason,
            quarantined_at,
        },
        state,
    }
}

const ENTRY_COLUMNS: &str = "SELECT id, raw_id, source, locator, reason, quarantined_at, \
     released_at, dismissed_at, dismissed_by, dismissal_note FROM quarantine";

impl Store {
    /// Every quarantine entry, open, released or dismissed, oldest first.
    pub async fn quarantine_all(&self) -> Result<Vec<QuarantineEntry>, StoreError> {
        let sql = format!("{ENTRY_COLUMNS} ORDER BY id");
        let rows: Vec<EntryColumns> =
            dispatch!(read self, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(entry).collect())
    }

    /// One quarantine entry in whatever state, or None when there is no such id.
    pub async fn quarantine_entry(&self, id: i64) -> Result<Option<QuarantineEntry>, StoreError> {
        let sql = format!("{ENTRY_COLUMNS} WHERE id = $1");
        let row: Option<EntryColumns> = dispatch!(read self, pool => sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(entry))
    }

    /// Marks an open entry dismissed by `by` with `note`, which must be non-empty and pass the
    /// guard (it describes what was checked, never the person). Fails with
    /// [`StoreError::NotFound`] when no open entry has this id.
    pub async fn dismiss_quarantined(
        &self,
        id: i64,
        by: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        let note = note.trim();
        if note.is_empty() {
            return Err(StoreError::EmptyNote {
                field: "dismissal note",
            });
        }
        crate::guard::check_free_text("note", note)?;
        let done = dispatch!(self, pool => sqlx::query(
            "UPDATE quarantine SET dismissed_at = $1, dismissed_by = $2, dismissal_note = $3 \
             WHERE id = $4 AND released_at IS NULL AND dismissed_at IS NULL",
        )
        .bind(now())
        .bind(by)
        .bind(note)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound {
                what: "open quarantine entry",
                id: id.to_string(),
            });
        }
        Ok(())
    }

    /// Open quarantine entries (neither released nor dismissed), oldest first.
    pub async fn quarantine_list(&self) -> Result<Vec<QuarantineRow>, StoreError> {
        let rows: Vec<(i64, Option<i64>, String, String, String, i64)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT id, raw_id, source, locator, reason, quarantined_at FROM quarantine \
             WHERE released_at IS NULL AND dismissed_at IS NULL ORDER BY id",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, raw_id, source, locator, reason, quarantined_at)| QuarantineRow {
                    id,
                    raw_id,
                    source,
                    locator,
                    reason,
                    quarantined_at,
                },
            )
            .collect())
    }

    /// Open quarantine rows per source.
    pub async fn quarantine_by_source(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(dispatch!(read self, pool => sqlx::query_as(
            "SELECT source, COUNT(*) FROM quarantine WHERE released_at IS NULL AND dismissed_at IS NULL \
             GROUP BY source ORDER BY source",
        )
        .fetch_all(pool)
        .await)?)
    }

    /// The raw item behind a quarantine entry, as its source handed it over, for a retry.
    /// `None` when the entry does not exist or was already released.
    pub async fn quarantined_raw(&self, quarantine_id: i64) -> Result<Option<KeptRaw>, StoreError> {
        let row: Option<(i64, i64)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT raw_id, part FROM quarantine WHERE id = $1 AND released_at IS NULL AND dismissed_at IS NULL AND raw_id IS NOT NULL",
        )
        .bind(quarantine_id)
        .fetch_optional(pool)
        .await)?;
        match row {
            Some((raw_id, _)) => self.kept_raw(raw_id).await,
            None => Ok(None),
        }
    }

    /// Replaces the quarantine entries of a raw item by what reading it again gave (`parts`)
    /// in one transaction: the entries are released, readable parts become items and parts
    /// still unreadable are quarantined again with their new reason.
    pub async fn retry_quarantined(
        &self,
        raw_id: i64,
        parts: &[Part],
    ) -> Result<BatchOutcome, StoreError> {
        let now = now();
        let pairs: Vec<(i64, &Part)> = parts.iter().map(|p| (raw_id, p)).collect();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE quarantine SET released_at = $1, raw_id = NULL WHERE raw_id = $2 AND released_at IS NULL AND dismissed_at IS NULL")
                .bind(now)
                .bind(raw_id)
                .execute(&mut *tx)
                .await?;
            let outcome = write_parts!(&mut tx, &pairs, now, false);
            tx.commit().await?;
            Ok(outcome)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store_with_two_entries() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/t.db", dir.path().display());
        let store = Store::open(&url).await.expect("store");
        for locator in ["a.eml", "b.eml"] {
            dispatch!(store, pool => sqlx::query(
                "INSERT INTO quarantine (source, locator, reason, quarantined_at) VALUES ('dropfolder', $1, 'unreadable', 1000)",
            )
            .bind(locator)
            .execute(pool)
            .await
            .map(|_| ()))
            .expect("insert");
        }
        (dir, store)
    }

    #[tokio::test]
    async fn a_dismissed_entry_is_kept_but_no_longer_listed_or_counted() {
        let (_dir, store) = store_with_two_entries().await;
        store
            .dismiss_quarantined(1, "j.okafor", "  Duplicate of a letter already logged ")
            .await
            .expect("dismissed");
        let open: Vec<i64> = store
            .quarantine_list()
            .await
            .expect("list")
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(open, vec![2]);
        assert_eq!(store.totals(0, 2000).await.expect("totals").quarantined, 1);
        assert_eq!(store.counts().await.expect("counts").2, 1);
        assert_eq!(
            store.quarantine_by_source().await.expect("by source"),
            vec![("dropfolder".to_string(), 1)]
        );
        let entry = store
            .quarantine_entry(1)
            .await
            .expect("read")
            .expect("kept");
        match entry.state {
            QuarantineState::Dismissed { at, by, note } => {
                assert!(at > 1000);
                assert_eq!(by, "j.okafor");
                assert_eq!(note, "Duplicate of a letter already logged");
            }
            other => panic!("expected dismissed, got {other:?}"),
        }
        assert_eq!(store.quarantine_all().await.expect("all").len(), 2);
    }

    #[tokio::test]
    async fn dismissing_needs_a_describing_note_and_an_open_entry() {
        let (_dir, store) = store_with_two_entries().await;
        let empty = store.dismiss_quarantined(1, "x", "  ").await;
        assert!(
            matches!(empty, Err(StoreError::EmptyNote { .. })),
            "{empty:?}"
        );
        let label = store
            .dismiss_quarantined(1, "x", "from a nuisance caller")
            .await;
        assert!(matches!(label, Err(StoreError::Label(_))), "{label:?}");
        let missing = store.dismiss_quarantined(99, "x", "duplicate").await;
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{missing:?}"
        );
        store
            .dismiss_quarantined(1, "x", "duplicate")
            .await
            .expect("first time");
        let twice = store.dismiss_quarantined(1, "x", "duplicate").await;
        assert!(
            matches!(twice, Err(StoreError::NotFound { .. })),
            "{twice:?}"
        );
        assert_eq!(
            store
                .quarantine_entry(2)
                .await
                .expect("read")
                .map(|e| e.state),
            Some(QuarantineState::Open)
        );
        assert!(store.quarantine_entry(99).await.expect("read").is_none());
    }
}
