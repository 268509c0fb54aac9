//! `parse_email`: raw RFC 5322 bytes → [`ParsedEmail`], the part of a message Tidings keeps.
//! Uses mail-parser for MIME and charsets; this module adds the checks mail-parser does not
//! make (is this a message at all? who sent it? is it too complex?) and normalises the values
//! so the same message gives the same result with LF or CRLF line endings. No I/O.
//!
//! Submodules: `prepare` (the bytes mail-parser sees), `headers` (addresses, ids, dates,
//! header text), `text` (the readable body), `attachments` (attachment metadata) and
//! `automated` (auto-reply, bounce and list detection).

mod attachments;
mod automated;
mod headers;
mod prepare;
mod text;

use crate::domain::{EmailAddress, UnixTime};
use attachments::attachments;
use automated::automated;
use headers::{
    clean_header_text, ids, mailboxes, received_date, sender, shorten_references, unix_time,
};
use mail_parser::{HeaderName, Message, MessageParser, PartType};
use prepare::prepare;
use serde::Serialize;
use text::body_text;

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
    /// Who sent it: the first usable address of `From`, else `Sender`, else `Reply-To`; none
    /// when no header gives one (the message is kept, unlinked, for a person to link).
    pub from: Option<Mailbox>,
    /// `To` recipients with usable addresses (groups flattened, duplicates removed, at most
    /// 1000).
    pub to: Vec<Mailbox>,
    /// `Cc` recipients, as for `to`.
    pub cc: Vec<Mailbox>,
    /// `Reply-To` mailboxes, as for `to`.
    pub reply_to: Vec<Mailbox>,
    /// The `Date` header in UTC seconds; `None` if missing or not a real date.
    pub date: Option<UnixTime>,
    /// The date of the top-most `Received:` header (after its last `;`) in UTC seconds: when
    /// the last server took the message in. A fallback for a missing or unusable `Date`.
    pub received_date: Option<UnixTime>,
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
    /// The sender of the first message attached whole (`message/rfc822`): whose mail a
    /// forward carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded_from: Option<Mailbox>,
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
    #[error(
        "no RFC 5322 header block found; the file is not an email message — check the source, \
         then `tidings quarantine retry ID`, or record why it needs nothing more with \
         `tidings quarantine dismiss ID --note TEXT`"
    )]
    NotAMessage,
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
    /// The variant name (`"NotAMessage"`, `"TooComplex"`, …): a stable reason code
    /// for quarantine records, metrics labels and golden files.
    pub fn kind(&self) -> &'static str {
        match self {
            ParseError::NotAMessage => "NotAMessage",
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
    let from = sender(&message);
    Ok(ParsedEmail {
        message_id: message
            .header(HeaderName::MessageId)
            .and_then(|v| ids(v).into_iter().next()),
        to: mailboxes(message.header_values(HeaderName::To)),
        cc: mailboxes(message.header_values(HeaderName::Cc)),
        reply_to: mailboxes(message.header_values(HeaderName::ReplyTo)),
        date: message.date().and_then(unix_time),
        received_date: received_date(&message),
        subject: message
            .subject()
            .map(clean_header_text)
            .filter(|s| !s.is_empty()),
        in_reply_to: ids(message.in_reply_to()),
        references: shorten_references(ids(message.references())),
        text: body_text(&message, limits.max_text_chars),
        attachments: attachments(&message),
        automated: automated(&message, from.as_ref()),
        forwarded_from: attached_sender(&message),
        from,
    })
}

/// The sender of the first attached whole message, if any.
fn attached_sender(message: &Message<'_>) -> Option<Mailbox> {
    message
        .attachments
        .iter()
        .filter_map(|&id| message.parts.get(id as usize))
        .find_map(|part| match &part.body {
            PartType::Message(m) => sender(m),
            _ => None,
        })
}

/// The first `Message-ID` of a header block (or a whole message), normalised exactly as
/// [`ParsedEmail::message_id`] is, or `None` when there is none. Reads headers only; never
/// panics. For comparing a server's `HEADER.FIELDS (MESSAGE-ID)` with stored items.
pub fn message_id(header: &[u8]) -> Option<String> {
    let data = prepare(header)?;
    let message =
        std::panic::catch_unwind(|| MessageParser::default().parse_headers(data.as_ref()))
            .ok()??;
    message
        .header(HeaderName::MessageId)
        .and_then(|v| ids(v).into_iter().next())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_from_headers_matches_the_full_parse() {
        let full =
            b"From: a@b.example\r\nMessage-ID:\r\n <x.1@h.example>\r\nSubject: s\r\n\r\nbody\r\n";
        let parsed = parse_email(full, &ParseLimits::default()).ok();
        let expected = parsed.and_then(|p| p.message_id);
        assert_eq!(expected.as_deref(), Some("x.1@h.example"));
        assert_eq!(message_id(full), expected);
        // What a server sends for `BODY[HEADER.FIELDS (MESSAGE-ID)]`.
        let fields = b"Message-ID:\r\n <x.1@h.example>\r\n\r\n";
        assert_eq!(message_id(fields), expected);
        assert_eq!(message_id(b"\r\n"), None);
        assert_eq!(message_id(b""), None);
        assert_eq!(message_id(b"Subject: no id\r\n\r\n"), None);
    }

    fn received(headers: &str) -> Option<UnixTime> {
        let raw = format!("{headers}From: a@b.example\r\nSubject: s\r\n\r\nbody\r\n");
        parse_email(raw.as_bytes(), &ParseLimits::default())
            .expect("parses")
            .received_date
    }

    #[test]
    fn received_date_is_the_top_most_received_header_after_its_last_semicolon() {
        let top = "Received: from mx.example (mx.example [192.0.2.1]) by mail.example;\r\n \
                   Sat, 3 Jan 1996 01:05:34 +0100\r\n";
        let lower = "Received: from a.example by mx.example; Fri, 2 Jan 1996 09:00:00 +0000\r\n";
        // 1996-01-03 00:05:34 UTC
        assert_eq!(received(&format!("{top}{lower}")), Some(820_627_534));
        assert_eq!(received(&format!("{lower}{top}")), Some(820_573_200));
        let with_id = "Received: by h.example; id abc; Sat, 3 Jan 1996 00:05:34 GMT\r\n";
        assert_eq!(received(with_id), Some(820_627_534));
    }

    #[test]
    fn no_or_dateless_received_header_gives_none() {
        assert_eq!(received(""), None);
        assert_eq!(received("Received: from a.example by b.example\r\n"), None);
        assert_eq!(received("Received: by b.example; not a date\r\n"), None);
    }
}
