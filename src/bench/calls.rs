//! `tidings bench calls`: a generated call log written to a file and imported the way
//! `tidings import calls` does it (one raw item of kind `CallLog` → prepare → commit), with
//! the parse alone timed beside it.

use super::{fresh_store, peak_rss_mb, reset_peak_rss, setup, BenchError};
use crate::domain::UnixTime;
use crate::ingest::calls::{parse_call_log, source as calls_source, CallContext, FormatChoice};
use crate::ingest::{Funnel, RawItem, RawKind};
use crate::sample::Rng;
use crate::store::{EntryOutcome, PartOutcome};
use std::time::Instant;

/// Which telephone system's export the benchmark generates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CallShape {
    /// The generic headed export that `sample::call_log` writes.
    Export,
    /// Asterisk `cdr_csv` `Master.csv`: no header, 18 quoted columns.
    Asterisk,
}

/// Figures of one `bench calls` run.
#[derive(Clone, Debug, PartialEq)]
pub struct CallsFigures {
    /// Data rows in the file.
    pub rows: usize,
    /// File size in bytes.
    pub file_bytes: usize,
    /// Seconds to parse the file alone (bytes → rows of contact records).
    pub parse_secs: f64,
    /// Seconds to prepare the raw item (fingerprint, parse, link).
    pub prepare_secs: f64,
    /// Seconds to commit the prepared entry to the store.
    pub commit_secs: f64,
    /// Calls stored.
    pub stored: usize,
    /// Rows quarantined.
    pub quarantined: usize,
    /// Peak RSS during the import, in MB.
    pub import_rss_mb: Option<f64>,
    /// Items the link stage decided after the import.
    pub linked: usize,
    /// Seconds the link stage took.
    pub link_secs: f64,
    /// Seconds a full re-resolve (`tidings links recompute`) of the same items took.
    pub relink_secs: f64,
}

impl CallsFigures {
    /// Whole import (read file, prepare, commit) in seconds.
    pub fn import_secs(&self) -> f64 {
        self.prepare_secs + self.commit_secs
    }
}

/// An Asterisk `Master.csv` of `count` calls over the 20 days before `now`, in the shape of
/// `cdr_csv` (local times, quoted fields, `ANSWERED`/`NO ANSWER`, uniqueid per call): residents
/// calling extensions 2000–2011 or a queue, some withheld, some staff calling out with the `9`
/// trunk prefix. Numbers are from Ofcom's drama ranges.
pub fn asterisk_log(count: usize, now: UnixTime, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(count * 260);
    for n in 0..count {
        let resident = rng.below(1000);
        let number = format!("0151496{resident:04}");
        let ext = 2000 + rng.below(12);
        let start = now - rng.below(20 * 86_400) as i64;
        let ring = 3 + rng.below(20) as i64;
        let answered = rng.below(6) != 0;
        let billsec = if answered {
            30 + rng.below(600) as i64
        } else {
            0
        };
        let time = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0)
                .unwrap_or_default()
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        };
        let (src, dst, context, clid) = match rng.below(10) {
            0 => (
                ext.to_string(),
                format!("9{number}"),
                "from-internal",
                format!("\"\"Officer {ext}\"\" <{ext}>"),
            ),
            1 => (
                "anonymous".to_string(),
                ext.to_string(),
                "from-pstn",
                "\"\"Anonymous\"\" <anonymous>".to_string(),
            ),
            _ => (
                number.clone(),
                ext.to_string(),
                "from-pstn",
                format!("\"\" <{number}>"),
            ),
        };
        let answer = if answered {
            time(start + ring)
        } else {
            String::new()
        };
        let end = time(start + ring + billsec);
        let disposition = if answered { "ANSWERED" } else { "NO ANSWER" };
        out.push_str(&format!(
            "\"\",\"{src}\",\"{dst}\",\"{context}\",\"{clid}\",\"PJSIP/trunk-{n:08x}\",\"PJSIP/{ext}-{n:08x}\",\"Dial\",\"\",\"{}\",\"{answer}\",\"{end}\",{},{billsec},\"{disposition}\",\"DOCUMENTATION\",\"{start}.{n}\",\"\"\n",
            time(start),
            ring + billsec,
        ));
    }
    out.into_bytes()
}

/// Generates `rows` calls of `shape`, writes them to a file, parses the file alone, then
/// imports it into a fresh store (`store_url`, or SQLite in a temp dir) through the funnel as
/// `tidings import calls` does, and prints rows/s for each and the peak RSS of the import.
pub async fn calls(
    rows: usize,
    shape: CallShape,
    store_url: Option<&str>,
) -> Result<CallsFigures, BenchError> {
    let dir = tempfile::tempdir().map_err(setup)?;
    let now = chrono::Utc::now().timestamp();
    let (bytes, file_name, format) = match shape {
        CallShape::Export => (
            crate::sample::call_log(rows, now, 42),
            "calls.csv",
            FormatChoice::Auto,
        ),
        CallShape::Asterisk => (
            asterisk_log(rows, now, 42),
            "Master.csv",
            FormatChoice::Auto,
        ),
    };
    let path = dir.path().join(file_name);
    std::fs::write(&path, &bytes).map_err(setup)?;
    let file_bytes = bytes.len();
    drop(bytes);

    // Parse alone: bytes → rows, nothing linked or stored.
    let bytes = std::fs::read(&path).map_err(setup)?;
    let started = Instant::now();
    let log = parse_call_log(&bytes, file_name, format.clone(), &CallContext::default())
        .map_err(|e| BenchError::Run(e.to_string()))?;
    let parse_secs = started.elapsed().as_secs_f64();
    let parsed_rows = log.rows.len();
    let bad_rows = log.rows.iter().filter(|r| r.is_err()).count();
    drop(log);
    drop(bytes);
    println!(
        "bench calls: parsed {parsed_rows} {shape:?} rows ({:.1} MB, {bad_rows} unreadable) in {parse_secs:.2} s = {:.0} rows/s",
        file_bytes as f64 / 1e6,
        parsed_rows as f64 / parse_secs
    );

    // The whole import, as `tidings import calls` runs it.
    reset_peak_rss();
    let store = fresh_store(store_url, dir.path()).await?;
    let funnel = Funnel::new(store.clone(), &["example.org".to_string()]);
    let started = Instant::now();
    let raw = RawItem {
        source: calls_source::SOURCE.to_string(),
        locator: file_name.to_string(),
        kind: RawKind::CallLog(format),
        bytes: std::fs::read(&path).map_err(setup)?,
        received_at: Some(now),
        direction: crate::domain::Direction::Inbound,
        oversized: None,
    };
    let entries = funnel
        .prepare_batch(vec![raw])
        .await
        .map_err(|e| BenchError::Run(e.to_string()))?;
    let prepare_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let outcome = funnel
        .commit(&entries, None)
        .await
        .map_err(|e| BenchError::Run(e.to_string()))?;
    let commit_secs = started.elapsed().as_secs_f64();
    let import_rss_mb = peak_rss_mb();
    let quarantined = entries
        .iter()
        .flat_map(|e| match &e.outcome {
            EntryOutcome::Parts(parts) => parts.as_slice(),
            EntryOutcome::Pending => &[],
        })
        .filter(|p| matches!(p.outcome, PartOutcome::Quarantined { .. }))
        .count();
    drop(entries);

    // The link stage decides the first items in the import's own transaction (in the commit
    // time above); the rest after the import, then a full re-resolve of the same items.
    let started = Instant::now();
    let mut linked = crate::pipeline::identity::stage::run(&store)
        .await
        .map_err(|e| BenchError::Run(e.to_string()))?;
    let link_secs = started.elapsed().as_secs_f64();
    let in_commit = outcome.linked.decided;
    linked += outcome.linked;
    let started = Instant::now();
    crate::pipeline::identity::stage::relink(&store)
        .await
        .map_err(|e| BenchError::Run(e.to_string()))?;
    let relink_secs = started.elapsed().as_secs_f64();
    println!(
        "bench calls: link stage decided {in_commit} item(s) in the import's transaction, then {} in {link_secs:.2} s = {:.0} items/s; full re-resolve {relink_secs:.2} s = {:.0} items/s",
        linked.decided - in_commit,
        (linked.decided - in_commit) as f64 / link_secs,
        linked.decided as f64 / relink_secs
    );
    store.close().await;
    let figures = CallsFigures {
        rows: parsed_rows,
        file_bytes,
        parse_secs,
        prepare_secs,
        commit_secs,
        stored: outcome.stored,
        quarantined,
        import_rss_mb,
        linked: linked.decided,
        link_secs,
        relink_secs,
    };
    let whole = figures.import_secs();
    println!(
        "bench calls: imported {parsed_rows} rows in {whole:.2} s = {:.0} rows/s into {:?} (prepare: fingerprint+parse+link {prepare_secs:.2} s = {:.0} rows/s; commit {commit_secs:.2} s = {:.0} rows/s; stored {}, quarantined {quarantined}); peak RSS {:.0} MB",
        parsed_rows as f64 / whole,
        store.kind(),
        parsed_rows as f64 / prepare_secs,
        parsed_rows as f64 / commit_secs,
        outcome.stored,
        import_rss_mb.unwrap_or(f64::NAN)
    );
    Ok(figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_asterisk_log_reads_as_asterisk_calls() {
        let log = asterisk_log(300, 1_800_000_000, 5);
        let parsed = parse_call_log(
            &log,
            "Master.csv",
            FormatChoice::Auto,
            &CallContext::default(),
        )
        .expect("the Asterisk shape is recognised");
        assert_eq!(parsed.format, "asterisk");
        assert_eq!(parsed.rows.len(), 300);
        assert!(
            parsed.rows.iter().all(Result::is_ok),
            "{:?}",
            parsed.rows.iter().find(|r| r.is_err())
        );
    }

    #[tokio::test]
    async fn a_small_run_stores_every_generated_call() {
        for shape in [CallShape::Export, CallShape::Asterisk] {
            let figures = calls(500, shape, None).await.expect("the bench runs");
            assert_eq!(figures.rows, 500, "{shape:?}");
            // Every call with a caller's number is decided; withheld ones have none.
            assert!(
                figures.linked > figures.stored / 2 && figures.linked <= figures.stored,
                "{shape:?}: {figures:?}"
            );
            assert_eq!(figures.quarantined, 0, "{shape:?}");
            // Every generated call has its own call id, so each is stored once.
            assert_eq!(figures.stored, 500, "{shape:?}: {figures:?}");
        }
    }
}
