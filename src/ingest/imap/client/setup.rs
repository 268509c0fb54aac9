//! The write commands that tests and benchmark setup need: APPEND (optionally with an
//! INTERNALDATE), CREATE and DELETE. Tidings itself never changes a mailbox.

use super::wire::timed;
use super::{quote, ImapConnection, ImapError};

impl ImapConnection {
    /// Appends a message to `folder` (tests and benchmark setup only).
    pub async fn append(&mut self, folder: &str, message: &[u8]) -> Result<(), ImapError> {
        self.append_with(folder, message, None).await
    }

    /// Appends a message to `folder` with the given INTERNALDATE, Unix seconds (tests only:
    /// mail that seems to have arrived in the past).
    pub async fn append_dated(
        &mut self,
        folder: &str,
        message: &[u8],
        internal_date: i64,
    ) -> Result<(), ImapError> {
        let date = chrono::DateTime::from_timestamp(internal_date, 0).ok_or_else(|| {
            ImapError::Protocol {
                command: "APPEND".to_string(),
                detail: format!("{internal_date} is not a usable Unix time; pass seconds"),
            }
        })?;
        let date = date.format("\"%d-%b-%Y %H:%M:%S +0000\"").to_string();
        self.append_with(folder, message, Some(&date)).await
    }

    async fn append_with(
        &mut self,
        folder: &str,
        message: &[u8],
        internal_date: Option<&str>,
    ) -> Result<(), ImapError> {
        self.usable()?;
        let append = self.session.append(folder, None, internal_date, message);
        let result = timed(self.timeout, "APPEND", append).await;
        let result = self.settle(result, "APPEND");
        self.drain_unsolicited();
        result
    }

    /// Creates `folder` (tests and benchmark setup only).
    pub async fn create_folder(&mut self, folder: &str) -> Result<(), ImapError> {
        let command = format!("CREATE {}", quote(folder)?);
        let tagged = self.command("CREATE", &command, |_| {}).await?;
        tagged.into_result(&format!("CREATE {folder:?}"), "it may exist already")
    }

    /// Deletes `folder` (tests and benchmark setup only).
    pub async fn delete_folder(&mut self, folder: &str) -> Result<(), ImapError> {
        let command = format!("DELETE {}", quote(folder)?);
        let tagged = self.command("DELETE", &command, |_| {}).await?;
        tagged.into_result(&format!("DELETE {folder:?}"), "check that it exists")
    }
}
