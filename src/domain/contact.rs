//! The channel-neutral contact record: what every channel's parser produces and every later
//! stage (linking, counting, flags, routing) reads. A new channel is a new parser that makes
//! these, never a new pipeline.
//!
//! Parsers describe what they *found* — the parties with their roles and typed identifiers —
//! and do not decide who is staff or which customer an item belongs to: that is linking's job.

use super::{Channel, Direction, EmailAddress, PhoneNumber, Postcode, UnixTime};
use serde::Serialize;

/// One contact, whatever channel it came through.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContactRecord {
    /// Email, call, letter or note.
    pub channel: Channel,
    /// The stable reference shown in exports: Message-ID, the telephone system's call id (or
    /// `<file>#<row>`), the letter's file name, `note:<id>`.
    pub item_ref: String,
    /// When the contact happened (UTC seconds).
    pub occurred_at: UnixTime,
    /// Direction as the source saw it (folder direction, the call log's direction, inbound
    /// for letters). Linking may refine it (staff mail found in an inbound folder is internal).
    pub direction: Direction,
    /// Everyone the item names, with their role and identifiers.
    pub parties: Vec<Party>,
    /// Subject line (email subject, a letter's "Re:" line).
    pub subject: Option<String>,
    /// The readable text: email body, OCR or text-layer text of a letter, a note's text.
    /// Empty for calls.
    pub text: String,
    /// Threading hints for topics.
    pub thread: ThreadHints,
    /// Where the evidence is kept besides the raw item itself (call recordings, scan pages).
    pub evidence: Vec<EvidenceRef>,
    /// Machine-generated (auto-reply, bounce, list mail): kept, never counted or routed.
    pub automated: bool,
    /// Channel-specific details (call duration and result, letter fields), kept as JSON.
    pub details: Details,
}

/// What a party did in the item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartyRole {
    /// Email `From` (or `Sender` when `From` is unusable).
    From,
    /// Email `Reply-To`.
    ReplyTo,
    /// Email `To`.
    To,
    /// Email `Cc`.
    Cc,
    /// The sender of a message a forward carries attached whole.
    Original,
    /// The calling party of a call.
    Caller,
    /// The called party of a call.
    Callee,
    /// The staff member who handled a call (extension, agent name) when the log names one.
    Handler,
    /// The writer of a letter, as extracted from its text.
    Sender,
    /// Whom a letter is addressed to ("Dear Chief Fire Officer", a named officer).
    Addressee,
    /// The staff member who wrote a file note.
    Author,
    /// The customer a file note is about (named by key).
    Subject,
}

/// A party to a contact: a role, a display name if one was seen, and typed identifiers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Party {
    /// What the party did.
    pub role: PartyRole,
    /// A display name as written (email display name, a letter's signature name).
    pub name: Option<String>,
    /// What identifies the party.
    pub identifiers: Vec<Identifier>,
}

impl Party {
    /// A party with one identifier and no name.
    pub fn with(role: PartyRole, identifier: Identifier) -> Self {
        Self {
            role,
            name: None,
            identifiers: vec![identifier],
        }
    }

    /// The first email address among the identifiers.
    pub fn email(&self) -> Option<&EmailAddress> {
        self.identifiers.iter().find_map(|i| match i {
            Identifier::Email(e) => Some(e),
            _ => None,
        })
    }

    /// The first phone number among the identifiers.
    pub fn phone(&self) -> Option<&PhoneNumber> {
        self.identifiers.iter().find_map(|i| match i {
            Identifier::Phone(p) => Some(p),
            _ => None,
        })
    }

    /// The first postcode among the identifiers.
    pub fn postcode(&self) -> Option<&Postcode> {
        self.identifiers.iter().find_map(|i| match i {
            Identifier::Postcode(p) => Some(p),
            _ => None,
        })
    }
}

/// A typed identifier found in an item.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum Identifier {
    /// A checked email address.
    Email(EmailAddress),
    /// An E.164 telephone number.
    Phone(PhoneNumber),
    /// A UK postcode.
    Postcode(Postcode),
    /// Postal address lines as written (without the postcode).
    Address(Vec<String>),
    /// A telephone extension (internal), as the call log wrote it.
    Extension(String),
    /// A name as written in a call log or letter (agent name, addressee, signature).
    Name(String),
    /// A role rather than a person ("Chief Fire Officer").
    Role(String),
    /// A customer key given by staff (file notes).
    CustomerKey(String),
}

impl Identifier {
    /// The stable kind name used in the store and exports.
    pub fn kind(&self) -> &'static str {
        match self {
            Identifier::Email(_) => "email",
            Identifier::Phone(_) => "phone",
            Identifier::Postcode(_) => "postcode",
            Identifier::Address(_) => "address",
            Identifier::Extension(_) => "extension",
            Identifier::Name(_) => "name",
            Identifier::Role(_) => "role",
            Identifier::CustomerKey(_) => "customer-key",
        }
    }

    /// The value as text (address lines joined with ", ").
    pub fn value(&self) -> String {
        match self {
            Identifier::Email(e) => e.to_string(),
            Identifier::Phone(p) => p.to_string(),
            Identifier::Postcode(p) => p.to_string(),
            Identifier::Address(lines) => lines.join(", "),
            Identifier::Extension(s)
            | Identifier::Name(s)
            | Identifier::Role(s)
            | Identifier::CustomerKey(s) => s.clone(),
        }
    }
}

/// Threading hints: what later stages use to group items into topics.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ThreadHints {
    /// The item's own message id (email).
    pub message_id: Option<String>,
    /// Ids it replies to.
    pub in_reply_to: Vec<String>,
    /// Ids of the thread it belongs to.
    pub references: Vec<String>,
}

/// Evidence kept outside the raw item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum EvidenceRef {
    /// A call recording, by path or the telephone system's id.
    Recording(String),
}

/// Channel-specific details, stored with the item as JSON and shown in exports.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(tag = "channel", rename_all = "kebab-case")]
pub enum Details {
    /// Nothing beyond the common fields (email, notes).
    #[default]
    None,
    /// A telephone call.
    Call(CallDetails),
    /// A scanned letter.
    Letter(LetterDetails),
}

/// What a call log says about a call.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CallDetails {
    /// The telephone system's own call id, when the log has one.
    pub call_id: Option<String>,
    /// How the call ended.
    pub result: CallResult,
    /// Talk time in seconds (0 for unanswered calls).
    pub duration_secs: u32,
    /// The calling number as the log wrote it.
    pub caller_raw: String,
    /// The called number as the log wrote it.
    pub callee_raw: String,
    /// A recording reference (path or id), when the log has one.
    pub recording: Option<String>,
    /// Which preset or mapping read the row.
    pub format: String,
}

/// How a call ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallResult {
    /// Someone answered.
    Answered,
    /// Nobody answered.
    #[default]
    Missed,
    /// The line was busy.
    Busy,
    /// The caller reached voicemail.
    Voicemail,
    /// The call failed (congestion, error).
    Failed,
}

impl CallResult {
    /// The stable name used in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            CallResult::Answered => "answered",
            CallResult::Missed => "missed",
            CallResult::Busy => "busy",
            CallResult::Voicemail => "voicemail",
            CallResult::Failed => "failed",
        }
    }
}

/// What was extracted from a letter's text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LetterDetails {
    /// Pages in the scan.
    pub pages: u32,
    /// Where the text came from: `text-layer` or `ocr`.
    pub text_source: String,
    /// The sender's name.
    pub sender_name: Option<String>,
    /// Postal address lines (without the postcode).
    pub address: Vec<String>,
    /// The sender's postcode.
    pub postcode: Option<String>,
    /// Phone numbers found (E.164).
    pub phones: Vec<String>,
    /// Email addresses found.
    pub emails: Vec<String>,
    /// The date written on the letter (`YYYY-MM-DD`).
    pub letter_date: Option<String>,
    /// Whom it is addressed to (a name or a role).
    pub addressee: Option<String>,
}
