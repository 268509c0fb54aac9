//! Scanned letters: a scan's bytes → its text (the PDF text layer, or tesseract OCR of each
//! page) → the fields a letter carries (sender, address, postcode, phones, emails, date,
//! addressee, subject) → a channel-neutral [`ContactRecord`](crate::domain::ContactRecord).
//!
//! [`read_scan`] runs child processes (poppler-utils, ImageMagick, tesseract) and blocks;
//! [`extract_letter`] and [`letter_record`] are pure. This module does not watch folders or
//! touch the store.

pub mod config;
pub mod extract;
mod image_header;
mod ocr;
mod process;
mod record;
mod scan;
pub mod source;
pub mod stage;

pub use config::{LettersConfig, ScanLimits};
pub use extract::{extract_letter, Addressee, LetterFields};
pub use image_header::ImagePage;
pub use ocr::OcrTools;
pub use record::letter_record;
pub use scan::{read_scan, ScanError, ScanKind, ScanText, TextSource, ACCEPTED_TYPES};
