//! Name and role keys: the case-, spacing- and title-insensitive forms that directory lookups
//! compare, so "SMITH, Mrs Jane", "jane  smith" and "Dr. Jane Smith" are one key.

/// Courtesy titles and honorifics dropped from names before comparing.
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "rev",
    "revd",
    "cllr",
    "lord",
    "lady",
];

/// The words of a name, lower case, without titles or punctuation, in "first … surname"
/// order ("Surname, First" is turned round).
pub(crate) fn name_words(name: &str) -> Vec<String> {
    let ordered = match name.split_once(',') {
        Some((surname, rest)) => format!("{rest} {surname}"),
        None => name.to_string(),
    };
    ordered
        .split(|c: char| c.is_whitespace() || c == '.')
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '\'')
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty() && !TITLES.contains(&w.as_str()))
        .collect()
}

/// The keys a name is found by: every word in order, and first + last word when there are
/// middle names or initials ("Jane A. Smith" is also "jane smith").
pub(crate) fn name_keys(name: &str) -> Vec<String> {
    let words = name_words(name);
    let mut keys = Vec::with_capacity(2);
    if words.is_empty() {
        return keys;
    }
    keys.push(words.join(" "));
    if words.len() > 2 {
        keys.push(format!("{} {}", words[0], words[words.len() - 1]));
    }
    keys
}

/// A role compared case- and spacing-insensitively ("chief  fire officer").
pub(crate) fn role_key(role: &str) -> String {
    role.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surname_first_and_titles_give_the_same_key() {
        for written in [
            "Jane Smith",
            "Smith, Jane",
            "SMITH, Mrs Jane",
            "  jane   smith ",
            "Dr. Jane Smith",
            "Ms Jane Smith",
        ] {
            assert_eq!(
                name_keys(written),
                vec!["jane smith".to_string()],
                "{written}"
            );
        }
    }

    #[test]
    fn middle_names_also_match_first_and_last() {
        assert_eq!(
            name_keys("Jane A. Smith"),
            vec!["jane a smith".to_string(), "jane smith".to_string()]
        );
    }

    #[test]
    fn a_title_alone_is_no_name() {
        assert!(name_keys("Mr").is_empty());
        assert!(name_keys("  ").is_empty());
    }

    #[test]
    fn roles_ignore_case_and_spacing() {
        assert_eq!(role_key("  Chief  FIRE officer "), "chief fire officer");
    }
}
