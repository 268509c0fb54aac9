//! The IMAP source against the real Dovecot, through a small TCP proxy that counts the bytes
//! the server sends and can cut the connection: a cut mid-fetch loses and doubles nothing;
//! `since` skips older mail and the checkpoint passes it; a rescan after a UIDVALIDITY change
//! downloads no message the folder already gave.

#![allow(clippy::unwrap_used)]

mod common;

use common::Services;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tidings::ingest::imap::client::{ImapConnection, SinceDate};
use tidings::ingest::imap::config::ImapAccountConfig;
use tidings::ingest::imap::source::ImapCursor;
use tidings::ingest::imap::source::{FolderSync, ImapSource};
use tidings::ingest::Funnel;
use tidings::store::Store;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A TCP proxy in front of Dovecot. `from_server` counts the bytes the server sent through
/// it; a connection opened while `cut_after` is below `u64::MAX` is dropped on both sides once
/// the server has sent that many bytes on it.
struct Proxy {
    port: u16,
    cut_after: Arc<AtomicU64>,
    from_server: Arc<AtomicU64>,
}

async fn proxy(s: &Services) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let cut_after = Arc::new(AtomicU64::new(u64::MAX));
    let from_server = Arc::new(AtomicU64::new(0));
    let upstream = (s.imap_host.clone(), s.imap_port);
    let (cut, count) = (cut_after.clone(), from_server.clone());
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let server = TcpStream::connect(upstream.clone()).await.unwrap();
            let limit = cut.load(Ordering::SeqCst);
            tokio::spawn(pipe(client, server, limit, count.clone()));
        }
    });
    Proxy {
        port,
        cut_after,
        from_server,
    }
}

/// Forwards both ways until either side closes or `limit` server bytes have passed, then
/// drops both connections.
async fn pipe(mut client: TcpStream, mut server: TcpStream, limit: u64, count: Arc<AtomicU64>) {
    let (mut client_read, mut client_write) = client.split();
    let (mut server_read, mut server_write) = server.split();
    let up = tokio::io::copy(&mut client_read, &mut server_write);
    let down = async {
        let (mut left, mut buf) = (limit, vec![0u8; 16 * 1024]);
        while left > 0 {
            let n = server_read.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            let n = n.min(usize::try_from(left).unwrap_or(usize::MAX));
            client_write.write_all(&buf[..n]).await?;
            count.fetch_add(n as u64, Ordering::SeqCst);
            left -= n as u64;
        }
        Ok::<_, std::io::Error>(())
    };
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
}

fn account(s: &Services, user: &str, port: u16, folder: &str) -> ImapAccountConfig {
    let text = format!(
        "name = \"acct\"\nhost = \"{}\"\nport = {port}\nsecurity = \"plain\"\nusername = \"{user}\"\npassword = \"{}\"\ntimeout_secs = 20\n[[folders]]\nname = \"{folder}\"\n",
        s.imap_host, s.imap_password
    );
    toml::from_str(&text).unwrap()
}

async fn connect(account: &ImapAccountConfig) -> ImapConnection {
    let credentials = account.credentials().await.unwrap();
    ImapConnection::connect(&account.endpoint(), &credentials)
        .await
        .unwrap()
}

/// A message with `id` as Message-ID and a body of about `body_bytes`.
fn mail(id: &str, body_bytes: usize) -> Vec<u8> {
    let line = "The smoke from the yard next door came over the fence again today.\r\n";
    let body: String = line.chars().cycle().take(body_bytes).collect();
    format!(
        "From: ann@home.example\r\nTo: desk@fire.example\r\nSubject: Smoke\r\n\
         Date: Sat, 28 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{id}>\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

async fn fresh_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.db", dir.path().display());
    (dir, Store::open(&url).await.unwrap())
}

fn source(account: &ImapAccountConfig, store: &Store) -> ImapSource {
    let funnel = Funnel::new(store.clone(), &["fire.example".to_string()]);
    ImapSource::new(account.clone(), funnel)
}

async fn sync_folder(account: &ImapAccountConfig, store: &Store) -> FolderSync {
    let mut conn = connect(account).await;
    let outcome = source(account, store)
        .sync_folder(&mut conn, &account.folders[0])
        .await
        .unwrap();
    conn.logout().await.unwrap();
    outcome
}

/// Item references in the store: (all of them, the distinct ones).
async fn item_refs(store: &Store) -> (Vec<String>, HashSet<String>) {
    let refs: Vec<String> = store
        .export_items()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.item_ref)
        .collect();
    let unique = refs.iter().cloned().collect();
    (refs, unique)
}

#[tokio::test]
async fn a_connection_cut_mid_fetch_loses_and_doubles_nothing() {
    let s = Services::from_env();
    let user = common::unique_name("cut");
    let proxy = proxy(&s).await;
    let mut acct = account(&s, &user, proxy.port, "INBOX");
    acct.fetch_batch_messages = 40;
    let mut conn = connect(&account(&s, &user, s.imap_port, "INBOX")).await;
    let ids: Vec<String> = (0..300).map(|i| format!("cut{i}@h")).collect();
    for id in &ids {
        conn.append("INBOX", &mail(id, 2000)).await.unwrap();
    }
    conn.examine("INBOX").await.unwrap();
    let id_of: HashMap<u32, String> = conn
        .list_uids_with_ids(0)
        .await
        .unwrap()
        .into_iter()
        .map(|(u, id)| (u.uid, id.unwrap()))
        .collect();
    assert_eq!(id_of.len(), 300);
    let (_dir, store) = fresh_store().await;

    // ≈ 650 KB of bodies: cut after 200 KB, inside the third or fourth fetch batch.
    proxy.cut_after.store(200 * 1024, Ordering::SeqCst);
    let err = source(&acct, &store).sync_once().await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    let cp =
        ImapCursor::from_checkpoint(&store.checkpoint("imap:acct/INBOX").await.unwrap().unwrap())
            .unwrap();
    assert!(cp.last_uid > 0 && cp.last_uid < 300, "{cp:?}");
    let (refs, unique) = item_refs(&store).await;
    assert_eq!(refs.len(), unique.len());
    for uid in 1..=u32::try_from(cp.last_uid).unwrap() {
        let id = &id_of[&uid];
        assert!(
            unique.contains(id),
            "UID {uid} ({id}) is behind the checkpoint, not stored"
        );
    }

    // The next sync, without the cut, takes in the rest: each message exactly once.
    proxy.cut_after.store(u64::MAX, Ordering::SeqCst);
    let o = source(&acct, &store).sync_once().await.unwrap();
    assert_eq!(o.stored + refs.len(), 300, "{o:?}");
    let (refs, unique) = item_refs(&store).await;
    assert_eq!(refs.len(), 300);
    assert_eq!(unique, ids.into_iter().collect::<HashSet<_>>());
}

#[tokio::test]
async fn since_skips_older_mail_and_the_checkpoint_passes_it() {
    let s = Services::from_env();
    let user = common::unique_name("since");
    let mut acct = account(&s, &user, s.imap_port, "INBOX");
    acct.fetch_batch_messages = 1;
    acct.since = Some("2025-01-01".parse::<SinceDate>().unwrap());
    let mut conn = connect(&acct).await;
    let (old, new) = (1_717_200_000, 1_740_787_200); // 2024-06-01, 2025-03-01
    let dated = [
        ("o1@h", old),
        ("n1@h", new),
        ("o2@h", old),
        ("n2@h", new),
        ("n3@h", new),
        ("o3@h", old),
    ];
    for (id, date) in dated {
        conn.append_dated("INBOX", &mail(id, 100), date)
            .await
            .unwrap();
    }
    let (_dir, store) = fresh_store().await;
    let o = sync_folder(&acct, &store).await;
    assert_eq!((o.written.stored, o.skipped_before_since), (3, 3), "{o:?}");
    let (_, refs) = item_refs(&store).await;
    let expected: HashSet<String> = ["n1@h", "n2@h", "n3@h"].map(String::from).into();
    assert_eq!(refs, expected);
    let cp =
        ImapCursor::from_checkpoint(&store.checkpoint("imap:acct/INBOX").await.unwrap().unwrap())
            .unwrap();
    assert_eq!(
        cp.last_uid, 6,
        "the checkpoint passes the skipped last message"
    );

    // Nothing is read twice; new mail comes in as usual.
    assert_eq!(sync_folder(&acct, &store).await, FolderSync::default());
    conn.append("INBOX", &mail("late@h", 100)).await.unwrap();
    let o = sync_folder(&acct, &store).await;
    assert_eq!((o.written.stored, o.skipped_before_since), (1, 0), "{o:?}");
}

#[tokio::test]
async fn a_rescan_downloads_no_message_the_folder_already_gave() {
    let (_dir, store) = fresh_store().await;
    rescan_skips_known_messages(&store).await;
}

#[tokio::test]
async fn a_rescan_downloads_no_known_message_on_postgres_too() {
    let url = common::fresh_pg_database(&Services::from_env().pg_admin_url).await;
    rescan_skips_known_messages(&Store::open(&url).await.unwrap()).await;
}

async fn rescan_skips_known_messages(store: &Store) {
    let s = Services::from_env();
    let user = common::unique_name("rescan");
    let proxy = proxy(&s).await;
    let acct = account(&s, &user, proxy.port, "Cases");
    let mut conn = connect(&account(&s, &user, s.imap_port, "Cases")).await;
    conn.create_folder("Cases").await.unwrap();
    let known: Vec<Vec<u8>> = (0..4).map(|i| mail(&format!("k{i}@h"), 64_000)).collect();
    let anonymous =
        b"From: ann@home.example\r\nTo: desk@fire.example\r\nSubject: No id\r\n\r\nhello\r\n"
            .to_vec();
    let changed_before = mail("same-id@h", 100);
    for m in known.iter().chain([&anonymous, &changed_before]) {
        conn.append("Cases", m).await.unwrap();
    }
    let first = sync_folder(&acct, store).await;
    assert_eq!(first.written.stored, 6, "{first:?}");
    let first_bytes = proxy.from_server.load(Ordering::SeqCst);
    assert!(first_bytes > 4 * 64_000, "the proxy counts: {first_bytes}");

    // Recreated (new UIDVALIDITY): the known four, the one without a Message-ID, one with a
    // known Message-ID but another size, and one new message.
    conn.delete_folder("Cases").await.unwrap();
    conn.create_folder("Cases").await.unwrap();
    let changed_after = mail("same-id@h", 150);
    let new = mail("new@h", 100);
    for m in known.iter().chain([&anonymous, &changed_after, &new]) {
        conn.append("Cases", m).await.unwrap();
    }
    let before = proxy.from_server.load(Ordering::SeqCst);
    let o = sync_folder(&acct, store).await;
    let rescan_bytes = proxy.from_server.load(Ordering::SeqCst) - before;
    assert_eq!(o.skipped_known, 4, "{o:?}");
    // Downloaded on doubt: no Message-ID (a duplicate by fingerprint), another size (new).
    assert_eq!((o.written.stored, o.written.duplicates), (2, 1), "{o:?}");
    assert!(
        rescan_bytes < 32_000,
        "a known body was downloaded: {rescan_bytes} bytes"
    );
    let (refs, _) = item_refs(store).await;
    assert_eq!(refs.len(), 8);
    let cp =
        ImapCursor::from_checkpoint(&store.checkpoint("imap:acct/Cases").await.unwrap().unwrap())
            .unwrap();
    assert_eq!(cp.last_uid, 7);
}

#[tokio::test]
async fn run_since_on_the_command_line_applies_to_every_account() {
    let s = Services::from_env();
    let (u1, u2) = (
        common::unique_name("cli_since1"),
        common::unique_name("cli_since2"),
    );
    for (user, prefix) in [(&u1, "a"), (&u2, "b")] {
        let mut conn = connect(&account(&s, user, s.imap_port, "INBOX")).await;
        let (old, new) = (1_717_200_000, 1_740_787_200); // 2024-06-01, 2025-03-01
        for (i, date) in [old, new, old].into_iter().enumerate() {
            let m = mail(&format!("{prefix}{i}@h"), 100);
            conn.append_dated("INBOX", &m, date).await.unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut config = "[http]\nenabled = false\n[dropfolder]\nenabled = false\n[calls]\nenabled = false\n[letters]\nenabled = false\n".to_string();
    for (name, user) in [("one", &u1), ("two", &u2)] {
        config.push_str(&format!(
            "[[imap.accounts]]\nname = \"{name}\"\nhost = \"{}\"\nport = {}\nsecurity = \"plain\"\nusername = \"{user}\"\npassword = \"{}\"\n",
            s.imap_host, s.imap_port, s.imap_password
        ));
    }
    std::fs::write(dir.path().join("t.toml"), config).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tidings"))
        .current_dir(dir.path())
        .args([
            "--config",
            "t.toml",
            "run",
            "--once",
            "--since",
            "2025-01-01",
        ])
        .env_remove("TIDINGS_CONFIG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("stored 2 new item(s)"), "{stdout}");

    // `tidings status` counts only mail since the account's `since` as expected.
    let config = std::fs::read_to_string(dir.path().join("t.toml")).unwrap();
    let config = config.replace(
        "name = \"one\"\n",
        "name = \"one\"\nsince = \"2025-01-01\"\n",
    );
    std::fs::write(dir.path().join("t.toml"), config).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tidings"))
        .current_dir(dir.path())
        .args(["--config", "t.toml", "status"])
        .env_remove("TIDINGS_CONFIG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected =
        "imap:one/INBOX\ton server 1 since 2025-01-01\tingested 1\tquarantined 0\tpending 0";
    assert!(stdout.contains(expected), "{stdout}");
    assert!(stdout.contains("imap:two/INBOX\ton server 3\t"), "{stdout}");
}
