//! The letters drop folder: scans (PDF, PNG, JPEG, TIFF) placed in `[letters] path`,
//! subfolders included, are kept as raw items and queued for the OCR stage.

use super::LettersConfig;
use crate::ingest::dropfolder::FolderSpec;
use crate::ingest::RawKind;

/// Source name of the letters folder.
pub const SOURCE: &str = "letters";

/// What the letters folder takes.
pub fn folder_spec(config: &LettersConfig) -> FolderSpec {
    FolderSpec {
        source: SOURCE,
        kind: RawKind::LetterScan,
        extensions: &["pdf", "png", "jpg", "jpeg", "tif", "tiff"],
        recursive: true,
        max_file_bytes: config.limits.max_file_bytes,
        stable_secs: config.stable_secs,
    }
}
