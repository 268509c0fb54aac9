//! The folder sources of a configuration (the `.eml` drop folder, call-log exports, letter
//! scans) and the OCR stage behind the letters folder.

use super::{App, DaemonError};
use crate::ingest::calls::source as calls;
use crate::ingest::dropfolder::{self, FolderSpec};
use crate::ingest::letters::{self, source as letter_source, stage::OcrPass};
use crate::store::BatchOutcome;
use std::path::PathBuf;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// One enabled drop folder: where, what it takes, and how often it is scanned.
#[derive(Clone, Debug)]
pub(super) struct Folder {
    pub path: PathBuf,
    pub spec: FolderSpec,
    pub every: Duration,
}

impl App {
    /// The enabled drop folders.
    pub(super) fn folders(&self) -> Result<Vec<Folder>, DaemonError> {
        let c = &self.config;
        let mut folders = Vec::new();
        if c.dropfolder.enabled {
            folders.push(Folder {
                path: c.dropfolder.path.clone(),
                spec: FolderSpec::email(c.dropfolder.stable_secs),
                every: Duration::from_secs(c.dropfolder.poll_interval_secs.max(1)),
            });
        }
        if c.calls.enabled {
            folders.push(Folder {
                path: c.calls.path.clone(),
                spec: calls::folder_spec(&c.calls)
                    .map_err(|e| DaemonError::Config(e.to_string()))?,
                every: Duration::from_secs(c.calls.poll_interval_secs.max(1)),
            });
        }
        if c.letters.enabled {
            folders.push(Folder {
                path: c.letters.path.clone(),
                spec: letter_source::folder_spec(&c.letters),
                every: Duration::from_secs(c.letters.poll_interval_secs.max(1)),
            });
        }
        Ok(folders)
    }

    /// Scans every enabled folder once, waiting for files still being written. Every folder
    /// is tried; the first failure is returned with what the others stored.
    pub(super) async fn scan_folders_once(&self) -> (BatchOutcome, Option<DaemonError>) {
        let mut total = BatchOutcome::default();
        let folders = match self.folders() {
            Ok(f) => f,
            Err(e) => return (total, Some(e)),
        };
        let mut first_error = None;
        for f in folders {
            match dropfolder::scan_once(&self.funnel, &f.path, &f.spec, true).await {
                Ok(o) => total += o,
                Err(e) => first_error = first_error.or(Some(e.into())),
            }
        }
        (total, first_error)
    }

    /// Reads every queued letter scan.
    pub async fn drain_ocr(&self) -> Result<OcrPass, DaemonError> {
        let pass = letters::stage::drain(
            &self.funnel,
            &self.config.letters,
            &self.config.organisation.region,
        )
        .await?;
        Ok(pass)
    }

    /// Scans one folder until `cancel` fires.
    pub(super) async fn folder_loop(&self, folder: Folder, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            if let Err(e) =
                dropfolder::scan_once(&self.funnel, &folder.path, &folder.spec, false).await
            {
                crate::telemetry::events::source_error(
                    folder.spec.source,
                    &e,
                    folder.every.as_secs(),
                );
            }
            tokio::select! {
                () = tokio::time::sleep(folder.every) => {}
                () = cancel.cancelled() => return,
            }
        }
    }

    /// Reads queued letters as soon as a scan is queued (and every minute, for jobs left by an
    /// earlier run), until `cancel` fires. A job in flight at shutdown stays queued.
    pub(super) async fn ocr_loop(&self, cancel: CancellationToken) {
        let queued = self.funnel.pending_signal();
        while !cancel.is_cancelled() {
            match self.drain_ocr().await {
                Ok(pass) if pass.read + pass.quarantined > 0 => {
                    // The letters' items wait for the link stage.
                    self.funnel.stored_signal().notify_one();
                    tracing::info!(
                        read = pass.read,
                        quarantined = pass.quarantined,
                        "OCR queue drained."
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::error!("OCR stage failed: {e}; retrying in 60 s."),
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(60)) => {}
                () = queued.notified() => {}
                () = cancel.cancelled() => return,
            }
        }
    }
}
