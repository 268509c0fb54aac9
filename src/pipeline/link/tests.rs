//! Linking rules, one channel at a time.

use super::*;
use crate::domain::{Details, Postcode, ThreadHints};

fn email_party(role: PartyRole, addr: &str) -> Party {
    Party::with(
        role,
        Identifier::Email(EmailAddress::parse(addr).expect("valid")),
    )
}

fn record(channel: Channel, direction: Direction, parties: Vec<Party>) -> ContactRecord {
    ContactRecord {
        channel,
        item_ref: "ref".into(),
        occurred_at: 0,
        direction,
        parties,
        subject: None,
        text: String::new(),
        thread: ThreadHints::default(),
        evidence: vec![],
        automated: false,
        details: Details::None,
    }
}

fn email(from: &str, to: &[&str], direction: Direction) -> ContactRecord {
    let mut parties = vec![email_party(PartyRole::From, from)];
    parties.extend(to.iter().map(|a| email_party(PartyRole::To, a)));
    record(Channel::Email, direction, parties)
}

fn phone(n: &str) -> Identifier {
    Identifier::Phone(PhoneNumber::parse(n, "GB").expect("valid"))
}

fn linker() -> Linker {
    Linker::new(&["fire.example".to_string()]).with_places(
        vec![EmailAddress::parse("enquiries@fire.example").expect("valid")],
        vec![PhoneNumber::parse("0151 496 0000", "GB").expect("valid")],
    )
}

#[test]
fn inbound_mail_links_the_sender_and_the_staff_reached() {
    let link = linker().link(&email(
        "Ann@Home.example",
        &["desk@fire.example", "other@else.example"],
        Direction::Inbound,
    ));
    assert_eq!(link.direction, Direction::Inbound);
    assert_eq!(
        link.customer.as_ref().map(|c| c.identifier.as_str()),
        Some("ann@home.example")
    );
    assert_eq!(link.staff.len(), 1);
    assert_eq!(link.staff[0].email, "desk@fire.example");
}

#[test]
fn shared_mailboxes_are_places_not_staff_members() {
    let link = linker().link(&email(
        "ann@home.example",
        &["enquiries@fire.example", "desk@fire.example"],
        Direction::Inbound,
    ));
    assert_eq!(
        link.staff.len(),
        1,
        "only the person is a staff member reached"
    );
    assert_eq!(link.staff[0].email, "desk@fire.example");
}

#[test]
fn staff_are_never_customers() {
    let link = linker().link(&email(
        "officer@mail.fire.example",
        &["desk@fire.example"],
        Direction::Inbound,
    ));
    assert_eq!(link.direction, Direction::Internal);
    assert!(link.customer.is_none());
    assert_eq!(link.staff.len(), 2);
}

#[test]
fn staff_replies_are_outbound_to_the_customer() {
    let link = linker().link(&email(
        "desk@fire.example",
        &["ann@home.example"],
        Direction::Outbound,
    ));
    assert_eq!(link.direction, Direction::Outbound);
    assert_eq!(link.counterpart.as_deref(), Some("ann@home.example"));
}

#[test]
fn lookalike_domains_are_not_staff() {
    assert!(!linker().is_staff(&EmailAddress::parse("x@notfire.example").expect("valid")));
    assert!(linker().is_staff(&EmailAddress::parse("x@a.fire.example").expect("valid")));
}

#[test]
fn an_inbound_call_links_the_caller_and_the_extension_that_answered() {
    let link = linker().link(&record(
        Channel::Call,
        Direction::Inbound,
        vec![
            Party::with(PartyRole::Caller, phone("0151 496 0123")),
            Party::with(PartyRole::Callee, Identifier::Extension("2001".into())),
        ],
    ));
    assert_eq!(link.direction, Direction::Inbound);
    assert_eq!(link.counterpart.as_deref(), Some("+441514960123"));
    assert_eq!(
        link.customer.as_ref().map(|c| c.identifier_kind.as_str()),
        Some("phone")
    );
    assert_eq!(link.staff[0].email, "extension:2001");
}

#[test]
fn an_outbound_call_links_the_number_called_and_own_numbers_are_never_customers() {
    let out = linker().link(&record(
        Channel::Call,
        Direction::Outbound,
        vec![
            Party::with(PartyRole::Caller, Identifier::Extension("2001".into())),
            Party::with(PartyRole::Callee, phone("07700 900123")),
        ],
    ));
    assert_eq!(out.counterpart.as_deref(), Some("+447700900123"));
    let own = linker().link(&record(
        Channel::Call,
        Direction::Inbound,
        vec![Party::with(PartyRole::Caller, phone("0151 496 0000"))],
    ));
    assert!(own.customer.is_none());
}

#[test]
fn a_withheld_caller_is_a_call_with_no_customer() {
    let link = linker().link(&record(
        Channel::Call,
        Direction::Inbound,
        vec![Party {
            role: PartyRole::Caller,
            name: Some("withheld".into()),
            identifiers: vec![],
        }],
    ));
    assert_eq!(link.direction, Direction::Inbound);
    assert!(link.customer.is_none());
    assert!(link.counterpart.is_none());
}

#[test]
fn internal_calls_have_no_customer() {
    let link = linker().link(&record(
        Channel::Call,
        Direction::Internal,
        vec![
            Party::with(PartyRole::Caller, Identifier::Extension("2001".into())),
            Party::with(PartyRole::Callee, Identifier::Extension("2002".into())),
        ],
    ));
    assert!(link.customer.is_none());
    assert_eq!(link.staff.len(), 2);
}

#[test]
fn a_letter_links_by_email_then_phone_then_name_and_postcode() {
    let pc = || Identifier::Postcode(Postcode::parse("L1 8JQ").expect("valid"));
    let sender = |ids: Vec<Identifier>| {
        record(
            Channel::Letter,
            Direction::Inbound,
            vec![Party {
                role: PartyRole::Sender,
                name: Some("Mrs Ann Jones".into()),
                identifiers: ids,
            }],
        )
    };
    let by_email = linker().link(&sender(vec![
        pc(),
        phone("0151 496 0123"),
        Identifier::Email(EmailAddress::parse("ann@home.example").expect("valid")),
    ]));
    assert_eq!(by_email.counterpart.as_deref(), Some("ann@home.example"));
    let by_phone = linker().link(&sender(vec![pc(), phone("0151 496 0123")]));
    assert_eq!(by_phone.counterpart.as_deref(), Some("+441514960123"));
    let by_name = linker().link(&sender(vec![pc()]));
    assert_eq!(by_name.counterpart.as_deref(), Some("L1 8JQ"));
    let c = by_name.customer.expect("linked");
    assert_eq!(c.identifier, "ann jones|L1 8JQ");
    let anonymous = linker().link(&record(
        Channel::Letter,
        Direction::Inbound,
        vec![Party::with(PartyRole::Sender, pc())],
    ));
    assert!(
        anonymous.customer.is_none(),
        "a postcode alone is not a person"
    );
}

#[test]
fn a_note_belongs_to_the_customer_it_names() {
    let link = linker().link(&record(
        Channel::Note,
        Direction::Internal,
        vec![
            Party::with(
                PartyRole::Subject,
                Identifier::CustomerKey("c-0123456789ab".into()),
            ),
            email_party(PartyRole::Author, "desk@fire.example"),
        ],
    ));
    let c = link.customer.expect("linked");
    assert_eq!(c.identifier_kind, KEY_KIND);
    assert_eq!(c.new_key, "c-0123456789ab");
    assert_eq!(link.staff[0].email, "desk@fire.example");
}

#[test]
fn customer_keys_are_deterministic() {
    assert_eq!(
        customer_key("email", "a@b.example"),
        customer_key("email", "a@b.example")
    );
    assert_ne!(
        customer_key("email", "a@b.example"),
        customer_key("email", "c@b.example")
    );
    assert_eq!(customer_key("email", "a@b.example").len(), 14);
}

#[test]
fn a_full_name_at_an_organisations_domain_is_evidence_and_at_a_mail_provider_is_not() {
    let named = |addr: &str, name: &str| {
        let mut from = email_party(PartyRole::From, addr);
        from.name = Some(name.to_string());
        let desk = email_party(PartyRole::To, "desk@fire.example");
        record(Channel::Email, Direction::Inbound, vec![from, desk])
    };
    let name_domain = |linker: &Linker, r: &ContactRecord| {
        let customer = linker.link(r).customer.expect("a customer");
        customer
            .also
            .into_iter()
            .find(|(kind, _)| kind == "name-domain")
            .map(|(_, value)| value)
    };
    let at = Some("patrick white|ferryview.example".to_string());
    let l = linker();
    assert_eq!(
        name_domain(&l, &named("info@ferryview.example", "Patrick White")),
        at,
        "the company mailbox, signed"
    );
    assert_eq!(
        name_domain(
            &l,
            &named("patrick.white@ferryview.example", "Mr Patrick White")
        ),
        at,
        "his own address there"
    );
    assert_eq!(
        name_domain(&l, &named("patrick.white@gmail.com", "Patrick White")),
        None,
        "a mail provider names no organisation"
    );
    assert_eq!(
        name_domain(&l, &named("p.white@ferryview.example", "P. White")),
        None,
        "an initial is not enough"
    );
    let configured = linker().with_webmail(&["FerryView.example".to_string()]);
    assert_eq!(
        name_domain(
            &configured,
            &named("info@ferryview.example", "Patrick White")
        ),
        None,
        "[organisation] webmail_domains decides which domains are providers"
    );
}
