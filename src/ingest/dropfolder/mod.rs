//! The drop-folder source: `.eml` files placed in a folder (by a mail rule, a scanner
//! workflow or by hand) are ingested and then moved to `processed/<date>/` under it.
//! A file is moved only after its batch is committed, so a crash re-reads it and the
//! fingerprint recognises it: nothing lost, nothing counted twice.

use super::{Funnel, RawItem};
use crate::domain::Direction;
use crate::store::{BatchOutcome, StoreError};
use std::path::{Path, PathBuf};

/// Source name recorded in sightings and metrics.
pub const SOURCE: &str = "dropfolder";
/// Files per committed batch.
const BATCH_FILES: usize = 500;
/// Larger files are quarantined from their first 64 KiB.
const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// Why a scan failed.
#[derive(Debug, thiserror::Error)]
pub enum DropFolderError {
    /// The folder could not be listed or a file could not be moved.
    #[error(
        "drop folder {path}: {source}; check that it exists and Tidings may read and write it"
    )]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The store refused the batch.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Ingests every `.eml` file in `folder` once. Returns what was stored.
pub async fn scan_once(funnel: &Funnel, folder: &Path) -> Result<BatchOutcome, DropFolderError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DropFolderError::Io { path, source }
    };
    tokio::fs::create_dir_all(folder)
        .await
        .map_err(io(folder))?;
    let mut files = Vec::new();
    let mut dir = tokio::fs::read_dir(folder).await.map_err(io(folder))?;
    while let Some(entry) = dir.next_entry().await.map_err(io(folder))? {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        let is_file = entry
            .file_type()
            .await
            .map(|t| t.is_file())
            .unwrap_or(false);
        if is_file && !name.starts_with('.') && name.to_ascii_lowercase().ends_with(".eml") {
            files.push(path);
        }
    }
    files.sort();
    let mut total = BatchOutcome::default();
    let processed = folder
        .join("processed")
        .join(chrono::Utc::now().format("%Y-%m-%d").to_string());
    for chunk in files.chunks(BATCH_FILES) {
        let mut raws = Vec::with_capacity(chunk.len());
        for path in chunk {
            let locator = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let meta = tokio::fs::metadata(path).await.map_err(io(path))?;
            let received_at = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs() as i64);
            let (bytes, oversized) = if meta.len() > MAX_FILE_BYTES {
                let mut head = tokio::fs::read(path).await.map_err(io(path))?;
                head.truncate(64 * 1024);
                (head, Some(meta.len()))
            } else {
                (tokio::fs::read(path).await.map_err(io(path))?, None)
            };
            raws.push(RawItem {
                source: SOURCE.to_string(),
                locator,
                bytes,
                received_at,
                direction: Direction::Inbound,
                oversized,
            });
        }
        let outcome = funnel.ingest(raws, None).await?;
        total.stored += outcome.stored;
        total.duplicates += outcome.duplicates;
        total.quarantined += outcome.quarantined;
        tokio::fs::create_dir_all(&processed)
            .await
            .map_err(io(&processed))?;
        for path in chunk {
            let target = free_name(&processed, path);
            tokio::fs::rename(path, &target).await.map_err(io(path))?;
        }
    }
    Ok(total)
}

/// `dir/<name>`, or `dir/<name>.N` when that is taken.
fn free_name(dir: &Path, file: &Path) -> PathBuf {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut candidate = dir.join(&name);
    let mut n = 1;
    while candidate.exists() {
        candidate = dir.join(format!("{name}.{n}"));
        n += 1;
    }
    candidate
}
