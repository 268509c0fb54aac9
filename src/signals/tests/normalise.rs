//! The plain and skeleton views.

use super::*;
use crate::signals::sentence_spans;

fn skeleton(text: &str) -> String {
    let whole = 0..text.len();
    View::skeleton(text, std::slice::from_ref(&whole)).text
}

fn plain(text: &str, seniors: &[&str]) -> String {
    let seniors: Vec<String> = seniors.iter().map(|s| (*s).to_owned()).collect();
    let whole = 0..text.len();
    View::plain(text, std::slice::from_ref(&whole), &seniors).text
}

#[test]
fn the_plain_view_is_lower_case_with_single_spaces_and_straight_quotes() {
    assert_eq!(plain("I’ll  CALL\tyou", &[]), "i'll call you");
}

#[test]
fn the_plain_view_replaces_senior_names_as_whole_words() {
    assert_eq!(
        plain("I want Dana  Chief now", &["dana chief"]),
        "i want \u{E000} now"
    );
    assert_eq!(plain("Danas Chiefly", &["dana chief"]), "danas chiefly");
    assert_eq!(
        plain("Dana Chief or Dana", &["Dana", "Dana Chief"]),
        "\u{E000} or \u{E000}"
    );
}

#[test]
fn the_skeleton_folds_look_alikes_and_reads_symbols_as_letters() {
    assert_eq!(skeleton("Ѕhіt"), "shit"); // Cyrillic Ѕ and і
    assert_eq!(skeleton("sh1t 5h!t $hit @ss"), "shit shit shit ass");
    assert_eq!(skeleton("Crème brûlée"), "creme brulee");
    assert_eq!(skeleton("Scheiße"), "scheisse");
}

#[test]
fn the_skeleton_keeps_numbers_that_are_not_inside_words() {
    assert_eq!(skeleton("call 999 at 5 now"), "call 999 at 5 now");
}

#[test]
fn the_skeleton_keeps_masks_and_drops_joiners_inside_words() {
    assert_eq!(skeleton("f*ck f**k sh-i-t f.u.c.k"), "f*ck f**k shit fuck");
    assert_eq!(skeleton("end. Then, more!"), "end then more");
}

#[test]
fn the_skeleton_joins_spelled_out_letters() {
    assert_eq!(skeleton("f u c k off"), "fuck off");
    assert_eq!(skeleton("a b then"), "a b then");
}

#[test]
fn views_map_back_to_the_text_as_written() {
    let text = "Oh. Y0u  m0r0n!";
    let spans = sentence_spans(text);
    let view = View::skeleton(text, &spans);
    assert_eq!(view.text, "oh\nyou moron");
    let at = view.text.find("you").expect("found");
    assert_eq!(view.sentence_at(at), Some(1));
    assert_eq!(
        &text[view.original_range(at..view.text.len())],
        "Y0u  m0r0n"
    );
}
