//! `tidings bench idle --smtp-port PORT [--safety]`: the whole daemon in this process (IMAP
//! IDLE, the link, routing and flag stages, the outbox), and the time from APPEND to the
//! outbound message accepted by the SMTP server (its outbox row marked sent), message after
//! message: the forward to the nominated person for a customer under a single-point-of-contact
//! arrangement, or with `--safety` the safety alert for a threat from any customer.

use super::{setup, BenchError};
use crate::arrangements::{ArrangementKind, NewArrangement};
use crate::daemon::App;
use crate::domain::EmailAddress;
use crate::ingest::imap::client::{Credentials, Endpoint, ImapConnection};
use crate::store::{OutboxState, Store};
use std::time::{Duration, Instant};

const CUSTOMER: &str = "routed.customer@home.example";

fn mail(n: usize, now: i64, safety: bool) -> Vec<u8> {
    let date = chrono::DateTime::from_timestamp(now, 0)
        .map(|d| d.to_rfc2822())
        .unwrap_or_default();
    let text = if safety && n > 0 {
        "If nobody fixes the hydrant I will burn your station down."
    } else {
        "The hydrant outside number 12 is still leaking."
    };
    format!(
        "From: Robin Routed <{CUSTOMER}>\r\nTo: enquiries@example.org\r\nSubject: Hydrant update {n}\r\n\
         Date: {date}\r\nMessage-ID: <route-bench-{n}-{now}@home.example>\r\n\r\n\
         {text} Message {n}.\r\n"
    )
    .into_bytes()
}

async fn sent(store: &Store, purpose: &str) -> Result<usize, BenchError> {
    Ok(store
        .outbox_list(Some(OutboxState::Sent), 100_000)
        .await
        .map_err(setup)?
        .iter()
        .filter(|m| m.purpose == purpose)
        .count())
}

/// Fails the benchmark when `started` is more than a minute ago.
fn deadline(started: Instant, what: &str) -> Result<(), BenchError> {
    if started.elapsed() > Duration::from_secs(60) {
        return Err(BenchError::Run(format!(
            "{what} did not happen within 60 s"
        )));
    }
    Ok(())
}

async fn pause() {
    tokio::time::sleep(Duration::from_millis(5)).await;
}

/// Runs the routing latency benchmark and prints p50, p95 and max.
pub async fn idle_route(
    args: &crate::cli::IdleBenchArgs,
    smtp_port: u16,
) -> Result<(), BenchError> {
    let dir = tempfile::tempdir().map_err(setup)?;
    let path = dir.path().join("tidings.toml");
    std::fs::write(
        &path,
        format!(
            "[store]\nurl = \"sqlite://{db}/bench.db\"\n[http]\nenabled = false\n[dropfolder]\nenabled = false\n\
             [calls]\nenabled = false\n[letters]\nenabled = false\n[digest]\nenabled = false\n\
             [organisation]\nstaff_domains = [\"example.org\"]\n[routing]\nmax_forwards_per_hour = 1000000\n\
             [alerts]\nsafety_contacts = [\"health.safety@example.org\"]\n\
             [[imap.accounts]]\nname = \"idle-route\"\nhost = \"{host}\"\nport = {port}\nsecurity = \"plain\"\n\
             username = \"{user}\"\npassword = \"{password}\"\nidle = true\npoll_interval_secs = 600\n\
             [smtp]\nhost = \"{host}\"\nport = {smtp_port}\nsecurity = \"plain\"\nfrom = \"Tidings <tidings@example.org>\"\n",
            db = dir.path().display(),
            host = args.host,
            port = args.port,
            user = args.user,
            password = args.password,
        ),
    )
    .map_err(setup)?;
    let config = crate::config::load(Some(&path), std::iter::empty()).map_err(setup)?;
    let app = App::build(config).await.map_err(setup)?;
    let store = app.store().clone();
    let cancel = tokio_util::sync::CancellationToken::new();
    let daemon = {
        let app = app.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move { app.run(cancel).await })
    };
    let endpoint = Endpoint {
        account: args.user.clone(),
        host: args.host.clone(),
        port: args.port,
        security: crate::ingest::imap::config::Security::Plain,
        ca_file: None,
        timeout: Duration::from_secs(60),
    };
    let credentials = Credentials::Password {
        user: args.user.clone(),
        password: crate::config::Secret::new(args.password.clone()),
    };
    let mut conn = ImapConnection::connect(&endpoint, &credentials)
        .await
        .map_err(setup)?;
    let source = crate::ingest::imap::source::source_name("idle-route", "INBOX");
    let started = Instant::now();
    while store.checkpoint(&source).await.map_err(setup)?.is_none() {
        deadline(started, "the first sync")?;
        pause().await;
    }

    // The customer writes once, then a case conference records the arrangement.
    let now = chrono::Utc::now().timestamp();
    conn.append("INBOX", &mail(0, now, args.safety))
        .await
        .map_err(setup)?;
    let started = Instant::now();
    let key = loop {
        let found = store
            .export_customers()
            .await
            .map_err(setup)?
            .into_iter()
            .find(|c| c.identifiers.iter().any(|i| i.contains(CUSTOMER)));
        if let Some(customer) = found {
            break customer.customer_key;
        }
        deadline(started, "the first message")?;
        pause().await;
    };
    let staff = EmailAddress::parse("nominated@example.org").map_err(setup)?;
    let today = chrono::Utc::now().date_naive();
    let arrangement = NewArrangement {
        kind: ArrangementKind::SinglePointOfContact,
        nominated: Some(staff.clone()),
        deputy: None,
        frequency_days: None,
        service_areas: Vec::new(),
        decided_on: today,
        attendees: vec![staff.clone()],
        authorised_by: staff,
        reasons: "Benchmark arrangement".to_owned(),
        told_on: today,
        review_on: crate::arrangements::default_review(today),
    };
    if !args.safety {
        store
            .add_arrangement(&key, &arrangement)
            .await
            .map_err(setup)?
            .ok_or_else(|| BenchError::Setup("the customer was not stored".into()))?;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (purpose, what) = if args.safety {
        ("safety-alert", "safety alert")
    } else {
        ("forward", "forward")
    };

    let mut latencies = Vec::with_capacity(args.samples);
    for n in 1..=args.samples {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = sent(&store, purpose).await?;
        let started = Instant::now();
        conn.append(
            "INBOX",
            &mail(n, chrono::Utc::now().timestamp(), args.safety),
        )
        .await
        .map_err(setup)?;
        while sent(&store, purpose).await? <= before {
            deadline(started, what)?;
            pause().await;
        }
        latencies.push(started.elapsed().as_secs_f64());
    }
    cancel.cancel();
    let _ = daemon.await;
    let _ = conn.logout().await;
    latencies.sort_by(f64::total_cmp);
    let at = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
    println!(
        "bench idle: {} messages, APPEND → {what} accepted by SMTP: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        latencies.len(),
        at(0.5) * 1000.0,
        at(0.95) * 1000.0,
        at(1.0) * 1000.0
    );
    Ok(())
}
