//! The stages after a raw item is read: link it to a customer and staff (`link`) and count
//! contacts against the population (`count`). Both are pure; advisory flags are `crate::flags`.

pub mod count;
pub mod identity;
pub mod link;
