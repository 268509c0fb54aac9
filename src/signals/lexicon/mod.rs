//! The lexicon: regular-expression entries per kind and language, shipped in
//! `config/lexicon/*.toml` (embedded in the binary) and extendable from configuration.
//!
//! A lexicon file is TOML: an optional `senior_roles = [...]` (what `{senior}` in a pattern
//! matches besides the caller's senior names) and `[[entry]]` tables with `id`, `kind`,
//! `language`, `pattern`, and optionally `unless` (negative context: when it matches anywhere
//! in the sentence the entry does not fire) and `distress_exempt` (see `scan`). Patterns are
//! regular expressions in lower case with plain spaces, matched as whole words within one
//! sentence (see `compile`); `language-review` entries are obfuscation-aware.
//!
//! Compiling is done once per lexicon: one `RegexSet` per kind finds candidate entries, and
//! only those entries' own regexes run to find the sentence and the term.

mod compile;

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::Deserialize;

use super::context::ContextKind;
use super::normalise::View;
use super::SignalKind;
use compile::{translate, translate_unless, Mode};

/// The lexicon files shipped with Tidings: (name shown in errors, contents).
const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "config/lexicon/language-review.toml",
        include_str!("../../../config/lexicon/language-review.toml"),
    ),
    (
        "config/lexicon/safety.toml",
        include_str!("../../../config/lexicon/safety.toml"),
    ),
    (
        "config/lexicon/senior-officer-request.toml",
        include_str!("../../../config/lexicon/senior-officer-request.toml"),
    ),
    (
        "config/lexicon/urgency-demand.toml",
        include_str!("../../../config/lexicon/urgency-demand.toml"),
    ),
    (
        "config/lexicon/recording-mention.toml",
        include_str!("../../../config/lexicon/recording-mention.toml"),
    ),
    (
        "config/lexicon/context.toml",
        include_str!("../../../config/lexicon/context.toml"),
    ),
];

/// Compiled-program size allowed per regex set (the default is too small for a kind's set).
const SIZE_LIMIT: usize = 64 * 1024 * 1024;

/// Lazy-DFA cache per regex set: the obfuscation-aware set needs more than the default to
/// stay on the fast path.
const DFA_CACHE: usize = 8 * 1024 * 1024;

/// One lexicon entry as written in a lexicon file.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Unique id, shown with every signal it raises (e.g. `en-safety-hurt-you`).
    pub id: String,
    /// A signal kind (`language-review`, `safety`, `senior-officer-request`, `urgency-demand`,
    /// `recording-mention`) or a context kind (`support-consideration`, `communication-needs`).
    pub kind: String,
    /// The language the entry is written in (ISO 639-1, e.g. `en`, `cy`, `pl`).
    pub language: String,
    /// The regular expression (lower case, plain spaces, `{senior}` for a senior officer).
    pub pattern: String,
    /// Negative context: when this matches anywhere in the sentence the entry does not fire.
    #[serde(default)]
    pub unless: Option<String>,
    /// Swearing that can express distress: when the item's own words carry support context
    /// and the sentence is not aimed at staff or the service, the entry does not fire.
    #[serde(default)]
    pub distress_exempt: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    senior_roles: Vec<String>,
    #[serde(default)]
    entry: Vec<Entry>,
}

/// A lexicon that cannot be used; the message names the file and entry and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LexiconError {
    /// The file is not a lexicon file.
    #[error("lexicon {file} cannot be read: {reason}. A lexicon file has an optional senior_roles list and [[entry]] tables with id, kind, language, pattern and optionally unless and distress_exempt (see config/lexicon/*.toml)")]
    Format {
        /// The file (or "lexicon additions" for configured text).
        file: String,
        /// What the TOML parser said.
        reason: String,
    },
    /// An entry names a kind Tidings does not know.
    #[error("lexicon {file}, entry {id}: unknown kind \"{kind}\"; use one of {known}")]
    UnknownKind {
        /// The file.
        file: String,
        /// The entry.
        id: String,
        /// The kind as written.
        kind: String,
        /// The kinds Tidings knows.
        known: String,
    },
    /// Two entries share an id.
    #[error("lexicon {file}: entry id {id} is used twice; give every entry its own id")]
    DuplicateId {
        /// The file with the second use.
        file: String,
        /// The id.
        id: String,
    },
    /// A pattern is empty or not a valid regular expression.
    #[error("lexicon {file}, entry {id}: the {which} pattern is not a usable regular expression ({reason}); fix the pattern")]
    Pattern {
        /// The file.
        file: String,
        /// The entry.
        id: String,
        /// `pattern` or `unless`.
        which: &'static str,
        /// What was wrong.
        reason: String,
    },
}

/// The compiled entries of one kind.
pub(crate) struct KindSet {
    /// Whether the kind is matched on the skeleton view (obfuscation-aware).
    pub(crate) obfuscated: bool,
    /// One pattern per entry of the kind, in `entries` order.
    pub(crate) set: RegexSet,
    /// The entries of the kind.
    pub(crate) entries: Vec<Compiled>,
}

/// Where a compiled entry matched a view.
pub(crate) struct Hit<'l> {
    /// The entry.
    pub(crate) compiled: &'l Compiled,
    /// The index of the sentence span (as given to the view) it matched in.
    pub(crate) span_index: usize,
    /// The match in the view.
    pub(crate) range: std::ops::Range<usize>,
}

impl KindSet {
    /// Every entry's matches in `view`: the first per entry and sentence, wholly inside one
    /// sentence, and not in a sentence its `unless` pattern matches. In entry order.
    pub(crate) fn hits<'l>(&'l self, view: &View) -> Vec<Hit<'l>> {
        let mut hits = Vec::new();
        for index in self.set.matches(&view.text).iter() {
            let compiled = &self.entries[index];
            let mut last_sentence = None;
            for caps in compiled.regex.captures_iter(&view.text) {
                let Some(m) = caps.name("t") else { continue };
                let Some(at) = view.sentence_at(m.start()) else {
                    continue;
                };
                if view.sentences[at].end < m.end() || last_sentence == Some(at) {
                    continue;
                }
                last_sentence = Some(at);
                if compiled
                    .unless
                    .as_ref()
                    .is_some_and(|u| u.is_match(view.sentence(at)))
                {
                    continue;
                }
                hits.push(Hit {
                    compiled,
                    span_index: view.span_index[at],
                    range: m.range(),
                });
            }
        }
        hits
    }
}

/// One compiled entry.
pub(crate) struct Compiled {
    /// The entry as written.
    pub(crate) entry: Entry,
    /// The whole-word pattern; the match is in group `t`.
    pub(crate) regex: Regex,
    /// The negative context.
    pub(crate) unless: Option<Regex>,
}

/// A compiled lexicon: every entry of every kind, ready to scan.
pub struct Lexicon {
    kinds: Vec<KindSet>,
}

static BUILTIN: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::from_files(BUILTIN_FILES).expect("the shipped lexicons are checked by a unit test")
});

impl Lexicon {
    /// The lexicons shipped in `config/lexicon/*.toml`, compiled once.
    pub fn builtin() -> &'static Lexicon {
        &BUILTIN
    }

    /// The shipped lexicons plus the entries of `extra` (lexicon TOML from configuration).
    pub fn with_extra(extra: &str) -> Result<Lexicon, LexiconError> {
        let mut files = BUILTIN_FILES.to_vec();
        files.push(("lexicon additions", extra));
        Lexicon::from_files(&files)
    }

    /// The shipped lexicons plus `extra` files: (name shown in errors, TOML text).
    pub fn with_files(extra: &[(&str, &str)]) -> Result<Lexicon, LexiconError> {
        let mut files = BUILTIN_FILES.to_vec();
        files.extend_from_slice(extra);
        Lexicon::from_files(&files)
    }

    /// A lexicon made only of `files`: (name shown in errors, TOML text).
    pub fn from_files(files: &[(&str, &str)]) -> Result<Lexicon, LexiconError> {
        let mut parsed: Vec<(&str, File)> = Vec::with_capacity(files.len());
        for (name, text) in files {
            let file: File = toml::from_str(text).map_err(|e| LexiconError::Format {
                file: (*name).to_owned(),
                reason: e.message().to_owned(),
            })?;
            parsed.push((name, file));
        }
        let roles: Vec<String> = parsed
            .iter()
            .flat_map(|(_, f)| f.senior_roles.iter().cloned())
            .collect();
        let mut groups: Vec<Vec<(&str, Entry)>> =
            (0..KIND_NAMES.len()).map(|_| Vec::new()).collect();
        let mut seen = std::collections::HashSet::new();
        for (name, file) in parsed {
            for entry in file.entry {
                let Some(slot) = KIND_NAMES.iter().position(|k| *k == entry.kind) else {
                    return Err(LexiconError::UnknownKind {
                        file: name.to_owned(),
                        id: entry.id,
                        kind: entry.kind,
                        known: KIND_NAMES.join(", "),
                    });
                };
                if !seen.insert(entry.id.clone()) {
                    return Err(LexiconError::DuplicateId {
                        file: name.to_owned(),
                        id: entry.id,
                    });
                }
                groups[slot].push((name, entry));
            }
        }
        let kinds = groups
            .into_iter()
            .enumerate()
            .map(|(slot, entries)| compile_kind(slot == 0, entries, &roles))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Lexicon { kinds })
    }

    /// The number of entries of every kind.
    pub fn len(&self) -> usize {
        self.kinds.iter().map(|k| k.entries.len()).sum()
    }

    /// Whether the lexicon has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries of signal kind `kind`.
    pub(crate) fn signal(&self, kind: SignalKind) -> &KindSet {
        &self.kinds[kind as usize]
    }

    /// The entries of context kind `kind`.
    pub(crate) fn context(&self, kind: ContextKind) -> &KindSet {
        &self.kinds[SignalKind::ALL.len() + kind as usize]
    }

    /// Every entry as written, of every kind.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.kinds
            .iter()
            .flat_map(|k| k.entries.iter().map(|c| &c.entry))
    }
}

/// The kind names, in slot order: the signal kinds, then the context kinds.
const KIND_NAMES: [&str; 7] = [
    "language-review",
    "safety",
    "senior-officer-request",
    "urgency-demand",
    "recording-mention",
    "support-consideration",
    "communication-needs",
];

fn compile_kind(
    obfuscated: bool,
    entries: Vec<(&str, Entry)>,
    roles: &[String],
) -> Result<KindSet, LexiconError> {
    let mode = if obfuscated {
        Mode::Obfuscated
    } else {
        Mode::Plain
    };
    let mut sources = Vec::with_capacity(entries.len());
    let mut compiled = Vec::with_capacity(entries.len());
    for (file, entry) in entries {
        let error = |which: &'static str, reason: String| LexiconError::Pattern {
            file: file.to_owned(),
            id: entry.id.clone(),
            which,
            reason,
        };
        if entry.pattern.trim().is_empty() {
            return Err(error("pattern", "it is empty".to_owned()));
        }
        let source = translate(&entry.pattern, mode, roles);
        let regex = build(&source).map_err(|e| error("pattern", e))?;
        let unless = match &entry.unless {
            Some(u) if u.trim().is_empty() => {
                return Err(error("unless", "it is empty".to_owned()))
            }
            Some(u) => {
                Some(build(&translate_unless(u, mode, roles)).map_err(|e| error("unless", e))?)
            }
            None => None,
        };
        sources.push(source);
        compiled.push(Compiled {
            entry,
            regex,
            unless,
        });
    }
    let set = RegexSetBuilder::new(&sources)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(DFA_CACHE)
        .build()
        .map_err(|e| LexiconError::Pattern {
            file: "lexicon".to_owned(),
            id: "(all entries of one kind)".to_owned(),
            which: "pattern",
            reason: e.to_string(),
        })?;
    Ok(KindSet {
        obfuscated,
        set,
        entries: compiled,
    })
}

fn build(source: &str) -> Result<Regex, String> {
    RegexBuilder::new(source)
        .size_limit(SIZE_LIMIT)
        .build()
        .map_err(|e| e.to_string())
}

#[cfg(test)]
#[path = "../tests/lexicon.rs"]
mod tests;
