//! Source checkpoints (read side; they are written with each batch in `batch.rs`).

use super::{dispatch, Checkpoint, Store, StoreError};

impl Store {
    /// The stored checkpoint of a source, if it has synced before.
    pub async fn checkpoint(&self, source: &str) -> Result<Option<Checkpoint>, StoreError> {
        let row: Option<(String,)> = dispatch!(self, pool => sqlx::query_as(
            "SELECT cursor FROM checkpoints WHERE source = $1",
        )
        .bind(source)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(cursor,)| Checkpoint {
            source: source.to_string(),
            cursor,
        }))
    }

    /// How many items (stored or quarantined) each source has sighted, by source name.
    pub async fn sightings_by_source(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(dispatch!(read self, pool => sqlx::query_as(
            "SELECT source, COUNT(*) FROM sightings GROUP BY source ORDER BY source",
        )
        .fetch_all(pool)
        .await)?)
    }
}
