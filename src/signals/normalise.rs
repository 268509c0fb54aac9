//! The two views of a customer's own words that lexicon patterns are matched against, each
//! with a map back to the text as written (so a signal quotes what the customer wrote):
//!
//! - the *plain* view: lower case, white space and pauses (`,` `;` brackets, double quotes)
//!   collapsed to one space, typographic apostrophes made straight, and the names of senior staff given by the caller replaced by one placeholder
//!   character ([`SENIOR`]) that `{senior}` in a pattern matches;
//! - the *skeleton* view, for obfuscation-aware entries: also look-alike letters folded to
//!   Latin (Cyrillic а/е/о…, accents), digits and symbols inside words read as letters (`0`→o,
//!   `1`/`!`→i, `3`→e, `4`/`@`→a, `5`/`$`→s, `7`→t, `|`→l), masking characters (`*`, `#`)
//!   kept as `*`, joiners inside words dropped ("sh-i-t", "f.u.c.k") and runs of three or more
//!   spelled-out letters joined ("f u c k").
//!
//! In both views sentences are separated by `\n` and their ranges are kept.

use std::ops::Range;

/// The character that stands for a senior officer's name in the plain view.
pub(crate) const SENIOR: char = '\u{E000}';

/// A normalised view of some text, sentence by sentence.
pub(crate) struct View {
    /// The normalised text; sentences separated by `\n`.
    pub(crate) text: String,
    /// For every byte of `text`: the byte range of the original character it came from.
    origin: Vec<(usize, usize)>,
    /// The sentences' ranges in `text`.
    pub(crate) sentences: Vec<Range<usize>>,
    /// For every sentence: the index of the span (of those the view was built from) it came
    /// from; a span with nothing left in the view (only punctuation) has no sentence.
    pub(crate) span_index: Vec<usize>,
}

impl View {
    /// The plain view of the sentences `spans` of `text`, with `seniors` replaced by
    /// [`SENIOR`].
    pub(crate) fn plain(text: &str, spans: &[Range<usize>], seniors: &[String]) -> View {
        let names: Vec<String> = seniors
            .iter()
            .map(|name| plain_string(name))
            .filter(|name| name.chars().count() >= 3)
            .collect();
        let mut view = View::empty(text.len());
        for (index, span) in spans.iter().enumerate() {
            let mut sentence = View::empty(span.len());
            let mut gap = false;
            for (off, ch) in text[span.clone()].char_indices() {
                let (at, end) = (span.start + off, span.start + off + ch.len_utf8());
                if ch.is_whitespace() || is_pause(ch) {
                    gap = true;
                    continue;
                }
                if gap {
                    sentence.push(' ', at, at);
                    gap = false;
                }
                for lower in plain_char(ch).to_lowercase() {
                    sentence.push(lower, at, end);
                }
            }
            view.append(&sentence.replace_names(&names), index);
        }
        view
    }

    /// The skeleton view of the sentences `spans` of `text`.
    pub(crate) fn skeleton(text: &str, spans: &[Range<usize>]) -> View {
        let mut view = View::empty(text.len());
        for (index, span) in spans.iter().enumerate() {
            let mut tokens: Vec<Token> = Vec::new();
            let sentence = &text[span.clone()];
            let mut chunk_start = None;
            for (off, ch) in sentence.char_indices().chain([(sentence.len(), ' ')]) {
                match (ch.is_whitespace(), chunk_start) {
                    (false, None) => chunk_start = Some(off),
                    (true, Some(from)) => {
                        skeleton_chunk(&sentence[from..off], span.start + from, &mut tokens);
                        chunk_start = None;
                    }
                    _ => {}
                }
            }
            let mut sentence = View::empty(span.len());
            for (i, token) in join_spelled_out(tokens).iter().enumerate() {
                if i > 0 {
                    sentence.push(' ', token[0].1, token[0].1);
                }
                for &(ch, at, end) in token {
                    sentence.push(ch, at, end);
                }
            }
            view.append(&sentence, index);
        }
        view
    }

    /// The byte range of the original text behind the view's byte range `range`.
    pub(crate) fn original_range(&self, range: Range<usize>) -> Range<usize> {
        let from = self.origin.get(range.start).map_or(0, |o| o.0);
        let to = range
            .end
            .checked_sub(1)
            .and_then(|last| self.origin.get(last))
            .map_or(from, |o| o.1);
        from..to.max(from)
    }

    /// The index of the sentence holding the view's byte `pos`.
    pub(crate) fn sentence_at(&self, pos: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.end <= pos);
        self.sentences.get(i).filter(|s| s.start <= pos).map(|_| i)
    }

    /// The view's text of sentence `i`.
    pub(crate) fn sentence(&self, i: usize) -> &str {
        self.sentences
            .get(i)
            .and_then(|s| self.text.get(s.clone()))
            .unwrap_or_default()
    }

    fn empty(capacity: usize) -> View {
        View {
            text: String::with_capacity(capacity),
            origin: Vec::with_capacity(capacity),
            sentences: Vec::new(),
            span_index: Vec::new(),
        }
    }

    fn push(&mut self, ch: char, start: usize, end: usize) {
        self.text.push(ch);
        for _ in 0..ch.len_utf8() {
            self.origin.push((start, end));
        }
    }

    /// Appends one sentence (a view without sentence ranges of its own).
    fn append(&mut self, sentence: &View, index: usize) {
        if sentence.text.is_empty() {
            return;
        }
        if !self.text.is_empty() {
            let at = sentence.origin.first().map_or(0, |o| o.0);
            self.push('\n', at, at);
        }
        let start = self.text.len();
        self.text.push_str(&sentence.text);
        self.origin.extend_from_slice(&sentence.origin);
        self.sentences.push(start..self.text.len());
        self.span_index.push(index);
    }

    /// This sentence with every whole-word occurrence of `names` replaced by [`SENIOR`].
    fn replace_names(self, names: &[String]) -> View {
        let mut found: Vec<Range<usize>> = Vec::new();
        for name in names {
            for (at, _) in self.text.match_indices(name.as_str()) {
                let end = at + name.len();
                let before = self.text[..at].chars().next_back();
                let after = self.text[end..].chars().next();
                if !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
                {
                    found.push(at..end);
                }
            }
        }
        if found.is_empty() {
            return self;
        }
        found.sort_by_key(|r| (r.start, usize::MAX - r.end));
        let mut out = View::empty(self.text.len());
        let mut pos = 0;
        for range in found {
            if range.start < pos {
                continue;
            }
            out.text.push_str(&self.text[pos..range.start]);
            out.origin.extend_from_slice(&self.origin[pos..range.start]);
            let (start, end) = (self.origin[range.start].0, self.origin[range.end - 1].1);
            out.push(SENIOR, start, end);
            pos = range.end;
        }
        out.text.push_str(&self.text[pos..]);
        out.origin.extend_from_slice(&self.origin[pos..]);
        out
    }
}

/// A skeleton word: (character, original start, original end) for each character.
type Token = Vec<(char, usize, usize)>;

/// Reads one white-space-free chunk of the original text into skeleton words.
fn skeleton_chunk(chunk: &str, offset: usize, tokens: &mut Vec<Token>) {
    let has_letter = chunk.chars().any(char::is_alphabetic);
    let chars: Vec<(usize, char)> = chunk.char_indices().collect();
    let mut token: Token = Vec::new();
    for (i, &(off, ch)) in chars.iter().enumerate() {
        let (at, end) = (offset + off, offset + off + ch.len_utf8());
        let next_is_wordish = chars
            .get(i + 1)
            .is_some_and(|&(_, n)| n.is_alphanumeric() || is_symbol_letter(n) || is_mask(n));
        let letter = if ch.is_alphabetic() {
            Some(ch)
        } else if has_letter
            && (ch.is_ascii_digit()
                || matches!(ch, '@' | '$')
                || (matches!(ch, '!' | '|') && next_is_wordish && !token.is_empty()))
        {
            Some(leet(ch))
        } else if ch.is_alphanumeric() {
            Some(ch)
        } else if has_letter && is_mask(ch) {
            Some('*')
        } else if is_joiner(ch) && !token.is_empty() && next_is_wordish {
            None
        } else {
            if !token.is_empty() {
                tokens.push(std::mem::take(&mut token));
            }
            None
        };
        if let Some(letter) = letter {
            for lower in letter.to_lowercase() {
                for folded in fold(lower) {
                    token.push((folded, at, end));
                }
            }
        }
    }
    if !token.is_empty() {
        tokens.push(token);
    }
}

/// Joins runs of three or more one-letter words ("f u c k" → "fuck").
fn join_spelled_out(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut run: Vec<Token> = Vec::new();
    let flush = |run: &mut Vec<Token>, out: &mut Vec<Token>| {
        if run.len() >= 3 {
            out.push(run.concat());
            run.clear();
        } else {
            out.append(run);
        }
    };
    for token in tokens {
        if token.len() == 1 {
            run.push(token);
        } else {
            flush(&mut run, &mut out);
            out.push(token);
        }
    }
    flush(&mut run, &mut out);
    out
}

fn is_mask(ch: char) -> bool {
    matches!(ch, '*' | '#')
}

fn is_symbol_letter(ch: char) -> bool {
    matches!(ch, '@' | '$' | '!' | '|')
}

fn is_joiner(ch: char) -> bool {
    matches!(
        ch,
        '-' | '_' | '.' | '\'' | '’' | '~' | '·' | '\u{2010}' | '\u{2011}'
    )
}

/// The letter a digit or symbol stands for inside a word.
fn leet(ch: char) -> char {
    match ch {
        '0' => 'o',
        '1' | '!' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        '8' => 'b',
        '9' => 'g',
        '|' => 'l',
        other => other,
    }
}

/// A lower-case letter folded to plain Latin: look-alike Cyrillic and Greek letters and
/// accented Latin letters; `ß` becomes "ss".
fn fold(ch: char) -> impl Iterator<Item = char> {
    let folded = match ch {
        'а' | 'α' | 'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' | 'ă' => 'a',
        'е' | 'ε' | 'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ё' => 'e',
        'о' | 'ο' | 'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'і' | 'ι' | 'ì' | 'í' | 'î' | 'ï' | 'ı' => 'i',
        'ù' | 'ú' | 'û' | 'ü' | 'υ' => 'u',
        'с' | 'ç' | 'ć' => 'c',
        'р' | 'ρ' => 'p',
        'у' | 'ý' | 'ÿ' => 'y',
        'х' | 'χ' => 'x',
        'к' | 'κ' => 'k',
        'ѕ' | 'ș' | 'ş' | 'ś' | 'š' => 's',
        'ј' => 'j',
        'ł' => 'l',
        'ñ' | 'ń' => 'n',
        'ț' | 'ţ' | 'τ' => 't',
        'ż' | 'ź' | 'ž' => 'z',
        'ν' => 'v',
        other => other,
    };
    let second = (ch == 'ß').then_some('s');
    [if ch == 'ß' { 's' } else { folded }]
        .into_iter()
        .chain(second)
}

/// Punctuation the plain view reads as a space, so patterns need not spell out pauses.
fn is_pause(ch: char) -> bool {
    matches!(ch, ',' | ';' | '(' | ')' | '"' | '“' | '”' | '„')
}

/// Typographic quotes made straight.
fn plain_char(ch: char) -> char {
    match ch {
        '’' | '‘' | '`' | 'ʼ' | '′' => '\'',
        '“' | '”' | '„' => '"',
        other => other,
    }
}

/// A name normalised as the plain view normalises text.
fn plain_string(name: &str) -> String {
    name.split_whitespace()
        .map(|word| {
            word.chars()
                .map(plain_char)
                .collect::<String>()
                .to_lowercase()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
#[path = "tests/normalise.rs"]
mod tests;
