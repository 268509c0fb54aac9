//! Turns a lexicon entry's pattern, written for people, into the regular expression matched
//! against a view of the own words (see `normalise`).
//!
//! Both views are lower case with single spaces, so a pattern is written in lower case with
//! plain spaces. Every pattern must match whole words: it is wrapped so that the match starts
//! and ends at a word edge. `{senior}` stands for a senior officer: the caller's names (the
//! view's placeholder) or one of the lexicon's senior roles.
//!
//! For obfuscation-aware entries (matched on the skeleton view) every ASCII letter `x` outside
//! a character class becomes `[x*]+`: it may be repeated ("fuuuck") or masked ("f*ck");
//! `l` also accepts `i` (the skeleton reads `1` as `i`), and apostrophes are dropped (the
//! skeleton drops them inside words).

use super::super::normalise::SENIOR;

/// Which view a pattern is matched against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// The plain view.
    Plain,
    /// The skeleton view, obfuscation-aware.
    Obfuscated,
}

/// The regex source for `pattern`, with the match in the capture group `t`.
pub(super) fn translate(pattern: &str, mode: Mode, roles: &[String]) -> String {
    let body = translate_body(pattern, mode, &senior_alternation(roles));
    match mode {
        // The skeleton is already lower case: no case folding keeps its automaton small.
        Mode::Obfuscated => format!(r"(?:^|[^\pL\pN*])(?P<t>{body})(?:$|[^\pL\pN*])"),
        Mode::Plain => format!(r"(?i)(?:^|[^\pL\pN*])(?P<t>{body})(?:$|[^\pL\pN*])"),
    }
}

/// The source of an `unless` pattern: anywhere in the sentence, same view as the entry.
pub(super) fn translate_unless(pattern: &str, mode: Mode, roles: &[String]) -> String {
    let body = translate_body(pattern, mode, &senior_alternation(roles));
    match mode {
        Mode::Obfuscated => body,
        Mode::Plain => format!("(?i){body}"),
    }
}

fn senior_alternation(roles: &[String]) -> String {
    let mut alternatives = vec![regex::escape(&SENIOR.to_string())];
    alternatives.extend(roles.iter().map(|role| {
        role.split_whitespace()
            .map(|word| regex::escape(&word.to_lowercase()))
            .collect::<Vec<_>>()
            .join(" ")
    }));
    format!("(?:{})", alternatives.join("|"))
}

fn translate_body(pattern: &str, mode: Mode, senior: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() * 3);
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        match ch {
            '\\' => {
                let escaped = chars.get(i + 1).copied();
                out.push('\\');
                if let Some(e) = escaped {
                    out.push(e);
                    i += 2;
                    if matches!(e, 'p' | 'P') && chars.get(i) == Some(&'{') {
                        i = copy_until(&chars, i, '}', &mut out);
                    }
                } else {
                    i += 1;
                }
                continue;
            }
            '[' => {
                i = copy_class(&chars, i, &mut out);
                continue;
            }
            '(' if chars.get(i + 1) == Some(&'?') => {
                let close = if chars.get(i + 2) == Some(&'P') {
                    '>'
                } else {
                    ':'
                };
                let stop = chars[i..]
                    .iter()
                    .position(|c| *c == close || *c == ')')
                    .map_or(chars.len(), |p| i + p);
                out.extend(&chars[i..=stop.min(chars.len() - 1)]);
                i = stop + 1;
                continue;
            }
            '{' if chars[i..].starts_with(&['{', 's', 'e', 'n', 'i', 'o', 'r', '}']) => {
                out.push_str(senior);
                i += 8;
                continue;
            }
            '{' => {
                i = copy_until(&chars, i, '}', &mut out);
                continue;
            }
            '\'' if mode == Mode::Obfuscated => {}
            'a'..='z' | 'A'..='Z' if mode == Mode::Obfuscated => {
                let lower = ch.to_ascii_lowercase();
                // (Upper-case letters are read as lower case: the skeleton has no capitals.)
                let class = if lower == 'l' {
                    "[li*]+".to_owned()
                } else {
                    format!("[{lower}*]+")
                };
                let quantified = matches!(chars.get(i + 1), Some('?' | '*' | '+' | '{'));
                if quantified {
                    out.push_str(&format!("(?:{class})"));
                } else {
                    out.push_str(&class);
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    out
}

/// Copies `chars[i..]` up to and including `close`; returns the index after it.
fn copy_until(chars: &[char], i: usize, close: char, out: &mut String) -> usize {
    let mut j = i;
    while j < chars.len() {
        out.push(chars[j]);
        j += 1;
        if chars[j - 1] == close {
            break;
        }
    }
    j
}

/// Copies a character class (with nested classes and escapes) starting at `chars[i] == '['`.
fn copy_class(chars: &[char], i: usize, out: &mut String) -> usize {
    let mut depth = 0;
    let mut j = i;
    while j < chars.len() {
        let ch = chars[j];
        out.push(ch);
        j += 1;
        match ch {
            '\\' => {
                if let Some(&next) = chars.get(j) {
                    out.push(next);
                    j += 1;
                }
            }
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_patterns_are_wrapped_to_whole_words() {
        let source = translate("hurt you", Mode::Plain, &[]);
        let regex = regex::Regex::new(&source).expect("valid");
        assert!(regex.is_match("i will hurt you."));
        assert!(!regex.is_match("i will hurt yourself"));
    }

    #[test]
    fn obfuscated_letters_may_repeat_or_be_masked() {
        let source = translate("fuck(ing)?", Mode::Obfuscated, &[]);
        let regex = regex::Regex::new(&source).expect("valid");
        for text in ["fuck", "fuuuck", "f*ck", "f**k", "fucking", "fuckin*"] {
            assert!(regex.is_match(text), "{text} should match {source}");
        }
        assert!(!regex.is_match("fucks"));
    }

    #[test]
    fn classes_escapes_groups_and_counts_are_kept() {
        let body = translate_body(r"(?:a|b)[a-z]\b\p{L}{2}(?P<x>y)", Mode::Obfuscated, "S");
        assert_eq!(body, r"(?:[a*]+|[b*]+)[a-z]\b\p{L}{2}(?P<x>[y*]+)");
    }

    #[test]
    fn senior_stands_for_the_placeholder_and_the_roles() {
        let roles = ["Chief Fire Officer".to_owned()];
        let source = translate("speak to (the )?{senior}", Mode::Plain, &roles);
        let regex = regex::Regex::new(&source).expect("valid");
        assert!(regex.is_match("i want to speak to the chief fire officer"));
        assert!(regex.is_match(&format!("i want to speak to {SENIOR} now")));
        assert!(!regex.is_match("i want to speak to the crew"));
    }
}
