//! The readable body: text/plain parts, else HTML converted to text (`html_as_text`),
//! UTF-7 decoded here (`decode_utf7`), normalised and cut by `TextBuilder`.

use mail_parser::decoders::html::html_to_text;
use mail_parser::{Encoding, Message, MessagePart, MimeHeaders, PartType};
use std::borrow::Cow;

/// The readable body: every text body part (HTML ones converted), else the HTML body parts.
pub(super) fn body_text(message: &Message<'_>, max_chars: usize) -> String {
    let mut text = TextBuilder::new(max_chars);
    for ids in [&message.text_body, &message.html_body] {
        for part in ids.iter().filter_map(|&id| message.parts.get(id as usize)) {
            if let Some(part_text) = part_text(message, part) {
                text.push_part(&part_text);
            }
            if text.is_full() {
                break;
            }
        }
        if !text.is_empty() {
            break;
        }
    }
    text.finish()
}

/// A text or HTML part as plain text. mail-parser's UTF-7 decoder mishandles `+-` and
/// implicit ends of base64 runs (RFC 2152), so unencoded UTF-7 parts are decoded here.
fn part_text<'a>(message: &'a Message<'_>, part: &'a MessagePart<'_>) -> Option<Cow<'a, str>> {
    let (PartType::Text(decoded) | PartType::Html(decoded)) = &part.body else {
        return None;
    };
    let is_utf7 = part.encoding == Encoding::None
        && part
            .content_type()
            .and_then(|ct| ct.attribute("charset"))
            .is_some_and(|c| {
                ["utf-7", "utf7", "csutf7", "unicode-1-1-utf-7"]
                    .iter()
                    .any(|l| c.eq_ignore_ascii_case(l))
            });
    let raw = message
        .raw_message
        .get(part.offset_body as usize..part.offset_end as usize);
    let text = match raw {
        Some(raw) if is_utf7 => Cow::Owned(decode_utf7(raw)),
        _ => Cow::Borrowed(decoded.as_ref()),
    };
    match part.body {
        PartType::Html(_) => Some(Cow::Owned(html_as_text(&text))),
        _ => Some(text),
    }
}

/// HTML to text. mail-parser's converter only breaks lines at `<br>` and `</p>`, so
/// `<div>a</div><div>b</div>` would read "ab": a `<br>` is put before every block-level tag
/// and a space before table cells, then runs of blank lines are collapsed to one.
fn html_as_text(html: &str) -> String {
    const BLOCKS: &str = "div p li ul ol tr table h1 h2 h3 h4 h5 h6 blockquote hr pre section \
                          article header footer dd dt dl";
    let mut spaced = String::with_capacity(html.len() + html.len() / 8);
    let mut last = 0;
    for (at, _) in html.match_indices('<') {
        let tag = html[at + 1..].trim_start_matches('/');
        let end = tag
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(tag.len());
        let name = &tag[..end];
        let insert = if BLOCKS
            .split_whitespace()
            .any(|b| name.eq_ignore_ascii_case(b))
        {
            "<br>"
        } else if name.eq_ignore_ascii_case("td") || name.eq_ignore_ascii_case("th") {
            " "
        } else {
            continue;
        };
        spaced.push_str(&html[last..at]);
        spaced.push_str(insert);
        last = at;
    }
    spaced.push_str(&html[last..]);
    let mut out = String::with_capacity(spaced.len());
    let mut blank_lines = 0;
    for line in html_to_text(&spaced).lines() {
        let line = line.trim_end();
        blank_lines = if line.is_empty() { blank_lines + 1 } else { 0 };
        if blank_lines < 2 {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// RFC 2152 UTF-7: `+` starts a modified-base64 run of UTF-16, ended by `-` (dropped) or any
/// other non-base64 character (kept); `+-` is a literal `+`.
fn decode_utf7(bytes: &[u8]) -> String {
    fn b64(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        i += 1;
        if c != b'+' {
            out.push(if c.is_ascii() {
                char::from(c)
            } else {
                char::REPLACEMENT_CHARACTER
            });
            continue;
        }
        if bytes.get(i) == Some(&b'-') {
            out.push('+');
            i += 1;
            continue;
        }
        let (mut bits, mut nbits, mut units) = (0u32, 0u32, Vec::new());
        while let Some(v) = bytes.get(i).and_then(|&c| b64(c)) {
            bits = (bits << 6) | v;
            nbits += 6;
            i += 1;
            if nbits >= 16 {
                nbits -= 16;
                units.push((bits >> nbits) as u16);
                bits &= (1 << nbits) - 1;
            }
        }
        out.extend(char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)));
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
    }
    out
}

/// Builds normalised body text: LF line endings, no control characters except tab and LF,
/// parts separated by a blank line, trimmed, stopping at the character limit.
struct TextBuilder {
    out: String,
    chars: usize,
    max: usize,
}

impl TextBuilder {
    fn new(max: usize) -> Self {
        Self {
            out: String::new(),
            chars: 0,
            max,
        }
    }

    fn is_full(&self) -> bool {
        self.chars >= self.max
    }

    fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    fn push_part(&mut self, s: &str) {
        if !self.out.is_empty() {
            self.out.truncate(self.out.trim_end().len());
            self.push('\n');
            self.push('\n');
        }
        // Copy runs of ordinary characters in one go; only line breaks, tabs and control
        // characters need a decision each.
        let mut run_start = 0;
        let mut chars = s.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if !c.is_control() && c != '\u{feff}' {
                continue;
            }
            self.push_run(&s[run_start..i]);
            run_start = i + c.len_utf8();
            match c {
                '\r' if chars.peek().map(|(_, n)| *n) == Some('\n') => {}
                '\r' | '\u{b}' | '\u{c}' => self.push('\n'),
                '\n' | '\t' => self.push(c),
                _ => {}
            }
            if self.is_full() {
                return;
            }
        }
        self.push_run(&s[run_start..]);
    }

    /// Appends a run without control characters, up to the limit. Leading whitespace is
    /// dropped while nothing has been written yet.
    fn push_run(&mut self, run: &str) {
        let run = if self.out.is_empty() {
            run.trim_start()
        } else {
            run
        };
        let room = self.max.saturating_sub(self.chars);
        if run.len() <= room {
            // At most one character per byte: the whole run fits.
            self.out.push_str(run);
            self.chars += run.chars().count();
            return;
        }
        let end = run.char_indices().nth(room).map_or(run.len(), |(i, _)| i);
        self.out.push_str(&run[..end]);
        self.chars += run[..end].chars().count();
    }

    fn push(&mut self, c: char) {
        let leading_space = self.out.is_empty() && c.is_whitespace();
        if !self.is_full() && !leading_space {
            self.out.push(c);
            self.chars += 1;
        }
    }

    fn finish(mut self) -> String {
        self.out.truncate(self.out.trim_end().len());
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::decode_utf7;

    #[test]
    fn utf7_follows_rfc_2152() {
        assert_eq!(decode_utf7(b"1 +- 1"), "1 + 1");
        assert_eq!(decode_utf7(b"Hi Mom -+Jjo--!"), "Hi Mom -\u{263a}-!");
        assert_eq!(decode_utf7(b"+ZeVnLIqe-"), "\u{65e5}\u{672c}\u{8a9e}");
        assert_eq!(
            decode_utf7(b"+AOk. ok"),
            "\u{e9}. ok",
            "implicit end keeps the dot"
        );
        assert_eq!(decode_utf7(b"+2D3eAQ-"), "\u{1f601}", "surrogate pair");
        assert_eq!(decode_utf7(b"+2D3-x"), "\u{fffd}x", "lone surrogate");
        assert_eq!(decode_utf7(b"caf\xe9+"), "caf\u{fffd}");
    }
}
