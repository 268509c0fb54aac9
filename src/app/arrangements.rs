//! `tidings arrangements`, `staff`, `routing` and `outbox`: recording contact arrangements,
//! staff absences, and showing routing decisions and the outbox.

use crate::arrangements::{self, Arrangement, ArrangementRequest};
use crate::cli::{
    ArrangementsCommand, ListFormat, OutboxCommand, OutboxStateArg, RoutingCommand, StaffCommand,
};
use crate::config::Config;
use crate::domain::EmailAddress;
use crate::store::{OutboxState, Store};
use anyhow::{bail, Context};

fn today(config: &Config) -> chrono::NaiveDate {
    arrangements::today(&config.organisation.timezone, chrono::Utc::now())
}

fn time(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn directory(config: &Config) -> anyhow::Result<crate::organisation::StaffDirectory> {
    Ok(crate::ingest::setup::staff_directory(config)?)
}

/// Runs `tidings arrangements …`.
pub async fn arrangements(config: Config, what: ArrangementsCommand) -> anyhow::Result<()> {
    let store = Store::open_existing(&config.store.url).await?;
    let today = today(&config);
    match what {
        ArrangementsCommand::Add(args) => {
            let request = ArrangementRequest {
                kind: args.kind,
                nominated: args.nominated,
                deputy: args.deputy,
                authorised_by: args.authorised_by,
                decided_on: args.decided_on,
                attendees: args.attendees,
                reasons: args.reasons,
                told_on: args.told_on,
                review_on: args.review_on,
                frequency_days: args.frequency_days,
            };
            let new = arrangements::validate(&request, &directory(&config)?, today)?;
            let Some(id) = store.add_arrangement(&args.customer, &new).await? else {
                bail!(
                    "no customer has the key {:?}; find it with `tidings export customers` or `tidings customers show`",
                    args.customer
                );
            };
            println!(
                "arrangement #{id} recorded: {} for customer {}, review due {}",
                new.kind, args.customer, new.review_on
            );
        }
        ArrangementsCommand::Show { id } => {
            let a = found(&store, id).await?;
            print_arrangement(&a, today);
            println!("history:");
            for e in store.arrangement_history(id).await? {
                println!(
                    "  {} {} by {}{}: {}",
                    time(e.at),
                    e.action,
                    e.by,
                    e.review_on
                        .map(|d| format!(" (review due {d})"))
                        .unwrap_or_default(),
                    e.reasons
                );
            }
        }
        ArrangementsCommand::List { format, customer } => {
            let all = store.arrangements(customer.as_deref()).await?;
            write_list(&all, today, format, std::io::stdout().lock())?;
        }
        ArrangementsCommand::Renew {
            id,
            authorised_by,
            reasons,
            review_on,
        } => {
            let renewal = arrangements::validate_renewal(
                &directory(&config)?,
                &authorised_by,
                &reasons,
                review_on.as_deref(),
                today,
            )?;
            found(&store, id).await?;
            if !store.renew_arrangement(id, &renewal).await? {
                bail!("arrangement #{id} was ended and cannot be renewed; record a new arrangement with `tidings arrangements add`");
            }
            println!(
                "arrangement #{id} renewed, review due {}",
                renewal.review_on
            );
        }
        ArrangementsCommand::End { id, by, reasons } => {
            let reasons = arrangements::validate_end(&reasons)?;
            let by = EmailAddress::parse(&by)
                .with_context(|| "--by must be the address of the person recording it")?;
            found(&store, id).await?;
            if !store.end_arrangement(id, by.as_str(), &reasons).await? {
                bail!("arrangement #{id} was already ended; `tidings arrangements show {id}` gives its history");
            }
            println!("arrangement #{id} ended");
        }
    }
    Ok(())
}

async fn found(store: &Store, id: i64) -> anyhow::Result<Arrangement> {
    match store.arrangement(id).await? {
        Some(a) => Ok(a),
        None => bail!("there is no arrangement #{id}; `tidings arrangements list` shows them"),
    }
}

fn print_arrangement(a: &Arrangement, today: chrono::NaiveDate) {
    println!("arrangement #{} ({})", a.id, a.status(today).as_str());
    println!("  customer:       {}", a.customer_key);
    println!("  kind:           {}", a.kind);
    if let Some(n) = &a.nominated {
        println!("  nominated:      {}", n.as_str());
    }
    if let Some(d) = &a.deputy {
        println!("  deputy:         {}", d.as_str());
    }
    if let Some(f) = a.frequency_days {
        println!("  frequency:      every {f} days");
    }
    println!("  decided on:     {}", a.decided_on);
    let attendees: Vec<&str> = a.attendees.iter().map(EmailAddress::as_str).collect();
    println!("  attendees:      {}", attendees.join(", "));
    println!("  authorised by:  {}", a.authorised_by.as_str());
    println!("  reasons:        {}", a.reasons);
    println!("  customer told:  {}", a.told_on);
    println!("  review due:     {}", a.review_on);
    if let Some(why) = &a.ended_reason {
        println!(
            "  ended:          {} ({why})",
            a.ended_at.map(time).unwrap_or_default()
        );
    }
}

/// The columns of `arrangements list --format csv|jsonl` (docs/arrangements.md).
const COLUMNS: [&str; 17] = [
    "id",
    "customer_key",
    "kind",
    "status",
    "nominated",
    "deputy",
    "frequency_days",
    "service_areas",
    "decided_on",
    "attendees",
    "authorised_by",
    "reasons",
    "told_on",
    "review_on",
    "created_at",
    "ended_at",
    "ended_reason",
];

fn row(a: &Arrangement, today: chrono::NaiveDate) -> [serde_json::Value; 17] {
    use serde_json::{json, Value};
    let addresses =
        |list: &[EmailAddress]| -> Value { list.iter().map(|e| Value::from(e.as_str())).collect() };
    [
        json!(a.id),
        json!(a.customer_key),
        json!(a.kind.as_str()),
        json!(a.status(today).as_str()),
        json!(a.nominated.as_ref().map(EmailAddress::as_str)),
        json!(a.deputy.as_ref().map(EmailAddress::as_str)),
        json!(a.frequency_days),
        json!(a.service_areas),
        json!(a.decided_on.to_string()),
        addresses(&a.attendees),
        json!(a.authorised_by.as_str()),
        json!(a.reasons),
        json!(a.told_on.to_string()),
        json!(a.review_on.to_string()),
        crate::export::time(a.created_at),
        a.ended_at.map_or(Value::Null, crate::export::time),
        json!(a.ended_reason),
    ]
}

fn write_list(
    all: &[Arrangement],
    today: chrono::NaiveDate,
    format: ListFormat,
    mut out: impl std::io::Write,
) -> anyhow::Result<()> {
    match format {
        ListFormat::Text => {
            if all.is_empty() {
                writeln!(out, "no arrangements recorded")?;
            }
            for a in all {
                writeln!(
                    out,
                    "#{:<4} {:<8} {:<24} customer {} review due {}{}",
                    a.id,
                    a.status(today).as_str(),
                    a.kind.as_str(),
                    a.customer_key,
                    a.review_on,
                    a.nominated
                        .as_ref()
                        .map(|n| format!(" nominated {}", n.as_str()))
                        .unwrap_or_default()
                )?;
            }
        }
        ListFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(COLUMNS)?;
            for a in all {
                w.write_record(row(a, today).iter().map(crate::export::cell))?;
            }
            w.flush()?;
        }
        ListFormat::Jsonl => {
            for a in all {
                let object: serde_json::Map<String, serde_json::Value> = COLUMNS
                    .iter()
                    .zip(row(a, today))
                    .map(|(k, v)| ((*k).to_owned(), v))
                    .collect();
                writeln!(out, "{}", serde_json::Value::Object(object))?;
            }
        }
    }
    Ok(())
}

/// Runs `tidings staff …`.
pub async fn staff(config: Config, what: StaffCommand) -> anyhow::Result<()> {
    let store = Store::open_existing(&config.store.url).await?;
    let today = today(&config);
    match what {
        StaffCommand::Absent { email, until, from } => {
            let who = EmailAddress::parse(&email)
                .with_context(|| format!("{email:?} is not a mail address"))?;
            if directory(&config)?.by_email(&who).is_none() {
                bail!("{} is not in the staff directory; only staff listed there can be marked absent", who.as_str());
            }
            let day = |arg: &str, v: &str| {
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .with_context(|| format!("{arg} {v:?} is not a date; write it as YYYY-MM-DD"))
            };
            let until = day("--until", &until)?;
            let from = match from {
                Some(f) => day("--from", &f)?,
                None => today,
            };
            if until < from {
                bail!("--until {until} is before the first day {from}");
            }
            store.add_absence(&who, from, until).await?;
            println!(
                "{} marked absent from {from} to {until}; forwards go to their deputy meanwhile",
                who.as_str()
            );
        }
        StaffCommand::Absences => {
            let absent = store.absent_on(today).await?;
            if absent.is_empty() {
                println!("nobody is marked absent today");
            }
            for (who, until) in absent {
                println!("{} absent until {until}", who.as_str());
            }
        }
    }
    Ok(())
}

/// Runs `tidings routing …`.
pub async fn routing(config: Config, what: RoutingCommand) -> anyhow::Result<()> {
    let store = Store::open_existing(&config.store.url).await?;
    let RoutingCommand::List { all, limit } = what;
    let decisions = store.routing_decisions(all, limit).await?;
    if decisions.is_empty() {
        println!(
            "no routing decisions recorded{}",
            if all {
                ""
            } else {
                " about customers under an arrangement (--all lists every one)"
            }
        );
    }
    for d in decisions {
        println!(
            "{} item {} customer {} {}: {}{}{}",
            time(d.decided_at),
            d.item_ref,
            d.customer_key.as_deref().unwrap_or("-"),
            d.outcome,
            d.reason,
            d.arrangement_id
                .map(|a| format!(" (arrangement #{a})"))
                .unwrap_or_default(),
            if d.recipients.is_empty() {
                String::new()
            } else {
                format!(" to {}", d.recipients)
            }
        );
    }
    Ok(())
}

/// Runs `tidings outbox …`.
pub async fn outbox(config: Config, what: OutboxCommand) -> anyhow::Result<()> {
    let store = Store::open_existing(&config.store.url).await?;
    match what {
        OutboxCommand::List { state, limit } => {
            let state = state.map(|s| match s {
                OutboxStateArg::Pending => OutboxState::Pending,
                OutboxStateArg::Sent => OutboxState::Sent,
                OutboxStateArg::Dead => OutboxState::Dead,
            });
            let messages = store.outbox_list(state, limit).await?;
            if messages.is_empty() {
                println!("the outbox holds no such messages");
            }
            for m in messages {
                let when = match m.state {
                    OutboxState::Sent => {
                        format!("sent {}", m.sent_at.map(time).unwrap_or_default())
                    }
                    OutboxState::Dead => {
                        format!("given up {}", m.failed_at.map(time).unwrap_or_default())
                    }
                    OutboxState::Pending => format!("next attempt {}", time(m.next_attempt_at)),
                };
                println!(
                    "#{} {} {} to {} \"{}\" attempts {}, {when}{}",
                    m.id,
                    m.state.as_str(),
                    m.purpose,
                    m.recipients,
                    m.subject,
                    m.attempts,
                    m.last_error
                        .map(|e| format!("; last error: {e}"))
                        .unwrap_or_default()
                );
            }
        }
        OutboxCommand::Retry { id } => {
            let n = store.outbox_retry(id).await?;
            match (n, id) {
                (0, Some(id)) => bail!("outbox message #{id} is not a dead letter; `tidings outbox list --state dead` lists them"),
                (0, None) => println!("there are no dead letters to retry"),
                (n, _) => println!("{n} message(s) put back in the queue; the daemon (or `tidings run --once`) sends them"),
            }
        }
    }
    Ok(())
}
