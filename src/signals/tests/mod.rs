//! Scan specifications: for each kind, sentences that must fire and sentences that must not.

use super::*;

mod eval;
