//! Loading lexicons: the shipped files, additions, and what a broken file is told.

use super::*;

#[test]
fn the_shipped_lexicons_compile() {
    let lexicon = Lexicon::from_files(BUILTIN_FILES).expect("the shipped lexicons compile");
    assert!(lexicon.len() > 60, "{} entries", lexicon.len());
    assert_eq!(Lexicon::builtin().len(), lexicon.len());
}

#[test]
fn every_demand_kind_ships_every_language() {
    let lexicon = Lexicon::builtin();
    for kind in [
        "senior-officer-request",
        "urgency-demand",
        "recording-mention",
    ] {
        for language in ["en", "cy", "pl", "ro", "pt", "es", "fr", "de"] {
            assert!(
                lexicon
                    .entries()
                    .any(|e| e.kind == kind && e.language == language),
                "{kind} has no {language} entry"
            );
        }
    }
}

#[test]
fn every_kind_has_entries() {
    let lexicon = Lexicon::builtin();
    for kind in KIND_NAMES {
        assert!(lexicon.entries().any(|e| e.kind == kind), "{kind} is empty");
    }
}

#[test]
fn additions_are_added_to_the_shipped_entries() {
    let extra = r#"
        senior_roles = ["station commander"]

        [[entry]]
        id = "local-senior"
        kind = "senior-officer-request"
        language = "en"
        pattern = "i want (the )?{senior} here"
    "#;
    let lexicon = Lexicon::with_extra(extra).expect("valid additions");
    assert_eq!(lexicon.len(), Lexicon::builtin().len() + 1);
    let signals = super::super::scan("I want the station commander here.", &lexicon, &[]);
    assert_eq!(signals.len(), 1);
    assert_eq!(signals[0].entry, "local-senior");
}

fn error_of(extra: &str) -> LexiconError {
    match Lexicon::with_extra(extra) {
        Err(e) => e,
        Ok(_) => panic!("{extra} should be rejected"),
    }
}

#[test]
fn an_unknown_kind_is_named_with_the_known_ones() {
    let e = error_of(
        "[[entry]]\nid = \"x\"\nkind = \"rudeness\"\nlanguage = \"en\"\npattern = \"a\"\n",
    );
    assert_eq!(
        e.to_string(),
        "lexicon lexicon additions, entry x: unknown kind \"rudeness\"; use one of \
         language-review, safety, senior-officer-request, urgency-demand, recording-mention, \
         support-consideration, communication-needs"
    );
}

#[test]
fn a_broken_pattern_names_the_entry_and_which_pattern() {
    let e = error_of(
        "[[entry]]\nid = \"x\"\nkind = \"safety\"\nlanguage = \"en\"\npattern = \"ok\"\nunless = \"(\"\n",
    );
    assert!(
        e.to_string()
            .starts_with("lexicon lexicon additions, entry x: the unless pattern is not a usable regular expression"),
        "{e}"
    );
    let e =
        error_of("[[entry]]\nid = \"x\"\nkind = \"safety\"\nlanguage = \"en\"\npattern = \" \"\n");
    assert!(
        e.to_string()
            .contains("the pattern pattern is not a usable regular expression (it is empty)"),
        "{e}"
    );
}

#[test]
fn a_reused_id_is_rejected() {
    let e = error_of(
        "[[entry]]\nid = \"en-safety-harm\"\nkind = \"safety\"\nlanguage = \"en\"\npattern = \"a\"\n",
    );
    assert_eq!(
        e,
        LexiconError::DuplicateId {
            file: "lexicon additions".to_owned(),
            id: "en-safety-harm".to_owned()
        }
    );
}

#[test]
fn unknown_fields_and_bad_toml_are_rejected() {
    let e = error_of("[[entry]]\nid = \"x\"\nkind = \"safety\"\nlanguage = \"en\"\npattern = \"a\"\nweight = 2\n");
    assert!(matches!(e, LexiconError::Format { .. }), "{e}");
    assert!(e.to_string().contains("unknown field `weight`"), "{e}");
    assert!(matches!(
        error_of("[[entry]\n"),
        LexiconError::Format { .. }
    ));
}
