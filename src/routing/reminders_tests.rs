//! When reminders are due, as examples.

use super::*;

fn addr(a: &str) -> EmailAddress {
    EmailAddress::parse(a).expect("address")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn marks() -> OwnMarks {
    OwnMarks {
        message_id_domain: "fire.example".to_owned(),
        x_loop: "tidings@fire.example".to_owned(),
    }
}

fn arrangement(kind: ArrangementKind) -> Arrangement {
    Arrangement {
        id: 5,
        customer_id: 1,
        customer_key: "c-0123456789ab".to_owned(),
        kind,
        nominated: Some(addr("jane.smith@fire.example")),
        deputy: None,
        frequency_days: (kind == ArrangementKind::ProactiveContact).then_some(14),
        service_areas: Vec::new(),
        decided_on: day(2026, 11, 1),
        attendees: vec![addr("priya.shah@fire.example")],
        authorised_by: addr("priya.shah@fire.example"),
        reasons: "Fourteen emails in a week about one hydrant".to_owned(),
        told_on: day(2026, 11, 2),
        review_on: day(2027, 2, 1),
        created_at: 0,
        ended_at: None,
        ended_reason: None,
    }
}

#[test]
fn the_nominated_person_is_reminded_in_the_fortnight_before_a_review() {
    let a = arrangement(ArrangementKind::SinglePointOfContact);
    assert_eq!(review_reminder(&a, day(2027, 1, 17), 14, &marks()), None);
    let m = review_reminder(&a, day(2027, 1, 18), 14, &marks()).expect("due");
    assert_eq!(m.recipients, "jane.smith@fire.example");
    assert_eq!(m.message_id, "review-5-20270201@fire.example");
    assert!(m.subject.contains("1 February 2027"), "{}", m.subject);
    assert!(!m.body_text.contains(&a.reasons));
}

#[test]
fn a_lapsed_arrangement_is_reported_to_the_nominated_person_and_the_director() {
    let a = arrangement(ArrangementKind::SinglePointOfContact);
    let m = review_reminder(&a, day(2027, 2, 2), 14, &marks()).expect("lapsed");
    assert_eq!(
        m.recipients,
        "jane.smith@fire.example, priya.shah@fire.example"
    );
    assert!(m.message_id.starts_with("lapsed-5-"));
    let mut ended = a;
    ended.ended_at = Some(1);
    assert_eq!(review_reminder(&ended, day(2027, 2, 2), 14, &marks()), None);
}

#[test]
fn proactive_contact_is_due_its_frequency_after_the_last_contact() {
    let a = arrangement(ArrangementKind::ProactiveContact);
    assert_eq!(
        proactive_reminder(&a, day(2026, 11, 14), None, &marks()),
        None
    );
    let m = proactive_reminder(&a, day(2026, 11, 15), None, &marks()).expect("due");
    assert_eq!(m.message_id, "proactive-5-20261115@fire.example");
    assert_eq!(
        proactive_reminder(&a, day(2026, 11, 20), Some(day(2026, 11, 10)), &marks()),
        None
    );
    let single = arrangement(ArrangementKind::SinglePointOfContact);
    assert_eq!(
        proactive_reminder(&single, day(2026, 12, 30), None, &marks()),
        None
    );
}

#[test]
fn senior_managers_get_one_roll_up_a_quarter_listing_what_is_in_force() {
    let a = arrangement(ArrangementKind::SinglePointOfContact);
    let seniors = [addr("alex.morgan@fire.example")];
    let out = quarterly_rollup(
        std::slice::from_ref(&a),
        day(2026, 12, 1),
        &seniors,
        &marks(),
    );
    assert_eq!(out.len(), 1);
    assert!(out[0].message_id.starts_with("rollup-2026q4-"));
    assert!(out[0].body_text.contains("#5 single-point-of-contact"));
    assert!(quarterly_rollup(&[], day(2026, 12, 1), &seniors, &marks()).is_empty());
    let next = quarterly_rollup(&[a], day(2027, 1, 5), &seniors, &marks());
    assert!(next[0].message_id.starts_with("rollup-2027q1-"));
}

#[test]
fn no_reminder_labels_anyone() {
    let mut messages = Vec::new();
    for kind in [
        ArrangementKind::SinglePointOfContact,
        ArrangementKind::ProactiveContact,
    ] {
        let a = arrangement(kind);
        messages.extend(review_reminder(&a, day(2027, 1, 20), 14, &marks()));
        messages.extend(review_reminder(&a, day(2027, 2, 5), 14, &marks()));
        messages.extend(proactive_reminder(&a, day(2026, 12, 1), None, &marks()));
        messages.extend(quarterly_rollup(
            &[a],
            day(2026, 12, 1),
            &[addr("alex.morgan@fire.example")],
            &marks(),
        ));
    }
    assert_eq!(messages.len(), 7);
    for m in messages {
        assert!(
            crate::guard::check_free_text("reminder", &m.body_text).is_ok(),
            "{}",
            m.body_text
        );
        assert!(
            crate::guard::check_free_text("reminder", &m.subject).is_ok(),
            "{}",
            m.subject
        );
    }
}
