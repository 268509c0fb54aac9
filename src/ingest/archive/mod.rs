//! One-off import of mail archives (`tidings import maildir|mbox`). Archives stream through
//! the same funnel as live sources, in batches, with progress: same fingerprints (so an
//! archive overlapping a monitored mailbox adds nothing twice), same quarantine.

mod maildir;
mod mbox;

pub use maildir::maildir_messages;
pub use mbox::MboxReader;

use super::{Funnel, RawItem};
use crate::store::{BatchOutcome, StoreError};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;

/// Messages per committed batch (see PERFORMANCE.md: ~2000 keeps the SQLite writer busy).
pub const BATCH_MESSAGES: usize = 2000;

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The archive could not be read.
    #[error("cannot read {path}: {source}; check the path and permissions")]
    Io {
        /// The path involved.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file given as an mbox does not start with a `From ` separator line.
    #[error(
        "{path} is not an mbox file: it does not start with a `From ` line; \
         for a Maildir folder use `tidings import maildir`"
    )]
    NotMbox {
        /// The file.
        path: std::path::PathBuf,
    },
    /// The store refused a batch (already committed batches stay).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Totals of an import.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportReport {
    /// Messages read from the archive.
    pub read: usize,
    /// What the store did with them.
    pub outcome: BatchOutcome,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl ImportReport {
    /// Messages per second.
    pub fn rate(&self) -> f64 {
        self.read as f64 / self.seconds.max(1e-9)
    }
}

/// Feeds raw items to the funnel in batches. The items are read (files opened, an mbox split)
/// on their own thread a batch ahead, and preparation of one batch (fingerprint, parse)
/// overlaps the commit of the previous one, so reading, parsing and writing all overlap.
pub async fn import<I>(
    funnel: &Funnel,
    items: I,
    expected: Option<u64>,
) -> Result<ImportReport, ImportError>
where
    I: Iterator<Item = Result<RawItem, ImportError>> + Send + 'static,
{
    let started = Instant::now();
    let bar = progress_bar(expected);
    let mut report = ImportReport::default();
    let (batches, mut ready) = tokio::sync::mpsc::channel::<Result<Vec<RawItem>, ImportError>>(1);
    let reader = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH_MESSAGES);
        for item in items {
            let full = match item {
                Ok(raw) => {
                    batch.push(raw);
                    batch.len() == BATCH_MESSAGES
                }
                Err(e) => {
                    // The importer reports it; nothing after a read error is sent.
                    let _ = batches.blocking_send(Err(e));
                    return;
                }
            };
            if full
                && batches
                    .blocking_send(Ok(std::mem::take(&mut batch)))
                    .is_err()
            {
                return; // the importer stopped on an error of its own
            }
        }
        if !batch.is_empty() {
            let _ = batches.blocking_send(Ok(batch));
        }
    });
    let mut pending: Option<tokio::task::JoinHandle<Result<Vec<crate::store::Entry>, StoreError>>> =
        None;
    while let Some(raws) = ready.recv().await {
        let raws = raws?;
        report.read += raws.len();
        let f = funnel.clone();
        let next = tokio::spawn(async move { f.prepare_batch(raws).await });
        if let Some(prev) = pending.replace(next) {
            commit(funnel, prev, &mut report, &bar).await?;
        }
    }
    if let Some(prev) = pending.take() {
        commit(funnel, prev, &mut report, &bar).await?;
    }
    reader
        .await
        .map_err(|e| StoreError::Corrupt(format!("reading the archive panicked: {e}")))?;
    bar.finish_and_clear();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

async fn commit(
    funnel: &Funnel,
    prepared: tokio::task::JoinHandle<Result<Vec<crate::store::Entry>, StoreError>>,
    report: &mut ImportReport,
    bar: &ProgressBar,
) -> Result<(), ImportError> {
    let entries = prepared
        .await
        .map_err(|e| StoreError::Corrupt(format!("preparing a batch panicked: {e}")))??;
    let outcome = funnel.commit(&entries, None).await?;
    report.outcome += outcome;
    bar.inc(entries.len() as u64);
    if bar.is_hidden() {
        tracing::info!(
            done = report.outcome.stored + report.outcome.duplicates + report.outcome.quarantined,
            "Import progress."
        );
    }
    Ok(())
}

/// A progress bar on a terminal; hidden (log lines instead) otherwise.
pub fn progress_bar(expected: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = expected.map_or_else(ProgressBar::new_spinner, ProgressBar::new);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} messages ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}
