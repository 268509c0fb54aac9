//! Calls, letters and file notes end to end through the real binary on the embedded store:
//! files dropped in their folders → `run --once` → each call row and each letter exactly once
//! in `export items`, linked by the identifier it carries; a second pass, a re-dropped file
//! and an overlapping export add nothing new; `kill -9` during OCR then a rerun: every letter
//! once. Uses the real tesseract and poppler (installed by scripts/services/up).

#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

mod common;

use common::tidings_in as tidings;

use common::succeeded as ok;

const STAFF_CSV: &str = "email,name,role,extensions,direct_dials,senior,service_area\n\
desk@fire.example,\"Patel, Asha\",Customer Services Officer,2001,0151 496 0999,no,Wirral\n\
cfo@fire.example,Dana Chief,Chief Fire Officer,2100,,yes,All\n";

/// A temp folder with the three drop folders, a staff directory and a config using them.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["mail", "calls", "letters"] {
        std::fs::create_dir_all(dir.path().join(f)).unwrap();
    }
    std::fs::write(dir.path().join("staff.csv"), STAFF_CSV).unwrap();
    std::fs::write(
        dir.path().join("t.toml"),
        "[http]\nenabled = false\n\
         [organisation]\nstaff_domains = [\"fire.example\"]\nstaff_directory = \"staff.csv\"\n\
         own_numbers = [\"0151 496 0000\"]\n\
         [dropfolder]\npath = \"mail\"\nstable_secs = 0\n\
         [calls]\npath = \"calls\"\nstable_secs = 0\n\
         [letters]\npath = \"letters\"\nstable_secs = 0\n",
    )
    .unwrap();
    dir
}

fn items(dir: &Path) -> Vec<Value> {
    ok(&tidings(
        dir,
        &["--config", "t.toml", "export", "items", "--format", "jsonl"],
    ))
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect()
}

fn of_channel<'a>(items: &'a [Value], channel: &str) -> Vec<&'a Value> {
    items.iter().filter(|i| i["channel"] == channel).collect()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/letters")
        .join(name)
}

/// Copies a file in as a writer would: under a temporary name, then renamed.
fn drop_file(folder: &Path, name: &str, bytes: &[u8]) {
    let tmp = folder.join(format!(".{name}.part"));
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, folder.join(name)).unwrap();
}

const WEEK_1: &str = "Call ID,Start Time,Direction,Caller,Called,Agent,Extension,Duration,Result\n\
c-1,2025-07-01 10:00:00,inbound,0151 496 0123,2001,,2001,0:04:10,answered\n\
c-2,2025-07-01 11:30:00,inbound,Withheld,2001,,2001,0,missed\n\
c-3,2025-07-02 09:15:00,outbound,2001,07700 900123,,2001,95,answered\n";

const WEEKS_1_2: &str =
    "Call ID,Start Time,Direction,Caller,Called,Agent,Extension,Duration,Result\n\
c-2,2025-07-01 11:30:00,inbound,Withheld,2001,,2001,0,missed\n\
c-3,2025-07-02 09:15:00,outbound,2001,07700 900123,,2001,95,answered\n\
c-4,2025-07-08 14:00:00,inbound,+44 (0)151 496 0123,2100,,2100,3:00,answered\n\
c-5,2025-07-08 15:00:00,inbound,0151 496 0124,2001,,2001,not-a-duration,answered\n";

#[test]
fn calls_letters_and_notes_are_logged_once_each_and_linked() {
    let ws = workspace();
    let dir = ws.path();
    drop_file(&dir.join("calls"), "week1.csv", WEEK_1.as_bytes());
    let letters = ["001.png", "005.pdf"];
    for l in letters {
        drop_file(&dir.join("letters"), l, &std::fs::read(fixture(l)).unwrap());
    }
    ok(&tidings(dir, &["--config", "t.toml", "run", "--once"]));
    let all = items(dir);
    let calls = of_channel(&all, "call");
    assert_eq!(calls.len(), 3, "{calls:?}");
    // Local London time in July is BST: 10:00 local is 09:00 UTC.
    let first = calls.iter().find(|c| c["item_ref"] == "c-1").unwrap();
    assert_eq!(first["occurred_at"], "2025-07-01T09:00:00Z");
    assert_eq!(first["counterpart"], "+441514960123");
    assert_eq!(first["direction"], "inbound");
    assert_eq!(first["staff"], serde_json::json!(["desk@fire.example"]));
    assert_eq!(first["duration_secs"], 250);
    assert_eq!(first["call_result"], "answered");
    let withheld = calls.iter().find(|c| c["item_ref"] == "c-2").unwrap();
    assert!(withheld["customer_key"].is_null() && withheld["counterpart"].is_null());
    let outbound = calls.iter().find(|c| c["item_ref"] == "c-3").unwrap();
    assert_eq!(outbound["direction"], "outbound");
    assert_eq!(outbound["counterpart"], "+447700900123");
    assert!(!dir.join("calls/week1.csv").exists(), "moved to processed/");

    let read = of_channel(&all, "letter");
    assert_eq!(read.len(), 2, "{read:?}");
    let ann = read.iter().find(|l| l["item_ref"] == "001.png").unwrap();
    assert_eq!(ann["counterpart"], "ann.jones@example.org");
    assert_eq!(ann["postcode"], "CH44 7HX");
    assert_eq!(ann["text_source"], "ocr");
    assert_eq!(ann["occurred_at"], "2025-02-03T12:00:00Z");
    let shown = ok(&tidings(
        dir,
        &["--config", "t.toml", "items", "show", "001.png"],
    ));
    assert!(shown.contains("Smoke alarm"), "{shown}");

    // A second pass, the same file dropped again, and an overlapping later export.
    ok(&tidings(dir, &["--config", "t.toml", "run", "--once"]));
    drop_file(&dir.join("calls"), "week1-again.csv", WEEK_1.as_bytes());
    drop_file(&dir.join("calls"), "weeks1-2.csv", WEEKS_1_2.as_bytes());
    for l in letters {
        drop_file(
            &dir.join("letters"),
            &format!("copy-{l}"),
            &std::fs::read(fixture(l)).unwrap(),
        );
    }
    ok(&tidings(dir, &["--config", "t.toml", "run", "--once"]));
    let all = items(dir);
    let refs: Vec<&str> = of_channel(&all, "call")
        .iter()
        .map(|c| c["item_ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), 4, "only the new call c-4 is added: {refs:?}");
    assert!(refs.contains(&"c-4"));
    assert_eq!(
        of_channel(&all, "letter").len(),
        2,
        "a scan dropped twice is one letter"
    );
    let same_caller: Vec<_> = of_channel(&all, "call")
        .into_iter()
        .filter(|c| c["counterpart"] == "+441514960123")
        .collect();
    assert_eq!(same_caller.len(), 2, "two ways of writing one number");
    assert_eq!(
        same_caller[0]["customer_key"],
        same_caller[1]["customer_key"]
    );
    let reached: Vec<_> = same_caller.iter().map(|c| c["staff"].clone()).collect();
    assert!(
        reached.contains(&serde_json::json!(["cfo@fire.example"])),
        "{reached:?}"
    );

    // The customer's history shows both calls and where they came from.
    let shown = ok(&tidings(
        dir,
        &[
            "--config",
            "t.toml",
            "customers",
            "show",
            same_caller[0]["customer_key"].as_str().unwrap(),
        ],
    ));
    assert!(
        shown.contains("phone:+441514960123") && shown.contains("2 inbound call"),
        "{shown}"
    );

    // The unreadable row is quarantined with the file and row; the rest imported.
    let q = ok(&tidings(dir, &["--config", "t.toml", "quarantine", "list"]));
    assert!(q.contains("weeks1-2.csv") && q.contains("row 4"), "{q}");

    // A file note joins the customer's history; a labelling word is refused.
    let customer = first["customer_key"].as_str().unwrap();
    let added = ok(&tidings(
        dir,
        &[
            "--config",
            "t.toml",
            "note",
            "add",
            "--customer",
            customer,
            "--staff",
            "desk@fire.example",
            "Called back about the alarm; visit booked for Tuesday.",
        ],
    ));
    assert!(added.contains("note:"), "{added}");
    let refused = tidings(
        dir,
        &[
            "--config",
            "t.toml",
            "note",
            "add",
            "--customer",
            customer,
            "--staff",
            "desk@fire.example",
            "A vexatious caller again.",
        ],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("behaviour"));
    let notes = items(dir);
    let notes = of_channel(&notes, "note");
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["customer_key"], customer);
    let unknown = tidings(
        dir,
        &[
            "--config",
            "t.toml",
            "note",
            "add",
            "--customer",
            "c-000000000000",
            "--staff",
            "desk@fire.example",
            "x",
        ],
    );
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no customer"));
}

#[test]
fn a_call_log_of_unknown_shape_names_the_presets_and_is_kept() {
    let ws = workspace();
    let dir = ws.path();
    std::fs::write(dir.join("odd.csv"), "when,who\nyesterday,someone\n").unwrap();
    let out = tidings(dir, &["--config", "t.toml", "import", "calls", "odd.csv"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("asterisk|export|teams|3cx") && err.contains("[[calls.formats]]"),
        "{err}"
    );
    let q = ok(&tidings(dir, &["--config", "t.toml", "quarantine", "list"]));
    assert!(q.contains("odd.csv"), "{q}");
    std::fs::write(dir.join("week1.csv"), WEEK_1).unwrap();
    let out = ok(&tidings(
        dir,
        &[
            "--config",
            "t.toml",
            "import",
            "calls",
            "week1.csv",
            "--format",
            "export",
        ],
    ));
    assert!(out.contains("stored 3 call(s)"), "{out}");
    let again = ok(&tidings(
        dir,
        &["--config", "t.toml", "import", "calls", "week1.csv"],
    ));
    assert!(
        again.contains("stored 0 call(s), already known 3"),
        "{again}"
    );
}

#[test]
fn kill_9_during_ocr_then_a_rerun_reads_every_letter_once() {
    let ws = workspace();
    let dir = ws.path();
    let scans = [
        "001.png", "002.jpg", "007.png", "009.png", "012.png", "014.png",
    ];
    for (n, l) in scans.iter().enumerate() {
        drop_file(
            &dir.join("letters"),
            &format!("{n}-{l}"),
            &std::fs::read(fixture(l)).unwrap(),
        );
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_tidings"))
        .current_dir(dir)
        .args(["--config", "t.toml", "run", "--once"])
        .env_remove("TIDINGS_CONFIG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the scans are committed and OCR has started, then kill.
    let started = Instant::now();
    while dir.join("letters").read_dir().unwrap().any(|e| {
        e.unwrap()
            .path()
            .extension()
            .is_some_and(|x| x == "png" || x == "jpg")
    }) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the scans were never committed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    let before = of_channel(&items(dir), "letter").len();
    assert!(
        before < scans.len(),
        "killed before OCR finished ({before} read)"
    );
    ok(&tidings(dir, &["--config", "t.toml", "run", "--once"]));
    let letters = items(dir);
    let letters = of_channel(&letters, "letter");
    assert_eq!(letters.len(), scans.len(), "{letters:?}");
    let mut refs: Vec<&str> = letters
        .iter()
        .map(|l| l["item_ref"].as_str().unwrap())
        .collect();
    refs.sort_unstable();
    refs.dedup();
    assert_eq!(refs.len(), scans.len(), "each letter once");
    let status = ok(&tidings(dir, &["--config", "t.toml", "status"]));
    assert!(status.contains("ocr queue: 0"), "{status}");
}

#[test]
fn a_file_still_being_written_waits_until_it_settles() {
    let ws = workspace();
    let dir = ws.path();
    std::fs::write(
        dir.join("t.toml"),
        std::fs::read_to_string(dir.join("t.toml"))
            .unwrap()
            .replace(
                "[calls]\npath = \"calls\"\nstable_secs = 0",
                "[calls]\npath = \"calls\"\nstable_secs = 2",
            ),
    )
    .unwrap();
    let path = dir.join("calls/slow.csv");
    std::fs::write(&path, &WEEK_1[..WEEK_1.len() / 2]).unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        std::fs::write(&path, WEEK_1).unwrap();
    });
    let began = SystemTime::now();
    ok(&tidings(dir, &["--config", "t.toml", "run", "--once"]));
    writer.join().unwrap();
    assert!(began.elapsed().unwrap() >= Duration::from_secs(2));
    let calls = items(dir);
    assert_eq!(of_channel(&calls, "call").len(), 3, "the whole file, once");
    assert!(
        ok(&tidings(dir, &["--config", "t.toml", "quarantine", "list"]))
            .lines()
            .count()
            <= 1
    );
}
