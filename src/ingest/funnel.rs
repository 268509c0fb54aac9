//! The funnel: raw item → fingerprint → parse → link → store entry → one committed batch.

use super::email::fingerprint::Fingerprint;
use super::email::parse::{parse_email, ParseLimits};
use super::email::subject::thread_subject;
use crate::domain::{Channel, Direction, UnixTime};
use crate::pipeline::link::Linker;
use crate::store::{
    BatchOutcome, Checkpoint, Entry, EntryOutcome, ItemRecord, Store, StoreError, StoredContent,
};
use crate::telemetry::events;
use std::time::Instant;

/// Messages larger than this are parsed from their first bytes only: headers and the
/// leading text are all a contact item needs, and decoding a large attachment would hold
/// it in memory twice. The whole message is still fingerprinted and kept as evidence.
const PARSE_PREFIX_BYTES: usize = 1024 * 1024;

/// Characters of body text kept as the item's excerpt.
const EXCERPT_CHARS: usize = 280;

/// Raw bytes from a source, and where they came from.
#[derive(Clone, Debug)]
pub struct RawItem {
    /// Source name, e.g. `imap:enquiries/INBOX`, `dropfolder`, `maildir`.
    pub source: String,
    /// Position in the source: UID, file name, message number.
    pub locator: String,
    /// The message bytes (only the header block when `oversized` is set).
    pub bytes: Vec<u8>,
    /// When the source received it (IMAP INTERNALDATE, file time), if known.
    pub received_at: Option<UnixTime>,
    /// Direction of the folder it was found in.
    pub direction: Direction,
    /// Set to the full size when the message was over the size limit and only its headers
    /// were read: it is quarantined with that reason.
    pub oversized: Option<u64>,
}

/// Turns raw items into committed store entries.
#[derive(Clone, Debug)]
pub struct Funnel {
    store: Store,
    linker: Linker,
    limits: ParseLimits,
    stored: std::sync::Arc<tokio::sync::Notify>,
}

impl Funnel {
    /// A funnel writing to `store`, treating `staff_domains` as staff.
    pub fn new(store: Store, staff_domains: &[String]) -> Self {
        Self {
            store,
            linker: Linker::new(staff_domains),
            limits: ParseLimits::default(),
            stored: std::sync::Arc::default(),
        }
    }

    /// Notified whenever a batch stored new items, so later stages (flag evaluation) can run
    /// soon after new contact arrives instead of waiting for their next interval.
    pub fn stored_signal(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.stored.clone()
    }

    /// The store this funnel writes to.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Fingerprints, parses and links one raw item. Pure CPU work; never fails: an item that
    /// cannot be read becomes a quarantine entry with its reason.
    pub fn prepare(&self, raw: RawItem) -> Entry {
        let span = tracing::debug_span!("item", source = %raw.source, locator = %raw.locator);
        let _entered = span.enter();
        let fingerprint = Fingerprint::of_message(&raw.bytes).to_hex();
        let size_bytes = raw.oversized.map_or(raw.bytes.len() as i64, |s| s as i64);
        let (fingerprint, outcome) = match raw.oversized {
            Some(size) => (
                format!("{fingerprint}:{size}"),
                EntryOutcome::Quarantined {
                    reason: format!(
                        "message is {size} bytes, above the configured max_message_bytes; only its headers were kept — raise the limit and re-sync, or handle it by hand"
                    ),
                },
            ),
            None => (fingerprint.clone(), self.outcome(&raw, &fingerprint)),
        };
        if let EntryOutcome::Quarantined { reason } = &outcome {
            events::item_quarantined(&raw.source, &raw.locator, reason);
        }
        Entry {
            source: raw.source,
            locator: raw.locator,
            fingerprint,
            channel: Channel::Email,
            size_bytes,
            content: Some(StoredContent::new(raw.bytes)),
            outcome,
        }
    }

    fn outcome(&self, raw: &RawItem, fingerprint: &str) -> EntryOutcome {
        let parse_bytes = &raw.bytes[..raw.bytes.len().min(PARSE_PREFIX_BYTES)];
        match parse_email(parse_bytes, &self.limits) {
            Ok(email) => {
                let link = self.linker.link(&email, raw.direction);
                let now = chrono::Utc::now().timestamp();
                let occurred_at = email
                    .date
                    .filter(|d| *d > 0 && *d < now + 7 * 86_400)
                    .or(raw.received_at)
                    .unwrap_or(now);
                let excerpt: String = email
                    .text
                    .split_whitespace()
                    .flat_map(|w| [w, " "])
                    .flat_map(str::chars)
                    .take(EXCERPT_CHARS)
                    .collect();
                EntryOutcome::Item(Box::new(ItemRecord {
                    item_ref: email
                        .message_id
                        .clone()
                        .unwrap_or_else(|| format!("sha256:{}", &fingerprint[..16])),
                    direction: link.direction,
                    occurred_at,
                    customer: link.customer,
                    counterpart: link.counterpart,
                    staff: link.staff,
                    thread_key: email
                        .subject
                        .as_deref()
                        .map(thread_subject)
                        .filter(|s| !s.is_empty()),
                    subject: email.subject,
                    excerpt: Some(excerpt.trim_end().to_string()).filter(|s| !s.is_empty()),
                    automated: email.automated.is_some(),
                }))
            }
            Err(e) => EntryOutcome::Quarantined {
                reason: e.to_string(),
            },
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
        }
        if let Some(cp) = checkpoint {
            events::checkpoint_advanced(&cp.source, cp.last_uid);
        }
        Ok(outcome)
    }
}
