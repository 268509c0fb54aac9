//! `[letters]`: the drop folder of scanned letters, the OCR language and the limits every
//! scan is checked against before any tool decodes it.

use serde::Deserialize;
use std::path::PathBuf;

/// `[letters]`
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LettersConfig {
    /// Watch the letters folder at all.
    pub enabled: bool,
    /// Folder of scanned letters (PDF, PNG, JPEG, TIFF).
    pub path: PathBuf,
    /// Seconds between scans of the folder.
    pub poll_interval_secs: u64,
    /// A file is read only once its size and modification time have not changed for this
    /// many seconds (scanners write slowly).
    pub stable_secs: u64,
    /// Tesseract language code(s), e.g. `eng` or `eng+cym`; the language data must be
    /// installed (`tesseract-ocr-eng`, `tesseract-ocr-cym`).
    pub ocr_language: String,
    /// `[letters.limits]`: limits checked before any decoding.
    pub limits: ScanLimits,
}

impl Default for LettersConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            path: PathBuf::from("data/inbox/letters"),
            poll_interval_secs: 10,
            stable_secs: 5,
            ocr_language: "eng".to_string(),
            limits: ScanLimits::default(),
        }
    }
}

/// What a scan may be before it is refused: a guard against mistakes and decompression bombs.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ScanLimits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Most pages accepted in one PDF or TIFF.
    pub max_pages: u32,
    /// Most pixels in one page (width × height), checked from the file's header, and for a
    /// PDF page at 300 dpi, before decoding.
    pub max_pixels: u64,
    /// Seconds one page's rasterising or OCR may take before the tool is stopped.
    pub page_timeout_secs: u64,
}

impl Default for ScanLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 50 * 1024 * 1024,
            max_pages: 50,
            max_pixels: 100_000_000,
            page_timeout_secs: 120,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_section_is_the_defaults() {
        let config: LettersConfig = toml::from_str("").expect("empty section parses");
        assert_eq!(config, LettersConfig::default());
    }

    #[test]
    fn limits_are_a_table_of_their_own() {
        let config: LettersConfig =
            toml::from_str("enabled = true\nocr_language = \"eng+cym\"\n[limits]\nmax_pages = 5")
                .expect("section parses");
        assert!(config.enabled);
        assert_eq!(config.limits.max_pages, 5);
        assert_eq!(config.ocr_language, "eng+cym");
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<LettersConfig>("[limits]\nmax_pagez = 5").is_err());
    }
}
