//! The stages after a raw item is read: link it to a customer and staff (`link`), count
//! contacts against the population (`count`), and raise advisory flags (`flags`).
//! `link` and `count` are pure; `flags` runs a pass over the store.

pub mod count;
pub mod flags;
pub mod identity;
pub mod link;
