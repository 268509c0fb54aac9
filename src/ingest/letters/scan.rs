//! Reading a scanned letter: sniffing the file type from its magic bytes, checking it against
//! the limits (size, pages, pixels from the header) before anything decodes it, and handing
//! it to the tools in [`super::ocr`]. The one entry is [`read_scan`].

use super::config::ScanLimits;
use super::image_header::{self, ImagePage};
use super::ocr::{self, OcrTools};

/// The kinds of file accepted, as named in error messages.
pub const ACCEPTED_TYPES: &str = "PDF, PNG, JPEG or TIFF";

/// What a scan's bytes are, by their magic bytes (never by the file name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanKind {
    /// `%PDF-`
    Pdf,
    /// `\x89PNG\r\n\x1a\n`
    Png,
    /// `FF D8 FF`
    Jpeg,
    /// `II*\0` or `MM\0*`
    Tiff,
}

impl ScanKind {
    /// Sniffs the kind from the first bytes; `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
            Some(Self::Tiff)
        } else {
            None
        }
    }

    /// The file extension the tools are given.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Tiff => "tif",
        }
    }
}

/// Where a letter's text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextSource {
    /// The PDF's own text layer (`pdftotext`).
    TextLayer,
    /// Tesseract OCR of the page images.
    Ocr,
}

impl TextSource {
    /// The stable name used in letter details (`text-layer`, `ocr`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TextLayer => "text-layer",
            Self::Ocr => "ocr",
        }
    }
}

/// The text of a scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanText {
    /// Pages in the scan.
    pub pages: u32,
    /// The text of every page in order, pages separated by a blank line.
    pub text: String,
    /// Text layer or OCR.
    pub source: TextSource,
}

/// Why a scan could not be read. Each message names the file and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The file has no bytes.
    #[error("{file}: the file is empty (0 bytes); scan the letter again")]
    Empty {
        /// The file name.
        file: String,
    },
    /// The file is larger than `max_file_bytes`.
    #[error("{file}: {bytes} bytes is more than the {max} allowed ([letters.limits] max_file_bytes); scan at a lower resolution or split the file")]
    TooLarge {
        /// The file name.
        file: String,
        /// Its size.
        bytes: u64,
        /// The limit.
        max: u64,
    },
    /// Not a PDF or a supported image.
    #[error("{file}: not a {ACCEPTED_TYPES} file (its first bytes say otherwise, whatever its name); save the scan as one of those")]
    UnsupportedType {
        /// The file name.
        file: String,
    },
    /// A password-protected PDF.
    #[error("{file}: encrypted PDF: save an unencrypted copy and put that in the folder")]
    Encrypted {
        /// The file name.
        file: String,
    },
    /// The file's structure could not be read.
    #[error("{file}: the file is damaged or incomplete ({reason}); scan or save it again")]
    Corrupt {
        /// The file name.
        file: String,
        /// What the reader found.
        reason: String,
    },
    /// A document without pages.
    #[error("{file}: the document has no pages; scan the letter again")]
    NoPages {
        /// The file name.
        file: String,
    },
    /// More pages than `max_pages`.
    #[error("{file}: {pages} pages is more than the {max} allowed ([letters.limits] max_pages); split the file")]
    TooManyPages {
        /// The file name.
        file: String,
        /// Pages in the file.
        pages: u32,
        /// The limit.
        max: u32,
    },
    /// A page with more pixels than `max_pixels` (a decompression bomb, or a far too fine scan).
    #[error("{file}: page {page} is {width}×{height} pixels, more than the {max} allowed ([letters.limits] max_pixels); scan at 300 dpi")]
    TooManyPixels {
        /// The file name.
        file: String,
        /// The page (1-based).
        page: u32,
        /// Width in pixels.
        width: u64,
        /// Height in pixels.
        height: u64,
        /// The limit.
        max: u64,
    },
    /// A tool is not installed.
    #[error("`{tool}` is not installed or not on PATH; run `apt-get install tesseract-ocr poppler-utils imagemagick`")]
    ToolMissing {
        /// The program name.
        tool: String,
    },
    /// A tool ran and failed.
    #[error("{file}: `{tool}` failed: {reason}")]
    ToolFailed {
        /// The file name.
        file: String,
        /// The program name.
        tool: String,
        /// Its error output (first lines) or exit status.
        reason: String,
    },
    /// OCR of a page took longer than `page_timeout_secs` and was stopped.
    #[error("{file}: OCR of page {page} took longer than {secs} s and was stopped; raise [letters.limits] page_timeout_secs or rescan the page more cleanly")]
    OcrTimeout {
        /// The file name.
        file: String,
        /// The page (1-based).
        page: u32,
        /// The limit.
        secs: u64,
    },
    /// Another tool took longer than `page_timeout_secs` and was stopped.
    #[error("{file}: `{tool}` took longer than {secs} s and was stopped; raise [letters.limits] page_timeout_secs")]
    ToolTimeout {
        /// The file name.
        file: String,
        /// The program name.
        tool: String,
        /// The limit.
        secs: u64,
    },
    /// The scratch folder could not be used.
    #[error("{file}: could not use a scratch folder for the scan ({source}); check that the temporary directory is writable")]
    Scratch {
        /// The file name.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Reads a scanned letter's text: the PDF text layer when it has real text, otherwise OCR of
/// every page. The file's type comes from its magic bytes; size, pages and pixels are checked
/// against `limits` before any tool decodes it. Blocking (runs child processes): call it on
/// a blocking pool.
pub fn read_scan(
    bytes: &[u8],
    file_name: &str,
    limits: &ScanLimits,
    tools: &OcrTools,
) -> Result<ScanText, ScanError> {
    let file = file_name.to_string();
    if bytes.is_empty() {
        return Err(ScanError::Empty { file });
    }
    let size = bytes.len() as u64;
    if size > limits.max_file_bytes {
        return Err(ScanError::TooLarge {
            file,
            bytes: size,
            max: limits.max_file_bytes,
        });
    }
    let kind = ScanKind::sniff(bytes).ok_or(ScanError::UnsupportedType { file: file.clone() })?;
    match kind {
        ScanKind::Pdf => ocr::read_pdf(bytes, file_name, limits, tools),
        ScanKind::Png | ScanKind::Jpeg | ScanKind::Tiff => {
            let pages = image_header::pages(bytes, kind).map_err(|reason| ScanError::Corrupt {
                file: file.clone(),
                reason,
            })?;
            check_pages(&pages, file_name, limits)?;
            ocr::read_image(bytes, kind, &pages, file_name, limits, tools)
        }
    }
}

/// Checks page count and each page's pixels against the limits.
pub(crate) fn check_pages(
    pages: &[ImagePage],
    file_name: &str,
    limits: &ScanLimits,
) -> Result<(), ScanError> {
    let file = file_name.to_string();
    if pages.is_empty() {
        return Err(ScanError::NoPages { file });
    }
    let count = u32::try_from(pages.len()).unwrap_or(u32::MAX);
    if count > limits.max_pages {
        return Err(ScanError::TooManyPages {
            file,
            pages: count,
            max: limits.max_pages,
        });
    }
    for (i, page) in pages.iter().enumerate() {
        if page.width == 0 || page.height == 0 {
            return Err(ScanError::Corrupt {
                file,
                reason: format!("page {} has no pixels", i + 1),
            });
        }
        if page.width.saturating_mul(page.height) > limits.max_pixels {
            return Err(ScanError::TooManyPixels {
                file,
                page: u32::try_from(i + 1).unwrap_or(u32::MAX),
                width: page.width,
                height: page.height,
                max: limits.max_pixels,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<ScanText, ScanError> {
        read_scan(bytes, "x", &ScanLimits::default(), &OcrTools::default())
    }

    #[test]
    fn sniffs_by_magic_bytes() {
        assert_eq!(ScanKind::sniff(b"%PDF-1.7\n"), Some(ScanKind::Pdf));
        assert_eq!(
            ScanKind::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(ScanKind::Png)
        );
        assert_eq!(
            ScanKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ScanKind::Jpeg)
        );
        assert_eq!(ScanKind::sniff(b"II*\0...."), Some(ScanKind::Tiff));
        assert_eq!(ScanKind::sniff(b"MM\0*...."), Some(ScanKind::Tiff));
        assert_eq!(ScanKind::sniff(b"Dear Sir"), None);
    }

    #[test]
    fn refuses_empty_oversized_and_unknown_files_before_any_tool() {
        assert!(matches!(read(b""), Err(ScanError::Empty { .. })));
        assert!(matches!(
            read(b"Dear Sir,"),
            Err(ScanError::UnsupportedType { .. })
        ));
        let limits = ScanLimits {
            max_file_bytes: 4,
            ..ScanLimits::default()
        };
        let too_big = read_scan(b"%PDF-1.4", "x", &limits, &OcrTools::default());
        assert!(matches!(too_big, Err(ScanError::TooLarge { bytes: 8, .. })));
    }

    #[test]
    fn the_unsupported_message_names_the_accepted_types() {
        let message = read(b"hello").expect_err("text is refused").to_string();
        assert!(message.contains("PDF, PNG, JPEG or TIFF"), "{message}");
    }

    #[test]
    fn page_limits_are_checked_from_headers() {
        let limits = ScanLimits::default();
        let bomb = [ImagePage {
            width: 100_000,
            height: 100_000,
        }];
        assert!(matches!(
            check_pages(&bomb, "x", &limits),
            Err(ScanError::TooManyPixels { page: 1, .. })
        ));
        let many = vec![
            ImagePage {
                width: 10,
                height: 10
            };
            51
        ];
        assert!(matches!(
            check_pages(&many, "x", &limits),
            Err(ScanError::TooManyPages { pages: 51, .. })
        ));
    }
}
