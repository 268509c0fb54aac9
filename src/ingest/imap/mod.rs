//! IMAP mailbox source: a protocol client (`client`), its config, and the sync loop (`source`).

pub mod client;
pub mod config;
pub mod source;
mod tls;
