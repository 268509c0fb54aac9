//! The bytes handed to mail-parser: header-block check, mbox `From ` line and BOM skipped,
//! and work-arounds for mail-parser's handling of 8-bit headers and odd line endings.

use mail_parser::decoders::charsets::map::charset_decoder;
use std::borrow::Cow;

/// The bytes mail-parser should see, or `None` if they do not start like a header block: after
/// an optional UTF-8 BOM, mbox `From ` line and blank lines, the first line must be
/// `field-name:` (printable ASCII, no spaces) — mail-parser alone accepts any garbage. Also
/// works around mail-parser quirks, copying only when needed: raw 8-bit header bytes that are
/// not UTF-8 are read as windows-1252 rather than replaced by U+FFFD; CR-only line endings
/// become LF; a final header line without a newline gets one (mail-parser drops it otherwise).
pub(super) fn prepare(bytes: &[u8]) -> Option<Cow<'_, [u8]>> {
    let mut rest = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if rest.starts_with(b"From ") {
        let eol = rest.iter().position(|&b| b == b'\n')?;
        rest = &rest[eol + 1..];
    }
    while let Some(r) = rest
        .strip_prefix(b"\r\n")
        .or_else(|| rest.strip_prefix(b"\n"))
    {
        rest = r;
    }
    let colon = rest.iter().take(1000).position(|&b| b == b':')?;
    let name = rest[..colon].trim_ascii_end();
    if name.is_empty() || !name.iter().all(|b| (33..=126).contains(b)) {
        return None;
    }
    let mut data = Cow::Borrowed(rest);
    if !rest.contains(&b'\n') && rest.contains(&b'\r') {
        data = Cow::Owned(
            rest.iter()
                .map(|&b| if b == b'\r' { b'\n' } else { b })
                .collect(),
        );
    }
    let header_end = (0..data.len()).find(|&i| {
        data[i] == b'\n' && (data.get(i + 1) == Some(&b'\n') || data[i + 1..].starts_with(b"\r\n"))
    });
    let header_len = header_end.map_or(data.len(), |i| i + 1);
    if std::str::from_utf8(&data[..header_len]).is_err() {
        let mut fixed = String::with_capacity(data.len() + 64);
        for chunk in data[..header_len].utf8_chunks() {
            fixed.push_str(chunk.valid());
            fixed.push_str(&decode_cp1252(chunk.invalid()));
        }
        let mut fixed = fixed.into_bytes();
        fixed.extend_from_slice(&data[header_len..]);
        data = Cow::Owned(fixed);
    }
    if header_end.is_none() && !data.ends_with(b"\n") {
        data.to_mut().push(b'\n');
    }
    Some(data)
}

fn decode_cp1252(bytes: &[u8]) -> String {
    match charset_decoder(b"windows-1252") {
        Some(decode) if !bytes.is_empty() => decode(bytes),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}
