//! The fetch-and-write pipeline of one folder sync: the selected messages are fetched in
//! batches (oversized ones as headers only) and each batch goes to a writer task with the
//! checkpoint it reaches, through a channel of one, to a preparer and then a committer, so
//! download, parse and store of three successive batches overlap.

use super::{ImapSource, Position, SourceError};
use crate::ingest::imap::client::{FetchedMessage, ImapConnection, ImapError, UidSize};
use crate::ingest::imap::config::FolderConfig;
use crate::ingest::imap::select::{checkpoint_uids, plan_batches, Selection};
use crate::ingest::{RawItem, RawKind};
use crate::store::{BatchOutcome, Checkpoint, StoreError};
use crate::telemetry::events;
use tokio::sync::mpsc;

impl ImapSource {
    /// Fetches the selected messages in batches and hands each to a writer task with the
    /// checkpoint it reaches; the last checkpoint passes every listed message.
    pub(super) async fn download(
        &self,
        conn: &mut ImapConnection,
        folder: &FolderConfig,
        position: &Position<'_>,
        selection: &Selection,
    ) -> Result<BatchOutcome, SourceError> {
        if selection.wanted.is_empty() {
            self.commit_position(position, i64::from(selection.last_listed))
                .await?;
            return Ok(BatchOutcome::default());
        }
        tracing::info!(
            new_messages = selection.wanted.len(),
            "Fetching new messages."
        );
        let bar = crate::ingest::archive::progress_bar(Some(selection.wanted.len() as u64));

        // Batches are prepared and committed in order while the next one downloads.
        // Bytes fetched but not yet committed are bounded by a budget of two fetch batches,
        // so a run of large messages is held at most one at a time (in KiB permits; a message
        // larger than the budget takes all of it).
        let budget_kib =
            u32::try_from((self.account.fetch_batch_bytes * 2 / 1024).max(1)).unwrap_or(u32::MAX);
        let in_flight = std::sync::Arc::new(tokio::sync::Semaphore::new(budget_kib as usize));
        let (tx, mut rx) =
            mpsc::channel::<(Vec<RawItem>, Checkpoint, tokio::sync::OwnedSemaphorePermit)>(1);
        // Preparing (fingerprint, parse, on every core) and committing (the one writer) run
        // as two tasks joined by a channel of one, so batch N+1 is parsed while batch N is
        // written; a batch's permit is held until it is committed.
        let (ready_tx, mut ready_rx) = mpsc::channel::<(
            Vec<crate::store::Entry>,
            Checkpoint,
            tokio::sync::OwnedSemaphorePermit,
        )>(1);
        let funnel = self.funnel.clone();
        let preparer = tokio::spawn(async move {
            while let Some((raws, cp, permit)) = rx.recv().await {
                let entries = funnel.prepare_batch(raws).await?;
                if ready_tx.send((entries, cp, permit)).await.is_err() {
                    break; // the committer failed; its error is reported below
                }
            }
            Ok::<_, StoreError>(())
        });
        let funnel = self.funnel.clone();
        let committer = tokio::spawn(async move {
            let mut total = BatchOutcome::default();
            while let Some((entries, cp, permit)) = ready_rx.recv().await {
                let committed = super::ImapCursor::from_checkpoint(&cp).map(|c| c.last_uid);
                let source = cp.source.clone();
                let o = funnel.commit(&entries, Some(&cp)).await?;
                if let Some(uid) = committed {
                    events::imap_uid_committed(&source, uid);
                }
                drop(permit);
                total += o;
            }
            Ok::<_, StoreError>(total)
        });

        let batches = plan_batches(&selection.wanted, &self.account);
        let reaches = checkpoint_uids(&batches, selection.last_listed);
        let mut fetch_result = Ok(());
        for (batch, reach) in batches.iter().zip(reaches) {
            let kib: u64 = batch
                .iter()
                .map(|u| u64::from(u.size).min(self.account.max_message_bytes) / 1024 + 1)
                .sum();
            let want = u32::try_from(kib).unwrap_or(u32::MAX).min(budget_kib);
            let Ok(permit) = in_flight.clone().acquire_many_owned(want).await else {
                break; // the semaphore is never closed; defensive
            };
            match self.fetch_batch(conn, batch, position.source, folder).await {
                Ok(raws) => {
                    bar.inc(batch.len() as u64);
                    let cp = position.at(i64::from(reach));
                    if tx.send((raws, cp, permit)).await.is_err() {
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
        let task_failed =
            |e: tokio::task::JoinError| StoreError::Corrupt(format!("writer task failed: {e}"));
        let prepared = preparer
            .await
            .map_err(task_failed)
            .map_err(self.store_err())?;
        let written = committer
            .await
            .map_err(task_failed)
            .map_err(self.store_err())?
            .map_err(self.store_err())?;
        prepared.map_err(self.store_err())?;
        fetch_result.map(|()| written)
    }

    /// Commits a checkpoint alone (nothing to store up to `last_uid`).
    pub(super) async fn commit_position(
        &self,
        position: &Position<'_>,
        last_uid: i64,
    ) -> Result<(), SourceError> {
        let cp = position.at(last_uid);
        self.funnel
            .commit(&[], Some(&cp))
            .await
            .map_err(self.store_err())?;
        Ok(())
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
            kind: RawKind::Email,
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
}
