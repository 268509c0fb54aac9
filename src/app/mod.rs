//! The binary's edge: parse the command line, load config, start telemetry and the runtime,
//! run the command, and turn any error into one line on stderr and a non-zero exit code.

mod arrangements;
mod channels;
mod flags;
mod links;

use crate::cli::{
    BenchCommand, Cli, Command, ConfigCommand, DigestCommand, ImportCommand, QuarantineCommand,
};
use crate::config::{self, Config};
use crate::daemon::{self, App};
use crate::ingest::archive;
use crate::ingest::imap::client::SinceDate;
use crate::store::{EntryOutcome, PartOutcome, QuarantineState, Store};
use anyhow::{bail, Context};
use clap::Parser;
use std::process::ExitCode;

/// Entry point of the `tidings` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match config::load(cli.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tidings: {e}");
            return ExitCode::from(2);
        }
    };
    crate::telemetry::init(&config.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tidings: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(execute(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tidings: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each cause once: a message that already quotes its
/// source (`cannot open …: {source}; check …`) is not followed by that source again.
fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string().replace('\n', " ");
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

/// Runs one command with a loaded configuration.
pub async fn execute(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Run { once, demo, since } => run(config, once, demo, since).await,
        Command::Migrate => {
            Store::open(&config.store.url).await?;
            println!(
                "migrations applied to {}",
                crate::store::redact(&config.store.url)
            );
            Ok(())
        }
        Command::Config {
            what: ConfigCommand::Check,
        } => {
            println!(
                "config ok: store {}",
                crate::store::redact(&config.store.url)
            );
            println!(
                "drop folder: {} ({})",
                config.dropfolder.path.display(),
                if config.dropfolder.enabled {
                    "enabled"
                } else {
                    "disabled"
                }
            );
            for (what, path, enabled) in [
                ("call logs", &config.calls.path, config.calls.enabled),
                ("letters", &config.letters.path, config.letters.enabled),
            ] {
                println!(
                    "{what}: {} ({})",
                    path.display(),
                    if enabled { "enabled" } else { "disabled" }
                );
            }
            for a in &config.imap.accounts {
                let folders: Vec<&str> = a.folders.iter().map(|f| f.name.as_str()).collect();
                println!(
                    "imap account {}: {}:{} folders {}",
                    a.name,
                    a.host,
                    a.port(),
                    folders.join(", ")
                );
            }
            println!(
                "digest: schedule {:?}, {} recipient(s), smtp {}",
                config.digest.schedule,
                config.digest.recipients.len(),
                if config.smtp.is_some() {
                    "configured"
                } else {
                    "not configured"
                }
            );
            for warning in config::warnings(&config) {
                eprintln!("tidings: warning: {warning}");
            }
            Ok(())
        }
        Command::Import { what } => import(config, what).await,
        Command::Digest { what } => digest(config, what).await,
        Command::Export { what, format } => {
            let store = Store::open_existing(&config.store.url).await?;
            crate::export::export(
                &store,
                what,
                format,
                &config.organisation.webmail_domains,
                std::io::stdout().lock(),
            )
            .await?;
            Ok(())
        }
        Command::Flags { what } => flags::execute(config, what).await,
        Command::Quarantine { what } => quarantine(config, what).await,
        Command::Status => status(config).await,
        Command::Note { what } => channels::note(config, what).await,
        Command::Items { what } => channels::items(config, what).await,
        Command::Customers { what } => channels::customers(config, what).await,
        Command::Arrangements { what } => arrangements::arrangements(config, what).await,
        Command::Staff { what } => arrangements::staff(config, what).await,
        Command::Routing { what } => arrangements::routing(config, what).await,
        Command::Outbox { what } => arrangements::outbox(config, what).await,
        Command::Links { what } => links::links(config, what).await,
        Command::Bench { what } => bench(what).await,
        Command::Eval { what } => crate::eval::execute(config, what).await,
    }
}

async fn run(
    mut config: Config,
    once: bool,
    demo: bool,
    since: Option<SinceDate>,
) -> anyhow::Result<()> {
    for account in &mut config.imap.accounts {
        account.since = since.or(account.since); // `--since` overrides each account's `since`
    }
    if demo {
        seed_demo(&config)?;
    }
    let app = if once {
        App::build(config).await?
    } else {
        build_with_retry(config).await?
    };
    if once {
        let r = app.run_once().await?;
        println!(
            "stored {} new item(s), {} already known, {} quarantined; {} flag(s) raised, {} refreshed, {} safety alert(s) queued; digest {}; {} message(s) sent",
            r.ingested.stored, r.ingested.duplicates, r.ingested.quarantined, r.flags.raised + r.flags.item_flags,
            r.flags.refreshed, r.flags.alerts,
            r.digest_period.as_deref().unwrap_or("not due"), r.delivery.sent
        );
        println!(
            "routing: {} decision(s), {} forwarded, {} copied only; {} reminder(s) enqueued",
            r.routing.decided,
            r.routing.routed,
            r.routing.copied,
            r.reminders.reviews + r.reminders.proactive + r.reminders.rollups
        );
        return Ok(());
    }
    if demo {
        let listen = &app.config().http.listen;
        tracing::info!("Demo: sample inbox placed in {}. Try: `tidings export items`, `tidings export flags`, `tidings digest preview`, http://{listen}/metrics", app.config().dropfolder.path.display());
    }
    app.run(daemon::shutdown_token()).await?;
    Ok(())
}

/// Builds the app, retrying with backoff (5 s doubling to 5 min) while the database is
/// unreachable, as a daemon started before its database should.
async fn build_with_retry(config: Config) -> anyhow::Result<App> {
    let mut backoff = std::time::Duration::from_secs(5);
    loop {
        match App::build(config.clone()).await {
            Ok(app) => return Ok(app),
            Err(daemon::DaemonError::Store(e)) if e.is_transient() => {
                tracing::error!(
                    "Cannot open the store: {e}; retrying in {} s.",
                    backoff.as_secs()
                );
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(std::time::Duration::from_secs(300));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Writes the bundled sample inbox into the drop folder when it holds no `.eml` yet.
fn seed_demo(config: &Config) -> anyhow::Result<()> {
    for folder in [
        &config.dropfolder.path,
        &config.calls.path,
        &config.letters.path,
    ] {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating the demo folder {}", folder.display()))?;
    }
    let folder = &config.dropfolder.path;
    if folder.join("processed").exists() {
        return Ok(()); // the demo ran before; its mail is already in the log
    }
    let now = chrono::Utc::now().timestamp();
    for m in crate::sample::demo_inbox(now) {
        std::fs::write(folder.join(&m.file_name), &m.bytes)
            .with_context(|| format!("writing the demo inbox to {}", folder.display()))?;
    }
    let calls = config.calls.path.join("demo-calls.csv");
    std::fs::write(&calls, crate::sample::call_log(40, now, 7))
        .with_context(|| format!("writing the demo call log {}", calls.display()))?;
    // Written with an old time so `run --once --demo` reads them without waiting to settle.
    let settled = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for f in std::fs::read_dir(folder)?.chain(std::fs::read_dir(&config.calls.path)?) {
        let path = f?.path();
        if path.is_file() {
            std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(settled))
                .with_context(|| format!("dating the demo file {}", path.display()))?;
        }
    }
    Ok(())
}

async fn import(config: Config, what: ImportCommand) -> anyhow::Result<()> {
    let app = App::build(config).await?;
    let report = match what {
        ImportCommand::Maildir { path } => {
            let (count, items) =
                archive::maildir_messages(&path, &format!("maildir:{}", path.display()))?;
            archive::import(app.funnel(), items, Some(count)).await?
        }
        ImportCommand::Mbox { path } => {
            let file = std::fs::File::open(&path)
                .with_context(|| format!("opening {}", path.display()))?;
            let reader = archive::MboxReader::new(
                std::io::BufReader::with_capacity(1 << 20, file),
                path.clone(),
                &format!("mbox:{}", path.display()),
            );
            archive::import(app.funnel(), reader, None).await?
        }
        ImportCommand::Calls { path, format } => {
            return channels::import_calls(&app, &path, &format).await;
        }
    };
    println!(
        "read {} message(s) in {:.2} s ({:.0}/s): stored {}, already known {}, quarantined {}",
        report.read,
        report.seconds,
        report.rate(),
        report.outcome.stored,
        report.outcome.duplicates,
        report.outcome.quarantined
    );
    link_stage(&app).await
}

/// Who a person's decision is recorded as: `--by`, else the login name.
pub(super) fn who(by: Option<String>) -> String {
    by.or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Runs the link stage after a command stored items, and says what it decided.
pub(super) async fn link_stage(app: &App) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let pass = app.link_stage().await?;
    if pass.decided > 0 {
        println!(
            "linked {} item(s) in {:.2} s: {} new customer(s), {} possible link(s) for review (`tidings links review`)",
            pass.decided,
            started.elapsed().as_secs_f64(),
            pass.new_customers,
            pass.candidates
        );
    }
    Ok(())
}

async fn digest(config: Config, what: DigestCommand) -> anyhow::Result<()> {
    let app = match what {
        DigestCommand::Preview { .. } => App::build_existing(config).await?,
        DigestCommand::Send => App::build(config).await?,
    };
    let now = chrono::Utc::now().timestamp();
    match what {
        DigestCommand::Preview { html } => {
            let d = crate::digest::preview(app.store(), app.config(), now).await?;
            if html {
                println!("{}", d.html);
            } else {
                println!("Subject: {}\n\n{}", d.subject, d.text);
            }
            Ok(())
        }
        DigestCommand::Send => {
            if app.config().smtp.is_none() {
                bail!("no [smtp] section in the config; add one to send digests (see README)");
            }
            crate::flags::evaluate(app.store(), app.flags(), now, true).await?;
            let key = format!("manual-{}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ"));
            if !crate::digest::enqueue_period(app.store(), app.config(), &key, now).await? {
                bail!("a digest was already sent as {key} this second; nothing new was sent — try again in a moment");
            }
            let report = app.run_once_outbox().await?;
            if let Some(e) = report.last_error {
                bail!("digest {key} is in the outbox but could not be sent yet: {e}; it is retried by the daemon or the next `tidings run --once`");
            }
            let recipients = app.config().digest.recipients.len();
            if report.sent == 0 {
                bail!("digest {key} was recorded for {recipients} recipient(s) but nothing was delivered; `tidings outbox list --state pending` shows what waits");
            }
            println!(
                "digest {key} sent to {recipients} recipient(s) ({} message(s) delivered); the weekly schedule is unchanged",
                report.sent
            );
            Ok(())
        }
    }
}

async fn quarantine(config: Config, what: QuarantineCommand) -> anyhow::Result<()> {
    let app = App::build_existing(config).await?;
    let rows = app.store().quarantine_list().await?;
    let rfc3339 = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default()
    };
    match what {
        QuarantineCommand::List { all: false } => {
            if rows.is_empty() {
                println!("the quarantine is empty");
            }
            for r in rows {
                let at = rfc3339(r.quarantined_at);
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    r.id, at, r.source, r.locator, r.reason
                );
            }
            Ok(())
        }
        QuarantineCommand::List { all: true } => {
            for e in app.store().quarantine_all().await? {
                let r = &e.row;
                let state = match &e.state {
                    QuarantineState::Open => "open".to_string(),
                    QuarantineState::Released { at } => format!("released {}", rfc3339(*at)),
                    QuarantineState::Dismissed { at, by, note } => {
                        format!("dismissed {} by {by}: {note}", rfc3339(*at))
                    }
                };
                let at = rfc3339(r.quarantined_at);
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{state}",
                    r.id, at, r.source, r.locator, r.reason
                );
            }
            Ok(())
        }
        QuarantineCommand::Dismiss { id, note, by } => {
            let by = who(by);
            if rows.iter().all(|r| r.id != id) {
                bail!("{}", not_open(app.store(), id).await?);
            }
            app.store().dismiss_quarantined(id, &by, &note).await?;
            println!("quarantine entry {id} dismissed by {by}");
            Ok(())
        }
        QuarantineCommand::Retry { id } => {
            if let Some(id) = id.filter(|i| rows.iter().all(|r| r.id != *i)) {
                bail!("{}", not_open(app.store(), id).await?);
            }
            let mut released = 0;
            for r in rows.into_iter().filter(|r| id.is_none_or(|i| i == r.id)) {
                let Some(kept) = app.store().quarantined_raw(r.id).await? else {
                    println!(
                        "{}: no content kept; re-sync the source after raising its size limit",
                        r.id
                    );
                    continue;
                };
                let raw_id = kept.raw_id;
                let requeue = kept.clone();
                match app.funnel().reread(kept) {
                    None => println!(
                        "{}: no content kept; re-sync the source after raising its size limit",
                        r.id
                    ),
                    Some(EntryOutcome::Pending) => {
                        app.store().requeue_ocr(&requeue).await?;
                        released += 1;
                        println!("{}: queued for OCR again", r.id);
                    }
                    Some(EntryOutcome::Parts(parts)) => {
                        let outcome = app.store().retry_quarantined(raw_id, &parts).await?;
                        released += usize::from(outcome.stored > 0 || outcome.duplicates > 0);
                        for p in &parts {
                            if let PartOutcome::Quarantined { reason } = &p.outcome {
                                println!("{}: still unreadable: {reason}", r.id);
                            }
                        }
                        if outcome.stored > 0 {
                            println!("{}: now readable, {} item(s) stored", r.id, outcome.stored);
                        }
                    }
                }
            }
            println!("{released} item(s) released from the quarantine");
            link_stage(&app).await
        }
    }
}

/// Why `id` is not an open quarantine entry: missing, released or dismissed.
async fn not_open(store: &Store, id: i64) -> anyhow::Result<String> {
    Ok(match store.quarantine_entry(id).await?.map(|e| e.state) {
        None => format!("no quarantine entry {id}; see `tidings quarantine list`"),
        Some(QuarantineState::Released { .. }) => {
            format!("quarantine entry {id} was already released (read and stored)")
        }
        Some(QuarantineState::Dismissed { by, .. }) => {
            format!(
                "quarantine entry {id} was dismissed by {by}; see `tidings quarantine list --all`"
            )
        }
        Some(QuarantineState::Open) => format!("quarantine entry {id} is open"),
    })
}

async fn status(config: Config) -> anyhow::Result<()> {
    let app = App::build_existing(config).await?;
    let (items, customers, quarantined) = app.store().counts().await?;
    let outbox = app.store().outbox_totals().await?;
    println!("items {items}, customers {customers}, quarantined {quarantined}");
    println!(
        "ocr queue: {} letter scan(s) waiting",
        app.store().ocr_queue_len().await?
    );
    println!(
        "outbox: {} pending, {} sent, {} failed ({} dead letter(s): `tidings outbox list --state dead`)",
        outbox.pending,
        outbox.sent,
        outbox.failed,
        app.store().dead_letters().await?
    );
    let today = crate::arrangements::today(&app.config().organisation.timezone, chrono::Utc::now());
    println!(
        "contact arrangements: {} in force (`tidings arrangements list`)",
        app.store().active_arrangements(today).await?.len()
    );
    for line in crate::ingest::status::source_lines(&app).await? {
        println!("{line}");
    }
    Ok(())
}

async fn bench(what: BenchCommand) -> anyhow::Result<()> {
    match what {
        BenchCommand::Maildir {
            messages,
            large,
            store,
        } => {
            crate::bench::maildir(messages, large, store.as_deref()).await?;
        }
        BenchCommand::Imap {
            messages,
            large,
            fill_maildir,
            store,
            host,
            port,
            user,
            password,
        } => {
            let settings = crate::bench::ImapBench {
                messages,
                large,
                fill_maildir,
                store_url: store,
                host,
                port,
                user,
                password,
            };
            crate::bench::imap(&settings).await?;
        }
        BenchCommand::Idle(args) => crate::bench::idle(&args).await?,
        BenchCommand::Routing { messages } => {
            crate::bench::routing(messages)?;
        }
        BenchCommand::Calls { rows, shape, store } => {
            crate::bench::calls(rows, shape, store.as_deref()).await?;
        }
        BenchCommand::Flags {
            contacts,
            customers,
            new,
            per_pass,
            store,
        } => {
            crate::bench::flags(contacts, customers, (new, per_pass), store.as_deref()).await?;
        }
        BenchCommand::Letters { pages, pdfs, dir } => {
            crate::bench::letters(pages, pdfs, &dir).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot open {path}: {source}; check the path")]
    struct Quoting {
        path: &'static str,
        source: std::io::Error,
    }

    #[test]
    fn each_cause_is_printed_once() {
        let io = std::io::Error::other("permission denied");
        let e = anyhow::Error::new(Quoting {
            path: "a.db",
            source: io,
        })
        .context("importing a.mbox");
        assert_eq!(
            one_line(&e),
            "importing a.mbox: cannot open a.db: permission denied; check the path"
        );
    }

    #[test]
    fn causes_not_quoted_are_kept_in_order() {
        let e = anyhow::anyhow!("disk full").context("writing the export");
        assert_eq!(one_line(&e), "writing the export: disk full");
    }
}
