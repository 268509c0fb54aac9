//! The routing rules, as examples: one message, one arrangement, one outcome.

use super::*;

fn addr(a: &str) -> EmailAddress {
    EmailAddress::parse(a).expect("address")
}

fn facts() -> MessageFacts {
    MessageFacts {
        from: Some(addr("ann@home.example")),
        from_name: Some("Ann".to_owned()),
        subject: Some("Hydrant".to_owned()),
        text: "Please look at the hydrant.".to_owned(),
        machine: None,
        own_mail: false,
    }
}

fn arrangement(kind: ArrangementKind) -> Arrangement {
    Arrangement {
        id: 7,
        customer_id: 1,
        customer_key: "c-1".to_owned(),
        kind,
        nominated: kind
            .needs_nominated()
            .then(|| addr("jane.smith@fire.example")),
        deputy: kind.needs_nominated().then(|| addr("sam.lee@fire.example")),
        frequency_days: None,
        service_areas: Vec::new(),
        decided_on: NaiveDate::from_ymd_opt(2026, 11, 20).expect("date"),
        attendees: vec![addr("priya.shah@fire.example")],
        authorised_by: addr("priya.shah@fire.example"),
        reasons: "Fourteen emails in a week about one hydrant".to_owned(),
        told_on: NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"),
        review_on: NaiveDate::from_ymd_opt(2027, 2, 20).expect("date"),
        created_at: 1_000,
        ended_at: None,
        ended_reason: None,
    }
}

fn policy() -> Policy {
    Policy {
        enabled: true,
        max_forwards_per_hour: 20,
        max_age_secs: 72 * 3600,
        complaints_mailbox: Some(addr("complaints@fire.example")),
        safety_contacts: vec![addr("safety@fire.example")],
    }
}

fn situation<'a>(facts: &'a MessageFacts, arrangements: &'a [&'a Arrangement]) -> Situation<'a> {
    Situation {
        facts,
        from_staff: false,
        has_customer: true,
        arrangements,
        absent: &[],
        forwards_last_hour: 0,
        complaint: false,
        safety: false,
        stored_at: 2_000,
        occurred_at: 2_000,
        now: 2_100,
    }
}

#[test]
fn mail_from_a_customer_with_a_single_point_of_contact_goes_to_the_nominated_person() {
    let a = arrangement(ArrangementKind::SinglePointOfContact);
    let arr = [&a];
    let f = facts();
    let d = decide(&situation(&f, &arr), &policy());
    assert_eq!(d.outcome, Outcome::Routed);
    assert_eq!(d.reason, Reason::Nominated);
    assert_eq!(d.forward_to, Some(addr("jane.smith@fire.example")));
    assert_eq!(d.arrangement_id, Some(7));
    assert!(d.copies.is_empty());
}

#[test]
fn while_the_nominated_person_is_absent_the_deputy_receives_it() {
    let a = arrangement(ArrangementKind::SinglePointOfContact);
    let arr = [&a];
    let f = facts();
    let absent = [addr("jane.smith@fire.example")];
    let mut s = situation(&f, &arr);
    s.absent = &absent;
    let d = decide(&s, &policy());
    assert_eq!(d.reason, Reason::DeputyWhileAbsent);
    assert_eq!(d.forward_to, Some(addr("sam.lee@fire.example")));
    let both = [
        addr("jane.smith@fire.example"),
        addr("sam.lee@fire.example"),
    ];
    s.absent = &both;
    assert_eq!(
        decide(&s, &policy()).forward_to,
        Some(addr("jane.smith@fire.example"))
    );
}

#[test]
fn a_complaint_is_copied_to_the_complaints_mailbox_also_under_contact_suspended() {
    let f = facts();
    for kind in [
        ArrangementKind::SinglePointOfContact,
        ArrangementKind::ContactSuspended,
    ] {
        let a = arrangement(kind);
        let arr = [&a];
        let mut s = situation(&f, &arr);
        s.complaint = true;
        let d = decide(&s, &policy());
        assert_eq!(
            d.copies,
            vec![(CopyKind::Complaint, vec![addr("complaints@fire.example")])]
        );
        if kind == ArrangementKind::ContactSuspended {
            assert_eq!((d.outcome, d.reason), (Outcome::Copied, Reason::CopyOnly));
            assert_eq!(d.forward_to, None);
        } else {
            assert_eq!(d.outcome, Outcome::Routed);
        }
    }
}

#[test]
fn a_safety_signal_goes_to_the_safety_contacts_even_over_the_rate_limit() {
    let a = arrangement(ArrangementKind::SinglePointOfContact);
    let arr = [&a];
    let f = facts();
    let mut s = situation(&f, &arr);
    s.safety = true;
    s.complaint = true;
    s.forwards_last_hour = 20;
    let d = decide(&s, &policy());
    assert_eq!((d.outcome, d.reason), (Outcome::Copied, Reason::RateLimit));
    assert_eq!(d.forward_to, None);
    assert_eq!(
        d.copies,
        vec![(CopyKind::Safety, vec![addr("safety@fire.example")])]
    );
}

#[test]
fn past_the_hourly_limit_nothing_is_forwarded() {
    let a = arrangement(ArrangementKind::SinglePointOfContact);
    let arr = [&a];
    let f = facts();
    let mut s = situation(&f, &arr);
    s.forwards_last_hour = 19;
    assert_eq!(decide(&s, &policy()).outcome, Outcome::Routed);
    s.forwards_last_hour = 20;
    let d = decide(&s, &policy());
    assert_eq!(
        (d.outcome, d.reason),
        (Outcome::NotRouted, Reason::RateLimit)
    );
}

#[test]
fn machine_mail_own_mail_and_staff_mail_are_never_routed() {
    let a = arrangement(ArrangementKind::SinglePointOfContact);
    let arr = [&a];
    for (machine, reason) in [
        (MachineMail::AutoReply, Reason::AutoReply),
        (MachineMail::BounceOrReport, Reason::BounceOrReport),
        (MachineMail::EmptyReturnPath, Reason::EmptyReturnPath),
        (MachineMail::MailingList, Reason::MailingList),
    ] {
        let mut f = facts();
        f.machine = Some(machine);
        let mut s = situation(&f, &arr);
        s.safety = true;
        s.complaint = true;
        let d = decide(&s, &policy());
        assert_eq!((d.outcome, d.reason), (Outcome::NotRouted, reason));
        assert!(d.recipients().is_empty());
    }
    let mut f = facts();
    f.own_mail = true;
    assert_eq!(
        decide(&situation(&f, &arr), &policy()).reason,
        Reason::OwnMail
    );
    let f = facts();
    let mut s = situation(&f, &arr);
    s.from_staff = true;
    assert_eq!(decide(&s, &policy()).reason, Reason::FromStaff);
}

#[test]
fn without_an_arrangement_in_force_nothing_is_routed() {
    let f = facts();
    let d = decide(&situation(&f, &[]), &policy());
    assert_eq!(
        (d.outcome, d.reason),
        (Outcome::NotRouted, Reason::NoArrangement)
    );
    let mut s = situation(&f, &[]);
    s.has_customer = false;
    assert_eq!(decide(&s, &policy()).reason, Reason::NoCustomer);
}

#[test]
fn old_mail_and_mail_stored_before_the_arrangement_are_not_forwarded() {
    let a = arrangement(ArrangementKind::SinglePointOfContact);
    let arr = [&a];
    let f = facts();
    let mut s = situation(&f, &arr);
    s.occurred_at = s.now - 73 * 3600;
    assert_eq!(decide(&s, &policy()).reason, Reason::TooOld);
    let mut s = situation(&f, &arr);
    s.stored_at = 999;
    assert_eq!(decide(&s, &policy()).reason, Reason::BeforeArrangement);
}

#[test]
fn a_kind_that_does_not_forward_records_why_and_disabled_routing_does_nothing() {
    let a = arrangement(ArrangementKind::WrittenContactOnly);
    let arr = [&a];
    let f = facts();
    let d = decide(&situation(&f, &arr), &policy());
    assert_eq!(
        (d.outcome, d.reason),
        (Outcome::NotRouted, Reason::NotForwardingKind)
    );
    let spoc = arrangement(ArrangementKind::SinglePointOfContact);
    let spoc = [&spoc];
    let off = Policy {
        enabled: false,
        ..policy()
    };
    assert_eq!(decide(&situation(&f, &spoc), &off).reason, Reason::Disabled);
}
