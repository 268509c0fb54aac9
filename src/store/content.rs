//! How the original bytes of an item are kept: LZ4-compressed when that makes them smaller,
//! as they are otherwise. Always restored byte for byte; the evidence is never altered.

/// Messages smaller than this are stored as they are (compression would not pay).
const COMPRESS_FROM_BYTES: usize = 512;

/// Original bytes in their stored form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredContent {
    encoding: &'static str,
    bytes: Vec<u8>,
}

impl StoredContent {
    /// Prepares `original` for storage, compressing it when that saves space.
    pub fn new(original: Vec<u8>) -> Self {
        if original.len() >= COMPRESS_FROM_BYTES {
            let packed = lz4_flex::block::compress_prepend_size(&original);
            if packed.len() < original.len() {
                return Self {
                    encoding: "lz4",
                    bytes: packed,
                };
            }
        }
        Self {
            encoding: "identity",
            bytes: original,
        }
    }

    /// The encoding name stored beside the bytes.
    pub fn encoding(&self) -> &'static str {
        self.encoding
    }

    /// The bytes as stored.
    pub fn stored_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Restores original bytes from their stored form.
pub fn decode(encoding: &str, stored: Vec<u8>) -> Result<Vec<u8>, super::StoreError> {
    match encoding {
        "identity" => Ok(stored),
        "lz4" => lz4_flex::block::decompress_size_prepended(&stored).map_err(|e| {
            super::StoreError::Corrupt(format!("stored content does not decompress: {e}"))
        }),
        other => Err(super::StoreError::Corrupt(format!(
            "unknown content encoding {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_exactly_compressed_or_not() {
        let text = b"Dear team, I am writing about the hydrant outside number 12. ".repeat(40);
        let stored = StoredContent::new(text.clone());
        assert_eq!(stored.encoding(), "lz4");
        assert!(stored.stored_bytes().len() < text.len() / 2);
        assert_eq!(
            decode(stored.encoding(), stored.stored_bytes().to_vec()).expect("decodes"),
            text
        );

        let small = b"short".to_vec();
        let stored = StoredContent::new(small.clone());
        assert_eq!(stored.encoding(), "identity");
        assert_eq!(
            decode(stored.encoding(), stored.stored_bytes().to_vec()).expect("decodes"),
            small
        );
    }

    #[test]
    fn incompressible_bytes_stay_as_they_are() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        assert_eq!(StoredContent::new(noise).encoding(), "identity");
    }

    #[test]
    fn corrupt_or_unknown_content_is_an_error_not_a_panic() {
        assert!(decode("lz4", vec![255, 255, 255, 255, 1, 2, 3]).is_err());
        assert!(decode("zip", vec![1]).is_err());
    }
}
