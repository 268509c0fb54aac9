//! The two incremental flag stages and the pass that runs them, in the daemon after ingest
//! and in `tidings run --once`, never inside the ingest transaction (email ingest must not
//! get slower):
//!
//! 1. **Signals** read items after the `signals` cursor, in batches, parallel over the
//!    cores (calls carry no text and are passed over): the customer's own words of each inbound, non-automated item are scanned for
//!    item flags and context cues, and every item's text gives topic marks (thread root,
//!    MinHash bands). A `safety` flag queues its alert email before the batch is recorded.
//! 2. **Patterns** run once the signal stage has caught up and items arrived since the
//!    `patterns` cursor: the contacts of the customers the new items belong to are read
//!    (every customer's on a first pass, or after items changed customer), topics assigned,
//!    and the pure rules judge the windows that hold new contacts against the populations of
//!    every customer, which a running daemon keeps between passes (`population`);
//!    [`lifecycle::decide`] says what each draft does.
//!
//! Then expired flags are deleted.

use super::item_signal::{self, ItemDraft};
use super::lifecycle::{self, Action, Stored};
use super::population::Populations;
use super::topics::{self, TopicItem};
use super::windows::{Calendar, Window};
use super::{
    alert, contact_volume, describe, repeat_topic, staff_spread, Contact, FlagsError, PatternDraft,
};
use crate::config::Config;
use crate::ingest::email::{parse_email, ParseLimits};
use crate::signals::{self, Lexicon, SignalKind};
use crate::store::{
    ContactScope, FlagContactRow, FlagPositions, ItemFlagWrite, NewOutboxMessage, PatternWrite,
    ScanRow, ScanWrite, Store, StoredPatternFlag, PATTERN_STAGE, SIGNAL_STAGE,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Items read per signal batch (one transaction).
const SCAN_BATCH: i64 = 1024;
/// Items the daemon scans per maintenance pass before it lets the digest and outbox run.
const SCAN_PER_PASS: usize = 20_000;
/// Contacts from which the pattern rules run on threads of their own (a full pass); fewer
/// are judged on the calling thread.
const PARALLEL_RULES_FROM: usize = 10_000;
/// A `safety` item older than this (a backfill of old mail) is flagged for review but not
/// alerted: the alert is for what is happening now.
const ALERT_RECENT_SECS: i64 = 7 * 86_400;

/// What the flag stages need from configuration, prepared once: the lexicon (shipped plus
/// `[flags.signals] lexicon_files`), senior officers' names and roles from the staff
/// directory, the alert settings and the organisation's time zone (windows are its days).
#[derive(Clone, Debug)]
pub struct Engine {
    config: crate::config::FlagsConfig,
    tz: chrono_tz::Tz,
    safety_contacts: Vec<String>,
    organisation: String,
    domain: String,
    lexicon: Lexicons,
    seniors: Arc<Vec<String>>,
    /// The pattern stage's memory between passes, shared by the engine's clones; held for
    /// the whole of a pattern pass, so passes never interleave.
    memory: Arc<tokio::sync::Mutex<Option<Memory>>>,
}

/// The shipped lexicon, or one with the configured additions, shareable with scan threads.
#[derive(Clone)]
enum Lexicons {
    Builtin,
    Extended(Arc<Lexicon>),
}

impl Lexicons {
    fn get(&self) -> &Lexicon {
        match self {
            Lexicons::Builtin => Lexicon::builtin(),
            Lexicons::Extended(lexicon) => lexicon,
        }
    }
}

impl std::fmt::Debug for Lexicons {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Lexicons::Builtin => "shipped lexicon",
            Lexicons::Extended(_) => "shipped lexicon with additions",
        })
    }
}

impl Engine {
    /// Prepares the engine from the configuration.
    pub fn new(config: &Config) -> Result<Self, FlagsError> {
        let mut files: Vec<(String, String)> = Vec::new();
        for path in &config.flags.signals.lexicon_files {
            let text = std::fs::read_to_string(path)
                .map_err(|e| FlagsError::Lexicon(format!("cannot read {}: {e}", path.display())))?;
            files.push((path.display().to_string(), text));
        }
        let lexicon = if files.is_empty() {
            Lexicons::Builtin
        } else {
            let extra: Vec<(&str, &str)> = files
                .iter()
                .map(|(n, t)| (n.as_str(), t.as_str()))
                .collect();
            Lexicons::Extended(Arc::new(
                Lexicon::with_files(&extra).map_err(|e| FlagsError::Lexicon(e.to_string()))?,
            ))
        };
        let directory = crate::ingest::setup::staff_directory(config)
            .map_err(|e| FlagsError::Setup(e.to_string()))?;
        let mut seniors: Vec<String> = Vec::new();
        for m in directory.seniors() {
            seniors.push(m.name.clone());
            if !m.role.trim().is_empty() {
                seniors.push(m.role.clone());
            }
        }
        let domain = config
            .smtp
            .as_ref()
            .and_then(|s| {
                s.from
                    .rsplit_once('@')
                    .map(|(_, d)| d.trim_end_matches('>').to_string())
            })
            .unwrap_or_else(|| "tidings.invalid".to_string());
        Ok(Self {
            config: config.flags.clone(),
            tz: crate::digest::schedule::timezone(&config.organisation.timezone),
            safety_contacts: config.alerts.safety_contacts.clone(),
            organisation: config.organisation.name.clone(),
            domain,
            lexicon,
            seniors: Arc::new(seniors),
            memory: Arc::default(),
        })
    }

    /// The flag settings.
    pub fn config(&self) -> &crate::config::FlagsConfig {
        &self.config
    }
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlagPass {
    /// Items the signal stage read.
    pub scanned: usize,
    /// Item flags raised.
    pub item_flags: usize,
    /// Safety alerts queued.
    pub alerts: usize,
    /// Pattern flags raised.
    pub raised: usize,
    /// Open pattern flags given a stronger window.
    pub refreshed: usize,
    /// Contacts the pattern stage read: every customer's on a full pass, only those of the
    /// customers with new items when the daemon's memory of the populations held.
    pub pattern_contacts: usize,
    /// Expired flags deleted.
    pub expired: u64,
}

/// Runs the signal stage (all of it when `drain`, else a bounded share), then the pattern
/// stage once signals have caught up, then deletes expired flags when one is due. Where the
/// stages stand is read once, at the start: both judge up to the items readable then, and
/// items stored during the pass wait for the next.
pub async fn evaluate(
    store: &Store,
    engine: &Engine,
    now: i64,
    drain: bool,
) -> Result<FlagPass, FlagsError> {
    let mut pass = FlagPass::default();
    let at = store.flag_positions().await?;
    let expires_at = now + i64::from(engine.config.expiry_days) * 86_400;
    let signals = if engine.config.signals.enabled {
        let scan = Scan {
            from: at.signals,
            upto: at.readable,
            now,
            expires_at,
            drain,
        };
        scan_signals(store, engine, scan, &mut pass).await?
    } else {
        SignalsRead {
            cursor: at.readable,
            unwritten: None,
        }
    };
    let mut unwritten = signals.unwritten;
    let c = &engine.config;
    let any_pattern = c.contact_volume.enabled || c.staff_spread.enabled || c.repeat_topic.enabled;
    if signals.cursor >= at.readable && any_pattern && at.readable > at.patterns {
        let signals_to = unwritten.take();
        patterns(
            store,
            engine,
            (&at, signals_to),
            (now, expires_at),
            &mut pass,
        )
        .await?;
    }
    if let Some(cursor) = unwritten {
        store.write_scan(&[], cursor, expires_at).await?;
    }
    if at.next_expiry.is_some_and(|due| due <= now) {
        pass.expired = store.delete_expired_flags(now).await?;
    }
    Ok(pass)
}

/// `tidings flags recompute`: both stages read the whole history again. Item flags are keyed
/// by item and are never raised twice; reviewed pattern flags are not raised again on the
/// same evidence; patterns whose flags expired and were deleted are raised again.
pub async fn recompute(store: &Store, engine: &Engine, now: i64) -> Result<FlagPass, FlagsError> {
    store.reset_stage_cursor(SIGNAL_STAGE).await?;
    store.reset_stage_cursor(PATTERN_STAGE).await?;
    evaluate(store, engine, now, true).await
}

/// What a signal pass reads: items after `from` up to `upto`.
struct Scan {
    from: i64,
    upto: i64,
    now: i64,
    expires_at: i64,
    drain: bool,
}

/// Reads signals after `scan.from`; says how far it read.
async fn scan_signals(
    store: &Store,
    engine: &Engine,
    scan: Scan,
    pass: &mut FlagPass,
) -> Result<SignalsRead, FlagsError> {
    let Scan {
        from,
        upto,
        now,
        expires_at,
        drain,
    } = scan;
    let mut read = SignalsRead::default();
    let mut cursor = from;
    while cursor < upto {
        let rows = store.scan_batch(cursor, upto, SCAN_BATCH).await?;
        // A short batch reached `upto`: everything up to it (calls too) has been read.
        let last = match rows.last() {
            Some(row) if rows.len() as i64 == SCAN_BATCH => row.item_id,
            _ => upto,
        };
        let raw_ids: Vec<i64> = rows
            .iter()
            .filter(|r| r.channel == "email")
            .map(|r| r.raw_id)
            .collect();
        let items = if rows.is_empty() {
            Vec::new()
        } else {
            let contents = store.raw_contents(&raw_ids).await?;
            read_batch(rows.clone(), contents, engine).await?
        };
        let mut alerts: Vec<NewOutboxMessage> = Vec::new();
        let mut writes = Vec::with_capacity(items.len());
        for (row, (write, drafts)) in rows.iter().zip(items) {
            if !engine.safety_contacts.is_empty() && now - row.occurred_at <= ALERT_RECENT_SECS {
                for draft in drafts.iter().filter(|d| d.kind == SignalKind::Safety) {
                    let item = alert::SafetyItem {
                        item_id: row.item_id,
                        item_ref: &row.item_ref,
                        customer_key: row.customer_key.as_deref().unwrap_or("unlinked"),
                        channel: &row.channel,
                        occurred_at: row.occurred_at,
                    };
                    alerts.push(alert::safety_alert(
                        &item,
                        draft,
                        &engine.safety_contacts,
                        &engine.organisation,
                        &engine.domain,
                    )?);
                }
            }
            writes.push(write);
        }
        // The alert is queued first, under a Message-ID derived from the item: a crash before
        // the batch is recorded scans it again, and the second enqueue is ignored.
        if !alerts.is_empty() {
            store.enqueue(&alerts).await?;
        }
        pass.scanned += rows.len();
        pass.alerts += alerts.len();
        cursor = last;
        if writes.iter().all(ScanWrite::records_nothing) {
            // Only the cursor moves: the caller writes it with the pattern stage's.
            read.unwritten = Some(last);
        } else {
            let raised = store.write_scan(&writes, last, expires_at).await?;
            for (flag_id, item_id, kind) in &raised {
                crate::telemetry::events::item_flag_raised(*flag_id, *item_id, kind);
            }
            pass.item_flags += raised.len();
            read.unwritten = None;
        }
        if !drain && pass.scanned >= SCAN_PER_PASS {
            break;
        }
    }
    read.cursor = cursor;
    Ok(read)
}

/// How far a signal pass read, and the cursor it moved without writing it (its last batches
/// had nothing to record).
#[derive(Default)]
struct SignalsRead {
    cursor: i64,
    unwritten: Option<i64>,
}

/// Reads a batch on every core: each item's text, its signals and context, its marks.
async fn read_batch(
    rows: Vec<ScanRow>,
    mut contents: HashMap<i64, Vec<u8>>,
    engine: &Engine,
) -> Result<Vec<(ScanWrite, Vec<ItemDraft>)>, FlagsError> {
    let jobs: Vec<(ScanRow, Option<Vec<u8>>)> = rows
        .into_iter()
        .map(|r| {
            let bytes = if r.channel == "email" {
                contents.remove(&r.raw_id)
            } else {
                None
            };
            (r, bytes)
        })
        .collect();
    let lexicon = engine.lexicon.clone();
    let seniors = Arc::clone(&engine.seniors);
    tokio::task::spawn_blocking(move || {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per = jobs.len().div_ceil(cores).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = jobs
                .chunks(per)
                .map(|chunk| {
                    let (lexicon, seniors) = (lexicon.get(), &seniors);
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|(row, bytes)| read_item(row, bytes.as_deref(), lexicon, seniors))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .map_err(|_| FlagsError::Worker("a scan thread panicked".into()))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(|parts| parts.into_iter().flatten().collect())
        })
    })
    .await
    .map_err(|e| FlagsError::Worker(e.to_string()))?
}

/// What one item's text says: pure.
pub fn read_item(
    row: &ScanRow,
    bytes: Option<&[u8]>,
    lexicon: &Lexicon,
    seniors: &[String],
) -> (ScanWrite, Vec<ItemDraft>) {
    let mut write = ScanWrite {
        item_id: row.item_id,
        customer_id: row.customer_id,
        occurred_at: row.occurred_at,
        ..ScanWrite::default()
    };
    let text = match (row.channel.as_str(), bytes) {
        ("email", Some(bytes)) => match parse_email(bytes, &ParseLimits::default()) {
            Ok(mail) => {
                write.thread_root = mail
                    .references
                    .first()
                    .or(mail.in_reply_to.first())
                    .cloned()
                    .or(mail.message_id.clone());
                mail.text
            }
            Err(_) => String::new(),
        },
        _ => row.body.clone().unwrap_or_default(),
    };
    if text.trim().is_empty() {
        return (write, Vec::new());
    }
    write.bands = topics::band_keys(&signals::own_words(&text));
    let scanned = row.direction == "inbound" && !row.automated && row.customer_id.is_some();
    if !scanned {
        return (write, Vec::new());
    }
    let drafts = item_signal::drafts(&signals::scan(&text, lexicon, seniors));
    write.flags = drafts
        .iter()
        .map(|d| ItemFlagWrite {
            kind: d.kind.as_str().to_string(),
            sentence: d.sentence.clone(),
            figures: serde_json::to_value(&d.figures).unwrap_or_default(),
            threshold: super::FlagFigures::threshold(&d.figures),
        })
        .collect();
    write.context = item_signal::context_notes(&signals::context_with(&text, lexicon))
        .into_iter()
        .map(|c| (c.kind.as_str().to_string(), c.sentence, c.cue))
        .collect();
    (write, drafts)
}

/// What the pattern stage keeps between passes in a running daemon: the populations of
/// every window, valid for the items up to `cursor` at the store's `generation`.
#[derive(Debug)]
struct Memory {
    cursor: i64,
    generation: i64,
    populations: Populations,
    /// The local days of every pass so far: each day is a time-zone lookup, and one
    /// customer's year of contacts with its windows needs about 450.
    calendar: Calendar,
}

/// The pattern stage. A pass reads the contacts, stored flags and staff of the customers
/// that new items belong to, tells the kept populations about the new contacts and judges
/// those customers' windows; without a valid memory (the first pass, after a relink or a
/// merge, on PostgreSQL) it reads every customer's. Both give the same drafts: only windows
/// holding a new contact are judged, and each is judged against every customer. The pattern
/// cursor moves with the writes, and the signal cursor to `signals_to` with them when the
/// signal stage left it unwritten.
async fn patterns(
    store: &Store,
    engine: &Engine,
    (at, signals_to): (&FlagPositions, Option<i64>),
    (now, expires_at): (i64, i64),
    pass: &mut FlagPass,
) -> Result<(), FlagsError> {
    let mut memory = engine.memory.lock().await;
    let (cursor, newest) = (at.patterns, at.readable);
    let kept = memory
        .take()
        .filter(|m| Some(m.generation) == at.generation && m.cursor == cursor);
    let scope = match &kept {
        Some(_) => ContactScope::NewSince {
            after: cursor,
            upto: newest,
        },
        None => ContactScope::All,
    };
    // The reads are independent: on their own read connections, at once.
    let ((rows, pairs), flags) = tokio::try_join!(
        store.pattern_contacts(scope, newest),
        store.pattern_flags(now, scope)
    )?;
    let contacts = contacts_of(&rows, pairs, cursor);
    pass.pattern_contacts += contacts.len();
    let (kept_populations, kept_days) = kept.map(|m| (m.populations, m.calendar)).unzip();
    let calendar = calendar_for(&contacts, &engine.config, engine.tz, kept_days);
    let lengths: Vec<u32> = if engine.config.contact_volume.enabled {
        engine.config.window_days.clone()
    } else {
        Vec::new()
    };
    let populations = match kept_populations {
        Some(mut populations) => {
            let new: Vec<(i64, i64)> = contacts
                .iter()
                .filter(|c| c.is_new && c.inbound)
                .map(|c| (c.customer_id, calendar.day_number(c.at)))
                .collect();
            populations.add(&new);
            populations
        }
        None => Populations::of(
            &contacts,
            &lengths,
            engine.config.contact_volume.percentile,
            &calendar,
        ),
    };
    let drafts = draft_all(&contacts, &populations, &engine.config, &calendar);
    let writes = lifecycle_writes(drafts, flags);
    let outcome = store
        .write_pattern_flags(&writes, (newest, signals_to), expires_at)
        .await?;
    pass.raised += outcome.raised;
    pass.refreshed += outcome.refreshed;
    if let Some(generation) = at.generation {
        *memory = Some(Memory {
            cursor: newest,
            generation,
            populations,
            calendar,
        });
    }
    Ok(())
}

/// The contacts of `rows` with their staff and topics; those after `cursor` are new. A
/// topic is numbered by its first item's id, so a pass over some customers numbers their
/// topics as a pass over everyone does.
fn contacts_of(rows: &[FlagContactRow], pairs: Vec<(i64, i64)>, cursor: i64) -> Vec<Contact> {
    let topic_items: Vec<TopicItem> = rows
        .iter()
        .map(|r| TopicItem {
            customer_id: r.customer_id,
            subject_key: r.thread_key.as_deref(),
            thread_root: r.thread_root.as_deref(),
            bands: r.bands.as_deref(),
        })
        .collect();
    let topic_of = topics::assign(&topic_items);
    // Topic numbers are row indices of the group's root: number each by its first item.
    let mut first_item = vec![i64::MAX; rows.len()];
    for (r, &topic) in rows.iter().zip(&topic_of) {
        let slot = &mut first_item[topic as usize];
        *slot = (*slot).min(r.item_id);
    }
    // Rows and pairs are both in item order: each row takes the pairs of its item.
    let mut pairs = pairs.into_iter().peekable();
    rows.iter()
        .zip(topic_of)
        .map(|(r, topic)| {
            while pairs.next_if(|p| p.0 < r.item_id).is_some() {}
            let mut staff = Vec::new();
            while let Some((_, member)) = pairs.next_if(|p| p.0 == r.item_id) {
                staff.push(member);
            }
            Contact {
                item_id: r.item_id,
                customer_id: r.customer_id,
                at: r.occurred_at,
                inbound: r.inbound,
                channel: r.channel,
                staff: staff.into_boxed_slice(),
                topic: first_item[topic as usize] as u64,
                is_new: r.item_id > cursor,
            }
        })
        .collect()
}

/// What each draft does to the stored flags of its customer and kind.
fn lifecycle_writes(drafts: Vec<PatternDraft>, flags: Vec<StoredPatternFlag>) -> Vec<PatternWrite> {
    let mut stored: HashMap<(i64, String), Vec<Stored>> = HashMap::new();
    for f in flags {
        let strength = describe(&f.kind, &f.figures).map_or(0, |d| d.strength);
        stored
            .entry((f.customer_id, f.kind.clone()))
            .or_default()
            .push(Stored {
                id: f.id,
                state: f.state,
                window: Window {
                    start: f.window_start,
                    end: f.window_end,
                },
                strength,
                evidence: f.evidence.into_iter().collect(),
            });
    }
    let mut refreshes: HashMap<i64, PatternDraft> = HashMap::new();
    let mut writes = Vec::new();
    for draft in drafts {
        let existing = stored
            .get(&(draft.customer_id, draft.kind.to_string()))
            .map_or(&[][..], Vec::as_slice);
        match lifecycle::decide(&draft, existing) {
            Action::Keep => {}
            Action::Raise => writes.push(write_of(&draft, None)),
            Action::Refresh(id) => {
                let slot = refreshes.entry(id).or_insert_with(|| draft.clone());
                if draft.strength > slot.strength {
                    *slot = draft;
                }
            }
        }
    }
    writes.extend(refreshes.into_iter().map(|(id, d)| write_of(&d, Some(id))));
    writes
}

/// The calendar of `tz` with a table for the days `contacts` and their longest windows span:
/// `kept` (a daemon's calendar from earlier passes), grown if it must be.
pub fn calendar_for(
    contacts: &[Contact],
    config: &crate::config::FlagsConfig,
    tz: chrono_tz::Tz,
    kept: Option<Calendar>,
) -> Calendar {
    let kept = kept.unwrap_or_else(|| Calendar::new(tz));
    let Some((from, to)) = contacts.iter().fold(None, |span: Option<(i64, i64)>, c| {
        Some(span.map_or((c.at, c.at), |(lo, hi)| (lo.min(c.at), hi.max(c.at))))
    }) else {
        return kept;
    };
    let longest = config
        .window_days
        .iter()
        .chain([
            &config.staff_spread.window_days,
            &config.repeat_topic.window_days,
        ])
        .copied()
        .max()
        .unwrap_or(0);
    kept.covering_also(from, to, longest)
}

/// Every enabled pattern rule over `contacts` (every customer's, or some customers' with
/// `populations` counting everyone); on a full pass the three rules run on threads of their
/// own (each sweeps its customers' history independently).
pub fn draft_all(
    contacts: &[Contact],
    populations: &Populations,
    config: &crate::config::FlagsConfig,
    calendar: &Calendar,
) -> Vec<PatternDraft> {
    let spread = || {
        if !config.staff_spread.enabled {
            return Vec::new();
        }
        staff_spread::drafts(
            contacts,
            staff_spread::Rule {
                window_days: config.staff_spread.window_days,
                min_staff: config.staff_spread.min_staff,
            },
            calendar,
        )
    };
    let repeats = || {
        if !config.repeat_topic.enabled {
            return Vec::new();
        }
        repeat_topic::drafts(
            contacts,
            repeat_topic::Rule {
                window_days: config.repeat_topic.window_days,
                min_repeats: config.repeat_topic.min_repeats,
            },
            calendar,
        )
    };
    let volume = || {
        let mut drafts = Vec::new();
        if config.contact_volume.enabled {
            let rule = contact_volume::Rule {
                windows: config
                    .window_days
                    .iter()
                    .copied()
                    .zip(config.contact_volume.min_contacts.iter().copied())
                    .collect(),
                percentile: config.contact_volume.percentile,
            };
            drafts.extend(contact_volume::drafts(
                contacts,
                populations,
                &rule,
                calendar,
            ));
        }
        drafts
    };
    if contacts.len() < PARALLEL_RULES_FROM {
        // An incremental pass: starting threads would cost more than the rules.
        let mut drafts = volume();
        drafts.extend(spread());
        drafts.extend(repeats());
        return drafts;
    }
    std::thread::scope(|scope| {
        let spread = scope.spawn(spread);
        let repeats = scope.spawn(repeats);
        let mut drafts = volume();
        // A rule that panicked is a bug: re-raise it here rather than lose its drafts.
        for rule in [spread, repeats] {
            drafts.extend(rule.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        drafts
    })
}

fn write_of(d: &PatternDraft, refresh: Option<i64>) -> PatternWrite {
    PatternWrite {
        refresh,
        customer_id: d.customer_id,
        kind: d.kind.to_string(),
        window_start: d.window.start,
        window_end: d.window.end,
        figures: d.figures.clone(),
        threshold: d.threshold.clone(),
        evidence: d.evidence.clone(),
    }
}
