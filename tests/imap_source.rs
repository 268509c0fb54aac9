//! The IMAP source against the real Dovecot: folders and directions, UIDVALIDITY changes,
//! de-duplication across mailboxes and by content, oversized messages, charsets and
//! malformed mail, and hands off the mailbox.

#![allow(clippy::unwrap_used)]

mod common;

use common::Services;

use tidings::ingest::imap::config::ImapAccountConfig;
use tidings::ingest::imap::source::ImapCursor;
use tidings::ingest::imap::source::ImapSource;
use tidings::ingest::Funnel;
use tidings::store::Store;

fn account(s: &Services, name: &str, user: &str, folders: &[(&str, &str)]) -> ImapAccountConfig {
    let mut text = format!(
        "name = \"{name}\"\nhost = \"{}\"\nport = {}\nsecurity = \"plain\"\nusername = \"{user}\"\npassword = \"{}\"\nfetch_batch_messages = 7\n",
        s.imap_host, s.imap_port, s.imap_password
    );
    for (folder, direction) in folders {
        text.push_str(&format!(
            "[[folders]]\nname = \"{folder}\"\ndirection = \"{direction}\"\n"
        ));
    }
    toml::from_str(&text).unwrap()
}

fn mail(from: &str, to: &str, id: Option<&str>, body: &str) -> Vec<u8> {
    let id = id
        .map(|i| format!("Message-ID: <{i}>\r\n"))
        .unwrap_or_default();
    format!("From: {from}\r\nTo: {to}\r\nSubject: Test\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n{id}\r\n{body}\r\n").into_bytes()
}

async fn fresh_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();
    (dir, store)
}

fn funnel(store: &Store) -> Funnel {
    Funnel::new(store.clone(), &["fire.example".to_string()])
}

#[tokio::test]
async fn inbox_and_sent_give_inbound_and_outbound_items() {
    let s = Services::from_env();
    let user = common::unique_name("folders");
    let mut conn = common::imap_login(&s, &user).await;
    conn.create_folder("Sent").await.unwrap();
    for i in 0..10 {
        conn.append(
            "INBOX",
            &mail(
                "ann@home.example",
                "desk@fire.example",
                Some(&format!("in{i}@h")),
                "question",
            ),
        )
        .await
        .unwrap();
    }
    conn.append(
        "Sent",
        &mail(
            "desk@fire.example",
            "ann@home.example",
            Some("reply1@fire"),
            "answer",
        ),
    )
    .await
    .unwrap();
    let (_dir, store) = fresh_store().await;
    let source = ImapSource::new(
        account(
            &s,
            "acct",
            &user,
            &[("INBOX", "inbound"), ("Sent", "outbound")],
        ),
        funnel(&store),
    );
    let outcome = source.sync_once().await.unwrap();
    assert_eq!(outcome.stored, 11);
    let items = store.export_items().await.unwrap();
    assert_eq!(
        items.iter().filter(|i| i.direction == "inbound").count(),
        10
    );
    let reply = items.iter().find(|i| i.direction == "outbound").unwrap();
    assert_eq!(reply.counterpart.as_deref(), Some("ann@home.example"));
    assert_eq!(
        reply.customer_key, items[0].customer_key,
        "the reply is linked to the same customer"
    );

    // A second sync fetches nothing; new mail is picked up from the checkpoint.
    assert_eq!(source.sync_once().await.unwrap().stored, 0);
    conn.append(
        "INBOX",
        &mail(
            "ann@home.example",
            "desk@fire.example",
            Some("in-late@h"),
            "again",
        ),
    )
    .await
    .unwrap();
    assert_eq!(source.sync_once().await.unwrap().stored, 1);
}

#[tokio::test]
async fn uidvalidity_change_rescans_without_duplicates_or_misses() {
    let s = Services::from_env();
    let user = common::unique_name("uidvalidity");
    let mut conn = common::imap_login(&s, &user).await;
    conn.create_folder("Cases").await.unwrap();
    let messages: Vec<Vec<u8>> = (0..5)
        .map(|i| {
            mail(
                "bo@home.example",
                "desk@fire.example",
                Some(&format!("c{i}@h")),
                "x",
            )
        })
        .collect();
    for m in &messages {
        conn.append("Cases", m).await.unwrap();
    }
    let (_dir, store) = fresh_store().await;
    let source = ImapSource::new(
        account(&s, "acct", &user, &[("Cases", "inbound")]),
        funnel(&store),
    );
    assert_eq!(source.sync_once().await.unwrap().stored, 5);
    let before =
        ImapCursor::from_checkpoint(&store.checkpoint("imap:acct/Cases").await.unwrap().unwrap())
            .unwrap();

    // The folder is recreated (new UIDVALIDITY) with the same mail and one new message.
    conn.delete_folder("Cases").await.unwrap();
    conn.create_folder("Cases").await.unwrap();
    for m in &messages {
        conn.append("Cases", m).await.unwrap();
    }
    conn.append(
        "Cases",
        &mail(
            "bo@home.example",
            "desk@fire.example",
            Some("c-new@h"),
            "new",
        ),
    )
    .await
    .unwrap();
    let outcome = source.sync_once().await.unwrap();
    // Known messages (same Message-ID and size in this folder) are not even downloaded.
    assert_eq!((outcome.stored, outcome.duplicates), (1, 0));
    let after =
        ImapCursor::from_checkpoint(&store.checkpoint("imap:acct/Cases").await.unwrap().unwrap())
            .unwrap();
    assert_ne!(before.uid_validity, after.uid_validity);
    assert_eq!(store.export_items().await.unwrap().len(), 6);
}

#[tokio::test]
async fn one_message_in_two_mailboxes_is_one_contact_seen_twice() {
    let s = Services::from_env();
    let (u1, u2) = (
        common::unique_name("shared1"),
        common::unique_name("shared2"),
    );
    let m = mail(
        "cy@home.example",
        "desk@fire.example, team@fire.example",
        Some("both@h"),
        "to both",
    );
    // Each copy gets its own delivery headers, as in real delivery.
    let mut c1 = common::imap_login(&s, &u1).await;
    let mut first = b"Received: from a by mx1; Sat, 28 Nov 2026 10:00:01 +0000\r\nDelivered-To: desk@fire.example\r\n".to_vec();
    first.extend_from_slice(&m);
    c1.append("INBOX", &first).await.unwrap();
    let mut c2 = common::imap_login(&s, &u2).await;
    let mut second = b"Received: from a by mx2; Sat, 28 Nov 2026 10:00:02 +0000\r\nDelivered-To: team@fire.example\r\n".to_vec();
    second.extend_from_slice(&m);
    c2.append("INBOX", &second).await.unwrap();

    let (_dir, store) = fresh_store().await;
    let a = ImapSource::new(
        account(&s, "desk", &u1, &[("INBOX", "inbound")]),
        funnel(&store),
    );
    let b = ImapSource::new(
        account(&s, "team", &u2, &[("INBOX", "inbound")]),
        funnel(&store),
    );
    assert_eq!(a.sync_once().await.unwrap().stored, 1);
    let o = b.sync_once().await.unwrap();
    assert_eq!((o.stored, o.duplicates), (0, 1));
    assert_eq!(store.export_items().await.unwrap().len(), 1);
    let sightings = store.sightings_by_source().await.unwrap();
    assert!(
        sightings.contains(&("imap:desk/INBOX".to_string(), 1))
            && sightings.contains(&("imap:team/INBOX".to_string(), 1))
    );
}

#[tokio::test]
async fn message_ids_and_content_decide_identity_together() {
    let s = Services::from_env();
    let user = common::unique_name("ids");
    let mut conn = common::imap_login(&s, &user).await;
    // The same message without a Message-ID, twice: one item.
    let anonymous = mail("di@home.example", "desk@fire.example", None, "no id");
    conn.append("INBOX", &anonymous).await.unwrap();
    conn.append("INBOX", &anonymous).await.unwrap();
    // Two different messages sharing one Message-ID: two items.
    conn.append(
        "INBOX",
        &mail(
            "di@home.example",
            "desk@fire.example",
            Some("same@h"),
            "first text",
        ),
    )
    .await
    .unwrap();
    conn.append(
        "INBOX",
        &mail(
            "di@home.example",
            "desk@fire.example",
            Some("same@h"),
            "second text",
        ),
    )
    .await
    .unwrap();
    let (_dir, store) = fresh_store().await;
    let source = ImapSource::new(
        account(&s, "acct", &user, &[("INBOX", "inbound")]),
        funnel(&store),
    );
    let o = source.sync_once().await.unwrap();
    assert_eq!((o.stored, o.duplicates), (3, 1));
    let items = store.export_items().await.unwrap();
    assert_eq!(items.iter().filter(|i| i.item_ref == "same@h").count(), 2);
    assert_eq!(
        items
            .iter()
            .filter(|i| i.item_ref.starts_with("sha256:"))
            .count(),
        1
    );
}

#[tokio::test]
async fn an_oversized_message_is_quarantined_from_its_headers() {
    let s = Services::from_env();
    let user = common::unique_name("big");
    let mut conn = common::imap_login(&s, &user).await;
    let mut big = mail(
        "ed@home.example",
        "desk@fire.example",
        Some("big@h"),
        "attachment follows",
    );
    big.truncate(big.len() - 2);
    let line =
        "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3\r\n";
    big.extend(line.as_bytes().iter().cycle().take(60 * 1024 * 1024));
    conn.append("INBOX", &big).await.unwrap();
    conn.append(
        "INBOX",
        &mail(
            "ed@home.example",
            "desk@fire.example",
            Some("small@h"),
            "small",
        ),
    )
    .await
    .unwrap();
    let (_dir, store) = fresh_store().await;
    let mut acct = account(&s, "acct", &user, &[("INBOX", "inbound")]);
    acct.max_message_bytes = 50 * 1024 * 1024;
    let source = ImapSource::new(acct, funnel(&store));
    let o = source.sync_once().await.unwrap();
    assert_eq!((o.stored, o.quarantined), (1, 1));
    let q = store.quarantine_list().await.unwrap();
    assert!(q[0].reason.contains("max_message_bytes"), "{}", q[0].reason);
    // The checkpoint moved past it: a rerun adds nothing.
    let again = source.sync_once().await.unwrap();
    assert_eq!((again.stored, again.quarantined), (0, 0));
}

#[tokio::test]
async fn charsets_and_malformed_mail_are_stored_or_quarantined_never_lost() {
    let s = Services::from_env();
    let user = common::unique_name("charsets");
    let mut conn = common::imap_login(&s, &user).await;
    let mut appended = 0;
    for dir in [
        "tests/fixtures/email/valid",
        "tests/fixtures/email/malformed",
        "tests/fixtures/email/cpython",
    ] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml" || x == "txt"))
            .collect();
        paths.sort();
        for p in paths {
            let raw = std::fs::read(&p).unwrap();
            if raw.is_empty() {
                continue; // IMAP cannot APPEND an empty message
            }
            // IMAP wants CRLF; bare LF files are converted as a mail client would.
            let crlf = String::from_utf8_lossy(&raw)
                .replace("\r\n", "\n")
                .replace('\n', "\r\n");
            if conn.append("INBOX", crlf.as_bytes()).await.is_ok() {
                appended += 1;
            }
        }
    }
    assert!(appended > 20, "fixtures appended: {appended}");
    let (_dir, store) = fresh_store().await;
    let source = ImapSource::new(
        account(&s, "acct", &user, &[("INBOX", "inbound")]),
        funnel(&store),
    );
    let o = source.sync_once().await.unwrap();
    assert_eq!(o.stored + o.quarantined + o.duplicates, appended, "{o:?}");
    let (items, _, quarantined) = store.counts().await.unwrap();
    assert_eq!(
        items as usize + quarantined as usize,
        o.stored + o.quarantined
    );
}
