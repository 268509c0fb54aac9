//! `UID SEARCH SINCE`: which messages the server received on or after a date, and the date
//! type (`since` in the config, `tidings run --since`) it takes.

use super::{ImapConnection, ImapError};
use async_imap::imap_proto::{MailboxDatum, Response};
use chrono::NaiveDate;
use std::fmt;
use std::str::FromStr;

/// A calendar date that limits how far back a first sync reads: `YYYY-MM-DD`, from 1900 up
/// to tomorrow (UTC; a later date would skip every message). Compared by the server with each
/// message's INTERNALDATE, ignoring time and time zone (IMAP `SEARCH SINCE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct SinceDate(NaiveDate);

impl SinceDate {
    /// The date as IMAP writes it in a search key: `1-Jan-2025`.
    pub fn imap(&self) -> String {
        self.0.format("%-d-%b-%Y").to_string()
    }

    /// The calendar date.
    pub fn date(&self) -> NaiveDate {
        self.0
    }
}

impl FromStr for SinceDate {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|_| text.len() == 10)
            .ok_or_else(|| format!("{text:?} is not a date like 2025-01-01 (YYYY-MM-DD)"))?;
        let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(1);
        if date > tomorrow {
            return Err(format!(
                "{text} is in the future: no message would be read and the checkpoint would \
                 move past all mail; give a past date"
            ));
        }
        if date < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN) {
            return Err(format!(
                "{text} is before 1900; leave `since` out to read all history"
            ));
        }
        Ok(Self(date))
    }
}

impl TryFrom<String> for SinceDate {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}

impl fmt::Display for SinceDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl ImapConnection {
    /// UIDs above `after_uid` of the examined folder's messages received on or after `since`
    /// (`UID SEARCH UID n:* SINCE d`, the server's INTERNALDATE), ascending.
    pub async fn search_since(
        &mut self,
        since: SinceDate,
        after_uid: u32,
    ) -> Result<Vec<u32>, ImapError> {
        let Some(first) = after_uid.checked_add(1) else {
            return Ok(Vec::new());
        };
        let command = format!("UID SEARCH UID {first}:* SINCE {}", since.imap());
        let mut found = Vec::new();
        let tagged = self
            .command("UID SEARCH", &command, |response| {
                if let Response::MailboxData(MailboxDatum::Search(uids)) = response {
                    found.extend(uids.iter().copied().filter(|u| *u > after_uid));
                }
            })
            .await?;
        tagged.into_result(
            "UID SEARCH SINCE",
            "examine a folder first; if the server cannot search by date, remove `since`",
        )?;
        found.sort_unstable();
        found.dedup();
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_checked_and_format_for_imap() {
        let date: Result<SinceDate, _> = "2025-01-01".parse();
        assert_eq!(date.map(|d| d.imap()), Ok("1-Jan-2025".to_string()));
        let date: Result<SinceDate, _> = " 2024-11-30 ".parse();
        assert_eq!(date.map(|d| d.to_string()), Ok("2024-11-30".to_string()));
        for bad in ["2025-1-1", "01-01-2025", "2025-02-30", "yesterday", ""] {
            let err = bad.parse::<SinceDate>().err().unwrap_or_default();
            assert!(err.contains("YYYY-MM-DD"), "{bad}: {err}");
        }
        let future = "2999-01-01".parse::<SinceDate>().err().unwrap_or_default();
        assert!(future.contains("future"), "{future}");
        let ancient = "1800-01-01".parse::<SinceDate>().err().unwrap_or_default();
        assert!(ancient.contains("1900"), "{ancient}");
    }
}
