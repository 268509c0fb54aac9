//! Evaluation of linking: [`corpus`] writes a labelled identity corpus (files Tidings reads
//! plus `truth.jsonl`), [`links`] scores the store's customer links against a truth file.
//! Reads the store only through [`Store::export_items`]; never changes it.

pub mod corpus;
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
