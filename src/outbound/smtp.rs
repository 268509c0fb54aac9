//! Sends one [`OutboundMessage`] over SMTP with lettre (rustls, Mozilla roots plus an optional
//! CA file). Every message carries `Auto-Submitted` and the caller's stable Message-ID, so a
//! retry from the outbox is recognisably the same message. Errors say whether a retry can help
//! ([`SmtpError::is_transient`]) and what to check. Owns no queue and no retry policy: that is
//! the outbox's job.

use std::{error::Error as _, fmt, io, path::PathBuf, time::Duration};

use lettre::{
    message::{
        header::{ContentType, HeaderName, HeaderValue},
        Attachment as MimeAttachment, Body, Mailbox, MultiPart, SinglePart,
    },
    transport::smtp::{
        authentication::Credentials,
        client::{Certificate, CertificateStore, Tls, TlsParameters},
        AsyncSmtpTransport, Error as LettreError,
    },
    AsyncTransport, Message, Tokio1Executor,
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
    #[error("the SMTP server {server} deferred the message: {source}; it will be retried")]
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

/// lettre reports handshake failures as connection errors; find rustls underneath.
fn caused_by_tls(error: &LettreError) -> bool {
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

/// Headers the builder sets itself; callers may not supply them.
const RESERVED_HEADERS: &[&str] = &[
    "from",
    "sender",
    "to",
    "cc",
    "bcc",
    "subject",
    "message-id",
    "date",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
];

fn invalid(reason: impl Into<String>) -> SmtpError {
    SmtpError::InvalidMessage {
        reason: reason.into(),
    }
}

/// Builds the MIME message: text, or text+HTML as `multipart/alternative`, inside
/// `multipart/mixed` when there are attachments.
fn build_message(from: &Mailbox, message: &OutboundMessage) -> Result<Message, SmtpError> {
    let id = message.message_id.as_str();
    let id_ok = id.is_ascii()
        && id.contains('@')
        && !id.starts_with('@')
        && !id.ends_with('@')
        && !id.contains(|c: char| {
            c.is_ascii_whitespace() || c.is_ascii_control() || "<>".contains(c)
        });
    if !id_ok {
        return Err(invalid(format!(
            "Message-ID {id:?} must look like local@domain, without angle brackets or spaces"
        )));
    }
    if message.to.is_empty() {
        return Err(invalid("it has no recipients"));
    }
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(message.subject.clone())
        .message_id(Some(format!("<{id}>")));
    for address in &message.to {
        let mailbox: Mailbox = address
            .parse()
            .map_err(
                |e: lettre::address::AddressError| SmtpError::InvalidAddress {
                    address: address.clone(),
                    reason: e.to_string(),
                },
            )?;
        builder = builder.to(mailbox);
    }
    let mut auto_submitted = false;
    let mut suppress = false;
    for (name, value) in &message.headers {
        let lower = name.to_ascii_lowercase();
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(invalid(format!("header {name} is set by Tidings itself")));
        }
        if value.contains(['\r', '\n']) {
            return Err(invalid(format!("header {name} contains a line break")));
        }
        if lower == "auto-submitted" {
            if !value.trim().to_ascii_lowercase().starts_with("auto-") {
                return Err(invalid(
                    "Auto-Submitted must be an auto-… value; Tidings never sends as a person",
                ));
            }
            auto_submitted = true;
        }
        suppress |= lower == "x-auto-response-suppress";
        let header_name = HeaderName::new_from_ascii(name.clone())
            .map_err(|_| invalid(format!("{name:?} is not a valid header name")))?;
        builder = builder.raw_header(HeaderValue::new(header_name, value.clone()));
    }
    if !auto_submitted {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ));
    }
    if !suppress {
        // Asks Exchange not to answer with out-of-office replies.
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("X-Auto-Response-Suppress"),
            "All".to_owned(),
        ));
    }

    let plain = SinglePart::plain(message.text.clone());
    let body = message.html.as_ref().map(|html| {
        MultiPart::alternative()
            .singlepart(plain.clone())
            .singlepart(SinglePart::html(html.clone()))
    });
    let built = if message.attachments.is_empty() {
        match body {
            Some(alternative) => builder.multipart(alternative),
            None => builder.singlepart(plain),
        }
    } else {
        let mut mixed = match body {
            Some(alternative) => MultiPart::mixed().multipart(alternative),
            None => MultiPart::mixed().singlepart(plain),
        };
        for attachment in &message.attachments {
            mixed = mixed.singlepart(attachment_part(attachment)?);
        }
        builder.multipart(mixed)
    };
    built.map_err(|e| invalid(e.to_string()))
}

fn attachment_part(attachment: &Attachment) -> Result<SinglePart, SmtpError> {
    let content_type = ContentType::parse(&attachment.content_type).map_err(|_| {
        invalid(format!(
            "attachment {:?} has an invalid content type {:?}",
            attachment.filename, attachment.content_type
        ))
    })?;
    let is_message = attachment
        .content_type
        .trim()
        .to_ascii_lowercase()
        .starts_with("message/rfc822");
    let body = if is_message {
        message_body(&attachment.bytes)
    } else {
        Body::new(attachment.bytes.clone())
    };
    Ok(MimeAttachment::new(attachment.filename.clone()).body(body, content_type))
}

/// A `message/rfc822` part must stay readable as a message (RFC 2046 §5.2.1): 7bit, else
/// 8bit, with CRLF line ends; base64 only if it cannot be either.
fn message_body(bytes: &[u8]) -> Body {
    use lettre::message::header::ContentTransferEncoding as Cte;
    let crlf = to_crlf(bytes);
    Body::new_with_encoding(crlf.clone(), Cte::SevenBit)
        .or_else(|crlf| Body::new_with_encoding(crlf, Cte::EightBit))
        .unwrap_or_else(|_| Body::new(crlf))
}

fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut previous = 0u8;
    for &byte in bytes {
        if byte == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(byte);
        previous = byte;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> OutboundMessage {
        OutboundMessage {
            message_id: "digest-1@tidings.example.org".to_owned(),
            to: vec!["Jo Manager <jo@example.org>".to_owned()],
            subject: "Weekly digest".to_owned(),
            text: "Hello".to_owned(),
            html: None,
            attachments: vec![],
            headers: vec![],
        }
    }

    fn formatted(message: &OutboundMessage) -> String {
        let from: Mailbox = match "Tidings <tidings@example.org>".parse() {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        };
        match build_message(&from, message) {
            Ok(m) => String::from_utf8_lossy(&m.formatted()).into_owned(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn sets_message_id_and_auto_submitted() {
        let text = formatted(&message());
        assert!(text.contains("Message-ID: <digest-1@tidings.example.org>\r\n"));
        assert!(text.contains("Auto-Submitted: auto-generated\r\n"));
        assert!(text.contains("X-Auto-Response-Suppress: All\r\n"));
        assert!(!text.contains("multipart"));
    }

    #[test]
    fn html_makes_alternative_and_attachments_mixed() {
        let mut m = message();
        m.html = Some("<p>Hello</p>".to_owned());
        assert!(formatted(&m).contains("multipart/alternative"));
        m.attachments.push(Attachment {
            filename: "original.eml".to_owned(),
            content_type: "message/rfc822".to_owned(),
            bytes: b"From: a@example.org\nSubject: hi\n\nbody\n".to_vec(),
        });
        let text = formatted(&m);
        assert!(text.contains("multipart/mixed"));
        assert!(text.contains("multipart/alternative"));
        assert!(text.contains("Content-Type: message/rfc822"));
        assert!(text.contains("From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n"));
    }

    #[test]
    fn caller_headers_are_checked() {
        let mut m = message();
        m.headers = vec![("Auto-Submitted".to_owned(), "auto-replied".to_owned())];
        let text = formatted(&m);
        assert!(text.contains("Auto-Submitted: auto-replied\r\n"));
        assert!(!text.contains("auto-generated"));
        for (name, value) in [
            ("Auto-Submitted", "no"),
            ("Message-ID", "<x@y>"),
            ("X-Note", "a\r\nBcc: evil@example.org"),
            ("Bad Name", "x"),
        ] {
            m.headers = vec![(name.to_owned(), value.to_owned())];
            let from: Mailbox = "t@example.org".parse().expect("test setup");
            assert!(matches!(
                build_message(&from, &m),
                Err(SmtpError::InvalidMessage { .. })
            ));
        }
    }

    #[test]
    fn bad_ids_and_addresses_are_permanent() {
        let from: Mailbox = "t@example.org".parse().expect("test setup");
        for id in ["<a@b>", "no-at-sign", "a b@c", ""] {
            let mut m = message();
            m.message_id = id.to_owned();
            let e = build_message(&from, &m).expect_err("should fail");
            assert!(!e.is_transient(), "{id}");
        }
        let mut m = message();
        m.to = vec!["not an address".to_owned()];
        let e = build_message(&from, &m).expect_err("should fail");
        assert!(matches!(e, SmtpError::InvalidAddress { .. }));
        assert!(!e.is_transient());
    }

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
