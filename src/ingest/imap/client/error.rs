//! The client's error type, and the mapping from async-imap errors and tagged replies.

use async_imap::imap_proto::{Outcome, Status};
use std::time::Duration;

/// Why an IMAP operation failed. Each message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// The TCP (or TLS transport) connection could not be made.
    #[error(
        "cannot connect to IMAP server {host}:{port}: {source}; check host/port and that the \
         server is reachable"
    )]
    Connect {
        /// Server host.
        host: String,
        /// Server port.
        port: u16,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// TLS failed: untrusted certificate, wrong name, or not a TLS port.
    #[error(
        "TLS with {host}:{port} failed: {detail}; check that `security` matches the port \
         (993 tls, 143 starttls) and set `ca_file` if the server uses a private CA"
    )]
    Tls {
        /// Server host.
        host: String,
        /// Server port.
        port: u16,
        /// What went wrong.
        detail: String,
    },
    /// The server refused the credentials.
    #[error(
        "the server refused login as {user:?} ({detail}); check username/password or token \
         for account {account:?}"
    )]
    Login {
        /// Account name from the config.
        account: String,
        /// Login name used.
        user: String,
        /// The server's reply.
        detail: String,
        /// The server said it is temporarily unavailable (`[UNAVAILABLE]`).
        temporary: bool,
    },
    /// The server answered NO/BAD, or something Tidings cannot use.
    #[error("IMAP {command} failed: {detail}")]
    Protocol {
        /// The command (or stage) that failed.
        command: String,
        /// The server's reply and what to check.
        detail: String,
    },
    /// Nothing came back within the configured timeout.
    #[error(
        "IMAP {what} got no answer within {:.1}s; the server or network is slow or stuck; \
         raise `timeout_secs` if this persists",
        after.as_secs_f64()
    )]
    Timeout {
        /// What was being waited for.
        what: String,
        /// The timeout that passed.
        after: Duration,
    },
    /// The connection ended (BYE, reset, EOF) or is unusable after an earlier error.
    #[error("the IMAP connection was closed ({detail})")]
    Closed {
        /// What happened.
        detail: String,
    },
    /// Some requested messages did not come back from `UID FETCH`.
    #[error(
        "UID FETCH returned {got} of {requested} requested messages (missing UIDs \
         {missing:?}); they were probably expunged meanwhile"
    )]
    MissingUids {
        /// Number of UIDs requested.
        requested: usize,
        /// Number of messages received.
        got: usize,
        /// The UIDs that did not come back.
        missing: Vec<u32>,
    },
}

impl ImapError {
    /// True if retrying later (after reconnecting) may succeed without a config change.
    pub fn is_transient(&self) -> bool {
        match self {
            ImapError::Connect { .. } | ImapError::Timeout { .. } | ImapError::Closed { .. } => {
                true
            }
            ImapError::Login { temporary, .. } => *temporary,
            ImapError::Tls { .. } | ImapError::Protocol { .. } | ImapError::MissingUids { .. } => {
                false
            }
        }
    }

    /// True if the connection's state is unknown after this error.
    pub(super) fn breaks_connection(&self) -> bool {
        matches!(self, ImapError::Timeout { .. } | ImapError::Closed { .. })
    }

    pub(super) fn bye(text: &str) -> Self {
        ImapError::Closed {
            detail: format!("the server said BYE: {text}"),
        }
    }
}

/// Maps an async-imap error from the command `label`.
pub(super) fn lib_error(label: &str, error: async_imap::error::Error) -> ImapError {
    use async_imap::error::Error;
    let protocol = |detail: String| ImapError::Protocol {
        command: label.to_string(),
        detail,
    };
    match error {
        Error::Io(e) => ImapError::Closed {
            detail: format!("{label}: {e}"),
        },
        Error::ConnectionLost => ImapError::Closed {
            detail: format!("{label}: connection lost"),
        },
        Error::No(text) => protocol(format!("the server answered NO ({text})")),
        Error::Bad(text) => protocol(format!("the server answered BAD ({text})")),
        other => protocol(other.to_string()),
    }
}

/// The tagged reply that ends a command.
#[derive(Debug)]
pub(super) enum Tagged {
    Ok,
    No(String),
    Bad(String),
}

impl Tagged {
    pub(super) fn new(status: &Status, outcome: &Outcome<'_>) -> Self {
        let mut text = outcome.information.as_deref().unwrap_or("").to_string();
        if let Some(code) = &outcome.code {
            text = format!("[{code:?}] {text}");
        }
        match status {
            Status::Ok => Tagged::Ok,
            Status::No => Tagged::No(text),
            other => Tagged::Bad(format!("{other:?} {text}")),
        }
    }

    /// `Ok` for a tagged OK; otherwise a `Protocol` error naming `command` and `hint`.
    pub(super) fn into_result(self, command: &str, hint: &str) -> Result<(), ImapError> {
        let (word, text) = match self {
            Tagged::Ok => return Ok(()),
            Tagged::No(text) => ("NO", text),
            Tagged::Bad(text) => ("BAD", text),
        };
        Err(ImapError::Protocol {
            command: command.to_string(),
            detail: format!("the server answered {word} ({text}); {hint}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transience_follows_the_cause() {
        let closed = ImapError::Closed {
            detail: "reset".to_string(),
        };
        assert!(closed.is_transient() && closed.breaks_connection());
        let protocol = Tagged::Bad("x".to_string()).into_result("UID FETCH", "report it");
        let protocol = protocol.err();
        assert!(protocol.as_ref().is_some_and(|e| !e.is_transient()));
        assert!(protocol.is_some_and(|e| e.to_string().contains("report it")));
    }
}
