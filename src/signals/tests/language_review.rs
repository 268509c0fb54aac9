//! language-review: swearing, insults and discriminatory terms aimed at staff.

use super::*;

const KIND: SignalKind = SignalKind::LanguageReview;

#[test]
fn fires_on_swearing_and_insults_aimed_at_staff() {
    must_fire(
        KIND,
        &[
            "You useless idiots left the gate open.",
            "your bloody crew took an hour",
            "This is absolute bullshit.",
            "Fuck off and leave me alone",
            "you are a bunch of clowns",
            "You are pathetic.",
            "you useless lot",
            "What a load of jobsworths you have at that station.",
            "The officer was a complete twat.",
            "Stop taking the piss.",
        ],
    );
}

#[test]
fn sees_through_obfuscation() {
    must_fire(
        KIND,
        &[
            "f*ck this",
            "f**k you",
            "sh1t service",
            "f u c k you all",
            "fuuuuck",
            "SHIIIIT",
            "f.u.c.k",
            "sh-i-t",
            "$hit",
            "b@stards",
            "fυck",      // Greek upsilon
            "fаck",      // Cyrillic а
            "shіt",      // Cyrillic і
            "y0u m0r0n", // digits for letters
            "you 1d10t", // 1 for i
            "b0ll0cks",
            "c u n t",
        ],
    );
}

#[test]
fn matches_whole_words_only() {
    must_not_fire(
        KIND,
        &[
            "We moved from Scunthorpe last year.",
            "Please assess the risk in the class room.",
            "I am reading Dickens in the cockpit.",
            "The assistant passed the glass.",
            "shitake mushrooms were on the hob",
            "He is a cocker spaniel breeder.",
            "Fire retardant foam was used.",
            "The ball was in the shuttlecock box.",
            "my penistone address",
            "****",
            "Dick Turpin Road",
        ],
    );
}

#[test]
fn does_not_fire_on_fire_service_vocabulary() {
    must_not_fire(
        KIND,
        &[
            "the smoke was killing us",
            "the crew attacked the kitchen fire",
            "my father had a heart attack",
            "it was a fire hazard",
            "the blast chiller caught fire",
            "a shot of the hose put it out",
            "he had a bloody nose from the fall",
            "the flood dyke by the river burst",
            "we had faggots and peas for dinner",
            "smoke came through a chink in the curtains",
            "the crew left the kitchen spic and span",
            "dejaron un cono de tráfico en la acera",
        ],
    );
}

#[test]
fn does_not_fire_on_strong_but_civil_complaint_or_distress() {
    must_not_fire(
        KIND,
        &[
            "I am extremely disappointed and I want a full explanation.",
            "Your service has been appalling and I feel let down.",
            "I felt like an idiot standing there in my dressing gown.",
            "I am terrified.",
            "I can't cope.",
            "I'm at my wits' end.",
        ],
    );
}

#[test]
fn swearing_about_ones_situation_is_distress_when_support_context_is_present() {
    must_not_fire(
        KIND,
        &[
            "I'm f***ing terrified.",
            "Since my husband died I have been struggling. The bloody fire took everything.",
            "I have MS and I live alone. It's been a shit week.",
        ],
    );
}

#[test]
fn swearing_aimed_at_staff_fires_even_with_support_context() {
    must_fire(
        KIND,
        &[
            "I'm terrified and your f***ing crew took an hour.",
            "Since my husband died you lot have done shit all.",
            "I can't cope. You useless idiots.",
        ],
    );
}

#[test]
fn swearing_without_support_context_fires() {
    must_fire(KIND, &["Bloody hell, what a night.", "It was a shit week."]);
}

#[test]
fn discriminatory_terms_fire_whatever_the_context() {
    must_fire(
        KIND,
        &[
            "I'm terrified, and that officer is a retard.",
            "The call handler was a p4ki",
            "go back to your own country",
        ],
    );
}

#[test]
fn other_languages_have_swearing_entries() {
    must_fire(
        KIND,
        &[
            "Kurwa, znowu to samo.",
            "Vous êtes des connards.",
            "Ihr Arschloch!",
            "Sois unos gilipollas.",
            "Filho da puta.",
        ],
    );
}

#[test]
fn reports_the_term_as_written_and_the_entry() {
    let signals = scan("Honestly.   Y0u  f*cking  m0r0n!", Lexicon::builtin(), &[]);
    let signal = signals
        .iter()
        .find(|s| s.kind == KIND)
        .expect("a language-review signal");
    assert_eq!(signal.sentence, "Y0u  f*cking  m0r0n!");
    assert_eq!(signal.term, "Y0u  f*cking  m0r0n");
    assert_eq!(signal.entry, "en-insult-you");
    assert_eq!(signal.language, "en");
}
