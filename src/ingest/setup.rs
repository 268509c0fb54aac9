//! Building the funnel from the configuration: the linker (staff domains, the staff
//! directory, shared mailboxes, own numbers) and the call-log reading context (region, time
//! zone, column mappings). Every value is checked here, once, so a bad key fails at start
//! with its name rather than on the first item.

use super::calls::CallsConfigError;
use super::Funnel;
use crate::config::Config;
use crate::domain::EmailAddress;
use crate::organisation::{DirectoryError, StaffDirectory};
use crate::pipeline::link::Linker;
use crate::store::Store;
use std::sync::Arc;

/// Why the funnel could not be built from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The staff directory could not be read.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// `[calls]` or an `[organisation]` value it uses is not usable.
    #[error(transparent)]
    Calls(#[from] CallsConfigError),
    /// A shared mailbox is not an email address.
    #[error("`organisation.shared_mailboxes` has {value:?}, which is not an email address; write the full address, such as \"enquiries@yourservice.gov.uk\"")]
    SharedMailbox {
        /// The value given.
        value: String,
    },
}

/// The staff directory named by `[organisation] staff_directory` (empty when none is named).
pub fn staff_directory(config: &Config) -> Result<StaffDirectory, SetupError> {
    let org = &config.organisation;
    Ok(match &org.staff_directory {
        Some(path) => StaffDirectory::load(path, &org.region)?,
        None => StaffDirectory::default(),
    })
}

/// The funnel every source of this configuration writes through.
pub fn funnel(store: Store, config: &Config) -> Result<Funnel, SetupError> {
    let org = &config.organisation;
    let calls = config
        .calls
        .context(&org.region, &org.timezone, &org.own_numbers)?;
    let shared = org
        .shared_mailboxes
        .iter()
        .map(|m| EmailAddress::parse(m).map_err(|_| SetupError::SharedMailbox { value: m.clone() }))
        .collect::<Result<Vec<_>, _>>()?;
    let linker = Linker::new(&org.staff_domains)
        .with_region(&org.region)
        .with_places(shared, calls.own_numbers.clone())
        .with_webmail(&org.webmail_domains)
        .with_directory(Arc::new(staff_directory(config)?));
    Ok(Funnel::with_linker(store, linker).with_calls(calls))
}
