//! `tidings flags list|show|ack|dismiss|recompute`: the review side of advisory flags. Every
//! note is checked by the guard; text that comes from messages is shown masked.

use crate::cli::FlagsCommand;
use crate::config::Config;
use crate::daemon::App;
use crate::flags::{counter, describe, is_pattern, windows::Window};
use crate::guard::{check_free_text, mask};
use crate::store::{FlagRow, Store};
use anyhow::bail;

/// The organisation's time zone: windows are its calendar days.
fn zone(config: &Config) -> chrono_tz::Tz {
    crate::digest::schedule::timezone(&config.organisation.timezone)
}

/// The local date holding `t`.
fn day(t: i64, tz: chrono_tz::Tz) -> String {
    chrono::DateTime::from_timestamp(t, 0).map_or_else(String::new, |d| {
        d.with_timezone(&tz).format("%Y-%m-%d").to_string()
    })
}

/// `t` as local time with its offset.
fn time(t: i64, tz: chrono_tz::Tz) -> String {
    chrono::DateTime::from_timestamp(t, 0).map_or_else(String::new, |d| {
        d.with_timezone(&tz)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    })
}

/// The subject of a flag: the customer for a pattern flag, the item for an item flag.
fn subject(f: &FlagRow) -> &str {
    f.item_ref.as_deref().unwrap_or(&f.customer_key)
}

/// Runs a `tidings flags` command.
pub(super) async fn execute(config: Config, what: FlagsCommand) -> anyhow::Result<()> {
    let app = match what {
        FlagsCommand::Recompute => App::build(config).await?,
        _ => App::build_existing(config).await?,
    };
    let store = app.store();
    match what {
        FlagsCommand::List { kind, all } => {
            let flags = store.flags(None, false).await?;
            let shown: Vec<&FlagRow> = flags
                .iter()
                .filter(|f| all || f.state == "open")
                .filter(|f| kind.as_deref().is_none_or(|k| f.kind == k))
                .collect();
            if shown.is_empty() {
                println!("no {}flags", if all { "" } else { "open " });
            }
            let tz = zone(app.config());
            for f in shown {
                let summary =
                    describe(&f.kind, &f.figures).map_or_else(|e| e.to_string(), |d| d.summary);
                println!(
                    "{}\t{}\t{}\t{}\t{}–{}\t{}",
                    f.id,
                    f.kind,
                    f.state,
                    subject(f),
                    day(f.window_start, tz),
                    day(f.window_end - 1, tz),
                    summary
                );
            }
            Ok(())
        }
        FlagsCommand::Show { id } => show(store, app.config(), id).await,
        FlagsCommand::Ack { id, note, by } => {
            review(store, id, "acknowledged", &note, super::who(by)).await
        }
        FlagsCommand::Dismiss { id, note, by } => {
            review(store, id, "dismissed", &note, super::who(by)).await
        }
        FlagsCommand::Recompute => {
            let now = chrono::Utc::now().timestamp();
            let pass = crate::flags::recompute(store, app.flags(), now).await?;
            println!(
                "read {} item(s): {} item flag(s) and {} pattern flag(s) raised, {} refreshed, {} expired flag(s) deleted",
                pass.scanned, pass.item_flags, pass.raised, pass.refreshed, pass.expired
            );
            Ok(())
        }
    }
}

async fn review(store: &Store, id: i64, state: &str, note: &str, by: String) -> anyhow::Result<()> {
    if note.trim().is_empty() {
        bail!("a note is required: say what was looked at and why (describe, never label)");
    }
    check_free_text("note", note)?;
    check_free_text("by", &by)?;
    if !store.review_flag(id, state, &by, note.trim()).await? {
        match store.flag(id).await? {
            None => bail!("there is no flag {id}; see `tidings flags list`"),
            Some(f) if f.state != "open" => bail!(
                "flag {id} is already {} (by {}); a reviewed flag is not reviewed again",
                f.state,
                f.reviewed_by.as_deref().unwrap_or("unknown")
            ),
            Some(_) => bail!("flag {id} has expired and is about to be deleted"),
        }
    }
    println!("flag {id} {state} by {by}");
    Ok(())
}

async fn show(store: &Store, config: &Config, id: i64) -> anyhow::Result<()> {
    let Some(f) = store.flag(id).await? else {
        bail!("there is no flag {id}; see `tidings flags list`");
    };
    let words = describe(&f.kind, &f.figures)?;
    let tz = zone(config);
    println!("Flag {} · {} · {}", f.id, f.kind, f.state);
    println!("{}: {}", words.title, words.summary);
    println!("Subject:    {}", subject(&f));
    println!("Customer:   {}", f.customer_key);
    println!(
        "Window:     {} – {}",
        time(f.window_start, tz),
        time(f.window_end, tz)
    );
    println!("Threshold:  {}", words.threshold);
    for (label, value) in &words.figures {
        println!("  {label}: {value}");
    }
    if let Some(sentence) = &f.sentence {
        println!("Sentence:   \"{}\"", mask(sentence));
    }
    let now = chrono::Utc::now().timestamp();
    if is_pattern(&f.kind) {
        let reply_days = config.flags.reply_days;
        let exchanges = store
            .customer_exchanges(
                f.customer_id,
                f.window_start,
                f.window_end + i64::from(reply_days) * 86_400 + 1,
            )
            .await?;
        let replies = counter::replies(
            &exchanges,
            Window {
                start: f.window_start,
                end: f.window_end,
            },
            reply_days,
            now,
        );
        for line in replies.lines() {
            println!("Our replies: {line}");
        }
    }
    let context = store.customer_context(f.customer_id).await?;
    if context.is_empty() {
        println!("Context:    none recorded");
    }
    for c in context {
        println!(
            "Context:    {} ({}, {}): \"{}\"",
            c.kind,
            c.item_ref,
            day(c.occurred_at, tz),
            mask(&c.sentence)
        );
    }
    println!("Evidence:");
    for (_, item_ref, at) in store.flag_evidence(f.id).await? {
        println!("  {}  {item_ref}", time(at, tz));
    }
    println!(
        "Raised {}; expires {}",
        time(f.created_at, tz),
        time(f.expires_at, tz)
    );
    if let Some(by) = &f.reviewed_by {
        println!(
            "Reviewed by {by} on {}: {}",
            f.reviewed_at.map(|t| time(t, tz)).unwrap_or_default(),
            f.note.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
