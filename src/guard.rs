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

/// What the guard tells the person who wrote the text.
const ADVICE: &str = "Describe the behaviour instead (for example: 'contacted 14 times in 7 days \
                      about the same topic'); Tidings never records labels about people.";

/// Labelling phrases: (the phrase as shown in errors, the pattern matched).
///
/// A pattern is plain letters, with `(a|b)` alternatives; spaces are for reading only, since
/// any single gap (or none) is allowed between letters. A pattern matches at the start of a
/// word and may be followed by more letters, so "complain" also covers "complainer",
/// "complainant" and "complaints".
const LABELS: &[(&str, &str)] = &[
    ("vexatious", "vexatious"),
    ("persistent complainer", "persistent complain"),
    ("persistent caller", "persistent caller"),
    ("persistent customer", "persistent customer"),
    ("serial complainer", "serial complain(er|ant)"),
    ("serial caller", "serial caller"),
    ("resource-intensive customer", "resource intensive customer"),
    (
        "resource-intensive complainant",
        "resource intensive complain(er|ant)",
    ),
    ("resource-intensive caller", "resource intensive caller"),
    ("abusive customer", "abusive customer"),
    ("abusive caller", "abusive caller"),
    ("abusive complainant", "abusive complain(er|ant)"),
    (
        "nuisance caller",
        "nuisance (caller|customer|complain|person|individual|resident)",
    ),
    ("is a nuisance", "(is|are|was|were|being) a nuisance"),
    ("troublemaker", "trouble maker"),
    ("time-waster", "time waster"),
    ("querulous", "querulous"),
    ("obsessive complainer", "obsessive complain(er|ant)"),
    ("difficult customer", "difficult customer"),
    ("difficult complainant", "difficult complain(er|ant)"),
    ("habitual complainer", "habitual complain(er|ant)"),
    ("habitual caller", "habitual caller"),
    ("unreasonable complainant", "unreasonable complain(er|ant)"),
    ("unreasonable customer", "unreasonable customer"),
];

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
mod tests {
    use super::*;

    fn hit(text: &str) -> LabelError {
        match check_free_text("note", text) {
            Err(e) => e,
            Ok(()) => panic!("expected a label in {text:?}"),
        }
    }

    fn clean(text: &str) {
        if let Err(e) = check_free_text("note", text) {
            panic!("{text:?} was rejected: {e}");
        }
    }

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(PATTERNS.len(), LABELS.len());
    }

    #[test]
    fn rejects_every_listed_phrase() {
        for text in [
            "He is vexatious.",
            "a persistent complainer",
            "persistent complainant again",
            "known persistent caller",
            "persistent customer",
            "a serial complainer",
            "resource-intensive customer",
            "resource intensive complainant",
            "resource-intensive caller",
            "abusive customer",
            "abusive caller",
            "abusive complainant",
            "nuisance caller",
            "nuisance customer",
            "a nuisance complainant",
            "she is a nuisance",
            "being a nuisance",
            "a troublemaker",
            "trouble-maker",
            "time-waster",
            "time waster",
            "timewaster",
            "querulous",
            "obsessive complainer",
            "difficult customer",
            "habitual complainer",
            "unreasonable complainant",
            "unreasonable customer",
        ] {
            hit(text);
        }
    }

    #[test]
    fn reports_field_phrase_and_what_was_written() {
        let e = hit("Spoke to Mr Smith, a Persistent  Caller.");
        assert_eq!(e.field, "note");
        assert_eq!(e.phrase, "persistent caller");
        assert_eq!(e.found, "Persistent  Caller");
        let message = e.to_string();
        assert!(message.starts_with("note contains \"Persistent  Caller\""));
        assert!(message.contains("Describe the behaviour instead (for example: 'contacted 14 times in 7 days about the same topic'); Tidings never records labels about people."));
    }

    #[test]
    fn sees_through_obfuscation() {
        for text in [
            "VEXATIOUS",
            "v-e-x-a-t-i-o-u-s",
            "v e x a t i o u s",
            "v.e.x.a.t.i.o.u.s",
            "v_e_x_a_t_i_o_u_s",
            "v - e - x - a - t - i - o - u - s",
            "vex@tious",
            "v3x4t10u5",
            "vexatiou$",
            "vex atious",
            "p3r5i5t3nt_c@ll3r",
            "persistent-complainer",
            "PersistentComplainer",
            "n u i s a n c e c a l l e r",
            "nuis4nce c4ller",
            "qu3ru|ous",
            "tr0ublem@ker",
            "d1ff1cult cust0mer",
            "<td>querulous</td>",
        ] {
            hit(text);
        }
    }

    #[test]
    fn catches_longer_forms() {
        for text in [
            "acted vexatiously",
            "the vexatiousness of it",
            "nuisance callers",
            "persistent complainers",
            "persistent complaints",
            "troublemakers",
            "time-wasters",
            "difficult customers",
            "unreasonable complainants",
        ] {
            hit(text);
        }
        assert_eq!(hit("acted vexatiously").found, "vexatious");
    }

    #[test]
    fn accepts_neutral_descriptions() {
        for text in [
            "contact volume above threshold",
            "contacted 14 times in 7 days about the same topic",
            "persistent fault on the line",
            "The fault was persistent. Caller said it started on Monday.",
            "fault persistent; customer informed",
            "the caller was distressed",
            "smoke nuisance from a garden bonfire",
            "reported a statutory nuisance to the council",
            "resource planning",
            "a resource-intensive task for the team",
            "the customer persistently asked for a call back",
            "difficult to reach the customer",
            "the complainant was unreasonably delayed by us",
            "abusive language in the second email",
            "the menu is ancestral",
            "serial number 4411 on the boiler",
            "complained about a difficult week",
            "",
        ] {
            clean(text);
        }
    }

    #[test]
    fn long_matches_are_shortened() {
        let spaced = "v   -   e   -   x   -   a   -   t   -   i   -   o   -   u   -   s";
        let e = hit(spaced);
        assert!(e.found.chars().count() <= MAX_FOUND_CHARS + 1);
    }
}
