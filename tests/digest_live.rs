//! The running daemon sends the digest on its cron schedule through the real SMTP sink, once
//! per period: stopped (SIGTERM) and started again at the scheduled time, no period is sent
//! twice and the schedule carries on.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn start(config: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tidings"))
        .arg("--config")
        .arg(config)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn message_ids(messages: &[String]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("Message-ID: "))
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn the_digest_goes_once_per_period_across_a_restart() {
    let s = common::Services::from_env();
    let manager = format!("{}@fire.example", common::unique_name("digest"));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("t.toml");
    std::fs::create_dir_all(dir.path().join("drop")).unwrap();
    std::fs::write(
        dir.path().join("drop/m1.eml"),
        "From: Ann <ann@home.example>\r\nTo: desk@fire.example\r\nSubject: Alarm\r\nMessage-ID: <d1@home.example>\r\n\r\nIt beeps.\r\n",
    )
    .unwrap();
    std::fs::write(
        &config,
        format!(
            "[store]\nurl = \"sqlite://{}/t.db\"\n[http]\nenabled = false\n\
             [organisation]\nname = \"Test Fire and Rescue\"\nstaff_domains = [\"fire.example\"]\n\
             [dropfolder]\npath = \"{}\"\nstable_secs = 0\n[calls]\nenabled = false\n[letters]\nenabled = false\n\
             [digest]\nschedule = \"*/10 * * * * *\"\nrecipients = [{{ name = \"Service Manager\", email = \"{manager}\" }}]\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"plain\"\nfrom = \"Tidings <tidings@fire.example>\"\n",
            dir.path().display(),
            dir.path().join("drop").display(),
            s.smtp_port
        ),
    )
    .unwrap();
    let digests = || common::smtp_messages_for(&s.smtp_dir, &manager);

    // The latest due period goes out as soon as the daemon starts.
    let daemon = start(&config);
    common::wait_for("the first digest", Duration::from_secs(30), || {
        !digests().is_empty()
    });
    common::stop_with_sigterm(daemon);
    let before = digests().len();

    // Started again: the period already sent is not sent again; the next one is.
    let daemon = start(&config);
    common::wait_for(
        "a digest after the restart",
        Duration::from_secs(40),
        || digests().len() > before,
    );
    common::stop_with_sigterm(daemon);

    let all = digests();
    let ids = message_ids(&all);
    assert_eq!(ids.len(), all.len(), "every digest has a Message-ID");
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no period sent twice: {ids:#?}");
    assert!(all.iter().all(|m| m.contains("Test Fire and Rescue")));
    for m in &all {
        tidings::guard::check_free_text("digest", m).unwrap();
    }
}
