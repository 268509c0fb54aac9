//! Sentences of a customer's own words, as written: the unit a signal quotes back to a
//! reviewer and the unit a lexicon entry (and its `unless` context) is matched within.

use std::ops::Range;

/// A line at least this long followed by a line starting in lower case is a hard-wrapped
/// sentence, not two sentences.
const WRAP_WIDTH: usize = 60;

/// The sentences of `text`, trimmed, as written.
pub fn sentences(text: &str) -> Vec<&str> {
    sentence_spans(text)
        .into_iter()
        .map(|span| &text[span])
        .collect()
}

/// The byte ranges of the sentences of `text`, trimmed of surrounding white space.
///
/// A sentence ends at `.`, `!` or `?` (with any closing quotes or brackets) followed by white
/// space or the end, except after an initial ("J. Smith") or a common abbreviation ("Mr.",
/// "e.g."); at a blank line; and at a line break, unless the line is long (a hard-wrapped
/// email, at least 60 characters) and the next line starts in lower case.
pub fn sentence_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = 0;
    let mut line_start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, ch) = chars[i];
        match ch {
            '\n' => {
                let line_len = text[line_start..at].trim().chars().count();
                let next = chars[i + 1..]
                    .iter()
                    .map(|(_, c)| *c)
                    .find(|c| *c != ' ' && *c != '\t');
                let wrapped = line_len >= WRAP_WIDTH && next.is_some_and(char::is_lowercase);
                if !wrapped {
                    push(&mut spans, text, start, at);
                    start = at + 1;
                }
                line_start = at + 1;
            }
            '.' | '!' | '?' => {
                let mut j = i + 1;
                while j < chars.len()
                    && matches!(
                        chars[j].1,
                        '.' | '!' | '?' | '"' | '\'' | '’' | '”' | ')' | ']'
                    )
                {
                    j += 1;
                }
                let at_gap = j == chars.len() || chars[j].1.is_whitespace();
                if at_gap && !(ch == '.' && j == i + 1 && is_abbreviation(&text[start..at])) {
                    let end = chars.get(j).map_or(text.len(), |(e, _)| *e);
                    push(&mut spans, text, start, end);
                    start = end;
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    push(&mut spans, text, start, text.len());
    spans
}

/// Whether the word before a full stop is an initial or an abbreviation that does not end a
/// sentence.
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let single_letter = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
    single_letter
        || matches!(
            word.as_str(),
            "mr" | "mrs"
                | "ms"
                | "dr"
                | "st"
                | "e.g"
                | "i.e"
                | "etc"
                | "ref"
                | "tel"
                | "approx"
                | "vs"
        )
}

/// Adds `start..end` trimmed, if anything is left.
fn push(spans: &mut Vec<Range<usize>>, text: &str, start: usize, end: usize) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        spans.push(start + lead..end - trail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_terminal_punctuation_and_keeps_it() {
        assert_eq!(
            sentences("I rang twice. Nobody called back! Why not? Thanks"),
            ["I rang twice.", "Nobody called back!", "Why not?", "Thanks"]
        );
    }

    #[test]
    fn keeps_runs_of_punctuation_and_closing_quotes() {
        assert_eq!(
            sentences("He said \"later.\" Really?!? Yes..."),
            ["He said \"later.\"", "Really?!?", "Yes..."]
        );
    }

    #[test]
    fn does_not_split_inside_numbers_initials_or_abbreviations() {
        assert_eq!(
            sentences("Mr. J. Smith came at 5.30pm, e.g. after tea. Then left."),
            ["Mr. J. Smith came at 5.30pm, e.g. after tea.", "Then left."]
        );
    }

    #[test]
    fn a_line_break_ends_a_sentence() {
        assert_eq!(
            sentences("Dear Sir\nThe alarm went off\n\nPlease help"),
            ["Dear Sir", "The alarm went off", "Please help"]
        );
    }

    #[test]
    fn a_hard_wrapped_line_continues_the_sentence() {
        let text = "I have written to you three times about the smoke alarm and I\nam still waiting for an answer.";
        assert_eq!(sentences(text), [text]);
    }

    #[test]
    fn spans_point_into_the_original_text() {
        let text = "  One.  Two  ";
        let spans = sentence_spans(text);
        assert_eq!(spans, [2..6, 8..11]);
    }

    #[test]
    fn empty_text_has_no_sentences() {
        assert!(sentences("").is_empty());
        assert!(sentences(" \n\n ").is_empty());
    }
}
