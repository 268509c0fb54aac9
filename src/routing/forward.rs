//! The messages a routing decision sends: a forward to the nominated person (or deputy) and
//! copies to the complaints mailbox or safety contacts. Each carries the original attached
//! whole (`message/rfc822`, byte for byte from the raw store), one neutral cover line, and
//! `X-Loop` (the builder adds `Auto-Submitted: auto-generated`). Every header value is built
//! from parsed, one-line values: nothing is copied raw from the original's headers. Pure.

use super::decide::{CopyKind, Decision};
use super::facts::{one_line, MessageFacts, OwnMarks};
use crate::domain::EmailAddress;
use crate::store::{NewOutboxMessage, OutboxExtras};

/// The item a decision is about.
#[derive(Clone, Copy, Debug)]
pub struct ItemRef {
    /// Item id.
    pub item_id: i64,
    /// Its raw item (the original bytes).
    pub raw_id: i64,
}

const MAX_SUBJECT_CHARS: usize = 160;

fn subject(prefix: &str, facts: &MessageFacts) -> String {
    let original: String = one_line(facts.subject.as_deref().unwrap_or("(no subject)"))
        .chars()
        .take(MAX_SUBJECT_CHARS)
        .collect();
    format!("{prefix}{original}")
}

/// Whether `address` can stand in a header as it is: the common address characters only.
fn plain_address(address: &EmailAddress) -> bool {
    address
        .as_str()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "@.!#$%&'*+/=?^_`{|}~-".contains(c))
}

fn body(cover: &str, facts: &MessageFacts, occurred: &str) -> String {
    let from = match (&facts.from_name, &facts.from) {
        (Some(name), Some(a)) => format!("{} <{}>", one_line(name), a.as_str()),
        (None, Some(a)) => a.as_str().to_owned(),
        _ => "(unknown sender)".to_owned(),
    };
    format!(
        "{cover}\n\nFrom: {from}\nSent: {occurred}\nSubject: {}\n\nThe original message is attached as it was received.\n",
        one_line(facts.subject.as_deref().unwrap_or("(no subject)"))
    )
}

/// The outbox messages for `decision` about `item`.
pub fn messages(
    item: ItemRef,
    facts: &MessageFacts,
    decision: &Decision,
    marks: &OwnMarks,
    occurred: &str,
) -> Vec<(NewOutboxMessage, OutboxExtras)> {
    let (Some(arrangement), Some(review)) = (decision.arrangement_id, decision.review_on) else {
        return Vec::new();
    };
    let review = review.format("%-d %B %Y");
    let mut headers = vec![("X-Loop".to_owned(), marks.x_loop.clone())];
    if let Some(from) = facts.from.as_ref().filter(|a| plain_address(a)) {
        headers.push(("Reply-To".to_owned(), from.as_str().to_owned()));
    }
    let extras = OutboxExtras {
        headers,
        attach_raw_id: Some(item.raw_id),
        concerns_item_id: Some(item.item_id),
    };
    let domain = &marks.message_id_domain;
    let mut out = Vec::new();
    if let Some(to) = &decision.forward_to {
        let cover =
            format!("Forwarded under contact arrangement #{arrangement}, review due {review}.");
        out.push((
            NewOutboxMessage {
                message_id: format!("route-{}-forward@{domain}", item.item_id),
                purpose: "forward".to_owned(),
                recipients: to.as_str().to_owned(),
                subject: subject("Fwd: ", facts),
                body_text: body(&cover, facts, occurred),
                body_html: None,
            },
            extras.clone(),
        ));
    }
    for (kind, to) in &decision.copies {
        let (tag, procedure) = match kind {
            CopyKind::Complaint => ("complaint", "the complaints procedure"),
            CopyKind::Safety => ("safety", "the health and safety procedure"),
        };
        let cover = format!(
            "Copied for {procedure} under contact arrangement #{arrangement}, review due {review}."
        );
        let recipients: Vec<&str> = to.iter().map(EmailAddress::as_str).collect();
        out.push((
            NewOutboxMessage {
                message_id: format!("route-{}-{tag}@{domain}", item.item_id),
                purpose: kind.as_str().to_owned(),
                recipients: recipients.join(", "),
                subject: subject("Copy: ", facts),
                body_text: body(&cover, facts, occurred),
                body_html: None,
            },
            extras.clone(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::decide::{Outcome, Reason};
    use chrono::NaiveDate;

    fn addr(a: &str) -> EmailAddress {
        EmailAddress::parse(a).expect("address")
    }

    fn marks() -> OwnMarks {
        OwnMarks {
            message_id_domain: "fire.example".to_owned(),
            x_loop: "tidings@fire.example".to_owned(),
        }
    }

    fn decision() -> Decision {
        Decision {
            outcome: Outcome::Routed,
            reason: Reason::Nominated,
            arrangement_id: Some(3),
            review_on: NaiveDate::from_ymd_opt(2027, 2, 20),
            forward_to: Some(addr("jane.smith@fire.example")),
            copies: vec![(CopyKind::Complaint, vec![addr("complaints@fire.example")])],
        }
    }

    fn facts(subject: &str) -> MessageFacts {
        MessageFacts {
            from: Some(addr("ann@home.example")),
            from_name: Some("Ann\r\nBcc: x@evil.example".to_owned()),
            subject: Some(subject.to_owned()),
            text: String::new(),
            machine: None,
            own_mail: false,
        }
    }

    #[test]
    fn a_forward_has_the_neutral_cover_line_the_original_attached_and_loop_headers() {
        let item = ItemRef {
            item_id: 41,
            raw_id: 40,
        };
        let out = messages(
            item,
            &facts("Hydrant"),
            &decision(),
            &marks(),
            "1 Dec 2026 09:00",
        );
        assert_eq!(out.len(), 2);
        let (forward, extras) = &out[0];
        assert_eq!(forward.message_id, "route-41-forward@fire.example");
        assert_eq!(forward.recipients, "jane.smith@fire.example");
        assert_eq!(forward.subject, "Fwd: Hydrant");
        assert!(forward
            .body_text
            .starts_with("Forwarded under contact arrangement #3, review due 20 February 2027."));
        assert_eq!(extras.attach_raw_id, Some(40));
        assert_eq!(extras.concerns_item_id, Some(41));
        assert!(extras
            .headers
            .contains(&("X-Loop".to_owned(), "tidings@fire.example".to_owned())));
        let (copy, _) = &out[1];
        assert_eq!(copy.message_id, "route-41-complaint@fire.example");
        assert_eq!(copy.purpose, "complaint-copy");
        assert!(copy.body_text.contains("the complaints procedure"));
        for (m, _) in &out {
            assert!(crate::guard::check_free_text("forward", &m.body_text).is_ok());
            assert!(crate::guard::check_free_text("forward", &m.subject).is_ok());
        }
    }

    #[test]
    fn nothing_from_the_original_can_add_a_header() {
        let item = ItemRef {
            item_id: 1,
            raw_id: 1,
        };
        let out = messages(
            item,
            &facts("Help\r\nBcc: x@evil.example"),
            &decision(),
            &marks(),
            "now",
        );
        for (m, extras) in &out {
            assert!(!m.subject.contains(['\r', '\n']), "{:?}", m.subject);
            assert!(extras
                .headers
                .iter()
                .all(|(_, v)| !v.contains(['\r', '\n'])));
            assert!(!m.body_text.contains("Ann\r\n"));
        }
        let mut odd = facts("x");
        odd.from = Some(addr("a\"b<c>@home.example"));
        let out = messages(item, &odd, &decision(), &marks(), "now");
        assert!(out[0].1.headers.iter().all(|(n, _)| n != "Reply-To"));
    }
}
