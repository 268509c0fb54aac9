//! safety: threats of violence.

use super::*;

const KIND: SignalKind = SignalKind::Safety;

#[test]
fn fires_on_threats_of_violence() {
    must_fire(
        KIND,
        &[
            "I will hurt you.",
            "If this isn't sorted I'll come down there and smash the place up.",
            "I'm going to kill that officer who came round.",
            "You'll regret it when I get there.",
            "I know where you live.",
            "I know where your crew drink.",
            "I'll burn your station down.",
            "Someone should burn your station down.",
            "You'd better watch your back.",
            "Someone is going to get hurt.",
            "I'll find you.",
            "I've got a knife and I'm not afraid to use it.",
            "We are going to batter the lot of you.",
            "I’ll smash your windows in.",
        ],
    );
}

#[test]
fn fires_on_threats_in_other_languages() {
    must_fire(
        KIND,
        &[
            "Zabiję cię.",
            "Wiem, gdzie mieszkasz.",
            "Te voy a matar.",
            "Je vais te tuer.",
            "Ich bringe dich um.",
            "Vou te matar.",
            "Știu unde locuiești.",
            "Dw i'n mynd i dy ladd.",
        ],
    );
}

#[test]
fn does_not_fire_on_fire_service_vocabulary() {
    must_not_fire(
        KIND,
        &[
            "The smoke was killing us.",
            "The crew attacked the kitchen fire.",
            "My father had a heart attack.",
            "The extension lead was a fire hazard.",
            "The blast chiller tripped the fuse.",
            "One shot of the hose and it was out.",
            "The chip pan set fire to the kitchen.",
            "A candle can burn your house down in minutes.",
            "The fire burned the house down.",
        ],
    );
}

#[test]
fn does_not_fire_on_idioms() {
    must_not_fire(
        KIND,
        &[
            "I'll shoot you an email tomorrow.",
            "I'll hit you up next week.",
            "I'll find you the reference number.",
            "You're dead right about the alarm.",
            "You won't regret it, the visit was great.",
            "I'll get you the photos.",
            "I would kill for a reply at this point.",
        ],
    );
}

#[test]
fn does_not_fire_on_distress() {
    must_not_fire(
        KIND,
        &[
            "I am terrified.",
            "I can't cope.",
            "I'm at my wits' end.",
            "I am extremely disappointed and I want a full explanation.",
        ],
    );
}
