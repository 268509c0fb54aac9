//! `parse_email`: raw RFC 5322 bytes → [`ParsedEmail`], the part of a message Tidings keeps.
//! Uses mail-parser for MIME and charsets; this module adds the checks mail-parser does not
//! make (is this a message at all? who sent it? is it too complex?) and normalises the values
//! so the same message gives the same result with LF or CRLF line endings. No I/O.

use crate::domain::{EmailAddress, UnixTime};
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::html::html_to_text;
use mail_parser::{
    Address, Encoding, HeaderName, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders,
    PartType,
};
use serde::Serialize;
use std::borrow::Cow;

/// Longest subject, display name or message id kept, in characters; longer ones are cut.
const MAX_HEADER_CHARS: usize = 998;
/// Most message ids kept from `References` (the first, which names the thread, and the last).
const MAX_REFERENCES: usize = 100;
/// Most mailboxes kept per address list (`to`, `cc`, `reply_to`).
const MAX_MAILBOXES: usize = 1000;
/// Longest raw `From` value quoted back in [`ParseError::NoSender`].
const MAX_FOUND_CHARS: usize = 200;

/// A mailbox: optional display name and a checked address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mailbox {
    /// The display name, decoded and whitespace-collapsed; `None` if absent or empty.
    pub name: Option<String>,
    /// The checked, lower-cased address.
    #[serde(serialize_with = "serialize_address")]
    pub address: EmailAddress,
}

fn serialize_address<S: serde::Serializer>(a: &EmailAddress, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(a.as_str())
}

/// Metadata of one attachment; the content itself is not kept here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    /// The file name from `Content-Disposition` or `Content-Type`, decoded.
    pub name: Option<String>,
    /// `type/subtype`, lower case (`application/octet-stream` when unknown).
    pub content_type: String,
    /// Bytes after transfer decoding. For parts that were not base64-encoded, CRLF counts as
    /// one byte, so the size does not depend on how the message was stored.
    pub size: usize,
}

/// Why a message looks machine-generated. Such messages stay in the log, but routing must never
/// forward them (no loops with auto-replies and bounces).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Automated {
    /// A `multipart/report`: a delivery status notification (bounce) or read receipt.
    DeliveryReport {
        /// The `report-type` parameter, e.g. `delivery-status`.
        report_type: Option<String>,
    },
    /// The sender is a mail system account (`MAILER-DAEMON`, `postmaster`).
    MailSystemSender,
    /// `Auto-Submitted` with a value other than `no` (RFC 3834).
    AutoSubmitted {
        /// The header value, lower case.
        value: String,
    },
    /// An `X-Autoreply`, `X-Autorespond` or `X-Autoresponder` header (vacation responders).
    AutoReplyHeader {
        /// The header name as written.
        header: String,
    },
    /// `Return-Path: <>`, the null sender used by bounces and auto-replies.
    NullReturnPath,
    /// `Precedence: bulk`, `junk`, `list` or `auto_reply`.
    Precedence {
        /// The header value, lower case.
        value: String,
    },
    /// A `List-Id` or `List-Unsubscribe` header: mailing-list or bulk mail.
    MailingList {
        /// The list identifier from `List-Id`, if given.
        list_id: Option<String>,
    },
}

/// What Tidings keeps of an email message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParsedEmail {
    /// The `Message-ID`, without angle brackets, trimmed.
    pub message_id: Option<String>,
    /// Who sent it: the first usable address of `From`, else `Sender`, else `Reply-To`.
    pub from: Mailbox,
    /// `To` recipients with usable addresses (groups flattened, duplicates removed, at most
    /// 1000).
    pub to: Vec<Mailbox>,
    /// `Cc` recipients, as for `to`.
    pub cc: Vec<Mailbox>,
    /// `Reply-To` mailboxes, as for `to`.
    pub reply_to: Vec<Mailbox>,
    /// The `Date` header in UTC seconds; `None` if missing or not a real date.
    pub date: Option<UnixTime>,
    /// The subject, decoded (RFC 2047) and whitespace-collapsed; `None` if missing or empty.
    pub subject: Option<String>,
    /// Ids from `In-Reply-To`, without angle brackets.
    pub in_reply_to: Vec<String>,
    /// Ids from `References`, without angle brackets.
    pub references: Vec<String>,
    /// The readable body: the text/plain parts, else HTML converted to text; charset-decoded,
    /// LF line endings, trimmed, at most [`ParseLimits::max_text_chars`] characters.
    pub text: String,
    /// Attachments, metadata only.
    pub attachments: Vec<AttachmentInfo>,
    /// Why the message is machine-generated, if it is.
    pub automated: Option<Automated>,
}

/// Bounds on the work done for one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseLimits {
    /// Most characters of body text kept (default 20 000).
    pub max_text_chars: usize,
    /// Most MIME parts, nested messages included, before the message is refused (default 500).
    pub max_parts: usize,
    /// Deepest MIME nesting before the message is refused (default 20).
    pub max_depth: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        Self {
            max_text_chars: 20_000,
            max_parts: 500,
            max_depth: 20,
        }
    }
}

/// Why bytes could not become a [`ParsedEmail`]. The caller quarantines the item with this
/// message; each says what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The bytes do not start with a header block.
    #[error("no RFC 5322 header block found; the file is not an email message — check the source")]
    NotAMessage,
    /// No `From`, `Sender` or `Reply-To` address could be read.
    #[error(
        "the message has no usable From address (found {}); it was quarantined — correct the \
         sender or link it by hand",
        found.as_deref().map_or_else(|| "no From header".to_string(), |f| format!("{f:?}"))
    )]
    NoSender {
        /// The raw `From` value, if there was one (shortened).
        found: Option<String>,
    },
    /// More MIME parts or deeper nesting than [`ParseLimits`] allow.
    #[error(
        "the message has at least {parts} MIME parts nested at least {depth} deep, more than the \
         parse limits allow; it was quarantined — open it in a mail client, or raise the limits \
         if it is genuine"
    )]
    TooComplex {
        /// Parts counted before giving up.
        parts: usize,
        /// Deepest nesting seen before giving up.
        depth: usize,
    },
    /// The MIME parser itself failed (a panic inside mail-parser, contained).
    #[error(
        "the MIME parser failed on this message; it was quarantined — keep the file and report \
         it, as it may show a parser bug"
    )]
    ParserFailed,
}

impl ParseError {
    /// The variant name (`"NotAMessage"`, `"NoSender"`, …): a stable reason code
    /// for quarantine records, metrics labels and golden files.
    pub fn kind(&self) -> &'static str {
        match self {
            ParseError::NotAMessage => "NotAMessage",
            ParseError::NoSender { .. } => "NoSender",
            ParseError::TooComplex { .. } => "TooComplex",
            ParseError::ParserFailed => "ParserFailed",
        }
    }
}

/// Parses one raw message. Never panics, whatever the bytes; see [`ParseError`] for refusals.
/// An mbox `From ` line at the start is skipped.
pub fn parse_email(bytes: &[u8], limits: &ParseLimits) -> Result<ParsedEmail, ParseError> {
    let data = prepare(bytes).ok_or(ParseError::NotAMessage)?;
    // mail-parser has debug assertions and unchecked arithmetic that can panic on hostile
    // input in builds with debug assertions (tests, dev); contain them as a refusal.
    let message = std::panic::catch_unwind(|| MessageParser::default().parse(data.as_ref()))
        .map_err(|_| ParseError::ParserFailed)?
        .ok_or(ParseError::NotAMessage)?;
    if !message
        .headers()
        .iter()
        .any(|h| !matches!(h.name, HeaderName::Other(_)))
    {
        return Err(ParseError::NotAMessage);
    }
    check_complexity(&message, limits)?;
    let from = sender(&message)?;
    Ok(ParsedEmail {
        message_id: message
            .header(HeaderName::MessageId)
            .and_then(|v| ids(v).into_iter().next()),
        to: mailboxes(message.header_values(HeaderName::To)),
        cc: mailboxes(message.header_values(HeaderName::Cc)),
        reply_to: mailboxes(message.header_values(HeaderName::ReplyTo)),
        date: message.date().and_then(unix_time),
        subject: message
            .subject()
            .map(clean_header_text)
            .filter(|s| !s.is_empty()),
        in_reply_to: ids(message.in_reply_to()),
        references: shorten_references(ids(message.references())),
        text: body_text(&message, limits.max_text_chars),
        attachments: attachments(&message),
        automated: automated(&message, &from),
        from,
    })
}

/// The bytes mail-parser should see, or `None` if they do not start like a header block: after
/// an optional UTF-8 BOM, mbox `From ` line and blank lines, the first line must be
/// `field-name:` (printable ASCII, no spaces) — mail-parser alone accepts any garbage. Also
/// works around mail-parser quirks, copying only when needed: raw 8-bit header bytes that are
/// not UTF-8 are read as windows-1252 rather than replaced by U+FFFD; CR-only line endings
/// become LF; a final header line without a newline gets one (mail-parser drops it otherwise).
fn prepare(bytes: &[u8]) -> Option<Cow<'_, [u8]>> {
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

/// Refuses messages with more parts or deeper nesting than the limits. Walks the part tree
/// with an explicit stack and stops as soon as a limit is passed, so hostile input is cheap.
fn check_complexity(message: &Message<'_>, limits: &ParseLimits) -> Result<(), ParseError> {
    let mut stack: Vec<(&Message<'_>, u32, usize)> = vec![(message, 0, 0)];
    let (mut parts, mut deepest) = (0usize, 0usize);
    while let Some((msg, id, depth)) = stack.pop() {
        parts += 1;
        deepest = deepest.max(depth);
        if parts > limits.max_parts || deepest > limits.max_depth {
            return Err(ParseError::TooComplex {
                parts,
                depth: deepest,
            });
        }
        match msg.parts.get(id as usize).map(|p| &p.body) {
            Some(PartType::Multipart(children)) => {
                stack.extend(children.iter().map(|&c| (msg, c, depth + 1)));
            }
            Some(PartType::Message(inner)) if !inner.parts.is_empty() => {
                stack.push((inner, 0, depth + 1));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The sender: From, then Sender, then Reply-To — the first address that checks out.
fn sender(message: &Message<'_>) -> Result<Mailbox, ParseError> {
    [HeaderName::From, HeaderName::Sender, HeaderName::ReplyTo]
        .into_iter()
        .find_map(|name| mailboxes(message.header_values(name)).into_iter().next())
        .ok_or_else(|| ParseError::NoSender {
            found: message.header_raw(HeaderName::From).map(|raw| {
                let raw = clean_header_text(raw);
                raw.chars().take(MAX_FOUND_CHARS).collect()
            }),
        })
}

/// Usable mailboxes from every instance of an address header, groups flattened, in order,
/// without duplicate addresses, at most [`MAX_MAILBOXES`]. Addresses that fail
/// [`EmailAddress::parse`] are skipped.
fn mailboxes<'a, 'x: 'a>(values: impl Iterator<Item = &'a HeaderValue<'x>>) -> Vec<Mailbox> {
    let mut out: Vec<Mailbox> = Vec::new();
    for addr in values
        .filter_map(HeaderValue::as_address)
        .flat_map(Address::iter)
    {
        let Some(Ok(address)) = addr.address.as_deref().map(EmailAddress::parse) else {
            continue;
        };
        if out.iter().any(|m| m.address == address) {
            continue;
        }
        if out.len() == MAX_MAILBOXES {
            break;
        }
        let name = addr.name.as_deref().map(clean_header_text);
        out.push(Mailbox {
            name: name.filter(|n| !n.is_empty()),
            address,
        });
    }
    out
}

/// Message ids from an id header, brackets and whitespace removed, empty ones dropped.
fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let clean = |id: &str| -> Option<String> {
        let id: String = id
            .trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace())
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_HEADER_CHARS)
            .collect();
        (!id.is_empty()).then_some(id)
    };
    match value {
        HeaderValue::Text(id) => clean(id).into_iter().collect(),
        HeaderValue::TextList(list) => list.iter().filter_map(|id| clean(id)).collect(),
        _ => Vec::new(),
    }
}

/// Keeps the first reference (the thread root) and the most recent ones.
fn shorten_references(mut refs: Vec<String>) -> Vec<String> {
    if refs.len() > MAX_REFERENCES {
        refs.drain(1..refs.len() - (MAX_REFERENCES - 1));
    }
    refs
}

/// Decoded header text with control characters removed, whitespace collapsed, trimmed and cut
/// to [`MAX_HEADER_CHARS`].
fn clean_header_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(MAX_HEADER_CHARS));
    let words = s
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty());
    for word in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.len() >= MAX_HEADER_CHARS {
            break;
        }
    }
    match out.char_indices().nth(MAX_HEADER_CHARS) {
        Some((cut, _)) => out[..cut].to_string(),
        None => out,
    }
}

/// A real calendar date in UTC seconds, or `None` (mail-parser accepts e.g. 31 February).
fn unix_time(dt: &mail_parser::DateTime) -> Option<UnixTime> {
    if !dt.is_valid() {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(dt.year.into(), dt.month.into(), dt.day.into())?;
    let local = date.and_hms_opt(dt.hour.into(), dt.minute.into(), dt.second.into())?;
    let offset = i64::from(dt.tz_hour) * 3600 + i64::from(dt.tz_minute) * 60;
    let offset = if dt.tz_before_gmt { -offset } else { offset };
    Some(local.and_utc().timestamp() - offset)
}

/// The readable body: every text body part (HTML ones converted), else the HTML body parts.
fn body_text(message: &Message<'_>, max_chars: usize) -> String {
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
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            if self.is_full() {
                return;
            }
            let c = match c {
                '\r' if chars.peek() == Some(&'\n') => continue,
                '\r' | '\u{b}' | '\u{c}' => '\n',
                '\n' | '\t' => c,
                '\u{feff}' => continue,
                c if c.is_control() => continue,
                c => c,
            };
            if self.out.is_empty() && c.is_whitespace() {
                continue;
            }
            self.push(c);
        }
    }

    fn push(&mut self, c: char) {
        if !self.is_full() {
            self.out.push(c);
            self.chars += 1;
        }
    }

    fn finish(mut self) -> String {
        self.out.truncate(self.out.trim_end().len());
        self.out
    }
}

/// Metadata of every attachment mail-parser found at the top level.
fn attachments(message: &Message<'_>) -> Vec<AttachmentInfo> {
    message
        .attachments
        .iter()
        .filter_map(|&id| message.parts.get(id as usize))
        .map(|part| {
            let content_type = match part.content_type() {
                Some(ct) => match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_string(),
                },
                None => match &part.body {
                    PartType::Text(_) => "text/plain".to_string(),
                    PartType::Html(_) => "text/html".to_string(),
                    PartType::Message(_) => "message/rfc822".to_string(),
                    _ => "application/octet-stream".to_string(),
                },
            };
            let bytes: &[u8] = match &part.body {
                PartType::Text(t) | PartType::Html(t) => t.as_bytes(),
                PartType::Binary(b) | PartType::InlineBinary(b) => b,
                PartType::Message(m) => m
                    .parts
                    .first()
                    .and_then(|p| {
                        m.raw_message
                            .get(p.offset_header as usize..p.offset_end as usize)
                    })
                    .unwrap_or_default(),
                PartType::Multipart(_) => &[],
            };
            let size = match part.encoding {
                mail_parser::Encoding::Base64 => bytes.len(),
                _ => bytes.len() - bytes.windows(2).filter(|w| w == b"\r\n").count(),
            };
            AttachmentInfo {
                name: part
                    .attachment_name()
                    .map(clean_header_text)
                    .filter(|n| !n.is_empty()),
                content_type: content_type.to_ascii_lowercase(),
                size,
            }
        })
        .collect()
}

/// The first reason the message looks machine-generated: bounces first, then auto-replies,
/// then list and bulk mail.
fn automated(message: &Message<'_>, from: &Mailbox) -> Option<Automated> {
    if let Some(ct) = message.content_type() {
        let is_report = ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"));
        if is_report {
            return Some(Automated::DeliveryReport {
                report_type: ct.attribute("report-type").map(|r| r.to_ascii_lowercase()),
            });
        }
    }
    let local = from.address.as_str().split('@').next().unwrap_or_default();
    if local == "mailer-daemon" || local == "postmaster" {
        return Some(Automated::MailSystemSender);
    }
    let text = |name: HeaderName<'_>| {
        message
            .header(name)
            .and_then(HeaderValue::as_text)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    if let Some(value) = text(HeaderName::AutoSubmitted) {
        let kind = value.split(';').next().unwrap_or_default().trim();
        if !kind.is_empty() && kind != "no" {
            return Some(Automated::AutoSubmitted { value });
        }
    }
    for header in message.headers() {
        let name = header.name.as_str();
        if ["x-autoreply", "x-autorespond", "x-autoresponder"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
        {
            return Some(Automated::AutoReplyHeader {
                header: name.to_string(),
            });
        }
    }
    let null_return_path = message
        .header_raw(HeaderName::ReturnPath)
        .is_some_and(|raw| raw.chars().filter(|c| !c.is_whitespace()).eq("<>".chars()));
    if null_return_path {
        return Some(Automated::NullReturnPath);
    }
    if message.header(HeaderName::ListId).is_some()
        || message.header(HeaderName::ListUnsubscribe).is_some()
    {
        let list_id = message.header_raw(HeaderName::ListId).and_then(|raw| {
            let raw = raw.trim();
            let id = match (raw.rfind('<'), raw.rfind('>')) {
                (Some(open), Some(close)) if open < close => &raw[open + 1..close],
                _ => raw,
            };
            let id = clean_header_text(id).to_ascii_lowercase();
            (!id.is_empty()).then_some(id)
        });
        return Some(Automated::MailingList { list_id });
    }
    if let Some(value) = text(HeaderName::Other("Precedence".into())) {
        if ["bulk", "junk", "list", "auto_reply"].contains(&value.as_str()) {
            return Some(Automated::Precedence { value });
        }
    }
    None
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
