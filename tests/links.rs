//! Linking as its own stage, and people's corrections to it, through the real binary on the
//! embedded store: every item carries its link decision (method, confidence, reasons); a
//! number another customer holds is a candidate for review, never a merge; `customers merge`
//! makes two keys one and the merged key keeps resolving; `customers unmerge` undoes it;
//! `customers split` and `items relink` are people's decisions that `links recompute` never
//! undoes; every correction is in the audit log, and reasons are guard-checked.

#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::path::Path;

mod common;

use common::succeeded as ok;
use common::tidings_in as tidings;

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["mail", "calls"] {
        std::fs::create_dir_all(dir.path().join(f)).unwrap();
    }
    std::fs::write(
        dir.path().join("t.toml"),
        "[http]\nenabled = false\n\
         [organisation]\nstaff_domains = [\"fire.example\"]\n\
         [dropfolder]\npath = \"mail\"\nstable_secs = 0\n\
         [calls]\npath = \"calls\"\nstable_secs = 0\n\
         [letters]\nenabled = false\n",
    )
    .unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["--config", "t.toml"];
    all.extend_from_slice(args);
    ok(&tidings(dir, &all))
}

fn fails(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["--config", "t.toml"];
    all.extend_from_slice(args);
    let out = tidings(dir, &all);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn mail(dir: &Path, n: u32, from: &str, body: &str) {
    let msg = format!(
        "From: {from}\r\nTo: enquiries@fire.example\r\nSubject: Smoke alarm {n}\r\n\
         Date: Mon, {n:02} Jun 2025 10:00:00 +0000\r\nMessage-ID: <m{n}@home.example>\r\n\r\n{body}\r\n"
    );
    std::fs::write(dir.join("mail").join(format!("m{n}.eml")), msg).unwrap();
}

/// item_ref → customer_key for every item.
fn keys(dir: &Path) -> std::collections::HashMap<String, String> {
    run(dir, &["export", "items", "--format", "jsonl"])
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| {
            (
                v["item_ref"].as_str().unwrap().to_string(),
                v["customer_key"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn links_are_decided_with_reasons_and_corrections_are_reversible_and_kept() {
    let ws = workspace();
    let dir = ws.path();
    mail(dir, 1, "Ann Jones <ann@home.example>", "My alarm beeps.");
    mail(
        dir,
        2,
        "Ann Jones <ann.jones@work.example>",
        "Following up on my alarm.",
    );
    mail(
        dir,
        3,
        "Bob Jones <bob@home.example>",
        "Please call me back.\r\n\r\n--\r\nBob Jones\r\nTel: 0151 496 0123",
    );
    mail(
        dir,
        4,
        "Carol Smith <carol@home.example>",
        "Could someone visit?\r\n\r\n--\r\nCarol Smith\r\nTel: 0151 496 0123",
    );
    std::fs::write(
        dir.join("calls/week.csv"),
        "Call ID,Start Time,Direction,Caller,Called,Agent,Extension,Duration,Result\n\
         call-1,2025-06-10 10:00:00,inbound,0151 496 0123,2001,,2001,0:01:00,answered\n",
    )
    .unwrap();
    run(dir, &["run", "--once"]);

    let k = keys(dir);
    let (ann, ann_work, bob, carol) = (
        k["m1@home.example"].clone(),
        k["m2@home.example"].clone(),
        k["m3@home.example"].clone(),
        k["m4@home.example"].clone(),
    );
    assert_ne!(
        ann, ann_work,
        "no shared identifier: not linked by name alone"
    );
    assert_eq!(
        k["call-1"], bob,
        "the number Bob's signature gave links the call"
    );
    assert_ne!(
        carol, bob,
        "a number another customer holds never merges two people"
    );

    // Every item says how it was linked.
    let shown = run(dir, &["items", "show", "call-1"]);
    assert!(
        shown.contains("linked:       identifier (1.00) by the rules"),
        "{shown}"
    );

    // A possible link waits for a person: Carol's message shares Bob's number but not his
    // name. Ann's work address shares nothing but her name: no link, no candidate.
    let review = run(dir, &["links", "review"]);
    let carol_review = review
        .lines()
        .find(|l| l.contains("m4@home.example"))
        .unwrap_or_else(|| panic!("no review line for Carol's message: {review}"))
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert!(
        review.contains("names differ") && !review.contains("m2@home.example"),
        "{review}"
    );
    let labelled = fails(
        dir,
        &[
            "links",
            "reject",
            &carol_review,
            "--reason",
            "a vexatious sender",
        ],
    );
    assert!(labelled.contains("vexatious"), "{labelled}");
    run(
        dir,
        &[
            "links",
            "reject",
            &carol_review,
            "--reason",
            "different people, one office number",
            "--by",
            "asha",
        ],
    );
    assert!(run(dir, &["links", "review"]).contains("no possible links"));

    // A person merges the two keys; the merged key still resolves, later mail follows.
    run(
        dir,
        &[
            "customers",
            "merge",
            &ann,
            &ann_work,
            "--reason",
            "same person, confirmed on the phone",
            "--by",
            "asha",
        ],
    );
    let k = keys(dir);
    assert_eq!(k["m2@home.example"], ann);
    let shown = run(dir, &["customers", "show", &ann_work]);
    assert!(shown.contains(&format!("was merged into {ann}")), "{shown}");
    mail(dir, 5, "Ann Jones <ann.jones@work.example>", "Any news?");
    run(dir, &["run", "--once"]);
    assert_eq!(
        keys(dir)["m5@home.example"],
        ann,
        "later mail follows the merge"
    );

    // Unmerge: both back where the evidence puts them; and again.
    run(
        dir,
        &[
            "customers",
            "unmerge",
            &ann_work,
            "--reason",
            "merged in error",
            "--by",
            "asha",
        ],
    );
    let k = keys(dir);
    assert_eq!(k["m2@home.example"], ann_work);
    assert_eq!(k["m5@home.example"], ann_work);
    assert_eq!(k["m1@home.example"], ann);
    run(
        dir,
        &[
            "customers",
            "merge",
            &ann,
            &ann_work,
            "--reason",
            "same person after all",
            "--by",
            "asha",
        ],
    );
    assert_eq!(keys(dir)["m5@home.example"], ann);
    run(
        dir,
        &[
            "customers",
            "unmerge",
            &ann_work,
            "--reason",
            "two people after all",
            "--by",
            "asha",
        ],
    );
    assert_eq!(keys(dir)["m5@home.example"], ann_work);

    // Split and relink are people's decisions: a full recompute keeps them.
    let out = run(
        dir,
        &[
            "customers",
            "split",
            &bob,
            "--items",
            "call-1",
            "--reason",
            "the caller was a neighbour",
            "--by",
            "asha",
        ],
    );
    let split_key = out
        .split(|c: char| c.is_whitespace() || c == ';' || c == '`')
        .find(|w| w.starts_with("c-") && *w != bob)
        .unwrap()
        .to_string();
    run(
        dir,
        &[
            "items",
            "relink",
            "m4@home.example",
            &ann,
            "--reason",
            "written on Ann's behalf",
            "--by",
            "asha",
        ],
    );
    let recomputed = run(dir, &["links", "recompute"]);
    assert!(recomputed.contains("decided"), "{recomputed}");
    let k = keys(dir);
    assert_eq!(k["call-1"], split_key);
    assert_eq!(k["m4@home.example"], ann);
    assert_eq!(k["m3@home.example"], bob);
    assert_eq!(k["m2@home.example"], ann_work);
    assert!(
        !run(dir, &["links", "review"]).contains("m4@home.example"),
        "a rejected candidate is not proposed again: {}",
        run(dir, &["links", "review", "--all"])
    );

    // Every correction is in the audit log: who, when, why.
    let history = run(dir, &["customers", "show", &bob]);
    assert!(
        history.contains("split by asha") && history.contains("the caller was a neighbour"),
        "{history}"
    );
    let history = run(dir, &["customers", "show", &ann]);
    assert!(
        history.contains("merge by asha") && history.contains("unmerge by asha"),
        "{history}"
    );
}

#[test]
fn a_message_with_no_usable_sender_is_kept_unlinked_for_review_not_quarantined() {
    let ws = workspace();
    let dir = ws.path();
    std::fs::write(
        dir.join("mail/nofrom.eml"),
        "From: Just A Name\r\nTo: enquiries@fire.example\r\nSubject: Hydrant\r\n\
         Date: Mon, 02 Jun 2025 10:00:00 +0000\r\nMessage-ID: <nofrom@home.example>\r\n\r\nThe hydrant leaks.\r\n",
    )
    .unwrap();
    mail(dir, 1, "Ann Jones <ann@home.example>", "My alarm beeps.");
    run(dir, &["run", "--once"]);
    assert!(run(dir, &["quarantine", "list"])
        .lines()
        .all(|l| !l.contains("nofrom")));
    let k = keys(dir);
    assert_eq!(k["nofrom@home.example"], "", "kept, with no customer");
    let review = run(dir, &["links", "review"]);
    assert!(
        review.contains("nofrom@home.example") && review.contains("no usable sender"),
        "{review}"
    );
    let ann = k["m1@home.example"].clone();
    run(
        dir,
        &[
            "items",
            "relink",
            "nofrom@home.example",
            &ann,
            "--reason",
            "she phoned to say it was hers",
            "--by",
            "asha",
        ],
    );
    assert_eq!(keys(dir)["nofrom@home.example"], ann);
    assert!(!run(dir, &["links", "review"]).contains("nofrom@home.example"));
}

#[test]
fn accepting_a_review_candidate_merges_the_two_customers() {
    let ws = workspace();
    let dir = ws.path();
    mail(
        dir,
        1,
        "Bob Jones <bob@home.example>",
        "Thanks.\r\n\r\n--\r\nBob Jones\r\nTel: 0151 496 0123",
    );
    // No name to compare: the shared number alone is not enough for the rules.
    mail(
        dir,
        2,
        "<b.j@mail.example>",
        "Same again.\r\n\r\n--\r\nTel: 0151 496 0123",
    );
    run(dir, &["run", "--once"]);
    let k = keys(dir);
    let (bob, other) = (k["m1@home.example"].clone(), k["m2@home.example"].clone());
    assert_ne!(bob, other);
    let review = run(dir, &["links", "review"]);
    assert!(review.contains("no name on both"), "{review}");
    let id = review.split_whitespace().next().unwrap().to_string();
    run(
        dir,
        &[
            "links",
            "accept",
            &id,
            "--reason",
            "he confirmed both addresses",
            "--by",
            "asha",
        ],
    );
    assert_eq!(keys(dir)["m2@home.example"], bob);
    let shown = run(dir, &["links", "review", "--all"]);
    assert!(shown.contains("accepted"), "{shown}");
}
