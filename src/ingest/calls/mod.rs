//! Telephone call logs → [`ContactRecord`]s.
//!
//! [`parse_call_log`] is pure: it takes a CSV export's bytes and returns one
//! [`CallRow`] per data row — a [`ParsedCall`] or a [`RowError`] naming the column that could
//! not be read, so one bad row never stops the rest of the file. Presets read Asterisk's
//! `Master.csv`, a generic headed export, the Microsoft Teams PSTN usage report and 3CX call
//! logs; `[[calls.formats]]` mappings read anything else. Owns no I/O, no tokio, no sqlx.
//!
//! Conventions every preset follows:
//! - numbers become E.164 in the context's region; a leading `9` trunk-access prefix on a
//!   dialled number is dropped; 2–6 digit numbers are extensions
//!   ([`Identifier::Extension`](crate::domain::Identifier::Extension));
//! - a withheld, anonymous, private, unavailable, unknown or empty number leaves its party
//!   with **no identifiers** (the raw text stays in `CallDetails`), so nothing links by it;
//! - a number in `own_numbers` is the organisation's side: its party carries
//!   `Identifier::Role("own line +44…")`, never `Identifier::Phone`;
//! - a call between two extensions is [`Direction::Internal`](crate::domain::Direction);
//!   without a stated direction, a call from the organisation's side is outbound and any
//!   other is inbound;
//! - the staff side is a [`PartyRole::Handler`](crate::domain::PartyRole) party when the log
//!   names an extension, agent or Teams user;
//! - `item_ref` is the system's call id, else `<file name>#<data row>`; the fingerprint is
//!   stable across files (see [`ParsedCall::fingerprint`]).
//!
//! [`ContactRecord`]: crate::domain::ContactRecord

pub mod config;
mod parse;
pub mod source;

pub use config::{
    CallFormat, CallsConfig, CallsConfigError, ColumnMap, ColumnRef, DirectionValues, ResultValues,
};

use crate::domain::{ContactRecord, PhoneNumber};
use std::fmt;
use std::str::FromStr;

/// Which reader to use for a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatChoice {
    /// Detect from the header names or, without a header, the Asterisk shape.
    Auto,
    /// Asterisk `cdr_csv` `Master.csv` (no header).
    Asterisk,
    /// A generic headed export matched by common column names.
    Export,
    /// The Microsoft Teams PSTN usage report.
    Teams,
    /// 3CX call log / CDR output with a header.
    ThreeCx,
    /// A `[[calls.formats]]` entry, by name.
    Custom(String),
}

impl FromStr for FormatChoice {
    type Err = CallLogError;

    /// `auto`, `asterisk`, `export`, `teams`, `3cx`, or any other name (a custom format,
    /// checked when a file is parsed).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        Ok(match name.to_ascii_lowercase().as_str() {
            "" => return Err(CallLogError::NoFormatName),
            "auto" => FormatChoice::Auto,
            "asterisk" => FormatChoice::Asterisk,
            "export" => FormatChoice::Export,
            "teams" => FormatChoice::Teams,
            "3cx" | "threecx" => FormatChoice::ThreeCx,
            _ => FormatChoice::Custom(name.to_string()),
        })
    }
}

/// What a parse needs besides the bytes.
#[derive(Clone, Debug)]
pub struct CallContext {
    /// Region (ISO 3166) for national numbers; `GB` by default.
    pub region: String,
    /// Time zone of local times without an offset; Europe/London by default.
    pub tz: chrono_tz::Tz,
    /// Asterisk times are UTC (`usegmtime`).
    pub asterisk_gmt: bool,
    /// `[[calls.formats]]` mappings.
    pub formats: Vec<CallFormat>,
    /// The organisation's own numbers (switchboard, queues).
    pub own_numbers: Vec<PhoneNumber>,
}

impl Default for CallContext {
    fn default() -> Self {
        Self {
            region: "GB".to_string(),
            tz: chrono_tz::Europe::London,
            asterisk_gmt: false,
            formats: Vec::new(),
            own_numbers: Vec::new(),
        }
    }
}

/// A parsed file: the format that read it and one result per data row, in file order.
#[derive(Debug, serde::Serialize)]
pub struct CallLog {
    /// The preset (`asterisk`, `export`, `teams`, `3cx`) or custom format name.
    pub format: String,
    /// One entry per non-blank data row.
    pub rows: Vec<CallRow>,
}

/// One data row: a call, or why it could not be read.
pub type CallRow = Result<ParsedCall, RowError>;

/// A call read from a row.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ParsedCall {
    /// 1-based data row (the header is not counted).
    pub row: usize,
    /// SHA-256 hex of the call's canonical form: the format and the system's call id when
    /// there is one, else start time, caller, callee and duration; the handler's extension
    /// always. Re-importing a file, or a later export that overlaps it, gives equal values.
    pub fingerprint: String,
    /// The channel-neutral record.
    pub record: ContactRecord,
}

/// A row that could not be read; the rest of the file still imports.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("row {row}: {reason}")]
pub struct RowError {
    /// 1-based data row.
    pub row: usize,
    /// The column and what was wrong with it.
    pub reason: String,
}

/// Why a whole file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CallLogError {
    /// The file has nothing in it.
    #[error("{file} is empty: export the call log again (or remove the file)")]
    Empty {
        /// The file name.
        file: String,
    },
    /// No preset or mapping recognises the file.
    #[error("{file}: {why}. Name the format with --format asterisk|export|teams|3cx, or describe its columns in a [[calls.formats]] mapping (name, has_header, columns = {{ start = \"…\", caller = \"…\", called = \"…\" }}) and use --format NAME")]
    UnknownFormat {
        /// The file name.
        file: String,
        /// What was seen.
        why: String,
    },
    /// The chosen preset needs columns the header lacks.
    #[error("{file}: the {format} format needs a column for {missing}, but the header has {header}; choose another --format or add a [[calls.formats]] mapping")]
    MissingColumns {
        /// The file name.
        file: String,
        /// The format chosen.
        format: String,
        /// The fields with no column.
        missing: String,
        /// The header as read.
        header: String,
    },
    /// `--format NAME` names no `[[calls.formats]]` entry.
    #[error("there is no call log format {name:?}; use auto, asterisk, export, teams, 3cx or one of the [[calls.formats]] names: {known}")]
    UnknownCustomFormat {
        /// The name given.
        name: String,
        /// The configured names.
        known: String,
    },
    /// A `[[calls.formats]]` entry does not fit the file or is invalid.
    #[error("{0}")]
    BadFormat(#[from] CallsConfigError),
    /// `--format` was given an empty name.
    #[error("the format name is empty; use auto, asterisk, export, teams, 3cx or a [[calls.formats]] name")]
    NoFormatName,
}

/// Parses a call log export. `file_name` is used in `item_ref`s and messages. Invalid UTF-8
/// is read as Windows-1252. Never panics on any input.
#[allow(
    clippy::needless_pass_by_value,
    reason = "callers pass the choice they parsed from the CLI or config"
)]
pub fn parse_call_log(
    bytes: &[u8],
    file_name: &str,
    choice: FormatChoice,
    ctx: &CallContext,
) -> Result<CallLog, CallLogError> {
    parse::parse(bytes, file_name, &choice, ctx)
}

impl fmt::Display for FormatChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FormatChoice::Auto => "auto",
            FormatChoice::Asterisk => "asterisk",
            FormatChoice::Export => "export",
            FormatChoice::Teams => "teams",
            FormatChoice::ThreeCx => "3cx",
            FormatChoice::Custom(name) => name,
        })
    }
}

#[cfg(test)]
mod tests;
