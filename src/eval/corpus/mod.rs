//! A labelled identity corpus: a deterministic population of people and organisations, the
//! mail, call logs and letters they send (and the mail nobody sends as a customer), written as
//! a drop-folder layout Tidings reads, with `truth.jsonl` saying who sent each item.
//!
//! Owns generation only; it never reads the store. The scorer is [`crate::eval::links`].

mod calls;
mod config;
pub mod flagged;
mod letters;
mod mail;
mod names;
mod noise;
mod pdf;
mod people;

pub use people::{written_phone, Address, Organisation, Person, Population};

use crate::domain::UnixTime;
use crate::sample::Rng;
use std::path::{Path, PathBuf};

/// Monday 6 January 2025, 00:00 UTC: the corpus's first day (fixed, so a seed gives the same
/// files on any day).
const FIRST_DAY: UnixTime = 1_736_121_600;
/// Days the corpus spans.
const DAYS: usize = 120;

/// Deterministic draws for the generator (xorshift from [`crate::sample::Rng`]).
#[derive(Clone, Debug)]
pub struct Draw(Rng);

impl Draw {
    /// Draws from a seed; the same seed gives the same sequence.
    pub fn new(seed: u64) -> Self {
        // Spread small seeds so seed 1 and seed 2 do not start alike.
        Self(Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1))
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A working-hours moment in the corpus's span.
    pub fn moment(&mut self) -> UnixTime {
        FIRST_DAY + (self.below(DAYS) * 86_400 + 8 * 3600 + self.below(10 * 3600)) as UnixTime
    }
}

/// One line of `truth.jsonl`: who really sent (or is the subject of) one item.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TruthItem {
    /// The item's reference as Tidings exports it (Message-ID without `<>`, Call ID, file name).
    pub item_ref: String,
    /// `email`, `call` or `letter`.
    pub channel: String,
    /// The person the item belongs to; `None` for mail that belongs to no customer.
    pub person: Option<String>,
    /// The organisation the person acted for in this item (work address, shared mailbox,
    /// company letterhead), if any.
    pub organisation: Option<String>,
    /// The situation the item was generated from ("web-form relay", "household landline").
    pub note: String,
}

/// Everything generated: files relative to the corpus folder, and the truth.
#[derive(Clone, Debug, Default)]
pub struct Corpus {
    /// `(relative path, bytes)`, in writing order.
    pub files: Vec<(PathBuf, Vec<u8>)>,
    /// One entry per item, in generation order.
    pub truth: Vec<TruthItem>,
}

impl Corpus {
    fn add(&mut self, path: String, bytes: Vec<u8>) {
        self.files.push((PathBuf::from(path), bytes));
    }

    fn truth(&mut self, item_ref: String, channel: &str, who: Who<'_>, note: &str) {
        self.truth.push(TruthItem {
            item_ref,
            channel: channel.to_string(),
            person: who.person.map(|p| p.id.clone()),
            organisation: who.organisation.map(|o| o.id.clone()),
            note: note.to_string(),
        });
    }
}

/// Whom an item belongs to, for its truth line.
#[derive(Clone, Copy, Debug, Default)]
struct Who<'a> {
    person: Option<&'a Person>,
    organisation: Option<&'a Organisation>,
}

impl<'a> Who<'a> {
    fn nobody() -> Self {
        Self::default()
    }

    fn person(person: &'a Person) -> Self {
        Self {
            person: Some(person),
            organisation: None,
        }
    }

    fn for_org(person: &'a Person, pop: &'a Population) -> Self {
        Self {
            person: Some(person),
            organisation: person.organisation.map(|o| &pop.organisations[o]),
        }
    }
}

/// Why a corpus could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// A file or folder could not be written.
    #[error("cannot write {path}: {source}; check the --out folder is writable")]
    Write {
        /// The path.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A drop folder already holds files from another corpus.
    #[error("{path} is not empty; choose a new --out folder so two corpora do not mix")]
    NotEmpty {
        /// The folder.
        path: String,
    },
    /// No people were asked for.
    #[error("--people must be at least 2 (got {0})")]
    TooFew(usize),
    /// The signal layer's labelled set could not be read.
    #[error("the labelled set is unusable: {0}; fix src/signals/labelled.toml")]
    Labelled(String),
}

/// Generates the corpus for `people` people from `seed`; `dir` is where it will be written
/// (the config names absolute paths inside it).
pub fn generate(dir: &Path, people: usize, seed: u64) -> Corpus {
    let mut draw = Draw::new(seed);
    let pop = people::population(people, &mut draw);
    let mut corpus = Corpus::default();
    corpus.add(
        "tidings.toml".into(),
        config::tidings_toml(dir).into_bytes(),
    );
    corpus.add("staff.csv".into(), config::staff_csv().into_bytes());
    let mut calls = calls::CallLog::new(seed);
    let mut mail = mail::Mailer::new(seed);
    let mut letters = letters::Letters::default();
    for person in &pop.people {
        // Most people get in touch once to three times; a few many times.
        let mut count = 1 + draw.below(3);
        if draw.chance(8) {
            count += 4 + draw.below(12);
        }
        for _ in 0..count {
            let can_mail = !person.all_emails().is_empty();
            let can_call = !person.phones.is_empty();
            let roll = draw.below(100);
            // Mail (a few without any address: web forms, a missing From), calls when they
            // have a number, letters; a channel they cannot use falls to the next one.
            let wants_call = (58..86).contains(&roll);
            if (roll < 58 && can_mail) || roll < 6 || (wants_call && !can_call && can_mail) {
                mail.person(&mut corpus, &mut draw, &pop, person);
            } else if can_call && (wants_call || roll < 58) {
                calls.person(&mut corpus, &mut draw, &pop, person);
            } else {
                letters.person(&mut corpus, &mut draw, &pop, person);
            }
        }
    }
    noise::background(&mut corpus, &mut mail, &mut draw, &pop);
    calls.finish(&mut corpus, &mut draw);
    let truth: String = corpus
        .truth
        .iter()
        .map(|t| serde_json::to_string(t).unwrap_or_default() + "\n")
        .collect();
    corpus.add("truth.jsonl".into(), truth.into_bytes());
    corpus
}

/// What was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorpusSummary {
    /// Emails written.
    pub emails: usize,
    /// Call rows written.
    pub calls: usize,
    /// Letters written.
    pub letters: usize,
    /// Items that belong to no customer.
    pub non_customer: usize,
}

/// Generates and writes a corpus into `dir` (created when missing; its drop folders must be
/// empty).
pub fn write_corpus(dir: &Path, people: usize, seed: u64) -> Result<CorpusSummary, CorpusError> {
    if people < 2 {
        return Err(CorpusError::TooFew(people));
    }
    let write_err = |path: &Path| {
        let path = path.display().to_string();
        move |source| CorpusError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    let dir = std::fs::canonicalize(dir).map_err(write_err(dir))?;
    for folder in ["mail", "calls", "letters"] {
        let path = dir.join(folder);
        std::fs::create_dir_all(&path).map_err(write_err(&path))?;
        let mut entries = std::fs::read_dir(&path).map_err(write_err(&path))?;
        if entries.next().is_some() {
            return Err(CorpusError::NotEmpty {
                path: path.display().to_string(),
            });
        }
    }
    let corpus = generate(&dir, people, seed);
    for (relative, bytes) in &corpus.files {
        let path = dir.join(relative);
        std::fs::write(&path, bytes).map_err(write_err(&path))?;
    }
    let count = |c: &str| corpus.truth.iter().filter(|t| t.channel == c).count();
    Ok(CorpusSummary {
        emails: count("email"),
        calls: count("call"),
        letters: count("letter"),
        non_customer: corpus.truth.iter().filter(|t| t.person.is_none()).count(),
    })
}

/// Generates and writes the labelled flags corpus (see [`flagged`]) into `dir`; returns the
/// number of emails.
pub fn write_flags_corpus(dir: &Path, seed: u64) -> Result<usize, CorpusError> {
    let write_err = |path: &Path| {
        let path = path.display().to_string();
        move |source| CorpusError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    let dir = std::fs::canonicalize(dir).map_err(write_err(dir))?;
    for folder in ["mail", "calls", "letters"] {
        let path = dir.join(folder);
        std::fs::create_dir_all(&path).map_err(write_err(&path))?;
        if std::fs::read_dir(&path)
            .map_err(write_err(&path))?
            .next()
            .is_some()
        {
            return Err(CorpusError::NotEmpty {
                path: path.display().to_string(),
            });
        }
    }
    let corpus = flagged::generate(&dir, seed).map_err(|e| CorpusError::Labelled(e.to_string()))?;
    for (relative, bytes) in &corpus.files {
        let path = dir.join(relative);
        std::fs::write(&path, bytes).map_err(write_err(&path))?;
    }
    Ok(corpus
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("mail"))
        .count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_same_seed_gives_the_same_corpus_and_another_seed_another() {
        let dir = Path::new("/corpus");
        let a = generate(dir, 40, 5);
        let b = generate(dir, 40, 5);
        let c = generate(dir, 40, 6);
        assert_eq!(a.files, b.files);
        assert_ne!(a.files, c.files);
    }

    #[test]
    fn every_item_has_one_truth_line_with_a_unique_reference() {
        let corpus = generate(Path::new("/corpus"), 120, 1);
        let mut refs = HashSet::new();
        for t in &corpus.truth {
            assert!(refs.insert(t.item_ref.clone()), "{} twice", t.item_ref);
            assert!(["email", "call", "letter"].contains(&t.channel.as_str()));
        }
        for channel in ["email", "call", "letter"] {
            assert!(
                corpus.truth.iter().any(|t| t.channel == channel),
                "{channel}"
            );
        }
        assert!(corpus.truth.iter().any(|t| t.person.is_none()));
        assert!(corpus.truth.iter().any(|t| t.organisation.is_some()));
        let letters = corpus
            .files
            .iter()
            .filter(|(p, _)| p.starts_with("letters"))
            .count();
        let letter_truth = corpus
            .truth
            .iter()
            .filter(|t| t.channel == "letter")
            .count();
        assert_eq!(letters, letter_truth);
    }

    #[test]
    fn no_labelling_words_appear_in_any_file() {
        let corpus = generate(Path::new("/corpus"), 120, 2);
        for (path, bytes) in &corpus.files {
            let text = String::from_utf8_lossy(bytes);
            if let Err(e) = crate::guard::check_free_text("corpus", &text) {
                panic!("{}: {e}", path.display());
            }
        }
    }
}
