//! Outbound mail: SMTP transport (`smtp`), its config, and the outbox delivery worker
//! (`outbox`) that sends what other stages enqueued, with retries.

pub mod config;
pub mod outbox;
pub mod smtp;
