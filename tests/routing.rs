//! Routing under contact arrangements, end to end against the real services: an arrangement
//! is recorded with the CLI, messages are APPENDed to Dovecot, `tidings run --once` (or the
//! daemon) routes them, and the SMTP sink shows what arrived: the forward with the original
//! attached byte for byte, complaint and safety copies, nothing for auto-replies, bounces,
//! Tidings' own forwards or staff mail, the hourly limit, header-injection attempts that
//! inject nothing, exactly-once delivery across an SMTP outage, and two daemons on one
//! PostgreSQL database sending each message once. No labelling word in any email.

#![allow(clippy::unwrap_used)]

mod common;

use common::Services;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The people of one test: unique addresses so the shared SMTP sink tells tests apart.
struct People {
    user: String,
    customer: String,
    nominated: String,
    deputy: String,
    director: String,
    complaints: String,
    safety: String,
}

impl People {
    fn new(prefix: &str) -> Self {
        let u = common::unique_name(prefix);
        Self {
            customer: format!("ann.{u}@home.example"),
            nominated: format!("nominated.{u}@fire.example"),
            deputy: format!("deputy.{u}@fire.example"),
            director: format!("director.{u}@fire.example"),
            complaints: format!("complaints.{u}@fire.example"),
            safety: format!("safety.{u}@fire.example"),
            user: u,
        }
    }
}

fn write_config(
    dir: &Path,
    s: &Services,
    store_url: &str,
    p: &People,
    smtp_port: u16,
    extra: &str,
) -> PathBuf {
    let staff = dir.join("staff.csv");
    std::fs::write(
        &staff,
        format!(
            "email,name,role,extensions,direct_dials,senior,service_area\n\
             {},Dee Rector,Director of Prevention,,,yes,Prevention\n\
             {},Nia Nominated,Station Manager,,,no,Prevention\n\
             {},Dev Deputy,Customer Contact Adviser,,,no,Prevention\n",
            p.director, p.nominated, p.deputy
        ),
    )
    .unwrap();
    let path = dir.join("tidings.toml");
    std::fs::write(
        &path,
        format!(
            r#"
[store]
url = "{store_url}"
[http]
enabled = false
[organisation]
name = "Test Fire and Rescue"
staff_domains = ["fire.example"]
staff_directory = "{staff}"
[dropfolder]
enabled = false
[calls]
enabled = false
[letters]
enabled = false
[[imap.accounts]]
name = "routing"
host = "{host}"
port = {port}
security = "plain"
username = "{user}"
password = "{password}"
idle = true
poll_interval_secs = 600
timeout_secs = 10
[digest]
enabled = false
[routing]
complaints_mailbox = "{complaints}"
{extra}
[alerts]
safety_contacts = ["{safety}"]
[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "plain"
from = "Tidings <tidings@fire.example>"
timeout_secs = 5
"#,
            staff = staff.display(),
            host = s.imap_host,
            port = s.imap_port,
            user = p.user,
            password = s.imap_password,
            complaints = p.complaints,
            safety = p.safety,
        ),
    )
    .unwrap();
    path
}

fn run(config: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tidings"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn tidings(config: &Path, args: &[&str]) -> String {
    common::succeeded(&run(config, args))
}

fn message(from: &str, subject: &str, extra_headers: &str, body: &str, id: &str) -> Vec<u8> {
    let date = chrono::Utc::now().to_rfc2822();
    format!(
        "From: {from}\r\nTo: enquiries@fire.example\r\nSubject: {subject}\r\nDate: {date}\r\n\
         Message-ID: <{id}@home.example>\r\n{extra_headers}MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// Appends the first message (so the customer exists), runs once, and records a
/// single-point-of-contact arrangement for the customer. Returns the arrangement's output.
async fn arrange(s: &Services, config: &Path, p: &People) -> String {
    let mut conn = common::imap_login(s, &p.user).await;
    conn.append(
        "INBOX",
        &message(
            &p.customer,
            "First contact",
            "",
            "Hello.",
            &format!("first-{}", p.user),
        ),
    )
    .await
    .unwrap();
    conn.logout().await.unwrap();
    tidings(config, &["run", "--once"]);
    let customers = tidings(config, &["export", "customers", "--format", "jsonl"]);
    let key = customers
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|c| c.to_string().contains(&p.customer))
        .and_then(|c| c["customer_key"].as_str().map(str::to_owned))
        .expect("the customer was created");
    let today = chrono::Utc::now().date_naive();
    let decided = (today - chrono::Days::new(5)).to_string();
    let told = (today - chrono::Days::new(1)).to_string();
    let attendees = format!("{},{}", p.director, p.nominated);
    tidings(
        config,
        &[
            "arrangements",
            "add",
            "--customer",
            &key,
            "--kind",
            "single-point-of-contact",
            "--nominated",
            &p.nominated,
            "--deputy",
            &p.deputy,
            "--authorised-by",
            &p.director,
            "--decided-on",
            &decided,
            "--attendees",
            &attendees,
            "--reasons",
            "Fourteen emails in seven days to five members of staff about one hydrant",
            "--told-on",
            &told,
        ],
    )
}

/// The body of the `message/rfc822` part of a multipart message, as sent.
fn attached_original(mail: &str) -> String {
    let at = mail.find("boundary=\"").expect("a multipart boundary") + "boundary=\"".len();
    let boundary = &mail[at..at + mail[at..].find('"').unwrap()];
    let delimiter = format!("--{boundary}");
    let part = mail
        .split(&delimiter)
        .find(|p| p.contains("Content-Type: message/rfc822"))
        .expect("a message/rfc822 part");
    let body = &part[part.find("\r\n\r\n").unwrap() + 4..];
    body.strip_suffix("\r\n").unwrap_or(body).to_owned()
}

fn headers(mail: &str) -> &str {
    &mail[..mail.find("\r\n\r\n").unwrap_or(mail.len())]
}

fn assert_no_labels(mails: &[String]) {
    for mail in mails {
        assert!(
            tidings::guard::check_free_text("email", mail).is_ok(),
            "a labelling word in: {mail}"
        );
    }
}

async fn routes_each_kind_of_message(store_url: String) {
    let s = Services::from_env();
    let p = People::new("route");
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &s, &store_url, &p, s.smtp_port, "");
    let added = arrange(&s, &config, &p).await;
    assert!(added.contains("arrangement #"), "{added}");

    let u = &p.user;
    let ordinary = message(
        &format!("Ann <{}>", p.customer),
        "Hydrant outside number 12",
        "",
        "Could someone look at the hydrant, please?",
        &format!("plain-{u}"),
    );
    let complaint = message(
        &p.customer,
        "Formal complaint",
        "",
        "I wish to make a formal complaint about the delay.",
        &format!("complaint-{u}"),
    );
    let threat = message(
        &p.customer,
        "Visit",
        "",
        "If nobody comes I'll burn your station down.",
        &format!("threat-{u}"),
    );
    let auto_reply = message(
        &p.customer,
        "Out of office",
        "Auto-Submitted: auto-replied\r\n",
        "I am away.",
        &format!("auto-{u}"),
    );
    let suppress = message(
        &p.customer,
        "Automatic reply",
        "X-Auto-Response-Suppress: All\r\n",
        "I am away.",
        &format!("suppress-{u}"),
    );
    let bounce = format!(
        "From: MAILER-DAEMON@mx.home.example\r\nTo: enquiries@fire.example\r\nSubject: Undelivered\r\n\
         Message-ID: <bounce-{u}@mx.home.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nDelivery to {} failed.\r\n--b--\r\n",
        p.customer
    )
    .into_bytes();
    let own_forward = message(
        &p.customer,
        "Fwd: Hydrant",
        "X-Loop: tidings@fire.example\r\n",
        "Looped back.",
        &format!("loop-{u}"),
    );
    let staff_mail = message(
        &format!("Colleague <colleague.{u}@fire.example>"),
        "Internal",
        "",
        "A note between colleagues.",
        &format!("staff-{u}"),
    );
    let evil = format!("evil.{u}@evil.example");
    let injected = message(
        &format!(
            "=?utf-8?q?Ann=0D=0ABcc=3A_{}?= <{}>",
            evil.replace('@', "=40").replace('.', "=2E"),
            p.customer
        ),
        &format!(
            "=?utf-8?q?Help=0D=0ABcc=3A_{}?=",
            evil.replace('@', "=40").replace('.', "=2E")
        ),
        &format!(
            "Reply-To: =?utf-8?q?x=0D=0ABcc=3A_{}?= <{}>\r\n",
            evil.replace('@', "=40").replace('.', "=2E"),
            p.customer
        ),
        "Please reply.",
        &format!("inject-{u}"),
    );
    let mut conn = common::imap_login(&s, &p.user).await;
    for m in [
        &ordinary,
        &complaint,
        &threat,
        &auto_reply,
        &suppress,
        &bounce,
        &own_forward,
        &staff_mail,
        &injected,
    ] {
        conn.append("INBOX", m).await.unwrap();
    }
    conn.logout().await.unwrap();
    let out = tidings(&config, &["run", "--once"]);
    assert!(out.contains("routing: "), "{out}");

    let forwards = common::smtp_messages_for(&s.smtp_dir, &p.nominated);
    // The ordinary message, the complaint, the threat and the injection attempt.
    assert_eq!(forwards.len(), 4, "{forwards:#?}");
    let plain = forwards
        .iter()
        .find(|m| m.contains("Subject: Fwd: Hydrant outside number 12"))
        .expect("the ordinary message was forwarded");
    assert!(
        plain.contains("Forwarded under contact arrangement #"),
        "{plain}"
    );
    assert!(plain.contains(", review due "), "{plain}");
    assert!(headers(plain).contains("Auto-Submitted: auto-generated"));
    assert!(headers(plain).contains("X-Loop: tidings@fire.example"));
    assert!(headers(plain).contains("Message-ID: <route-"));
    assert_eq!(
        attached_original(plain).as_bytes(),
        &ordinary[..],
        "the original is attached byte for byte"
    );

    let complaints = common::smtp_messages_for(&s.smtp_dir, &p.complaints);
    assert_eq!(complaints.len(), 1, "{complaints:#?}");
    assert!(
        complaints[0].contains("Copied for the complaints procedure under contact arrangement #")
    );
    // The safety contacts get the flag stage's alert (for every customer) and, because this
    // customer is under an arrangement, a copy of the message itself.
    let safety = common::smtp_messages_for(&s.smtp_dir, &p.safety);
    assert_eq!(safety.len(), 2, "{safety:#?}");
    let copy = safety
        .iter()
        .find(|m| m.contains("Copied for the health and safety procedure"))
        .unwrap_or_else(|| panic!("no copy of the message: {safety:#?}"));
    assert!(attached_original(copy).contains("burn your station down"));
    assert!(
        safety.iter().any(|m| m.contains("safety alert")),
        "{safety:#?}"
    );

    // Header injection: the subject and names are flattened; nothing reaches the address.
    assert!(common::smtp_messages_for(&s.smtp_dir, &evil).is_empty());
    let injected_forward = forwards
        .iter()
        .find(|m| m.contains(&format!("inject-{u}@home.example")))
        .expect("the injection attempt was forwarded, defused");
    for line in headers(injected_forward).lines() {
        assert!(!line.to_ascii_lowercase().starts_with("bcc:"), "{line}");
    }

    let decisions = tidings(&config, &["routing", "list"]);
    for reason in ["nominated", "own-mail", "auto-reply"] {
        assert!(decisions.contains(reason), "{reason} in {decisions}");
    }
    let every = tidings(&config, &["routing", "list", "--all"]);
    assert!(every.contains("no-customer"), "{every}");
    assert!(common::smtp_messages_for(&s.smtp_dir, &p.deputy).is_empty());
    let mut all = forwards.clone();
    all.extend(complaints);
    all.extend(safety);
    assert_no_labels(&all);

    // A second run decides and sends nothing again.
    tidings(&config, &["run", "--once"]);
    assert_eq!(
        common::smtp_messages_for(&s.smtp_dir, &p.nominated).len(),
        4
    );
    let outbox = tidings(&config, &["outbox", "list", "--state", "sent"]);
    assert!(outbox.contains("forward"), "{outbox}");
}

#[tokio::test]
async fn routes_each_kind_of_message_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    routes_each_kind_of_message(format!("sqlite://{}/t.db", dir.path().display())).await;
}

#[tokio::test]
async fn routes_each_kind_of_message_on_postgres() {
    let s = Services::from_env();
    routes_each_kind_of_message(common::fresh_pg_database(&s.pg_admin_url).await).await;
}

#[tokio::test]
async fn the_deputy_receives_forwards_while_the_nominated_person_is_absent() {
    let s = Services::from_env();
    let p = People::new("deputy");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let config = write_config(dir.path(), &s, &url, &p, s.smtp_port, "");
    arrange(&s, &config, &p).await;
    let until = (chrono::Utc::now().date_naive() + chrono::Days::new(7)).to_string();
    tidings(
        &config,
        &["staff", "absent", &p.nominated, "--until", &until],
    );
    let mut conn = common::imap_login(&s, &p.user).await;
    conn.append(
        "INBOX",
        &message(
            &p.customer,
            "While away",
            "",
            "Hello again.",
            &format!("away-{}", p.user),
        ),
    )
    .await
    .unwrap();
    conn.logout().await.unwrap();
    tidings(&config, &["run", "--once"]);
    assert_eq!(common::smtp_messages_for(&s.smtp_dir, &p.deputy).len(), 1);
    assert!(common::smtp_messages_for(&s.smtp_dir, &p.nominated).is_empty());
    assert!(tidings(&config, &["routing", "list"]).contains("deputy-while-absent"));
}

#[tokio::test]
async fn forwards_stop_at_the_hourly_limit() {
    let s = Services::from_env();
    let p = People::new("limit");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let config = write_config(
        dir.path(),
        &s,
        &url,
        &p,
        s.smtp_port,
        "max_forwards_per_hour = 3",
    );
    arrange(&s, &config, &p).await;
    let mut conn = common::imap_login(&s, &p.user).await;
    for n in 0..5 {
        conn.append(
            "INBOX",
            &message(
                &p.customer,
                &format!("Update {n}"),
                "",
                "More news.",
                &format!("limit-{n}-{}", p.user),
            ),
        )
        .await
        .unwrap();
    }
    conn.logout().await.unwrap();
    tidings(&config, &["run", "--once"]);
    assert_eq!(
        common::smtp_messages_for(&s.smtp_dir, &p.nominated).len(),
        3
    );
    let decisions = tidings(&config, &["routing", "list"]);
    assert_eq!(decisions.matches("rate-limit").count(), 2, "{decisions}");
}

#[tokio::test]
async fn a_forward_is_delivered_exactly_once_after_an_smtp_outage() {
    let s = Services::from_env();
    let p = People::new("outage");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let config = write_config(dir.path(), &s, &url, &p, s.smtp_port, "");
    arrange(&s, &config, &p).await;
    // The same store with SMTP down: a port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down_port = closed.local_addr().unwrap().port();
    drop(closed);
    let down_dir = dir.path().join("down");
    std::fs::create_dir_all(&down_dir).unwrap();
    let down = write_config(&down_dir, &s, &url, &p, down_port, "");
    let mut conn = common::imap_login(&s, &p.user).await;
    conn.append(
        "INBOX",
        &message(
            &p.customer,
            "During the outage",
            "",
            "Hello.",
            &format!("outage-{}", p.user),
        ),
    )
    .await
    .unwrap();
    conn.logout().await.unwrap();
    let failed = run(&down, &["run", "--once"]);
    assert!(
        !failed.status.success(),
        "SMTP is down: run --once reports it"
    );
    assert!(String::from_utf8_lossy(&failed.stderr).contains("retried"));
    let pending = tidings(&config, &["outbox", "list", "--state", "pending"]);
    assert!(pending.contains("attempts 1"), "{pending}");
    // Back after the first backoff (30 s): delivered once, and only once.
    std::thread::sleep(Duration::from_secs(31));
    tidings(&config, &["run", "--once"]);
    tidings(&config, &["run", "--once"]);
    assert_eq!(
        common::smtp_messages_for(&s.smtp_dir, &p.nominated).len(),
        1
    );
}

#[tokio::test]
async fn two_daemons_on_one_postgres_database_forward_each_message_once() {
    let s = Services::from_env();
    let p = People::new("twodaemons");
    let url = common::fresh_pg_database(&s.pg_admin_url).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &s, &url, &p, s.smtp_port, "");
    arrange(&s, &config, &p).await;
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_tidings"))
            .arg("--config")
            .arg(&config)
            .arg("run")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut daemons = [spawn(), spawn()];
    std::thread::sleep(Duration::from_secs(3));
    let mut conn = common::imap_login(&s, &p.user).await;
    const N: usize = 8;
    for n in 0..N {
        conn.append(
            "INBOX",
            &message(
                &p.customer,
                &format!("Message {n}"),
                "",
                "Hello.",
                &format!("two-{n}-{}", p.user),
            ),
        )
        .await
        .unwrap();
    }
    conn.logout().await.unwrap();
    common::wait_for("every forward", Duration::from_secs(60), || {
        common::smtp_messages_for(&s.smtp_dir, &p.nominated).len() >= N
    });
    std::thread::sleep(Duration::from_secs(3));
    for d in &mut daemons {
        let _ = Command::new("kill")
            .args(["-TERM", &d.id().to_string()])
            .status();
        let _ = d.wait();
    }
    let forwards = common::smtp_messages_for(&s.smtp_dir, &p.nominated);
    assert_eq!(forwards.len(), N, "each message forwarded once");
    let ids: std::collections::HashSet<&str> = forwards
        .iter()
        .filter_map(|m| m.lines().find(|l| l.starts_with("Message-ID:")))
        .collect();
    assert_eq!(ids.len(), N);
}

#[tokio::test]
async fn arrangements_are_listed_renewed_and_ended_with_their_history() {
    let s = Services::from_env();
    let p = People::new("lifecycle");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let config = write_config(dir.path(), &s, &url, &p, s.smtp_port, "");
    arrange(&s, &config, &p).await;
    let jsonl = tidings(&config, &["arrangements", "list", "--format", "jsonl"]);
    let row: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(row["kind"], "single-point-of-contact");
    assert_eq!(row["status"], "active");
    assert_eq!(row["nominated"], p.nominated.as_str());
    assert_eq!(row["attendees"].as_array().unwrap().len(), 2);
    let csv = tidings(&config, &["arrangements", "list", "--format", "csv"]);
    assert!(csv.starts_with("id,customer_key,kind,status,"), "{csv}");

    // Only a director renews, and reasons must describe behaviour.
    let refused = run(
        &config,
        &[
            "arrangements",
            "renew",
            "1",
            "--authorised-by",
            &p.nominated,
            "--reasons",
            "Contact is weekly now",
        ],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a director"));
    let labelled = run(
        &config,
        &[
            "arrangements",
            "renew",
            "1",
            "--authorised-by",
            &p.director,
            "--reasons",
            "The customer is vexatious",
        ],
    );
    assert!(!labelled.status.success());
    assert!(String::from_utf8_lossy(&labelled.stderr).contains("Describe the behaviour"));
    tidings(
        &config,
        &[
            "arrangements",
            "renew",
            "1",
            "--authorised-by",
            &p.director,
            "--reasons",
            "Contact is now weekly and on one topic",
        ],
    );
    tidings(
        &config,
        &[
            "arrangements",
            "end",
            "1",
            "--by",
            &p.director,
            "--reasons",
            "The hydrant was replaced and contact stopped",
        ],
    );
    let shown = tidings(&config, &["arrangements", "show", "1"]);
    assert!(shown.contains("(ended)"), "{shown}");
    for action in ["added", "renewed", "ended"] {
        assert!(
            shown.contains(&format!(" {action} by ")),
            "{action} in {shown}"
        );
    }
    // Ended: mail is no longer forwarded.
    let mut conn = common::imap_login(&s, &p.user).await;
    conn.append(
        "INBOX",
        &message(
            &p.customer,
            "After the end",
            "",
            "Hello.",
            &format!("ended-{}", p.user),
        ),
    )
    .await
    .unwrap();
    conn.logout().await.unwrap();
    tidings(&config, &["run", "--once"]);
    assert!(common::smtp_messages_for(&s.smtp_dir, &p.nominated).is_empty());
}
