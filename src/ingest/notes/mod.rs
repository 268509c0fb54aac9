//! File notes: a staff member's note in a customer's history, written with `tidings note add`.
//! The note is kept as a small JSON raw item (so it is evidence like any other item) and read
//! back here into a [`ContactRecord`] of channel `note`. Pure.

use crate::domain::{
    Channel, ContactRecord, Details, Direction, EmailAddress, Identifier, Party, PartyRole,
    ThreadHints, UnixTime,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a file note says, as kept in its raw item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The customer key the note is about.
    pub customer: String,
    /// The staff member who wrote it.
    pub staff: String,
    /// The note's text.
    pub text: String,
    /// When it was written (UTC seconds).
    pub written_at: UnixTime,
}

/// Why a kept note could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum NoteError {
    /// The raw item is not a note written by Tidings.
    #[error("not a Tidings file note ({0}); it was quarantined — add the note again with `tidings note add`")]
    Malformed(String),
    /// The note's author is not an email address.
    #[error(
        "the note's author {0:?} is not an email address; add the note again with `--staff EMAIL`"
    )]
    Author(String),
}

impl Note {
    /// The bytes kept as the note's raw item.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Reads a kept note into its contact record. The reference is `note:` and 12 hex digits of
/// the note's content hash, stable for the same note.
pub fn note_record(bytes: &[u8]) -> Result<ContactRecord, NoteError> {
    let note: Note =
        serde_json::from_slice(bytes).map_err(|e| NoteError::Malformed(e.to_string()))?;
    let author = EmailAddress::parse(&note.staff).map_err(|_| NoteError::Author(note.staff))?;
    let id = hex::encode(Sha256::digest(bytes));
    Ok(ContactRecord {
        channel: Channel::Note,
        item_ref: format!("note:{}", &id[..12]),
        occurred_at: note.written_at,
        direction: Direction::Internal,
        parties: vec![
            Party::with(PartyRole::Subject, Identifier::CustomerKey(note.customer)),
            Party::with(PartyRole::Author, Identifier::Email(author)),
        ],
        subject: None,
        text: note.text,
        thread: ThreadHints::default(),
        evidence: Vec::new(),
        automated: false,
        details: Details::None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note() -> Note {
        Note {
            customer: "c-0123456789ab".into(),
            staff: "desk@fire.example".into(),
            text: "Phoned back about the smoke alarm fitting; visit booked.".into(),
            written_at: 1_700_000_000,
        }
    }

    #[test]
    fn a_note_reads_back_as_a_note_item_about_its_customer() {
        let r = note_record(&note().to_bytes()).expect("readable");
        assert_eq!(r.channel, Channel::Note);
        assert!(r.item_ref.starts_with("note:") && r.item_ref.len() == 17);
        assert_eq!(r.occurred_at, 1_700_000_000);
        assert_eq!(r.text, note().text);
        assert_eq!(
            r.parties[0].identifiers,
            vec![Identifier::CustomerKey("c-0123456789ab".into())]
        );
    }

    #[test]
    fn the_same_note_has_the_same_reference() {
        let a = note_record(&note().to_bytes()).expect("readable");
        let b = note_record(&note().to_bytes()).expect("readable");
        assert_eq!(a.item_ref, b.item_ref);
    }

    #[test]
    fn bytes_that_are_not_a_note_are_refused() {
        assert!(matches!(
            note_record(b"hello"),
            Err(NoteError::Malformed(_))
        ));
        let mut bad = note();
        bad.staff = "not an address".into();
        assert!(matches!(
            note_record(&bad.to_bytes()),
            Err(NoteError::Author(_))
        ));
    }
}
