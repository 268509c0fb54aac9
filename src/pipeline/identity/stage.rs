//! The link stage: after ingest, every stored item waiting for a customer decision is decided
//! by the pure resolver, in batches, incrementally as items arrive. `relink` is the same stage
//! over the whole history.

use crate::store::{LinkPass, Store, StoreError};
use std::time::Instant;

/// Decides every item waiting for a customer, earliest contact first.
pub async fn run(store: &Store) -> Result<LinkPass, StoreError> {
    let started = Instant::now();
    let pass = store.link_all().await?;
    record(&pass, started, "incremental");
    Ok(pass)
}

/// Forgets every rule's decision and decides the whole history again, in the order the
/// contacts happened; people's decisions stay.
pub async fn relink(store: &Store) -> Result<LinkPass, StoreError> {
    let started = Instant::now();
    let pass = store.relink_everything().await?;
    record(&pass, started, "full");
    Ok(pass)
}

fn record(pass: &LinkPass, started: Instant, mode: &'static str) {
    if pass.decided > 0 {
        crate::telemetry::events::links_decided(pass, mode, started.elapsed().as_secs_f64());
    }
}
