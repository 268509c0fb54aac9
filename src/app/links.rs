//! `tidings links …`, `customers merge|unmerge|split` and `items relink`: people's
//! corrections to linking. Each runs the link stage afterwards, so every item the correction
//! lets the rules decide again is decided before the command returns.

use super::link_stage;
use crate::cli::{CustomersCommand, Decided, ItemsCommand, LinksCommand};
use crate::config::Config;
use crate::daemon::App;
use crate::store::CorrectionError;
use anyhow::bail;

/// After a correction: the link stage decides what the correction released, item flags
/// follow their items, and the pattern rules count every customer again, so every figure and
/// flag of the customers it touched is recomputed.
async fn recount(app: &App) -> anyhow::Result<()> {
    link_stage(app).await?;
    let store = app.store();
    store.realign_item_flags().await?;
    store
        .reset_stage_cursor(crate::store::PATTERN_STAGE)
        .await?;
    let pass =
        crate::flags::evaluate(store, app.flags(), chrono::Utc::now().timestamp(), true).await?;
    println!(
        "flags recounted: {} raised, {} refreshed",
        pass.raised, pass.refreshed
    );
    Ok(())
}

/// Who decides: `--by`, else the login name.
fn actor(decided: &Decided) -> String {
    super::who(decided.by.clone())
}

/// `customers merge|unmerge|split`.
pub(super) async fn customers(config: Config, what: CustomersCommand) -> anyhow::Result<()> {
    let app = App::build_existing(config).await?;
    match what {
        CustomersCommand::Show { .. } => unreachable!("handled by channels::customers"),
        CustomersCommand::Merge {
            keep,
            other,
            decided,
        } => {
            let moved = app
                .store()
                .merge_customers(&keep, &other, &actor(&decided), &decided.reason)
                .await?;
            println!("merged {other} into {keep}: {moved} item(s) moved; undo with `tidings customers unmerge {other}`");
        }
        CustomersCommand::Unmerge { key, decided } => {
            let moved = app
                .store()
                .unmerge_customer(&key, &actor(&decided), &decided.reason)
                .await?;
            println!("{key} is its own customer again: {moved} item(s) moved back");
        }
        CustomersCommand::Split {
            key,
            items,
            decided,
        } => {
            let new_key = app
                .store()
                .split_customer(&key, &items, &actor(&decided), &decided.reason)
                .await?;
            println!(
                "moved {} item(s) from {key} to the new customer {new_key}; undo with `tidings customers merge {key} {new_key}`",
                items.len()
            );
        }
    }
    recount(&app).await
}

/// `items relink`.
pub(super) async fn items(config: Config, what: ItemsCommand) -> anyhow::Result<()> {
    let ItemsCommand::Relink {
        item_ref,
        customer,
        decided,
    } = what
    else {
        unreachable!("handled by channels::items");
    };
    let app = App::build_existing(config).await?;
    let before = app
        .store()
        .relink_item(&item_ref, &customer, &actor(&decided), &decided.reason)
        .await?;
    println!(
        "{item_ref} now belongs to {customer} (was {}); the rules will not change it",
        before.as_deref().unwrap_or("no customer")
    );
    recount(&app).await
}

/// `tidings links …`
pub(super) async fn links(config: Config, what: LinksCommand) -> anyhow::Result<()> {
    let app = App::build_existing(config).await?;
    match what {
        LinksCommand::Review { all } => {
            let rows = app.store().link_reviews(all).await?;
            let unlinked = app.store().unlinked_inbound().await?;
            if rows.is_empty() && unlinked.is_empty() {
                println!("no possible links waiting for review");
            }
            for (item_ref, at, subject) in &unlinked {
                let when = chrono::DateTime::from_timestamp(*at, 0)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                println!(
                    "    -  unlinked  {when}  email {item_ref} ({}): no usable sender; link it with `tidings items relink {item_ref} CUSTOMER`",
                    subject.as_deref().unwrap_or("no subject")
                );
            }
            for r in rows {
                let when = chrono::DateTime::from_timestamp(r.occurred_at, 0)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                let reasons: Vec<String> = serde_json::from_str(&r.reasons).unwrap_or_default();
                println!(
                    "{:>5}  {}  {when}  {} {}: linked to {}, might be {} (score {:.2}): {}",
                    r.id,
                    r.state,
                    r.channel,
                    r.item_ref,
                    r.customer_key.as_deref().unwrap_or("-"),
                    r.candidate_key,
                    r.score,
                    reasons.join("; ")
                );
            }
            Ok(())
        }
        LinksCommand::Accept { id, decided } => {
            let by = actor(&decided);
            let Some(review) = app
                .store()
                .link_reviews(false)
                .await?
                .into_iter()
                .find(|r| r.id == id)
            else {
                bail!(CorrectionError::NoReview(id));
            };
            if let Some(current) = review.customer_key.as_deref() {
                let why = format!("review {id} accepted: {}", decided.reason.trim());
                match app
                    .store()
                    .merge_customers(&review.candidate_key, current, &by, &why)
                    .await
                {
                    Ok(moved) => println!(
                        "merged {current} into {}: {moved} item(s) moved",
                        review.candidate_key
                    ),
                    Err(CorrectionError::Same(..)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            app.store()
                .decide_review(id, true, &by, &decided.reason)
                .await?;
            println!("review {id} accepted");
            recount(&app).await
        }
        LinksCommand::Reject { id, decided } => {
            app.store()
                .decide_review(id, false, &actor(&decided), &decided.reason)
                .await?;
            println!("review {id} rejected: the two stay different customers");
            Ok(())
        }
        LinksCommand::Recompute => {
            let started = std::time::Instant::now();
            let pass = crate::pipeline::identity::stage::relink(app.store()).await?;
            println!(
                "decided {} item(s) again in {:.2} s: {} new customer(s), {} possible link(s) for review",
                pass.decided,
                started.elapsed().as_secs_f64(),
                pass.new_customers,
                pass.candidates
            );
            recount(&app).await
        }
    }
}
