//! `tidings eval`: a generated corpus read by the real binary (`run --once`, with tesseract
//! and poppler), then scored with `eval links`. The scores are printed, not judged: linking is
//! being rebuilt. What is asserted: the report's shape and ranges, nothing lost (each truth
//! item is in the store or in the quarantine), and the same seed writing the same files.

#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

fn tidings(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tidings"))
        .args(args)
        .env_remove("TIDINGS_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

mod common;

use common::succeeded as ok;

fn corpus(dir: &Path, people: &str, seed: &str) -> Output {
    tidings(&[
        "eval",
        "corpus",
        "--out",
        dir.to_str().unwrap(),
        "--people",
        people,
        "--seed",
        seed,
    ])
}

/// Every file under `dir` except the config (which names the folder itself), by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.ends_with("tidings.toml") {
                let relative = path.strip_prefix(dir).unwrap().display().to_string();
                out.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_same_seed_writes_the_same_corpus() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    ok(&corpus(a.path(), "40", "7"));
    ok(&corpus(b.path(), "40", "7"));
    ok(&corpus(c.path(), "40", "8"));
    let (fa, fb, fc) = (files(a.path()), files(b.path()), files(c.path()));
    assert!(
        fa.keys().any(|k| k.starts_with("mail/")) && fa.keys().any(|k| k.starts_with("letters/"))
    );
    assert!(fa.keys().any(|k| k.starts_with("calls/")) && fa.contains_key("truth.jsonl"));
    assert_eq!(fa, fb, "seed 7 twice gave different files");
    assert_ne!(
        fa["truth.jsonl"], fc["truth.jsonl"],
        "seeds 7 and 8 gave the same truth"
    );
    // A second corpus into the same folder would mix two truths: refused.
    let again = corpus(a.path(), "40", "7");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty"));
}

#[test]
fn a_generated_corpus_is_read_and_scored_with_nothing_lost() {
    let ws = tempfile::tempdir().unwrap();
    let dir = ws.path();
    ok(&corpus(dir, "40", "1"));
    let config = dir.join("tidings.toml");
    let config = config.to_str().unwrap();
    let truth = dir.join("truth.jsonl");
    let truth_lines = std::fs::read_to_string(&truth).unwrap().lines().count();
    ok(&tidings(&["--config", config, "run", "--once"]));
    let json = ok(&tidings(&[
        "--config",
        config,
        "eval",
        "links",
        "--truth",
        truth.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let report: Value = serde_json::from_str(&json).unwrap();
    println!("{json}");
    for measure in ["pairwise", "bcubed"] {
        for field in ["precision", "recall", "f1"] {
            let v = report[measure][field].as_f64().unwrap_or(-1.0);
            assert!((0.0..=1.0).contains(&v), "{measure}.{field} = {v}");
        }
    }
    let n = |field: &str| {
        report[field]
            .as_u64()
            .unwrap_or_else(|| panic!("{field} missing"))
    };
    assert_eq!(n("truth_items") as usize, truth_lines);
    assert_eq!(n("found") + n("missing"), n("truth_items"));
    assert!(n("non_customer_items") > 0 && n("non_customer_linked") <= n("non_customer_items"));
    assert!(n("people") > 20 && n("customers") > 0);
    let pairs = &report["pairs"];
    assert!(pairs["correct_pairs"].as_u64() <= pairs["predicted_pairs"].as_u64());
    assert!(report["by_note"]["web-form relay"]["items"]
        .as_u64()
        .is_some());
    // Nothing lost: an item not in the store is in the quarantine, with its reason.
    let quarantined = ok(&tidings(&["--config", config, "quarantine", "list"]))
        .lines()
        .filter(|l| l.contains('\t'))
        .count() as u64;
    assert_eq!(
        n("missing"),
        quarantined,
        "{:?}",
        report["missing_examples"]
    );
    let text = ok(&tidings(&[
        "--config",
        config,
        "eval",
        "links",
        "--truth",
        truth.to_str().unwrap(),
    ]));
    println!("{text}");
    assert!(
        text.contains("pairwise") && text.contains("B-cubed"),
        "{text}"
    );
}
