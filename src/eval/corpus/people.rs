//! The generated population: people, their addresses, numbers and email addresses, the
//! organisations some of them work for, and the situations that make linking hard (namesakes,
//! households sharing an address and a landline, colleagues sharing a company mailbox).
//! Only fictional data: Ofcom drama numbers and `.example` domains.

use super::names::{FIRST_NAMES, ORGANISATIONS, STREETS, SURNAMES, TOWNS, WEBMAIL};
use super::Draw;
use std::collections::HashSet;

/// A postal address: the lines above the postcode, and the postcode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// Street and town lines, in order.
    pub lines: Vec<String>,
    /// The postcode, canonical (`CH45 2QR`).
    pub postcode: String,
}

/// One generated person (a customer).
#[derive(Clone, Debug)]
pub struct Person {
    /// The truth's identifier (`p-17`).
    pub id: String,
    /// Given name.
    pub first: String,
    /// Family name.
    pub surname: String,
    /// Personal email addresses (webmail), most used first.
    pub emails: Vec<String>,
    /// Work address at their organisation's domain, when they have one.
    pub work_email: Option<String>,
    /// National-format digits (`01514960123`, `07700900123`), most used first.
    pub phones: Vec<String>,
    /// Home address.
    pub address: Address,
    /// Index into [`Population::organisations`].
    pub organisation: Option<usize>,
}

impl Person {
    /// "First Surname".
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first, self.surname)
    }

    /// Every email address the person writes from, personal first.
    pub fn all_emails(&self) -> Vec<&str> {
        self.emails
            .iter()
            .chain(self.work_email.iter())
            .map(String::as_str)
            .collect()
    }
}

/// An organisation several people work for.
#[derive(Clone, Debug)]
pub struct Organisation {
    /// The truth's identifier (`o-3`).
    pub id: String,
    /// Its name ("Harbour Joinery Ltd").
    pub name: String,
    /// Its email domain (`harbourjoinery.example`).
    pub domain: String,
    /// Its shared mailbox (`info@…` or `office@…`), used by every member.
    pub shared: String,
    /// Its postal address.
    pub address: Address,
}

/// Everyone in a corpus.
#[derive(Clone, Debug)]
pub struct Population {
    /// The people, in id order.
    pub people: Vec<Person>,
    /// The organisations.
    pub organisations: Vec<Organisation>,
}

/// Hands out unique fictional numbers and addresses.
struct Pools {
    landlines: Vec<String>,
    mobiles: Vec<String>,
    emails: HashSet<String>,
    postcodes: HashSet<String>,
}

impl Pools {
    fn new() -> Self {
        // 0151 496 0000 is the service's own number and 0151 496 09xx its direct dials.
        let mut landlines: Vec<String> = (100..900).map(|n| format!("01514960{n:03}")).collect();
        landlines.extend((0..1000).map(|n| format!("01134960{n:03}")));
        landlines.extend((0..1000).map(|n| format!("02079460{n:03}")));
        let mobiles = (0..1000).map(|n| format!("07700900{n:03}")).collect();
        Self {
            landlines,
            mobiles,
            emails: HashSet::new(),
            postcodes: HashSet::new(),
        }
    }

    fn take(pool: &mut Vec<String>, draw: &mut Draw) -> Option<String> {
        if pool.is_empty() {
            return None;
        }
        let i = draw.below(pool.len());
        Some(pool.swap_remove(i))
    }

    /// A unique address `local@domain`, adding a number when taken.
    fn email(&mut self, local: &str, domain: &str, draw: &mut Draw) -> String {
        let mut candidate = format!("{local}@{domain}");
        while self.emails.contains(&candidate) {
            candidate = format!("{local}{}@{domain}", 1 + draw.below(99));
        }
        self.emails.insert(candidate.clone());
        candidate
    }

    fn address(&mut self, draw: &mut Draw) -> Address {
        const INWARD: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
        let (town, outward) = draw.pick(TOWNS);
        let postcode = loop {
            let letter = |d: &mut Draw| INWARD[d.below(INWARD.len())] as char;
            let p = format!(
                "{outward} {}{}{}",
                draw.below(10),
                letter(draw),
                letter(draw)
            );
            if self.postcodes.insert(p.clone()) {
                break p;
            }
        };
        let street = format!("{} {}", 1 + draw.below(180), draw.pick(STREETS));
        Address {
            lines: vec![street, (*town).to_string()],
            postcode,
        }
    }
}

/// Generates `count` people and their organisations.
pub fn population(count: usize, draw: &mut Draw) -> Population {
    let mut pools = Pools::new();
    let mut people: Vec<Person> = Vec::with_capacity(count);
    while people.len() < count {
        let room_for_two = people.len() + 2 <= count;
        let first = draw.pick(FIRST_NAMES).to_string();
        let surname = draw.pick(SURNAMES).to_string();
        let mut person = new_person(
            people.len(),
            first.clone(),
            surname.clone(),
            &mut pools,
            draw,
        );
        match draw.below(100) {
            // A namesake: the same name, somewhere else, with their own contacts.
            0..=7 if room_for_two => {
                people.push(person);
                let twin = new_person(people.len(), first, surname, &mut pools, draw);
                people.push(twin);
            }
            // A household: the same surname and address, often the same landline.
            8..=15 if room_for_two => {
                let partner_first = loop {
                    let f = draw.pick(FIRST_NAMES);
                    if *f != first {
                        break f.to_string();
                    }
                };
                let mut partner =
                    new_person(people.len() + 1, partner_first, surname, &mut pools, draw);
                partner.address = person.address.clone();
                if let Some(landline) = person.phones.iter().find(|p| !p.starts_with("07")).cloned()
                {
                    partner.phones.retain(|p| p.starts_with("07"));
                    partner.phones.push(landline);
                } else if draw.chance(50) {
                    if let Some(l) = Pools::take(&mut pools.landlines, draw) {
                        person.phones.push(l.clone());
                        partner.phones.push(l);
                    }
                }
                people.push(person);
                people.push(partner);
            }
            _ => people.push(person),
        }
    }
    let organisations = organisations(&mut people, &mut pools, draw);
    Population {
        people,
        organisations,
    }
}

fn new_person(
    index: usize,
    first: String,
    surname: String,
    pools: &mut Pools,
    draw: &mut Draw,
) -> Person {
    let local = |d: &mut Draw| match d.below(4) {
        0 => format!("{}{}", first.to_lowercase(), surname.to_lowercase()),
        1 => format!("{}.{}", &first[..1].to_lowercase(), surname.to_lowercase()),
        _ => format!("{}.{}", first.to_lowercase(), surname.to_lowercase()),
    };
    let mut emails = Vec::new();
    // Some people never write email (telephone and post only).
    if !draw.chance(8) {
        let l = local(draw);
        let domain = draw.pick(WEBMAIL);
        emails.push(pools.email(&l, domain, draw));
        if draw.chance(25) {
            let l = local(draw);
            let domain = draw.pick(WEBMAIL);
            emails.push(pools.email(&l, domain, draw));
        }
    }
    let mut phones: Vec<String> = Vec::new();
    let phone_count = match draw.below(100) {
        0..=19 => 0,
        20..=74 => 1,
        _ => 2,
    };
    for k in 0..phone_count {
        let mobile = if k == 0 {
            draw.chance(60)
        } else {
            // The second number is the other kind (none when the first pool ran dry).
            !phones.first().is_some_and(|p| p.starts_with("07"))
        };
        let pool = if mobile {
            &mut pools.mobiles
        } else {
            &mut pools.landlines
        };
        if let Some(n) = Pools::take(pool, draw) {
            phones.push(n);
        }
    }
    Person {
        id: format!("p-{index}"),
        first,
        surname,
        emails,
        work_email: None,
        phones,
        address: pools.address(draw),
        organisation: None,
    }
}

/// About one person in seven works for one of a few organisations (two to five members
/// each), with a work address at its domain and its shared mailbox.
fn organisations(people: &mut [Person], pools: &mut Pools, draw: &mut Draw) -> Vec<Organisation> {
    let wanted = (people.len() / 7).max(2);
    let mut orgs: Vec<Organisation> = Vec::new();
    let mut assigned = 0;
    let mut names: Vec<&(&str, &str)> = ORGANISATIONS.iter().collect();
    while assigned < wanted && !names.is_empty() {
        let (name, domain) = names.swap_remove(draw.below(names.len()));
        let index = orgs.len();
        let shared_local = if draw.chance(50) { "info" } else { "office" };
        let mut address = pools.address(draw);
        address
            .lines
            .insert(0, format!("Unit {}", 1 + draw.below(20)));
        orgs.push(Organisation {
            id: format!("o-{index}"),
            name: (*name).to_string(),
            domain: (*domain).to_string(),
            shared: pools.email(shared_local, domain, draw),
            address,
        });
        let members = 2 + draw.below(4);
        for _ in 0..members {
            let i = draw.below(people.len());
            let p = &mut people[i];
            if p.organisation.is_some() {
                continue;
            }
            let local = format!("{}.{}", p.first.to_lowercase(), p.surname.to_lowercase());
            p.work_email = Some(pools.email(&local, domain, draw));
            p.organisation = Some(index);
            // Some use only their work address.
            if draw.chance(30) {
                p.emails.clear();
            }
            assigned += 1;
        }
    }
    orgs
}

/// A number as people write it: `0151 496 0123`, `+44 (0)151 496 0123`, `+441514960123`,
/// `01514960123` (style 0–3).
pub fn written_phone(national: &str, style: usize) -> String {
    let rest = &national[1..];
    let groups: Vec<&str> = if national.starts_with("07") {
        vec![&national[..5], &national[5..]]
    } else if national.starts_with("020") {
        vec![&national[..3], &national[3..7], &national[7..]]
    } else {
        vec![&national[..4], &national[4..7], &national[7..]]
    };
    match style % 4 {
        0 => groups.join(" "),
        1 => format!("+44 (0){}", groups.join(" ").trim_start_matches('0')),
        2 => format!("+44{rest}"),
        _ => national.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_in_the_usual_styles() {
        assert_eq!(written_phone("01514960123", 0), "0151 496 0123");
        assert_eq!(written_phone("01514960123", 1), "+44 (0)151 496 0123");
        assert_eq!(written_phone("02079460123", 1), "+44 (0)20 7946 0123");
        assert_eq!(written_phone("07700900123", 0), "07700 900123");
        assert_eq!(written_phone("07700900123", 2), "+447700900123");
        assert_eq!(written_phone("07700900123", 3), "07700900123");
    }

    #[test]
    fn a_population_has_namesakes_households_and_organisations() {
        let pop = population(300, &mut Draw::new(1));
        assert_eq!(pop.people.len(), 300);
        let mut names = HashSet::new();
        let namesakes = pop
            .people
            .iter()
            .filter(|p| !names.insert(p.full_name()))
            .count();
        assert!(namesakes >= 5, "{namesakes}");
        let households = pop
            .people
            .windows(2)
            .filter(|w| w[0].address == w[1].address && w[0].surname == w[1].surname)
            .count();
        assert!(households >= 5, "{households}");
        assert!(pop.organisations.len() >= 3);
        for o in 0..pop.organisations.len() {
            let members = pop
                .people
                .iter()
                .filter(|p| p.organisation == Some(o))
                .count();
            assert!(members >= 1, "organisation {o} has no members");
        }
        let mut all = HashSet::new();
        for p in &pop.people {
            for e in p.all_emails() {
                assert!(all.insert(e.to_string()), "{e} given twice");
                assert!(e.ends_with(".example"));
            }
        }
    }
}
