//! Whole letters, hand-written the way OCR and text layers give them.

use super::*;

const TYPICAL: &str = "\
                                              Ann Jones
                                              14 Acacia Avenue
                                              Wallasey
                                              CH44 7HX
                                              Tel: 0151 496 0123
                                              ann.jones@example.org

                                              3rd February 2025

Chief Fire Officer
Merseyside Fire & Rescue Service
Bridle Road
Bootle
L30 4YD

Dear Chief Fire Officer,

Re: Smoke alarm fitting

Thank you for the visit on 1 January 2025. The crew fitted two alarms. Please call
me on 07700 900123 if you need to come back. Your office number 0151 496 0999 is on
the leaflet.

Yours sincerely,

Ann Jones
";

fn fields(text: &str) -> LetterFields {
    extract_letter(text, "GB")
}

#[test]
fn a_typical_letter_gives_every_field() {
    let f = fields(TYPICAL);
    assert_eq!(
        f.sender_name.map(|n| n.to_string()).as_deref(),
        Some("Ann Jones")
    );
    assert_eq!(f.address, ["14 Acacia Avenue", "Wallasey"]);
    assert_eq!(
        f.postcode.map(|p| p.to_string()).as_deref(),
        Some("CH44 7HX")
    );
    let phones: Vec<String> = f.phones.iter().map(ToString::to_string).collect();
    assert_eq!(phones, ["+441514960123", "+447700900123", "+441514960999"]);
    let emails: Vec<String> = f.emails.iter().map(ToString::to_string).collect();
    assert_eq!(emails, ["ann.jones@example.org"]);
    assert_eq!(f.letter_date, NaiveDate::from_ymd_opt(2025, 2, 3));
    assert_eq!(
        f.addressee,
        Some(Addressee::Role("Chief Fire Officer".into()))
    );
    assert_eq!(f.subject.as_deref(), Some("Smoke alarm fitting"));
}

#[test]
fn the_service_address_is_never_the_senders() {
    let text = "\
Merseyside Fire & Rescue Service
Bridle Road
Bootle
L30 4YD

Dear Sir or Madam,

I write about the hydrant outside my house.

Yours faithfully

Kwame Mensah
";
    let f = fields(text);
    assert_eq!(f.postcode, None);
    assert!(f.address.is_empty());
    assert_eq!(
        f.sender_name.map(|n| n.to_string()).as_deref(),
        Some("Kwame Mensah")
    );
    assert_eq!(f.addressee, Some(Addressee::Role("Sir or Madam".into())));
}

#[test]
fn ocr_mangled_postcodes_are_corrected() {
    let text = "\
Grace Okafor
2 Mill Lane
Birkenhead CH4I 5A8

12/03/2025

Ms P Hughes
Fire Safety Team
Croxteth Fire Station
LI 8JQ

Dear Ms Hughes,
Subject: Home fire safety check

Please visit.

Kind regards,
Grace Okafor
";
    let f = fields(text);
    assert_eq!(
        f.postcode.map(|p| p.to_string()).as_deref(),
        Some("CH41 5AB")
    );
    assert_eq!(f.address, ["2 Mill Lane", "Birkenhead"]);
    assert_eq!(f.letter_date, NaiveDate::from_ymd_opt(2025, 3, 12));
    assert_eq!(f.addressee, Some(Addressee::Name("Ms Hughes".into())));
    assert_eq!(f.subject.as_deref(), Some("Home fire safety check"));
}

#[test]
fn ocr_spacing_in_emails_and_letters_for_digits() {
    let text = "\
Priya Shah
9 Park View
M60 2LA
Mobile: O7700 9OO456
Email: priya.shah @ example . com

Dear Mr Patel,
Yours sincerely
Priya Shah
";
    let f = fields(text);
    let phones: Vec<String> = f.phones.iter().map(ToString::to_string).collect();
    assert_eq!(phones, ["+447700900456"]);
    let emails: Vec<String> = f.emails.iter().map(ToString::to_string).collect();
    assert_eq!(emails, ["priya.shah@example.com"]);
    assert_eq!(f.address, ["9 Park View"]);
    assert_eq!(f.addressee, Some(Addressee::Name("Mr Patel".into())));
}

#[test]
fn without_a_signature_the_block_name_is_the_sender() {
    let text = "\
Mr Tomasz Nowak
Flat 3
22 Church Street
Liverpool L1 8JQ

Dear Sir,
The alarm keeps sounding.
";
    let f = fields(text);
    assert_eq!(
        f.sender_name.map(|n| n.to_string()).as_deref(),
        Some("Mr Tomasz Nowak")
    );
    assert_eq!(f.address, ["Flat 3", "22 Church Street", "Liverpool"]);
    assert_eq!(f.postcode.map(|p| p.to_string()).as_deref(), Some("L1 8JQ"));
}

#[test]
fn text_without_letter_parts_gives_empty_fields() {
    assert_eq!(fields(""), LetterFields::default());
    assert_eq!(fields("just some words\nand more"), LetterFields::default());
}

#[test]
fn side_by_side_blocks_in_layout_text_are_read_as_two_columns() {
    let text = "\
                                                  Ann Jones
                                                  14 Acacia Avenue
Chief Fire Officer                                Wallasey
Northshire Fire and Rescue Service                CH44 7HX
Bridle Road                                       Tel: 0151 496 0123
Bootle
L30 4YD                                           3 February 2025

Dear Chief Fire Officer,
Re: Smoke alarm fitting
Yours sincerely
Ann Jones
";
    let f = fields(text);
    assert_eq!(
        f.postcode.map(|p| p.to_string()).as_deref(),
        Some("CH44 7HX")
    );
    assert_eq!(f.address, ["14 Acacia Avenue", "Wallasey"]);
    let phones: Vec<String> = f.phones.iter().map(ToString::to_string).collect();
    assert_eq!(phones, ["+441514960123"]);
    assert_eq!(f.letter_date, NaiveDate::from_ymd_opt(2025, 2, 3));
}
