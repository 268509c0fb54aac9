//! The child processes that read a scan: `pdfinfo`, `pdftotext` and `pdftoppm` (poppler-utils),
//! `convert` (ImageMagick) and `tesseract`. Every call has a deadline and is killed past it;
//! pages are OCR'd in parallel, one single-threaded tesseract per core, in a scratch folder
//! removed afterwards.

use super::config::{LettersConfig, ScanLimits};
use super::image_header::ImagePage;
use super::process::{scratch, write_input, Run};
use super::scan::{check_pages, ScanError, ScanKind, ScanText, TextSource};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A text layer with fewer letters than this per page on average is treated as absent (a
/// scanner's stray header, a page number) and the pages are OCR'd instead.
const MIN_LETTERS_PER_PAGE: usize = 20;
/// Pages narrower than this (A4 below about 200 dpi) are scaled up before OCR.
const LOW_RES_WIDTH: u64 = 1700;
/// The width an A4 page has at 300 dpi, which tesseract reads best.
const TARGET_WIDTH: u64 = 2480;

/// The programs used and how tesseract is asked to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcrTools {
    /// `tesseract`
    pub tesseract: PathBuf,
    /// `pdfinfo`
    pub pdfinfo: PathBuf,
    /// `pdftotext`
    pub pdftotext: PathBuf,
    /// `pdftoppm`
    pub pdftoppm: PathBuf,
    /// ImageMagick's `convert`
    pub convert: PathBuf,
    /// Tesseract language code(s) (`eng`, `eng+cym`).
    pub language: String,
    /// Pages OCR'd at once; 0 means one per available core.
    pub parallel_pages: usize,
}

impl Default for OcrTools {
    fn default() -> Self {
        Self {
            tesseract: "tesseract".into(),
            pdfinfo: "pdfinfo".into(),
            pdftotext: "pdftotext".into(),
            pdftoppm: "pdftoppm".into(),
            convert: "convert".into(),
            language: "eng".to_string(),
            parallel_pages: 0,
        }
    }
}

impl OcrTools {
    /// The programs on PATH with the configured OCR language.
    pub fn from_config(config: &LettersConfig) -> Self {
        Self {
            language: config.ocr_language.clone(),
            ..Self::default()
        }
    }
}

/// What `pdfinfo` says about a PDF: pages and each page's size in points.
fn pdf_info(
    run: &Run<'_>,
    tools: &OcrTools,
    input: &str,
    max_pages: u32,
) -> Result<Vec<(f64, f64)>, ScanError> {
    let last = (max_pages + 1).to_string();
    let info = match run.run(&tools.pdfinfo, &["-f", "1", "-l", &last, input]) {
        Ok(info) => info,
        Err(ScanError::ToolFailed { reason, .. }) if reason.contains("password") => {
            return Err(ScanError::Encrypted {
                file: run.file.to_string(),
            })
        }
        Err(ScanError::ToolFailed { reason, .. }) => {
            return Err(ScanError::Corrupt {
                file: run.file.to_string(),
                reason,
            })
        }
        Err(e) => return Err(e),
    };
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
    };
    if field("Encrypted:").is_some_and(|v| v.starts_with("yes")) {
        return Err(ScanError::Encrypted {
            file: run.file.to_string(),
        });
    }
    let pages: u32 = field("Pages:")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ScanError::Corrupt {
            file: run.file.to_string(),
            reason: "pdfinfo found no page count".to_string(),
        })?;
    if pages == 0 {
        return Err(ScanError::NoPages {
            file: run.file.to_string(),
        });
    }
    if pages > max_pages {
        return Err(ScanError::TooManyPages {
            file: run.file.to_string(),
            pages,
            max: max_pages,
        });
    }
    // "Page    1 size:  595 x 842 pts (A4)"
    let sizes: Vec<(f64, f64)> = info
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size:"))
        .filter_map(|l| {
            let dims = l.split("size:").nth(1)?;
            let mut parts = dims.split_whitespace();
            let w = parts.next()?.parse().ok()?;
            parts.next();
            let h = parts.next()?.parse().ok()?;
            Some((w, h))
        })
        .collect();
    Ok(if sizes.len() == pages as usize {
        sizes
    } else {
        vec![(595.0, 842.0); pages as usize]
    })
}

/// A PDF: its text layer when it has one, otherwise each page rasterised at 300 dpi and OCR'd.
pub(crate) fn read_pdf(
    bytes: &[u8],
    file: &str,
    limits: &ScanLimits,
    tools: &OcrTools,
) -> Result<ScanText, ScanError> {
    let dir = scratch(file)?;
    let input = write_input(dir.path(), ScanKind::Pdf, bytes, file)?;
    let input = input.to_string_lossy().into_owned();
    let run = Run {
        file,
        scratch: dir.path(),
        secs: limits.page_timeout_secs,
        page: None,
    };
    let sizes = pdf_info(&run, tools, &input, limits.max_pages)?;
    let pages = sizes.len() as u32;
    let text = run.run(&tools.pdftotext, &["-layout", "-enc", "UTF-8", &input, "-"])?;
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    if letters >= MIN_LETTERS_PER_PAGE * pages as usize {
        return Ok(ScanText {
            pages,
            text: join_pages(text.split('\u{c}')),
            source: TextSource::TextLayer,
        });
    }
    let at_300: Vec<ImagePage> = sizes
        .iter()
        .map(|(w, h)| ImagePage {
            width: (w / 72.0 * 300.0) as u64,
            height: (h / 72.0 * 300.0) as u64,
        })
        .collect();
    check_pages(&at_300, file, limits)?;
    let texts = ocr_pages(pages, tools, |page| {
        let run = Run {
            file,
            scratch: dir.path(),
            secs: limits.page_timeout_secs,
            page: Some(page),
        };
        let n = page.to_string();
        let prefix = format!("page-{page:03}");
        run.run(
            &tools.pdftoppm,
            &[
                "-r",
                "300",
                "-gray",
                "-singlefile",
                "-f",
                &n,
                "-l",
                &n,
                &input,
                &prefix,
            ],
        )?;
        // Uncompressed PGM: PNG's compression made rasterising 5× slower, and tesseract
        // reads both alike.
        tesseract(&run, tools, &format!("{prefix}.pgm"), true)
    })?;
    Ok(ScanText {
        pages,
        text: join_pages(texts.iter().map(String::as_str)),
        source: TextSource::Ocr,
    })
}

/// An image: each page (a TIFF may have several) scaled to about 300 dpi when it is a
/// low-resolution scan, then OCR'd.
pub(crate) fn read_image(
    bytes: &[u8],
    kind: ScanKind,
    sizes: &[ImagePage],
    file: &str,
    limits: &ScanLimits,
    tools: &OcrTools,
) -> Result<ScanText, ScanError> {
    let dir = scratch(file)?;
    let input = write_input(dir.path(), kind, bytes, file)?;
    let input = input.to_string_lossy().into_owned();
    let pages = sizes.len() as u32;
    let texts = ocr_pages(pages, tools, |page| {
        let run = Run {
            file,
            scratch: dir.path(),
            secs: limits.page_timeout_secs,
            page: Some(page),
        };
        let size = sizes[(page - 1) as usize];
        let scale =
            (size.width < LOW_RES_WIDTH).then(|| (TARGET_WIDTH * 100 / size.width.max(1)).min(400));
        let needs_convert = scale.is_some() || kind == ScanKind::Tiff;
        if !needs_convert {
            return tesseract(&run, tools, &input, false);
        }
        let source = format!("{input}[{}]", page - 1);
        // Uncompressed PGM (PNG's compression nearly doubled the conversion), scaled with
        // the triangle filter (half Lanczos's time; tesseract binarises the page anyway).
        let out = format!("page-{page:03}.pgm");
        let mut args = vec![source.as_str(), "-colorspace", "Gray"];
        let resize = scale.map(|s| format!("{s}%"));
        if let Some(r) = resize.as_deref() {
            args.extend([
                "-filter",
                "Triangle",
                "-resize",
                r,
                "-units",
                "PixelsPerInch",
                "-density",
                "300",
            ]);
        }
        args.push(&out);
        run.run(&tools.convert, &args)?;
        tesseract(&run, tools, &out, scale.is_some())
    })
    .map_err(|e| match e {
        // The header was sound, so a decoder that fails is reading a damaged body.
        ScanError::ToolFailed { reason, .. } if !reason.contains("language") => {
            ScanError::Corrupt {
                file: file.to_string(),
                reason,
            }
        }
        e => e,
    })?;
    Ok(ScanText {
        pages,
        text: join_pages(texts.iter().map(String::as_str)),
        source: TextSource::Ocr,
    })
}

fn tesseract(
    run: &Run<'_>,
    tools: &OcrTools,
    image: &str,
    at_300: bool,
) -> Result<String, ScanError> {
    let mut args = vec![image, "stdout", "-l", tools.language.as_str(), "--psm", "3"];
    if at_300 {
        args.extend(["--dpi", "300"]);
    }
    run.run(&tools.tesseract, &args)
}

/// Runs `read(page)` for pages 1..=pages, at most one per core at once; the texts in page
/// order, or the first page's error.
fn ocr_pages<F>(pages: u32, tools: &OcrTools, read: F) -> Result<Vec<String>, ScanError>
where
    F: Fn(u32) -> Result<String, ScanError> + Sync,
{
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = match tools.parallel_pages {
        0 => cores,
        n => n,
    }
    .min(pages as usize)
    .max(1);
    let next = AtomicUsize::new(1);
    let results: Mutex<Vec<Option<Result<String, ScanError>>>> =
        Mutex::new((0..pages).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let page = next.fetch_add(1, Ordering::SeqCst);
                if page > pages as usize {
                    break;
                }
                let result = read(page as u32);
                let failed = result.is_err();
                if let Ok(mut slots) = results.lock() {
                    slots[page - 1] = Some(result);
                }
                if failed {
                    // No more pages once one failed: the scan is refused anyway.
                    next.store(pages as usize + 1, Ordering::SeqCst);
                }
            });
        }
    });
    let slots = results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut texts = Vec::with_capacity(slots.len());
    let mut first_error = None;
    for slot in slots {
        match slot {
            Some(Ok(text)) => texts.push(text),
            Some(Err(e)) => {
                first_error.get_or_insert(e);
            }
            None => {}
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(texts),
    }
}

fn join_pages<'a>(pages: impl Iterator<Item = &'a str>) -> String {
    let parts: Vec<&str> = pages
        .map(str::trim_end)
        .filter(|p| !p.trim().is_empty())
        .collect();
    parts.join("\n\n")
}
