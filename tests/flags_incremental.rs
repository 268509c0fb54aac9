//! A running daemon's pattern stage keeps every window's population between passes and
//! re-judges only the customers that new items belong to. That must give exactly what a pass
//! over the whole history gives. The same call log is fed in portions into two SQLite stores:
//! one evaluated by a single engine kept between passes (as the daemon keeps it), the other
//! by a new engine for every pass, which has no memory and reads everything. After every
//! portion the two hold the same flags — through an import of history scattered over the
//! year, new days after it, and a merge of two customers, which makes the memory stale.
#![allow(clippy::unwrap_used)] // a failed step should fail the test with its error

use tidings::config::Config;
use tidings::flags::{self, Engine, FlagPass};
use tidings::ingest::calls::{source as calls_source, FormatChoice};
use tidings::ingest::{Funnel, RawItem, RawKind};
use tidings::store::Store;

/// Everything a reviewer sees of a store's flags, in a stable order.
async fn flags_of(store: &Store) -> Vec<(String, String, i64, i64, String, String, Vec<String>)> {
    let mut out = Vec::new();
    for f in store.flags(None, true).await.unwrap() {
        let mut evidence: Vec<String> = store
            .flag_evidence(f.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.1)
            .collect();
        evidence.sort();
        out.push((
            f.customer_key,
            f.kind,
            f.window_start,
            f.window_end,
            f.figures,
            f.state,
            evidence,
        ));
    }
    out.sort();
    out
}

async fn import(store: &Store, name: &str, log: &[u8], now: i64) {
    let funnel = Funnel::new(store.clone(), &["example.org".to_string()]);
    let raw = RawItem {
        source: calls_source::SOURCE.to_string(),
        locator: name.to_string(),
        kind: RawKind::CallLog(FormatChoice::Auto),
        bytes: log.to_vec(),
        received_at: Some(now),
        direction: tidings::domain::Direction::Inbound,
        oversized: None,
    };
    let entries = funnel.prepare_batch(vec![raw]).await.unwrap();
    funnel.commit(&entries, None).await.unwrap();
    tidings::pipeline::identity::stage::run(store)
        .await
        .unwrap();
}

/// The header and every row `keep` says yes to, by row number.
fn portion(log: &str, keep: impl Fn(usize) -> bool) -> Vec<u8> {
    let mut lines = log.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for (_, line) in lines.enumerate().filter(|(i, _)| keep(*i)) {
        out.push_str(line);
        out.push('\n');
    }
    out.into_bytes()
}

#[tokio::test]
async fn a_kept_memory_gives_the_flags_of_reading_the_whole_history_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let now = chrono::Utc::now().timestamp();
    let open = |name: &str| format!("sqlite://{}/{name}.db", dir.path().display());
    let (kept, fresh) = (
        Store::open(&open("kept")).await.unwrap(),
        Store::open(&open("fresh")).await.unwrap(),
    );
    let config = Config::default();
    let engine = Engine::new(&config).unwrap();
    let year = String::from_utf8(tidings::bench::flags::population_log(6000, 400, now, 7)).unwrap();
    // New days after the year: the frequent callers calling again, over the next three days.
    let mut recent = String::from(
        "Call ID,Start Time,Direction,Caller,Called,Agent,Extension,Duration,Result\n",
    );
    for i in 0..300 {
        let at = chrono::DateTime::from_timestamp(now + 86_400 + i * 797, 0).unwrap();
        recent.push_str(&format!(
            "recent-{i},{},inbound,074{:08},2001,Officer 2001,2001,120,answered\n",
            at.format("%Y-%m-%dT%H:%M:%SZ"),
            i % 40
        ));
    }
    let portions: Vec<(String, Vec<u8>)> = vec![
        ("first".into(), portion(&year, |i| i % 5 == 0)),
        ("second".into(), portion(&year, |i| i % 5 == 1)),
        ("third".into(), portion(&year, |i| i % 5 == 2 || i % 5 == 3)),
        ("merge".into(), Vec::new()),
        ("fourth".into(), portion(&year, |i| i % 5 == 4)),
        ("recent".into(), portion(&recent, |i| i != 150)),
        ("one more".into(), portion(&recent, |i| i == 150)),
    ];
    let mut passes: Vec<(FlagPass, FlagPass)> = Vec::new();
    let later = now + 4 * 86_400;
    for (name, log) in &portions {
        if log.is_empty() {
            // Two customers found to be one caller: items change customer, the memory is stale.
            let mut keys: Vec<String> = kept
                .export_customers()
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.customer_key)
                .collect();
            keys.sort();
            for store in [&kept, &fresh] {
                store
                    .merge_customers(
                        &keys[0],
                        &keys[1],
                        "test",
                        "Checked: one caller on two numbers",
                    )
                    .await
                    .unwrap();
            }
            continue;
        }
        import(&kept, name, log, later).await;
        import(&fresh, name, log, later).await;
        let a = flags::evaluate(&kept, &engine, later, true).await.unwrap();
        let b = flags::evaluate(&fresh, &Engine::new(&config).unwrap(), later, true)
            .await
            .unwrap();
        assert_eq!(
            flags_of(&kept).await,
            flags_of(&fresh).await,
            "after {name}"
        );
        passes.push((a, b));
    }
    let raised: usize = passes.iter().map(|p| p.1.raised).sum();
    assert!(raised > 0, "the frequent callers are flagged: {passes:?}");
    // The memory was used: after the first pass, and again after the pass the merge made
    // read everything, the kept engine read only the new items' customers.
    let read = |i: usize| (passes[i].0.pattern_contacts, passes[i].1.pattern_contacts);
    assert_eq!(read(0).0, read(0).1, "the first pass reads everything");
    assert!(read(1).0 < read(1).1, "{:?}", read(1));
    assert_eq!(read(3).0, read(3).1, "after the merge, everything again");
    assert!(read(5).0 < read(5).1 / 10, "{:?}", read(5));
}
