//! Routing under contact arrangements: inbound mail from a customer with a
//! single-point-of-contact arrangement is forwarded to the nominated person (the deputy while
//! they are absent) with the original attached intact; anything that reads as a complaint is
//! copied to the complaints mailbox and anything with a safety signal to the safety contacts,
//! under any arrangement. Loops, auto-replies, bounces and staff mail are never routed, and
//! every decision is recorded with its outcome and reason (`tidings routing list`).
//!
//! `facts` (what a message is), `cues` (complaint cues), `decide` (the rules) and `forward`
//! (the messages) are pure; `stage` reads and writes the store; `reminders` sends review and
//! proactive-contact reminders and the quarterly roll-up. Must not touch the ingest
//! transaction: routing runs after items are stored.

pub mod config;
pub mod cues;
pub mod decide;
pub mod facts;
pub mod forward;
pub mod reminders;
pub mod stage;

pub use config::RoutingConfig;
pub use stage::{Router, RoutingPass, StaffCheck};

use crate::store::StoreError;
use facts::OwnMarks;

/// Why routing could not run, with what to do.
#[derive(Debug, thiserror::Error)]
pub enum RoutingError {
    /// Reading or recording failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A configured address is not a mail address.
    #[error(
        "{key} {value:?} is not a mail address; give a full address such as complaints@example.org"
    )]
    Address {
        /// The config key.
        key: &'static str,
        /// The value.
        value: String,
    },
}

/// How Tidings marks its own mail: the domain of `[smtp] from` for Message-IDs (as the digest
/// uses) and that address as `X-Loop`.
pub fn own_marks(config: &crate::config::Config) -> OwnMarks {
    let from = config
        .smtp
        .as_ref()
        .map(|s| s.from.clone())
        .unwrap_or_default();
    let address = match (from.rfind('<'), from.rfind('>')) {
        (Some(open), Some(close)) if open < close => from[open + 1..close].trim().to_owned(),
        _ => from.trim().to_owned(),
    };
    let domain = address
        .rsplit_once('@')
        .map(|(_, d)| d.to_owned())
        .unwrap_or_else(|| "tidings.invalid".to_owned());
    OwnMarks {
        message_id_domain: domain,
        x_loop: if address.contains('@') {
            address
        } else {
            "tidings@tidings.invalid".to_owned()
        },
    }
}
