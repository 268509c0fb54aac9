//! Golden files for `ingest::email` (mail-parser's `parse_full_messages` style).
//!
//! Every `tests/fixtures/email/<suite>/NAME.eml` is parsed with LF and with CRLF line endings
//! (both must give the same result and the same fingerprint) and compared with `NAME.json`:
//! the expected `ParsedEmail` as pretty JSON, or `{"error": "<ParseError variant>"}`.
//! `UPDATE_GOLDEN=1 cargo test --test email_golden` (re)writes the JSON files — review each
//! change by eye before committing. Generated inputs (deep nesting, huge headers, random and
//! mutated bytes) check that nothing panics.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tidings::ingest::email::{parse_email, Fingerprint, ParseError, ParseLimits, ParsedEmail};

const SUITES: &[&str] = &["valid", "malformed", "cpython"];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/email")
}

fn to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

fn to_crlf(lf: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(lf.len() + lf.len() / 16);
    for &b in lf {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

fn as_json(result: &Result<ParsedEmail, ParseError>) -> Value {
    match result {
        Ok(parsed) => serde_json::to_value(parsed).expect("ParsedEmail serialises"),
        Err(e) => json!({ "error": e.kind() }),
    }
}

fn eml_files(suite: &str) -> Vec<PathBuf> {
    let dir = fixtures_dir().join(suite);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
}

fn run_suite(suite: &str) -> usize {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let limits = ParseLimits::default();
    let mut failures = Vec::new();
    let files = eml_files(suite);
    for eml in &files {
        let raw = std::fs::read(eml).expect("read fixture");
        let lf = to_lf(&raw);
        let crlf = to_crlf(&lf);
        let from_lf = parse_email(&lf, &limits);
        let from_crlf = parse_email(&crlf, &limits);
        assert_eq!(
            from_lf,
            from_crlf,
            "{}: LF and CRLF parse differently",
            eml.display()
        );
        assert_eq!(
            Fingerprint::of_message(&lf),
            Fingerprint::of_message(&crlf),
            "{}: LF and CRLF fingerprint differently",
            eml.display()
        );
        if let Ok(parsed) = &from_lf {
            assert!(parsed.text.chars().count() <= limits.max_text_chars);
        }
        let actual = as_json(&from_lf);
        let json_path = eml.with_extension("json");
        if update {
            let pretty = serde_json::to_string_pretty(&actual).expect("pretty JSON");
            std::fs::write(&json_path, pretty + "\n").expect("write golden file");
            continue;
        }
        let expected: Value = match std::fs::read_to_string(&json_path) {
            Ok(text) => serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: bad JSON: {e}", json_path.display())),
            Err(_) => {
                failures.push(format!(
                    "{}: missing (run with UPDATE_GOLDEN=1)",
                    json_path.display()
                ));
                continue;
            }
        };
        if expected != actual {
            failures.push(format!(
                "{}:\nexpected {}\nactual   {}",
                eml.display(),
                expected,
                actual
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatches:\n{}",
        failures.join("\n\n")
    );
    files.len()
}

#[test]
fn valid_suite_matches_golden_files() {
    assert!(run_suite("valid") >= 25);
}

#[test]
fn malformed_suite_matches_golden_files() {
    assert!(run_suite("malformed") >= 25);
}

#[test]
fn cpython_suite_matches_golden_files() {
    assert!(run_suite("cpython") >= 30);
}

fn nested_multipart(levels: usize) -> Vec<u8> {
    let mut s = String::from("From: pat@example.net\nSubject: deep\nMIME-Version: 1.0\n");
    for i in 0..levels {
        s.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n"
        ));
    }
    s.push_str("Content-Type: text/plain\n\ninner\n");
    for i in (0..levels).rev() {
        s.push_str(&format!("--b{i}--\n"));
    }
    s.into_bytes()
}

#[test]
fn a_hundred_nested_multiparts_are_refused_unless_the_limit_allows() {
    let deep = nested_multipart(100);
    match parse_email(&deep, &ParseLimits::default()) {
        Err(ParseError::TooComplex { depth, .. }) => assert!(depth > 20),
        other => panic!("expected TooComplex, got {other:?}"),
    }
    let generous = ParseLimits {
        max_depth: 200,
        ..ParseLimits::default()
    };
    let parsed = parse_email(&deep, &generous).expect("parses within generous limits");
    assert_eq!(parsed.text, "inner");
    let few_parts = ParseLimits {
        max_parts: 10,
        max_depth: 200,
        ..ParseLimits::default()
    };
    assert!(matches!(
        parse_email(&deep, &few_parts),
        Err(ParseError::TooComplex { .. })
    ));
    let _ = Fingerprint::of_message(&nested_multipart(20_000));
}

#[test]
fn huge_header_lines_and_bodies_are_bounded() {
    let mut msg = b"From: pat@example.net\nSubject: ".to_vec();
    msg.extend(std::iter::repeat_n(b'x', 1_000_000));
    msg.extend(b"\nTo: ");
    msg.extend(std::iter::repeat_n(b"a@example.org, ".as_slice(), 20_000).flatten());
    msg.extend(b"\n\n");
    msg.extend(std::iter::repeat_n(b"body text \r\n".as_slice(), 200_000).flatten());
    let limits = ParseLimits {
        max_text_chars: 1000,
        ..ParseLimits::default()
    };
    let parsed = parse_email(&msg, &limits).expect("parses");
    assert_eq!(parsed.subject.map(|s| s.chars().count()), Some(998));
    assert_eq!(parsed.to.len(), 1, "duplicates removed");
    assert!(parsed.text.chars().count() <= 1000);
    assert!(!parsed.text.contains('\r'));
}

#[test]
fn a_message_without_a_usable_sender_is_kept_with_none() {
    let parsed = parse_email(
        b"From: Just A Name\nSubject: x\n\nbody",
        &ParseLimits::default(),
    )
    .expect("kept, not refused");
    assert!(parsed.from.is_none());
    assert_eq!(parsed.subject.as_deref(), Some("x"));
}

#[test]
fn errors_say_what_is_wrong_and_what_to_do() {
    let err = parse_email(b"", &ParseLimits::default()).expect_err("empty");
    assert!(err.to_string().contains("not an email message"));
}

/// Deterministic xorshift64* so the fuzz test needs no extra crate and fails reproducibly.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b"\n",
    b"\r\n",
    b"\n\n",
    b":",
    b"\n--",
    b"--",
    b"=?utf-8?B?",
    b"=?utf-7?Q?+AOk",
    b"?=",
    b"=\n",
    b"=E9",
    b"<",
    b">",
    b"\"",
    b"\\",
    b"\n ",
    b"\0",
    b"\xff\xfe",
    b"\nContent-Type: multipart/mixed; boundary=x\n\n--x\n",
    b"\nContent-Type: message/rfc822\n\n",
    b"\nContent-Transfer-Encoding: base64\n\n",
    b"\nContent-Type: text/html; charset=windows-1258\n\n<p>",
    b"From: ",
    b"From ",
    b">From ",
    b"Date: 31 Feb 99999 99:99:99 +9999\n",
];

fn mutate(rng: &mut XorShift, input: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(8) {
        let len = input.len();
        match rng.below(6) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len + 1);
                input.splice(at..at, token.iter().copied());
            }
            2 if len > 0 => {
                let at = rng.below(len);
                let end = (at + rng.below(64)).min(len);
                input.drain(at..end);
            }
            3 if len > 0 => input.truncate(rng.below(len)),
            4 if len > 0 => {
                let at = rng.below(len);
                let end = (at + rng.below(256)).min(len);
                let chunk = input[at..end].to_vec();
                let to = rng.below(len + 1);
                input.splice(to..to, chunk);
            }
            _ => input.push(rng.next() as u8),
        }
    }
}

#[test]
fn random_and_mutated_inputs_never_panic() {
    let mut corpus: Vec<Vec<u8>> = Vec::new();
    for suite in SUITES {
        for eml in eml_files(suite) {
            corpus.push(std::fs::read(eml).expect("read fixture"));
        }
    }
    // FUZZ_SEED / FUZZ_ROUNDS explore further locally; the defaults keep CI fast and stable.
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let mut rng = XorShift(env("FUZZ_SEED", 0x9e37_79b9_7f4a_7c15) | 1);
    let rounds = env("FUZZ_ROUNDS", 2000);
    let tight = ParseLimits {
        max_text_chars: 50,
        max_parts: 5,
        max_depth: 2,
    };
    for round in 0..rounds {
        let input: Vec<u8> = if round % 4 == 0 {
            let len = rng.below(2048);
            (0..len).map(|_| rng.next() as u8).collect()
        } else {
            let mut input = corpus[rng.below(corpus.len())].clone();
            mutate(&mut rng, &mut input);
            input
        };
        for limits in [&ParseLimits::default(), &tight] {
            if let Ok(parsed) = parse_email(&input, limits) {
                assert!(parsed.text.chars().count() <= limits.max_text_chars);
                assert!(!parsed.text.contains(['\r', '\0']));
            }
        }
        let _ = Fingerprint::of_message(&input);
    }
}
