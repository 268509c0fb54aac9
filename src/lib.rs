//! Tidings: a communications-ingestion daemon that keeps a neutral, evidence-based contact log.
//!
//! Data flows through the modules in this order (see `ARCHITECTURE.md`):
//! `ingest` (sources → one funnel) → `store` → `pipeline` (link, count, flag) → `digest` /
//! `outbound` (outbox → SMTP). `http` serves health, readiness and metrics. Only `store` names
//! sqlx; parsers in `ingest::email` do no I/O.

pub mod app;
pub mod arrangements;
pub mod bench;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod digest;
pub mod domain;
pub mod eval;
pub mod export;
pub mod flags;
pub mod guard;
pub mod http;
pub mod ingest;
pub mod organisation;
pub mod outbound;
pub mod pipeline;
pub mod routing;
pub mod sample;
pub mod signals;
pub mod store;
pub mod telemetry;
