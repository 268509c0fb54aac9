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

/// Reads every queued letter scan, up to one per core at a time (a single letter gets every
/// core for its pages). Returns when the queue is empty.
pub async fn drain(
    funnel: &Funnel,
    config: &LettersConfig,
    region: &str,
) -> Result<OcrPass, StoreError> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut pass = OcrPass::default();
    loop {
        let jobs = funnel.store().ocr_queue(cores as i64).await?;
        if jobs.is_empty() {
            return Ok(pass);
        }
        let tools = OcrTools {
            parallel_pages: if jobs.len() == 1 { 0 } else { 1 },
            ..OcrTools::from_config(config)
        };
        let mut tasks = Vec::with_capacity(jobs.len());
        for (raw_id, _) in jobs {
            let attempts = funnel.store().ocr_attempt(raw_id).await?;
            let Some(kept) = funnel.store().kept_raw(raw_id).await? else {
                continue;
            };
            let (funnel, config, tools, region) = (
                funnel.clone(),
                config.clone(),
                tools.clone(),
                region.to_string(),
            );
            tasks.push(tokio::task::spawn_blocking(move || {
                let part = read_letter(&funnel, &kept, attempts, &config, &tools, &region);
                (raw_id, kept, part)
            }));
        }
        for task in tasks {
            let (raw_id, kept, part) = task
                .await
                .map_err(|e| StoreError::Corrupt(format!("the OCR task failed: {e}")))?;
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
