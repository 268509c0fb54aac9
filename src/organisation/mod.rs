//! Who the organisation is: its staff directory (names, roles, extensions, direct dials,
//! seniority and service areas), loaded from `[organisation] staff_directory`.
//!
//! Owns no I/O beyond reading the directory file; linking uses it to recognise staff on either
//! side of an email, call or letter so they are never treated as customers.

mod directory;
mod names;

pub use directory::{DirectoryError, StaffDirectory, StaffMember};
