//! Values passed into and out of the store. Plain data: the store checks nothing about meaning.

use crate::domain::{Channel, Direction, UnixTime};

/// One raw item a source read, as the funnel hands it to the store.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Source name, e.g. `imap:enquiries/INBOX`, `dropfolder`, `calls`.
    pub source: String,
    /// Where in the source: a UID, a file name, a message number.
    pub locator: String,
    /// Content fingerprint (hex); equal fingerprints are one raw item seen in several places.
    pub fingerprint: String,
    /// Channel of the raw item.
    pub channel: Channel,
    /// Size of the original in bytes.
    pub size_bytes: i64,
    /// The original bytes, kept as evidence.
    pub content: Option<super::StoredContent>,
    /// When the source received it, if known (kept so later stages can read it again).
    pub received_at: Option<UnixTime>,
    /// The direction the source gave it (folder direction; inbound for letters).
    pub direction: Direction,
    /// The fingerprint of an oversized raw item (headers only, quarantined for its size) that
    /// this complete one replaces: its quarantine entry is released when this one is stored.
    pub supersedes: Option<String>,
    /// What the funnel made of it.
    pub outcome: EntryOutcome,
}

/// The funnel's verdict on a raw item: every raw item ends in exactly one of these.
#[derive(Clone, Debug)]
pub enum EntryOutcome {
    /// Read now: one part per item it holds (one for an email, one per row of a call log).
    Parts(Vec<Part>),
    /// Kept as evidence and queued for a later stage (OCR of a letter scan).
    Pending,
}

impl Entry {
    /// How many parts (items or quarantined rows) the entry holds.
    pub fn parts(&self) -> usize {
        match &self.outcome {
            EntryOutcome::Parts(parts) => parts.len(),
            EntryOutcome::Pending => 0,
        }
    }
}

/// One item of a raw item, or why that part could not be read.
#[derive(Clone, Debug)]
pub struct Part {
    /// Position within the raw item (0 for single-item raws, the data row for call logs).
    pub part: i64,
    /// Recognises the same item met again in another raw item (a call row in two
    /// overlapping exports); `None` where the raw fingerprint already does.
    pub dedupe_key: Option<String>,
    /// The item, or the reason it was quarantined.
    pub outcome: PartOutcome,
}

/// What one part became.
#[derive(Clone, Debug)]
pub enum PartOutcome {
    /// Parsed and linked: becomes a contact item.
    Item(Box<ItemRecord>),
    /// Could not be read; kept with its reason for `tidings quarantine`.
    Quarantined {
        /// Why, in words that say what to do.
        reason: String,
    },
}

impl Part {
    /// The single part of a raw item that could not be read at all.
    pub fn quarantined(reason: String) -> Self {
        Self {
            part: 0,
            dedupe_key: None,
            outcome: PartOutcome::Quarantined { reason },
        }
    }

    /// The single item of a raw item.
    pub fn item(record: ItemRecord) -> Self {
        Self {
            part: 0,
            dedupe_key: None,
            outcome: PartOutcome::Item(Box::new(record)),
        }
    }
}

/// A parsed, linked contact item.
#[derive(Clone, Debug)]
pub struct ItemRecord {
    /// Stable reference: the Message-ID for email, the call id, the letter's file name.
    pub item_ref: String,
    /// Channel of the item.
    pub channel: Channel,
    /// Inbound, outbound or internal.
    pub direction: Direction,
    /// When the contact happened.
    pub occurred_at: UnixTime,
    /// The customer it is linked to, if any.
    pub customer: Option<CustomerRef>,
    /// The customer-side address, number or postcode as it appeared.
    pub counterpart: Option<String>,
    /// Staff members involved (reached, or replying).
    pub staff: Vec<StaffRef>,
    /// Subject line.
    pub subject: Option<String>,
    /// A short text excerpt.
    pub excerpt: Option<String>,
    /// Topic key for threading (normalised subject).
    pub thread_key: Option<String>,
    /// Auto-reply, bounce or list mail: kept, never counted or routed.
    pub automated: bool,
    /// Channel specifics (call duration and result, letter fields) as JSON text.
    pub details: Option<String>,
    /// Text kept with the item when the raw item is not text (letters) or is the note itself.
    pub body: Option<String>,
}

/// Identifier kind of a customer named by its key (file notes): found by key, never created.
pub const KEY_KIND: &str = "customer-key";

/// How an item names its customer: an identifier and a deterministic key for a new customer.
/// Kept with the item (`items.link_input`, JSON) so the link stage can decide — and decide
/// again — from exactly what the item was found with.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct CustomerRef {
    /// Identifier kind, e.g. `email`.
    pub identifier_kind: String,
    /// Normalised identifier value.
    pub identifier: String,
    /// Key given to the customer if this identifier is new.
    pub new_key: String,
    /// Display name seen with the identifier.
    pub display_name: Option<String>,
    /// Other strong identifiers the item carries for the same party (a signature's phone
    /// number, a letter's email and phone): they link the item when the primary one is new,
    /// and are attached to its customer when no one holds them yet.
    pub also: Vec<(String, String)>,
}

/// A staff member named on an item.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StaffRef {
    /// Normalised email address.
    pub email: String,
    /// Display name, if seen.
    pub display_name: Option<String>,
}

/// A source position, committed in the same transaction as the items it covers. The cursor
/// is the source's own (UIDVALIDITY and UID for IMAP, file and row for a log): the store keeps
/// it without reading it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Source name (`imap:<account>/<folder>`, `calls:<file>`).
    pub source: String,
    /// The source's opaque position.
    pub cursor: String,
}

/// What a committed batch did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// New items stored.
    pub stored: usize,
    /// Items already known (seen again, recorded as a sighting).
    pub duplicates: usize,
    /// New items quarantined.
    pub quarantined: usize,
    /// Raw items kept and queued for a later stage (letters waiting for OCR).
    pub pending: usize,
    /// What the link stage decided in the same transaction.
    pub linked: crate::store::LinkPass,
}

impl std::ops::AddAssign for BatchOutcome {
    fn add_assign(&mut self, other: Self) {
        self.stored += other.stored;
        self.duplicates += other.duplicates;
        self.quarantined += other.quarantined;
        self.pending += other.pending;
        self.linked += other.linked;
    }
}

/// A customer's contact figures within a window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactCount {
    /// Internal customer id.
    pub customer_id: i64,
    /// Inbound, non-automated contacts in the window.
    pub contacts: i64,
    /// Distinct staff members those contacts reached.
    pub distinct_staff: i64,
}

/// A flag as stored, joined with its customer (and its item, for an item flag).
#[derive(Clone, Debug, serde::Serialize)]
pub struct FlagRow {
    /// Flag id.
    pub id: i64,
    /// Flag kind.
    pub kind: String,
    /// Internal customer id.
    pub customer_id: i64,
    /// Customer key.
    pub customer_key: String,
    /// Customer display name.
    pub customer_name: Option<String>,
    /// `open`, `acknowledged` or `dismissed`.
    pub state: String,
    /// Window start.
    pub window_start: UnixTime,
    /// Window end.
    pub window_end: UnixTime,
    /// Figures (JSON text).
    pub figures: String,
    /// Threshold (JSON text).
    pub threshold: String,
    /// Raised at.
    pub created_at: UnixTime,
    /// Expires at.
    pub expires_at: UnixTime,
    /// For an item flag: the item's id.
    pub item_id: Option<i64>,
    /// For an item flag: the item's reference.
    pub item_ref: Option<String>,
    /// For an item flag: the matched sentence.
    pub sentence: Option<String>,
    /// Who acknowledged or dismissed it.
    pub reviewed_by: Option<String>,
    /// When.
    pub reviewed_at: Option<UnixTime>,
    /// The reviewer's note.
    pub note: Option<String>,
}

/// A raw item read back from the store with what its source said about it.
#[derive(Clone, Debug)]
pub struct KeptRaw {
    /// Raw item id.
    pub raw_id: i64,
    /// Its fingerprint.
    pub fingerprint: String,
    /// Channel of the raw item.
    pub channel: Channel,
    /// The source that first read it.
    pub source: String,
    /// Where in that source.
    pub locator: String,
    /// The original bytes (None when they were not kept).
    pub bytes: Option<Vec<u8>>,
    /// When the source received it, if known.
    pub received_at: Option<UnixTime>,
    /// The direction the source gave it.
    pub direction: Direction,
}

/// A row of the quarantine.
#[derive(Clone, Debug, serde::Serialize)]
pub struct QuarantineRow {
    /// Quarantine id.
    pub id: i64,
    /// Raw item id, when the bytes were kept.
    pub raw_id: Option<i64>,
    /// Source name.
    pub source: String,
    /// Locator within the source.
    pub locator: String,
    /// Why.
    pub reason: String,
    /// When.
    pub quarantined_at: UnixTime,
}

/// A message claimed from the outbox for one delivery attempt.
#[derive(Clone, Debug)]
pub struct OutboxRow {
    /// Row id.
    pub id: i64,
    /// Stable Message-ID (no brackets).
    pub message_id: String,
    /// What it is for, e.g. `digest`, `forward`, `complaint-copy`.
    pub purpose: String,
    /// Recipients, one address each, in order.
    pub recipients: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML body.
    pub body_html: Option<String>,
    /// Attempts so far.
    pub attempts: i64,
    /// Extra headers (name, value), e.g. `X-Loop`.
    pub headers: Vec<(String, String)>,
    /// The raw item attached whole as `message/rfc822`, byte for byte.
    pub attach_raw_id: Option<i64>,
    /// The item the message concerns (a forward's original).
    pub concerns_item_id: Option<i64>,
}

/// What an outbox message carries beyond [`NewOutboxMessage`]: extra headers, the raw item to
/// attach and the item it concerns. `OutboxExtras::default()` is a plain message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboxExtras {
    /// Extra headers (name, value); values must not contain CR or LF.
    pub headers: Vec<(String, String)>,
    /// The raw item to attach whole as `message/rfc822`.
    pub attach_raw_id: Option<i64>,
    /// The item the message concerns.
    pub concerns_item_id: Option<i64>,
}

/// A message to put in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOutboxMessage {
    /// Stable Message-ID (no brackets); a second enqueue with the same id is ignored.
    pub message_id: String,
    /// What it is for, e.g. `digest`.
    pub purpose: String,
    /// Recipients, comma-separated.
    pub recipients: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML body.
    pub body_html: Option<String>,
}
