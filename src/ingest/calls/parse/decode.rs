//! Bytes → text: UTF-8 (a byte-order mark dropped), else Windows-1252, which older
//! telephone-system exports on Windows use. Every byte sequence decodes; nothing panics.

use std::borrow::Cow;

/// Windows-1252 characters for bytes 0x80–0x9F (the rest of the range is Latin-1).
const CP1252_80_9F: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// The file's text.
pub(crate) fn text(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(
            bytes
                .iter()
                .map(|&b| match b {
                    0x80..=0x9f => CP1252_80_9F[usize::from(b - 0x80)],
                    _ => char::from(b),
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through_without_its_byte_order_mark() {
        assert_eq!(text("\u{feff}Siân,2101".as_bytes()), "Siân,2101");
    }

    #[test]
    fn windows_1252_is_decoded() {
        assert_eq!(text(b"Si\xe2n \x96 \x80"), "Siân – €");
    }
}
