//! What an IMAP folder already holds in the store, so a rescan after a UIDVALIDITY change can
//! skip downloading messages it has seen before (read side only).

use super::{dispatch, Store, StoreError};
use std::collections::HashSet;

impl Store {
    /// `(item_ref, size_bytes)` of every stored item sighted in `source` (a folder's source
    /// name, e.g. `imap:enquiries/INBOX`). Quarantined raw items are not included.
    pub async fn items_sighted_in(
        &self,
        source: &str,
    ) -> Result<HashSet<(String, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = dispatch!(read self, pool => sqlx::query_as(
            "SELECT i.item_ref, r.size_bytes FROM sightings s \
             JOIN raw_items r ON r.id = s.raw_id JOIN items i ON i.id = r.id \
             WHERE s.source = $1",
        )
        .bind(source)
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().collect())
    }
}
