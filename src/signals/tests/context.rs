//! Context cues: support considerations and communication needs.

use super::*;

fn cues(text: &str) -> Vec<(ContextKind, String)> {
    context(text).into_iter().map(|c| (c.kind, c.cue)).collect()
}

fn has(kind: ContextKind, text: &str) -> bool {
    context(text).iter().any(|c| c.kind == kind)
}

#[test]
fn support_considerations_are_found() {
    for text in [
        "I'm a carer for my mum.",
        "Since my husband died the alarm has been beeping.",
        "I have MS.",
        "I'm disabled and can't get up the stairs.",
        "My anxiety is through the roof.",
        "I'm 89 and live alone.",
        "I can't cope.",
        "I am terrified.",
        "I'm at my wits' end.",
        "I’m f***ing terrified.",
    ] {
        assert!(has(ContextKind::SupportConsideration, text), "{text}");
    }
}

#[test]
fn everyday_words_are_not_support_considerations() {
    for text in [
        "I am extremely disappointed and I want a full explanation.",
        "The breakdown truck blocked the road.",
        "My mum said the crew were lovely.",
        "The smoke alarm needs a new battery.",
    ] {
        assert!(
            !has(ContextKind::SupportConsideration, text),
            "{text}: {:?}",
            cues(text)
        );
    }
}

#[test]
fn communication_requests_are_found() {
    for text in [
        "Please send it in large print.",
        "I will need an interpreter for the visit.",
        "Can I have an easy read version?",
        "I use BSL.",
        "I need British Sign Language at the meeting.",
        "Do you have it in braille?",
        "Sorry, my English is not good.",
        "Please write in Welsh.",
        "Atebwch yn Gymraeg os gwelwch yn dda.",
        "Potrzebuję tłumacza.",
    ] {
        assert!(has(ContextKind::CommunicationNeeds, text), "{text}");
    }
}

#[test]
fn a_message_in_another_language_is_detected_and_named() {
    let text = "Dzień dobry, piszę w sprawie czujnika dymu, który został zamontowany w moim \
                mieszkaniu w zeszłym miesiącu. Ciągle piszczy w nocy i nie wiem, co robić.";
    let found = context(text);
    let detected = found
        .iter()
        .find(|c| c.entry == DETECTED_LANGUAGE)
        .expect("a detected language");
    assert_eq!(detected.kind, ContextKind::CommunicationNeeds);
    assert_eq!(detected.cue, "Polish");
    assert_eq!(detected.language, "pol");
    assert!(
        detected.sentence.starts_with("Dzień dobry"),
        "{}",
        detected.sentence
    );
}

#[test]
fn a_welsh_paragraph_in_an_english_message_is_detected() {
    let text = "Hello, I am writing about the fire safety visit last week at our farm.\n\n\
                Bore da, rydw i'n ysgrifennu ynglŷn â'r ymweliad diogelwch tân yr wythnos \
                diwethaf. Diolch yn fawr iawn am eich help gyda'r larwm mwg yn y tŷ.";
    let names: Vec<String> = context(text)
        .into_iter()
        .filter(|c| c.entry == DETECTED_LANGUAGE)
        .map(|c| c.cue)
        .collect();
    assert_eq!(names, ["Welsh"]);
}

#[test]
fn english_and_short_messages_have_no_detected_language() {
    for text in [
        "I am writing again about the smoke alarm that the crew fitted last month. It keeps \
         chirping at night and nobody has called me back.",
        "Merci beaucoup.",
        "Danke!",
    ] {
        assert!(
            !context(text).iter().any(|c| c.entry == DETECTED_LANGUAGE),
            "{text}: {:?}",
            cues(text)
        );
    }
}

#[test]
fn cues_quote_their_sentence_and_ignore_quoted_text() {
    let found = context("Hello. I have MS and live alone.\n\nOn Mon, Jo wrote:\n> I use BSL.");
    assert_eq!(found.len(), 1, "one cue per kind and sentence: {found:?}");
    assert_eq!(found[0].sentence, "I have MS and live alone.");
    assert_eq!(found[0].entry, "en-support-condition");
}
