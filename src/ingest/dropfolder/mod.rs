//! The drop-folder source: `.eml` files placed in a folder (by a mail rule, a scanner
//! workflow or by hand) are ingested and then moved to `processed/<date>/` under it.
//! A file is moved only after its batch is committed, so a crash re-reads it and the
//! fingerprint recognises it: nothing lost, nothing counted twice.

use super::{Funnel, RawItem, RawKind};
use crate::domain::Direction;
use crate::store::{BatchOutcome, StoreError};
use std::path::{Path, PathBuf};

/// Source name recorded in sightings and metrics.
pub const SOURCE: &str = "dropfolder";
/// Files per committed batch.
const BATCH_FILES: usize = 2000;
/// Larger files are quarantined from their first 64 KiB (never read whole).
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
        let paths = chunk.to_vec();
        let raws = tokio::task::spawn_blocking(move || read_files(&paths))
            .await
            .map_err(|e| DropFolderError::Io {
                path: folder.to_path_buf(),
                source: std::io::Error::other(e),
            })??;
        let outcome = funnel.ingest(raws, None).await?;
        total += outcome;
        let (paths, target) = (chunk.to_vec(), processed.clone());
        tokio::task::spawn_blocking(move || move_files(&paths, &target))
            .await
            .map_err(|e| DropFolderError::Io {
                path: processed.clone(),
                source: std::io::Error::other(e),
            })??;
    }
    Ok(total)
}

/// Reads a chunk of files (blocking; one hop to the blocking pool per chunk, not per file).
/// A file over the size limit is read from its first 64 KiB and quarantined as oversized.
fn read_files(paths: &[PathBuf]) -> Result<Vec<RawItem>, DropFolderError> {
    use std::io::Read;
    let mut raws = Vec::with_capacity(paths.len());
    for path in paths {
        let file = std::fs::File::open(path).map_err(io(path))?;
        let meta = file.metadata().map_err(io(path))?;
        let received_at = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64);
        let oversized = (meta.len() > MAX_FILE_BYTES).then_some(meta.len());
        let limit = if oversized.is_some() {
            64 * 1024
        } else {
            meta.len()
        };
        let mut bytes = Vec::with_capacity(usize::try_from(limit).unwrap_or(0));
        file.take(limit).read_to_end(&mut bytes).map_err(io(path))?;
        raws.push(RawItem {
            kind: RawKind::Email,
            source: SOURCE.to_string(),
            locator: path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
            bytes,
            received_at,
            direction: Direction::Inbound,
            oversized,
        });
    }
    Ok(raws)
}

/// Moves committed files into `target` (blocking).
fn move_files(paths: &[PathBuf], target: &Path) -> Result<(), DropFolderError> {
    std::fs::create_dir_all(target).map_err(io(target))?;
    for path in paths {
        std::fs::rename(path, free_name(target, path)).map_err(io(path))?;
    }
    Ok(())
}

/// Maps an I/O error to one naming `path`.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DropFolderError {
    let path = path.to_path_buf();
    move |source| DropFolderError::Io { path, source }
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
