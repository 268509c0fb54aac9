//! A letter's text and fields → the channel-neutral [`ContactRecord`]. Pure.

use super::extract::{Addressee, LetterFields};
use super::scan::ScanText;
use crate::domain::{
    Channel, ContactRecord, Details, Direction, Identifier, Party, PartyRole, ThreadHints, UnixTime,
};
use chrono::{Datelike, NaiveDate, NaiveTime};

/// The earliest letter date believed; anything before is an OCR or typing slip.
const EARLIEST_YEAR: i32 = 1990;
const SECS_PER_DAY: i64 = 86_400;

/// The record for one scanned letter. `occurred_at` is the letter's own date at 12:00 UTC
/// when one was found and is plausible (from 1990 up to the day it was received), else
/// `received_at`. The sender party carries every identifier found; the addressee party a
/// name or a role.
pub fn letter_record(
    file_name: &str,
    scan: &ScanText,
    fields: &LetterFields,
    received_at: UnixTime,
) -> ContactRecord {
    let mut parties = Vec::new();
    let mut ids = Vec::new();
    if let Some(name) = &fields.sender_name {
        ids.push(Identifier::Name(name.to_string()));
    }
    if !fields.address.is_empty() {
        ids.push(Identifier::Address(fields.address.clone()));
    }
    if let Some(postcode) = &fields.postcode {
        ids.push(Identifier::Postcode(postcode.clone()));
    }
    ids.extend(fields.phones.iter().cloned().map(Identifier::Phone));
    ids.extend(fields.emails.iter().cloned().map(Identifier::Email));
    if !ids.is_empty() {
        parties.push(Party {
            role: PartyRole::Sender,
            name: fields.sender_name.as_ref().map(ToString::to_string),
            identifiers: ids,
        });
    }
    if let Some(addressee) = &fields.addressee {
        let (name, id) = match addressee {
            Addressee::Name(n) => (Some(n.clone()), Identifier::Name(n.clone())),
            Addressee::Role(r) => (None, Identifier::Role(r.clone())),
        };
        parties.push(Party {
            role: PartyRole::Addressee,
            name,
            identifiers: vec![id],
        });
    }
    ContactRecord {
        channel: Channel::Letter,
        item_ref: file_name.to_string(),
        occurred_at: fields
            .letter_date
            .and_then(|d| plausible_noon(d, received_at))
            .unwrap_or(received_at),
        direction: Direction::Inbound,
        parties,
        subject: fields.subject.clone(),
        text: scan.text.clone(),
        thread: ThreadHints::default(),
        evidence: Vec::new(),
        automated: false,
        details: Details::Letter(fields.details(scan.pages, scan.source)),
    }
}

/// Noon UTC on `date`, when the date is from 1990 on and not after the day of `received_at`.
fn plausible_noon(date: NaiveDate, received_at: UnixTime) -> Option<UnixTime> {
    let midnight = date.and_time(NaiveTime::MIN).and_utc().timestamp();
    let received_day = received_at.div_euclid(SECS_PER_DAY) * SECS_PER_DAY;
    (date.year() >= EARLIEST_YEAR && midnight <= received_day)
        .then_some(midnight + SECS_PER_DAY / 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EmailAddress, PersonName, PhoneNumber, Postcode};
    use crate::ingest::letters::TextSource;

    fn scan() -> ScanText {
        ScanText {
            pages: 1,
            text: "Dear Chief Fire Officer, ...".to_string(),
            source: TextSource::Ocr,
        }
    }

    fn fields() -> LetterFields {
        LetterFields {
            sender_name: PersonName::parse("Ann Jones").ok(),
            address: vec!["14 Acacia Avenue".into(), "Wallasey".into()],
            postcode: Postcode::parse("CH44 7HX").ok(),
            phones: vec![PhoneNumber::parse("0151 496 0123", "GB").expect("a number")],
            emails: vec![EmailAddress::parse("ann.jones@example.org").expect("an address")],
            letter_date: NaiveDate::from_ymd_opt(2025, 2, 3),
            addressee: Some(Addressee::Role("Chief Fire Officer".into())),
            subject: Some("Smoke alarm".into()),
        }
    }

    /// 2025-03-01 09:00 UTC.
    const RECEIVED: UnixTime = 1_740_819_600;

    #[test]
    fn a_letter_becomes_an_inbound_record_with_sender_and_addressee() {
        let record = letter_record("001.png", &scan(), &fields(), RECEIVED);
        assert_eq!(record.channel, Channel::Letter);
        assert_eq!(record.item_ref, "001.png");
        assert_eq!(record.direction, Direction::Inbound);
        assert_eq!(record.subject.as_deref(), Some("Smoke alarm"));
        assert_eq!(record.text, scan().text);
        let sender = &record.parties[0];
        assert_eq!(sender.role, PartyRole::Sender);
        assert_eq!(sender.name.as_deref(), Some("Ann Jones"));
        let kinds: Vec<&str> = sender.identifiers.iter().map(Identifier::kind).collect();
        assert_eq!(kinds, ["name", "address", "postcode", "phone", "email"]);
        let addressee = &record.parties[1];
        assert_eq!(addressee.role, PartyRole::Addressee);
        assert_eq!(
            addressee.identifiers,
            [Identifier::Role("Chief Fire Officer".into())]
        );
        let Details::Letter(details) = &record.details else {
            panic!("letter details expected");
        };
        assert_eq!(details.letter_date.as_deref(), Some("2025-02-03"));
        assert_eq!(details.text_source, "ocr");
        assert_eq!(details.phones, ["+441514960123"]);
    }

    #[test]
    fn occurred_at_is_the_letter_date_at_noon_when_plausible() {
        let record = letter_record("x", &scan(), &fields(), RECEIVED);
        // 2025-02-03 12:00 UTC
        assert_eq!(record.occurred_at, 1_738_584_000);
    }

    #[test]
    fn a_future_or_ancient_date_falls_back_to_received_at() {
        for date in [
            NaiveDate::from_ymd_opt(2025, 3, 2),
            NaiveDate::from_ymd_opt(1989, 12, 31),
        ] {
            let f = LetterFields {
                letter_date: date,
                ..fields()
            };
            assert_eq!(
                letter_record("x", &scan(), &f, RECEIVED).occurred_at,
                RECEIVED
            );
        }
        let same_day = LetterFields {
            letter_date: NaiveDate::from_ymd_opt(2025, 3, 1),
            ..fields()
        };
        let record = letter_record("x", &scan(), &same_day, RECEIVED);
        assert_eq!(record.occurred_at, RECEIVED - 9 * 3600 + 12 * 3600);
    }

    #[test]
    fn a_letter_that_says_nothing_still_makes_a_record() {
        let record = letter_record("blank.pdf", &scan(), &LetterFields::default(), RECEIVED);
        assert!(record.parties.is_empty());
        assert_eq!(record.occurred_at, RECEIVED);
    }
}
