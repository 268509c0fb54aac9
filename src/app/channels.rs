//! Commands for the channels beside email: `import calls`, `note add`, `items show`.

use crate::cli::{CustomersCommand, ItemsCommand, NoteCommand};
use crate::config::Config;
use crate::daemon::App;
use crate::domain::{EmailAddress, UnixTime};
use crate::ingest::calls::{source as calls, FormatChoice};
use crate::ingest::notes::Note;
use crate::ingest::{RawItem, RawKind};
use crate::store::{EntryOutcome, PartOutcome};
use anyhow::{bail, Context};
use std::io::Read;
use std::path::Path;

/// `tidings import calls FILE [--format …]`: every row once; unreadable rows quarantined.
pub(super) async fn import_calls(app: &App, path: &Path, format: &str) -> anyhow::Result<()> {
    let choice: FormatChoice = format.parse()?;
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "cannot read the call log {}; check the path",
            path.display()
        )
    })?;
    let received_at = std::fs::metadata(path)
        .ok()
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as UnixTime);
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().to_string(),
    );
    let raw = RawItem {
        source: calls::SOURCE.to_string(),
        locator: file_name,
        kind: RawKind::CallLog(choice),
        bytes,
        received_at,
        direction: crate::domain::Direction::Inbound,
        oversized: None,
    };
    let entries = app.funnel().prepare_batch(vec![raw]).await?;
    let outcome = app.funnel().commit(&entries, None).await?;
    let parts = match entries.first().map(|e| &e.outcome) {
        Some(EntryOutcome::Parts(parts)) => parts.as_slice(),
        _ => &[],
    };
    if let [only] = parts {
        if let (0, PartOutcome::Quarantined { reason }) = (only.part, &only.outcome) {
            bail!("{reason} (the file is kept in the quarantine: `tidings quarantine list`)");
        }
    }
    let rows = parts.len();
    let bad = parts
        .iter()
        .filter(|p| matches!(p.outcome, PartOutcome::Quarantined { .. }))
        .count();
    if outcome.stored + outcome.quarantined == 0 && outcome.duplicates > 0 && rows == 0 {
        println!(
            "{}: this file was imported before; nothing new",
            path.display()
        );
        return Ok(());
    }
    println!(
        "read {rows} row(s) from {}: stored {} call(s), already known {}, quarantined {bad} row(s)",
        path.display(),
        outcome.stored,
        rows - outcome.stored - bad,
    );
    for p in parts {
        if let PartOutcome::Quarantined { reason } = &p.outcome {
            eprintln!("tidings: {reason}");
        }
    }
    super::link_stage(app).await
}

/// `tidings note …`
pub(super) async fn note(config: Config, what: NoteCommand) -> anyhow::Result<()> {
    let NoteCommand::Add {
        customer,
        staff,
        text,
    } = what;
    let text = match text {
        Some(t) => t,
        None => {
            let mut t = String::new();
            std::io::stdin()
                .read_to_string(&mut t)
                .context("cannot read the note from stdin")?;
            t
        }
    };
    let text = text.trim().to_string();
    if text.is_empty() {
        bail!("the note is empty: give its text as an argument or on stdin");
    }
    crate::guard::check_free_text("note", &text)?;
    let author = EmailAddress::parse(&staff)
        .with_context(|| format!("--staff {staff:?} must be the staff member's email address"))?;
    let app = App::build(config).await?;
    if !app.funnel().is_staff(&author) {
        bail!("--staff {author} is not a staff address (neither a staff domain nor in the staff directory); notes are written by staff");
    }
    if !app.store().customer_exists(&customer).await? {
        bail!("there is no customer {customer:?}; find the key with `tidings export customers`");
    }
    let note = Note {
        customer: customer.clone(),
        staff: author.to_string(),
        text,
        written_at: chrono::Utc::now().timestamp(),
    };
    let raw = RawItem {
        source: "notes".to_string(),
        locator: format!("{customer}@{}", note.written_at),
        kind: RawKind::Note,
        bytes: note.to_bytes(),
        received_at: Some(note.written_at),
        direction: crate::domain::Direction::Internal,
        oversized: None,
    };
    let entries = app.funnel().prepare_batch(vec![raw]).await?;
    app.funnel().commit(&entries, None).await?;
    let item_ref = crate::ingest::notes::note_record(&note.to_bytes())
        .map(|r| r.item_ref)
        .unwrap_or_default();
    app.link_stage().await?;
    println!("note {item_ref} added to the history of {customer}");
    Ok(())
}

/// `tidings items …`
pub(super) async fn items(config: Config, what: ItemsCommand) -> anyhow::Result<()> {
    let ItemsCommand::Show { item_ref } = what else {
        return super::links::items(config, what).await;
    };
    let app = App::build_existing(config).await?;
    let found = app.store().items_by_ref(&item_ref).await?;
    if found.is_empty() {
        bail!("no item {item_ref:?}; see `tidings export items` for references");
    }
    for item in found {
        let when = chrono::DateTime::from_timestamp(item.occurred_at, 0)
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        println!("item_ref:     {}", item.item_ref);
        println!("channel:      {} ({})", item.channel, item.direction);
        println!("occurred_at:  {when}");
        println!(
            "customer_key: {}",
            item.customer_key.as_deref().unwrap_or("-")
        );
        if let Some(d) = app.store().link_decision(item.id).await? {
            let reasons: Vec<String> = serde_json::from_str(&d.reasons).unwrap_or_default();
            println!(
                "linked:       {} ({:.2}) by {} at {}: {}",
                d.method,
                d.confidence,
                d.linked_by.as_deref().unwrap_or("the rules"),
                rfc3339(d.linked_at),
                reasons.join("; ")
            );
        }
        println!(
            "counterpart:  {}",
            item.counterpart.as_deref().unwrap_or("-")
        );
        println!(
            "staff:        {}",
            if item.staff.is_empty() {
                "-".to_string()
            } else {
                item.staff.join(", ")
            }
        );
        println!("subject:      {}", item.subject.as_deref().unwrap_or("-"));
        println!("read from:    {} (part {})", item.origin, item.part);
        if item.automated {
            println!("automated:    yes (kept, never counted or routed)");
        }
        if let Some(details) = &item.details {
            println!("details:      {details}");
        }
        let text = match item.body {
            Some(body) => Some(body),
            None if item.channel == "email" => email_text(&app, item.raw_id).await?,
            None => None,
        };
        if let Some(text) = text.filter(|t| !t.is_empty()) {
            println!("\n{text}\n");
        }
    }
    Ok(())
}

/// `tidings customers …`
pub(super) async fn customers(config: Config, what: CustomersCommand) -> anyhow::Result<()> {
    let CustomersCommand::Show { key, recent } = what else {
        return super::links::customers(config, what).await;
    };
    let app = App::build_existing(config).await?;
    let Some(c) = app.store().customer_view(&key, recent).await? else {
        bail!("there is no customer {key:?}; find keys with `tidings export customers`");
    };
    if let Some(survivor) = &c.merged_into {
        println!("{key} was merged into {survivor}; showing {survivor}");
    }
    println!("customer_key: {}", c.customer_key);
    println!("kind:         {}", c.kind);
    if !c.merged.is_empty() {
        println!("merged keys:  {}", c.merged.join(", "));
    }
    println!("name:         {}", c.display_name.as_deref().unwrap_or("-"));
    println!("identifiers:  {}", c.identifiers.join(", "));
    for (channel, direction, n) in &c.totals {
        println!("contacts:     {n} {direction} {channel}");
    }
    for (item_ref, channel, direction, at, subject) in &c.recent {
        let when = chrono::DateTime::from_timestamp(*at, 0)
            .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        println!(
            "  {when}  {channel:<6} {direction:<8} {item_ref}  {}",
            subject.as_deref().unwrap_or("")
        );
    }
    let mut history = app.store().audit_entries(&c.customer_key).await?;
    for merged in &c.merged {
        history.extend(app.store().audit_entries(merged).await?);
    }
    history.sort_by_key(|e| e.id);
    history.dedup_by_key(|e| e.id);
    for e in history {
        println!(
            "correction:   {} {} by {} ({}): {}",
            rfc3339(e.at),
            e.action,
            e.actor,
            e.subject,
            e.reason
        );
    }
    Ok(())
}

fn rfc3339(at: UnixTime) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// The readable text of a kept email, parsed again from its original bytes.
async fn email_text(app: &App, raw_id: i64) -> anyhow::Result<Option<String>> {
    let Some(bytes) = app.store().kept_raw(raw_id).await?.and_then(|k| k.bytes) else {
        return Ok(None);
    };
    Ok(
        crate::ingest::email::parse_email(&bytes, &Default::default())
            .ok()
            .map(|e| e.text),
    )
}
