//! Maildir: every file under `cur/` and `new/` of the folder and of its `.Sub` folders is a
//! message. The locator is the path with the `:2,FLAGS` suffix removed, so a flag change
//! does not make a message look new. A message's `received_at` is the delivery time at the
//! start of its file name (`1700000000.M1P2.host`), else the file's modification time.

use super::ImportError;
use crate::domain::{Direction, UnixTime};
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
        let received_at = name_timestamp(&path).or_else(|| modified(&path));
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
        let locator = match locator.strip_prefix("new/") {
            Some(rest) => format!("cur/{rest}"),
            None => locator,
        };
        Ok(RawItem {
            kind: RawKind::Email,
            source: source.clone(),
            locator,
            bytes,
            received_at,
            direction: Direction::Inbound,
            oversized: None,
        })
    });
    Ok((count, iter))
}

/// The Unix time a Maildir file name starts with (`1700000000.M1P2.host:2,S`), when it is a
/// plausible delivery time: after 1990 and not in the future.
fn name_timestamp(path: &Path) -> Option<UnixTime> {
    let name = path.file_name()?.to_str()?;
    let digits = name.split(['.', '_', ':']).next()?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t: UnixTime = digits.parse().ok()?;
    let earliest = 631_152_000; // 1990-01-01
    (earliest..=chrono::Utc::now().timestamp())
        .contains(&t)
        .then_some(t)
}

/// The file's modification time in Unix seconds (delivery or the last copy).
fn modified(path: &Path) -> Option<UnixTime> {
    let mtime = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = mtime.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    UnixTime::try_from(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maildir_with(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).expect("mkdir");
        }
        for name in files {
            std::fs::write(dir.path().join(name), "Subject: x\n\nbody\n").expect("write");
        }
        dir
    }

    fn received(dir: &Path) -> Vec<(String, Option<UnixTime>)> {
        let (_, items) = maildir_messages(dir, "maildir").expect("a maildir");
        items
            .map(|r| r.expect("readable"))
            .map(|i| (i.locator, i.received_at))
            .collect()
    }

    #[test]
    fn the_file_name_timestamp_is_the_received_time() {
        let dir = maildir_with(&["cur/820631134.M1P2.host:2,S", "new/1000000000.M9P9.host"]);
        assert_eq!(
            received(dir.path()),
            vec![
                ("cur/820631134.M1P2.host".to_string(), Some(820_631_134)),
                // new/ at the top level is named as cur/ too: moving it there changes nothing
                ("cur/1000000000.M9P9.host".to_string(), Some(1_000_000_000)),
            ]
        );
    }

    #[test]
    fn without_a_timestamp_in_the_name_the_modification_time_is_used() {
        let dir = maildir_with(&["cur/message-one", "cur/99.M1.host"]);
        let then = std::time::UNIX_EPOCH + std::time::Duration::from_secs(946_684_800);
        for name in ["cur/message-one", "cur/99.M1.host"] {
            let file = std::fs::File::options()
                .write(true)
                .open(dir.path().join(name))
                .expect("open");
            file.set_modified(then).expect("set mtime");
        }
        for (locator, at) in received(dir.path()) {
            assert_eq!(at, Some(946_684_800), "{locator}");
        }
    }
}
