//! Thread subjects: the part of a subject line that stays the same across replies and forwards,
//! so that "Re: AW: [housing] Fence repair" and "Fwd: fence repair!" count as one topic.
//! Pure string code; knows nothing about messages or storage.

/// Reply and forward prefixes (lower case) in the languages our mail commonly arrives in:
/// English, German, Dutch, Nordic, French, Spanish, Italian, Portuguese, Polish, Turkish,
/// Welsh and Chinese. Each counts only when followed by a colon (ASCII or fullwidth),
/// optionally after a counter such as `[2]`, `(2)` or `^2`.
const PREFIXES: &[&str] = &[
    "re", "fw", "fwd", "aw", "wg", "sv", "vs", "vb", "vl", "antw", "doorst", "tr", "réf", "rv",
    "r", "rif", "enc", "res", "odp", "pd", "ynt", "ilt", "atb", "yml", "回复", "答复", "回覆",
    "转发", "轉寄", "轉發",
];

/// Punctuation trimmed from both ends of a thread subject, beyond ASCII punctuation.
const EXTRA_PUNCTUATION: &[char] = &[
    '…', '“', '”', '‘', '’', '«', '»', '¿', '¡', '–', '—', '。', '！', '？', '：', '，',
];

/// Bracket and quote pairs (opening, closing). At the ends of a subject they are removed only
/// as a pair that wraps the whole rest, or when unbalanced; `(case 123)` keeps both halves.
const PAIRS: &[(char, char)] = &[
    ('(', ')'),
    ('[', ']'),
    ('{', '}'),
    ('<', '>'),
    ('"', '"'),
    ('\'', '\''),
    ('“', '”'),
    ('‘', '’'),
    ('«', '»'),
];

/// Normalises a decoded subject line into a thread key: lower case; reply/forward prefixes
/// (`Re:`, `AW:`, `Fwd:`, `Re[2]:`, `回复：` …) and leading `[list]` or `[EXTERNAL]` tags
/// removed however often they repeat; a trailing `(fwd)` removed; whitespace collapsed;
/// punctuation trimmed from both ends. A subject that is nothing but prefixes gives `""`.
pub fn thread_subject(subject: &str) -> String {
    let lower = collapse_whitespace(&subject.to_lowercase());
    let mut rest = lower.as_str();
    loop {
        let before = rest.len();
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || is_punct(c));
        if let Some(after) = strip_reply_prefix(rest) {
            rest = after;
        }
        if let Some(after) = strip_tag(rest) {
            rest = after;
        }
        if rest.len() == before {
            break;
        }
    }
    let mut rest = rest.trim_end();
    while let Some(before) = rest.strip_suffix("(fwd)") {
        rest = before.trim_end();
    }
    trim_ends(rest).to_string()
}

/// Punctuation that is trimmed from the ends freely: everything but brackets and quotes.
fn is_punct(c: char) -> bool {
    (c.is_ascii_punctuation() || EXTRA_PUNCTUATION.contains(&c)) && !is_paired(c)
}

fn is_paired(c: char) -> bool {
    PAIRS.iter().any(|&(open, close)| c == open || c == close)
}

/// Trims whitespace and punctuation from both ends. A bracket or quote goes only when it is
/// unbalanced (`fence repair)`) or when it and its partner wrap everything else
/// (`“fence repair”`, but not a lone `[tag]`, which is the whole subject).
fn trim_ends(s: &str) -> &str {
    let mut rest = s;
    loop {
        let before = rest.len();
        rest = rest.trim_matches(|c: char| c.is_whitespace() || is_punct(c));
        rest = strip_wrapping_pair(rest);
        rest = strip_unbalanced_ends(rest);
        if rest.len() == before {
            return rest;
        }
    }
}

/// `(x)` → `x` when the bracket opened first closes last; `[x]` is kept (a tag-only subject).
fn strip_wrapping_pair(s: &str) -> &str {
    let Some(first) = s.chars().next() else {
        return s;
    };
    let Some(&(open, close)) = PAIRS
        .iter()
        .find(|&&(open, _)| open == first && open != '[')
    else {
        return s;
    };
    let inner = &s[open.len_utf8()..];
    let mut depth = 0usize;
    for (i, c) in inner.char_indices() {
        if c == close && depth == 0 {
            return if i + c.len_utf8() == inner.len() {
                &inner[..i]
            } else {
                s
            };
        }
        if c == close {
            depth -= 1;
        } else if c == open {
            depth += 1;
        }
    }
    s
}

/// Drops a closing bracket at the end that has no opening partner, and an opening bracket at
/// the start that is never closed. Symmetric quotes count as unbalanced when odd in number.
fn strip_unbalanced_ends(s: &str) -> &str {
    let count = |c: char| s.chars().filter(|&x| x == c).count();
    let mut rest = s;
    if let Some(last) = rest.chars().last() {
        if let Some(&(open, close)) = PAIRS.iter().find(|&&(_, close)| close == last) {
            let unbalanced = if open == close {
                count(close) % 2 == 1
            } else {
                count(close) > count(open)
            };
            if unbalanced {
                rest = &rest[..rest.len() - last.len_utf8()];
            }
        }
    }
    if let Some(first) = rest.chars().next() {
        if let Some(&(open, close)) = PAIRS.iter().find(|&&(open, _)| open == first) {
            let unbalanced = if open == close {
                count(open) % 2 == 1
            } else {
                count(open) > count(close)
            };
            if unbalanced {
                rest = &rest[first.len_utf8()..];
            }
        }
    }
    rest
}

fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `re: x` → `x`; `re[2]: x`, `re (3) : x`, `re^2: x`, `re：x` → `x`; anything else → None.
fn strip_reply_prefix(s: &str) -> Option<&str> {
    let word_end = s.find(|c: char| !c.is_alphabetic()).unwrap_or(s.len());
    let (word, rest) = s.split_at(word_end);
    if !PREFIXES.contains(&word) {
        return None;
    }
    let rest = strip_counter(rest.trim_start()).trim_start();
    rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))
}

/// Removes a reply counter such as `[2]`, `(2)` or `^2` at the start of `s`, if present.
fn strip_counter(s: &str) -> &str {
    let digits = |t: &str| t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    for (open, close) in [('[', ']'), ('(', ')')] {
        if let Some(inner) = s.strip_prefix(open) {
            let n = digits(inner);
            if n > 0 {
                if let Some(after) = inner[n..].strip_prefix(close) {
                    return after;
                }
            }
        }
    }
    if let Some(inner) = s.strip_prefix('^') {
        let n = digits(inner);
        if n > 0 {
            return &inner[n..];
        }
    }
    s
}

/// `[list] x` → `x`, provided a word is left after the tag.
fn strip_tag(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('[')?;
    let close = inner.find(']')?;
    let after = inner[close + 1..].trim_start();
    if after.chars().any(char::is_alphanumeric) {
        Some(after)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::thread_subject;

    #[test]
    fn strips_repeated_prefixes_in_many_languages() {
        let cases = [
            ("Re: Fence repair", "fence repair"),
            ("RE: re: Fw: FWD: Fence repair", "fence repair"),
            ("AW: WG: Zaunreparatur", "zaunreparatur"),
            (
                "SV: VS: Antw: Tr: RV: R: ENC: Odp: Fence repair",
                "fence repair",
            ),
            ("Re[2]: Fence repair", "fence repair"),
            ("Re(3) : Fence repair", "fence repair"),
            ("Re^2: Fence repair", "fence repair"),
            ("Re：Fence repair", "fence repair"),
            ("回复：Fence repair", "fence repair"),
            ("ATB: Atgyweirio ffens", "atgyweirio ffens"),
        ];
        for (input, want) in cases {
            assert_eq!(thread_subject(input), want, "{input:?}");
        }
    }

    #[test]
    fn strips_list_tags_between_prefixes() {
        assert_eq!(thread_subject("[housing] Re: Fence repair"), "fence repair");
        assert_eq!(
            thread_subject("Re: [EXTERNAL] [housing] RE: Fence repair"),
            "fence repair"
        );
    }

    #[test]
    fn keeps_a_tag_that_is_the_whole_subject() {
        assert_eq!(thread_subject("[housing]"), "[housing]");
    }

    #[test]
    fn keeps_both_halves_of_brackets_and_quotes_inside_the_subject() {
        let cases = [
            ("Re: [Case 123] boiler", "boiler"),
            ("Re: Boiler [Case 123]", "boiler [case 123]"),
            ("Re: [Case 123]", "[case 123]"),
            ("Re: [Case 123]]", "[case 123]"),
            ("Boiler repair [Case 123]!", "boiler repair [case 123]"),
            ("Boiler (Case 123)", "boiler (case 123)"),
            ("(Case 123) boiler", "(case 123) boiler"),
            ("Boiler {ref 5}", "boiler {ref 5}"),
            ("Boiler <ref 5>", "boiler <ref 5>"),
            ("Re: boiler \"leak\"", "boiler \"leak\""),
            ("Re: (a) and (b)", "(a) and (b)"),
        ];
        for (input, want) in cases {
            assert_eq!(thread_subject(input), want, "{input:?}");
        }
    }

    #[test]
    fn removes_unbalanced_or_wrapping_brackets_and_quotes() {
        assert_eq!(thread_subject("Re: (Boiler repair)"), "boiler repair");
        assert_eq!(thread_subject("Boiler repair)"), "boiler repair");
        assert_eq!(thread_subject("(Boiler repair"), "boiler repair");
        assert_eq!(thread_subject("\"Boiler repair"), "boiler repair");
        assert_eq!(thread_subject("«Boiler repair»!"), "boiler repair");
    }

    #[test]
    fn collapses_whitespace_and_trims_punctuation() {
        assert_eq!(thread_subject("  Fence \t\n  repair!!! "), "fence repair");
        assert_eq!(thread_subject("...Fence repair?"), "fence repair");
        assert_eq!(thread_subject("Fence repair (fwd)"), "fence repair");
        assert_eq!(thread_subject("“Fence repair”…"), "fence repair");
    }

    #[test]
    fn words_that_merely_start_like_prefixes_stay() {
        assert_eq!(thread_subject("Rework of the fence"), "rework of the fence");
        assert_eq!(thread_subject("Re fence"), "re fence");
        assert_eq!(thread_subject("Trees: overhanging"), "trees: overhanging");
        assert_eq!(thread_subject("Ref: 12345"), "ref: 12345");
    }

    #[test]
    fn empty_and_prefix_only_subjects_give_empty() {
        assert_eq!(thread_subject(""), "");
        assert_eq!(thread_subject("Re:"), "");
        assert_eq!(thread_subject("Re: Fwd: "), "");
    }
}
