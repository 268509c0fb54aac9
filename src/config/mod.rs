//! Configuration: built-in defaults → a TOML file (`config/tidings.toml`) → environment
//! overrides `TIDINGS_<SECTION>__<KEY>`. Unknown keys are rejected with the key and the file.
//! Each component owns its own config struct (`ingest::imap::config`, `outbound::config`);
//! this module assembles them.

mod load;
mod secret;
mod sections;

#[cfg(test)]
mod documented_tests;

pub use load::{load, warnings, ConfigError};
pub use secret::Secret;
pub use sections::{
    AlertsConfig, Config, ContactVolumeConfig, DigestConfig, DigestRecipient, DropFolderConfig,
    FlagsConfig, HttpConfig, LogConfig, LogFormat, OrganisationConfig, StoreConfig,
};
