//! Sources and the one ingest funnel every source hands its raw items to.
//!
//! A source reads raw bytes and says where they came from ([`RawItem`]); the [`Funnel`]
//! fingerprints, parses and links them into store entries and commits each batch in one
//! transaction together with the source's checkpoint. Linking, counting and flagging exist
//! once, whatever the channel.

pub mod archive;
pub mod calls;
pub mod dropfolder;
pub mod email;
mod funnel;
pub mod health;
pub mod imap;
pub mod letters;
pub mod notes;
pub mod setup;
pub mod status;

pub use funnel::{Funnel, RawItem, RawKind};
