//! Call-log parsing: the behaviours every preset shares. Per-preset examples live in the
//! golden files (`tests/fixtures/calls/`).

use super::*;
use crate::domain::{CallResult, Details, Direction, Identifier, PartyRole};

fn parse(text: &str, choice: FormatChoice) -> CallLog {
    parse_call_log(
        text.as_bytes(),
        "calls.csv",
        choice,
        &CallContext::default(),
    )
    .expect("the file is readable")
}

fn only_call(log: &CallLog) -> &ParsedCall {
    assert_eq!(log.rows.len(), 1, "{:?}", log.rows);
    log.rows[0].as_ref().expect("the row parses")
}

fn details(call: &ParsedCall) -> &crate::domain::CallDetails {
    match &call.record.details {
        Details::Call(d) => d,
        other => panic!("not call details: {other:?}"),
    }
}

const ASTERISK_ROW: &str = "\"\",\"01514960123\",\"2101\",\"from-pstn\",\"\"\"Sam Example\"\" <01514960123>\",\"PJSIP/trunk-00000001\",\"PJSIP/2101-00000002\",\"Dial\",\"PJSIP/2101\",\"2025-07-01 10:00:00\",\"2025-07-01 10:00:05\",\"2025-07-01 10:02:05\",\"125\",\"120\",\"ANSWERED\",\"DOCUMENTATION\",\"1751360400.1\",\"/var/spool/asterisk/monitor/1751360400.1.wav\"\n";

#[test]
fn format_names_parse_from_the_cli() {
    assert_eq!("auto".parse::<FormatChoice>(), Ok(FormatChoice::Auto));
    assert_eq!("3CX".parse::<FormatChoice>(), Ok(FormatChoice::ThreeCx));
    assert_eq!("Teams".parse::<FormatChoice>(), Ok(FormatChoice::Teams));
    assert_eq!(
        "mitel".parse::<FormatChoice>(),
        Ok(FormatChoice::Custom("mitel".into()))
    );
    assert_eq!("".parse::<FormatChoice>(), Err(CallLogError::NoFormatName));
    assert_eq!(FormatChoice::ThreeCx.to_string(), "3cx");
}

#[test]
fn an_asterisk_row_becomes_an_inbound_call_handled_by_the_answering_extension() {
    let log = parse(ASTERISK_ROW, FormatChoice::Auto);
    assert_eq!(log.format, "asterisk");
    let call = only_call(&log);
    let r = &call.record;
    assert_eq!(r.item_ref, "1751360400.1");
    assert_eq!(r.occurred_at, 1_751_360_400, "10:00 BST is 09:00 UTC");
    assert_eq!(r.direction, Direction::Inbound);
    assert_eq!(r.parties[0].role, PartyRole::Caller);
    assert_eq!(r.parties[0].name.as_deref(), Some("Sam Example"));
    assert_eq!(
        r.parties[0].phone().map(|p| p.as_str()),
        Some("+441514960123")
    );
    assert_eq!(r.parties[2].role, PartyRole::Handler);
    assert_eq!(
        r.parties[2].identifiers,
        vec![Identifier::Extension("2101".into())]
    );
    let d = details(call);
    assert_eq!(d.result, CallResult::Answered);
    assert_eq!(d.duration_secs, 120, "talk time is billsec");
    assert_eq!(
        r.evidence,
        vec![crate::domain::EvidenceRef::Recording(
            "/var/spool/asterisk/monitor/1751360400.1.wav".into()
        )]
    );
}

#[test]
fn asterisk_gmt_reads_times_as_utc() {
    let ctx = CallContext {
        asterisk_gmt: true,
        ..CallContext::default()
    };
    let log = parse_call_log(
        ASTERISK_ROW.as_bytes(),
        "Master.csv",
        FormatChoice::Asterisk,
        &ctx,
    )
    .expect("readable");
    assert_eq!(only_call(&log).record.occurred_at, 1_751_364_000);
}

#[test]
fn own_numbers_are_the_organisation_side_and_make_the_call_outbound() {
    let ctx = CallContext {
        own_numbers: vec![PhoneNumber::parse("0151 496 0000", "GB").expect("valid")],
        ..CallContext::default()
    };
    let text = "start,caller,called\n2025-01-15 10:00:00,0151 496 0000,0113 496 0123\n";
    let log =
        parse_call_log(text.as_bytes(), "x.csv", FormatChoice::Export, &ctx).expect("readable");
    let r = &only_call(&log).record;
    assert_eq!(r.direction, Direction::Outbound);
    assert_eq!(
        r.parties[0].phone(),
        None,
        "an own line is not linkable as a customer"
    );
    assert_eq!(
        r.parties[0].identifiers,
        vec![Identifier::Role("own line +441514960000".into())]
    );
}

#[test]
fn without_a_call_id_the_item_ref_is_file_and_row() {
    let log = parse(
        "start,caller,called\n2025-01-15 10:00,07700 900123,2101\n2025-01-15 10:05,07700 900124,2101\n",
        FormatChoice::Export,
    );
    let second = log.rows[1].as_ref().expect("parses");
    assert_eq!(second.row, 2);
    assert_eq!(second.record.item_ref, "calls.csv#2");
}

#[test]
fn fingerprints_tell_rows_apart_and_repeat_for_the_same_row() {
    let text = "start,caller,called,extension\n\
        2025-01-15 10:00,07700 900123,2101,2101\n\
        2025-01-15 10:00,07700 900123,2102,2102\n";
    let a = parse(text, FormatChoice::Export);
    let b = parse(text, FormatChoice::Export);
    let fp = |log: &CallLog, i: usize| log.rows[i].as_ref().expect("parses").fingerprint.clone();
    assert_ne!(fp(&a, 0), fp(&a, 1));
    assert_eq!(fp(&a, 0), fp(&b, 0));
    assert_eq!(fp(&a, 0).len(), 64);
}

#[test]
fn one_bad_row_is_reported_and_the_rest_import() {
    let log = parse(
        "Call ID,Start,From,To\n\
         c1,2025-01-15 10:00,07700 900123,2101\n\
         c2,31/02/2025 25:00,07700 900123,2101\n\
         c3,2025-01-15 10:10,07700 900123,2101\n",
        FormatChoice::Export,
    );
    assert!(log.rows[0].is_ok() && log.rows[2].is_ok());
    let err = log.rows[1].as_ref().expect_err("bad time");
    assert_eq!(
        err.to_string(),
        "row 2: column `Start` \"31/02/2025 25:00\" is not a time (write YYYY-MM-DD HH:MM[:SS], DD/MM/YYYY HH:MM[:SS] or ISO 8601 such as 2025-07-01T09:00:00Z)"
    );
}

#[test]
fn an_unknown_file_names_the_presets_and_the_mapping_option() {
    let err = parse_call_log(
        b"colour,shape\nred,round\n",
        "x.csv",
        FormatChoice::Auto,
        &CallContext::default(),
    )
    .expect_err("unknown");
    let msg = err.to_string();
    assert!(msg.contains("--format asterisk|export|teams|3cx"), "{msg}");
    assert!(msg.contains("[[calls.formats]]"), "{msg}");
}

#[test]
fn an_unknown_custom_name_lists_the_configured_ones() {
    let err = parse_call_log(
        b"a,b\n",
        "x.csv",
        FormatChoice::Custom("mitel".into()),
        &CallContext::default(),
    )
    .expect_err("no such format");
    assert!(err.to_string().contains("(none configured)"), "{err}");
}

#[test]
fn no_input_makes_the_parser_panic() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let pieces: [&[u8]; 12] = [
        b",",
        b"\n",
        b"\"",
        b"2025-07-01 10:00:00",
        b"0151 496 0123",
        b"2101",
        b"\xff\xfe",
        b"ANSWERED",
        b"start,caller,called\n",
        b"UsageId,Call type,UPN\n",
        b"historyid,time-start,from-no\n",
        b"\r\n",
    ];
    for _ in 0..400 {
        let mut bytes = Vec::new();
        for _ in 0..(seed % 40) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            bytes.extend_from_slice(pieces[(seed % 12) as usize]);
        }
        for choice in [
            FormatChoice::Auto,
            FormatChoice::Asterisk,
            FormatChoice::Export,
            FormatChoice::Teams,
            FormatChoice::ThreeCx,
        ] {
            let _ = parse_call_log(&bytes, "fuzz.csv", choice, &CallContext::default());
        }
    }
}

#[test]
fn a_generated_100k_row_file_parses() {
    use std::fmt::Write;
    let mut text = String::from("Call ID,Start Time,Direction,From,To,Extension,Duration,Result\n");
    for i in 0..100_000u32 {
        let _ = writeln!(
            text,
            "c{i},2025-07-01 {:02}:{:02}:{:02},inbound,0151 496 {:04},{},{},{}:{:02},answered",
            (i / 3600) % 24,
            (i / 60) % 60,
            i % 60,
            i % 1000,
            2000 + i % 50,
            2000 + i % 50,
            i % 10,
            i % 60
        );
    }
    let log = parse(&text, FormatChoice::Auto);
    assert_eq!(log.format, "export");
    assert_eq!(log.rows.len(), 100_000);
    assert!(log.rows.iter().all(Result::is_ok));
    let fingerprints: std::collections::HashSet<&str> = log
        .rows
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|c| c.fingerprint.as_str())
        .collect();
    assert_eq!(
        fingerprints.len(),
        100_000,
        "no two rows share a fingerprint"
    );
}

#[test]
fn a_semicolon_file_without_a_mapping_is_told_about_delimiter() {
    let err = parse_call_log(
        b"Start;Caller;Called\n2025-01-15 10:00;07700 900123;2101\n",
        "x.csv",
        FormatChoice::Auto,
        &CallContext::default(),
    )
    .expect_err("not comma-separated");
    assert!(err.to_string().contains("`delimiter`"), "{err}");
}
