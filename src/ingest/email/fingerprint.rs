//! Content fingerprints: one SHA-256 per message that is the same wherever the message was
//! stored (two mailboxes, IMAP or Maildir, mbox), so de-duplication works across sources.
//! A hot path: the message is streamed into the hasher through a small stack buffer, without
//! allocating.
//!
//! What is hashed: the header fields that the sender wrote (in their order, names lower-cased,
//! values unfolded and whitespace-collapsed), then the body. Ignored: the mbox `From ` line,
//! transport and delivery headers added on the way in (see [`is_transport_header`]), CR before
//! LF, `>` quoting of body lines that start `From ` (mbox escaping), and whitespace at the end.

use sha2::{Digest, Sha256};
use std::fmt;

/// Exact header names (lower case) added in transit or at delivery, and so different between
/// two stored copies of the same message.
const TRANSPORT_HEADERS: &[&[u8]] = &[
    b"received",
    b"x-received",
    b"return-path",
    b"delivered-to",
    b"x-original-to",
    b"envelope-to",
    b"x-envelope-from",
    b"x-envelope-to",
    b"authentication-results",
    b"x-original-authentication-results",
    b"received-spf",
    b"status",
    b"x-status",
    b"x-keywords",
    b"x-uid",
    b"x-uidl",
    b"content-length",
    b"lines",
    b"dkim-filter",
    b"x-greylist",
];

/// Header name prefixes (lower case) of the same kind: filters, scanners, mail stores and
/// Microsoft 365 delivery stamps.
const TRANSPORT_PREFIXES: &[&[u8]] = &[
    b"arc-",
    b"x-spam",
    b"x-virus",
    b"x-imap",
    b"x-mozilla-status",
    b"x-rspamd",
    b"x-amavis",
    b"x-ms-exchange-",
    b"x-microsoft-antispam",
    b"x-forefront-antispam",
];

/// A SHA-256 content fingerprint of one message; see the module documentation for what it
/// covers. Equal fingerprints mean the same message, however it was stored.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// Fingerprints a raw RFC 5322 message (any bytes are accepted; never panics).
    pub fn of_message(bytes: &[u8]) -> Fingerprint {
        let mut sink = Sink::new();
        let body = hash_headers(&mut sink, skip_mbox_from_line(bytes));
        sink.update(b"\n");
        hash_body(&mut sink, trim_end_whitespace(body));
        Fingerprint(sink.finish())
    }

    /// The 32 raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The fingerprint as 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({})", self.to_hex())
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

/// True for header fields added in transit or at delivery, which the fingerprint ignores.
pub fn is_transport_header(name: &[u8]) -> bool {
    TRANSPORT_HEADERS
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
        || TRANSPORT_PREFIXES
            .iter()
            .any(|p| name.len() >= p.len() && name[..p.len()].eq_ignore_ascii_case(p))
}

/// Batches the many small writes (header words, body lines) into few hasher updates;
/// SHA-256 costs far more per call than a copy into this buffer.
struct Sink {
    hasher: Sha256,
    buf: [u8; 4096],
    len: usize,
}

impl Sink {
    fn new() -> Self {
        Self {
            hasher: Sha256::new(),
            buf: [0; 4096],
            len: 0,
        }
    }

    fn update(&mut self, data: &[u8]) {
        if self.len + data.len() > self.buf.len() {
            self.hasher.update(&self.buf[..self.len]);
            self.len = 0;
            if data.len() >= self.buf.len() {
                self.hasher.update(data);
                return;
            }
        }
        self.buf[self.len..self.len + data.len()].copy_from_slice(data);
        self.len += data.len();
    }

    fn finish(mut self) -> [u8; 32] {
        self.hasher.update(&self.buf[..self.len]);
        self.hasher.finalize().into()
    }
}

fn skip_mbox_from_line(bytes: &[u8]) -> &[u8] {
    if bytes.starts_with(b"From ") {
        match bytes.iter().position(|&b| b == b'\n') {
            Some(eol) => &bytes[eol + 1..],
            None => &[],
        }
    } else {
        bytes
    }
}

fn trim_end_whitespace(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &bytes[..end]
}

/// Hashes the kept header fields and returns the body (everything after the blank line).
fn hash_headers<'a>(hasher: &mut Sink, bytes: &'a [u8]) -> &'a [u8] {
    let mut pos = 0;
    let mut keep = false; // whether the current field is hashed
    let mut in_field = false;
    let mut value = ValueState::default();
    while pos < bytes.len() {
        let eol = bytes[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| pos + p);
        let line = bytes[pos..eol]
            .strip_suffix(b"\r")
            .unwrap_or(&bytes[pos..eol]);
        let next = (eol + 1).min(bytes.len());
        if line.is_empty() {
            return &bytes[next..];
        }
        if in_field && (line[0] == b' ' || line[0] == b'\t') {
            if keep {
                value.feed(hasher, line);
            }
        } else {
            if keep {
                hasher.update(b"\n");
            }
            in_field = true;
            let (name, rest) = match line.iter().position(|&b| b == b':') {
                Some(colon) => (&line[..colon], &line[colon + 1..]),
                None => (line, &[][..]),
            };
            let name = trim_end_whitespace(name);
            keep = !is_transport_header(name);
            if keep {
                hash_lowercase(hasher, name);
                hasher.update(b":");
                value = ValueState::default();
                value.feed(hasher, rest);
            }
        }
        pos = next;
    }
    if keep {
        hasher.update(b"\n");
    }
    &[]
}

fn hash_lowercase(hasher: &mut Sink, name: &[u8]) {
    let mut buf = [0u8; 64];
    for chunk in name.chunks(buf.len()) {
        let out = &mut buf[..chunk.len()];
        out.copy_from_slice(chunk);
        out.make_ascii_lowercase();
        hasher.update(out);
    }
}

/// Writes a header value with runs of whitespace (including folds) as one space, trimmed.
#[derive(Default)]
struct ValueState {
    started: bool,
    pending_space: bool,
}

impl ValueState {
    fn feed(&mut self, hasher: &mut Sink, line: &[u8]) {
        let mut i = 0;
        while i < line.len() {
            if line[i].is_ascii_whitespace() {
                self.pending_space = self.started;
                i += 1;
                continue;
            }
            let end = line[i..]
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .map_or(line.len(), |p| i + p);
            if self.pending_space {
                hasher.update(b" ");
                self.pending_space = false;
            }
            hasher.update(&line[i..end]);
            self.started = true;
            i = end;
        }
        // A fold (end of line) separates words like a space does.
        self.pending_space = self.started;
    }
}

/// Hashes the body with CRLF as LF and mbox `>From ` quoting undone, in as few slices as
/// possible. Eight-byte blocks without `\r` or `>` are skipped in one step (SWAR).
fn hash_body(hasher: &mut Sink, body: &[u8]) {
    let mut start = 0;
    let mut i = 0;
    let mut line_start = true;
    while i < body.len() {
        if let Some(block) = body.get(i..i + 8) {
            let word = u64::from_le_bytes(block.try_into().unwrap_or_default());
            if !has_byte(word, b'\r') && !has_byte(word, b'>') {
                line_start = block[7] == b'\n';
                i += 8;
                continue;
            }
        }
        let b = body[i];
        if line_start && b == b'>' {
            let quotes = body[i..].iter().take_while(|&&c| c == b'>').count();
            if body[i + quotes..].starts_with(b"From ") {
                hasher.update(&body[start..i]);
                i += quotes;
                start = i;
            }
        }
        line_start = false;
        match body.get(i) {
            Some(b'\r') if body.get(i + 1) == Some(&b'\n') => {
                hasher.update(&body[start..i]);
                start = i + 1;
            }
            Some(b'\n') => line_start = true,
            _ => {}
        }
        i += 1;
    }
    hasher.update(&body[start..]);
}

/// True if any byte of `word` equals `byte`.
fn has_byte(word: u64, byte: u8) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS != 0
}

#[cfg(test)]
mod tests {
    use super::Fingerprint;

    const MESSAGE: &str = "Message-ID: <abc@example.org>\n\
        From: Alice <alice@example.org>\n\
        To: council@example.gov.uk\n\
        Subject: Fence repair\n\
        Date: Mon, 6 May 2024 10:00:00 +0100\n\
        \n\
        Hello,\n\
        the fence is still broken.\n";

    fn fp(s: &str) -> Fingerprint {
        Fingerprint::of_message(s.as_bytes())
    }

    #[test]
    fn delivery_to_two_mailboxes_gives_one_fingerprint() {
        let a = format!(
            "Return-Path: <alice@example.org>\nDelivered-To: housing@example.gov.uk\n\
             Received: from mx1 by mx2; Mon, 6 May 2024 10:00:01 +0100\n\
             X-Spam-Score: 0.1\nARC-Seal: i=1; a=rsa-sha256; cv=none\n{MESSAGE}"
        );
        let b = format!(
            "Delivered-To: repairs@example.gov.uk\nX-Original-To: repairs@example.gov.uk\n\
             Received: from mx1\n  by mx3; Mon, 6 May 2024 10:00:02 +0100\n\
             Authentication-Results: mx3; dkim=pass\n{MESSAGE}"
        );
        assert_eq!(fp(&a), fp(&b));
        assert_eq!(fp(&a), fp(MESSAGE));
    }

    #[test]
    fn imap_crlf_and_maildir_lf_give_one_fingerprint() {
        let crlf = MESSAGE.replace('\n', "\r\n");
        assert_eq!(fp(&crlf), fp(MESSAGE));
    }

    #[test]
    fn mbox_copy_gives_the_same_fingerprint() {
        let original = format!("{MESSAGE}From the housing team's reply:\nok\n");
        let mbox = format!(
            "From alice@example.org Mon May  6 10:00:00 2024\nStatus: RO\nX-Status: A\n\
             {MESSAGE}>From the housing team's reply:\nok\n\n\n"
        );
        assert_eq!(fp(&mbox), fp(&original));
    }

    #[test]
    fn folding_case_and_trailing_whitespace_do_not_matter() {
        let refolded = MESSAGE
            .replace("Subject: Fence repair", "SUBJECT:   Fence\n\trepair  ")
            .replace("To: council", "to:council");
        assert_eq!(fp(&format!("{refolded}\n\n  \n")), fp(MESSAGE));
    }

    #[test]
    fn two_messages_sharing_a_message_id_differ() {
        let other = MESSAGE.replace("still broken", "now fixed");
        assert_ne!(fp(&other), fp(MESSAGE));
        let other_subject = MESSAGE.replace("Fence repair", "Fence repaired");
        assert_ne!(fp(&other_subject), fp(MESSAGE));
    }

    #[test]
    fn a_message_without_message_id_fingerprints_by_content() {
        let no_id = MESSAGE.replace("Message-ID: <abc@example.org>\n", "");
        assert_ne!(fp(&no_id), fp(MESSAGE));
        assert_eq!(fp(&no_id), fp(&no_id.replace('\n', "\r\n")));
        let different = no_id.replace("Hello", "Hi");
        assert_ne!(fp(&no_id), fp(&different));
    }

    #[test]
    fn header_and_body_boundary_is_part_of_the_hash() {
        assert_ne!(fp("Subject: a\n\nb"), fp("Subject: a\nb\n\n"));
        assert_ne!(fp("Subject: a b\n\n"), fp("Subject: a\n\nb"));
    }

    #[test]
    fn hex_and_display_agree() {
        let f = fp(MESSAGE);
        assert_eq!(f.to_hex().len(), 64);
        assert_eq!(f.to_string(), f.to_hex());
        assert_eq!(
            hex::decode(f.to_hex()).ok().as_deref(),
            Some(&f.as_bytes()[..])
        );
    }

    #[test]
    fn crlf_and_quoting_are_found_at_every_block_offset() {
        for k in 0..24 {
            let pad = "a".repeat(k);
            let plain = format!("Subject: x\n\n{pad}\nFrom here\n{pad}> quoted\nend");
            let stored = format!("Subject: x\r\n\r\n{pad}\r\n>>From here\r\n{pad}> quoted\r\nend");
            assert_eq!(fp(&plain), fp(&stored), "offset {k}");
            let changed = format!("Subject: x\n\n{pad}\nFrom here\n{pad}> quoted!\nend");
            assert_ne!(fp(&plain), fp(&changed), "offset {k}");
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for input in [
            &b""[..],
            b"From ",
            b"From x",
            b"\r",
            b"\n\n",
            b">",
            b">>From ",
            b"a\r",
        ] {
            let _ = Fingerprint::of_message(input);
        }
    }
}
