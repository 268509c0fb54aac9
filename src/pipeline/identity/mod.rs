//! Identity: which customer an item belongs to. `resolve` plans a batch from the identifiers
//! the store knows; the linker (`pipeline::link`) extracts each item's identifiers from its
//! contact record. Pure; only `store/` touches the database.

pub mod resolve;

pub use resolve::{resolve, NewCustomer, Plan, Target};
