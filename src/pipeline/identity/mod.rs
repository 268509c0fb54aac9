//! Identity: which customer an item belongs to, decided by its own stage after ingest
//! (`stage`). `resolve` plans a batch from the identifiers the store knows; the linker (`pipeline::link`) extracts each item's identifiers from its
//! contact record. Pure; only `store/` touches the database.

pub mod resolve;
pub mod stage;

pub use resolve::{resolve, Candidate, Decision, Method, NewCustomer, Plan, Target};
