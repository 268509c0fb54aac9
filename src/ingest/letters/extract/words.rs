//! Word lists that tell the lines of a letter apart: offices and roles, organisations,
//! address parts; and the test for a line that reads as a person's name.

use crate::domain::PersonName;

/// Words naming an office or role rather than a person (lower case).
pub const ROLE_WORDS: [&str; 24] = [
    "officer",
    "chief",
    "manager",
    "director",
    "head",
    "team",
    "service",
    "services",
    "department",
    "council",
    "customer",
    "complaints",
    "colleague",
    "colleagues",
    "commissioner",
    "chair",
    "secretary",
    "clerk",
    "coordinator",
    "lead",
    "station",
    "watch",
    "crew",
    "authority",
];

/// Words that mark an organisation's address block (lower case, compared whole-word).
pub const ORG_WORDS: [&str; 22] = [
    "fire",
    "rescue",
    "service",
    "services",
    "council",
    "borough",
    "authority",
    "department",
    "headquarters",
    "hq",
    "limited",
    "ltd",
    "plc",
    "police",
    "nhs",
    "trust",
    "officer",
    "team",
    "directorate",
    "centre",
    "office",
    "brigade",
];

/// Words that make a line part of a postal address, not a name (lower case).
pub const ADDRESS_WORDS: [&str; 40] = [
    "road",
    "rd",
    "street",
    "st",
    "lane",
    "ln",
    "avenue",
    "ave",
    "drive",
    "chase",
    "close",
    "way",
    "crescent",
    "place",
    "grove",
    "gardens",
    "terrace",
    "court",
    "square",
    "hill",
    "park",
    "view",
    "walk",
    "row",
    "mews",
    "flat",
    "apartment",
    "house",
    "cottage",
    "farm",
    "lodge",
    "green",
    "rise",
    "parade",
    "wharf",
    "quay",
    "building",
    "floor",
    "unit",
    "estate",
];

/// Words that never appear in a signature name (lower case).
const NOT_NAME_WORDS: [&str; 12] = [
    "yours",
    "sincerely",
    "faithfully",
    "regards",
    "dear",
    "enc",
    "encs",
    "cc",
    "ps",
    "tel",
    "email",
    "mobile",
];

/// Lower-case words of a line without punctuation around them.
pub fn words_of(line: &str) -> Vec<String> {
    line.split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether a line names an organisation ("Merseyside Fire & Rescue Service").
pub fn is_org_line(line: &str) -> bool {
    words_of(line)
        .iter()
        .any(|w| ORG_WORDS.contains(&w.as_str()))
}

/// Whether a line reads as part of an address ("14 Acacia Avenue", "Rose Cottage").
pub fn is_address_line(line: &str) -> bool {
    line.chars().any(|c| c.is_ascii_digit())
        || words_of(line)
            .iter()
            .any(|w| ADDRESS_WORDS.contains(&w.as_str()))
}

/// The line as a person's name, when it reads as one: two to five words (or a title and
/// one), each capitalised (particles excepted), no digits or symbols, no address,
/// organisation or closing words. A trailing bracketed title ("Ann Jones (Mrs)") is left off.
pub fn is_name_like(line: &str) -> Option<PersonName> {
    let text = match line.find('(') {
        Some(i) if line.trim_end().ends_with(')') => &line[..i],
        _ => line,
    };
    let text = text.trim().trim_end_matches([',', '.']).trim();
    if text.is_empty()
        || text
            .chars()
            .any(|c| c.is_ascii_digit() || "@:;/\\|~^*#=+_<>[]{}&%$£!?\"".contains(c))
    {
        return None;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    if !(1..=5).contains(&words.len()) {
        return None;
    }
    let lower = words_of(text);
    if lower.iter().any(|w| {
        NOT_NAME_WORDS.contains(&w.as_str())
            || ORG_WORDS.contains(&w.as_str())
            || ADDRESS_WORDS.contains(&w.as_str())
            || ROLE_WORDS.contains(&w.as_str())
    }) {
        return None;
    }
    let capitalised = words.iter().all(|w| {
        let bare = w.trim_start_matches(['\'', '‘']);
        bare.chars().next().is_some_and(char::is_uppercase)
            || [
                "van", "von", "der", "den", "de", "da", "di", "du", "le", "la", "bin", "al",
            ]
            .contains(&bare)
    });
    if !capitalised {
        return None;
    }
    let name = PersonName::parse(text).ok()?;
    let enough = words.len() >= 2 && (!name.given().is_empty() || name.title().is_some());
    enough.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_names() {
        for line in [
            "Ann Jones",
            "Mrs A. Okafor",
            "Dr Kwame Mensah",
            "Pieter van der Berg",
            "Zoë O'Brien",
        ] {
            assert!(is_name_like(line).is_some(), "{line:?}");
        }
    }

    #[test]
    fn other_lines_do_not() {
        for line in [
            "14 Acacia Avenue",
            "Rose Cottage",
            "Merseyside Fire Service",
            "Yours sincerely",
            "Liverpool",
            "Tel: 0151 496 0123",
            "thank you for your help",
            "Chief Fire Officer",
            "~~ ^^",
        ] {
            assert!(is_name_like(line).is_none(), "{line:?}");
        }
    }

    #[test]
    fn org_and_address_lines() {
        assert!(is_org_line("Merseyside Fire & Rescue Service"));
        assert!(!is_org_line("Ann Jones"));
        assert!(is_address_line("Flat 2"));
        assert!(is_address_line("Mill Lane"));
        assert!(!is_address_line("Wallasey"));
    }
}
