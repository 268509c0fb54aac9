//! What an email's text says about who it is really from, for the traps of shared mailboxes:
//! web forms relayed from the organisation's own address (the customer is in `Reply-To` and in
//! the form's fields), staff forwarding a customer's mail (the customer is the original
//! sender), senders that are machines (`noreply@`, `mailer-daemon@`), and the phone numbers and
//! postcode in a customer's signature, which link their calls and letters. Pure text work.

use crate::domain::{EmailAddress, Identifier, Party, PartyRole, PhoneNumber, Postcode};
use crate::ingest::letters::extract::{emails, find_postcodes, phones};

/// Local parts of addresses that are machines, not people.
const MACHINE_LOCAL_PARTS: &[&str] = &[
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "do_not_reply",
    "mailer-daemon",
    "postmaster",
    "bounce",
    "bounces",
    "notifications",
    "notification",
    "newsletter",
    "news",
    "alerts",
    "automailer",
];

/// True when the address belongs to a machine (no person reads or writes it).
pub fn is_machine_address(address: &EmailAddress) -> bool {
    let local = address.as_str().split('@').next().unwrap_or_default();
    MACHINE_LOCAL_PARTS.contains(&local)
        || local.starts_with("noreply")
        || local.starts_with("no-reply")
        || local.starts_with("bounce")
}

/// Lines in the text's last part that belong to a signature: after a `-- ` line or a
/// valediction, at most the last 12 lines.
fn signature(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let own: &[&str] = match lines.iter().position(|l| is_quote_start(l)) {
        Some(at) => &lines[..at],
        None => &lines,
    };
    let start = own
        .iter()
        .rposition(|l| *l == "--" || is_valediction(l))
        .unwrap_or(own.len().saturating_sub(6));
    own[start..].iter().rev().take(12).rev().copied().collect()
}

fn is_valediction(line: &str) -> bool {
    let l = line.to_lowercase();
    [
        "kind regards",
        "regards",
        "best regards",
        "many thanks",
        "thanks",
        "thank you",
        "yours sincerely",
        "yours faithfully",
        "best wishes",
        "cheers",
    ]
    .iter()
    .any(|v| l.trim_end_matches([',', '.', '!']) == *v)
}

/// Where quoted or forwarded text begins.
fn is_quote_start(line: &str) -> bool {
    line.starts_with('>')
        || line.starts_with("-----Original Message")
        || line.contains("Forwarded message")
        || line.starts_with("Begin forwarded message")
        || (line.starts_with("On ") && line.ends_with("wrote:"))
}

/// Phone numbers and a postcode from the sender's own signature.
pub fn signature_identifiers(text: &str, region: &str) -> Vec<Identifier> {
    let lines = signature(text);
    let digits: usize = lines
        .iter()
        .map(|l| l.bytes().filter(u8::is_ascii_digit).count())
        .sum();
    if digits == 0 {
        return Vec::new(); // no number and no postcode: most signatures, at no cost
    }
    let block = lines.join("\n");
    let mut ids: Vec<Identifier> = phones(&block, region)
        .into_iter()
        .map(Identifier::Phone)
        .collect();
    if let Some(found) = lines
        .iter()
        .rev()
        .find_map(|l| find_postcodes(l).into_iter().next())
    {
        ids.push(Identifier::Postcode(found.postcode));
    }
    ids
}

/// The value after `label:` on a line, when the label is one of `labels` (case-insensitive).
fn field<'a>(line: &'a str, labels: &[&str]) -> Option<&'a str> {
    let (label, value) = line.split_once(':')?;
    let label = label.trim().to_lowercase();
    let value = value.trim();
    (labels.contains(&label.as_str()) && !value.is_empty()).then_some(value)
}

/// The person a web form's fields describe (`Name:`, `Email:`, `Phone:`, `Postcode:` …), when
/// the fields give at least one way to reach them.
pub fn form_fields(text: &str, region: &str) -> Option<Party> {
    let mut party = Party {
        role: PartyRole::From,
        name: None,
        identifiers: Vec::new(),
    };
    for line in text.lines().map(str::trim) {
        if let Some(v) = field(line, &["name", "full name", "your name", "contact name"]) {
            party.name.get_or_insert_with(|| v.to_string());
        } else if let Some(v) = field(
            line,
            &[
                "email",
                "e-mail",
                "email address",
                "e-mail address",
                "your email",
            ],
        ) {
            if let Ok(e) = EmailAddress::parse(v) {
                party.identifiers.push(Identifier::Email(e));
            }
        } else if let Some(v) = field(
            line,
            &[
                "phone",
                "telephone",
                "tel",
                "mobile",
                "phone number",
                "telephone number",
                "contact number",
            ],
        ) {
            if let Ok(p) = PhoneNumber::parse(v, region) {
                party.identifiers.push(Identifier::Phone(p));
            }
        } else if let Some(v) = field(line, &["postcode", "post code", "postal code"]) {
            if let Ok(p) = Postcode::parse(v) {
                party.identifiers.push(Identifier::Postcode(p));
            }
        } else if let Some(v) = field(line, &["address"]) {
            party
                .identifiers
                .push(Identifier::Address(vec![v.to_string()]));
        }
    }
    let reachable = party
        .identifiers
        .iter()
        .any(|i| matches!(i, Identifier::Email(_) | Identifier::Phone(_)))
        || (party.name.is_some() && party.postcode().is_some());
    reachable.then_some(party)
}

/// The original sender of a message forwarded inline (`---------- Forwarded message ---------`,
/// `-----Original Message-----`, `Begin forwarded message:`): the first `From:` line after
/// the marker, as `Name <address>` or a bare address.
pub fn forwarded_sender(text: &str) -> Option<Party> {
    let mut after_marker = false;
    for line in text.lines().map(str::trim) {
        if line.contains("Forwarded message")
            || line.starts_with("-----Original Message")
            || line.starts_with("Begin forwarded message")
        {
            after_marker = true;
            continue;
        }
        if !after_marker {
            continue;
        }
        if let Some(value) = field(line, &["from"]) {
            let address = emails(value).into_iter().next()?;
            let name = value
                .split('<')
                .next()
                .map(|n| n.trim().trim_matches('"').trim())
                .filter(|n| !n.is_empty() && !n.contains('@'))
                .map(str::to_string);
            return Some(Party {
                role: PartyRole::From,
                name,
                identifiers: vec![Identifier::Email(address)],
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machines_are_recognised_by_their_address() {
        for a in [
            "noreply@council.example",
            "no-reply@x.example",
            "MAILER-DAEMON@mx.example",
            "bounces+123@list.example",
            "newsletter@shop.example",
        ] {
            assert!(
                is_machine_address(&EmailAddress::parse(a).expect("valid")),
                "{a}"
            );
        }
        assert!(!is_machine_address(
            &EmailAddress::parse("norah@home.example").expect("valid")
        ));
    }

    #[test]
    fn a_signature_gives_numbers_and_a_postcode_but_quoted_text_does_not() {
        let text = "Please could someone call me back.\n\nKind regards,\nAnn Jones\n14 Acacia Avenue, Wallasey CH44 7HX\nTel: 0151 496 0123\n\nOn 3 June, Desk wrote:\n> call us on 0151 496 0000";
        let ids = signature_identifiers(text, "GB");
        assert_eq!(
            ids,
            vec![
                Identifier::Phone(PhoneNumber::parse("0151 496 0123", "GB").expect("valid")),
                Identifier::Postcode(Postcode::parse("CH44 7HX").expect("valid")),
            ]
        );
        assert!(signature_identifiers("No signature here at all.", "GB").is_empty());
    }

    #[test]
    fn form_fields_describe_the_person_behind_a_relayed_form() {
        let body = "A new enquiry was submitted.\n\nName: Grace Okafor\nEmail: grace@home.example\nPhone: 07700 900123\nPostcode: CH41 5AB\nMessage: The hydrant sign is missing.";
        let p = form_fields(body, "GB").expect("reachable");
        assert_eq!(p.name.as_deref(), Some("Grace Okafor"));
        assert_eq!(p.email().map(|e| e.as_str()), Some("grace@home.example"));
        assert!(p.phone().is_some() && p.postcode().is_some());
        let no_email = form_fields("Name: Sam Lee\nPostcode: L1 8JQ\nMessage: hi", "GB")
            .expect("name and postcode");
        assert!(no_email.email().is_none());
        assert!(form_fields("Dear team, the smoke alarm beeps.", "GB").is_none());
    }

    #[test]
    fn the_original_sender_of_an_inline_forward() {
        let body = "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Ann Jones <ann@home.example>\nDate: Mon, 2 Jun 2025\nSubject: Smoke alarm\nTo: desk@fire.example\n\nThe alarm beeps.";
        let p = forwarded_sender(body).expect("found");
        assert_eq!(p.name.as_deref(), Some("Ann Jones"));
        assert_eq!(p.email().map(|e| e.as_str()), Some("ann@home.example"));
        let outlook = "-----Original Message-----\nFrom: bob@home.example\nSent: Monday\n";
        assert_eq!(
            forwarded_sender(outlook)
                .and_then(|p| p.email().cloned())
                .map(|e| e.to_string()),
            Some("bob@home.example".into())
        );
        assert!(forwarded_sender("From: someone@x.example\nno marker").is_none());
    }
}
