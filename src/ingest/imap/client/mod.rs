//! IMAP protocol client over async-imap: connect (TLS, STARTTLS or plain; LOGIN or XOAUTH2),
//! EXAMINE, UID listing (optionally with Message-IDs), `SEARCH SINCE`, batched body fetches,
//! IDLE, and the few write commands tests need.
//! Reads never change the mailbox (EXAMINE, BODY.PEEK). No storage, no parsing of messages.
//!
//! Fetch and IDLE responses are read here directly (not through async-imap's fetch stream), so
//! a tagged NO/BAD, a BYE or a dropped connection is always seen, unsolicited FETCH updates are
//! not mistaken for messages, and message bytes are copied out as each response arrives.
//! After a `Timeout` or `Closed` error the connection is unusable: drop it and reconnect.
//!
//! This file holds the public types and the core commands; `connect`, `listing`, `search`,
//! `wire`, `idle`, `setup` (test-only writes), `uid_set` and `error` hold the rest.

use super::config::Security;
use super::tls::Transport;
use crate::config::Secret;
use async_imap::imap_proto::{
    AttributeValue, MailboxDatum, MessageSection, Response, ResponseCode, SectionPath, Status,
};
use async_imap::Session;
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

mod connect;
mod error;
mod idle;
mod listing;
mod search;
mod setup;
mod uid_set;
mod wire;

pub use error::ImapError;
use error::Tagged;
pub use search::SinceDate;
use wire::{timed, Tracker};

/// Where to connect and how long to wait for any one command or response.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Account name, used in error messages ("check … for account X").
    pub account: String,
    /// Server host name or IP address (also the TLS server name).
    pub host: String,
    /// Server TCP port.
    pub port: u16,
    /// Transport security.
    pub security: Security,
    /// Extra trust anchor (PEM) besides Mozilla's roots.
    pub ca_file: Option<PathBuf>,
    /// Time limit for connecting, each command write and each server response.
    pub timeout: Duration,
}

/// How to authenticate.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// IMAP `LOGIN`.
    Password {
        /// Login name.
        user: String,
        /// Password.
        password: Secret,
    },
    /// SASL `XOAUTH2` with a current OAuth 2 access token.
    XOAuth2 {
        /// Login name (the mailbox address).
        user: String,
        /// Access token.
        token: Secret,
    },
}

/// What EXAMINE reported about a folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FolderState {
    /// UIDVALIDITY: if it changes, every stored UID of the folder is void.
    pub uid_validity: u32,
    /// The UID the next message will get, if the server said.
    pub uid_next: Option<u32>,
    /// Number of messages in the folder.
    pub exists: u32,
    /// HIGHESTMODSEQ, when the server supports CONDSTORE.
    pub highest_modseq: Option<u64>,
}

/// A message's UID and RFC822.SIZE, from [`ImapConnection::list_uids`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UidSize {
    /// Message UID.
    pub uid: u32,
    /// Size in bytes as the server counts it (RFC822.SIZE).
    pub size: u32,
}

/// One fetched message (or only its header, from [`ImapConnection::fetch_headers`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedMessage {
    /// Message UID.
    pub uid: u32,
    /// INTERNALDATE (when the server received it), Unix seconds.
    pub internal_date: Option<i64>,
    /// The bytes exactly as the server holds them.
    pub bytes: Vec<u8>,
}

/// The result of one `UID FETCH`: the messages that came, sorted by UID, and the UIDs that did
/// not. A UID missing after a tagged OK was expunged meanwhile (skip it); after a tagged NO
/// (`refused`) the server could not read it right now (retry it later, then quarantine).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FetchBatch {
    /// Messages received, sorted by UID.
    pub messages: Vec<FetchedMessage>,
    /// Requested UIDs that did not come back, ascending.
    pub missing: Vec<u32>,
    /// The server's text when it answered the fetch with NO.
    pub refused: Option<String>,
}

impl FetchBatch {
    /// All requested messages, or [`ImapError::MissingUids`] if any did not come back.
    pub fn into_complete(self) -> Result<Vec<FetchedMessage>, ImapError> {
        if self.missing.is_empty() {
            return Ok(self.messages);
        }
        Err(ImapError::MissingUids {
            requested: self.messages.len() + self.missing.len(),
            got: self.messages.len(),
            missing: self.missing,
        })
    }
}

/// Why [`ImapConnection::idle_wait`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdleOutcome {
    /// The server reported new messages (EXISTS/RECENT): list UIDs again.
    NewData,
    /// `max` passed without news.
    TimedOut,
}

/// An authenticated IMAP connection (plain TCP or TLS, TCP_NODELAY set). Connect with
/// [`ImapConnection::connect`]; wait for mail with [`ImapConnection::idle_wait`].
#[derive(Debug)]
pub struct ImapConnection {
    session: Session<Transport>,
    timeout: Duration,
    capabilities: Vec<String>,
    tracker: Tracker,
    broken: Option<String>,
}

impl ImapConnection {
    /// The server's capabilities after login, upper-case (e.g. `IDLE`, `CONDSTORE`).
    pub fn capabilities(&self) -> &[String] {
        &self.capabilities
    }

    /// True if the server advertised `name` (case-insensitive).
    pub fn has_capability(&self, name: &str) -> bool {
        self.capabilities
            .iter()
            .any(|c| c.eq_ignore_ascii_case(name))
    }

    /// True if the server supports IDLE; otherwise poll.
    pub fn supports_idle(&self) -> bool {
        self.has_capability("IDLE")
    }

    /// Opens `folder` read-only (EXAMINE, with CONDSTORE when offered): never changes `\Seen`.
    pub async fn examine(&mut self, folder: &str) -> Result<FolderState, ImapError> {
        let condstore = if self.has_capability("CONDSTORE") {
            " (CONDSTORE)"
        } else {
            ""
        };
        let command = format!("EXAMINE {}{condstore}", quote(folder)?);
        let (mut validity, mut next, mut modseq, mut exists) = (None, None, None, 0);
        let tagged = self
            .command("EXAMINE", &command, |response| match response {
                Response::Data {
                    status: Status::Ok,
                    outcome,
                } => match &outcome.code {
                    Some(ResponseCode::UidValidity(v)) => validity = Some(*v),
                    Some(ResponseCode::UidNext(n)) => next = Some(*n),
                    Some(ResponseCode::HighestModSeq(m)) => modseq = Some(*m),
                    _ => {}
                },
                Response::MailboxData(MailboxDatum::Exists(n)) => exists = *n,
                _ => {}
            })
            .await?;
        let what = format!("EXAMINE {folder:?}");
        tagged.into_result(
            &what,
            "check the folder name and that the account may read it",
        )?;
        self.tracker = Tracker {
            exists,
            new_data: false,
        };
        let uid_validity = validity.ok_or_else(|| ImapError::Protocol {
            command: what,
            detail: "the server sent no UIDVALIDITY, so messages cannot be tracked".to_string(),
        })?;
        Ok(FolderState {
            uid_validity,
            uid_next: next,
            exists,
            highest_modseq: modseq,
        })
    }

    /// Whole messages for `uids` (`BODY.PEEK[]`, so `\Seen` is not set), in one `UID FETCH`
    /// with a compact UID set. Keep batches to a few thousand UIDs.
    pub async fn fetch_bodies(&mut self, uids: &[u32]) -> Result<FetchBatch, ImapError> {
        self.fetch(uids, false).await
    }

    /// Only the headers of `uids` (`BODY.PEEK[HEADER]`), for messages too large to fetch.
    pub async fn fetch_headers(&mut self, uids: &[u32]) -> Result<FetchBatch, ImapError> {
        self.fetch(uids, true).await
    }

    async fn fetch(&mut self, uids: &[u32], headers_only: bool) -> Result<FetchBatch, ImapError> {
        let mut wanted = uids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(FetchBatch::default());
        }
        let item = if headers_only {
            "BODY.PEEK[HEADER]"
        } else {
            "BODY.PEEK[]"
        };
        let set = uid_set::compact_uid_set(&wanted);
        let command = format!("UID FETCH {set} (UID INTERNALDATE {item})");
        let mut received = vec![false; wanted.len()];
        let mut messages = Vec::with_capacity(wanted.len());
        let tagged = self
            .command("UID FETCH", &command, |response| {
                let Response::Fetch(_, attributes) = response else {
                    return;
                };
                // Without a UID and the asked-for section it is an unsolicited flag update.
                let Some((uid, internal_date, bytes)) = fetched(attributes, headers_only) else {
                    return;
                };
                if let Ok(i) = wanted.binary_search(&uid) {
                    if !std::mem::replace(&mut received[i], true) {
                        let bytes = bytes.to_vec();
                        messages.push(FetchedMessage {
                            uid,
                            internal_date,
                            bytes,
                        });
                    }
                }
            })
            .await?;
        let refused = match tagged {
            Tagged::Ok => None,
            Tagged::No(text) => Some(text),
            bad @ Tagged::Bad(_) => {
                bad.into_result("UID FETCH", "this is a Tidings bug; please report it")?;
                None
            }
        };
        messages.sort_unstable_by_key(|m| m.uid);
        let missing = wanted
            .iter()
            .zip(&received)
            .filter(|(_, r)| !**r)
            .map(|(u, _)| *u);
        Ok(FetchBatch {
            messages,
            missing: missing.collect(),
            refused,
        })
    }

    /// Says LOGOUT and closes the connection.
    pub async fn logout(mut self) -> Result<(), ImapError> {
        self.usable()?;
        let result = timed(self.timeout, "LOGOUT", self.session.logout()).await;
        let result = self.settle(result, "LOGOUT");
        // Best effort: TLS close_notify; the server may already have closed.
        let _ = tokio::time::timeout(self.timeout, self.session.get_mut().shutdown()).await;
        result
    }
}

/// UID, INTERNALDATE and the body (or header) section of one FETCH response.
fn fetched<'a>(
    attributes: &'a [AttributeValue<'_>],
    headers_only: bool,
) -> Option<(u32, Option<i64>, &'a [u8])> {
    let (mut uid, mut date, mut data) = (None, None, None);
    for attribute in attributes {
        match attribute {
            AttributeValue::Uid(u) => uid = Some(*u),
            AttributeValue::InternalDate(d) => date = parse_internal_date(d),
            AttributeValue::BodySection {
                section,
                data: Some(bytes),
                ..
            } => {
                let header = matches!(section, Some(SectionPath::Full(MessageSection::Header)));
                if section.is_none() || (headers_only && header) {
                    data = Some(bytes.as_ref());
                }
            }
            _ => {}
        }
    }
    Some((uid?, date, data?))
}

/// A quoted IMAP folder name; non-ASCII names must be given in modified UTF-7.
fn quote(folder: &str) -> Result<String, ImapError> {
    if folder.is_empty() || !folder.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(ImapError::Protocol {
            command: format!("folder {folder:?}"),
            detail: "folder names must be printable ASCII; write non-ASCII names in modified \
                     UTF-7 as the server lists them"
                .to_string(),
        });
    }
    Ok(format!(
        "\"{}\"",
        folder.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// INTERNALDATE (`17-Jul-1996 02:44:25 -0700`, day possibly space-padded) as Unix seconds.
fn parse_internal_date(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_str(text.trim(), "%d-%b-%Y %H:%M:%S %z")
        .ok()
        .map(|d| d.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_dates_parse_with_padded_days() {
        assert_eq!(
            parse_internal_date("17-Jul-1996 02:44:25 -0700"),
            Some(837_596_665)
        );
        assert_eq!(
            parse_internal_date(" 1-Jan-2024 00:00:00 +0000"),
            Some(1_704_067_200)
        );
        assert_eq!(parse_internal_date("garbage"), None);
    }

    #[test]
    fn folder_names_are_quoted_and_checked() {
        assert_eq!(quote("INBOX").ok(), Some("\"INBOX\"".to_string()));
        assert_eq!(quote("a\"b\\c").ok(), Some("\"a\\\"b\\\\c\"".to_string()));
        assert!(quote("Éléments").is_err());
        assert!(quote("a\r\nb").is_err());
    }

    #[test]
    fn missing_uids_make_an_incomplete_batch_an_error() {
        let batch = FetchBatch {
            messages: Vec::new(),
            missing: vec![4],
            refused: None,
        };
        let err = batch.into_complete().err();
        assert!(matches!(
            err,
            Some(ImapError::MissingUids {
                requested: 1,
                got: 0,
                ..
            })
        ));
    }
}
