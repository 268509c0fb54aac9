//! `tidings bench letters`: OCR pages/s through the product's OCR stage beside bare
//! `tesseract` on the same pages with the same parallelism, text-layer PDF letters per second
//! through the same stage, and field accuracy on the labelled letters beside a naive baseline.

use super::letter_fields::{naive, Compared, Tally, FIELDS};
use super::{setup, BenchError};
use crate::ingest::letters::{
    extract_letter, read_scan, stage, LettersConfig, OcrTools, ScanLimits,
};
use crate::ingest::{Funnel, RawItem, RawKind};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// A labelled letter: its scan and its `NNN.expected.json`.
#[derive(Clone, Debug)]
pub struct Labelled {
    /// The scan file.
    pub path: PathBuf,
    /// Pages, from the labels.
    pub pages: u32,
    /// True when the labels say the text comes from a PDF text layer.
    pub text_layer: bool,
    /// The labels.
    pub expected: Value,
}

/// Figures of one `bench letters` run.
#[derive(Clone, Debug, Default)]
pub struct LettersFigures {
    /// Pages OCR'd by each side.
    pub ocr_pages: usize,
    /// Seconds the OCR stage took for them.
    pub stage_secs: f64,
    /// Seconds bare tesseract took for the same pages.
    pub tesseract_secs: f64,
    /// Text-layer PDF letters read by the stage.
    pub text_pdfs: usize,
    /// Seconds the stage took for them.
    pub text_secs: f64,
    /// Tidings' field accuracy.
    pub product: Tally,
    /// The naive baseline's field accuracy.
    pub baseline: Tally,
}

/// The labelled letters in `dir` (every `NNN.expected.json` and the scan it names), by name.
pub fn labelled(dir: &Path) -> Result<Vec<Labelled>, BenchError> {
    let mut labels: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| BenchError::Setup(format!("cannot read the letters folder {}: {e}; pass --dir tests/fixtures/letters from the repository root", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    labels.sort();
    let mut out = Vec::with_capacity(labels.len());
    for label in labels {
        let text = std::fs::read_to_string(&label).map_err(setup)?;
        let expected: Value = serde_json::from_str(&text)
            .map_err(|e| BenchError::Setup(format!("{}: {e}", label.display())))?;
        let Some(file) = expected["file"].as_str() else {
            return Err(BenchError::Setup(format!(
                "{} names no \"file\"",
                label.display()
            )));
        };
        out.push(Labelled {
            path: dir.join(file),
            pages: expected["pages"].as_u64().unwrap_or(1) as u32,
            text_layer: expected["text_source"].as_str() == Some("text-layer"),
            expected,
        });
    }
    if out.is_empty() {
        return Err(BenchError::Setup(format!(
            "no NNN.expected.json in {}",
            dir.display()
        )));
    }
    Ok(out)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// Copy `n` of a scan: its bytes with a trailing comment (after PDF `%%EOF`, after the PNG
/// `IEND`/JPEG `EOI`/TIFF data), which every reader ignores, so each copy is its own raw item.
fn copy_bytes(bytes: &[u8], n: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out.extend_from_slice(format!("\n%tidings-bench-copy {n}\n").as_bytes());
    out
}

/// Queues `copies` in a fresh SQLite store and times `stage::drain` reading them all.
async fn time_stage(copies: &[&Labelled]) -> Result<(f64, usize), BenchError> {
    let dir = tempfile::tempdir().map_err(setup)?;
    let store = super::fresh_store(None, dir.path()).await?;
    let funnel = Funnel::new(store.clone(), &["example.org".to_string()]);
    let mut raws = Vec::with_capacity(copies.len());
    for (n, letter) in copies.iter().enumerate() {
        let bytes = std::fs::read(&letter.path).map_err(setup)?;
        raws.push(RawItem {
            source: crate::ingest::letters::source::SOURCE.to_string(),
            locator: format!("copy{n:04}/{}", file_name(&letter.path)),
            kind: RawKind::LetterScan,
            bytes: copy_bytes(&bytes, n),
            received_at: Some(chrono::Utc::now().timestamp()),
            direction: crate::domain::Direction::Inbound,
            oversized: None,
        });
    }
    let queued = funnel
        .ingest(raws, None)
        .await
        .map_err(|e| BenchError::Run(e.to_string()))?;
    let started = Instant::now();
    let pass = stage::drain(&funnel, &LettersConfig::default(), "GB")
        .await
        .map_err(|e| BenchError::Run(e.to_string()))?;
    let secs = started.elapsed().as_secs_f64();
    store.close().await;
    if pass.quarantined > 0 || pass.read != queued.pending {
        return Err(BenchError::Run(format!(
            "the OCR stage read {} of {} queued letters and quarantined {}; see `tidings quarantine list` reasons by running the letters golden test",
            pass.read, queued.pending, pass.quarantined
        )));
    }
    Ok((secs, pass.read))
}

/// The page images a bare tesseract reads for a scan, as the scanner made them: image files as
/// they are, TIFF pages split out losslessly, PDF pages rasterised at 300 dpi grey (as the
/// product does; a bare tesseract cannot read PDF). Not timed.
fn page_images(letter: &Labelled, scratch: &Path) -> Result<Vec<PathBuf>, BenchError> {
    let name = file_name(&letter.path);
    let ext = letter
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    let run = |program: &str, args: &[&str]| -> Result<(), BenchError> {
        let status = Command::new(program).args(args).status().map_err(|e| {
            BenchError::Setup(format!("cannot run {program} ({e}); install it first"))
        })?;
        if status.success() {
            Ok(())
        } else {
            Err(BenchError::Setup(format!("{program} failed on {name}")))
        }
    };
    let input = letter.path.to_string_lossy().into_owned();
    let mut out = Vec::new();
    for page in 1..=letter.pages {
        let image = scratch.join(format!("{name}-{page}.png"));
        let target = image.to_string_lossy().into_owned();
        match ext {
            "pdf" => {
                let prefix = target.trim_end_matches(".png").to_string();
                let n = page.to_string();
                run(
                    "pdftoppm",
                    &[
                        "-r",
                        "300",
                        "-gray",
                        "-png",
                        "-singlefile",
                        "-f",
                        &n,
                        "-l",
                        &n,
                        &input,
                        &prefix,
                    ],
                )?;
            }
            "tif" | "tiff" => run("convert", &[&format!("{input}[{}]", page - 1), &target])?,
            _ => {
                out.push(letter.path.clone());
                continue;
            }
        }
        out.push(image);
    }
    Ok(out)
}

/// Bare tesseract on `images`, one single-threaded process per core at once
/// (`OMP_THREAD_LIMIT=1`); the seconds taken and each image's text.
fn time_tesseract(images: &[PathBuf]) -> Result<(f64, Vec<String>), BenchError> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let next = AtomicUsize::new(0);
    let texts: Mutex<Vec<Result<String, String>>> =
        Mutex::new(vec![Ok(String::new()); images.len()]);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..cores.min(images.len()).max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(image) = images.get(i) else { break };
                let text = Command::new("tesseract")
                    .arg(image)
                    .args(["stdout", "-l", "eng"])
                    .env("OMP_THREAD_LIMIT", "1")
                    .output()
                    .map_err(|e| format!("cannot run tesseract ({e}); install tesseract-ocr"))
                    .and_then(|o| {
                        if o.status.success() {
                            Ok(String::from_utf8_lossy(&o.stdout).into_owned())
                        } else {
                            Err(format!("tesseract failed on {}", image.display()))
                        }
                    });
                if let Ok(mut slots) = texts.lock() {
                    slots[i] = text;
                }
            });
        }
    });
    let secs = started.elapsed().as_secs_f64();
    let texts = texts
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(BenchError::Run)?;
    Ok((secs, texts))
}

/// Runs the three measurements on the labelled letters in `dir`: at least `pages` OCR pages
/// (image scans and image-only PDFs, cycled), `pdfs` text-layer PDF letters, and one pass of
/// field extraction over every letter. Prints the figures.
pub async fn letters(pages: usize, pdfs: usize, dir: &Path) -> Result<LettersFigures, BenchError> {
    let all = labelled(dir)?;
    let scans: Vec<&Labelled> = all.iter().filter(|l| !l.text_layer).collect();
    let layers: Vec<&Labelled> = all.iter().filter(|l| l.text_layer).collect();
    if scans.is_empty() || layers.is_empty() {
        return Err(BenchError::Setup(format!(
            "{} needs both image scans and text-layer PDFs",
            dir.display()
        )));
    }
    let mut copies: Vec<&Labelled> = Vec::new();
    let mut ocr_pages = 0;
    while ocr_pages < pages.max(1) {
        let letter = scans[copies.len() % scans.len()];
        ocr_pages += letter.pages as usize;
        copies.push(letter);
    }

    // (a) The OCR stage, then bare tesseract on the same pages.
    let (stage_secs, _) = time_stage(&copies).await?;
    let scratch = tempfile::tempdir().map_err(setup)?;
    let mut per_letter: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    for letter in &scans {
        per_letter.insert(letter.path.clone(), page_images(letter, scratch.path())?);
    }
    let images: Vec<PathBuf> = copies
        .iter()
        .flat_map(|l| per_letter.get(&l.path).cloned().unwrap_or_default())
        .collect();
    let (tesseract_secs, texts) =
        tokio::task::spawn_blocking(move || time_tesseract(&images).map(|(s, t)| (s, t, images)))
            .await
            .map_err(|e| BenchError::Run(e.to_string()))?
            .map(|(s, t, images)| (s, images.into_iter().zip(t).collect::<HashMap<_, _>>()))?;
    let stage_rate = ocr_pages as f64 / stage_secs;
    let bare_rate = ocr_pages as f64 / tesseract_secs;
    println!(
        "bench letters: OCR stage read {} letters, {ocr_pages} pages in {stage_secs:.1} s = {stage_rate:.2} pages/s; bare tesseract (one per core, OMP_THREAD_LIMIT=1) {tesseract_secs:.1} s = {bare_rate:.2} pages/s; stage ÷ tesseract = {:.2}",
        copies.len(),
        stage_rate / bare_rate
    );

    // (b) Text-layer PDFs through the same stage.
    let pdf_copies: Vec<&Labelled> = (0..pdfs.max(1)).map(|i| layers[i % layers.len()]).collect();
    let (text_secs, text_pdfs) = time_stage(&pdf_copies).await?;
    println!(
        "bench letters: OCR stage read {text_pdfs} text-layer PDF letters in {text_secs:.2} s = {:.0} letters/s",
        text_pdfs as f64 / text_secs
    );

    // (c) Field accuracy: Tidings (read_scan + extract_letter) beside regexes on bare text.
    let all_for_blocking = all.clone();
    let (product, baseline) =
        tokio::task::spawn_blocking(move || accuracy(&all_for_blocking, &per_letter, &texts))
            .await
            .map_err(|e| BenchError::Run(e.to_string()))??;
    println!(
        "bench letters: field accuracy on {} labelled letters (tidings | naive regexes on bare tesseract/pdftotext text; letters with a value)",
        product.letters
    );
    for (i, field) in FIELDS.iter().enumerate() {
        println!(
            "  {field:<12} {:>6.3} | {:>6.3}   ({} of {})",
            product.accuracy(i),
            baseline.accuracy(i),
            product.present[i],
            product.letters
        );
    }
    for miss in &product.misses {
        println!("  tidings miss: {miss}");
    }
    Ok(LettersFigures {
        ocr_pages,
        stage_secs,
        tesseract_secs,
        text_pdfs,
        text_secs,
        product,
        baseline,
    })
}

/// Tidings' extraction and the naive baseline over every labelled letter. The baseline's text
/// is bare tesseract's output for scans (reused from the timed run) and plain `pdftotext`
/// for text-layer PDFs.
fn accuracy(
    all: &[Labelled],
    per_letter: &HashMap<PathBuf, Vec<PathBuf>>,
    texts: &HashMap<PathBuf, String>,
) -> Result<(Tally, Tally), BenchError> {
    let (mut product, mut baseline) = (Tally::default(), Tally::default());
    for letter in all {
        let name = file_name(&letter.path);
        let bytes = std::fs::read(&letter.path).map_err(setup)?;
        let scan = read_scan(&bytes, &name, &ScanLimits::default(), &OcrTools::default())
            .map_err(|e| BenchError::Run(e.to_string()))?;
        let expected = Compared::of_labels(&letter.expected);
        product.add(
            &name,
            &Compared::of_fields(&extract_letter(&scan.text, "GB")),
            &expected,
        );
        let bare = if letter.text_layer {
            let out = Command::new("pdftotext")
                .arg(&letter.path)
                .arg("-")
                .output()
                .map_err(|e| BenchError::Setup(format!("cannot run pdftotext ({e})")))?;
            String::from_utf8_lossy(&out.stdout).into_owned()
        } else {
            let images = per_letter.get(&letter.path).cloned().unwrap_or_default();
            let missing: Vec<PathBuf> = images
                .iter()
                .filter(|i| !texts.contains_key(*i))
                .cloned()
                .collect();
            let (_, extra) = time_tesseract(&missing)?;
            let extra: HashMap<&PathBuf, String> = missing.iter().zip(extra).collect();
            images
                .iter()
                .filter_map(|i| texts.get(i).or_else(|| extra.get(i)).cloned())
                .collect::<Vec<_>>()
                .join("\n\n")
        };
        baseline.add(&name, &naive(&bare), &expected);
    }
    Ok((product, baseline))
}
