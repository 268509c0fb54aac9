//! Linking an email to a customer and to staff. Pure: decides from addresses and the
//! configured staff domains; the store finds or creates the customer by identifier.
//!
//! Rules: staff (addresses at a staff domain) are never customers. Mail into an inbound
//! folder from a non-staff sender is *inbound*: the sender is the customer and the staff
//! recipients are the staff reached. Mail from staff (or found in a Sent folder) is
//! *outbound* to the first non-staff recipient, or *internal* when there is none.

use crate::domain::{Direction, EmailAddress};
use crate::ingest::email::parse::{Mailbox, ParsedEmail};
use crate::store::{CustomerRef, StaffRef};
use sha2::{Digest, Sha256};

/// Decides who an item involves.
#[derive(Clone, Debug)]
pub struct Linker {
    staff_domains: Vec<String>,
}

/// The linking decision for one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Direction as decided from the addresses and the folder.
    pub direction: Direction,
    /// The customer, unless the message is internal.
    pub customer: Option<CustomerRef>,
    /// The customer-side address.
    pub counterpart: Option<String>,
    /// Staff involved.
    pub staff: Vec<StaffRef>,
}

impl Linker {
    /// A linker for these staff domains (case-insensitive; subdomains included).
    pub fn new(staff_domains: &[String]) -> Self {
        Self {
            staff_domains: staff_domains
                .iter()
                .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
                .collect(),
        }
    }

    /// True when the address belongs to staff.
    pub fn is_staff(&self, address: &EmailAddress) -> bool {
        let domain = address.domain();
        self.staff_domains.iter().any(|d| {
            domain == d
                || domain
                    .strip_suffix(d.as_str())
                    .is_some_and(|p| p.ends_with('.'))
        })
    }

    /// Links a parsed message that arrived in a folder of the given direction.
    pub fn link(&self, email: &ParsedEmail, folder_direction: Direction) -> Link {
        let recipients = email.to.iter().chain(email.cc.iter());
        if folder_direction == Direction::Inbound && !self.is_staff(&email.from.address) {
            let mut staff: Vec<StaffRef> = Vec::new();
            for m in recipients.filter(|m| self.is_staff(&m.address)) {
                push_unique(&mut staff, m);
            }
            return Link {
                direction: Direction::Inbound,
                customer: Some(customer_ref(&email.from)),
                counterpart: Some(email.from.address.to_string()),
                staff,
            };
        }
        let mut staff = Vec::new();
        if self.is_staff(&email.from.address) {
            push_unique(&mut staff, &email.from);
        }
        let mut customer = None;
        for m in recipients {
            if self.is_staff(&m.address) {
                push_unique(&mut staff, m);
            } else if customer.is_none() {
                customer = Some(m);
            }
        }
        match customer {
            Some(m) => Link {
                direction: Direction::Outbound,
                customer: Some(customer_ref(m)),
                counterpart: Some(m.address.to_string()),
                staff,
            },
            None => Link {
                direction: Direction::Internal,
                customer: None,
                counterpart: None,
                staff,
            },
        }
    }
}

fn push_unique(staff: &mut Vec<StaffRef>, m: &Mailbox) {
    if !staff.iter().any(|s| s.email == m.address.as_str()) {
        staff.push(StaffRef {
            email: m.address.to_string(),
            display_name: m.name.clone(),
        });
    }
}

/// The customer reference for an email address. A new customer's key is derived from the
/// identifier, so two daemons creating the same customer at once agree on it.
pub fn customer_ref(m: &Mailbox) -> CustomerRef {
    CustomerRef {
        identifier_kind: "email".to_string(),
        identifier: m.address.to_string(),
        new_key: customer_key("email", m.address.as_str()),
        display_name: m.name.clone(),
    }
}

/// `c-` and 12 hex digits of SHA-256 over `kind:value`.
pub fn customer_key(kind: &str, value: &str) -> String {
    let digest = Sha256::digest(format!("{kind}:{value}").as_bytes());
    format!("c-{}", &hex::encode(digest)[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailbox(addr: &str) -> Mailbox {
        Mailbox {
            name: None,
            address: EmailAddress::parse(addr).expect("valid"),
        }
    }

    fn email(from: &str, to: &[&str]) -> ParsedEmail {
        ParsedEmail {
            message_id: Some("m1@x".into()),
            from: mailbox(from),
            to: to.iter().map(|a| mailbox(a)).collect(),
            cc: vec![],
            reply_to: vec![],
            date: None,
            received_date: None,
            subject: None,
            in_reply_to: vec![],
            references: vec![],
            text: String::new(),
            attachments: vec![],
            automated: None,
        }
    }

    fn linker() -> Linker {
        Linker::new(&["fire.example".to_string()])
    }

    #[test]
    fn inbound_mail_links_the_sender_and_the_staff_reached() {
        let link = linker().link(
            &email(
                "Ann@Home.example",
                &["desk@fire.example", "other@else.example"],
            ),
            Direction::Inbound,
        );
        assert_eq!(link.direction, Direction::Inbound);
        assert_eq!(
            link.customer.as_ref().map(|c| c.identifier.as_str()),
            Some("ann@home.example")
        );
        assert_eq!(link.staff.len(), 1);
        assert_eq!(link.staff[0].email, "desk@fire.example");
    }

    #[test]
    fn staff_are_never_customers() {
        let link = linker().link(
            &email("officer@mail.fire.example", &["desk@fire.example"]),
            Direction::Inbound,
        );
        assert_eq!(link.direction, Direction::Internal);
        assert!(link.customer.is_none());
        assert_eq!(link.staff.len(), 2);
    }

    #[test]
    fn staff_replies_are_outbound_to_the_customer() {
        let link = linker().link(
            &email("desk@fire.example", &["ann@home.example"]),
            Direction::Outbound,
        );
        assert_eq!(link.direction, Direction::Outbound);
        assert_eq!(link.counterpart.as_deref(), Some("ann@home.example"));
    }

    #[test]
    fn lookalike_domains_are_not_staff() {
        assert!(!linker().is_staff(&EmailAddress::parse("x@notfire.example").expect("valid")));
        assert!(linker().is_staff(&EmailAddress::parse("x@a.fire.example").expect("valid")));
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
}
