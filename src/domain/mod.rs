//! Domain types: values made only by constructors that check them ("parse, don't validate").
//! Raw headers, CSV cells and OCR text become these types once, at the ingest boundary.

mod contact;
mod email_address;
mod item;
mod person_name;
mod phone_number;
mod postcode;

pub use contact::{
    CallDetails, CallResult, ContactRecord, Details, EvidenceRef, Identifier, LetterDetails, Party,
    PartyRole, ThreadHints,
};
pub use email_address::EmailAddress;
pub use item::{Channel, Direction, UnixTime};
pub use person_name::PersonName;
pub use phone_number::PhoneNumber;
pub use postcode::Postcode;

/// Why a value could not become a domain type. Each message says what was wrong.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DomainError {
    /// An email address did not have the shape `local@domain`.
    #[error("{input:?} is not a usable email address: {why}")]
    InvalidEmail {
        /// The offending input (truncated).
        input: String,
        /// What was wrong with it.
        why: String,
    },
    /// A telephone number could not be read as one.
    #[error("{input:?} is not a usable telephone number: {why}")]
    InvalidPhone {
        /// The offending input (truncated).
        input: String,
        /// What was wrong with it.
        why: String,
    },
    /// A postcode did not have the UK postcode shape.
    #[error("{input:?} is not a UK postcode (expected a shape such as L1 8JQ or SW1A 1AA)")]
    InvalidPostcode {
        /// The offending input (truncated).
        input: String,
    },
    /// A person's name was empty, had no letters or was too long to be a name.
    #[error("{input:?} is not usable as a person's name: {why}")]
    InvalidName {
        /// The offending input (truncated).
        input: String,
        /// What was wrong with it.
        why: String,
    },
    /// A stored or configured enum value was not one of the known names.
    #[error("{value:?} is not a known {what}; expected one of: {expected}")]
    UnknownName {
        /// What kind of value it was meant to be.
        what: &'static str,
        /// The value given.
        value: String,
        /// The accepted names.
        expected: &'static str,
    },
}
