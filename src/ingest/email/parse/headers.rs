//! Header values: sender and recipient mailboxes, message ids, the date, and cleaned header
//! text, each bounded so hostile headers stay cheap.

use super::Mailbox;
use crate::domain::{EmailAddress, UnixTime};
use mail_parser::{Address, HeaderName, HeaderValue, Message};

/// Longest subject, display name or message id kept, in characters; longer ones are cut.
const MAX_HEADER_CHARS: usize = 998;
/// Most message ids kept from `References` (the first, which names the thread, and the last).
const MAX_REFERENCES: usize = 100;
/// Most mailboxes kept per address list (`to`, `cc`, `reply_to`).
const MAX_MAILBOXES: usize = 1000;

/// The sender: From, then Sender, then Reply-To — the first address that checks out.
pub(super) fn sender(message: &Message<'_>) -> Option<Mailbox> {
    [HeaderName::From, HeaderName::Sender, HeaderName::ReplyTo]
        .into_iter()
        .find_map(|name| mailboxes(message.header_values(name)).into_iter().next())
}

/// Usable mailboxes from every instance of an address header, groups flattened, in order,
/// without duplicate addresses, at most [`MAX_MAILBOXES`]. Addresses that fail
/// [`EmailAddress::parse`] are skipped.
pub(super) fn mailboxes<'a, 'x: 'a>(
    values: impl Iterator<Item = &'a HeaderValue<'x>>,
) -> Vec<Mailbox> {
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
pub(super) fn ids(value: &HeaderValue<'_>) -> Vec<String> {
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
pub(super) fn shorten_references(mut refs: Vec<String>) -> Vec<String> {
    if refs.len() > MAX_REFERENCES {
        refs.drain(1..refs.len() - (MAX_REFERENCES - 1));
    }
    refs
}

/// Decoded header text with control characters removed, whitespace collapsed, trimmed and cut
/// to [`MAX_HEADER_CHARS`].
pub(super) fn clean_header_text(s: &str) -> String {
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

/// The date of the top-most `Received:` header: the text after its last `;`, read as an
/// RFC 5322 date. `None` when there is no such header or its date is not a real one.
pub(super) fn received_date(message: &Message<'_>) -> Option<UnixTime> {
    let (_, value) = message
        .headers_raw()
        .find(|(name, _)| name.eq_ignore_ascii_case("Received"))?;
    let (_, date) = value.rsplit_once(';')?;
    let date = collapse_folding(date);
    unix_time(&mail_parser::DateTime::parse_rfc822(&date)?)
}

fn collapse_folding(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A real calendar date in UTC seconds, or `None` (mail-parser accepts e.g. 31 February).
pub(super) fn unix_time(dt: &mail_parser::DateTime) -> Option<UnixTime> {
    if !dt.is_valid() {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(dt.year.into(), dt.month.into(), dt.day.into())?;
    let local = date.and_hms_opt(dt.hour.into(), dt.minute.into(), dt.second.into())?;
    let offset = i64::from(dt.tz_hour) * 3600 + i64::from(dt.tz_minute) * 60;
    let offset = if dt.tz_before_gmt { -offset } else { offset };
    Some(local.and_utc().timestamp() - offset)
}
