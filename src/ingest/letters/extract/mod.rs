//! Pure extraction of a letter's fields from its text (text layer or OCR). A typical UK letter:
//! the sender's address block (postcode last), the date, the recipient block (the service's
//! own address), "Dear …", a subject line, the body, "Yours sincerely" and the signature
//! name. Each field has its own file; this one walks the layout.

mod blocks;
mod contact;
mod date;
mod postcode;
mod salutation;
mod words;

pub use contact::{emails, phones};
pub use postcode::find_in_line as find_postcodes;
pub use salutation::Addressee;

use super::scan::TextSource;
use crate::domain::{EmailAddress, LetterDetails, PersonName, PhoneNumber, Postcode};
use chrono::NaiveDate;

/// Spaces between two columns of a layout text line (`pdftotext -layout`).
const COLUMN_GAP: &str = "      ";
/// A text segment starting at or beyond this column is in the right-hand column.
const RIGHT_COLUMN: usize = 30;

/// Lines read before giving up on a header when a letter has no "Dear" line.
const HEADER_WITHOUT_SALUTATION: usize = 30;

/// What was found in a letter's text. Every field is optional: a letter that says little
/// still becomes a record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LetterFields {
    /// The sender's name (the signature, else the first line of the sender's block).
    pub sender_name: Option<PersonName>,
    /// The sender's address lines, without the name and the postcode.
    pub address: Vec<String>,
    /// The sender's postcode (never the recipient's).
    pub postcode: Option<Postcode>,
    /// Telephone numbers outside the recipient's block, in order.
    pub phones: Vec<PhoneNumber>,
    /// Email addresses outside the recipient's block, in order.
    pub emails: Vec<EmailAddress>,
    /// The date written on the letter.
    pub letter_date: Option<NaiveDate>,
    /// Whom it is addressed to.
    pub addressee: Option<Addressee>,
    /// The subject line's text.
    pub subject: Option<String>,
}

impl LetterFields {
    /// The fields as the record's letter details.
    pub fn details(&self, pages: u32, source: TextSource) -> LetterDetails {
        LetterDetails {
            pages,
            text_source: source.as_str().to_string(),
            sender_name: self.sender_name.as_ref().map(ToString::to_string),
            address: self.address.clone(),
            postcode: self.postcode.as_ref().map(ToString::to_string),
            phones: self.phones.iter().map(ToString::to_string).collect(),
            emails: self.emails.iter().map(ToString::to_string).collect(),
            letter_date: self.letter_date.map(|d| d.format("%Y-%m-%d").to_string()),
            addressee: self.addressee.as_ref().map(|a| a.as_str().to_string()),
        }
    }
}

/// Extracts a letter's fields from its text. National telephone numbers are read in
/// `region` (an ISO 3166 code such as `GB`).
pub fn extract_letter(text: &str, region: &str) -> LetterFields {
    let owned: Vec<String> = columns_apart(text)
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let lines: Vec<&str> = owned.iter().map(String::as_str).collect();
    let dear = lines.iter().position(|l| salutation::is_salutation(l));
    let close = lines
        .iter()
        .enumerate()
        .skip(dear.map_or(0, |d| d + 1))
        .find(|(_, l)| salutation::is_valediction(l))
        .map(|(i, _)| i);
    let header_end =
        dear.unwrap_or_else(|| close.unwrap_or(lines.len()).min(HEADER_WITHOUT_SALUTATION));
    let header = &lines[..header_end];
    let signature = close.and_then(|c| salutation::signature(&lines[c + 1..]));

    let found = blocks::choose(header);
    let (block_name, address, postcode) = match &found.sender {
        Some(block) => {
            let (name, address, postcode) =
                blocks::sender_details(header, block, signature.as_ref());
            (name, address, Some(postcode))
        }
        None => (None, Vec::new(), None),
    };
    let recipient = found.recipient.as_ref().map(|b| b.lines.clone());
    let outside_recipient: String = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !recipient.as_ref().is_some_and(|r| r.contains(i)))
        .map(|(_, l)| *l)
        .collect::<Vec<_>>()
        .join("\n");

    let addressee = dear
        .and_then(|d| salutation::addressee(lines[d]))
        .or_else(|| {
            let block = recipient.as_ref()?;
            let first = lines[block.start];
            Some(match words::is_name_like(first) {
                Some(name) => Addressee::Name(name.to_string()),
                None => Addressee::Role(first.to_string()),
            })
        });
    let before_close = &lines[..close.unwrap_or(lines.len())];
    LetterFields {
        sender_name: signature.or(block_name),
        address,
        postcode,
        phones: contact::phones(&outside_recipient, region),
        emails: contact::emails(&outside_recipient),
        letter_date: date::letter_date(header, &lines),
        addressee,
        subject: salutation::subject(before_close),
    }
}

/// Layout text can hold two blocks side by side (the sender's address on the right, the
/// recipient's on the left, on the same lines). When the head of the letter (before "Dear")
/// has such lines, its right-hand column is read first, as its own run of lines, then the
/// left-hand one; other text is unchanged.
fn columns_apart(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let head_end = lines
        .iter()
        .position(|l| salutation::is_salutation(l))
        .unwrap_or(0);
    let side_by_side = lines[..head_end]
        .iter()
        .any(|l| l.trim().contains(COLUMN_GAP));
    if !side_by_side {
        return lines.iter().map(|l| l.to_string()).collect();
    }
    let (mut right, mut left) = (Vec::new(), Vec::new());
    for line in &lines[..head_end] {
        let indent = line.len() - line.trim_start().len();
        let body = line.trim();
        let (l, r) = match body.find(COLUMN_GAP) {
            Some(at) => (&body[..at], body[at..].trim()),
            None if indent >= RIGHT_COLUMN => ("", body),
            None => (body, ""),
        };
        if !l.is_empty() {
            left.push(l.to_string());
        }
        if !r.is_empty() {
            right.push(r.to_string());
        }
    }
    right.push(String::new());
    right.extend(left);
    right.extend(lines[head_end..].iter().map(|l| l.to_string()));
    right
}

#[cfg(test)]
mod tests;
