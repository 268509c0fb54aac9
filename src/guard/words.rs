//! The labelling phrases the guard rejects: the only list of them in the codebase.

/// Labelling phrases: (the phrase as shown in errors, the pattern matched).
///
/// A pattern is plain letters, with `(a|b)` alternatives; spaces are for reading only, since
/// any single gap (or none) is allowed between letters. A pattern matches at the start of a
/// word and may be followed by more letters, so "complain" also covers "complainer",
/// "complainant" and "complaints".
pub(super) const LABELS: &[(&str, &str)] = &[
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
