//! The OCR stage: letter scans are committed first (the scan is the evidence) with a job in
//! the queue; this stage reads each queued scan — text layer or tesseract — extracts its
//! fields and writes its item, removing the job in the same transaction. A crash mid-OCR
//! leaves the job queued, so the next run reads the letter again; nothing is lost and nothing
//! is written twice. A scan that keeps stopping the reader is quarantined after a few tries.

use super::{extract_letter, letter_record, read_scan, LettersConfig, OcrTools};
use crate::ingest::Funnel;
use crate::store::{KeptRaw, Part, StoreError};
use crate::telemetry::events;

/// A job tried this often without finishing (the reader crashed or was killed each time) is
/// quarantined instead of being tried forever.
const MAX_ATTEMPTS: i64 = 3;

/// What one drain of the queue did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OcrPass {
    /// Letters read and stored.
    pub read: usize,
    /// Letters quarantined (unreadable, over a limit, or OCR failed).
    pub quarantined: usize,
}

/// Jobs taken from the queue per round: the workers share them, so a core that finishes a
/// short letter takes the next job at once instead of waiting for the others.
const ROUND: i64 = 64;

/// One letter as read by a worker: its job, the kept scan and its item (or why not).
type Read = (i64, KeptRaw, Part);

/// Reads every queued letter scan with one worker per core, each taking the next job as soon
/// as it is free (a lone letter gets every core for its pages), while the results are stored
/// as they come. Returns when the queue is empty.
pub async fn drain(
    funnel: &Funnel,
    config: &LettersConfig,
    region: &str,
) -> Result<OcrPass, StoreError> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut pass = OcrPass::default();
    loop {
        let jobs = funnel.store().ocr_queue(ROUND).await?;
        if jobs.is_empty() {
            return Ok(pass);
        }
        let tools = OcrTools {
            parallel_pages: if jobs.len() == 1 { 0 } else { 1 },
            ..OcrTools::from_config(config)
        };
        let workers = cores.min(jobs.len());
        let queue = std::sync::Arc::new(std::sync::Mutex::new(
            jobs.into_iter()
                .map(|(raw_id, _)| raw_id)
                .collect::<std::collections::VecDeque<i64>>(),
        ));
        let (done, mut results) = tokio::sync::mpsc::channel::<Read>(workers);
        let mut pool = tokio::task::JoinSet::new();
        for _ in 0..workers {
            let (queue, done, funnel, config, tools, region) = (
                queue.clone(),
                done.clone(),
                funnel.clone(),
                config.clone(),
                tools.clone(),
                region.to_string(),
            );
            pool.spawn(async move {
                loop {
                    let next = queue.lock().map(|mut q| q.pop_front()).unwrap_or(None);
                    let Some(raw_id) = next else {
                        return Ok::<(), StoreError>(());
                    };
                    let attempts = funnel.store().ocr_attempt(raw_id).await?;
                    let Some(kept) = funnel.store().kept_raw(raw_id).await? else {
                        continue;
                    };
                    let (f, c, t, r) = (
                        funnel.clone(),
                        config.clone(),
                        tools.clone(),
                        region.clone(),
                    );
                    let read = tokio::task::spawn_blocking(move || {
                        let part = read_letter(&f, &kept, attempts, &c, &t, &r);
                        (raw_id, kept, part)
                    })
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("the OCR task failed: {e}")))?;
                    if done.send(read).await.is_err() {
                        return Ok(()); // the drain stopped on an error, reported there
                    }
                }
            });
        }
        drop(done);
        while let Some((raw_id, kept, part)) = results.recv().await {
            let quarantined = matches!(part.outcome, crate::store::PartOutcome::Quarantined { .. });
            if let crate::store::PartOutcome::Quarantined { reason } = &part.outcome {
                events::item_quarantined(&kept.source, &kept.locator, reason);
            }
            let outcome = funnel.store().complete_ocr(raw_id, &[part]).await?;
            if quarantined {
                pass.quarantined += 1;
            } else {
                pass.read += outcome.stored;
                events::letter_read(&kept.source, &kept.locator);
            }
        }
        while let Some(worker) = pool.join_next().await {
            worker.map_err(|e| StoreError::Corrupt(format!("an OCR worker failed: {e}")))??;
        }
    }
}

/// Reads one kept scan into its item, or the reason it is quarantined (blocking).
fn read_letter(
    funnel: &Funnel,
    kept: &KeptRaw,
    attempts: i64,
    config: &LettersConfig,
    tools: &OcrTools,
    region: &str,
) -> Part {
    let span = tracing::info_span!("ocr", source = %kept.source, locator = %kept.locator);
    let _entered = span.enter();
    if attempts > MAX_ATTEMPTS {
        return Part::quarantined(format!(
            "reading this scan stopped {MAX_ATTEMPTS} times without finishing; check the file opens, then `tidings quarantine retry`"
        ));
    }
    let Some(bytes) = kept.bytes.as_deref() else {
        return Part::quarantined(
            "the scan's bytes were not kept (over the size limit)".to_string(),
        );
    };
    let file = kept.locator.rsplit('/').next().unwrap_or(&kept.locator);
    match read_scan(bytes, file, &config.limits, tools) {
        Ok(scan) => {
            let fields = extract_letter(&scan.text, region);
            let received = kept
                .received_at
                .unwrap_or_else(|| chrono::Utc::now().timestamp());
            Part::item(funnel.item(letter_record(&kept.locator, &scan, &fields, received)))
        }
        Err(e) => Part::quarantined(e.to_string()),
    }
}
