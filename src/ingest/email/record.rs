//! A parsed email as the channel-neutral [`ContactRecord`]. Pure.

use super::ParsedEmail;
use crate::domain::{
    Channel, ContactRecord, Details, Direction, Identifier, Party, PartyRole, ThreadHints, UnixTime,
};

/// A `Date:` more than this far in the future is a sender's clock error, not a date.
const FUTURE_SLACK_SECS: i64 = 7 * 86_400;

/// Makes the contact record of a parsed email found in a folder of `direction`.
///
/// When the message happened: its `Date:` when plausible, else the date of its top-most
/// `Received:` header, else when the source received it (IMAP INTERNALDATE, the mbox `From `
/// line, the maildir file's name or time), and only when none of these is known the time of
/// reading.
pub fn email_record(
    email: ParsedEmail,
    fingerprint: &str,
    direction: Direction,
    received_at: Option<UnixTime>,
    now: UnixTime,
) -> ContactRecord {
    let plausible = |t: &UnixTime| *t > 0 && *t < now + FUTURE_SLACK_SECS;
    let occurred_at = email.date.filter(plausible).or(received_at).unwrap_or(now);
    let mut parties = Vec::with_capacity(1 + email.to.len() + email.cc.len());
    let mut push = |role: PartyRole, m: super::Mailbox| {
        parties.push(Party {
            role,
            name: m.name,
            identifiers: vec![Identifier::Email(m.address)],
        })
    };
    // No usable sender: no From party, so the item is kept unlinked for a person to link.
    if let Some(m) = email.from {
        push(PartyRole::From, m);
    }
    for m in email.reply_to {
        push(PartyRole::ReplyTo, m);
    }
    for m in email.to {
        push(PartyRole::To, m);
    }
    for m in email.cc {
        push(PartyRole::Cc, m);
    }
    if let Some(m) = email.forwarded_from {
        push(PartyRole::Original, m);
    }
    ContactRecord {
        channel: Channel::Email,
        item_ref: email
            .message_id
            .clone()
            .unwrap_or_else(|| format!("sha256:{}", &fingerprint[..fingerprint.len().min(16)])),
        occurred_at,
        direction,
        parties,
        subject: email.subject,
        text: email.text,
        thread: ThreadHints {
            message_id: email.message_id,
            in_reply_to: email.in_reply_to,
            references: email.references,
        },
        evidence: Vec::new(),
        automated: email.automated.is_some(),
        details: Details::None,
    }
}
