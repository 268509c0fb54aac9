//! Drop-folder sources: files placed in a folder (by a mail rule, a scanner workflow, a
//! telephone system's export job or by hand) are ingested and then moved to
//! `processed/<date>/` under it — or to `failed/<date>/` when nothing in the file could be
//! read (the file stays in the quarantine too). One implementation serves every channel: the
//! [`FolderSpec`] says which files a folder takes and what kind of raw item they are.
//!
//! A file is read only once it has settled: its modification time is at least `stable_secs`
//! old, and its size is the same just before reading as when it was listed. Writers should
//! still write under a temporary name (a leading `.` or another extension) and rename, which
//! is atomic. A file is moved only after its batch is committed, so a crash re-reads it and
//! the fingerprint recognises it: nothing lost, nothing counted twice. Files of other types
//! are logged once per scan and left where they are.

mod settle;

use super::{Funnel, RawItem, RawKind};
use crate::domain::Direction;
use crate::store::{BatchOutcome, EntryOutcome, PartOutcome, StoreError};
use settle::{list_candidates, Listing};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Source name of the `.eml` drop folder, recorded in sightings and metrics.
pub const SOURCE: &str = "dropfolder";
/// Files per committed batch.
const BATCH_FILES: usize = 2000;

/// What a drop folder takes.
#[derive(Clone, Debug)]
pub struct FolderSpec {
    /// Source name recorded with each raw item (`dropfolder`, `calls`, `letters`).
    pub source: &'static str,
    /// What each file is.
    pub kind: RawKind,
    /// Accepted file name extensions, lower case without the dot.
    pub extensions: &'static [&'static str],
    /// Read subfolders too (`processed/` and `failed/` never).
    pub recursive: bool,
    /// Larger files are quarantined from their first 64 KiB (never read whole).
    pub max_file_bytes: u64,
    /// Seconds a file must have been left unchanged before it is read.
    pub stable_secs: u64,
}

impl FolderSpec {
    /// The `.eml` folder: top level only, 50 MB per message.
    pub fn email(stable_secs: u64) -> Self {
        Self {
            source: SOURCE,
            kind: RawKind::Email,
            extensions: &["eml"],
            recursive: false,
            max_file_bytes: 50 * 1024 * 1024,
            stable_secs,
        }
    }
}

/// Why a scan failed.
#[derive(Debug, thiserror::Error)]
pub enum DropFolderError {
    /// The configured folder does not exist.
    #[error("drop folder {path} does not exist: create it, or point `{key}` at the right folder, or set `enabled = false` in that section")]
    Missing {
        /// The folder.
        path: PathBuf,
        /// The config key that names it.
        key: String,
    },
    /// The folder could not be listed or a file could not be moved.
    #[error("drop folder {path}: {source}; check that Tidings may read and write it")]
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

/// Ingests every settled file in `folder` once. With `wait` set (`run --once`, imports),
/// files still being written are waited for; otherwise they are left for the next scan.
pub async fn scan_once(
    funnel: &Funnel,
    folder: &Path,
    spec: &FolderSpec,
    wait: bool,
) -> Result<BatchOutcome, DropFolderError> {
    let key = format!("[{}] path", section_of(spec.source));
    if !tokio::fs::try_exists(folder).await.unwrap_or(false) {
        return Err(DropFolderError::Missing {
            path: folder.to_path_buf(),
            key,
        });
    }
    let mut total = BatchOutcome::default();
    loop {
        let listing = blocking(folder, {
            let (folder, spec) = (folder.to_path_buf(), spec.clone());
            move || list_candidates(&folder, &spec)
        })
        .await?;
        let Listing {
            ready,
            unsettled,
            ignored,
        } = listing;
        for path in &ignored {
            tracing::info!(source = spec.source, file = %path.display(), "Left a file of another type in the drop folder; it is not read (accepted: {}).", spec.extensions.join(", "));
        }
        for chunk in ready.chunks(BATCH_FILES) {
            total += ingest_chunk(funnel, folder, spec, chunk).await?;
        }
        match unsettled {
            Some(wait_for) if wait => {
                tokio::time::sleep(wait_for.max(Duration::from_millis(100))).await
            }
            Some(_) | None => return Ok(total),
        }
    }
}

async fn ingest_chunk(
    funnel: &Funnel,
    folder: &Path,
    spec: &FolderSpec,
    chunk: &[(PathBuf, u64)],
) -> Result<BatchOutcome, DropFolderError> {
    let raws = blocking(folder, {
        let (folder, spec, chunk) = (folder.to_path_buf(), spec.clone(), chunk.to_vec());
        move || read_files(&folder, &spec, &chunk)
    })
    .await?;
    let entries = funnel.prepare_batch(raws).await?;
    let outcome = funnel.commit(&entries, None).await?;
    let failed: std::collections::HashSet<&str> = entries
        .iter()
        .filter(|e| match &e.outcome {
            EntryOutcome::Parts(parts) => parts
                .iter()
                .all(|p| matches!(p.outcome, PartOutcome::Quarantined { .. })),
            EntryOutcome::Pending => false,
        })
        .map(|e| e.locator.as_str())
        .collect();
    let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let moves: Vec<(PathBuf, PathBuf)> = entries
        .iter()
        .map(|e| {
            let bucket = if failed.contains(e.locator.as_str()) {
                "failed"
            } else {
                "processed"
            };
            let sub = Path::new(&e.locator)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            (
                folder.join(&e.locator),
                folder.join(bucket).join(&day).join(sub),
            )
        })
        .collect();
    blocking(folder, move || move_files(&moves)).await?;
    Ok(outcome)
}

/// Runs blocking file work off the async threads.
async fn blocking<T: Send + 'static>(
    folder: &Path,
    work: impl FnOnce() -> Result<T, DropFolderError> + Send + 'static,
) -> Result<T, DropFolderError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| DropFolderError::Io {
            path: folder.to_path_buf(),
            source: std::io::Error::other(e),
        })?
}

/// The config section that names a source's folder.
fn section_of(source: &str) -> &str {
    match source {
        SOURCE => "dropfolder",
        other => other,
    }
}

/// A file's locator: its path below the folder, with `/` separators.
fn locator(folder: &Path, path: &Path) -> String {
    path.strip_prefix(folder)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Reads a chunk of settled files (blocking). A file over the size limit is read from its first
/// 64 KiB and quarantined as oversized; a file whose size changed since it was listed is left
/// for the next scan.
fn read_files(
    folder: &Path,
    spec: &FolderSpec,
    chunk: &[(PathBuf, u64)],
) -> Result<Vec<RawItem>, DropFolderError> {
    use std::io::Read;
    let mut raws = Vec::with_capacity(chunk.len());
    for (path, listed_len) in chunk {
        let file = std::fs::File::open(path).map_err(io(path))?;
        let meta = file.metadata().map_err(io(path))?;
        if meta.len() != *listed_len {
            continue;
        }
        let received_at = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64);
        let oversized = (meta.len() > spec.max_file_bytes).then_some(meta.len());
        let limit = if oversized.is_some() {
            64 * 1024
        } else {
            meta.len()
        };
        let mut bytes = Vec::with_capacity(usize::try_from(limit).unwrap_or(0));
        file.take(limit).read_to_end(&mut bytes).map_err(io(path))?;
        raws.push(RawItem {
            source: spec.source.to_string(),
            locator: locator(folder, path),
            kind: spec.kind.clone(),
            bytes,
            received_at,
            direction: Direction::Inbound,
            oversized,
        });
    }
    Ok(raws)
}

/// Moves committed files to their targets (blocking).
fn move_files(moves: &[(PathBuf, PathBuf)]) -> Result<(), DropFolderError> {
    for (path, target) in moves {
        std::fs::create_dir_all(target).map_err(io(target))?;
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
