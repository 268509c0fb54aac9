//! The funnel: raw item → fingerprint → channel parser → contact records → link → store
//! parts → one committed batch. Every source hands its raw items here, whatever the channel;
//! the channel's pure parser turns the bytes into [`ContactRecord`]s and everything after that
//! (linking, storing, and the stages that read the store) exists once.

use super::calls::{parse_call_log, CallContext, FormatChoice};
use super::email::fingerprint::Fingerprint;
use super::email::parse::{parse_email, ParseLimits};
use super::email::record::email_record;
use super::email::subject::thread_subject;
use super::notes::note_record;
use crate::domain::{Channel, ContactRecord, Details, Direction, UnixTime};
use crate::pipeline::link::Linker;
use crate::store::{
    BatchOutcome, Checkpoint, Entry, EntryOutcome, ItemRecord, KeptRaw, Part, PartOutcome, Store,
    StoreError, StoredContent,
};
use crate::telemetry::events;
use sha2::{Digest, Sha256};
use std::time::Instant;

/// Messages larger than this are parsed from their first bytes only: headers and the
/// leading text are all a contact item needs, and decoding a large attachment would hold
/// it in memory twice. The whole message is still fingerprinted and kept as evidence.
const PARSE_PREFIX_BYTES: usize = 1024 * 1024;

/// Characters of text kept as the item's excerpt.
const EXCERPT_CHARS: usize = 280;

/// The header block of a message: up to and including the blank line that ends it.
fn header_block(bytes: &[u8]) -> Option<&[u8]> {
    let crlf = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4);
    let lf = bytes.windows(2).position(|w| w == b"\n\n").map(|p| p + 2);
    let end = match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    bytes.get(..end)
}

/// What kind of bytes a raw item holds, which decides the parser that reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawKind {
    /// An RFC 5322 message.
    Email,
    /// A telephone system's call-log export (CSV): one item per row.
    CallLog(FormatChoice),
    /// A scanned letter (PDF or image): kept first, read by the OCR stage.
    LetterScan,
    /// A staff file note (the JSON written by `tidings note add`).
    Note,
}

impl RawKind {
    /// The kind of raw item that yields items of `channel`.
    pub fn of_channel(channel: Channel) -> Self {
        match channel {
            Channel::Email => RawKind::Email,
            Channel::Call => RawKind::CallLog(FormatChoice::Auto),
            Channel::Letter => RawKind::LetterScan,
            Channel::Note => RawKind::Note,
        }
    }

    /// The channel of the items this kind yields.
    pub fn channel(&self) -> Channel {
        match self {
            RawKind::Email => Channel::Email,
            RawKind::CallLog(_) => Channel::Call,
            RawKind::LetterScan => Channel::Letter,
            RawKind::Note => Channel::Note,
        }
    }
}

/// Raw bytes from a source, what they are, and where they came from.
#[derive(Clone, Debug)]
pub struct RawItem {
    /// Source name, e.g. `imap:enquiries/INBOX`, `dropfolder`, `maildir`, `letters`.
    pub source: String,
    /// Position in the source: UID, file name, message number.
    pub locator: String,
    /// What the bytes are.
    pub kind: RawKind,
    /// The bytes (only the header block of an email when `oversized` is set).
    pub bytes: Vec<u8>,
    /// When the source received it (IMAP INTERNALDATE, file time), if known.
    pub received_at: Option<UnixTime>,
    /// Direction of the folder it was found in (inbound for letters).
    pub direction: Direction,
    /// Set to the full size when the item was over the size limit and only its start was
    /// read: it is quarantined with that reason.
    pub oversized: Option<u64>,
}

impl RawItem {
    /// An email from `source` at `locator`.
    pub fn email(source: &str, locator: String, bytes: Vec<u8>, direction: Direction) -> Self {
        Self {
            source: source.to_string(),
            locator,
            kind: RawKind::Email,
            bytes,
            received_at: None,
            direction,
            oversized: None,
        }
    }
}

/// Turns raw items into committed store entries.
#[derive(Clone, Debug)]
pub struct Funnel {
    store: Store,
    linker: Linker,
    limits: ParseLimits,
    calls: std::sync::Arc<CallContext>,
    stored: std::sync::Arc<tokio::sync::Notify>,
    routable: std::sync::Arc<tokio::sync::Notify>,
    pending: std::sync::Arc<tokio::sync::Notify>,
    linked: std::sync::Arc<tokio::sync::Notify>,
}

impl Funnel {
    /// A funnel writing to `store`, treating `staff_domains` as staff.
    pub fn new(store: Store, staff_domains: &[String]) -> Self {
        Self::with_linker(store, Linker::new(staff_domains))
    }

    /// A funnel writing to `store` that links with `linker`.
    pub fn with_linker(store: Store, linker: Linker) -> Self {
        Self {
            store,
            linker,
            limits: ParseLimits::default(),
            calls: std::sync::Arc::default(),
            stored: std::sync::Arc::default(),
            routable: std::sync::Arc::default(),
            pending: std::sync::Arc::default(),
            linked: std::sync::Arc::default(),
        }
    }

    /// Reads call logs with `context` (region, time zone, own numbers, column mappings).
    pub fn with_calls(mut self, context: CallContext) -> Self {
        self.calls = std::sync::Arc::new(context);
        self
    }

    /// Notified whenever a batch queued raw items for a later stage (letters for OCR).
    pub fn pending_signal(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.pending.clone()
    }

    /// Notified whenever a batch stored new items, so later stages (flag evaluation, OCR) can
    /// run soon after new contact arrives instead of waiting for their next interval.
    pub fn stored_signal(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.stored.clone()
    }

    /// Notified whenever customers were decided — by the link stage, or while a batch was
    /// stored — so counts and flags can follow.
    pub fn linked_signal(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.linked.clone()
    }

    /// Notified whenever a batch stored new items, for the routing stage alone (it runs at
    /// once, without the quiet period the flag pass waits for).
    pub fn routable_signal(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.routable.clone()
    }

    /// True when the address is a staff member's (a staff domain or the staff directory).
    pub fn is_staff(&self, address: &crate::domain::EmailAddress) -> bool {
        self.linker.is_staff(address)
    }

    /// The store this funnel writes to.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Fingerprints, parses and links one raw item. Pure CPU work; never fails: a part that
    /// cannot be read becomes a quarantine entry with its reason.
    pub fn prepare(&self, raw: RawItem) -> Entry {
        let span = tracing::debug_span!("item", source = %raw.source, locator = %raw.locator);
        let _entered = span.enter();
        let fingerprint = match raw.kind {
            RawKind::Email => Fingerprint::of_message(&raw.bytes).to_hex(),
            _ => format!(
                "{}:{}",
                raw.kind.channel(),
                hex::encode(Sha256::digest(&raw.bytes))
            ),
        };
        let size_bytes = raw.oversized.map_or(raw.bytes.len() as i64, |s| s as i64);
        // A complete message large enough to have been quarantined for its size by a smaller
        // limit once: the fingerprint its headers-only copy was kept under.
        let supersedes = (raw.kind == RawKind::Email
            && raw.oversized.is_none()
            && raw.bytes.len() > PARSE_PREFIX_BYTES)
            .then(|| header_block(&raw.bytes))
            .flatten()
            .map(|h| {
                format!(
                    "{}:{}",
                    Fingerprint::of_message(h).to_hex(),
                    raw.bytes.len()
                )
            });
        let (fingerprint, outcome) = match raw.oversized {
            Some(size) => (
                format!("{fingerprint}:{size}"),
                EntryOutcome::Parts(vec![Part::quarantined(match raw.kind {
                    RawKind::Email => format!(
                        "message is {size} bytes, above the configured max_message_bytes; only its headers were kept — raise the limit and re-sync, or read it in its mailbox ({} {})",
                        raw.source, raw.locator
                    ),
                    _ => format!(
                        "file is {size} bytes, above the size limit of the [{}] folder; only its first 64 KiB were kept — split the file or raise the limit, then drop it again",
                        raw.source
                    ),
                })]),
            ),
            None => {
                let outcome = self.outcome(&raw, &fingerprint);
                (fingerprint, outcome)
            }
        };
        if let EntryOutcome::Parts(parts) = &outcome {
            for p in parts {
                if let PartOutcome::Quarantined { reason } = &p.outcome {
                    events::item_quarantined(&raw.source, &raw.locator, reason);
                }
            }
        }
        Entry {
            source: raw.source,
            locator: raw.locator,
            fingerprint,
            channel: raw.kind.channel(),
            size_bytes,
            content: Some(StoredContent::new(raw.bytes)),
            received_at: raw.received_at,
            direction: raw.direction,
            supersedes,
            outcome,
        }
    }

    /// What the channel's parser makes of a raw item.
    fn outcome(&self, raw: &RawItem, fingerprint: &str) -> EntryOutcome {
        match &raw.kind {
            RawKind::Email => EntryOutcome::Parts(vec![self.email_part(raw, fingerprint)]),
            RawKind::Note => EntryOutcome::Parts(vec![match note_record(&raw.bytes) {
                Ok(record) => Part::item(self.item(record)),
                Err(e) => Part::quarantined(e.to_string()),
            }]),
            RawKind::CallLog(format) => EntryOutcome::Parts(self.call_parts(raw, format)),
            RawKind::LetterScan => EntryOutcome::Pending,
        }
    }

    /// One part per data row of a call log, keyed by the row's fingerprint so a later export
    /// that overlaps this one adds only the calls it did not hold. A row that cannot be read is
    /// quarantined on its own with the file, row and reason; a file of unknown shape as a whole.
    fn call_parts(&self, raw: &RawItem, format: &FormatChoice) -> Vec<Part> {
        let file = raw.locator.rsplit('/').next().unwrap_or(&raw.locator);
        match parse_call_log(&raw.bytes, file, format.clone(), &self.calls) {
            Ok(log) => log
                .rows
                .into_iter()
                .map(|row| match row {
                    Ok(call) => Part {
                        part: call.row as i64,
                        dedupe_key: Some(format!("call:{}", call.fingerprint)),
                        outcome: PartOutcome::Item(Box::new(self.item(call.record))),
                    },
                    Err(e) => Part {
                        part: e.row as i64,
                        dedupe_key: None,
                        outcome: PartOutcome::Quarantined {
                            reason: format!(
                                "{}: {e}; correct the row and import the file again",
                                raw.locator
                            ),
                        },
                    },
                })
                .collect(),
            Err(e) => vec![Part::quarantined(e.to_string())],
        }
    }

    fn email_part(&self, raw: &RawItem, fingerprint: &str) -> Part {
        let parse_bytes = &raw.bytes[..raw.bytes.len().min(PARSE_PREFIX_BYTES)];
        match parse_email(parse_bytes, &self.limits) {
            Ok(email) => Part::item(self.item(email_record(
                email,
                fingerprint,
                raw.direction,
                raw.received_at,
                chrono::Utc::now().timestamp(),
            ))),
            Err(e) => Part::quarantined(e.to_string()),
        }
    }

    /// Reads a kept raw item again exactly as its source handed it over (same channel,
    /// direction and receipt time): what a quarantine retry does. `None` when its bytes were
    /// not kept.
    pub fn reread(&self, kept: KeptRaw) -> Option<EntryOutcome> {
        let raw = RawItem {
            source: kept.source,
            locator: kept.locator,
            kind: RawKind::of_channel(kept.channel),
            bytes: kept.bytes?,
            received_at: kept.received_at,
            direction: kept.direction,
            oversized: None,
        };
        Some(self.outcome(&raw, &kept.fingerprint))
    }

    /// Links a contact record and makes the item the store keeps.
    pub fn item(&self, record: ContactRecord) -> ItemRecord {
        let link = self.linker.link(&record);
        let excerpt: String = record
            .text
            .split_whitespace()
            .flat_map(|w| [w, " "])
            .flat_map(str::chars)
            .take(EXCERPT_CHARS)
            .collect();
        let details = match &record.details {
            Details::None => None,
            d => serde_json::to_string(d).ok(),
        };
        let body =
            matches!(record.channel, Channel::Letter | Channel::Note).then(|| record.text.clone());
        ItemRecord {
            item_ref: record.item_ref,
            channel: record.channel,
            direction: link.direction,
            occurred_at: record.occurred_at,
            customer: link.customer,
            counterpart: link.counterpart,
            staff: link.staff,
            thread_key: record
                .subject
                .as_deref()
                .map(thread_subject)
                .filter(|s| !s.is_empty()),
            subject: record.subject,
            excerpt: Some(excerpt.trim_end().to_string()).filter(|s| !s.is_empty()),
            automated: record.automated,
            details,
            body,
        }
    }

    /// Prepares a batch on the blocking pool, split across the machine's cores; entries keep
    /// the order of `raws`.
    pub async fn prepare_batch(&self, mut raws: Vec<RawItem>) -> Result<Vec<Entry>, StoreError> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let per_task = raws.len().div_ceil(cores).max(256);
        let mut parts = Vec::new();
        while raws.len() > per_task {
            let tail = raws.split_off(per_task);
            parts.push(std::mem::replace(&mut raws, tail));
        }
        parts.push(raws);
        let tasks: Vec<_> = parts
            .into_iter()
            .map(|part| {
                let funnel = self.clone();
                tokio::task::spawn_blocking(move || {
                    part.into_iter()
                        .map(|r| funnel.prepare(r))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut entries = Vec::new();
        for task in tasks {
            entries
                .extend(task.await.map_err(|e| {
                    StoreError::Corrupt(format!("preparing a batch panicked: {e}"))
                })?);
        }
        Ok(entries)
    }

    /// Prepares a batch and commits it with `checkpoint`.
    pub async fn ingest(
        &self,
        raws: Vec<RawItem>,
        checkpoint: Option<Checkpoint>,
    ) -> Result<BatchOutcome, StoreError> {
        let entries = self.prepare_batch(raws).await?;
        self.commit(&entries, checkpoint.as_ref()).await
    }

    /// Commits prepared entries and the checkpoint in one transaction.
    pub async fn commit(
        &self,
        entries: &[Entry],
        checkpoint: Option<&Checkpoint>,
    ) -> Result<BatchOutcome, StoreError> {
        let Some(first) = entries.first() else {
            if let Some(cp) = checkpoint {
                self.store.write_batch(&[], Some(cp)).await?;
            }
            return Ok(BatchOutcome::default());
        };
        let source = first.source.clone();
        let started = Instant::now();
        let outcome = self.store.write_batch(entries, checkpoint).await?;
        events::batch_committed(&source, &outcome, started.elapsed().as_secs_f64());
        if outcome.stored > 0 {
            self.stored.notify_one();
            self.routable.notify_one();
        }
        if outcome.linked.decided > 0 {
            events::links_decided(&outcome.linked, "ingest", started.elapsed().as_secs_f64());
            self.linked.notify_one();
        }
        if outcome.pending > 0 {
            self.pending.notify_one();
        }
        if let Some(cp) = checkpoint {
            events::checkpoint_advanced(&cp.source, &cp.cursor);
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_complete_message_names_the_fingerprint_its_headers_only_copy_was_kept_under() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&format!("sqlite://{}/t.db", dir.path().display()))
            .await
            .expect("store");
        let funnel = Funnel::new(store, &["fire.example".to_string()]);
        let headers = b"From: Ann <ann@home.example>\r\nTo: desk@fire.example\r\nSubject: scans\r\nMessage-ID: <big@h>\r\n\r\n".to_vec();
        let mut whole = headers.clone();
        whole.extend(std::iter::repeat_n(b'x', 2 * PARSE_PREFIX_BYTES));
        let mut copy = RawItem::email("imap:a/INBOX", "1".into(), headers, Direction::Inbound);
        copy.oversized = Some(whole.len() as u64);
        let kept = funnel.prepare(copy);
        let complete = funnel.prepare(RawItem::email(
            "imap:a/INBOX",
            "2".into(),
            whole,
            Direction::Inbound,
        ));
        assert_eq!(
            complete.supersedes.as_deref(),
            Some(kept.fingerprint.as_str())
        );
        let small = funnel.prepare(RawItem::email(
            "x",
            "3".into(),
            b"From: a@b.example\r\n\r\nhi".to_vec(),
            Direction::Inbound,
        ));
        assert_eq!(small.supersedes, None);
    }
}
