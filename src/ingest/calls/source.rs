//! The call-log drop folder: exports placed in `[calls] path`, subfolders included, are read
//! row by row through the funnel; `tidings import calls FILE` reads one file the same way.

use super::{CallLogError, CallsConfig, FormatChoice};
use crate::ingest::dropfolder::FolderSpec;
use crate::ingest::RawKind;

/// Source name of the call-log folder and of `tidings import calls`.
pub const SOURCE: &str = "calls";

/// Call-log files are read whole; a larger file is quarantined (split the export).
const MAX_FILE_BYTES: u64 = 1024 * 1024 * 1024;

/// What the call-log folder takes, read with the configured default format.
pub fn folder_spec(config: &CallsConfig) -> Result<FolderSpec, CallLogError> {
    Ok(FolderSpec {
        source: SOURCE,
        kind: RawKind::CallLog(config.format.parse::<FormatChoice>()?),
        extensions: &["csv", "tsv", "txt"],
        recursive: true,
        max_file_bytes: MAX_FILE_BYTES,
        stable_secs: config.stable_secs,
    })
}
