//! Sends one [`OutboundMessage`] over SMTP with lettre (rustls, Mozilla roots plus an optional
//! CA file). Every message carries `Auto-Submitted` and the caller's stable Message-ID, so a
//! retry from the outbox is recognisably the same message. Errors say whether a retry can help
//! ([`SmtpError::is_transient`]) and what to check. Owns no queue and no retry policy: that is
//! the outbox's job.
//!
//! `message` builds the MIME message; `error` classifies failures.

mod error;
mod message;

use error::caused_by_tls;
pub use error::SmtpError;
use message::build_message;

use std::{fmt, time::Duration};

use lettre::{
    message::Mailbox,
    transport::smtp::{
        authentication::Credentials,
        client::{Certificate, CertificateStore, Tls, TlsParameters},
        AsyncSmtpTransport, Error as LettreError,
    },
    AsyncTransport, Tokio1Executor,
};
use rustls::pki_types::{pem::PemObject, CertificateDer};

use super::config::{SmtpConfig, SmtpConfigError, SmtpSecurity};
use crate::config::Secret;

/// A file attached to an outbound message, e.g. the original mail as `message/rfc822`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name shown to the recipient, e.g. `original.eml`.
    pub filename: String,
    /// MIME type, e.g. `message/rfc822` or `application/pdf`.
    pub content_type: String,
    /// The content, unencoded.
    pub bytes: Vec<u8>,
}

/// One message to send, as the outbox stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    /// Stable Message-ID without angle brackets, e.g. `digest-2026-48-7@tidings.example.org`;
    /// the same on every retry.
    pub message_id: String,
    /// Recipient addresses, e.g. `Jo Bloggs <jo@example.org>`.
    pub to: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body (always sent).
    pub text: String,
    /// HTML alternative of `text`; with it the body is `multipart/alternative`.
    pub html: Option<String>,
    /// Attachments; with any, the message is `multipart/mixed`.
    pub attachments: Vec<Attachment>,
    /// Extra headers, e.g. `("In-Reply-To", "<…>")`. `Auto-Submitted` may be given (it must be
    /// an `auto-…` value); otherwise `auto-generated` is set.
    pub headers: Vec<(String, String)>,
}

/// Sends messages through the configured SMTP server; one connection per message.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    server: String,
    timeout: Duration,
}

impl fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSender")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpSender {
    /// Validates `config`, reads `password_file` and `ca_file`, and prepares the transport.
    /// Does not connect; see [`SmtpSender::check`].
    pub fn new(config: &SmtpConfig) -> Result<Self, SmtpError> {
        config.validate()?;
        let from: Mailbox = config
            .from
            .parse()
            .map_err(
                |e: lettre::address::AddressError| SmtpError::InvalidAddress {
                    address: config.from.clone(),
                    reason: e.to_string(),
                },
            )?;
        let port = config.effective_port();
        let server = format!("{}:{port}", config.host);
        let timeout = Duration::from_secs(config.timeout_secs);

        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(port)
            .timeout(Some(timeout));
        builder = match config.security {
            SmtpSecurity::Plain => builder.tls(Tls::None),
            SmtpSecurity::Starttls => builder.tls(Tls::Required(tls_parameters(config, &server)?)),
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls_parameters(config, &server)?)),
        };
        if let Some(username) = &config.username {
            let password = password(config)?;
            builder = builder.credentials(Credentials::new(
                username.clone(),
                password.expose().to_owned(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
            from,
            server,
            timeout,
        })
    }

    /// Sends `message`; on error, [`SmtpError::is_transient`] says whether to retry.
    pub async fn send(&self, message: &OutboundMessage) -> Result<(), SmtpError> {
        let email = build_message(&self.from, message)?;
        let size = message.text.len()
            + message.html.as_ref().map_or(0, String::len)
            + message
                .attachments
                .iter()
                .map(|a| a.bytes.len() / 3 * 4)
                .sum::<usize>();
        let size = u64::try_from(size).unwrap_or(u64::MAX);
        // lettre bounds connecting by `timeout`; bound the whole conversation too, allowing
        // ~50 kB/s for the body.
        let deadline = self.timeout * 4 + Duration::from_secs(size / 50_000);
        match tokio::time::timeout(deadline, self.transport.send(email)).await {
            Ok(Ok(_response)) => {
                tracing::debug!(
                    message_id = %message.message_id,
                    recipients = message.to.len(),
                    "The SMTP server accepted the message."
                );
                Ok(())
            }
            Ok(Err(e)) => Err(self.classify(e)),
            Err(_elapsed) => Err(self.timed_out(deadline)),
        }
    }

    /// Connects (with TLS and AUTH as configured), sends NOOP and quits.
    pub async fn check(&self) -> Result<(), SmtpError> {
        let deadline = self.timeout * 2;
        match tokio::time::timeout(deadline, self.transport.test_connection()).await {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err(SmtpError::NotResponding {
                server: self.server.clone(),
            }),
            Ok(Err(e)) => Err(self.classify(e)),
            Err(_elapsed) => Err(self.timed_out(deadline)),
        }
    }

    fn timed_out(&self, deadline: Duration) -> SmtpError {
        SmtpError::Timeout {
            server: self.server.clone(),
            seconds: deadline.as_secs(),
        }
    }

    fn classify(&self, source: LettreError) -> SmtpError {
        let server = self.server.clone();
        if source.is_transient() {
            SmtpError::Deferred { server, source }
        } else if source.is_permanent() {
            let code = source.status().map(|c| c.to_string());
            if matches!(code.as_deref(), Some("530" | "534" | "535" | "538")) {
                SmtpError::Authentication { server, source }
            } else {
                SmtpError::Rejected { server, source }
            }
        } else if source.is_tls() || caused_by_tls(&source) {
            SmtpError::Tls { server, source }
        } else if source.is_client() {
            SmtpError::Unsupported { server, source }
        } else if source.is_timeout() {
            SmtpError::Timeout {
                server,
                seconds: self.timeout.as_secs(),
            }
        } else {
            SmtpError::Connection { server, source }
        }
    }
}

/// The SMTP password: `password`, or the contents of `password_file`.
fn password(config: &SmtpConfig) -> Result<Secret, SmtpError> {
    if let Some(password) = &config.password {
        return Ok(password.clone());
    }
    let Some(path) = &config.password_file else {
        return Err(SmtpConfigError {
            key: "username",
            problem: "is set without password or password_file".to_owned(),
        }
        .into());
    };
    let text = std::fs::read_to_string(path).map_err(|source| SmtpError::ReadFile {
        key: "password_file",
        path: path.clone(),
        source,
    })?;
    Ok(Secret::new(text.trim_end_matches(['\r', '\n'])))
}

/// TLS settings: Mozilla roots plus the configured CA file.
fn tls_parameters(config: &SmtpConfig, server: &str) -> Result<TlsParameters, SmtpError> {
    let mut builder = TlsParameters::builder(config.host.clone())
        .certificate_store(CertificateStore::WebpkiRoots);
    if let Some(path) = &config.ca_file {
        let pem = std::fs::read(path).map_err(|source| SmtpError::ReadFile {
            key: "ca_file",
            path: path.clone(),
            source,
        })?;
        let count = CertificateDer::pem_slice_iter(&pem)
            .take_while(Result::is_ok)
            .count();
        let certificate = Certificate::from_pem(&pem)
            .ok()
            .filter(|_| count > 0)
            .ok_or_else(|| SmtpError::CaFile { path: path.clone() })?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().map_err(|source| SmtpError::Tls {
        server: server.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_password_file_and_rejects_empty_ca_file() {
        let dir = tempfile::tempdir().expect("test setup");
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "s3cret\n").expect("test setup");
        let config = SmtpConfig {
            username: Some("u".to_owned()),
            password_file: Some(secret),
            ..SmtpConfig::default()
        };
        assert_eq!(password(&config).expect("test setup").expose(), "s3cret");
        assert!(SmtpSender::new(&config).is_ok());

        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "not a certificate").expect("test setup");
        let config = SmtpConfig {
            security: SmtpSecurity::Tls,
            host: "smtp.example.org".to_owned(),
            ca_file: Some(ca),
            ..SmtpConfig::default()
        };
        assert!(matches!(
            SmtpSender::new(&config),
            Err(SmtpError::CaFile { .. })
        ));
        let missing = SmtpConfig {
            ca_file: Some(dir.path().join("missing.pem")),
            ..config
        };
        assert!(matches!(
            SmtpSender::new(&missing),
            Err(SmtpError::ReadFile { key: "ca_file", .. })
        ));
    }
}
