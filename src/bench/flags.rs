//! `tidings bench flags`: a year of calls from a population (a few customers call often, most
//! rarely), imported into a fresh store the way `tidings import calls` does, then a full
//! `tidings flags recompute` timed, the signal stage and the pattern stage each on their own;
//! then new calls arrive one at a time, as in a running daemon, and each one's evaluation
//! (signal stage, pattern stage, expiry: the daemon's whole flag pass) is timed.

use super::{fresh_store, setup, BenchError};
use crate::config::Config;
use crate::flags::{self, Engine};
use crate::ingest::calls::{source as calls_source, FormatChoice};
use crate::ingest::{Funnel, RawItem, RawKind};
use crate::sample::Rng;
use crate::store::{Store, PATTERN_STAGE, SIGNAL_STAGE};
use std::time::Instant;

/// Figures of one `bench flags` run.
#[derive(Clone, Debug, PartialEq)]
pub struct FlagsFigures {
    /// Contacts stored.
    pub contacts: usize,
    /// Customers they came from.
    pub customers: usize,
    /// Seconds of the signal stage over every item.
    pub signals_secs: f64,
    /// Seconds of the pattern stage over every item (read, topics, rules, write).
    pub patterns_secs: f64,
    /// Pattern flags raised.
    pub raised: usize,
    /// Seconds of the daemon's first pass after the new engine met a new item (no memory
    /// yet: it reads the whole history).
    pub first_pass_secs: f64,
    /// Milliseconds of each later pass: (median, 95th percentile, mean).
    pub per_pass_ms: (f64, f64, f64),
    /// New calls stored before each pass.
    pub per_pass: usize,
}

/// A headed call-log export of `rows` inbound calls over the 365 days before `now` from
/// `customers` different mobile numbers, skewed so that a few numbers call often.
pub fn population_log(rows: usize, customers: usize, now: i64, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(rows * 90 + 100);
    out.push_str("Call ID,Start Time,Direction,Caller,Called,Agent,Extension,Duration,Result\n");
    let n = customers.max(1) as u64;
    for i in 0..rows {
        // The product of two uniform draws: low indices (frequent callers) are likelier.
        let who = rng.below(n) * rng.below(n) / n;
        let ext = 2000 + rng.below(40);
        let at = chrono::DateTime::from_timestamp(now - rng.below(365 * 86_400) as i64, 0)
            .unwrap_or_default()
            .format("%Y-%m-%dT%H:%M:%SZ");
        out.push_str(&format!(
            "bench-{seed}-{i},{at},inbound,074{who:08},{ext},Officer {ext},{ext},120,answered\n"
        ));
    }
    out.into_bytes()
}

/// One new inbound call from one of the population's numbers, `at`, as a one-row export.
fn one_call(i: usize, who: u64, at: i64) -> Vec<u8> {
    let at = chrono::DateTime::from_timestamp(at, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ");
    format!(
        "Call ID,Start Time,Direction,Caller,Called,Agent,Extension,Duration,Result\n\
         bench-new-{i},{at},inbound,074{who:08},2001,Officer 2001,2001,60,answered\n"
    )
    .into_bytes()
}

/// Generates and imports the log into a fresh store (`store_url`, or SQLite in a temp dir),
/// times a full recompute, stage by stage, then `new` calls arriving `per_pass` at a time.
pub async fn flags(
    contacts: usize,
    customers: usize,
    (new, per_pass): (usize, usize),
    store_url: Option<&str>,
) -> Result<FlagsFigures, BenchError> {
    let dir = tempfile::tempdir().map_err(setup)?;
    let now = chrono::Utc::now().timestamp();
    let store = fresh_store(store_url, dir.path()).await?;
    let funnel = Funnel::new(store.clone(), &["example.org".to_string()]);
    let started = Instant::now();
    let raw = RawItem {
        source: calls_source::SOURCE.to_string(),
        locator: "population.csv".to_string(),
        kind: RawKind::CallLog(FormatChoice::Auto),
        bytes: population_log(contacts, customers, now, 42),
        received_at: Some(now),
        direction: crate::domain::Direction::Inbound,
        oversized: None,
    };
    let entries = funnel
        .prepare_batch(vec![raw])
        .await
        .map_err(|e| BenchError::Run(e.to_string()))?;
    let outcome = funnel
        .commit(&entries, None)
        .await
        .map_err(|e| BenchError::Run(e.to_string()))?;
    drop(entries);
    crate::pipeline::identity::stage::run(&store)
        .await
        .map_err(|e| BenchError::Run(e.to_string()))?;
    let distinct = store
        .export_customers()
        .await
        .map_err(|e| BenchError::Run(e.to_string()))?
        .len();
    println!(
        "bench flags: stored {} calls from {distinct} customers in {:.1} s",
        outcome.stored,
        started.elapsed().as_secs_f64()
    );
    let run = |e: flags::FlagsError| BenchError::Run(e.to_string());
    let mut signals_only = Config::default();
    signals_only.flags.contact_volume.enabled = false;
    signals_only.flags.staff_spread.enabled = false;
    signals_only.flags.repeat_topic.enabled = false;
    let mut patterns_only = Config::default();
    patterns_only.flags.signals.enabled = false;
    let (signals_engine, patterns_engine) = (
        Engine::new(&signals_only).map_err(run)?,
        Engine::new(&patterns_only).map_err(run)?,
    );
    reset(&store).await?;
    let started = Instant::now();
    let scanned = flags::evaluate(&store, &signals_engine, now, true)
        .await
        .map_err(run)?;
    let signals_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let pass = flags::evaluate(&store, &patterns_engine, now, true)
        .await
        .map_err(run)?;
    let patterns_secs = started.elapsed().as_secs_f64();
    println!(
        "bench flags: full recompute of {} contacts / {distinct} customers on {:?}: signal stage {signals_secs:.2} s ({} items with text read), pattern stage {patterns_secs:.2} s ({} flags raised); total {:.2} s",
        outcome.stored,
        store.kind(),
        scanned.scanned,
        pass.raised,
        signals_secs + patterns_secs
    );
    let per_pass = per_pass.max(1);
    let (first_pass_secs, per_pass_ms) =
        arriving(&store, &funnel, (new, per_pass), customers, now).await?;
    store.close().await;
    Ok(FlagsFigures {
        contacts: outcome.stored,
        customers: distinct,
        signals_secs,
        patterns_secs,
        raised: pass.raised,
        first_pass_secs,
        per_pass_ms,
        per_pass,
    })
}

/// `new` calls from the population over the last day, stored (and linked) `per_pass` at a
/// time as one raw item each, each group followed by the daemon's flag pass with one engine
/// kept throughout; the first pass (no memory yet) is timed apart. Returns it and
/// (median, p95, mean) of the others in ms.
async fn arriving(
    store: &Store,
    funnel: &Funnel,
    (new, per_pass): (usize, usize),
    customers: usize,
    now: i64,
) -> Result<(f64, (f64, f64, f64)), BenchError> {
    let run = |e: String| BenchError::Run(e);
    let engine = Engine::new(&Config::default()).map_err(|e| run(e.to_string()))?;
    let mut rng = Rng::new(43);
    let n = customers.max(1) as u64;
    let (mut first, mut times, mut read) = (0.0, Vec::new(), 0usize);
    for pass_no in 0..new.div_ceil(per_pass) {
        let raws: Vec<RawItem> = (pass_no * per_pass..new.min((pass_no + 1) * per_pass))
            .map(|i| RawItem {
                source: calls_source::SOURCE.to_string(),
                locator: format!("new-{i}.csv"),
                kind: RawKind::CallLog(FormatChoice::Auto),
                bytes: one_call(
                    i,
                    rng.below(n) * rng.below(n) / n,
                    now - rng.below(86_400) as i64,
                ),
                received_at: Some(now),
                direction: crate::domain::Direction::Inbound,
                oversized: None,
            })
            .collect();
        let entries = funnel
            .prepare_batch(raws)
            .await
            .map_err(|e| run(e.to_string()))?;
        funnel
            .commit(&entries, None)
            .await
            .map_err(|e| run(e.to_string()))?;
        crate::pipeline::identity::stage::run(store)
            .await
            .map_err(|e| run(e.to_string()))?;
        let started = Instant::now();
        let pass = flags::evaluate(store, &engine, now, false)
            .await
            .map_err(|e| run(e.to_string()))?;
        let secs = started.elapsed().as_secs_f64();
        if pass_no == 0 {
            first = secs;
        } else {
            times.push(secs * 1000.0);
            read += pass.pattern_contacts;
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| {
        times
            .get(((times.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    println!(
        "bench flags: {new} new calls, {per_pass} per pass: the first pass (no memory yet) {first:.2} s; \
         each later pass p50 {:.2} ms, p95 {:.2} ms, mean {mean:.2} ms = {:.3} ms per new item \
         (the pattern stage read {:.0} contacts a pass)",
        at(0.5),
        at(0.95),
        mean / per_pass as f64,
        read as f64 / times.len().max(1) as f64
    );
    Ok((first, (at(0.5), at(0.95), mean)))
}

async fn reset(store: &Store) -> Result<(), BenchError> {
    for stage in [SIGNAL_STAGE, PATTERN_STAGE] {
        store
            .reset_stage_cursor(stage)
            .await
            .map_err(|e| BenchError::Run(e.to_string()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_small_run_counts_every_contact_and_raises_flags_for_frequent_callers() {
        let figures = flags(3000, 300, (6, 2), None)
            .await
            .expect("the benchmark runs");
        assert_eq!(figures.per_pass, 2);
        assert_eq!(figures.contacts, 3000);
        assert!(figures.customers > 100, "{figures:?}");
        assert!(
            figures.raised > 0,
            "the most frequent callers stand out: {figures:?}"
        );
    }
}
