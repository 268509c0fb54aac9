//! The outbox after an ambiguous failure: the SMTP server accepts a message, but the
//! connection is reset before its reply to the end of `DATA` arrives. The outbox cannot know
//! the message went through, so it treats the attempt as transient, retries after its backoff
//! with the same stable Message-ID (the recipient's side can recognise the second copy), and
//! marks the message sent exactly once.
//!
//! A proxy in the test stands between the outbox and the real SMTP sink and cuts the first
//! connection at exactly that moment.
//! Run: `scripts/services/up && source /tmp/tidings-services/env && cargo test --test outbox_reset`.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::{header, smtp_messages_for, unique_name, Services};
use tidings::outbound::config::{SmtpConfig, SmtpSecurity};
use tidings::outbound::outbox::{backoff_secs, deliver_due};
use tidings::outbound::smtp::SmtpSender;
use tidings::store::{NewOutboxMessage, OutboxState, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the client sends to end the message data.
const END_OF_DATA: &[u8] = b"\r\n.\r\n";

/// A TCP proxy to the SMTP sink that withholds the server's reply to the end of data on its
/// first connection and resets that connection instead; later connections pass through.
struct CuttingProxy {
    port: u16,
    /// Connections accepted so far.
    connections: Arc<AtomicUsize>,
    /// The reply the server gave to the end of data on the first connection, never relayed.
    withheld: Arc<Mutex<Option<String>>>,
}

impl CuttingProxy {
    async fn start(upstream: u16) -> CuttingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let withheld = Arc::new(Mutex::new(None));
        let (count, reply) = (Arc::clone(&connections), Arc::clone(&withheld));
        tokio::spawn(async move {
            loop {
                let (client, _) = listener.accept().await.unwrap();
                let first = count.fetch_add(1, Ordering::SeqCst) == 0;
                let server = TcpStream::connect(("127.0.0.1", upstream)).await.unwrap();
                tokio::spawn(relay(client, server, first.then(|| Arc::clone(&reply))));
            }
        });
        CuttingProxy {
            port,
            connections,
            withheld,
        }
    }
}

/// Relays bytes both ways. With `cut`, the server's first reply after the client has sent the
/// end of data is stored in `cut` instead of relayed, and the client connection is reset.
async fn relay(
    mut client: TcpStream,
    mut server: TcpStream,
    cut: Option<Arc<Mutex<Option<String>>>>,
) {
    let mut from_client = [0_u8; 16 * 1024];
    let mut from_server = [0_u8; 16 * 1024];
    // The last bytes from the client, so the marker is found across reads.
    let mut tail: Vec<u8> = Vec::new();
    let mut data_ended = false;
    let mut reply: Vec<u8> = Vec::new();
    loop {
        tokio::select! {
            read = client.read(&mut from_client) => {
                let n = match read {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                if cut.is_some() && !data_ended {
                    tail.extend_from_slice(&from_client[..n]);
                    // Set before forwarding: whatever the server sends next answers the data.
                    data_ended = tail.windows(END_OF_DATA.len()).any(|w| w == END_OF_DATA);
                    tail.drain(..tail.len().saturating_sub(END_OF_DATA.len() - 1));
                }
                if server.write_all(&from_client[..n]).await.is_err() {
                    return;
                }
            }
            read = server.read(&mut from_server) => {
                let n = match read {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                if let (true, Some(withheld)) = (data_ended, &cut) {
                    reply.extend_from_slice(&from_server[..n]);
                    if reply.ends_with(b"\r\n") {
                        *withheld.lock().unwrap() = Some(String::from_utf8_lossy(&reply).into_owned());
                        // An abortive close: the client sees a connection reset, not a reply.
                        client.set_zero_linger().unwrap();
                        return;
                    }
                    continue;
                }
                if client.write_all(&from_server[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}

#[tokio::test]
async fn a_reset_after_data_is_retried_with_the_same_message_id_and_sent_once() {
    let services = Services::from_env();
    let proxy = CuttingProxy::start(services.smtp_port).await;
    let sender = SmtpSender::new(&SmtpConfig {
        host: "127.0.0.1".to_owned(),
        port: Some(proxy.port),
        security: SmtpSecurity::Plain,
        from: "Tidings <tidings@fire.example>".to_owned(),
        timeout_secs: 5,
        ..SmtpConfig::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();

    let manager = format!("{}@fire.example", unique_name("outbox_reset"));
    let message_id = format!("{}@tidings.fire.example", unique_name("digest"));
    store
        .enqueue(&[NewOutboxMessage {
            message_id: message_id.clone(),
            purpose: "digest".into(),
            recipients: format!("Service Manager <{manager}>"),
            subject: "Tidings weekly digest: 1 new flag for review".into(),
            body_text: "Hello,\n\n1 new flag for review.\n".into(),
            body_html: None,
        }])
        .await
        .unwrap();
    let copies = || smtp_messages_for(&services.smtp_dir, &manager);
    let only_row = || async {
        let rows = store.outbox_list(None, 10).await.unwrap();
        assert_eq!(rows.len(), 1, "{rows:#?}");
        rows.into_iter().next().unwrap()
    };

    // First attempt: the server accepts the message, but the connection is reset before its
    // reply arrives. That is a transient failure, scheduled for retry after the first backoff.
    let now = chrono::Utc::now().timestamp();
    let first = deliver_due(&store, &sender, now).await.unwrap();
    assert_eq!(
        (first.sent, first.retrying, first.failed),
        (0, 1, 0),
        "{first:?}"
    );
    let withheld = proxy.withheld.lock().unwrap().clone();
    assert!(
        withheld.as_deref().is_some_and(|r| r.starts_with("250")),
        "the server accepted the message and the proxy withheld that reply: {withheld:?}"
    );
    let error = first.last_error.unwrap();
    assert!(
        error.contains("connection to the SMTP server"),
        "a reset is a connection error: {error}"
    );
    assert_eq!(copies().len(), 1, "the first copy reached the server");
    let row = only_row().await;
    assert_eq!(
        row.state,
        OutboxState::Pending,
        "not dead, not sent: {row:?}"
    );
    assert_eq!(row.attempts, 1);
    assert_eq!(row.sent_at, None);
    assert_eq!(row.failed_at, None);
    assert!(
        row.next_attempt_at > now,
        "a backoff, not an immediate retry: {row:?}"
    );
    assert_eq!(row.next_attempt_at, now + backoff_secs(0));
    assert_eq!(row.last_error.as_deref(), Some(error.as_str()));

    // Not before the backoff has passed.
    let early = deliver_due(&store, &sender, now + backoff_secs(0) - 1)
        .await
        .unwrap();
    assert_eq!((early.sent, early.retrying, early.failed), (0, 0, 0));
    assert_eq!(proxy.connections.load(Ordering::SeqCst), 1);

    // Once due, the retry goes through and the message is marked sent.
    let retry = deliver_due(&store, &sender, now + backoff_secs(0))
        .await
        .unwrap();
    assert_eq!(
        (retry.sent, retry.retrying, retry.failed),
        (1, 0, 0),
        "{retry:?}"
    );
    let row = only_row().await;
    assert_eq!(row.state, OutboxState::Sent, "{row:?}");
    assert_eq!(row.attempts, 2);
    assert!(row.sent_at.is_some());
    assert_eq!(row.last_error, None);

    // Sent is final: a later pass sends nothing more.
    let later = deliver_due(&store, &sender, now + 86_400).await.unwrap();
    assert_eq!((later.sent, later.retrying, later.failed), (0, 0, 0));
    assert_eq!(proxy.connections.load(Ordering::SeqCst), 2);
    let totals = store.outbox_totals().await.unwrap();
    assert_eq!((totals.pending, totals.sent, totals.failed), (0, 1, 0));

    // The sink holds both copies, recognisably the same message: the outbox's stable id.
    let got = copies();
    assert_eq!(got.len(), 2, "one copy per attempt");
    assert_eq!(row.message_id, message_id);
    for copy in &got {
        assert_eq!(header(copy, "Message-ID"), Some(format!("<{message_id}>")));
    }
    assert_eq!(header(&got[0], "Subject"), header(&got[1], "Subject"));
}
