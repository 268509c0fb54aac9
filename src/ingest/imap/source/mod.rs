//! The IMAP sync loop for one account: for each folder, EXAMINE, compare UIDVALIDITY with the
//! checkpoint, list new UIDs with sizes, fetch bodies in batches bounded by count and bytes,
//! and hand each batch to the funnel with the checkpoint it reaches. A fetch task and a
//! writer task overlap through a bounded channel, so parsing and storing one batch runs
//! while the next is downloaded. The daemon then waits in IDLE (or polls) and repeats.
//!
//! `download` holds the fetch-and-write pipeline of one folder.

mod cursor;
mod download;

use super::client::{IdleOutcome, ImapConnection, ImapError};
use super::config::{FolderConfig, ImapAccountConfig};
pub use super::select::plan_batches;
use super::select::select;
use crate::ingest::health::SourceHealth;
use crate::ingest::Funnel;
use crate::store::{BatchOutcome, Checkpoint, StoreError};
use crate::telemetry::events;
pub use cursor::ImapCursor;
use std::collections::HashSet;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Why a sync pass stopped.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The IMAP server failed or refused.
    #[error("IMAP account {account}: {source}")]
    Imap {
        /// Account name.
        account: String,
        /// The protocol error.
        source: ImapError,
    },
    /// The account's credentials could not be obtained.
    #[error("IMAP account {account}: {message}")]
    Credentials {
        /// Account name.
        account: String,
        /// What is wrong.
        message: String,
    },
    /// The store refused a batch; the checkpoint did not move.
    #[error("IMAP account {account}: {source}")]
    Store {
        /// Account name.
        account: String,
        /// The store error.
        source: StoreError,
    },
}

impl SourceError {
    /// True when a retry later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::Imap { source, .. } => source.is_transient(),
            SourceError::Credentials { .. } => false,
            SourceError::Store { source, .. } => source.is_transient(),
        }
    }
}

/// The checkpoint name of a folder.
pub fn source_name(account: &str, folder: &str) -> String {
    format!("imap:{account}/{folder}")
}

/// What one folder sync did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FolderSync {
    /// What the store made of the downloaded messages.
    pub written: BatchOutcome,
    /// Listed messages not downloaded because the server received them before `since`.
    pub skipped_before_since: usize,
    /// Messages not downloaded on a rescan (after a UIDVALIDITY change) because this folder
    /// already gave a stored item with the same Message-ID and size.
    pub skipped_known: usize,
}

/// Where a folder's checkpoints point: its source name, UIDVALIDITY and HIGHESTMODSEQ.
struct Position<'a> {
    source: &'a str,
    uid_validity: i64,
    highest_modseq: Option<i64>,
}

impl Position<'_> {
    fn at(&self, last_uid: i64) -> Checkpoint {
        ImapCursor {
            uid_validity: self.uid_validity,
            last_uid,
            highest_modseq: self.highest_modseq,
        }
        .checkpoint(self.source)
    }
}

/// One account's source.
#[derive(Clone, Debug)]
pub struct ImapSource {
    account: ImapAccountConfig,
    funnel: Funnel,
    health: SourceHealth,
}

impl ImapSource {
    /// A source for `account` writing through `funnel`.
    pub fn new(account: ImapAccountConfig, funnel: Funnel) -> Self {
        Self {
            account,
            funnel,
            health: SourceHealth::new(),
        }
    }

    /// Records each attempt's outcome in `health` (for `/readyz`) under [`Self::health_name`].
    pub fn with_health(mut self, health: SourceHealth) -> Self {
        self.health = health;
        self
    }

    /// The name this source's attempts are recorded under: `imap:ACCOUNT`.
    pub fn health_name(account: &str) -> String {
        format!("imap:{account}")
    }

    fn imap_err(&self) -> impl Fn(ImapError) -> SourceError + '_ {
        move |source| SourceError::Imap {
            account: self.account.name.clone(),
            source,
        }
    }

    fn store_err(&self) -> impl Fn(StoreError) -> SourceError + '_ {
        move |source| SourceError::Store {
            account: self.account.name.clone(),
            source,
        }
    }

    async fn connect(&self) -> Result<ImapConnection, SourceError> {
        let credentials =
            self.account
                .credentials()
                .await
                .map_err(|message| SourceError::Credentials {
                    account: self.account.name.clone(),
                    message,
                })?;
        ImapConnection::connect(&self.account.endpoint(), &credentials)
            .await
            .map_err(self.imap_err())
    }

    /// Connects, syncs every folder once, logs out. For `tidings run --once`.
    pub async fn sync_once(&self) -> Result<BatchOutcome, SourceError> {
        let mut conn = self.connect().await?;
        let outcome = self.sync_all(&mut conn).await?;
        let _ = conn.logout().await;
        Ok(outcome)
    }

    async fn sync_all(&self, conn: &mut ImapConnection) -> Result<BatchOutcome, SourceError> {
        let mut total = BatchOutcome::default();
        for folder in &self.account.folders {
            let outcome = self.sync_folder(conn, folder).await?.written;
            total += outcome;
        }
        Ok(total)
    }

    /// Brings one folder up to date on an open connection. With `since` set, messages the
    /// server received before that date are skipped; after a UIDVALIDITY change, messages the
    /// folder already gave (same Message-ID and size) are not downloaded again.
    pub async fn sync_folder(
        &self,
        conn: &mut ImapConnection,
        folder: &FolderConfig,
    ) -> Result<FolderSync, SourceError> {
        let source = source_name(&self.account.name, &folder.name);
        let span = tracing::info_span!("imap_folder", source = %source);
        let _guard = span.enter();
        let state = conn.examine(&folder.name).await.map_err(self.imap_err())?;
        events::folder_examined(&source, state.exists);
        let checkpoint = self
            .funnel
            .store()
            .checkpoint(&source)
            .await
            .map_err(self.store_err())?
            .as_ref()
            .and_then(ImapCursor::from_checkpoint);
        let uid_validity = i64::from(state.uid_validity);
        let rescan = checkpoint
            .as_ref()
            .is_some_and(|cp| cp.uid_validity != uid_validity);
        let after = match &checkpoint {
            Some(cp) if cp.uid_validity == uid_validity => cp.last_uid,
            Some(cp) => {
                tracing::warn!(
                    old = cp.uid_validity,
                    new = uid_validity,
                    "UIDVALIDITY changed: re-scanning the folder; known messages are recognised by Message-ID and size, or by fingerprint."
                );
                0
            }
            None => 0,
        };
        let position = Position {
            source: &source,
            uid_validity,
            highest_modseq: state.highest_modseq.map(|m| m as i64),
        };
        let up_to_date = state
            .uid_next
            .is_some_and(|next| i64::from(next) <= after + 1);
        if state.exists == 0 || up_to_date {
            if checkpoint.as_ref().map(|c| c.uid_validity) != Some(uid_validity) {
                self.commit_position(&position, after).await?;
            }
            return Ok(FolderSync::default());
        }
        let after_u32 = u32::try_from(after).unwrap_or(u32::MAX);
        let listed = if rescan {
            conn.list_uids_with_ids(after_u32).await
        } else {
            let uids = conn.list_uids(after_u32).await;
            uids.map(|uids| uids.into_iter().map(|u| (u, None)).collect())
        };
        let listed = listed.map_err(self.imap_err())?;
        if listed.is_empty() {
            return Ok(FolderSync::default());
        }
        let recent = match self.account.since {
            Some(date) => Some(
                conn.search_since(date, after_u32)
                    .await
                    .map_err(self.imap_err())?,
            ),
            None => None,
        };
        let known = if rescan {
            self.funnel.store().items_sighted_in(&source).await
        } else {
            Ok(HashSet::new())
        };
        let selection = select(
            &listed,
            recent.as_deref(),
            &known.map_err(self.store_err())?,
        );
        events::messages_skipped(
            position.source,
            selection.skipped_before_since,
            selection.skipped_known,
        );
        let written = self.download(conn, folder, &position, &selection).await?;
        Ok(FolderSync {
            written,
            skipped_before_since: selection.skipped_before_since,
            skipped_known: selection.skipped_known,
        })
    }

    /// Runs until `cancel`: sync, then wait in IDLE (or sleep the poll interval), repeat.
    /// Errors are logged and retried with exponential backoff (5 s doubling to 5 min).
    pub async fn run(self, cancel: CancellationToken) {
        let poll = Duration::from_secs(self.account.poll_interval_secs.max(1));
        let mut backoff = Duration::from_secs(5);
        while !cancel.is_cancelled() {
            let result = tokio::select! {
                r = self.session(&cancel, poll) => r,
                () = cancel.cancelled() => Ok(()),
            };
            match result {
                Ok(()) => return,
                Err(e) => {
                    events::source_error(&self.account.name, &e, backoff.as_secs());
                    let now = chrono::Utc::now().timestamp();
                    self.health
                        .failed(&Self::health_name(&self.account.name), &e, now);
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        () = cancel.cancelled() => return,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(300));
                }
            }
        }
    }

    async fn session(&self, cancel: &CancellationToken, poll: Duration) -> Result<(), SourceError> {
        let mut conn = self.connect().await?;
        loop {
            // The first folder is synced last, so it is the one examined when IDLE starts and
            // no message can arrive unseen between its listing and the IDLE.
            for folder in self.account.folders.iter().rev() {
                self.sync_folder(&mut conn, folder).await?;
            }
            self.health
                .succeeded(&Self::health_name(&self.account.name));
            let idle_folder = self
                .account
                .folders
                .first()
                .filter(|_| self.account.idle && conn.supports_idle());
            match idle_folder {
                Some(_) => {
                    let wait = poll.min(Duration::from_secs(25 * 60));
                    let (back, outcome) = tokio::select! {
                        r = conn.idle_wait(wait) => r.map_err(self.imap_err())?,
                        () = cancel.cancelled() => return Ok(()),
                    };
                    conn = back;
                    if outcome == IdleOutcome::NewData {
                        tracing::debug!("IDLE reported new mail.");
                    }
                }
                None => {
                    tokio::select! {
                        () = tokio::time::sleep(poll) => {}
                        () = cancel.cancelled() => return Ok(()),
                    }
                }
            }
        }
    }
}
