//! Why a send failed, and whether a retry can help.

use std::{error::Error as _, io, path::PathBuf};

use lettre::transport::smtp::Error as LettreError;

use crate::outbound::config::SmtpConfigError;

/// Why a message could not be sent, with what to check.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    /// The `[smtp]` section is invalid.
    #[error(transparent)]
    Config(#[from] SmtpConfigError),
    /// `password_file` or `ca_file` could not be read.
    #[error(
        "cannot read smtp.{key} {path:?}: {source}; check the path and that Tidings may read it"
    )]
    ReadFile {
        /// The config key naming the file.
        key: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// `ca_file` holds no PEM certificate.
    #[error("smtp.ca_file {path:?} holds no usable certificate; it must contain PEM \"BEGIN CERTIFICATE\" blocks")]
    CaFile {
        /// The file.
        path: PathBuf,
    },
    /// A recipient (or `from`) is not a mail address.
    #[error("{address:?} is not a valid mail address ({reason}); check the recipient's address")]
    InvalidAddress {
        /// The address as given.
        address: String,
        /// What the parser said.
        reason: String,
    },
    /// The message itself cannot be sent as built (Message-ID, headers, content type).
    #[error("the message cannot be sent: {reason}")]
    InvalidMessage {
        /// What is wrong with it.
        reason: String,
    },
    /// Connecting or talking to the server failed (refused, reset, closed, unresolvable).
    #[error("the connection to the SMTP server {server} failed: {source}; check that it is running and reachable at smtp.host and smtp.port")]
    Connection {
        /// `host:port`.
        server: String,
        /// lettre's error.
        #[source]
        source: LettreError,
    },
    /// The server accepted the connection but did not answer NOOP.
    #[error("the SMTP server {server} accepted the connection but did not answer; check that smtp.port is an SMTP port")]
    NotResponding {
        /// `host:port`.
        server: String,
    },
    /// No answer in time.
    #[error("the SMTP server {server} did not answer within {seconds} s; check the server and the network, or raise smtp.timeout_secs")]
    Timeout {
        /// `host:port`.
        server: String,
        /// The deadline that passed.
        seconds: u64,
    },
    /// A 4xx reply: the server asks us to try again later.
    #[error("the SMTP server {server} deferred the message: {source}")]
    Deferred {
        /// `host:port`.
        server: String,
        /// lettre's error, with the reply code and text.
        #[source]
        source: LettreError,
    },
    /// A 5xx reply about authentication (530, 534, 535, 538).
    #[error("the SMTP server {server} refused authentication: {source}; check smtp.username and the password, or set them if the server requires AUTH")]
    Authentication {
        /// `host:port`.
        server: String,
        /// lettre's error, with the reply code and text.
        #[source]
        source: LettreError,
    },
    /// Any other 5xx reply: the server will not take this message.
    #[error("the SMTP server {server} rejected the message: {source}; check the recipient addresses, smtp.from, and that this account may send as smtp.from")]
    Rejected {
        /// `host:port`.
        server: String,
        /// lettre's error, with the reply code and text.
        #[source]
        source: LettreError,
    },
    /// The TLS handshake or certificate check failed.
    #[error("TLS with the SMTP server {server} failed: {source}; check smtp.security (tls is usually port 465, starttls 587), that smtp.host matches the certificate, and smtp.ca_file for a private CA")]
    Tls {
        /// `host:port`.
        server: String,
        /// lettre's error.
        #[source]
        source: LettreError,
    },
    /// The server lacks something we need (STARTTLS, a usable AUTH mechanism, 8BITMIME).
    #[error("the SMTP server {server} cannot do what the configuration asks: {source}; check smtp.security and the authentication settings")]
    Unsupported {
        /// `host:port`.
        server: String,
        /// lettre's error.
        #[source]
        source: LettreError,
    },
}

impl SmtpError {
    /// True when the same message may succeed later (connection refused or reset, timeout,
    /// 4xx reply); false when something must be fixed first (5xx reply, bad address, TLS or
    /// configuration).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SmtpError::Connection { .. }
                | SmtpError::NotResponding { .. }
                | SmtpError::Timeout { .. }
                | SmtpError::Deferred { .. }
        )
    }
}

/// True when a TLS error is somewhere in the chain (lettre reports handshake failures as
/// connection errors).
pub(super) fn caused_by_tls(error: &LettreError) -> bool {
    let mut next = error.source();
    while let Some(e) = next {
        if e.is::<rustls::Error>() {
            return true;
        }
        if let Some(inner) = e.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            if inner.is::<rustls::Error>() {
                return true;
            }
        }
        next = e.source();
    }
    false
}
