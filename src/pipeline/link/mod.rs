//! Linking a contact record to a customer and to staff. Pure: decides from the record's
//! parties, the configured staff domains, shared mailboxes and own numbers (and the staff
//! directory); the store finds or creates the customer by identifier.
//!
//! Rules: staff are never customers. Shared mailboxes (`enquiries@`) and the organisation's
//! own numbers (switchboard, queues) are places, not staff members and not customers.
//! - Email into an inbound folder from a non-staff sender is *inbound*: the sender is the
//!   customer and the staff recipients are the staff reached. Mail from staff (or found in a
//!   Sent folder) is *outbound* to the first non-staff recipient, or *internal* when there is
//!   none.
//! - A call's customer is the caller of an inbound call and the callee of an outbound one; a
//!   withheld number leaves the call unlinked (kept, with no identifier). Extensions and the
//!   handler named by the log are staff.
//! - A letter's customer is its sender, by email address, else phone number, else name and
//!   postcode together; its addressee is the staff member reached when the directory knows them.
//! - A file note belongs to the customer it names; its author is staff.

use crate::domain::{
    Channel, ContactRecord, Direction, EmailAddress, Identifier, Party, PartyRole, PhoneNumber,
};
use crate::organisation::{StaffDirectory, StaffMember};

mod email;
pub use crate::store::KEY_KIND;
use crate::store::{CustomerRef, StaffRef};
pub use email::is_machine_address;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Decides who an item involves.
#[derive(Clone, Debug, Default)]
pub struct Linker {
    region: String,
    staff_domains: Vec<String>,
    shared_mailboxes: Vec<EmailAddress>,
    own_numbers: Vec<PhoneNumber>,
    webmail_domains: Vec<String>,
    directory: Arc<StaffDirectory>,
}

/// The linking decision for one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Direction as decided from the parties and the source.
    pub direction: Direction,
    /// The customer, unless the item is internal or names no usable identifier.
    pub customer: Option<CustomerRef>,
    /// The customer-side identifier (address, E.164 number, postcode).
    pub counterpart: Option<String>,
    /// Staff involved.
    pub staff: Vec<StaffRef>,
}

/// Which side of the organisation's boundary a party is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    /// A staff member.
    Staff,
    /// A shared mailbox or own number: the organisation, but not a person.
    Place,
    /// Anyone else.
    Outside,
}

impl Linker {
    /// A linker for these staff domains (case-insensitive; subdomains included).
    pub fn new(staff_domains: &[String]) -> Self {
        Self {
            staff_domains: staff_domains
                .iter()
                .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
                .collect(),
            region: "GB".to_string(),
            webmail_domains: crate::config::OrganisationConfig::default().webmail_domains,
            ..Self::default()
        }
    }

    /// Mail providers whose addresses name no organisation (`[organisation]
    /// webmail_domains`): a name at any other domain is a person at that organisation.
    pub fn with_webmail(mut self, domains: &[String]) -> Self {
        self.webmail_domains = domains.iter().map(|d| d.to_ascii_lowercase()).collect();
        self
    }

    /// Reads national numbers found in text (signatures, forms) in `region` (ISO 3166).
    pub fn with_region(mut self, region: &str) -> Self {
        self.region = region.to_string();
        self
    }

    /// Adds the organisation's shared mailboxes and own telephone numbers.
    pub fn with_places(
        mut self,
        shared_mailboxes: Vec<EmailAddress>,
        own: Vec<PhoneNumber>,
    ) -> Self {
        self.shared_mailboxes = shared_mailboxes;
        self.own_numbers = own;
        self
    }

    /// Recognises staff from the directory too: their addresses (at any domain), extensions,
    /// direct dials, names (call handlers) and roles (letters' addressees).
    pub fn with_directory(mut self, directory: Arc<StaffDirectory>) -> Self {
        self.directory = directory;
        self
    }

    /// The staff member a party is, by the directory.
    fn member(&self, party: &Party) -> Option<&StaffMember> {
        party.identifiers.iter().find_map(|i| match i {
            Identifier::Email(e) => self.directory.by_email(e),
            Identifier::Extension(x) => self.directory.by_extension(x),
            Identifier::Phone(p) => self.directory.by_phone(p),
            Identifier::Name(n)
                if matches!(party.role, PartyRole::Handler | PartyRole::Addressee) =>
            {
                self.directory.by_name(n)
            }
            Identifier::Role(r) => {
                let holders = self.directory.by_role(r);
                // A role names a person only when one person holds it.
                (holders.len() == 1).then(|| holders[0])
            }
            _ => None,
        })
    }

    /// True when the address belongs to staff (or to a shared mailbox of the organisation).
    pub fn is_staff(&self, address: &EmailAddress) -> bool {
        let domain = address.domain();
        self.shared_mailboxes.contains(address)
            || self.directory.by_email(address).is_some()
            || self.staff_domains.iter().any(|d| {
                domain == d
                    || domain
                        .strip_suffix(d.as_str())
                        .is_some_and(|p| p.ends_with('.'))
            })
    }

    fn side(&self, party: &Party) -> Side {
        if self.member(party).is_some() {
            return Side::Staff;
        }
        for id in &party.identifiers {
            match id {
                Identifier::Email(e) if self.shared_mailboxes.contains(e) => return Side::Place,
                Identifier::Email(e) if self.is_staff(e) => return Side::Staff,
                Identifier::Phone(p) if self.own_numbers.contains(p) => return Side::Place,
                Identifier::Extension(_) => return Side::Staff,
                _ => {}
            }
        }
        if matches!(
            party.role,
            PartyRole::Handler | PartyRole::Author | PartyRole::Addressee
        ) {
            return Side::Staff;
        }
        Side::Outside
    }

    /// The link to a party outside the organisation; unlinked when it has no usable
    /// identifier.
    fn outside(&self, direction: Direction, party: &Party, staff: Vec<StaffRef>) -> Link {
        let customer = customer_ref(party, &self.webmail_domains);
        Link {
            direction,
            counterpart: customer.as_ref().map(|c| match c.identifier_kind.as_str() {
                "name-postcode" => c
                    .identifier
                    .rsplit('|')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                _ => c.identifier.clone(),
            }),
            customer,
            staff,
        }
    }

    /// Links one contact record.
    pub fn link(&self, record: &ContactRecord) -> Link {
        match record.channel {
            Channel::Email => self.link_email(record),
            Channel::Call => self.link_call(record),
            Channel::Letter | Channel::Note => self.link_named(record),
        }
    }

    fn link_email(&self, record: &ContactRecord) -> Link {
        let from = record.parties.iter().find(|p| p.role == PartyRole::From);
        let reply_to = record
            .parties
            .iter()
            .find(|p| p.role == PartyRole::ReplyTo && self.side(p) == Side::Outside);
        let recipients = record
            .parties
            .iter()
            .filter(|p| matches!(p.role, PartyRole::To | PartyRole::Cc));
        let mut staff = Vec::new();
        let from_side = from.map_or(Side::Outside, |f| self.side(f));
        let machine = from
            .and_then(Party::email)
            .is_some_and(email::is_machine_address);
        let inbound_folder = record.direction == Direction::Inbound;
        // A web form relayed from a machine or role address: the customer is in Reply-To
        // and in the form's fields.
        let relay = machine
            || from_side == Side::Place
            || from
                .and_then(Party::email)
                .is_some_and(|e| e.as_str().split('@').next().unwrap_or("").contains("form"));
        if inbound_folder && relay && !record.automated {
            let fields = email::form_fields(&record.text, &self.region);
            if reply_to.is_some() || fields.is_some() {
                let mut customer = reply_to.cloned().unwrap_or(Party {
                    role: PartyRole::ReplyTo,
                    name: None,
                    identifiers: Vec::new(),
                });
                if let Some(f) = fields {
                    customer.name = customer.name.or(f.name);
                    for id in f.identifiers {
                        if !customer.identifiers.contains(&id) {
                            customer.identifiers.push(id);
                        }
                    }
                }
                for p in recipients.filter(|p| self.side(p) == Side::Staff) {
                    self.push_staff(&mut staff, p);
                }
                return self.outside(Direction::Inbound, &customer, staff);
            }
        }
        // Machines and automated mail are kept with their sender as counterpart, never
        // customers.
        if let Some(from) =
            from.filter(|_| (machine || record.automated) && from_side == Side::Outside)
        {
            for p in recipients.filter(|p| self.side(p) == Side::Staff) {
                self.push_staff(&mut staff, p);
            }
            return Link {
                direction: if inbound_folder {
                    Direction::Inbound
                } else {
                    record.direction
                },
                customer: None,
                counterpart: from.email().map(ToString::to_string),
                staff,
            };
        }
        if let Some(from) = from.filter(|_| inbound_folder && from_side == Side::Outside) {
            for p in recipients.filter(|p| self.side(p) == Side::Staff) {
                self.push_staff(&mut staff, p);
            }
            let mut customer = from.clone();
            for id in email::signature_identifiers(&record.text, &self.region) {
                if !customer.identifiers.contains(&id) {
                    customer.identifiers.push(id);
                }
            }
            return self.outside(Direction::Inbound, &customer, staff);
        }
        if let Some(from) = from.filter(|_| from_side == Side::Staff) {
            self.push_staff(&mut staff, from);
            // Staff forwarding a customer's mail: the item is the customer's, reached via
            // that staff member.
            let attached = record
                .parties
                .iter()
                .find(|p| p.role == PartyRole::Original)
                .cloned();
            if let Some(original) = attached
                .or_else(|| email::forwarded_sender(&record.text))
                .filter(|p| self.side(p) == Side::Outside)
                .filter(|p| !p.email().is_some_and(email::is_machine_address))
            {
                for p in recipients.filter(|p| self.side(p) == Side::Staff) {
                    self.push_staff(&mut staff, p);
                }
                return self.outside(Direction::Inbound, &original, staff);
            }
        }
        let mut customer = None;
        for p in recipients {
            match self.side(p) {
                Side::Staff => self.push_staff(&mut staff, p),
                Side::Place => {}
                Side::Outside => customer = customer.or(Some(p)),
            }
        }
        match customer {
            Some(p) => self.outside(Direction::Outbound, p, staff),
            // No usable sender at all: the folder's direction stands and the item waits,
            // unlinked, for a person (`tidings links review`).
            None if from.is_none() => Link {
                direction: record.direction,
                customer: None,
                counterpart: None,
                staff,
            },
            None => internal(staff),
        }
    }

    fn link_call(&self, record: &ContactRecord) -> Link {
        let mut staff = Vec::new();
        for p in &record.parties {
            if self.side(p) == Side::Staff {
                self.push_staff(&mut staff, p);
            }
        }
        let customer_role = match record.direction {
            Direction::Inbound => PartyRole::Caller,
            Direction::Outbound => PartyRole::Callee,
            Direction::Internal => return internal(staff),
        };
        let customer = record
            .parties
            .iter()
            .find(|p| p.role == customer_role && self.side(p) == Side::Outside);
        match customer {
            Some(p) => self.outside(record.direction, p, staff),
            None => Link {
                direction: record.direction,
                customer: None,
                counterpart: None,
                staff,
            },
        }
    }

    fn link_named(&self, record: &ContactRecord) -> Link {
        let mut staff = Vec::new();
        for p in &record.parties {
            if self.side(p) == Side::Staff {
                self.push_staff(&mut staff, p);
            }
        }
        let customer = record.parties.iter().find(|p| {
            matches!(p.role, PartyRole::Sender | PartyRole::Subject)
                && self.side(p) == Side::Outside
        });
        match customer {
            Some(p) => self.outside(record.direction, p, staff),
            None => Link {
                direction: record.direction,
                customer: None,
                counterpart: None,
                staff,
            },
        }
    }
}

fn internal(staff: Vec<StaffRef>) -> Link {
    Link {
        direction: Direction::Internal,
        customer: None,
        counterpart: None,
        staff,
    }
}

impl Linker {
    /// Adds a staff party: by the directory member's address when the directory knows them,
    /// else by the address or extension the item gave. Shared mailboxes are not staff members.
    fn push_staff(&self, staff: &mut Vec<StaffRef>, party: &Party) {
        if party
            .email()
            .is_some_and(|e| self.shared_mailboxes.contains(e))
        {
            return;
        }
        let (key, name) = match self.member(party) {
            Some(m) => (Some(m.email.to_string()), Some(m.name.clone())),
            None => (
                party.identifiers.iter().find_map(|i| match i {
                    Identifier::Email(e) => Some(e.to_string()),
                    Identifier::Extension(x) => Some(format!("extension:{x}")),
                    _ => None,
                }),
                party.name.clone(),
            ),
        };
        if let Some(key) = key {
            if !staff.iter().any(|s| s.email == key) {
                staff.push(StaffRef {
                    email: key,
                    display_name: name.filter(|n| !n.is_empty()),
                });
            }
        }
    }
}

/// Local parts of role addresses (`info@`, `office@`): many people write from them, so on its
/// own such an address never joins two people; with a display name it names one of them.
const ROLE_LOCAL_PARTS: &[&str] = &[
    "info",
    "office",
    "admin",
    "enquiries",
    "enquiry",
    "contact",
    "hello",
    "reception",
    "sales",
    "mail",
    "post",
    "team",
    "general",
    "accounts",
    "support",
    "help",
    "customerservices",
];

/// True when the address is a role mailbox many people may write from.
pub fn is_role_address(address: &EmailAddress) -> bool {
    let local = address.as_str().split('@').next().unwrap_or_default();
    ROLE_LOCAL_PARTS.contains(&local)
}

/// The customer reference for a party: its strongest identifier — a customer key, an email
/// address, a phone number, or a name and postcode together — and the other strong identifiers
/// it carries (`also`). A role address (`info@`) counts only together with the writer's name.
/// A new customer's key is derived from the primary identifier, so two daemons creating the
/// same customer at once agree on it. A full name with an address at an organisation's own
/// domain (not one of `webmail_domains`) is also a `name-domain` identifier: the person who
/// writes from `info@acme.example` as Ann Jones is the Ann Jones of `ann.jones@acme.example`
/// (linked only where the names agree, as every other identifier).
pub fn customer_ref(party: &Party, webmail_domains: &[String]) -> Option<CustomerRef> {
    let by_key = party.identifiers.iter().find_map(|i| match i {
        Identifier::CustomerKey(k) => Some(k.clone()),
        _ => None,
    });
    if let Some(key) = by_key {
        return Some(CustomerRef {
            identifier_kind: KEY_KIND.to_string(),
            identifier: key.clone(),
            new_key: key,
            display_name: None,
            also: Vec::new(),
        });
    }
    let name = party.name.clone().or_else(|| {
        party.identifiers.iter().find_map(|i| match i {
            Identifier::Name(n) => Some(n.clone()),
            _ => None,
        })
    });
    let name_key = name.as_deref().map(name_key).filter(|n| !n.is_empty());
    let mut ids: Vec<(String, String)> = Vec::new();
    for i in &party.identifiers {
        match i {
            Identifier::Email(e) if is_role_address(e) => {
                if let Some(n) = &name_key {
                    ids.push(("email-name".into(), format!("{e}|{n}")));
                }
            }
            Identifier::Email(e) => ids.push(("email".into(), e.to_string())),
            _ => {}
        }
    }
    ids.sort_by_key(|(k, _)| k != "email");
    for i in &party.identifiers {
        if let Identifier::Phone(p) = i {
            ids.push(("phone".into(), p.to_string()));
        }
    }
    if let (Some(pc), Some(n)) = (party.postcode(), &name_key) {
        ids.push(("name-postcode".into(), format!("{n}|{pc}")));
        // The family name at the postcode finds the same person written another way
        // (`Mrs A. Jones` for `Ann Jones`); it links only where the given names agree, so a
        // household sharing surname and address stays several people.
        if let Some(family) = name
            .as_deref()
            .and_then(|n| crate::domain::PersonName::parse(n).ok())
            .map(|n| n.family_key())
            .filter(|f| !f.is_empty())
        {
            ids.push(("surname-postcode".into(), format!("{family}|{pc}")));
        }
    }
    if let Some(at) = name_at_domain(party, name.as_deref(), webmail_domains) {
        ids.push(("name-domain".into(), at));
    }
    ids.dedup();
    let mut ids = ids.into_iter();
    let (kind, value) = ids.next()?;
    Some(CustomerRef {
        new_key: customer_key(&kind, &value),
        identifier_kind: kind,
        identifier: value,
        display_name: name,
        also: ids.collect(),
    })
}

/// `name key|domain` for a full name (given and family names, not only initials) written
/// with an address at a domain that is not a mail provider's; the first such address.
fn name_at_domain(party: &Party, name: Option<&str>, webmail_domains: &[String]) -> Option<String> {
    let person = crate::domain::PersonName::parse(name?).ok()?;
    if !person.given().iter().any(|g| g.chars().count() > 1) || person.family().is_empty() {
        return None;
    }
    let domain = party.identifiers.iter().find_map(|i| match i {
        Identifier::Email(e) if !webmail_domains.iter().any(|w| w == e.domain()) => {
            Some(e.domain())
        }
        _ => None,
    })?;
    Some(format!("{}|{domain}", person.key()))
}

/// A name as a comparison key: lower case, titles removed, diacritics folded; the words as
/// written when the text is not a usable name.
fn name_key(name: &str) -> String {
    if let Ok(n) = crate::domain::PersonName::parse(name) {
        return n.key();
    }
    name.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphabetic())
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `c-` and 12 hex digits of SHA-256 over `kind:value`.
pub fn customer_key(kind: &str, value: &str) -> String {
    let digest = Sha256::digest(format!("{kind}:{value}").as_bytes());
    format!("c-{}", &hex::encode(digest)[..12])
}

#[cfg(test)]
mod tests;
