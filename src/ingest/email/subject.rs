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
    rest.trim_end_matches(|c: char| c.is_whitespace() || is_punct(c))
        .to_string()
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() && c != '[' && c != ']' || EXTRA_PUNCTUATION.contains(&c)
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

/// `[list] x` → `x`, provided something is left after the tag.
fn strip_tag(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('[')?;
    let close = inner.find(']')?;
    let after = inner[close + 1..].trim_start();
    if after.is_empty() {
        None
    } else {
        Some(after)
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
