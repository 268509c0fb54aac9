//! The labelling-words guard: free text (notes, reasons, and the output of every outbound
//! template) must describe behaviour, never label a person.
//!
//! This file holds the only list of labelling phrases in the codebase. Matching is
//! obfuscation-aware: case-insensitive, tolerant of hyphens, underscores, dots and spaces
//! between and inside words ("v-e-x-a-t-i-o-u-s"), of common leetspeak (`@`/`4`→a, `0`→o,
//! `1`/`|`→i or l, `3`→e, `5`/`$`→s, `7`→t), and of longer forms (plurals, `-ly`, `-ness`),
//! because a phrase only has to *start* a word to match. Sentence punctuation (", . ; : ! ?",
//! brackets, markup) separates phrases, so "the fault was persistent. Caller …" is fine.
//! Owns no I/O and must not log the text it checks.

use std::sync::LazyLock;

use regex::Regex;

mod words;

/// What the guard tells the person who wrote the text.
const ADVICE: &str = "Describe the behaviour instead (for example: 'contacted 14 times in 7 days \
                      about the same topic'); Tidings never records labels about people.";

use words::LABELS;

/// Longest excerpt of the original text quoted back in an error.
const MAX_FOUND_CHARS: usize = 60;

/// Free text that labels a person instead of describing what happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} contains \"{found}\" (matches \"{phrase}\"). {advice}", advice = ADVICE)]
pub struct LabelError {
    /// The field the text came from, e.g. `note` or `digest.html`.
    pub field: String,
    /// The labelling phrase from the word list that matched.
    pub phrase: &'static str,
    /// The matching part of the original text, as written (shortened if very long).
    pub found: String,
}

/// Rejects `text` if it labels a person; `field` names where the text came from.
pub fn check_free_text(field: &str, text: &str) -> Result<(), LabelError> {
    let skeleton = Skeleton::build(text);
    for (phrase, regex) in PATTERNS.iter() {
        if let Some(span) = regex.captures(&skeleton.text).and_then(|c| c.get(1)) {
            let found = skeleton.original(text, span.start(), span.end());
            return Err(LabelError {
                field: field.to_owned(),
                phrase,
                found: shorten(found.trim()),
            });
        }
    }
    Ok(())
}

/// What [`mask`] puts in place of a labelling phrase.
pub const MASK: &str = "[…]";

/// `text` with every labelling phrase replaced by [`MASK`]: for text that comes from a
/// message (a sender's display name, a matched sentence) on its way into manager mail or an
/// export, where it must be shown but must not carry a label.
pub fn mask(text: &str) -> String {
    let skeleton = Skeleton::build(text);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for (_, regex) in PATTERNS.iter() {
        for span in regex.captures_iter(&skeleton.text).filter_map(|c| c.get(1)) {
            let found = skeleton.original(text, span.start(), span.end());
            let from = found.as_ptr() as usize - text.as_ptr() as usize;
            // A phrase matches the start of a word ("complain" in "complainer"): mask the
            // whole word.
            let rest = &text[from + found.len()..];
            let tail = rest
                .find(|c: char| !c.is_alphanumeric())
                .unwrap_or(rest.len());
            ranges.push((from, from + found.len() + tail));
        }
    }
    if ranges.is_empty() {
        return text.to_owned();
    }
    ranges.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (from, to) in ranges {
        if from >= at {
            out.push_str(&text[at..from]);
            out.push_str(MASK);
            at = to;
        } else {
            at = at.max(to);
        }
    }
    out.push_str(&text[at..]);
    out
}

static PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    LABELS
        .iter()
        .map(|(phrase, pattern)| {
            let regex = Regex::new(&compile(pattern))
                .expect("guard patterns are constants, compiled in a unit test");
            (*phrase, regex)
        })
        .collect()
});

/// Turns a label pattern into a regex over a [`Skeleton`]: each letter becomes a class of the
/// letter and its look-alikes, with an optional single space before every letter but the
/// first; the phrase must start at the text start or after a gap.
fn compile(pattern: &str) -> String {
    let mut out = String::from("(?:^|[ \\n])(");
    let mut first = true;
    for ch in pattern.chars() {
        match ch {
            '(' => out.push_str("(?:"),
            '|' | ')' => out.push(ch),
            ' ' => {}
            letter => {
                if !first {
                    out.push_str(" ?");
                }
                first = false;
                out.push_str(letter_class(letter));
            }
        }
    }
    out.push(')');
    out
}

/// The characters that may stand for `letter`.
fn letter_class(letter: char) -> &'static str {
    match letter {
        'a' => "[a@4]",
        'b' => "[b8]",
        'c' => "c",
        'd' => "d",
        'e' => "[e3]",
        'f' => "f",
        'g' => "[g9]",
        'h' => "h",
        'i' => "[i1|]",
        'k' => "k",
        'l' => "[l1|]",
        'm' => "m",
        'n' => "n",
        'o' => "[o0]",
        'p' => "p",
        'q' => "q",
        'r' => "r",
        's' => "[s5$]",
        't' => "[t7]",
        'u' => "u",
        'v' => "v",
        'w' => "w",
        'x' => "x",
        'y' => "y",
        'z' => "[z2]",
        _ => "[^\\s\\S]",
    }
}

/// Characters dropped when they join parts of a word ("v-e-x", "vex_a.tious").
fn is_joiner(ch: char) -> bool {
    matches!(
        ch,
        '-' | '_' | '.' | '*' | '~' | '\'' | '’' | '·' | '\u{2010}' | '\u{2011}'
    )
}

/// Characters kept as letters: anything alphabetic, digits and the leetspeak symbols.
fn is_word_char(ch: char) -> bool {
    ch.is_alphanumeric() || matches!(ch, '@' | '$' | '|')
}

/// The text reduced to lower-case word characters, one space for a soft gap (whitespace)
/// and a newline for a hard break (other punctuation), with a map back to the original.
struct Skeleton {
    text: String,
    /// For every byte of `text`: the original byte range of the character it came from.
    origin: Vec<(usize, usize)>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    Soft,
    Hard,
}

impl Skeleton {
    fn build(text: &str) -> Self {
        let mut skeleton = Skeleton {
            text: String::with_capacity(text.len()),
            origin: Vec::with_capacity(text.len()),
        };
        let mut gap: Option<Gap> = None;
        let mut run = 0usize; // word characters since the last joiner or gap
        let mut chars = text.char_indices().peekable();
        while let Some((at, ch)) = chars.next() {
            let end = at + ch.len_utf8();
            if is_word_char(ch) {
                if let Some(g) = gap.take() {
                    if !skeleton.text.is_empty() {
                        skeleton.push(if g == Gap::Hard { '\n' } else { ' ' }, at, at);
                    }
                }
                for lower in ch.to_lowercase() {
                    skeleton.push(lower, at, end);
                }
                run += 1;
            } else if ch.is_whitespace() {
                gap = gap.max(Some(Gap::Soft));
                run = 0;
            } else if is_joiner(ch) {
                // A full stop after a word (not after a single spelled-out letter) and
                // before a space ends a sentence.
                let ends_sentence = ch == '.'
                    && run > 1
                    && chars.peek().is_none_or(|(_, next)| next.is_whitespace());
                if ends_sentence {
                    gap = Some(Gap::Hard);
                }
                run = 0;
            } else {
                gap = Some(Gap::Hard);
                run = 0;
            }
        }
        skeleton
    }

    fn push(&mut self, ch: char, start: usize, end: usize) {
        self.text.push(ch);
        for _ in 0..ch.len_utf8() {
            self.origin.push((start, end));
        }
    }

    /// The original text behind the skeleton byte range `start..end`.
    fn original<'t>(&self, text: &'t str, start: usize, end: usize) -> &'t str {
        let from = self.origin.get(start).map_or(0, |o| o.0);
        let to = end
            .checked_sub(1)
            .and_then(|last| self.origin.get(last))
            .map_or(text.len(), |o| o.1);
        text.get(from..to.max(from)).unwrap_or_default()
    }
}

fn shorten(found: &str) -> String {
    if found.chars().count() <= MAX_FOUND_CHARS {
        found.to_owned()
    } else {
        let mut short: String = found.chars().take(MAX_FOUND_CHARS).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod words_tests;
