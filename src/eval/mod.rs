//! Evaluation of linking and flags: [`corpus`] writes a labelled identity corpus (files
//! Tidings reads plus `truth.jsonl`) and a labelled flags corpus (`flags-truth.jsonl`);
//! [`links`] scores the store's customer links, [`flags`] its flags, against a truth file.
//! Reads the store only through [`Store::export_items`]; never changes it.

pub mod corpus;
pub mod flags;
pub mod links;

use crate::cli::{EvalCommand, EvalFormat};
use crate::config::Config;
use crate::store::Store;
use anyhow::Context;

/// Runs `tidings eval …`.
pub async fn execute(config: Config, what: EvalCommand) -> anyhow::Result<()> {
    match what {
        EvalCommand::Corpus { out, people, seed } => {
            let summary = corpus::write_corpus(&out, people, seed)?;
            println!(
                "corpus written to {}: {} emails, {} calls, {} letters ({} belong to no customer)",
                out.display(),
                summary.emails,
                summary.calls,
                summary.letters,
                summary.non_customer
            );
            println!(
                "next: tidings --config {0}/tidings.toml run --once && tidings --config {0}/tidings.toml eval links --truth {0}/truth.jsonl",
                out.display()
            );
            Ok(())
        }
        EvalCommand::FlagsCorpus { out, seed } => {
            let written = corpus::write_flags_corpus(&out, seed)?;
            println!(
                "flags corpus written to {}: {written} emails; next: tidings --config {0}/tidings.toml run --once && tidings --config {0}/tidings.toml eval flags --truth {0}/flags-truth.jsonl",
                out.display()
            );
            Ok(())
        }
        EvalCommand::Flags { truth, format } => {
            let truth = flags::read_truth(&truth)?;
            let store = Store::open_existing(&config.store.url).await?;
            let report = flags::report(&store, &truth).await?;
            match format {
                EvalFormat::Text => print!("{}", flags::render_text(&report)),
                EvalFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
            }
            Ok(())
        }
        EvalCommand::Links { truth, format } => {
            let truth = links::read_truth(&truth)?;
            let store = Store::open(&config.store.url).await?;
            let items = store
                .export_items()
                .await
                .context("cannot read the store's items")?
                .into_iter()
                .map(|i| (i.item_ref, i.customer_key))
                .collect::<Vec<_>>();
            let report = links::report(&truth, &items);
            match format {
                EvalFormat::Text => print!("{}", links::render_text(&report)),
                EvalFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
            }
            Ok(())
        }
    }
}
