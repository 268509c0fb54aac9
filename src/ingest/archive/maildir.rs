//! Maildir: every file under `cur/` and `new/` of the folder and of its `.Sub` folders is a
//! message. The locator is the path with the `:2,FLAGS` suffix removed, so a flag change
//! does not make a message look new.

use super::ImportError;
use crate::domain::Direction;
use crate::ingest::{RawItem, RawKind};
use std::path::{Path, PathBuf};

/// Lists the message files of a Maildir (and its subfolders), sorted, then reads them
/// lazily as raw items. Returns the count too, for the progress bar.
pub fn maildir_messages(
    root: &Path,
    source: &str,
) -> Result<(u64, impl Iterator<Item = Result<RawItem, ImportError>>), ImportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImportError::Io { path, source }
    };
    let mut folders = vec![root.to_path_buf()];
    for entry in std::fs::read_dir(root).map_err(io(root))? {
        let entry = entry.map_err(io(root))?;
        if entry.file_name().to_string_lossy().starts_with('.') && entry.path().join("cur").is_dir()
        {
            folders.push(entry.path());
        }
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for folder in &folders {
        for sub in ["cur", "new"] {
            let dir = folder.join(sub);
            if !dir.is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
                let entry = entry.map_err(io(&dir))?;
                if entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
                    files.push(entry.path());
                }
            }
        }
    }
    if files.is_empty() && !root.join("cur").is_dir() {
        return Err(ImportError::Io {
            path: root.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not a Maildir (no cur/ folder)",
            ),
        });
    }
    files.sort();
    let count = files.len() as u64;
    let root = root.to_path_buf();
    let source = source.to_string();
    let iter = files.into_iter().map(move |path| {
        let bytes = std::fs::read(&path).map_err(|e| ImportError::Io {
            path: path.clone(),
            source: e,
        })?;
        let relative = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .to_string_lossy()
            .to_string();
        let locator = relative
            .split(':')
            .next()
            .unwrap_or(&relative)
            .replace("/new/", "/cur/");
        Ok(RawItem {
            kind: RawKind::Email,
            source: source.clone(),
            locator,
            bytes,
            received_at: None,
            direction: Direction::Inbound,
            oversized: None,
        })
    });
    Ok((count, iter))
}
