//! Topics: a customer's items grouped by what they are about, across channels, so that
//! `staff-spread` and `repeat-topic` can count "the same issue". Two items of one customer
//! share a topic when any of these holds (and topics join transitively):
//!
//! - the same thread root (`References` / `In-Reply-To` / `Message-ID`);
//! - the same normalised subject (`Re:`/`Fwd:`/`AW:`/`SV:`/`Odp:`… stripped, the item's
//!   `thread_key`), unless it is a generic one such as "complaint" or "enquiry";
//! - the same case or reference number in the subject ("case 12345", "ref FS/2231");
//! - similar text: MinHash over word 3-shingles of the customer's own words (quotes and
//!   signatures removed), 20 bands of 5 rows; one equal band joins two items. Two texts
//!   with Jaccard similarity 0.7 share a band with probability 0.98, at 0.3 with 0.05. This
//!   is how a letter and an email about the same thing become one topic.
//!
//! Pure.

use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// MinHash bands kept per item.
pub const BANDS: usize = 20;
/// Rows (hash functions) per band.
const ROWS: usize = 5;
/// Fewest shingles a text needs for its bands to mean anything.
const MIN_SHINGLES: usize = 6;

/// Subjects too general to say two items are about the same thing.
const GENERIC: &[&str] = &[
    "complaint",
    "complaints",
    "enquiry",
    "enquiries",
    "inquiry",
    "query",
    "question",
    "help",
    "urgent",
    "request",
    "information",
    "info",
    "hello",
    "hi",
    "no subject",
    "(no subject)",
    "contact",
    "contact us",
    "feedback",
    "letter",
    "call",
    "phone call",
    "message",
    "website enquiry",
];

/// What the topic grouping reads of one item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TopicItem<'a> {
    /// Internal customer id: topics never cross customers.
    pub customer_id: i64,
    /// The normalised subject (`items.thread_key`).
    pub subject_key: Option<&'a str>,
    /// The thread root from the message headers.
    pub thread_root: Option<&'a str>,
    /// MinHash band keys from [`band_keys`].
    pub bands: Option<&'a str>,
}

/// A topic number for every item, in order: equal numbers, same topic. A number is the index
/// in `items` of one item of its topic.
pub fn assign<'a>(items: &[TopicItem<'a>]) -> Vec<u64> {
    let mut sets = UnionFind::new(items.len());
    let mut first: HashMap<(i64, u8, &'a str), usize> = HashMap::new();
    let mut join = |sets: &mut UnionFind, key: (i64, u8, &'a str), i: usize| match first.get(&key) {
        Some(&j) => sets.union(i, j),
        None => {
            first.insert(key, i);
        }
    };
    let mut case_refs: Vec<(i64, String, usize)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(root) = item.thread_root.filter(|r| !r.is_empty()) {
            join(&mut sets, (item.customer_id, 0, root), i);
        }
        if let Some(subject) = item.subject_key.filter(|s| is_specific(s)) {
            join(&mut sets, (item.customer_id, 1, subject), i);
            for reference in case_numbers(subject) {
                case_refs.push((item.customer_id, reference, i));
            }
        }
        if let Some(bands) = item.bands {
            for band in 0..BANDS {
                if let Some(key) = bands.get(band * 8..band * 8 + 8) {
                    // The band number is part of the key: band 3 equal to band 7 means nothing.
                    join(&mut sets, (item.customer_id, 2 + band as u8, key), i);
                }
            }
        }
    }
    let mut by_ref: HashMap<(i64, String), usize> = HashMap::new();
    for (customer, reference, i) in case_refs {
        match by_ref.get(&(customer, reference.clone())) {
            Some(&j) => sets.union(i, j),
            None => {
                by_ref.insert((customer, reference), i);
            }
        }
    }
    (0..items.len()).map(|i| sets.find(i) as u64).collect()
}

fn is_specific(subject: &str) -> bool {
    let s = subject.trim();
    !s.is_empty() && !GENERIC.contains(&s)
}

static CASE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:case|ref(?:erence)?|incident|complaint|claim|ticket|our ref|your ref)\.?\s*(?:no\.?|number|#)?\s*[:#]?\s*([a-z]{0,4}[/-]?\d[\w/-]{2,})",
    )
    .expect("a constant pattern, compiled in a unit test")
});

/// The case or reference numbers a subject names, upper-cased ("ref: fs/2231" → "FS/2231").
pub fn case_numbers(subject: &str) -> Vec<String> {
    CASE_NUMBER
        .captures_iter(subject)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str().trim_end_matches(['/', '-']).to_uppercase())
        .collect()
}

/// MinHash band keys of a text (the customer's own words), as `BANDS` × 8 hex digits, or
/// `None` when it is too short to compare.
pub fn band_keys(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 1)
        .map(str::to_lowercase)
        .collect();
    if words.len() < MIN_SHINGLES + 2 {
        return None;
    }
    let shingles: Vec<u64> = words
        .windows(3)
        .map(|w| fnv(w.join(" ").as_bytes()))
        .collect();
    let mut out = String::with_capacity(BANDS * 8);
    for band in 0..BANDS {
        let mut key: u64 = 0xcbf2_9ce4_8422_2325;
        for row in 0..ROWS {
            let seed = mix((band * ROWS + row) as u64 + 1);
            let min = shingles.iter().map(|s| mix(s ^ seed)).min().unwrap_or(0);
            key = mix(key ^ min);
        }
        out.push_str(&format!("{:08x}", key as u32));
    }
    Some(out)
}

/// FNV-1a, 64 bits: a stable hash of a shingle (the same on every build and platform).
fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// SplitMix64's finaliser: one hash function per seed.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a.max(b)] = a.min(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item<'a>(
        customer: i64,
        subject: Option<&'a str>,
        root: Option<&'a str>,
        bands: Option<&'a str>,
    ) -> TopicItem<'a> {
        TopicItem {
            customer_id: customer,
            subject_key: subject,
            thread_root: root,
            bands,
        }
    }

    #[test]
    fn one_thread_is_one_topic_whatever_the_subjects_say() {
        let t = assign(&[
            item(1, Some("fence"), Some("a@x"), None),
            item(1, Some("new subject"), Some("a@x"), None),
        ]);
        assert_eq!(t[0], t[1]);
    }

    #[test]
    fn the_same_normalised_subject_is_one_topic_but_not_across_customers() {
        let t = assign(&[
            item(1, Some("hydrant outside number 12"), None, None),
            item(1, Some("hydrant outside number 12"), None, None),
            item(2, Some("hydrant outside number 12"), None, None),
        ]);
        assert_eq!(t[0], t[1]);
        assert_ne!(t[0], t[2]);
    }

    #[test]
    fn generic_subjects_join_nothing() {
        let t = assign(&[
            item(1, Some("complaint"), None, None),
            item(1, Some("complaint"), None, None),
        ]);
        assert_ne!(t[0], t[1]);
    }

    #[test]
    fn case_numbers_join_different_subjects() {
        assert_eq!(
            case_numbers("smoke alarm visit (case 12345)"),
            vec!["12345"]
        );
        assert_eq!(
            case_numbers("your ref: FS/2231 - still waiting"),
            vec!["FS/2231"]
        );
        assert!(case_numbers("number 12 hydrant").is_empty());
        let t = assign(&[
            item(1, Some("smoke alarm visit case 12345"), None, None),
            item(1, Some("still waiting, case 12345"), None, None),
        ]);
        assert_eq!(t[0], t[1]);
    }

    const LETTER: &str = "The fire hydrant outside number 12 Station Road has been leaking water \
        across the pavement for three weeks and nobody has come to repair it. Please send someone.";
    const EMAIL: &str = "I am writing again because the fire hydrant outside number 12 Station Road \
        has been leaking water across the pavement for three weeks and nobody has come to repair it.";
    const OTHER: &str = "Thank you for the home fire safety visit last Tuesday; the smoke alarms \
        your crew fitted in the hallway and the kitchen are working well.";

    #[test]
    fn a_letter_and_an_email_about_the_same_thing_are_one_topic() {
        let (a, b, c) = (
            band_keys(LETTER).expect("the test input is valid"),
            band_keys(EMAIL).expect("the test input is valid"),
            band_keys(OTHER).expect("the test input is valid"),
        );
        let t = assign(&[
            item(1, Some("letter"), None, Some(&a)),
            item(1, Some("water everywhere"), None, Some(&b)),
            item(1, Some("thank you"), None, Some(&c)),
        ]);
        assert_eq!(t[0], t[1]);
        assert_ne!(t[0], t[2]);
    }

    #[test]
    fn short_texts_have_no_bands() {
        assert_eq!(band_keys("Thanks, see you soon."), None);
        assert_eq!(band_keys(LETTER).map(|b| b.len()), Some(BANDS * 8));
    }

    #[test]
    fn band_keys_are_stable() {
        assert_eq!(band_keys(LETTER), band_keys(LETTER));
        assert_eq!(band_keys(LETTER), band_keys(&LETTER.to_uppercase()));
    }
}
