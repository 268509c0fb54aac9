//! own_words: only what the customer wrote in this item.

use super::*;

#[test]
fn keeps_a_plain_message_as_written() {
    assert_eq!(
        own_words("Hello,\r\nthe alarm is beeping.\r\n"),
        "Hello,\nthe alarm is beeping."
    );
}

#[test]
fn drops_quoted_lines() {
    assert_eq!(
        own_words("I disagree.\n> You said it was fixed.\n>> Earlier text\nPlease call."),
        "I disagree.\nPlease call."
    );
}

#[test]
fn drops_an_attribution_and_everything_after_it() {
    let text = "Thanks.\n\nOn Mon, 3 Jun 2024 at 10:15, Jo Bloggs <jo@fire.example> wrote:\n\
                Unquoted reply text from staff.\n";
    assert_eq!(own_words(text), "Thanks.");
    let split = "Thanks.\nOn Mon, 3 Jun 2024 at 10:15, Jo Bloggs\n<jo@fire.example> wrote:\nstaff";
    assert_eq!(own_words(split), "Thanks.");
    assert_eq!(
        own_words("Merci.\nLe lun. 3 juin 2024, Jo a écrit :\ntexte"),
        "Merci."
    );
    assert_eq!(
        own_words("Danke.\nAm 03.06.2024 schrieb Jo:\nText"),
        "Danke."
    );
}

#[test]
fn a_sentence_starting_with_on_is_not_an_attribution() {
    let text = "On Monday the crew came.\nThey wrote: nothing.";
    assert_eq!(own_words(text), text);
}

#[test]
fn drops_an_original_message_block() {
    assert_eq!(
        own_words("See below.\n-----Original Message-----\nFrom: staff\nSubject: x"),
        "See below."
    );
}

#[test]
fn drops_an_outlook_header_block() {
    let text = "Not good enough.\n\nFrom: Fire Safety <safety@fire.example>\n\
                Sent: 03 June 2024 10:15\nTo: Mary\nSubject: RE: alarm\n\nDear Mary";
    assert_eq!(own_words(text), "Not good enough.");
    let ruled = "Noted.\n________________________________\nFrom: Fire Safety\nSent: today";
    assert_eq!(own_words(ruled), "Noted.");
}

#[test]
fn a_from_line_without_a_header_block_is_kept() {
    let text = "From: the house next door, smoke again.\nPlease come.";
    assert_eq!(own_words(text), text);
}

#[test]
fn drops_a_forwarded_message() {
    let text = "FYI\n\n---------- Forwarded message ---------\nFrom: x\nDate: y\nhello";
    assert_eq!(own_words(text), "FYI");
    assert_eq!(own_words("FYI\nBegin forwarded message:\n\nFrom: x"), "FYI");
}

#[test]
fn drops_a_signature_after_the_separator() {
    assert_eq!(
        own_words("Please call.\n-- \nMary Jones\n07700 900123"),
        "Please call."
    );
    assert_eq!(own_words("Please call.\n--\nMary Jones"), "Please call.");
}

#[test]
fn drops_a_closing_valediction_and_the_short_lines_after_it() {
    let text = "Please call me.\n\nKind regards,\nMary Jones\n12 High Street\n07700 900123";
    assert_eq!(own_words(text), "Please call me.");
    assert_eq!(
        own_words("Please call me.\nThanks, Mary"),
        "Please call me."
    );
    assert_eq!(
        own_words("Please call me.\nYours sincerely\n\nMary Jones"),
        "Please call me."
    );
    assert_eq!(own_words("Diolch.\nCofion,\nSiân"), "Diolch.");
}

#[test]
fn a_valediction_word_starting_a_sentence_is_kept() {
    let text = "Thanks for nothing.\nI will complain again.";
    assert_eq!(own_words(text), text);
    let long = "Regards\nline one\nline two\nline three\nline four\nline five";
    assert_eq!(
        own_words(long),
        long,
        "more than four lines follow: not a sign-off"
    );
}

#[test]
fn drops_disclaimers_and_device_lines() {
    let text = "Call me.\nSent from my iPhone\n\nThis email and any attachments are confidential.";
    assert_eq!(own_words(text), "Call me.");
    let text = "Call me.\n\nIf you are not the intended recipient please delete it.";
    assert_eq!(own_words(text), "Call me.");
}

#[test]
fn a_customer_writing_about_this_email_is_kept() {
    let text = "This email is to complain about the visit.";
    assert_eq!(own_words(text), text);
}
