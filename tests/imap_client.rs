//! The IMAP client against the real private Dovecot started by `scripts/services/up`
//! (plain on TIDINGS_TEST_IMAP_PORT, IMAPS with a private CA on TIDINGS_TEST_IMAPS_PORT; any
//! user logs in with TIDINGS_TEST_IMAP_PASSWORD). Each test uses a fresh user, so a fresh
//! mailbox. Run: `bash scripts/services/up && source /tmp/tidings-services/env &&
//! cargo test --test imap_client`.
#![allow(clippy::unwrap_used)]

use futures::TryStreamExt;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tidings::config::Secret;
use tidings::ingest::imap::client::{
    Credentials, Endpoint, IdleOutcome, ImapConnection, ImapError,
};
use tidings::ingest::imap::config::Security;

struct Services {
    host: String,
    port: u16,
    tls_port: u16,
    ca: PathBuf,
    password: String,
}

/// The services' settings from the environment, or from the env file `up` writes.
fn services() -> Services {
    let dir = std::env::var("TIDINGS_SERVICES_DIR").unwrap_or("/tmp/tidings-services".into());
    let file = std::fs::read_to_string(format!("{dir}/env")).unwrap_or_default();
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .or_else(|| {
                file.lines()
                    .filter_map(|l| l.strip_prefix("export ")?.split_once('='))
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.trim_matches('"').to_string())
            })
            .unwrap_or_else(|| {
                panic!("{name} is not set: run `bash scripts/services/up` (it writes {dir}/env)")
            })
    };
    Services {
        host: var("TIDINGS_TEST_IMAP_HOST"),
        port: var("TIDINGS_TEST_IMAP_PORT").parse().unwrap(),
        tls_port: var("TIDINGS_TEST_IMAPS_PORT").parse().unwrap(),
        ca: var("TIDINGS_TEST_IMAP_CA").into(),
        password: var("TIDINGS_TEST_IMAP_PASSWORD"),
    }
}

impl Services {
    fn endpoint(&self, security: Security) -> Endpoint {
        Endpoint {
            account: "test".to_string(),
            host: self.host.clone(),
            port: if security == Security::Tls {
                self.tls_port
            } else {
                self.port
            },
            security,
            ca_file: Some(self.ca.clone()),
            timeout: Duration::from_secs(10),
        }
    }

    fn login(&self, user: &str) -> Credentials {
        Credentials::Password {
            user: user.to_string(),
            password: Secret::new(self.password.clone()),
        }
    }

    async fn connect(&self, user: &str) -> ImapConnection {
        ImapConnection::connect(&self.endpoint(Security::Tls), &self.login(user))
            .await
            .unwrap()
    }
}

/// A user name no other test (or earlier run) has used: a fresh, empty mailbox.
fn unique_user(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// A CRLF message of varying size (Dovecot stores CRLF as given, so bytes round-trip).
fn message(i: usize) -> Vec<u8> {
    let mut text = format!(
        "From: Customer {i} <c{i}@example.net>\r\nTo: enquiries@example.org\r\n\
         Subject: Test {i}\r\nMessage-ID: <{i}@test.example.net>\r\n\
         Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nHello number {i}.\r\n"
    );
    for line in 0..i * 7 {
        text.push_str(&format!("Line {line} of message {i}, with some text.\r\n"));
    }
    text.into_bytes()
}

#[tokio::test]
async fn connects_plain_tls_and_starttls() {
    let s = services();
    let user = unique_user("connect");
    for security in [Security::Plain, Security::Tls, Security::Starttls] {
        let mut conn = ImapConnection::connect(&s.endpoint(security), &s.login(&user))
            .await
            .unwrap_or_else(|e| panic!("{security:?}: {e}"));
        assert!(conn.supports_idle(), "{:?}", conn.capabilities());
        let state = conn.examine("INBOX").await.unwrap();
        assert_eq!(state.exists, 0);
        assert!(conn.list_uids(0).await.unwrap().is_empty(), "empty mailbox");
        conn.logout().await.unwrap();
    }
}

#[tokio::test]
async fn tls_without_the_private_ca_fails_clearly() {
    let s = services();
    let mut endpoint = s.endpoint(Security::Tls);
    endpoint.ca_file = None;
    let err = ImapConnection::connect(&endpoint, &s.login("nobody"))
        .await
        .unwrap_err();
    assert!(matches!(err, ImapError::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("ca_file"), "{err}");
    assert!(!err.is_transient());

    // TLS spoken to the plain port is a TLS error that points at `security`, not a hang.
    let mut endpoint = s.endpoint(Security::Tls);
    endpoint.port = s.port;
    let err = ImapConnection::connect(&endpoint, &s.login("nobody"))
        .await
        .unwrap_err();
    assert!(matches!(err, ImapError::Tls { .. }), "{err:?}");
}

#[tokio::test]
async fn wrong_password_or_token_is_a_login_error() {
    let s = services();
    let wrong = Credentials::Password {
        user: "someone".to_string(),
        password: Secret::new("wrong"),
    };
    let err = ImapConnection::connect(&s.endpoint(Security::Tls), &wrong)
        .await
        .unwrap_err();
    assert!(matches!(err, ImapError::Login { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("check username/password or token for account \"test\""),
        "{text}"
    );
    assert!(
        !text.contains("wrong"),
        "the password must not appear: {text}"
    );
    assert!(!err.is_transient());

    let token = |t: &str| Credentials::XOAuth2 {
        user: unique_user("oauth"),
        token: Secret::new(t),
    };
    let endpoint = s.endpoint(Security::Tls);
    let conn = ImapConnection::connect(&endpoint, &token(&s.password))
        .await
        .unwrap();
    conn.logout().await.unwrap();
    let err = ImapConnection::connect(&endpoint, &token("expired"))
        .await
        .unwrap_err();
    assert!(matches!(err, ImapError::Login { .. }), "{err:?}");
}

#[tokio::test]
async fn lists_and_fetches_every_message_byte_identical_without_setting_seen() {
    let s = services();
    let user = unique_user("fetch");
    let mut conn = s.connect(&user).await;
    let sent: Vec<Vec<u8>> = (0..25).map(message).collect();
    for m in &sent {
        conn.append("INBOX", m).await.unwrap();
    }

    let state = conn.examine("INBOX").await.unwrap();
    assert_eq!(state.exists, 25);
    assert!(state.uid_validity > 0);
    let listed = conn.list_uids(0).await.unwrap();
    assert_eq!(listed.len(), 25);
    assert!(listed.windows(2).all(|w| w[0].uid < w[1].uid));
    for (entry, m) in listed.iter().zip(&sent) {
        assert_eq!(entry.size as usize, m.len());
    }
    assert_eq!(state.uid_next, Some(listed[24].uid + 1));

    let uids: Vec<u32> = listed.iter().map(|u| u.uid).collect();
    let mut fetched = Vec::new();
    for chunk in uids.chunks(10) {
        let batch = conn.fetch_bodies(chunk).await.unwrap();
        assert!(
            batch.missing.is_empty() && batch.refused.is_none(),
            "{batch:?}"
        );
        fetched.extend(batch.into_complete().unwrap());
    }
    assert_eq!(fetched.len(), 25);
    for ((got, m), uid) in fetched.iter().zip(&sent).zip(&uids) {
        assert_eq!(got.uid, *uid);
        assert_eq!(&got.bytes, m, "message {uid} differs");
        assert!(got.internal_date.is_some_and(|d| d > 1_600_000_000));
    }

    // Nothing after the last UID, also when asking beyond it ("n:*" returns the last message).
    let last = *uids.last().unwrap();
    assert!(conn.list_uids(last).await.unwrap().is_empty());
    assert!(conn.list_uids(last + 100).await.unwrap().is_empty());

    // Headers only, and UIDs that are gone.
    let headers = conn
        .fetch_headers(&[uids[3]])
        .await
        .unwrap()
        .into_complete()
        .unwrap();
    assert!(headers[0].bytes.ends_with(b"\r\n\r\n"));
    assert!(sent[3].starts_with(&headers[0].bytes));
    let batch = conn
        .fetch_bodies(&[uids[0], last + 1, last + 7])
        .await
        .unwrap();
    assert_eq!(batch.messages.len(), 1);
    assert_eq!(batch.missing, vec![last + 1, last + 7]);
    assert!(matches!(
        batch.into_complete(),
        Err(ImapError::MissingUids {
            requested: 3,
            got: 1,
            ..
        })
    ));
    conn.logout().await.unwrap();

    // \Seen is still unset on every message, checked over a separate raw session.
    let tcp = tokio::net::TcpStream::connect((s.host.as_str(), s.port))
        .await
        .unwrap();
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.unwrap().unwrap(); // greeting
    let mut raw = client
        .login(&user, &s.password)
        .await
        .map_err(|(e, _)| e)
        .unwrap();
    raw.examine("INBOX").await.unwrap();
    let flags: Vec<_> = raw
        .fetch("1:*", "FLAGS")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(flags.len(), 25);
    for f in &flags {
        assert!(
            !f.flags().any(|fl| fl == async_imap::types::Flag::Seen),
            "{f:?}"
        );
    }
    raw.logout().await.unwrap();
}

#[tokio::test]
async fn idle_wakes_when_another_connection_appends() {
    let s = services();
    let user = unique_user("idle");
    let mut watcher = s.connect(&user).await;
    watcher.examine("INBOX").await.unwrap();

    // Quiet mailbox: IDLE ends by itself and the connection stays usable.
    let started = Instant::now();
    let (mut watcher, outcome) = watcher.idle_wait(Duration::from_millis(500)).await.unwrap();
    assert_eq!(outcome, IdleOutcome::TimedOut);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(watcher.list_uids(0).await.unwrap().is_empty());

    let waiting = tokio::spawn(async move {
        let started = Instant::now();
        let (conn, outcome) = watcher.idle_wait(Duration::from_secs(30)).await.unwrap();
        (conn, outcome, started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut writer = s.connect(&user).await;
    let appended = Instant::now();
    writer.append("INBOX", &message(1)).await.unwrap();
    let (mut watcher, outcome, _) = waiting.await.unwrap();
    let latency = appended.elapsed();
    eprintln!("IDLE woke {latency:?} after APPEND started");
    assert_eq!(outcome, IdleOutcome::NewData);
    assert!(latency < Duration::from_secs(3), "woke after {latency:?}");
    assert_eq!(watcher.list_uids(0).await.unwrap().len(), 1);

    // Mail that arrives between commands is reported by the next idle_wait at once: the
    // EXISTS that Dovecot sends during list_uids is remembered.
    writer.append("INBOX", &message(2)).await.unwrap();
    watcher.list_uids(1).await.unwrap();
    let started = Instant::now();
    let (watcher, outcome) = watcher.idle_wait(Duration::from_secs(5)).await.unwrap();
    assert_eq!(outcome, IdleOutcome::NewData);
    assert!(started.elapsed() < Duration::from_millis(100));
    watcher.logout().await.unwrap();
    writer.logout().await.unwrap();
}

#[tokio::test]
async fn folders_can_be_created_appended_to_and_deleted() {
    let s = services();
    let mut conn = s.connect(&unique_user("folders")).await;
    conn.create_folder("Sent Items").await.unwrap();
    conn.append("Sent Items", &message(3)).await.unwrap();
    assert_eq!(conn.examine("Sent Items").await.unwrap().exists, 1);
    conn.examine("INBOX").await.unwrap();
    conn.delete_folder("Sent Items").await.unwrap();

    let err = conn.examine("No Such Folder").await.unwrap_err();
    assert!(matches!(err, ImapError::Protocol { .. }), "{err:?}");
    assert!(err.to_string().contains("check the folder name"), "{err}");
    // A refused command leaves the connection usable.
    conn.examine("INBOX").await.unwrap();
    conn.logout().await.unwrap();
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let _server = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await; // say nothing
        drop(socket);
    });
    let endpoint = Endpoint {
        account: "silent".to_string(),
        host: "127.0.0.1".to_string(),
        port,
        security: Security::Plain,
        ca_file: None,
        timeout: Duration::from_millis(500),
    };
    let credentials = Credentials::Password {
        user: "u".to_string(),
        password: Secret::new("p"),
    };
    let started = Instant::now();
    let err = ImapConnection::connect(&endpoint, &credentials)
        .await
        .unwrap_err();
    assert!(matches!(err, ImapError::Timeout { .. }), "{err:?}");
    assert!(err.to_string().contains("greeting"), "{err}");
    assert!(err.is_transient());
    assert!(started.elapsed() < Duration::from_secs(3));
}
