//! Golden letters: every scan in tests/fixtures/letters/ is read with the real poppler,
//! ImageMagick and tesseract, its fields extracted and compared with NNN.expected.json.
//! Per-field accuracy must reach 0.95 (the target). The malformed/ suite must give
//! the expected typed error, never a panic. Regenerate fixtures with
//! `scripts/fixtures/make-letters`.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tidings::domain::{Details, PartyRole, PersonName};
use tidings::ingest::letters::{
    extract_letter, letter_record, read_scan, Addressee, LetterFields, OcrTools, ScanError,
    ScanLimits, ScanText,
};

const TARGET: f64 = 0.95;
const FIELDS: [&str; 10] = [
    "pages",
    "text_source",
    "sender_name",
    "address",
    "postcode",
    "phones",
    "emails",
    "letter_date",
    "addressee",
    "subject",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/letters")
}

fn read(path: &Path, limits: &ScanLimits, tools: &OcrTools) -> Result<ScanText, ScanError> {
    let bytes = std::fs::read(path).expect("fixture is readable");
    let name = path.file_name().expect("a file name").to_string_lossy();
    read_scan(&bytes, &name, limits, tools)
}

/// Lower case, single spaces, no trailing punctuation: how a person compares two lines.
fn norm(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(['.', ',', ':'])
        .to_lowercase()
}

fn name_key(text: &str) -> Option<String> {
    PersonName::parse(text).ok().map(|n| n.key())
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `field` was extracted right; the found and expected text for the report.
fn check(field: &str, want: &Value, scan: &ScanText, got: &LetterFields) -> (bool, String, String) {
    let w = &want[field];
    let (ok, found) = match field {
        "pages" => (
            w.as_u64() == Some(scan.pages.into()),
            scan.pages.to_string(),
        ),
        "text_source" => (
            w.as_str() == Some(scan.source.as_str()),
            scan.source.as_str().to_string(),
        ),
        "sender_name" => {
            let found = got.sender_name.as_ref().map(|n| n.to_string());
            (
                w.as_str().and_then(name_key) == got.sender_name.as_ref().map(|n| n.key()),
                format!("{found:?}"),
            )
        }
        "address" => {
            let found: Vec<String> = got.address.iter().map(|l| norm(l)).collect();
            let expected: Vec<String> = strings(w).iter().map(|l| norm(l)).collect();
            (found == expected, format!("{:?}", got.address))
        }
        "postcode" => {
            let found = got.postcode.as_ref().map(|p| p.to_string());
            (w.as_str().map(String::from) == found, format!("{found:?}"))
        }
        "phones" => {
            let found: Vec<String> = got.phones.iter().map(|p| p.to_string()).collect();
            (
                sorted(found.clone()) == sorted(strings(w)),
                format!("{found:?}"),
            )
        }
        "emails" => {
            let found: Vec<String> = got.emails.iter().map(|e| e.to_string()).collect();
            (
                sorted(found.clone()) == sorted(strings(w)),
                format!("{found:?}"),
            )
        }
        "letter_date" => {
            let found = got.letter_date.map(|d| d.format("%Y-%m-%d").to_string());
            (w.as_str().map(String::from) == found, format!("{found:?}"))
        }
        "addressee" => {
            let found = got.addressee.as_ref().map(|a| match a {
                Addressee::Name(n) => ("name", norm(n)),
                Addressee::Role(r) => ("role", norm(r)),
            });
            let expected = w["kind"].as_str().zip(w["value"].as_str().map(norm));
            (found == expected, format!("{found:?}"))
        }
        "subject" => {
            let found = got.subject.as_deref().map(norm);
            (w.as_str().map(norm) == found, format!("{found:?}"))
        }
        other => panic!("no check for field {other}"),
    };
    (ok, found, w.to_string())
}

#[test]
fn golden_letters_reach_the_field_accuracy_target() {
    let tools = OcrTools::default();
    let limits = ScanLimits::default();
    let mut expected_files: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures folder exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    expected_files.sort();
    assert!(
        expected_files.len() >= 12,
        "expected at least 12 golden letters"
    );

    let mut right: BTreeMap<&str, usize> = BTreeMap::new();
    let mut misses = Vec::new();
    for expected_path in &expected_files {
        let want: Value =
            serde_json::from_str(&std::fs::read_to_string(expected_path).expect("readable"))
                .expect("expected.json is JSON");
        let file = want["file"].as_str().expect("file named");
        let scan = match read(&fixtures().join(file), &limits, &tools) {
            Ok(scan) => scan,
            Err(e @ ScanError::ToolMissing { .. }) => panic!("{e}"),
            Err(e) => panic!("{file}: {e}"),
        };
        let got = extract_letter(&scan.text, "GB");
        for field in FIELDS {
            let (ok, found, expected) = check(field, &want, &scan, &got);
            if ok {
                *right.entry(field).or_default() += 1;
            } else {
                misses.push(format!(
                    "{file} {field}: found {found}, expected {expected}"
                ));
            }
        }
    }
    let total = expected_files.len() as f64;
    println!("{:<12} {:>8}", "field", "accuracy");
    let mut below = Vec::new();
    for field in FIELDS {
        let accuracy = *right.get(field).unwrap_or(&0) as f64 / total;
        println!("{field:<12} {accuracy:>8.3}");
        if accuracy < TARGET {
            below.push(format!("{field} {accuracy:.3}"));
        }
    }
    for miss in &misses {
        println!("miss: {miss}");
    }
    assert!(
        below.is_empty(),
        "fields below {TARGET}: {below:?}\n{}",
        misses.join("\n")
    );
}

#[test]
fn a_scanned_letter_becomes_a_contact_record() {
    let path = fixtures().join("001.png");
    let scan = read(&path, &ScanLimits::default(), &OcrTools::default()).expect("001 reads");
    let fields = extract_letter(&scan.text, "GB");
    let received_at = 1_750_000_000;
    let record = letter_record("001.png", &scan, &fields, received_at);
    assert_eq!(record.item_ref, "001.png");
    // 2025-02-03 12:00 UTC, the letter's own date.
    assert_eq!(record.occurred_at, 1_738_584_000);
    let sender = record
        .parties
        .iter()
        .find(|p| p.role == PartyRole::Sender)
        .expect("a sender");
    assert_eq!(
        sender.postcode().map(|p| p.to_string()).as_deref(),
        Some("CH44 7HX")
    );
    assert_eq!(
        sender.phone().map(|p| p.to_string()).as_deref(),
        Some("+441514960123")
    );
    assert_eq!(
        sender.email().map(|e| e.to_string()).as_deref(),
        Some("ann.jones@example.org")
    );
    assert!(record
        .parties
        .iter()
        .any(|p| p.role == PartyRole::Addressee));
    assert!(matches!(record.details, Details::Letter(ref d) if d.text_source == "ocr"));
    assert!(record.text.contains("smoke alarms"));
}

#[test]
fn malformed_scans_give_typed_errors() {
    let dir = fixtures().join("malformed");
    let table: BTreeMap<String, String> = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).expect("malformed/expected.json"),
    )
    .expect("a JSON object of file → error");
    assert!(table.len() >= 6);
    for (file, want) in &table {
        let result = read(
            &dir.join(file),
            &ScanLimits::default(),
            &OcrTools::default(),
        );
        let got = match &result {
            Ok(_) => "Ok",
            Err(ScanError::Empty { .. }) => "Empty",
            Err(ScanError::UnsupportedType { .. }) => "UnsupportedType",
            Err(ScanError::Encrypted { .. }) => "Encrypted",
            Err(ScanError::Corrupt { .. }) => "Corrupt",
            Err(ScanError::TooManyPixels { .. }) => "TooManyPixels",
            Err(ScanError::ToolMissing { .. }) => panic!("{}", result.expect_err("an error")),
            Err(_) => "other",
        };
        assert_eq!(got, want, "{file}: {result:?}");
        let message = result.expect_err("an error").to_string();
        assert!(
            message.contains(file.as_str()),
            "the message names the file: {message}"
        );
    }
}

#[test]
fn a_page_past_its_deadline_is_stopped() {
    let limits = ScanLimits {
        page_timeout_secs: 0,
        ..ScanLimits::default()
    };
    let result = read(&fixtures().join("001.png"), &limits, &OcrTools::default());
    assert!(
        matches!(result, Err(ScanError::OcrTimeout { page: 1, .. })),
        "{result:?}"
    );
}

#[test]
fn a_missing_tool_says_what_to_install() {
    let tools = OcrTools {
        tesseract: "/nonexistent/tesseract".into(),
        ..OcrTools::default()
    };
    let result = read(&fixtures().join("001.png"), &ScanLimits::default(), &tools);
    let message = result.expect_err("no tesseract").to_string();
    assert!(
        message.contains("apt-get install tesseract-ocr poppler-utils imagemagick"),
        "{message}"
    );
}
