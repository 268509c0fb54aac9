//! Advisory flags: neutral observations about contact, raised for a person to review, each
//! with its window, figures, the threshold that fired and its evidence (the items its
//! figures count). Never a label on a person; flags expire and are then deleted.
//!
//! One rule shape: every kind is a file with typed [`FlagFigures`] and a pure rule, and
//! [`describe`] turns stored figures into the sentences the digest, exports and CLI show.
//! Adding a kind is adding its file and one line in [`describe`].
//!
//! - pattern kinds (customer level, over sliding windows of the whole history, `windows`):
//!   [`contact_volume`] (against every window's [`population`]), [`staff_spread`],
//!   [`repeat_topic`], with topics from [`topics`];
//! - item kinds ([`item_signal`]): `language-review`, `safety`, `senior-officer-request`,
//!   `urgency-demand`, `recording-mention`, from the signal lexicon over the customer's own
//!   words; context cues (`support-consideration`, `communication-needs`) are stored beside
//!   flags and are never flags;
//! - [`counter`]: the organisation's own late or missing replies, shown beside pattern flags;
//! - [`lifecycle`]: raise, refresh, leave alone; [`alert`]: the immediate safety email;
//! - [`stage`]: the passes that read the store and record what the pure rules decided.
//!
//! Everything but `stage` is pure; only `store/` names sqlx.

pub mod alert;
pub mod contact_volume;
pub mod counter;
pub mod item_signal;
pub mod lifecycle;
pub mod population;
pub mod repeat_topic;
pub mod staff_spread;
pub mod stage;
pub mod topics;
pub mod windows;

pub use stage::{evaluate, recompute, Engine, FlagPass};

use crate::signals::SignalKind;
use serde::{de::DeserializeOwned, Serialize};
use windows::Window;

/// Why flag work failed. Messages say what to do next.
#[derive(Debug, thiserror::Error)]
pub enum FlagsError {
    /// Reading or writing the store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A stored flag has a kind this version does not know.
    #[error("flag kind {kind:?} is unknown to this version of Tidings; upgrade, or run `tidings flags recompute` after a downgrade")]
    UnknownKind {
        /// The stored kind.
        kind: String,
    },
    /// A stored flag's figures do not have the shape of its kind.
    #[error("the figures of a {kind} flag cannot be read ({reason}); run `tidings flags recompute` to raise it again")]
    Figures {
        /// The kind.
        kind: String,
        /// What serde said.
        reason: String,
    },
    /// A lexicon file from `[flags.signals] lexicon_files` could not be used.
    #[error("flags.signals.lexicon_files: {0}; fix the file or remove it from the config")]
    Lexicon(String),
    /// A staff directory could not be read for senior officers' names.
    #[error("{0}")]
    Setup(String),
    /// The scan worker stopped unexpectedly.
    #[error("the signal scan worker stopped: {0}; run `tidings run --once` again")]
    Worker(String),
    /// A note or message contains a labelling word.
    #[error(transparent)]
    Label(#[from] crate::guard::LabelError),
}

/// One contact as the pattern rules see it: an inbound or outbound, non-automated item
/// linked to a customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// Item id.
    pub item_id: i64,
    /// Internal customer id.
    pub customer_id: i64,
    /// When it happened (Unix seconds).
    pub at: i64,
    /// From the customer (true) or from the organisation (false).
    pub inbound: bool,
    /// `email`, `call`, `letter` or `note`.
    pub channel: &'static str,
    /// Staff members reached (never shared mailboxes or role addresses).
    pub staff: Box<[i64]>,
    /// The topic the item belongs to (see [`topics::assign`]).
    pub topic: u64,
    /// Stored after the last pass: windows holding it are judged (again).
    pub is_new: bool,
}

/// What a kind's stored figures say, in words for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Description {
    /// The kind's heading, e.g. "Contact volume".
    pub title: &'static str,
    /// One neutral sentence, e.g. "23 contacts in 30 days".
    pub summary: String,
    /// Label → value.
    pub figures: Vec<(String, String)>,
    /// The threshold that fired, in words.
    pub threshold: String,
    /// The figure windows of one pattern are compared by (larger is stronger).
    pub strength: i64,
}

/// The typed figures of one flag kind.
pub trait FlagFigures: Serialize + DeserializeOwned {
    /// The kind's name as stored and exported, e.g. `contact-volume`.
    fn kind(&self) -> &'static str;
    /// The figures in words.
    fn describe(&self) -> Description;
    /// The threshold that fired, as a JSON object (the `threshold` export column).
    fn threshold(&self) -> serde_json::Value;
}

/// A pattern flag a rule wants raised or refreshed.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternDraft {
    /// Internal customer id.
    pub customer_id: i64,
    /// The kind.
    pub kind: &'static str,
    /// The window the figures count.
    pub window: Window,
    /// From the first to the last window of the same pattern (see [`windows::episodes`]).
    pub span: Window,
    /// The figures, as stored.
    pub figures: serde_json::Value,
    /// The threshold that fired, as stored.
    pub threshold: serde_json::Value,
    /// The strongest figure, to compare with a stored flag of the same pattern.
    pub strength: i64,
    /// Exactly the items the figures count.
    pub evidence: Vec<i64>,
}

impl PatternDraft {
    /// A draft from typed figures.
    pub fn new<F: FlagFigures>(
        customer_id: i64,
        window: Window,
        span: Window,
        figures: &F,
        evidence: Vec<i64>,
    ) -> Self {
        Self {
            customer_id,
            kind: figures.kind(),
            window,
            span,
            strength: figures.describe().strength,
            figures: serde_json::to_value(figures).unwrap_or_default(),
            threshold: figures.threshold(),
            evidence,
        }
    }
}

/// The words for a stored flag of `kind` with `figures` (JSON text): what the digest,
/// exports and CLI show.
pub fn describe(kind: &str, figures: &str) -> Result<Description, FlagsError> {
    match kind {
        contact_volume::KIND => decode::<contact_volume::Figures>(kind, figures),
        staff_spread::KIND => decode::<staff_spread::Figures>(kind, figures),
        repeat_topic::KIND => decode::<repeat_topic::Figures>(kind, figures),
        other if SignalKind::parse(other).is_some() => {
            decode::<item_signal::Figures>(kind, figures)
        }
        other => Err(FlagsError::UnknownKind {
            kind: other.to_string(),
        }),
    }
}

fn decode<F: FlagFigures>(kind: &str, figures: &str) -> Result<Description, FlagsError> {
    serde_json::from_str::<F>(figures)
        .map(|f| f.describe())
        .map_err(|e| FlagsError::Figures {
            kind: kind.to_string(),
            reason: e.to_string(),
        })
}

/// Whether `kind` is a pattern kind (customer level) rather than an item kind.
pub fn is_pattern(kind: &str) -> bool {
    [contact_volume::KIND, staff_spread::KIND, repeat_topic::KIND].contains(&kind)
}

/// `n` and the noun, singular or plural.
pub(crate) fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A number with two decimals at most ("2", "2.5", "2.33").
pub(crate) fn short(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

/// Builders for the rule files' tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::windows::{Calendar, DAY};
    use super::Contact;

    /// The UTC calendar: days of exactly 24 hours, so test days are `day * DAY`.
    pub fn utc() -> Calendar {
        Calendar::new(chrono_tz::Tz::UTC)
    }

    /// An inbound email from customer `customer` on day `day` (plus `hour` hours), new,
    /// reaching `staff`, about topic 0.
    pub fn inbound(item_id: i64, customer: i64, day: i64, hour: i64, staff: &[i64]) -> Contact {
        Contact {
            item_id,
            customer_id: customer,
            at: day * DAY + hour * 3600,
            inbound: true,
            channel: "email",
            staff: staff.into(),
            topic: 0,
            is_new: true,
        }
    }

    /// A reply from the organisation to customer `customer`.
    pub fn outbound(item_id: i64, customer: i64, day: i64, hour: i64) -> Contact {
        Contact {
            inbound: false,
            ..inbound(item_id, customer, day, hour, &[])
        }
    }
}
