//! Email parsing: pure functions from message bytes to values; no I/O.
//!
//! - [`parse`]: raw RFC 5322 bytes → [`ParsedEmail`] (sender, recipients, ids, readable text,
//!   attachment metadata, whether it is machine-generated), or a [`ParseError`] saying why the
//!   item must be quarantined.
//! - [`fingerprint`]: a content hash that is the same for one message however it was stored.
//! - [`subject`]: the thread key of a subject line.
//!
//! This module never touches the network, the file system or the store; sources hand it bytes.

pub mod fingerprint;
pub mod parse;
pub mod record;
pub mod subject;

pub use fingerprint::Fingerprint;
pub use parse::{
    parse_email, AttachmentInfo, Automated, Mailbox, ParseError, ParseLimits, ParsedEmail,
};
pub use record::email_record;
pub use subject::thread_subject;
