//! The IMAP sync loop for one account: for each folder, EXAMINE, compare UIDVALIDITY with the
//! checkpoint, list new UIDs with sizes, fetch bodies in batches bounded by count and bytes,
//! and hand each batch to the funnel with the checkpoint it reaches. A fetch task and a
//! writer task overlap through a bounded channel, so parsing and storing one batch runs
//! while the next is downloaded. The daemon then waits in IDLE (or polls) and repeats.

use super::client::{FetchedMessage, IdleOutcome, ImapConnection, ImapError, UidSize};
use super::config::{FolderConfig, ImapAccountConfig};
use crate::ingest::{Funnel, RawItem};
use crate::store::{BatchOutcome, Checkpoint, StoreError};
use crate::telemetry::events;
use std::time::Duration;
use tokio::sync::mpsc;
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

/// One account's source.
#[derive(Clone, Debug)]
pub struct ImapSource {
    account: ImapAccountConfig,
    funnel: Funnel,
}

impl ImapSource {
    /// A source for `account` writing through `funnel`.
    pub fn new(account: ImapAccountConfig, funnel: Funnel) -> Self {
        Self { account, funnel }
    }

    fn imap_err(&self) -> impl Fn(ImapError) -> SourceError + '_ {
        move |source| SourceError::Imap {
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
            let outcome = self.sync_folder(conn, folder).await?;
            total.stored += outcome.stored;
            total.duplicates += outcome.duplicates;
            total.quarantined += outcome.quarantined;
        }
        Ok(total)
    }

    /// Brings one folder up to date on an open connection.
    pub async fn sync_folder(
        &self,
        conn: &mut ImapConnection,
        folder: &FolderConfig,
    ) -> Result<BatchOutcome, SourceError> {
        let source = source_name(&self.account.name, &folder.name);
        let span = tracing::info_span!("imap_folder", source = %source);
        let _guard = span.enter();
        let state = conn.examine(&folder.name).await.map_err(self.imap_err())?;
        events::folder_examined(&source, state.exists);
        let store_err = |source| SourceError::Store {
            account: self.account.name.clone(),
            source,
        };
        let checkpoint = self
            .funnel
            .store()
            .checkpoint(&source)
            .await
            .map_err(store_err)?;
        let uid_validity = i64::from(state.uid_validity);
        let after = match &checkpoint {
            Some(cp) if cp.uid_validity == uid_validity => cp.last_uid,
            Some(cp) => {
                tracing::warn!(
                    old = cp.uid_validity,
                    new = uid_validity,
                    "UIDVALIDITY changed: re-scanning the folder; known messages are recognised by fingerprint."
                );
                0
            }
            None => 0,
        };
        let highest_modseq = state.highest_modseq.map(|m| m as i64);
        let up_to_date = state
            .uid_next
            .is_some_and(|next| i64::from(next) <= after + 1);
        if state.exists == 0 || up_to_date {
            if checkpoint.as_ref().map(|c| c.uid_validity) != Some(uid_validity) {
                let cp = Checkpoint {
                    source: source.clone(),
                    uid_validity,
                    last_uid: after,
                    highest_modseq,
                };
                self.funnel
                    .commit(&[], Some(&cp))
                    .await
                    .map_err(store_err)?;
            }
            return Ok(BatchOutcome::default());
        }
        let after_u32 = u32::try_from(after).unwrap_or(u32::MAX);
        let uids = conn.list_uids(after_u32).await.map_err(self.imap_err())?;
        if uids.is_empty() {
            return Ok(BatchOutcome::default());
        }
        tracing::info!(new_messages = uids.len(), "Fetching new messages.");
        let bar = crate::ingest::archive::progress_bar(Some(uids.len() as u64));

        // Writer: prepares and commits batches in order while the next one downloads.
        let (tx, mut rx) = mpsc::channel::<(Vec<RawItem>, Checkpoint)>(1);
        let funnel = self.funnel.clone();
        let writer = tokio::spawn(async move {
            let mut total = BatchOutcome::default();
            while let Some((raws, cp)) = rx.recv().await {
                let o = funnel.ingest(raws, Some(cp)).await?;
                total.stored += o.stored;
                total.duplicates += o.duplicates;
                total.quarantined += o.quarantined;
            }
            Ok::<_, StoreError>(total)
        });

        let mut fetch_result = Ok(());
        for batch in plan_batches(&uids, &self.account) {
            match self.fetch_batch(conn, &batch, &source, folder).await {
                Ok(raws) => {
                    let last = batch.last().map_or(after, |u| i64::from(u.uid));
                    let cp = Checkpoint {
                        source: source.clone(),
                        uid_validity,
                        last_uid: last,
                        highest_modseq,
                    };
                    bar.inc(batch.len() as u64);
                    if tx.send((raws, cp)).await.is_err() {
                        break; // the writer failed; its error is reported below
                    }
                }
                Err(e) => {
                    fetch_result = Err(e);
                    break;
                }
            }
        }
        drop(tx);
        bar.finish_and_clear();
        let written = writer
            .await
            .map_err(|e| store_err(StoreError::Corrupt(format!("writer task failed: {e}"))))?
            .map_err(store_err)?;
        fetch_result.map(|()| written)
    }

    async fn fetch_batch(
        &self,
        conn: &mut ImapConnection,
        batch: &[UidSize],
        source: &str,
        folder: &FolderConfig,
    ) -> Result<Vec<RawItem>, SourceError> {
        let (big, normal): (Vec<u32>, Vec<u32>) = {
            let big: Vec<u32> = batch
                .iter()
                .filter(|u| u64::from(u.size) > self.account.max_message_bytes)
                .map(|u| u.uid)
                .collect();
            let normal = batch
                .iter()
                .filter(|u| u64::from(u.size) <= self.account.max_message_bytes)
                .map(|u| u.uid)
                .collect();
            (big, normal)
        };
        let mut raws = Vec::with_capacity(batch.len());
        let to_raw = |m: FetchedMessage, oversized: Option<u64>| RawItem {
            source: source.to_string(),
            locator: m.uid.to_string(),
            bytes: m.bytes,
            received_at: m.internal_date,
            direction: folder.direction(),
            oversized,
        };
        if !normal.is_empty() {
            let fetched = conn.fetch_bodies(&normal).await.map_err(self.imap_err())?;
            if let Some(text) = &fetched.refused {
                return Err(SourceError::Imap {
                    account: self.account.name.clone(),
                    source: ImapError::Protocol {
                        command: "UID FETCH".to_string(),
                        detail: text.clone(),
                    },
                });
            }
            if !fetched.missing.is_empty() {
                tracing::info!(missing = ?fetched.missing, "Messages were expunged before they could be fetched.");
            }
            raws.extend(fetched.messages.into_iter().map(|m| to_raw(m, None)));
        }
        if !big.is_empty() {
            let fetched = conn.fetch_headers(&big).await.map_err(self.imap_err())?;
            let sizes: std::collections::HashMap<u32, u32> =
                batch.iter().map(|u| (u.uid, u.size)).collect();
            raws.extend(fetched.messages.into_iter().map(|m| {
                let size = sizes.get(&m.uid).copied().map(u64::from);
                to_raw(m, size)
            }));
        }
        raws.sort_by_key(|r| r.locator.parse::<u32>().unwrap_or(0));
        Ok(raws)
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

/// Splits new UIDs into fetch batches bounded by message count and byte size (each batch has
/// at least one message). Oversized messages count as header-sized.
pub fn plan_batches(uids: &[UidSize], account: &ImapAccountConfig) -> Vec<Vec<UidSize>> {
    let max_count = account.fetch_batch_messages.max(1);
    let mut batches = Vec::new();
    let mut current: Vec<UidSize> = Vec::new();
    let mut bytes = 0u64;
    for u in uids {
        let size = if u64::from(u.size) > account.max_message_bytes {
            4096
        } else {
            u64::from(u.size)
        };
        if !current.is_empty()
            && (current.len() >= max_count || bytes + size > account.fetch_batch_bytes)
        {
            batches.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += size;
        current.push(*u);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}
