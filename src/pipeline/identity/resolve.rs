//! `resolve`: which customer each item of a batch belongs to, given the identifiers the store
//! already knows. Pure: the link stage fetches the known identifiers, calls this, and writes
//! the plan with every decision's method, confidence and reasons.
//!
//! Rules, in order: an item's primary identifier (its strongest: email address, E.164 number,
//! name and postcode together, or a customer key) decides when it is known; otherwise the first
//! of its other strong identifiers that is known *and* whose customer's name is compatible with
//! the name on the item (a letter from Ann Jones whose address is new but whose number has
//! phoned before; not a colleague whose signature carries the same switchboard number);
//! otherwise a new customer keyed by the primary identifier. A known other identifier whose
//! customer's name cannot be compared (or differs) is not a link: it becomes a candidate for a
//! person to review. Every identifier the item carries that nobody holds yet is attached to
//! its customer — so a phone number in an email signature links later calls — but an
//! identifier another customer already holds is never moved or merged: two people are never
//! joined by one shared number or address. Items of one batch see each other's decisions.

use crate::domain::PersonName;
use crate::pipeline::link::customer_key;
use crate::store::{CustomerRef, KEY_KIND};
use std::collections::{HashMap, HashSet};

/// Where an item's customer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A customer already stored, by internal id.
    Existing(i64),
    /// The n-th new customer of the plan.
    New(usize),
}

/// A customer the plan creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCustomer {
    /// Its key (derived from the primary identifier, so concurrent writers agree).
    pub key: String,
    /// A display name seen with it.
    pub display_name: Option<String>,
}

/// How a link was decided: stored with the item so a person can see why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The primary identifier was already a customer's.
    Identifier,
    /// Another strong identifier was a customer's and the names agree.
    IdentifierAndName,
    /// Nothing known: a new customer keyed by the primary identifier.
    New,
    /// The item named its customer by key (a file note).
    CustomerKey,
    /// The item named a customer key that does not exist.
    Unknown,
}

impl Method {
    /// Stable name stored in `items.link_method`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Identifier => "identifier",
            Method::IdentifierAndName => "identifier-and-name",
            Method::New => "new-customer",
            Method::CustomerKey => "customer-key",
            Method::Unknown => "unknown-customer-key",
        }
    }

    /// How sure the rule is, 0–1.
    pub fn confidence(self) -> f64 {
        match self {
            Method::Identifier | Method::CustomerKey => 1.0,
            Method::IdentifierAndName => 0.9,
            Method::New => 0.8,
            Method::Unknown => 0.0,
        }
    }
}

/// One item's decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// Its customer, or `None` (a key that names no customer).
    pub target: Option<Target>,
    /// The rule that decided.
    pub method: Method,
    /// Why, in words a reviewer reads.
    pub reasons: Vec<String>,
}

/// A possible link the rules would not make alone: for a person to accept or reject.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Index of the input reference.
    pub item: usize,
    /// The customer it might belong to.
    pub customer: Target,
    /// Match weight, 0–1.
    pub score: f64,
    /// Why it is a candidate, and why it was not linked.
    pub reasons: Vec<String>,
}

/// What to write for a batch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Per input reference, in order: its decision.
    pub decisions: Vec<Decision>,
    /// Customers to create.
    pub new_customers: Vec<NewCustomer>,
    /// Identifiers to attach: (kind, value, customer).
    pub attach: Vec<(String, String, Target)>,
    /// Links for review.
    pub candidates: Vec<Candidate>,
    /// Customers that are the same person as the item's: (merged, survivor, why) — one
    /// known only as a calling number the item gives, or one whose name agrees and who holds
    /// a strong identifier the item carries.
    pub merges: Vec<(Target, Target, String)>,
}

impl Plan {
    /// Per input reference, its customer (the decisions' targets).
    pub fn targets(&self) -> Vec<Option<Target>> {
        self.decisions.iter().map(|d| d.target).collect()
    }
}

/// An identifier: (kind, value).
type Id = (String, String);

/// Identifier kind of an E.164 number.
const PHONE_KIND: &str = "phone";

/// Plans the customers of `refs` given `known` identifiers ((kind, value) → customer id; for
/// [`KEY_KIND`] the value is the customer key), the display names of those customers, and
/// which of them are known only as a calling number (no name, keyed by a number).
pub fn resolve(
    refs: &[&CustomerRef],
    known: &HashMap<(String, String), i64>,
    names: &HashMap<i64, String>,
    callers: &HashSet<i64>,
) -> Plan {
    let mut plan = Plan::default();
    let mut seen: HashMap<(String, String), Target> = HashMap::new();
    let lookup = |seen: &HashMap<(String, String), Target>, id: &(String, String)| {
        seen.get(id)
            .copied()
            .or_else(|| known.get(id).map(|c| Target::Existing(*c)))
    };
    for (n, r) in refs.iter().enumerate() {
        let primary = (r.identifier_kind.clone(), r.identifier.clone());
        let others: Vec<Id> = r.also.iter().filter(|a| **a != primary).cloned().collect();
        let (target, method, mut reasons) = if let Some(t) = lookup(&seen, &primary) {
            let method = if primary.0 == KEY_KIND {
                Method::CustomerKey
            } else {
                Method::Identifier
            };
            (
                t,
                method,
                vec![format!("{} {} is on file", primary.0, primary.1)],
            )
        } else if let Some((t, id, theirs)) = others.iter().find_map(|id| {
            lookup(&seen, id).and_then(|t| {
                let theirs = name_of(&t, names, &plan.new_customers);
                names_join(r.display_name.as_deref(), theirs.as_deref()).then_some((t, id, theirs))
            })
        }) {
            (
                t,
                Method::IdentifierAndName,
                vec![format!(
                    "{} {} is on file and the names agree ({} ~ {})",
                    id.0,
                    id.1,
                    r.display_name.as_deref().unwrap_or_default(),
                    theirs.unwrap_or_default()
                )],
            )
        } else if r.identifier_kind == KEY_KIND {
            plan.decisions.push(Decision {
                target: None,
                method: Method::Unknown,
                reasons: vec![format!("no customer has the key {}", r.identifier)],
            });
            continue;
        } else {
            plan.new_customers.push(NewCustomer {
                key: customer_key(&primary.0, &primary.1),
                display_name: r.display_name.clone(),
            });
            (
                Target::New(plan.new_customers.len() - 1),
                Method::New,
                vec![format!("first item with {} {}", primary.0, primary.1)],
            )
        };
        // Known other identifiers of a different customer that did not link: a customer
        // known only as a calling number is this named person's (the same as had the number
        // come first); any other is a candidate for review.
        for id in &others {
            let Some(other) = lookup(&seen, id) else {
                continue;
            };
            if other == target
                || plan.merges.iter().any(|(o, _, _)| *o == other)
                || plan
                    .candidates
                    .iter()
                    .any(|c| c.item == n && c.customer == other)
            {
                continue;
            }
            let caller_only = match other {
                Target::Existing(c) => callers.contains(&c),
                Target::New(m) => {
                    let c = &plan.new_customers[m];
                    c.display_name.is_none() && c.key == customer_key(PHONE_KIND, &id.1)
                }
            };
            let theirs = name_of(&other, names, &plan.new_customers);
            if caller_only && id.0 == PHONE_KIND && r.display_name.is_some() {
                let why = format!(
                    "{} {} was known only as a calling number: its items join this customer",
                    id.0, id.1
                );
                reasons.push(why.clone());
                plan.merges.push((other, target, why));
                continue;
            }
            let own = name_of(&target, names, &plan.new_customers);
            let theirs_agree = names_join(r.display_name.as_deref(), theirs.as_deref());
            let own_agrees = names_consistent(r.display_name.as_deref(), own.as_deref());
            if theirs_agree && own_agrees {
                let why = format!(
                    "{} {} belongs to a customer with an agreeing name ({}): one person",
                    id.0,
                    id.1,
                    theirs.as_deref().unwrap_or_default()
                );
                reasons.push(why.clone());
                plan.merges.push((other, target, why));
                continue;
            }
            // The name that disagreed: the other customer's, or this item's own customer's.
            let differing = if theirs_agree { own } else { theirs };
            let why = match (r.display_name.as_deref(), differing) {
                (Some(a), Some(b)) => format!("the names differ ({a} / {b})"),
                _ => "there is no name on both to compare".to_string(),
            };
            reasons.push(format!(
                "{} {} belongs to another customer; {why}",
                id.0, id.1
            ));
            plan.candidates.push(Candidate {
                item: n,
                customer: other,
                score: 0.5,
                reasons: vec![format!(
                    "shares {} {}, not linked because {why}",
                    id.0, id.1
                )],
            });
        }
        plan.decisions.push(Decision {
            target: Some(target),
            method,
            reasons,
        });
        for id in std::iter::once(primary).chain(others) {
            if id.0 == KEY_KIND || lookup(&seen, &id).is_some() {
                continue;
            }
            seen.insert(id.clone(), target);
            plan.attach.push((id.0, id.1, target));
        }
    }
    plan
}

/// The display name of a target customer.
fn name_of(t: &Target, names: &HashMap<i64, String>, new: &[NewCustomer]) -> Option<String> {
    match t {
        Target::Existing(id) => names.get(id).cloned(),
        Target::New(n) => new[*n].display_name.clone(),
    }
}

/// True unless the item's name and the name its own customer is known by say two people:
/// that name is absent or [`names_join`] holds.
fn names_consistent(item: Option<&str>, customer: Option<&str>) -> bool {
    customer.is_none() || names_join(item, customer)
}

/// Whether an item's name and a customer's can be one person: two full names that agree, or
/// a customer known by one word that is the item's given name written out (a first-name-only
/// `From: Michael` for `Michael Young`).
fn names_join(item: Option<&str>, customer: Option<&str>) -> bool {
    if names_agree(item, customer) {
        return true;
    }
    let (Some(item), Some(word)) = (item, customer.map(str::trim)) else {
        return false;
    };
    !word.contains(char::is_whitespace)
        && PersonName::parse(item).is_ok_and(|n| n.has_given_name(word))
}

/// True when both names are given, have given names and agree (`J. Smith` ~ `John Smith`).
fn names_agree(a: Option<&str>, b: Option<&str>) -> bool {
    let parse = |n: Option<&str>| {
        n.and_then(|n| PersonName::parse(n).ok())
            .filter(|p| !p.given().is_empty())
    };
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => a.compatible(&b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cref(kind: &str, value: &str, also: &[(&str, &str)]) -> CustomerRef {
        named(kind, value, also, None)
    }

    fn named(kind: &str, value: &str, also: &[(&str, &str)], name: Option<&str>) -> CustomerRef {
        CustomerRef {
            identifier_kind: kind.into(),
            identifier: value.into(),
            new_key: customer_key(kind, value),
            display_name: name.map(str::to_string),
            also: also
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn known(entries: &[(&str, &str, i64)]) -> HashMap<(String, String), i64> {
        entries
            .iter()
            .map(|(k, v, c)| ((k.to_string(), v.to_string()), *c))
            .collect()
    }

    #[test]
    fn a_known_primary_identifier_decides() {
        let r = cref("email", "ann@home.example", &[]);
        let plan = resolve(
            &[&r],
            &known(&[("email", "ann@home.example", 7)]),
            &HashMap::new(),
            &HashSet::new(),
        );
        assert_eq!(plan.targets(), vec![Some(Target::Existing(7))]);
        assert!(plan.new_customers.is_empty() && plan.attach.is_empty());
    }

    #[test]
    fn a_signature_number_is_attached_so_later_calls_link() {
        let email = cref("email", "ann@home.example", &[("phone", "+441514960123")]);
        let call = cref("phone", "+441514960123", &[]);
        let plan = resolve(
            &[&email, &call],
            &known(&[("email", "ann@home.example", 7)]),
            &HashMap::new(),
            &HashSet::new(),
        );
        assert_eq!(
            plan.targets(),
            vec![Some(Target::Existing(7)), Some(Target::Existing(7))]
        );
        assert_eq!(
            plan.attach,
            vec![("phone".into(), "+441514960123".into(), Target::Existing(7))]
        );
    }

    #[test]
    fn a_letter_with_a_new_address_links_by_its_known_number() {
        let letter = named(
            "email",
            "ann.new@home.example",
            &[("phone", "+441514960123")],
            Some("Mrs Ann Jones"),
        );
        let names: HashMap<i64, String> = [(3, "Ann Jones".to_string())].into();
        let plan = resolve(
            &[&letter],
            &known(&[("phone", "+441514960123", 3)]),
            &names,
            &HashSet::new(),
        );
        assert_eq!(plan.targets(), vec![Some(Target::Existing(3))]);
        let nameless = resolve(
            &[&cref(
                "email",
                "x@home.example",
                &[("phone", "+441514960123")],
            )],
            &known(&[("phone", "+441514960123", 3)]),
            &names,
            &HashSet::new(),
        );
        assert_eq!(
            nameless.targets(),
            vec![Some(Target::New(0))],
            "no name, no second-identifier link"
        );
        assert_eq!(plan.attach[0].1, "ann.new@home.example");
    }

    #[test]
    fn a_first_name_only_customer_is_one_person_with_the_full_name_that_holds_it() {
        // Michael first wrote as `From: Michael`; now he signs in full with the number that
        // Michael Young's other customer holds.
        let email = named(
            "email",
            "michael@home.example",
            &[("phone", "+441514960123")],
            Some("Michael Young"),
        );
        let ids = known(&[
            ("email", "michael@home.example", 7),
            ("phone", "+441514960123", 9),
        ]);
        let names: HashMap<i64, String> =
            [(7, "Michael".to_string()), (9, "Michael Young".to_string())].into();
        let plan = resolve(&[&email], &ids, &names, &HashSet::new());
        assert_eq!(
            plan.merges
                .iter()
                .map(|(a, b, _)| (*a, *b))
                .collect::<Vec<_>>(),
            vec![(Target::Existing(9), Target::Existing(7))]
        );
        // A one-word name the item's does not hold is another person: review, naming it.
        let names: HashMap<i64, String> =
            [(7, "Jane".to_string()), (9, "Michael Young".to_string())].into();
        let plan = resolve(&[&email], &ids, &names, &HashSet::new());
        assert!(plan.merges.is_empty());
        assert_eq!(plan.candidates.len(), 1);
        assert!(
            plan.candidates[0].reasons[0].contains("the names differ (Michael Young / Jane)"),
            "{:?}",
            plan.candidates[0].reasons
        );
    }

    #[test]
    fn a_customer_known_by_a_first_name_only_is_found_by_the_full_name_that_has_it() {
        // Patrick once wrote as `From: Patrick` giving his number; his letter signs in full.
        let ids = known(&[("phone", "+441514960123", 9)]);
        let names: HashMap<i64, String> = [(9, "Patrick".to_string())].into();
        let letter = |name: &str| {
            named(
                "name-postcode",
                &format!("{}|CH45 4XH", name.to_lowercase()),
                &[("phone", "+441514960123")],
                Some(name),
            )
        };
        let plan = resolve(&[&letter("Patrick Thomas")], &ids, &names, &HashSet::new());
        assert_eq!(plan.targets(), vec![Some(Target::Existing(9))]);
        assert_eq!(plan.decisions[0].method, Method::IdentifierAndName);
        // Someone else on that line stays someone else, for a person to review.
        let plan = resolve(&[&letter("Patricia Thomas")], &ids, &names, &HashSet::new());
        assert_eq!(plan.targets(), vec![Some(Target::New(0))]);
        assert_eq!(plan.candidates.len(), 1);
    }

    #[test]
    fn a_number_another_customer_holds_is_never_moved_and_never_merges() {
        // Bob's signature carries the office switchboard that Ann's did first.
        let bob = named(
            "email",
            "bob@home.example",
            &[("phone", "+441514960123")],
            Some("Bob Jones"),
        );
        let names: HashMap<i64, String> = [(3, "Ann Jones".to_string())].into();
        let plan = resolve(
            &[&bob],
            &known(&[("phone", "+441514960123", 3)]),
            &names,
            &HashSet::new(),
        );
        // Bob's own address is new: he is a new customer, not customer 3.
        assert_eq!(plan.targets(), vec![Some(Target::New(0))]);
        assert_eq!(
            plan.attach,
            vec![("email".into(), "bob@home.example".into(), Target::New(0))]
        );
    }

    #[test]
    fn a_customer_known_only_as_a_calling_number_joins_the_named_person_who_gives_it() {
        // The calls came first, nameless; then Ann's email signature gives the number.
        let email = named(
            "email",
            "ann@home.example",
            &[("phone", "+441514960123")],
            Some("Ann Jones"),
        );
        let callers: HashSet<i64> = [5].into();
        let plan = resolve(
            &[&email],
            &known(&[("phone", "+441514960123", 5)]),
            &HashMap::new(),
            &callers,
        );
        assert_eq!(plan.targets(), vec![Some(Target::New(0))]);
        assert_eq!(
            plan.merges
                .iter()
                .map(|(a, b, _)| (*a, *b))
                .collect::<Vec<_>>(),
            vec![(Target::Existing(5), Target::New(0))]
        );
        assert!(plan.candidates.is_empty());
        // A named holder is never merged by the rules: a candidate for review instead.
        let names: HashMap<i64, String> = [(5, "Bob Jones".to_string())].into();
        let plan = resolve(
            &[&email],
            &known(&[("phone", "+441514960123", 5)]),
            &names,
            &HashSet::new(),
        );
        assert!(plan.merges.is_empty());
        assert_eq!(plan.candidates.len(), 1);
        assert!(plan.candidates[0].reasons[0].contains("names differ"));
        // In one batch too: the call's new customer joins Ann's.
        let call = cref("phone", "+441514960123", &[]);
        let plan = resolve(
            &[&call, &email],
            &HashMap::new(),
            &HashMap::new(),
            &HashSet::new(),
        );
        assert_eq!(
            plan.merges
                .iter()
                .map(|(a, b, _)| (*a, *b))
                .collect::<Vec<_>>(),
            vec![(Target::New(0), Target::New(1))]
        );
    }

    #[test]
    fn items_of_one_batch_share_new_customers() {
        let a = cref("email", "new@home.example", &[("phone", "+447700900123")]);
        let b = cref("phone", "+447700900123", &[]);
        let c = cref("email", "new@home.example", &[]);
        let plan = resolve(
            &[&a, &b, &c],
            &HashMap::new(),
            &HashMap::new(),
            &HashSet::new(),
        );
        assert_eq!(plan.new_customers.len(), 1);
        assert_eq!(plan.targets(), vec![Some(Target::New(0)); 3]);
        assert_eq!(
            plan.new_customers[0].key,
            customer_key("email", "new@home.example")
        );
    }

    #[test]
    fn a_customer_key_names_only_an_existing_customer() {
        let note = cref(KEY_KIND, "c-0123456789ab", &[]);
        assert_eq!(
            resolve(&[&note], &HashMap::new(), &HashMap::new(), &HashSet::new()).targets(),
            vec![None]
        );
        let plan = resolve(
            &[&note],
            &known(&[(KEY_KIND, "c-0123456789ab", 4)]),
            &HashMap::new(),
            &HashSet::new(),
        );
        assert_eq!(plan.targets(), vec![Some(Target::Existing(4))]);
        assert!(plan.attach.is_empty());
    }
}
