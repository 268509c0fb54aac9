//! `outbound::smtp` against the real test services started by `scripts/services/up`: the SMTP
//! sink (stores each message as a file, answers RCPT from per-address control files) and, for
//! the TLS paths, the private Dovecot's IMAPS port (a TLS server with a private CA).
//! Run: `scripts/services/up && source /tmp/tidings-services/env && cargo test --test smtp_send`.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{header, smtp_messages_for, unique_name, wait_for, Services};
use tidings::outbound::config::{SmtpConfig, SmtpSecurity};
use tidings::outbound::smtp::{Attachment, OutboundMessage, SmtpError, SmtpSender};

fn config(port: u16, security: SmtpSecurity) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".to_owned(),
        port: Some(port),
        security,
        from: "Tidings <tidings@example.org>".to_owned(),
        timeout_secs: 5,
        ..SmtpConfig::default()
    }
}

fn sink() -> (Services, SmtpSender) {
    let services = Services::from_env();
    let sender = SmtpSender::new(&config(services.smtp_port, SmtpSecurity::Plain)).unwrap();
    (services, sender)
}

/// A recipient address no other test uses.
fn recipient(prefix: &str) -> String {
    format!("{}@example.org", unique_name(prefix))
}

fn message(to: &str) -> OutboundMessage {
    OutboundMessage {
        message_id: format!("{}@tidings.example.org", unique_name("msg")),
        to: vec![format!("Jo Manager <{to}>")],
        subject: "Tidings weekly digest, 23–29 Nov 2026: 1 new flag for review".to_owned(),
        text: "Hello Jo,\n\n1 new flag for review.\n".to_owned(),
        html: None,
        attachments: vec![],
        headers: vec![],
    }
}

/// The one message the sink holds for `rcpt`, waiting briefly for it.
fn received(services: &Services, rcpt: &str, count: usize) -> Vec<String> {
    wait_for(
        &format!("{count} message(s) for {rcpt}"),
        Duration::from_secs(10),
        || smtp_messages_for(&services.smtp_dir, rcpt).len() >= count,
    );
    smtp_messages_for(&services.smtp_dir, rcpt)
}

fn control_file(address: &str) -> PathBuf {
    let dir = std::env::var("TIDINGS_TEST_SMTP_CONTROL_DIR").unwrap_or_else(|_| {
        panic!("TIDINGS_TEST_SMTP_CONTROL_DIR is not set: source /tmp/tidings-services/env")
    });
    PathBuf::from(dir).join(address.to_ascii_lowercase())
}

#[tokio::test]
async fn text_and_html_arrive_with_our_message_id() {
    let (services, sender) = sink();
    let to = recipient("smtp_alt");
    let mut m = message(&to);
    m.html = Some("<p>Hello Jo,</p><p>1 new flag for review.</p>".to_owned());
    sender.send(&m).await.unwrap();

    let got = received(&services, &to, 1);
    assert_eq!(got.len(), 1);
    let mail = &got[0];
    assert_eq!(
        header(mail, "Message-ID"),
        Some(format!("<{}>", m.message_id))
    );
    assert_eq!(
        header(mail, "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    assert_eq!(
        header(mail, "X-Sink-Mail-From").as_deref(),
        Some("tidings@example.org")
    );
    assert!(header(mail, "Content-Type")
        .unwrap()
        .starts_with("multipart/alternative"));
    assert!(mail.contains("Content-Type: text/plain; charset=utf-8"));
    assert!(mail.contains("Content-Type: text/html; charset=utf-8"));
    assert!(mail.contains("1 new flag for review."));

    // A retry from the outbox is the same message: same Message-ID.
    sender.send(&m).await.unwrap();
    let got = received(&services, &to, 2);
    assert_eq!(
        header(&got[1], "Message-ID"),
        Some(format!("<{}>", m.message_id))
    );
}

#[tokio::test]
async fn attachments_make_multipart_mixed() {
    let (services, sender) = sink();
    let to = recipient("smtp_mixed");
    let original = "From: Sam Example <sam@example.net>\nTo: info@example.org\n\
                    Subject: Bin collection\nMessage-ID: <orig-1@example.net>\n\n\
                    The bins were not collected on Tuesday.\n";
    let mut m = message(&to);
    m.html = Some("<p>Forwarded under a contact arrangement.</p>".to_owned());
    m.headers = vec![("In-Reply-To".to_owned(), "<orig-1@example.net>".to_owned())];
    m.attachments = vec![
        Attachment {
            filename: "original.eml".to_owned(),
            content_type: "message/rfc822".to_owned(),
            bytes: original.as_bytes().to_vec(),
        },
        Attachment {
            filename: "scan.pdf".to_owned(),
            content_type: "application/pdf".to_owned(),
            bytes: vec![0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10],
        },
    ];
    sender.send(&m).await.unwrap();

    let got = received(&services, &to, 1);
    let mail = &got[0];
    assert!(header(mail, "Content-Type")
        .unwrap()
        .starts_with("multipart/mixed"));
    assert!(mail.contains("multipart/alternative"));
    assert!(mail.contains("Content-Type: message/rfc822"));
    assert!(mail.contains("Content-Disposition: attachment; filename=\"original.eml\""));
    // The original stays readable as a message, not base64.
    assert!(mail.contains("Subject: Bin collection\r\nMessage-ID: <orig-1@example.net>\r\n"));
    assert!(mail.contains("Content-Type: application/pdf"));
    assert_eq!(
        header(mail, "In-Reply-To").as_deref(),
        Some("<orig-1@example.net>")
    );
    assert_eq!(
        header(mail, "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
}

#[tokio::test]
async fn closed_port_is_transient_and_quick() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let sender = SmtpSender::new(&config(port, SmtpSecurity::Plain)).unwrap();
    let started = Instant::now();
    let err = sender
        .send(&message(&recipient("closed")))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(err.is_transient(), "{err}");
    assert!(matches!(err, SmtpError::Connection { .. }), "{err:?}");
    assert!(err.to_string().contains("smtp.port"), "{err}");
    assert!(sender.check().await.unwrap_err().is_transient());
}

#[tokio::test]
async fn check_talks_to_the_server() {
    let (_services, sender) = sink();
    sender.check().await.unwrap();
}

#[tokio::test]
async fn replies_4xx_are_transient_and_5xx_are_not() {
    let (_services, sender) = sink();
    let deferred = recipient("smtp_451");
    let rejected = recipient("smtp_550");
    std::fs::write(control_file(&deferred), "451 4.3.0 Try again later\n").unwrap();
    std::fs::write(control_file(&rejected), "550 5.1.1 No such mailbox\n").unwrap();

    let first = sender.send(&message(&deferred)).await.unwrap_err();
    let second = sender.send(&message(&rejected)).await.unwrap_err();
    std::fs::remove_file(control_file(&deferred)).unwrap();
    std::fs::remove_file(control_file(&rejected)).unwrap();

    assert!(matches!(first, SmtpError::Deferred { .. }), "{first:?}");
    assert!(first.is_transient());
    assert!(first.to_string().contains("451"), "{first}");
    assert!(matches!(second, SmtpError::Rejected { .. }), "{second:?}");
    assert!(!second.is_transient());
    assert!(second.to_string().contains("recipient"), "{second}");
}

#[tokio::test]
async fn tls_uses_the_configured_ca() {
    let services = Services::from_env();
    let mut tls = config(services.imaps_port, SmtpSecurity::Tls);
    tls.host = "localhost".to_owned();

    // Without the private CA the certificate is not trusted: a permanent TLS error.
    let untrusted = SmtpSender::new(&tls).unwrap().check().await.unwrap_err();
    assert!(matches!(untrusted, SmtpError::Tls { .. }), "{untrusted:?}");
    assert!(!untrusted.is_transient());
    assert!(untrusted.to_string().contains("ca_file"), "{untrusted}");

    // With it the handshake succeeds; the server behind is IMAP, so SMTP itself then fails,
    // but not with TLS.
    tls.ca_file = Some(services.imap_ca.clone());
    let after_handshake = SmtpSender::new(&tls).unwrap().check().await.unwrap_err();
    assert!(
        !matches!(after_handshake, SmtpError::Tls { .. }),
        "{after_handshake:?}"
    );
}

#[tokio::test]
async fn wrong_security_is_permanent() {
    let services = Services::from_env();
    // Implicit TLS against the plain sink: the handshake reads an SMTP greeting.
    let tls = SmtpSender::new(&config(services.smtp_port, SmtpSecurity::Tls)).unwrap();
    let err = tls.check().await.unwrap_err();
    assert!(matches!(err, SmtpError::Tls { .. }), "{err:?}");
    assert!(!err.is_transient());
    assert!(err.to_string().contains("smtp.security"), "{err}");

    // STARTTLS is required but the sink does not offer it.
    let starttls = SmtpSender::new(&config(services.smtp_port, SmtpSecurity::Starttls)).unwrap();
    let err = starttls.check().await.unwrap_err();
    assert!(matches!(err, SmtpError::Unsupported { .. }), "{err:?}");
    assert!(!err.is_transient());
}
