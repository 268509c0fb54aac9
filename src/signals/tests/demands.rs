//! The demand kinds — senior-officer-request, urgency-demand, recording-mention — in every
//! shipped language.

use super::*;

#[test]
fn senior_officer_requests_fire() {
    must_fire(
        SignalKind::SeniorOfficerRequest,
        &[
            "I demand the Chief Fire Officer deals with this personally.",
            "I want to speak to the Chief Fire Officer and nobody else.",
            "Get me your director.",
            "Put me through to the chief executive.",
            "I expect the director to reply.",
            "I will only deal with someone senior.",
            "Only the Chief Fire Officer can answer this.",
            // Welsh, Polish, Romanian, Portuguese, Spanish, French, German
            "Dw i eisiau siarad â'r Prif Swyddog Tân.",
            "Chcę rozmawiać z komendantem.",
            "Żądam, aby dyrektor osobiście się tym zajął.",
            "Vreau să vorbesc cu directorul.",
            "Quero falar com o comandante.",
            "Exijo que o diretor trate disto pessoalmente.",
            "Quiero hablar con el director.",
            "Je veux parler au directeur.",
            "J'exige que le directeur s'en occupe personnellement.",
            "Ich will mit dem Direktor sprechen.",
            "Ich verlange, dass der Leiter sich persönlich darum kümmert.",
        ],
    );
}

#[test]
fn a_senior_named_by_the_caller_is_a_senior_officer() {
    let text = "I want Dana Chief to reply personally.";
    assert!(kinds_with(text, &["Dana Chief"]).contains(&SignalKind::SeniorOfficerRequest));
    assert!(!kinds_with(text, &["Sam Other"]).contains(&SignalKind::SeniorOfficerRequest));
    assert!(kinds_with(
        "I insist that DANA  CHIEF deals with this herself.",
        &["Dana Chief"]
    )
    .contains(&SignalKind::SeniorOfficerRequest));
    let signal = scan(text, Lexicon::builtin(), &["Dana Chief".to_owned()]);
    assert_eq!(signal[0].term, "I want Dana Chief to reply personally");
}

#[test]
fn salutations_thanks_and_mentions_of_seniors_do_not_fire() {
    must_not_fire(
        SignalKind::SeniorOfficerRequest,
        &[
            "Dear Chief Fire Officer,",
            "Please pass my thanks to the Chief Fire Officer.",
            "I saw the director on the news.",
            "I want to thank the director for the open day.",
            "I would like to speak to someone about a home safety check.",
            "The chief executive wrote to me last year.",
            "Diolch i'r Prif Swyddog Tân.",
            "Proszę przekazać podziękowania komendantowi.",
        ],
    );
    let seniors = ["Dana Chief"];
    assert!(kinds_with("Dana Chief came to our school.", &seniors).is_empty());
    assert!(kinds_with("Please thank Dana Chief personally.", &seniors).is_empty());
}

#[test]
fn urgency_demands_fire() {
    must_fire(
        SignalKind::UrgencyDemand,
        &[
            "Reply within the hour.",
            "I expect a response by 5pm today.",
            "You have 24 hours.",
            "Fix it immediately or else.",
            "I want an answer today.",
            "I need this sorted by close of business.",
            "Mae gennych 24 awr.",
            "Oczekuję odpowiedzi do godziny 17 dzisiaj.",
            "Aveți 24 de ore.",
            "Você tem 24 horas.",
            "Tiene 24 horas.",
            "Vous avez 24 heures.",
            "Sie haben 24 Stunden.",
            "Ich erwarte eine Antwort bis 17 Uhr.",
        ],
    );
}

#[test]
fn polite_or_unhurried_requests_are_not_urgency_demands() {
    must_not_fire(
        SignalKind::UrgencyDemand,
        &[
            "No rush, reply within the hour if you happen to be free.",
            "Not urgent, but could you call me back?",
            "Whenever you can, please send the leaflet.",
            "Please reply within 10 working days as your policy says.",
            "The crew arrived by 5pm.",
            "I was on hold for an hour.",
            "Could someone call me back today if possible?",
            "Nie ma pośpiechu, proszę odpisać w ciągu godziny.",
            "Sin prisa, tiene 24 horas.",
            "Keine Eile, Sie haben 24 Stunden.",
        ],
    );
}

#[test]
fn recording_mentions_fire() {
    must_fire(
        SignalKind::RecordingMention,
        &[
            "I am recording this call.",
            "I have recorded our conversation.",
            "I will be recording the meeting.",
            "I'm going to record every call from now on.",
            "I've got it all on tape.",
            "Rwy'n recordio'r alwad hon.",
            "Nagrywam tę rozmowę.",
            "Înregistrez convorbirea.",
            "Estou a gravar esta chamada.",
            "Estoy grabando esta llamada.",
            "J'enregistre cet appel.",
            "Ich nehme dieses Gespräch auf.",
        ],
    );
}

#[test]
fn questions_about_the_services_recordings_do_not_fire() {
    must_not_fire(
        SignalKind::RecordingMention,
        &[
            "Is this call being recorded?",
            "Are you recording this call?",
            "I would like a copy of the recording of my 999 call.",
            "I filmed the fire on my phone.",
            "I recorded the damage in photos for the insurer.",
            "I am recording the meter readings every day.",
            "J'ai enregistré ma demande en ligne.",
        ],
    );
}
