//! Golden files for `ingest::calls`.
//!
//! Every `tests/fixtures/calls/<suite>/NNN.csv` is parsed with the context described by
//! `NNN.toml` when present (a `[calls]` section as in `tidings.toml`: `format` chooses the
//! reader, default `auto`; `[[calls.formats]]` entries, `own_numbers`, `asterisk_gmt`) and
//! compared with `NNN.json`: the format and, per row, the record (times as RFC 3339 UTC) and
//! fingerprint, or the row's error; or the file's error. `UPDATE_GOLDEN=1 cargo test --test
//! calls_golden` rewrites the JSON files — review each change by eye before committing.

use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tidings::config::OrganisationConfig;
use tidings::ingest::calls::{parse_call_log, CallContext, CallLog, CallsConfig, FormatChoice};

const SUITES: &[&str] = &["asterisk", "export", "teams", "3cx", "custom", "malformed"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/calls")
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Fixture {
    #[serde(default)]
    organisation: OrganisationConfig,
    #[serde(default)]
    calls: CallsConfig,
}

impl Fixture {
    fn context(&self) -> Result<CallContext, tidings::ingest::calls::CallsConfigError> {
        let o = &self.organisation;
        self.calls.context(&o.region, &o.timezone, &o.own_numbers)
    }
}

fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .expect("time in range")
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn as_json(log: &CallLog) -> Value {
    let rows: Vec<Value> = log
        .rows
        .iter()
        .map(|row| match row {
            Ok(call) => {
                let mut record = serde_json::to_value(&call.record).expect("record serialises");
                record["occurred_at"] = json!(rfc3339(call.record.occurred_at));
                if let Some(map) = record.as_object_mut() {
                    for always_the_same in ["channel", "subject", "text", "thread", "automated"] {
                        map.remove(always_the_same);
                    }
                }
                json!({ "row": call.row, "fingerprint": call.fingerprint, "record": record })
            }
            Err(e) => json!({ "row": e.row, "error": e.to_string() }),
        })
        .collect();
    json!({ "format": log.format, "rows": rows })
}

fn parse_fixture(csv: &Path) -> Value {
    let toml_path = csv.with_extension("toml");
    let fixture: Fixture = match std::fs::read_to_string(&toml_path) {
        Ok(text) => {
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", toml_path.display()))
        }
        Err(_) => Fixture::default(),
    };
    let ctx = fixture
        .context()
        .unwrap_or_else(|e| panic!("{}: {e}", toml_path.display()));
    let choice: FormatChoice = fixture.calls.format.parse().expect("format name");
    let bytes = std::fs::read(csv).expect("fixture readable");
    let name = csv.file_name().and_then(|n| n.to_str()).expect("file name");
    match parse_call_log(&bytes, name, choice, &ctx) {
        Ok(log) => {
            for (i, row) in log.rows.iter().enumerate() {
                let row_no = match row {
                    Ok(c) => c.row,
                    Err(e) => e.row,
                };
                assert!(
                    row_no > i,
                    "{}: rows are numbered from 1 in order",
                    csv.display()
                );
            }
            as_json(&log)
        }
        Err(e) => json!({ "error": e.to_string() }),
    }
}

fn csv_files(suite: &str) -> Vec<PathBuf> {
    let dir = fixtures().join(suite);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    files
}

#[test]
fn golden_files_match() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    let mut checked = 0;
    for suite in SUITES {
        let files = csv_files(suite);
        assert!(!files.is_empty(), "suite {suite} has fixtures");
        for csv in files {
            let actual = parse_fixture(&csv);
            let json_path = csv.with_extension("json");
            let pretty = serde_json::to_string_pretty(&actual).expect("serialises") + "\n";
            if update {
                std::fs::write(&json_path, &pretty).expect("write golden file");
                continue;
            }
            let expected: Value = std::fs::read_to_string(&json_path)
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_else(|| {
                    panic!(
                        "{} is missing; run with UPDATE_GOLDEN=1",
                        json_path.display()
                    )
                });
            if expected != actual {
                failures.push(format!("{}:\n{pretty}", csv.display()));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatches:\n{}",
        failures.join("\n")
    );
    assert!(update || checked >= 15, "only {checked} fixtures checked");
}

fn fingerprints(name: &str) -> Vec<String> {
    let bytes = std::fs::read(fixtures().join("overlap").join(name)).expect("fixture readable");
    parse_call_log(
        &bytes,
        name,
        FormatChoice::Auto,
        &Fixture::default().context().expect("defaults"),
    )
    .expect("readable")
    .rows
    .into_iter()
    .map(|r| r.expect("row parses").fingerprint)
    .collect()
}

#[test]
fn overlapping_exports_give_equal_fingerprints_for_the_shared_calls() {
    let first = fingerprints("first.csv");
    let second = fingerprints("second.csv");
    assert_eq!(
        first[1], second[0],
        "09:30 call, numbers and duration written differently"
    );
    assert_eq!(first[2], second[1], "10:00 missed call");
    assert!(!first.contains(&second[2]), "the 11:00 call is new");
    assert_ne!(first[0], first[1]);
}

#[test]
fn re_importing_a_file_gives_the_same_fingerprints() {
    assert_eq!(fingerprints("first.csv"), fingerprints("first.csv"));
}

#[test]
fn crlf_line_endings_read_the_same() {
    let lf = std::fs::read(fixtures().join("export/001.csv")).expect("readable");
    let crlf: Vec<u8> = lf
        .iter()
        .flat_map(|&b| {
            if b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![b]
            }
        })
        .collect();
    let ctx = Fixture::default().context().expect("defaults");
    let a = parse_call_log(&lf, "001.csv", FormatChoice::Auto, &ctx).expect("readable");
    let b = parse_call_log(&crlf, "001.csv", FormatChoice::Auto, &ctx).expect("readable");
    assert_eq!(as_json(&a), as_json(&b));
}
