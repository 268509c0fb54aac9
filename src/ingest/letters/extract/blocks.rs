//! The address blocks at the head of a letter: which one is the sender's and which the
//! recipient's (the service's own address, never to be taken as the sender's), and the
//! sender's address lines and postcode.

use super::postcode::{find_in_line, without, Found};
use super::words::{is_address_line, is_name_like, is_org_line};
use crate::domain::{PersonName, Postcode};
use std::ops::Range;

/// A run of header lines that ends (apart from contact lines) with a postcode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressBlock {
    /// Line indexes in the header, contact lines after the postcode included.
    pub lines: Range<usize>,
    /// The index of the postcode's line.
    pub postcode_line: usize,
    /// The postcode found there.
    pub found: Found,
}

/// The sender's block and the recipient's block, when found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Blocks {
    /// The sender's address block.
    pub sender: Option<AddressBlock>,
    /// The recipient's (the organisation's) address block.
    pub recipient: Option<AddressBlock>,
}

/// Telephone, email, fax or date lines that may follow a postcode in the same block.
fn is_contact_line(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower.contains('@')
        || [
            "tel", "phone", "mob", "email", "e-mail", "fax", "date", "home", "work",
        ]
        .iter()
        .any(|label| lower.starts_with(label))
        || line.chars().filter(char::is_ascii_digit).count() >= 9
        || super::date::letter_date(&[line], &[]).is_some()
}

/// A line no address block runs across: a date, a subject line, or a sentence.
fn is_boundary(line: &str) -> bool {
    let lower = line.to_lowercase();
    super::date::letter_date(&[line], &[]).is_some()
        || ["re:", "re;", "subject", "ref:", "our ref", "your ref"]
            .iter()
            .any(|label| lower.starts_with(label))
        || line.chars().count() > 60
}

/// Address blocks in `header`. Blank lines do not separate blocks (OCR puts them inside
/// blocks too): a block runs from a boundary (the start, a date, a subject line, the end of
/// the previous block) to its postcode line, plus the contact lines right after it; the
/// next other line starts a new block.
pub fn address_blocks(header: &[&str]) -> Vec<AddressBlock> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut postcode: Option<(usize, Found)> = None;
    let mut close = |start: usize, end: usize, postcode: (usize, Found)| {
        out.push(AddressBlock {
            lines: start..end,
            postcode_line: postcode.0,
            found: postcode.1,
        });
    };
    for (i, line) in header.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if postcode.is_some() {
            if is_contact_line(line) {
                end = i + 1;
                continue;
            }
            if let (Some(s), Some(p)) = (start.take(), postcode.take()) {
                close(s, end, p);
            }
        }
        if is_boundary(line) {
            start = None;
            continue;
        }
        start.get_or_insert(i);
        end = i + 1;
        if let Some(found) = find_in_line(line).pop() {
            postcode = Some((i, found));
        }
    }
    if let (Some(s), Some(p)) = (start, postcode) {
        close(s, end, p);
    }
    out
}

/// Chooses the sender's and the recipient's block. An organisation's block (a line naming a
/// fire service, council, department…) is the recipient; with two plain blocks, the later
/// one (just before "Dear") is the recipient; a single plain block is the sender's.
pub fn choose(header: &[&str]) -> Blocks {
    let mut blocks = address_blocks(header);
    let is_org = |b: &AddressBlock| {
        header[b.lines.start..=b.postcode_line]
            .iter()
            .any(|l| is_org_line(l))
    };
    match blocks.len() {
        0 => Blocks::default(),
        1 => {
            let only = blocks.remove(0);
            if is_org(&only) {
                Blocks {
                    sender: None,
                    recipient: Some(only),
                }
            } else {
                Blocks {
                    sender: Some(only),
                    recipient: None,
                }
            }
        }
        _ => {
            let sender_at = blocks.iter().position(|b| !is_org(b)).unwrap_or(0);
            let recipient_at = blocks
                .iter()
                .enumerate()
                .rev()
                .find(|(i, b)| *i != sender_at && is_org(b))
                .or_else(|| {
                    blocks
                        .iter()
                        .enumerate()
                        .rev()
                        .find(|(i, _)| *i != sender_at)
                })
                .map(|(i, _)| i);
            Blocks {
                sender: blocks.get(sender_at).cloned(),
                recipient: recipient_at.and_then(|i| blocks.get(i).cloned()),
            }
        }
    }
}

/// The sender's name line (when the block starts with one), address lines (postcode and
/// contact lines left out) and postcode.
pub fn sender_details(
    header: &[&str],
    block: &AddressBlock,
    signature: Option<&PersonName>,
) -> (Option<PersonName>, Vec<String>, Postcode) {
    let first = header[block.lines.start];
    let name = is_name_like(first).filter(|n| match signature {
        Some(sig) => n.compatible(sig) || n.sounds_like(sig),
        None => !is_address_line(first) && block.postcode_line > block.lines.start + 1,
    });
    let skip = usize::from(name.is_some());
    let mut lines = Vec::new();
    let first_line = block.lines.start + skip;
    for (i, line) in header
        .iter()
        .enumerate()
        .take(block.postcode_line + 1)
        .skip(first_line)
    {
        let text = if i == block.postcode_line {
            without(line, &block.found)
        } else {
            line.trim().trim_end_matches(',').to_string()
        };
        if !text.is_empty() && !is_contact_line(&text) {
            lines.push(text);
        }
    }
    (name, lines, block.found.postcode.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_BLOCKS: [&str; 13] = [
        "Ann Jones",
        "14 Acacia Avenue",
        "Wallasey",
        "CH44 7HX",
        "Tel: 0151 496 0123",
        "",
        "3 February 2025",
        "",
        "Chief Fire Officer",
        "Merseyside Fire & Rescue Service",
        "Bridle Road",
        "Bootle",
        "L30 4YD",
    ];

    #[test]
    fn the_service_block_is_the_recipient_and_the_other_the_sender() {
        let blocks = choose(&TWO_BLOCKS);
        let sender = blocks.sender.expect("a sender block");
        assert_eq!(sender.found.postcode.as_str(), "CH44 7HX");
        assert_eq!(
            sender.lines,
            0..7,
            "the date after the contact lines belongs to the block"
        );
        let recipient = blocks.recipient.expect("a recipient block");
        assert_eq!(recipient.found.postcode.as_str(), "L30 4YD");
    }

    #[test]
    fn recipient_first_still_leaves_the_sender_to_the_plain_block() {
        let mut lines: Vec<&str> = TWO_BLOCKS[8..].to_vec();
        lines.push("");
        lines.extend_from_slice(&TWO_BLOCKS[..5]);
        let blocks = choose(&lines);
        assert_eq!(
            blocks.sender.expect("sender").found.postcode.as_str(),
            "CH44 7HX"
        );
    }

    #[test]
    fn two_plain_blocks_the_later_is_the_recipient() {
        let lines = [
            "Ann Jones",
            "14 Acacia Avenue",
            "CH44 7HX",
            "",
            "Ms G Okafor",
            "2 Dale Street",
            "L2 2DH",
        ];
        let blocks = choose(&lines);
        assert_eq!(
            blocks.sender.expect("sender").found.postcode.as_str(),
            "CH44 7HX"
        );
        assert_eq!(
            blocks.recipient.expect("recipient").found.postcode.as_str(),
            "L2 2DH"
        );
    }

    #[test]
    fn blocks_without_a_blank_line_between_are_split_after_the_postcode() {
        let lines = [
            "14 Acacia Avenue",
            "CH44 7HX",
            "Fire Service HQ",
            "Bridle Road",
            "L30 4YD",
        ];
        let found = address_blocks(&lines);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].lines, 2..5);
    }

    #[test]
    fn blank_lines_inside_a_block_do_not_split_it() {
        // Tesseract's paragraph detection leaves blank lines inside address blocks.
        let lines = [
            "Ann Jones",
            "",
            "14 Acacia Avenue",
            "Wallasey",
            "",
            "CH44 7HX",
            "",
            "Tel: 0151 496 0123",
            "",
            "3rd February 2025",
            "",
            "Chief Fire Officer",
            "",
            "Northshire Fire and Rescue Service",
            "Bridle Road",
            "",
            "L30 4YD",
            "",
            "Tel: 0151 496 0000",
        ];
        let blocks = choose(&lines);
        let sender = blocks.sender.expect("sender");
        assert_eq!(sender.lines, 0..10);
        let recipient = blocks.recipient.expect("recipient");
        assert_eq!(recipient.lines, 11..19);
    }

    #[test]
    fn a_single_service_block_is_not_the_sender() {
        let lines = [
            "Merseyside Fire & Rescue Service",
            "Bridle Road",
            "Bootle",
            "L30 4YD",
        ];
        let blocks = choose(&lines);
        assert!(blocks.sender.is_none());
        assert!(blocks.recipient.is_some());
    }

    #[test]
    fn sender_details_leave_out_name_postcode_and_contact_lines() {
        let blocks = choose(&TWO_BLOCKS);
        let sender = blocks.sender.expect("sender");
        let signature = PersonName::parse("Ann Jones").ok();
        let (name, address, postcode) = sender_details(&TWO_BLOCKS, &sender, signature.as_ref());
        assert_eq!(name.map(|n| n.to_string()).as_deref(), Some("Ann Jones"));
        assert_eq!(address, ["14 Acacia Avenue", "Wallasey"]);
        assert_eq!(postcode.as_str(), "CH44 7HX");
    }
}
