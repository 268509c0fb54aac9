//! `PersonName`: a person's name as written on a letter or in a log, with the parts and
//! comparison keys linking needs (title, given names, family name, a folded key and a
//! phonetic code).

use super::DomainError;
use std::fmt;

/// The longest name accepted, in characters; anything longer is a sentence, not a name.
const MAX_CHARS: usize = 100;

/// Titles recognised before a name, with the form [`PersonName::title`] returns.
const TITLES: [(&str, &str); 22] = [
    ("mr", "Mr"),
    ("mrs", "Mrs"),
    ("ms", "Ms"),
    ("miss", "Miss"),
    ("mx", "Mx"),
    ("dr", "Dr"),
    ("doctor", "Dr"),
    ("prof", "Prof"),
    ("professor", "Prof"),
    ("rev", "Rev"),
    ("revd", "Rev"),
    ("reverend", "Rev"),
    ("sir", "Sir"),
    ("dame", "Dame"),
    ("lord", "Lord"),
    ("lady", "Lady"),
    ("cllr", "Cllr"),
    ("councillor", "Cllr"),
    ("capt", "Capt"),
    ("captain", "Capt"),
    ("fr", "Fr"),
    ("father", "Fr"),
];

/// Letters after a name that are not part of it (generations, honours, degrees).
const SUFFIXES: [&str; 16] = [
    "jr", "jnr", "junior", "sr", "snr", "senior", "ii", "iii", "iv", "obe", "mbe", "cbe", "bem",
    "phd", "esq", "kc",
];

/// Lower-case words that belong to the family name that follows them ("van der Berg").
const PARTICLES: [&str; 16] = [
    "van", "von", "der", "den", "de", "da", "di", "du", "del", "della", "dos", "das", "le", "la",
    "bin", "al",
];

/// A checked person name. Made only by [`PersonName::parse`]; keeps the display form as
/// written (spaces collapsed) and the parts found in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(into = "String")]
pub struct PersonName {
    display: String,
    title: Option<&'static str>,
    given: Vec<String>,
    family: String,
}

impl PersonName {
    /// Reads a name such as `Mrs Ann Jones`, `J. Smith`, `Smith, John` or `Dr Zoë van der Berg`.
    /// Trims and collapses spaces; rejects empty text, text without letters and text longer
    /// than a name can reasonably be.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let invalid = |why: &str| DomainError::InvalidName {
            input: input.chars().take(40).collect(),
            why: why.to_string(),
        };
        let display = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if display.is_empty() {
            return Err(invalid("it is empty"));
        }
        if display.chars().count() > MAX_CHARS {
            return Err(invalid("it is longer than a name (over 100 characters)"));
        }
        if !display.chars().any(char::is_alphabetic) {
            return Err(invalid("it has no letters"));
        }
        let (before, after) = match display.split_once(',') {
            Some((family, given)) => (given.trim().to_string(), Some(family.trim().to_string())),
            None => (display.clone(), None),
        };
        let mut title = None;
        let mut words: Vec<String> = Vec::new();
        for word in before.split_whitespace() {
            let bare = word
                .trim_matches(|c: char| c == '.' || c == ',')
                .to_lowercase();
            if words.is_empty() && title.is_none() {
                if let Some((_, t)) = TITLES.iter().find(|(w, _)| *w == bare) {
                    title = Some(*t);
                    continue;
                }
            }
            if SUFFIXES.contains(&bare.as_str()) && (after.is_some() || !words.is_empty()) {
                continue;
            }
            words.extend(split_initials(word));
        }
        let family = match after {
            // "Smith, John": the family name is before the comma (a title may lead it).
            Some(family_part) => {
                let mut parts: Vec<&str> = family_part.split_whitespace().collect();
                if let Some(first) = parts.first() {
                    let bare = first.trim_matches('.').to_lowercase();
                    if let Some((_, t)) = TITLES.iter().find(|(w, _)| *w == bare) {
                        title = title.or(Some(*t));
                        parts.remove(0);
                    }
                }
                parts.join(" ")
            }
            None => {
                let last = words.pop().unwrap_or_default();
                let mut family = vec![last];
                while words.len() > 1
                    && words
                        .last()
                        .is_some_and(|w| PARTICLES.contains(&w.to_lowercase().as_str()))
                {
                    family.insert(0, words.pop().unwrap_or_default());
                }
                family.join(" ")
            }
        };
        if !family.chars().any(char::is_alphabetic) {
            return Err(invalid("it has no family name or single name with letters"));
        }
        Ok(Self {
            display,
            title,
            given: words,
            family,
        })
    }

    /// The name as written, spaces collapsed.
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// The title (`Mr`, `Mrs`, `Ms`, `Miss`, `Mx`, `Dr`, `Prof`, `Rev`, `Sir`…), if one was
    /// written.
    pub fn title(&self) -> Option<&str> {
        self.title
    }

    /// The given names and initials, in order (`["J"]` for `J. Smith`).
    pub fn given(&self) -> &[String] {
        &self.given
    }

    /// The family name (or the only name, as in `Mr Patel`).
    pub fn family(&self) -> &str {
        &self.family
    }

    /// Upper-case initials of the given names and the family name (`JRS` for
    /// `John Robert Smith`).
    pub fn initials(&self) -> String {
        self.given
            .iter()
            .chain(std::iter::once(&self.family))
            .filter_map(|w| w.chars().find(|c| c.is_alphabetic()))
            .flat_map(char::to_uppercase)
            .collect()
    }

    /// A comparison key: given names then family name, lower case, diacritics folded
    /// (`é`→`e`, `ł`→`l`, `ß`→`ss`), title and punctuation removed (`Mrs Zoë O'Brien` →
    /// `zoe obrien`).
    pub fn key(&self) -> String {
        let words: Vec<String> = self
            .given
            .iter()
            .chain(std::iter::once(&self.family))
            .map(|w| fold(w))
            .filter(|w| !w.is_empty())
            .collect();
        words.join(" ")
    }

    /// The family name's comparison key (folded, letters only).
    pub fn family_key(&self) -> String {
        fold(&self.family).replace(' ', "")
    }

    /// Whether the family names sound alike (same Soundex code: `Smith` ~ `Smyth`,
    /// `Robert` ~ `Rupert`).
    pub fn sounds_like(&self, other: &PersonName) -> bool {
        let (a, b) = (soundex(&self.family_key()), soundex(&other.family_key()));
        !a.is_empty() && a == b
    }

    /// Whether `word` (a one-word name such as a first-name-only `From: Michael`) is one of
    /// this name's given names written out (not an initial), compared folded (`Zoe` in
    /// `Zoë Brown`).
    pub fn has_given_name(&self, word: &str) -> bool {
        let word = fold(word.trim());
        word.chars().count() > 1 && self.given.iter().any(|g| fold(g) == word)
    }

    /// Whether two names can be the same person: the same family key, and given names that
    /// agree wherever both have one (equal, or one is the other's initial). Titles are
    /// ignored: `J. Smith` ~ `John Smith`, `Mrs Ann Jones` ~ `Ann Jones`, `Mr Patel` ~
    /// `Ravi Patel`; `John Smith` is not `Jane Smith`.
    pub fn compatible(&self, other: &PersonName) -> bool {
        if self.family_key() != other.family_key() {
            return false;
        }
        self.given.iter().zip(other.given.iter()).all(|(a, b)| {
            let (a, b) = (fold(a), fold(b));
            a == b
                || (a.chars().count() == 1 && b.starts_with(&a))
                || (b.chars().count() == 1 && a.starts_with(&b))
        })
    }
}

/// `J.R.` → `J`, `R`; any other word is kept as it is (without a trailing full stop when it
/// is a single letter, `J.` → `J`).
fn split_initials(word: &str) -> Vec<String> {
    let parts: Vec<&str> = word.split('.').filter(|p| !p.is_empty()).collect();
    if parts.len() > 1 && parts.iter().all(|p| p.chars().count() == 1) {
        return parts.iter().map(|p| p.to_string()).collect();
    }
    let trimmed = word.trim_end_matches('.');
    if trimmed.chars().count() == 1 {
        vec![trimmed.to_string()]
    } else {
        vec![word.trim_end_matches(',').to_string()]
    }
}

/// Lower case, common Latin diacritics folded by hand, letters and spaces only (hyphens
/// become spaces; apostrophes and full stops go).
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'æ' => "ae",
            'ç' | 'ć' | 'č' => "c",
            'ď' | 'đ' | 'ð' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'ğ' | 'ģ' => "g",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
            'ķ' => "k",
            'ł' | 'ľ' | 'ĺ' | 'ļ' => "l",
            'ñ' | 'ń' | 'ň' | 'ņ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'œ' => "oe",
            'ŕ' | 'ř' => "r",
            'ś' | 'š' | 'ş' | 'ș' => "s",
            'ß' => "ss",
            'ť' | 'ţ' | 'ț' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            'þ' => "th",
            '-' | ' ' => " ",
            c if c.is_ascii_lowercase() => {
                out.push(c);
                continue;
            }
            _ => "",
        };
        out.push_str(folded);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// American Soundex of ASCII letters (`Robert` → `R163`); empty for a word without letters.
fn soundex(word: &str) -> String {
    let code = |c: char| match c {
        'b' | 'f' | 'p' | 'v' => Some('1'),
        'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => Some('2'),
        'd' | 't' => Some('3'),
        'l' => Some('4'),
        'm' | 'n' => Some('5'),
        'r' => Some('6'),
        _ => None,
    };
    let mut letters = word.chars().filter(char::is_ascii_lowercase);
    let Some(first) = letters.next() else {
        return String::new();
    };
    let mut out = first.to_ascii_uppercase().to_string();
    let mut last = code(first);
    for c in letters {
        let this = code(c);
        match this {
            Some(d) if this != last => {
                out.push(d);
                if out.len() == 4 {
                    break;
                }
                last = this;
            }
            Some(_) => {}
            // Vowels separate equal codes; h and w do not.
            None if c != 'h' && c != 'w' => last = None,
            None => {}
        }
    }
    while out.len() < 4 {
        out.push('0');
    }
    out
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

impl From<PersonName> for String {
    fn from(name: PersonName) -> Self {
        name.display
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> PersonName {
        PersonName::parse(text).expect("a valid name")
    }

    #[test]
    fn keeps_the_display_form_with_spaces_collapsed() {
        assert_eq!(name("  Mrs   Ann  Jones ").as_str(), "Mrs Ann Jones");
    }

    #[test]
    fn rejects_what_is_not_a_name() {
        for text in ["", "   ", "0151 496 0123", "12345", "--", &"a".repeat(101)] {
            assert!(
                matches!(
                    PersonName::parse(text),
                    Err(DomainError::InvalidName { .. })
                ),
                "{text:?} should be rejected"
            );
        }
    }

    #[test]
    fn finds_title_given_and_family_names() {
        let n = name("Dr John Robert Smith");
        assert_eq!(n.title(), Some("Dr"));
        assert_eq!(n.given(), ["John", "Robert"]);
        assert_eq!(n.family(), "Smith");
        assert_eq!(n.initials(), "JRS");
        let n = name("Mr. Patel");
        assert_eq!(n.title(), Some("Mr"));
        assert!(n.given().is_empty());
        assert_eq!(n.family(), "Patel");
    }

    #[test]
    fn reads_surname_first_with_a_comma() {
        let n = name("Okafor, Grace");
        assert_eq!(n.family(), "Okafor");
        assert_eq!(n.given(), ["Grace"]);
        let n = name("Jones, Mrs Ann");
        assert_eq!(n.title(), Some("Mrs"));
        assert_eq!(n.key(), "ann jones");
    }

    #[test]
    fn initials_with_and_without_full_stops() {
        assert_eq!(name("J.R. Smith").given(), ["J", "R"]);
        assert_eq!(name("J. Smith").given(), ["J"]);
    }

    #[test]
    fn particles_belong_to_the_family_name() {
        let n = name("Pieter van der Berg");
        assert_eq!(n.family(), "van der Berg");
        assert_eq!(n.given(), ["Pieter"]);
    }

    #[test]
    fn suffixes_are_not_the_family_name() {
        assert_eq!(name("Michael Brown Jnr").family(), "Brown");
        assert_eq!(name("Ade Bello OBE").family(), "Bello");
    }

    #[test]
    fn key_folds_case_diacritics_and_titles() {
        assert_eq!(name("Mrs Zoë O'Brien").key(), "zoe obrien");
        assert_eq!(name("Paweł Wiśniewski").key(), "pawel wisniewski");
        assert_eq!(name("Søren Strauß").key(), "soren strauss");
        assert_eq!(name("Mary-Jane Watson").key(), "mary jane watson");
    }

    #[test]
    fn soundex_matches_names_that_sound_alike() {
        assert_eq!(soundex("robert"), "R163");
        assert_eq!(soundex("rupert"), "R163");
        assert_eq!(soundex("ashcraft"), "A261");
        assert_eq!(soundex("tymczak"), "T522");
        assert_eq!(soundex("pfister"), "P236");
        assert!(name("John Smith").sounds_like(&name("Jon Smyth")));
        assert!(!name("John Smith").sounds_like(&name("John Jones")));
    }

    #[test]
    fn compatible_names_agree_where_both_say_something() {
        assert!(name("J. Smith").compatible(&name("John Smith")));
        assert!(name("Mrs Ann Jones").compatible(&name("Ann Jones")));
        assert!(name("Mr Patel").compatible(&name("Ravi Patel")));
        assert!(name("Smith, John").compatible(&name("Mr John Smith")));
        assert!(name("Zoë Brown").compatible(&name("Zoe Brown")));
        assert!(!name("John Smith").compatible(&name("Jane Smith")));
        assert!(!name("John Smith").compatible(&name("John Smyth")));
        assert!(!name("K. Smith").compatible(&name("John Smith")));
    }

    #[test]
    fn a_one_word_name_is_a_given_name_written_out() {
        assert!(name("Michael Young").has_given_name("Michael"));
        assert!(name("Mr Michael John Young").has_given_name(" john "));
        assert!(name("Zoë Brown").has_given_name("Zoe"));
        assert!(
            !name("Michael Young").has_given_name("Young"),
            "the family name"
        );
        assert!(!name("M. Young").has_given_name("M"), "an initial");
        assert!(!name("Michael Young").has_given_name("Jane"));
        assert!(!name("Michael Young").has_given_name("Mich"));
        assert!(!name("Michael Young").has_given_name(""));
    }
}
