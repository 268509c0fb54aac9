//! IMAP mailbox source: a protocol client (`client`), its config, the sync loop (`source`) and
//! its pure choice of what to download and in which batches (`select`).

pub mod client;
pub mod config;
mod select;
pub mod source;
mod tls;
