//! The store story, run on SQLite and on PostgreSQL: the same behaviour from both backends.

#![allow(clippy::unwrap_used)]

mod common;

use tidings::domain::{Channel, Direction};
use tidings::store::{
    Checkpoint, ContactScope, CustomerRef, Entry, EntryOutcome, ItemFlagWrite, ItemRecord,
    NewOutboxMessage, Part, PartOutcome, PatternWrite, ScanWrite, StaffRef, Store, StoredContent,
};

fn item(customer: &str, at: i64, staff: &[&str]) -> ItemRecord {
    ItemRecord {
        item_ref: format!("{customer}-{at}@example.net"),
        channel: Channel::Email,
        direction: Direction::Inbound,
        occurred_at: at,
        customer: Some(CustomerRef {
            identifier_kind: "email".into(),
            identifier: customer.into(),
            new_key: tidings::pipeline::link::customer_key("email", customer),
            display_name: Some("A Resident".into()),
            also: vec![],
        }),
        counterpart: Some(customer.into()),
        staff: staff
            .iter()
            .map(|s| StaffRef {
                email: (*s).into(),
                display_name: None,
            })
            .collect(),
        subject: Some("Hydrant".into()),
        excerpt: Some("text".into()),
        thread_key: Some("hydrant".into()),
        automated: false,
        details: None,
        body: None,
    }
}

fn one(item: ItemRecord) -> EntryOutcome {
    EntryOutcome::Parts(vec![Part::item(item)])
}

fn unreadable(reason: &str) -> EntryOutcome {
    EntryOutcome::Parts(vec![Part::quarantined(reason.into())])
}

/// Original bytes large enough to be stored compressed, so both paths are exercised.
fn raw_bytes() -> Vec<u8> {
    b"From: a@b.example\r\n\r\nraw bytes of a message\r\n".repeat(40)
}

fn entry(source: &str, locator: &str, fingerprint: &str, outcome: EntryOutcome) -> Entry {
    Entry {
        source: source.into(),
        locator: locator.into(),
        fingerprint: fingerprint.into(),
        channel: Channel::Email,
        size_bytes: 10,
        content: Some(StoredContent::new(raw_bytes())),
        received_at: None,
        direction: Direction::Inbound,
        supersedes: None,
        outcome,
    }
}

async fn story(store: Store) {
    let now = chrono::Utc::now().timestamp();
    let batch = vec![
        entry(
            "imap:a/INBOX",
            "1",
            "fp1",
            one(item("ann@home.example", now - 100, &["desk@example.org"])),
        ),
        entry(
            "imap:a/INBOX",
            "2",
            "fp2",
            one(item(
                "ann@home.example",
                now - 50,
                &["chief@example.org", "desk@example.org"],
            )),
        ),
        entry("imap:a/INBOX", "3", "fp3", unreadable("no usable From")),
        entry(
            "imap:a/INBOX",
            "4",
            "fp4",
            one(item("bob@home.example", now - 10, &["desk@example.org"])),
        ),
    ];
    let cp = Checkpoint {
        source: "imap:a/INBOX".into(),
        cursor: "7:4:".into(),
    };

    // Given a first batch, everything is stored once and the checkpoint moves with it.
    let first = store.write_batch(&batch, Some(&cp)).await.unwrap();
    assert_eq!(
        (first.stored, first.duplicates, first.quarantined),
        (3, 0, 1)
    );
    assert_eq!(
        store.checkpoint("imap:a/INBOX").await.unwrap(),
        Some(cp.clone())
    );

    // The same batch again (a crash before the checkpoint, say) adds nothing.
    let again = store.write_batch(&batch, Some(&cp)).await.unwrap();
    assert_eq!(
        (again.stored, again.duplicates, again.quarantined),
        (0, 4, 0)
    );

    // The same message in a second mailbox is one contact seen in two places.
    let elsewhere = vec![entry(
        "imap:b/INBOX",
        "9",
        "fp1",
        one(item("ann@home.example", now - 100, &[])),
    )];
    let o = store.write_batch(&elsewhere, None).await.unwrap();
    assert_eq!((o.stored, o.duplicates), (0, 1));
    let sightings = store.sightings_by_source().await.unwrap();
    assert!(
        sightings.contains(&("imap:b/INBOX".to_string(), 1)),
        "{sightings:?}"
    );

    // The link stage decided the batch's customers by identifier in the batch's own
    // transaction, once: nothing is left waiting for it.
    assert_eq!((first.linked.decided, first.linked.new_customers), (3, 2));
    assert_eq!((again.linked.decided, o.linked.decided), (0, 0));
    assert_eq!(store.links_pending().await.unwrap(), 0);
    assert_eq!(store.link_all().await.unwrap().decided, 0);
    // Staff lists are complete.
    let items = store.export_items().await.unwrap();
    assert_eq!(items.len(), 3);
    let ann_key = tidings::pipeline::link::customer_key("email", "ann@home.example");
    assert_eq!(
        items
            .iter()
            .filter(|i| i.customer_key.as_deref() == Some(ann_key.as_str()))
            .count(),
        2
    );
    assert_eq!(
        items[1].staff,
        vec![
            "chief@example.org".to_string(),
            "desk@example.org".to_string()
        ]
    );
    let customers = store.export_customers().await.unwrap();
    assert_eq!(customers.len(), 2);
    assert_eq!(
        customers
            .iter()
            .find(|c| c.customer_key == ann_key)
            .unwrap()
            .inbound_contacts,
        2
    );

    // The quarantine keeps the bytes and the reason.
    let q = store.quarantine_list().await.unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].reason, "no usable From");
    let kept = store.quarantined_raw(q[0].id).await.unwrap().unwrap();
    assert_eq!(kept.bytes.as_deref(), Some(raw_bytes().as_slice()));
    assert_eq!(
        (kept.source.as_str(), kept.locator.as_str()),
        ("imap:a/INBOX", "3")
    );

    // A retry that now reads the item releases it and stores it in place.
    let fixed = [Part::item(item("cat@home.example", now - 5, &[]))];
    let released = store.retry_quarantined(kept.raw_id, &fixed).await.unwrap();
    assert_eq!(released.stored, 1);
    assert!(store.quarantine_list().await.unwrap().is_empty());

    // Counting: inbound, non-automated contacts with distinct staff reached.
    let mut counts = store.contact_counts(now - 1000, now + 1).await.unwrap();
    counts.sort_by_key(|c| -c.contacts);
    assert_eq!((counts[0].contacts, counts[0].distinct_staff), (2, 2));

    // A pattern flag is raised once per customer, kind and window (the database enforces
    // one open flag for each), refreshed while open, and reviewed with a note.
    let evidence: Vec<i64> = store
        .contact_items(counts[0].customer_id, now - 1000, now + 1)
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let write = PatternWrite {
        refresh: None,
        customer_id: counts[0].customer_id,
        kind: "contact-volume".into(),
        window_start: now - 1000,
        window_end: now + 1,
        figures: serde_json::json!({"contacts": 2}),
        threshold: serde_json::json!({"min_contacts": 1}),
        evidence: evidence.clone(),
    };
    let expires = now + 90 * 86_400;
    let first = store
        .write_pattern_flags(std::slice::from_ref(&write), (7, None), expires)
        .await
        .unwrap();
    assert_eq!(first.raised, 1);
    assert_eq!(store.stage_cursor("patterns").await.unwrap(), 7);
    // Nothing to write: both cursors move in one statement.
    store
        .write_pattern_flags(&[], (7, Some(6)), expires)
        .await
        .unwrap();
    assert_eq!(store.stage_cursor("patterns").await.unwrap(), 7);
    assert_eq!(store.stage_cursor("signals").await.unwrap(), 6);
    let again = store
        .write_pattern_flags(std::slice::from_ref(&write), (8, None), expires)
        .await
        .unwrap();
    assert_eq!(
        again.raised, 0,
        "one open flag per customer, kind and window"
    );
    let flag_id = store.flags(None, false).await.unwrap()[0].id;
    let refreshed = PatternWrite {
        refresh: Some(flag_id),
        evidence: evidence[..1].to_vec(),
        figures: serde_json::json!({"contacts": 1}),
        ..write.clone()
    };
    assert_eq!(
        store
            .write_pattern_flags(&[refreshed], (9, None), expires)
            .await
            .unwrap()
            .refreshed,
        1
    );
    assert_eq!(
        store.flag_evidence(flag_id).await.unwrap().len(),
        1,
        "evidence replaced, not added"
    );
    assert_eq!(store.flags(None, false).await.unwrap().len(), 1);
    assert_eq!(store.open_flag_count().await.unwrap(), 1);
    let stored = store.pattern_flags(now, ContactScope::All).await.unwrap();
    assert_eq!((stored[0].id, stored[0].evidence.len()), (flag_id, 1));
    // An incremental pass reads the flags of the customers with a contact after its cursor.
    let last = *evidence.iter().max().unwrap();
    let scoped = store
        .pattern_flags(
            now,
            ContactScope::NewSince {
                after: last - 1,
                upto: last,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        scoped.len(),
        1,
        "the flag of the customer with the new contact"
    );
    assert!(
        store
            .pattern_flags(
                now,
                ContactScope::NewSince {
                    after: last,
                    upto: last
                }
            )
            .await
            .unwrap()
            .is_empty(),
        "no new contact: no customer's flags"
    );
    assert!(store
        .review_flag(
            flag_id,
            "dismissed",
            "jo",
            "Checked: the contacts were about one fire."
        )
        .await
        .unwrap());
    assert!(
        !store
            .review_flag(flag_id, "acknowledged", "jo", "again")
            .await
            .unwrap(),
        "reviewed once"
    );
    let reviewed = store.flag(flag_id).await.unwrap().unwrap();
    assert_eq!(
        (reviewed.state.as_str(), reviewed.reviewed_by.as_deref()),
        ("dismissed", Some("jo"))
    );
    // With the first one reviewed, the same window may hold an open flag again.
    assert_eq!(
        store
            .write_pattern_flags(&[write], (10, None), expires)
            .await
            .unwrap()
            .raised,
        1
    );
    assert_eq!(store.open_flag_count().await.unwrap(), 1);

    // An item flag is keyed by its item: scanning the item again raises nothing twice.
    let scan = ScanWrite {
        item_id: evidence[0],
        customer_id: Some(counts[0].customer_id),
        occurred_at: now - 10,
        flags: vec![ItemFlagWrite {
            kind: "safety".into(),
            sentence: "I will hurt someone.".into(),
            figures: serde_json::json!({"kind": "safety", "sentences": 1, "entry": "x", "language": "en"}),
            threshold: serde_json::json!({}),
        }],
        context: vec![(
            "support-consideration".into(),
            "I can't cope.".into(),
            "can't cope".into(),
        )],
        thread_root: Some("root@x".into()),
        bands: None,
    };
    assert_eq!(
        store
            .write_scan(std::slice::from_ref(&scan), 11, expires)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(store
        .write_scan(&[scan], 12, expires)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.stage_cursor("signals").await.unwrap(), 12);
    assert_eq!(
        store
            .customer_context(counts[0].customer_id)
            .await
            .unwrap()
            .len(),
        1
    );
    let item_flag = store
        .flags(None, false)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.kind == "safety")
        .unwrap();
    assert_eq!(item_flag.sentence.as_deref(), Some("I will hurt someone."));
    assert!(item_flag.item_ref.is_some());

    // Expired flags are deleted, evidence and all.
    assert_eq!(store.delete_expired_flags(expires + 1).await.unwrap(), 3);
    assert!(store.flags(None, true).await.unwrap().is_empty());

    // A digest period is recorded once; its messages enter the outbox once.
    // The outbox is due by the clock: read it again, the story so far may have taken seconds.
    let now = chrono::Utc::now().timestamp();
    let msg = NewOutboxMessage {
        message_id: "digest-1@example.org".into(),
        purpose: "digest".into(),
        recipients: "manager@example.org".into(),
        subject: "Digest".into(),
        body_text: "text".into(),
        body_html: None,
    };
    for first_time in [true, false] {
        let recorded = store
            .record_digest_run(
                "2026-11-23T07:00:00Z",
                now - 7 * 86_400,
                now,
                std::slice::from_ref(&msg),
            )
            .await
            .unwrap();
        assert_eq!(recorded, first_time);
    }
    let due = store
        .outbox_claim("store-test", now, 600, 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    store
        .outbox_failed(due[0].id, "connection refused", Some(now + 30))
        .await
        .unwrap();
    assert!(store
        .outbox_claim("store-test", now, 600, 10)
        .await
        .unwrap()
        .is_empty());
    let due = store
        .outbox_claim("store-test", now + 31, 600, 10)
        .await
        .unwrap();
    assert_eq!(due[0].attempts, 1);
    assert_eq!(
        store.digest_covered_until().await.unwrap(),
        None,
        "a digest still in the outbox has not covered its weeks"
    );
    store.outbox_sent(due[0].id).await.unwrap();
    assert!(store.digest_covered_until().await.unwrap().is_some());
    let totals = store.outbox_totals().await.unwrap();
    assert_eq!((totals.pending, totals.sent, totals.failed), (0, 1, 0));
    store.ping().await.unwrap();
    outbox_claims_are_exclusive(&store).await;
    many_items_from_one_raw_item(&store, now).await;
    a_complete_message_releases_its_oversized_copy(&store, now).await;
    a_letter_waits_for_ocr(&store, now).await;
}

fn call(caller: &str, at: i64) -> ItemRecord {
    ItemRecord {
        channel: Channel::Call,
        customer: Some(CustomerRef {
            identifier_kind: "phone".into(),
            identifier: caller.into(),
            new_key: tidings::pipeline::link::customer_key("phone", caller),
            display_name: None,
            also: vec![],
        }),
        counterpart: Some(caller.into()),
        details: Some(r#"{"channel":"call","duration_secs":60}"#.into()),
        ..item("unused@example.net", at, &["extension:2001"])
    }
}

fn row(part: i64, key: &str, item: ItemRecord) -> Part {
    Part {
        part,
        dedupe_key: Some(key.into()),
        outcome: PartOutcome::Item(Box::new(item)),
    }
}

/// One call-log file is one raw item holding many calls; a later export that overlaps it adds
/// only the calls it did not hold; an unreadable row is quarantined on its own.
/// Recipients are rows, extras survive the round trip, and a claimed message is invisible to
/// another owner until its lease expires; a dead letter comes back with `outbox_retry`.
async fn outbox_claims_are_exclusive(store: &Store) {
    // Due by the clock: the message is enqueued now, so claim from a moment later.
    let now = chrono::Utc::now().timestamp() + 1;
    let message = NewOutboxMessage {
        message_id: "claim-1@tidings.example".into(),
        purpose: "forward".into(),
        recipients: "a@fire.example, b@fire.example".into(),
        subject: "Fwd: x".into(),
        body_text: "x".into(),
        body_html: None,
    };
    let extras = tidings::store::OutboxExtras {
        headers: vec![("X-Loop".into(), "tidings@fire.example".into())],
        attach_raw_id: None,
        concerns_item_id: None,
    };
    let added = store
        .enqueue_with(&[(message.clone(), extras.clone()), (message, extras)])
        .await
        .unwrap();
    assert_eq!(added, 1, "one Message-ID, one message");
    let first = store.outbox_claim("daemon-a", now, 600, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].recipients, ["a@fire.example", "b@fire.example"]);
    assert_eq!(first[0].headers[0].0, "X-Loop");
    assert!(store
        .outbox_claim("daemon-b", now + 1, 600, 10)
        .await
        .unwrap()
        .is_empty());
    let taken_over = store
        .outbox_claim("daemon-b", now + 600, 600, 10)
        .await
        .unwrap();
    assert_eq!(taken_over.len(), 1, "a claim whose daemon died expires");
    store
        .outbox_failed(taken_over[0].id, "550 no such mailbox", None)
        .await
        .unwrap();
    assert_eq!(store.outbox_retry(Some(taken_over[0].id)).await.unwrap(), 1);
    let again = store
        .outbox_claim("daemon-a", now + 10_000, 600, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 0);
    store.outbox_sent(again[0].id).await.unwrap();
}

async fn many_items_from_one_raw_item(store: &Store, now: i64) {
    let before = store.export_items().await.unwrap().len();
    let first_export = EntryOutcome::Parts(vec![
        row(1, "call-a", call("+441514960123", now - 300)),
        row(2, "call-b", call("+441514960123", now - 200)),
        Part {
            part: 3,
            dedupe_key: None,
            outcome: PartOutcome::Quarantined {
                reason: "row 3: column `start` is not a time".into(),
            },
        },
    ]);
    let mut file = entry("calls", "week1.csv", "call:file1", first_export);
    file.channel = Channel::Call;
    let o = store.write_batch(&[file], None).await.unwrap();
    assert_eq!((o.stored, o.quarantined), (2, 1));
    let overlapping = EntryOutcome::Parts(vec![
        row(1, "call-b", call("+441514960123", now - 200)),
        row(2, "call-c", call("+447700900123", now - 100)),
    ]);
    let mut file = entry("calls", "week1-2.csv", "call:file2", overlapping);
    file.channel = Channel::Call;
    let o = store.write_batch(&[file], None).await.unwrap();
    assert_eq!(
        (o.stored, o.duplicates),
        (1, 1),
        "the shared call is not counted twice"
    );
    let items = store.export_items().await.unwrap();
    assert_eq!(items.len(), before + 3);
    let calls: Vec<_> = items.iter().filter(|i| i.channel == "call").collect();
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].staff, vec!["extension:2001".to_string()]);
    let q = store.quarantine_list().await.unwrap();
    assert!(q
        .iter()
        .any(|r| r.locator == "week1.csv" && r.reason.starts_with("row 3")));
}

/// A message first kept as headers only (over the size limit) and quarantined, then stored
/// whole (a raised limit, another mailbox): one item, and the quarantine entry released.
async fn a_complete_message_releases_its_oversized_copy(store: &Store, now: i64) {
    let headers_only = entry(
        "imap:a/INBOX",
        "40",
        "hdr:61000000",
        unreadable("message is 61000000 bytes"),
    );
    store.write_batch(&[headers_only], None).await.unwrap();
    let open = |q: Vec<tidings::store::QuarantineRow>| q.iter().any(|r| r.locator == "40");
    assert!(open(store.quarantine_list().await.unwrap()));
    let mut whole = entry(
        "imap:b/INBOX",
        "7",
        "full:61000000",
        one(item("big@home.example", now - 30, &[])),
    );
    whole.supersedes = Some("hdr:61000000".into());
    assert_eq!(store.write_batch(&[whole], None).await.unwrap().stored, 1);
    assert!(
        !open(store.quarantine_list().await.unwrap()),
        "released, not counted twice"
    );
}

/// A letter's scan is kept first and queued; OCR writes its item and clears the job at once.
async fn a_letter_waits_for_ocr(store: &Store, now: i64) {
    let mut scan = entry(
        "letters",
        "scan-001.pdf",
        "letter:scan1",
        EntryOutcome::Pending,
    );
    scan.channel = Channel::Letter;
    scan.received_at = Some(now - 60);
    let o = store.write_batch(&[scan.clone()], None).await.unwrap();
    assert_eq!((o.stored, o.pending), (0, 1));
    assert_eq!(store.write_batch(&[scan], None).await.unwrap().pending, 0);
    assert_eq!(store.ocr_queue_len().await.unwrap(), 1);
    let (raw_id, attempts) = store.ocr_queue(10).await.unwrap()[0];
    assert_eq!(attempts, 0);
    assert_eq!(store.ocr_attempt(raw_id).await.unwrap(), 1);
    let kept = store.kept_raw(raw_id).await.unwrap().unwrap();
    assert_eq!(
        (kept.channel, kept.received_at),
        (Channel::Letter, Some(now - 60))
    );
    let letter = ItemRecord {
        channel: Channel::Letter,
        body: Some("Dear Chief Fire Officer, ...".into()),
        ..item("ann@home.example", now - 60, &[])
    };
    let o = store
        .complete_ocr(raw_id, &[Part::item(letter)])
        .await
        .unwrap();
    assert_eq!(o.stored, 1);
    assert_eq!(store.ocr_queue_len().await.unwrap(), 0);
    // A crash after the commit and a second run: the job is gone, nothing is written twice.
    let o = store
        .complete_ocr(
            raw_id,
            &[Part::item(item("ann@home.example", now - 60, &[]))],
        )
        .await
        .unwrap();
    assert_eq!((o.stored, o.duplicates), (0, 1));
}

#[tokio::test]
async fn store_story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}/nested/t.db", dir.path().display()))
        .await
        .unwrap();
    story(store).await;
}

#[tokio::test]
async fn store_story_on_postgres() {
    let services = common::Services::from_env();
    let url = common::fresh_pg_database(&services.pg_admin_url).await;
    let store = Store::open(&url).await.unwrap();
    story(store.clone()).await;
    // Migrating twice is a no-op.
    store.migrate().await.unwrap();
}

#[tokio::test]
async fn unreachable_database_is_a_clear_error() {
    let err = Store::open("postgres://nobody@127.0.0.1:1/none")
        .await
        .unwrap_err();
    assert!(err.is_transient());
    assert!(err.to_string().contains("check store.url"), "{err}");
}
