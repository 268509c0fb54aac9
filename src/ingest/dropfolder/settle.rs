//! Listing a drop folder: which files are ready to read, which are still being written, and
//! which are not for this folder. Blocking file-system work, no parsing.

use super::{DropFolderError, FolderSpec};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Subfolders Tidings writes into and never reads.
const OWN_FOLDERS: [&str; 2] = ["processed", "failed"];

/// What a listing found.
#[derive(Debug, Default)]
pub(super) struct Listing {
    /// Settled files with the size they had when listed, in name order.
    pub ready: Vec<(PathBuf, u64)>,
    /// When some accepted file is still being written: how long until the youngest settles.
    pub unsettled: Option<Duration>,
    /// Files (and, for a non-recursive folder, subfolders) this folder does not read.
    pub ignored: Vec<PathBuf>,
}

/// Lists `folder` for `spec`.
pub(super) fn list_candidates(
    folder: &Path,
    spec: &FolderSpec,
) -> Result<Listing, DropFolderError> {
    let mut listing = Listing::default();
    let now = SystemTime::now();
    let stable = Duration::from_secs(spec.stable_secs);
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(super::io(&dir))?;
        for entry in entries {
            let entry = entry.map_err(super::io(&dir))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue; // hidden, or a file still being written under a temporary name
            }
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                let own = dir == folder && OWN_FOLDERS.contains(&name.as_str());
                match (own, spec.recursive) {
                    (true, _) => {}
                    (false, true) => pending.push(path),
                    (false, false) => listing.ignored.push(path),
                }
                continue;
            }
            let accepted = Path::new(&name)
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .is_some_and(|e| spec.extensions.contains(&e.as_str()));
            if !accepted || !meta.is_file() {
                listing.ignored.push(path);
                continue;
            }
            let age = meta
                .modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .unwrap_or_default();
            if age >= stable {
                listing.ready.push((path, meta.len()));
            } else {
                let left = stable - age;
                listing.unsettled = Some(listing.unsettled.map_or(left, |d| d.max(left)));
            }
        }
    }
    listing.ready.sort();
    listing.ignored.sort();
    Ok(listing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::RawKind;

    fn spec(recursive: bool, stable_secs: u64) -> FolderSpec {
        FolderSpec {
            source: "calls",
            kind: RawKind::Email,
            extensions: &["csv"],
            recursive,
            max_file_bytes: 1 << 20,
            stable_secs,
        }
    }

    fn age(path: &Path, secs: u64) {
        let then = SystemTime::now() - Duration::from_secs(secs);
        let f = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open");
        f.set_modified(then).expect("set mtime");
    }

    #[test]
    fn settled_files_are_ready_and_fresh_ones_wait() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("old.csv"), "a").expect("write");
        age(&dir.path().join("old.csv"), 60);
        std::fs::write(dir.path().join("new.CSV"), "b").expect("write");
        let l = list_candidates(dir.path(), &spec(false, 5)).expect("lists");
        assert_eq!(l.ready, vec![(dir.path().join("old.csv"), 1)]);
        let wait = l.unsettled.expect("one file is still settling");
        assert!(wait <= Duration::from_secs(5));
    }

    #[test]
    fn other_types_and_subfolders_are_reported_not_read_unless_recursive() {
        let dir = tempfile::tempdir().expect("temp dir");
        let sub = dir.path().join("site-b");
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::create_dir_all(dir.path().join("processed")).expect("mkdir");
        std::fs::write(dir.path().join("notes.txt"), "x").expect("write");
        std::fs::write(dir.path().join(".partial.csv"), "x").expect("write");
        std::fs::write(sub.join("week.csv"), "x").expect("write");
        std::fs::write(dir.path().join("processed/done.csv"), "x").expect("write");
        let flat = list_candidates(dir.path(), &spec(false, 0)).expect("lists");
        assert!(flat.ready.is_empty());
        assert_eq!(
            flat.ignored,
            vec![dir.path().join("notes.txt"), sub.clone()]
        );
        let deep = list_candidates(dir.path(), &spec(true, 0)).expect("lists");
        assert_eq!(deep.ready, vec![(sub.join("week.csv"), 1)]);
        assert_eq!(deep.ignored, vec![dir.path().join("notes.txt")]);
    }
}
