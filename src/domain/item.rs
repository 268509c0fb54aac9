//! Channel and direction of a contact item, and the time type used throughout.

use super::DomainError;
use std::fmt;
use std::str::FromStr;

/// Seconds since the Unix epoch, UTC. Stored as a 64-bit integer in both backends.
pub type UnixTime = i64;

/// How a contact reached (or left) the organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    /// An email message.
    Email,
    /// A telephone call from a call log.
    Call,
    /// A scanned letter.
    Letter,
    /// A file note written by staff.
    Note,
}

/// Whether an item came from a customer, went to one, or stayed among staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From a customer to the organisation.
    Inbound,
    /// From staff to a customer (a "previous response").
    Outbound,
    /// Between staff only; never counted as customer contact.
    Internal,
}

macro_rules! named_enum {
    ($ty:ident, $what:literal, $($variant:ident => $name:literal),+) => {
        impl $ty {
            /// The stable name used in the store, exports and config.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }
        impl FromStr for $ty {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s { $($name => Ok($ty::$variant),)+ _ => Err(DomainError::UnknownName {
                    what: $what, value: s.to_string(), expected: concat!($($name, " "),+),
                }) }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

named_enum!(Channel, "channel", Email => "email", Call => "call", Letter => "letter", Note => "note");
named_enum!(Direction, "direction", Inbound => "inbound", Outbound => "outbound", Internal => "internal");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in [
            Channel::Email,
            Channel::Call,
            Channel::Letter,
            Channel::Note,
        ] {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(c));
        }
        for d in [Direction::Inbound, Direction::Outbound, Direction::Internal] {
            assert_eq!(d.as_str().parse::<Direction>(), Ok(d));
        }
        assert!("fax".parse::<Channel>().is_err());
    }
}
