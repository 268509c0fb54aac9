//! The guard against every listed phrase, its obfuscations and neutral descriptions.

use super::*;

fn hit(text: &str) -> LabelError {
    match check_free_text("note", text) {
        Err(e) => e,
        Ok(()) => panic!("expected a label in {text:?}"),
    }
}

fn clean(text: &str) {
    if let Err(e) = check_free_text("note", text) {
        panic!("{text:?} was rejected: {e}");
    }
}

#[test]
fn every_pattern_compiles() {
    assert_eq!(PATTERNS.len(), LABELS.len());
}

#[test]
fn rejects_every_listed_phrase() {
    for text in [
        "He is vexatious.",
        "a persistent complainer",
        "persistent complainant again",
        "known persistent caller",
        "persistent customer",
        "a serial complainer",
        "resource-intensive customer",
        "resource intensive complainant",
        "resource-intensive caller",
        "abusive customer",
        "abusive caller",
        "abusive complainant",
        "nuisance caller",
        "nuisance customer",
        "a nuisance complainant",
        "she is a nuisance",
        "being a nuisance",
        "a troublemaker",
        "trouble-maker",
        "time-waster",
        "time waster",
        "timewaster",
        "querulous",
        "obsessive complainer",
        "difficult customer",
        "habitual complainer",
        "unreasonable complainant",
        "unreasonable customer",
    ] {
        hit(text);
    }
}

#[test]
fn reports_field_phrase_and_what_was_written() {
    let e = hit("Spoke to Mr Smith, a Persistent  Caller.");
    assert_eq!(e.field, "note");
    assert_eq!(e.phrase, "persistent caller");
    assert_eq!(e.found, "Persistent  Caller");
    let message = e.to_string();
    assert!(message.starts_with("note contains \"Persistent  Caller\""));
    assert!(message.contains("Describe the behaviour instead (for example: 'contacted 14 times in 7 days about the same topic'); Tidings never records labels about people."));
}

#[test]
fn sees_through_obfuscation() {
    for text in [
        "VEXATIOUS",
        "v-e-x-a-t-i-o-u-s",
        "v e x a t i o u s",
        "v.e.x.a.t.i.o.u.s",
        "v_e_x_a_t_i_o_u_s",
        "v - e - x - a - t - i - o - u - s",
        "vex@tious",
        "v3x4t10u5",
        "vexatiou$",
        "vex atious",
        "p3r5i5t3nt_c@ll3r",
        "persistent-complainer",
        "PersistentComplainer",
        "n u i s a n c e c a l l e r",
        "nuis4nce c4ller",
        "qu3ru|ous",
        "tr0ublem@ker",
        "d1ff1cult cust0mer",
        "<td>querulous</td>",
    ] {
        hit(text);
    }
}

#[test]
fn catches_longer_forms() {
    for text in [
        "acted vexatiously",
        "the vexatiousness of it",
        "nuisance callers",
        "persistent complainers",
        "persistent complaints",
        "troublemakers",
        "time-wasters",
        "difficult customers",
        "unreasonable complainants",
    ] {
        hit(text);
    }
    assert_eq!(hit("acted vexatiously").found, "vexatious");
}

#[test]
fn accepts_neutral_descriptions() {
    for text in [
        "contact volume above threshold",
        "contacted 14 times in 7 days about the same topic",
        "persistent fault on the line",
        "The fault was persistent. Caller said it started on Monday.",
        "fault persistent; customer informed",
        "the caller was distressed",
        "smoke nuisance from a garden bonfire",
        "reported a statutory nuisance to the council",
        "resource planning",
        "a resource-intensive task for the team",
        "the customer persistently asked for a call back",
        "difficult to reach the customer",
        "the complainant was unreasonably delayed by us",
        "abusive language in the second email",
        "the menu is ancestral",
        "serial number 4411 on the boiler",
        "complained about a difficult week",
        "",
    ] {
        clean(text);
    }
}

#[test]
fn long_matches_are_shortened() {
    let spaced = "v   -   e   -   x   -   a   -   t   -   i   -   o   -   u   -   s";
    let e = hit(spaced);
    assert!(e.found.chars().count() <= MAX_FOUND_CHARS + 1);
}

#[test]
fn mask_replaces_every_labelling_phrase_and_keeps_the_rest() {
    let masked = super::mask("Vexatious <b>Nuisance caller</b> & Co");
    assert_eq!(masked, "[…] <b>[…]</b> & Co");
    assert!(check_free_text("name", &masked).is_ok());
    assert_eq!(super::mask("Sam Example"), "Sam Example");
}

#[test]
fn mask_covers_the_whole_word_a_phrase_starts() {
    assert_eq!(super::mask("a persistent complainers' club"), "a […]' club");
}
