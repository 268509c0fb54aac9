//! IMAP protocol client over async-imap: connect (TLS, STARTTLS or plain; LOGIN or XOAUTH2),
//! EXAMINE, UID listing, batched body fetches, IDLE, and the few write commands tests need.
//! Reads never change the mailbox (EXAMINE, BODY.PEEK). No storage, no parsing of messages.
//!
//! Fetch and IDLE responses are read here directly (not through async-imap's fetch stream), so
//! a tagged NO/BAD, a BYE or a dropped connection is always seen, unsolicited FETCH updates are
//! not mistaken for messages, and message bytes are copied out as each response arrives.
//! After a `Timeout` or `Closed` error the connection is unusable: drop it and reconnect.
//!
//! The inline modules below are laid out to move verbatim to `client/<name>.rs`.

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

pub use error::ImapError;
use error::Tagged;
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

    /// UIDs and sizes of the examined folder's messages with UID > `after_uid`, ascending.
    /// (`UID FETCH n:*` also returns the last message when its UID < n; it is filtered out.)
    pub async fn list_uids(&mut self, after_uid: u32) -> Result<Vec<UidSize>, ImapError> {
        let Some(first) = after_uid.checked_add(1) else {
            return Ok(Vec::new());
        };
        // Cleared before listing: news arriving during the listing wakes the next idle_wait.
        self.tracker.new_data = false;
        let mut listed = Vec::new();
        let command = format!("UID FETCH {first}:* (UID RFC822.SIZE)");
        let tagged = self
            .command("UID FETCH (listing)", &command, |response| {
                let Response::Fetch(_, attributes) = response else {
                    return;
                };
                let (mut uid, mut size) = (None, None);
                for attribute in attributes {
                    match attribute {
                        AttributeValue::Uid(u) => uid = Some(*u),
                        AttributeValue::Rfc822Size(s) => size = Some(*s),
                        _ => {}
                    }
                }
                if let (Some(uid), Some(size)) = (uid, size) {
                    if uid > after_uid {
                        listed.push(UidSize { uid, size });
                    }
                }
            })
            .await?;
        if self.tracker.exists == 0 && listed.is_empty() {
            return Ok(listed); // some servers answer BAD to `n:*` in an empty folder
        }
        tagged.into_result("UID FETCH (listing)", "examine a folder first")?;
        listed.sort_unstable_by_key(|u| u.uid);
        listed.dedup_by_key(|u| u.uid);
        Ok(listed)
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

    /// Appends a message to `folder` (tests and benchmark setup only).
    pub async fn append(&mut self, folder: &str, message: &[u8]) -> Result<(), ImapError> {
        self.usable()?;
        let append = self.session.append(folder, None, None, message);
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

// ---------------------------------------------------------------------------------------------
mod connect {
    //! Opening a connection: TCP, greeting, STARTTLS or TLS, LOGIN or XOAUTH2, CAPABILITY.

    use super::error::lib_error;
    use super::wire::{text, timed, Tracker};
    use super::{Credentials, Endpoint, ImapConnection, ImapError};
    use crate::ingest::imap::config::Security;
    use crate::ingest::imap::tls::{self, Transport};
    use async_imap::imap_proto::{Response, Status};
    use async_imap::types::Capability;
    use async_imap::{Authenticator, Client};
    use std::time::Duration;
    use tokio::net::TcpStream;

    impl ImapConnection {
        /// Connects, reads the greeting (async-imap's `Client::new` does not), upgrades with
        /// STARTTLS if configured, authenticates and queries CAPABILITY once.
        pub async fn connect(
            endpoint: &Endpoint,
            credentials: &Credentials,
        ) -> Result<Self, ImapError> {
            let limit = endpoint.timeout;
            let (host, port) = (endpoint.host.as_str(), endpoint.port);
            let connect_error = |source| ImapError::Connect {
                host: host.to_string(),
                port,
                source,
            };
            let what = format!("connecting to {host}:{port}");
            let tcp = timed(limit, &what, TcpStream::connect((host, port)))
                .await?
                .map_err(connect_error)?;
            tcp.set_nodelay(true).map_err(connect_error)?;
            let client = match endpoint.security {
                Security::Plain => greeted(Client::new(Transport::Plain(tcp)), limit).await?,
                Security::Tls => {
                    greeted(Client::new(handshake(endpoint, tcp).await?), limit).await?
                }
                Security::Starttls => {
                    let mut client = greeted(Client::new(Transport::Plain(tcp)), limit).await?;
                    let starttls = client.run_command_and_check_ok("STARTTLS", None);
                    timed(limit, "STARTTLS", starttls).await?.map_err(|e| {
                        let hint = "use security = \"tls\" if it only offers implicit TLS (993)";
                        tls_error(
                            endpoint,
                            format!("the server refused STARTTLS ({e}); {hint}"),
                        )
                    })?;
                    let Transport::Plain(tcp) = client.into_inner() else {
                        return Err(tls_error(endpoint, "STARTTLS on a TLS stream".to_string()));
                    };
                    Client::new(handshake(endpoint, tcp).await?)
                }
            };
            let mut session = login(client, endpoint, credentials).await?;
            let capabilities = timed(limit, "CAPABILITY", session.capabilities())
                .await?
                .map_err(|e| lib_error("CAPABILITY", e))?
                .iter()
                .map(|c| match c {
                    Capability::Imap4rev1 => "IMAP4REV1".to_string(),
                    Capability::Auth(a) => format!("AUTH={}", a.to_ascii_uppercase()),
                    Capability::Atom(a) => a.to_ascii_uppercase(),
                })
                .collect();
            let mut connection = ImapConnection {
                session,
                timeout: limit,
                capabilities,
                tracker: Tracker::default(),
                broken: None,
            };
            connection.drain_unsolicited();
            Ok(connection)
        }
    }

    async fn login(
        client: Client<Transport>,
        endpoint: &Endpoint,
        credentials: &Credentials,
    ) -> Result<async_imap::Session<Transport>, ImapError> {
        use async_imap::error::Error;
        let refused = |user: &str, e: Error| match e {
            Error::No(detail) | Error::Bad(detail) => ImapError::Login {
                account: endpoint.account.clone(),
                user: user.to_string(),
                temporary: detail.contains("UNAVAILABLE"),
                detail,
            },
            other => lib_error("login", other),
        };
        let limit = endpoint.timeout;
        match credentials {
            Credentials::Password { user, password } => {
                let login = client.login(user, password.expose());
                timed(limit, "LOGIN", login)
                    .await?
                    .map_err(|(e, _)| refused(user, e))
            }
            Credentials::XOAuth2 { user, token } => {
                let response = xoauth2_response(user, token.expose());
                let auth = client.authenticate(
                    "XOAUTH2",
                    XOAuth2 {
                        response,
                        sent: false,
                    },
                );
                let what = "AUTHENTICATE XOAUTH2";
                timed(limit, what, auth)
                    .await?
                    .map_err(|(e, _)| refused(user, e))
            }
        }
    }

    async fn greeted(
        mut client: Client<Transport>,
        limit: Duration,
    ) -> Result<Client<Transport>, ImapError> {
        let greeting = timed(
            limit,
            "waiting for the server greeting",
            client.read_response(),
        );
        let problem = match greeting.await? {
            Ok(Some(response)) => match response.parsed() {
                Response::Data {
                    status: Status::Ok | Status::PreAuth,
                    ..
                } => return Ok(client),
                Response::Data {
                    status: Status::Bye,
                    outcome,
                } => return Err(ImapError::bye(&text(outcome))),
                other => format!("unexpected greeting {other:?}"),
            },
            Ok(None) => "the server closed the connection before its greeting".to_string(),
            Err(e) => format!("unreadable greeting ({e}); is `security` right for this port?"),
        };
        Err(ImapError::Protocol {
            command: "greeting".to_string(),
            detail: problem,
        })
    }

    fn tls_error(endpoint: &Endpoint, detail: String) -> ImapError {
        ImapError::Tls {
            host: endpoint.host.clone(),
            port: endpoint.port,
            detail,
        }
    }

    async fn handshake(endpoint: &Endpoint, tcp: TcpStream) -> Result<Transport, ImapError> {
        let connector =
            tls::connector(endpoint.ca_file.as_deref()).map_err(|e| tls_error(endpoint, e))?;
        let name = tls::server_name(&endpoint.host).map_err(|e| tls_error(endpoint, e))?;
        match timed(
            endpoint.timeout,
            "TLS handshake",
            connector.connect(name, tcp),
        )
        .await?
        {
            Ok(stream) => Ok(Transport::Tls(Box::new(stream))),
            // rustls reports certificate and protocol failures as InvalidData.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                Err(tls_error(endpoint, e.to_string()))
            }
            Err(source) => Err(ImapError::Connect {
                host: endpoint.host.clone(),
                port: endpoint.port,
                source,
            }),
        }
    }

    /// The SASL XOAUTH2 initial response: `user=…^Aauth=Bearer …^A^A`.
    fn xoauth2_response(user: &str, token: &str) -> String {
        format!("user={user}\x01auth=Bearer {token}\x01\x01")
    }

    struct XOAuth2 {
        response: String,
        sent: bool,
    }

    impl Authenticator for XOAuth2 {
        type Response = String;
        /// The first challenge gets the credentials. A later one carries an error report, which
        /// SASL answers with an empty response so that the server sends its tagged NO.
        fn process(&mut self, _challenge: &[u8]) -> String {
            if std::mem::replace(&mut self.sent, true) {
                String::new()
            } else {
                self.response.clone()
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn xoauth2_sends_credentials_once_then_an_empty_reply() {
            let response = xoauth2_response("u@x", "tok");
            let mut auth = XOAuth2 {
                response,
                sent: false,
            };
            assert_eq!(auth.process(b""), "user=u@x\x01auth=Bearer tok\x01\x01");
            assert_eq!(auth.process(b"{\"status\":\"401\"}"), "");
        }
    }
}

// ---------------------------------------------------------------------------------------------
mod wire {
    //! Running one command: send it, read each response within the timeout, track unsolicited
    //! mailbox news, and mark the connection unusable after transport failures.

    use super::error::{lib_error, Tagged};
    use super::{ImapConnection, ImapError};
    use crate::ingest::imap::tls::Transport;
    use async_imap::imap_proto::{MailboxDatum, Outcome, RequestId, Response, Status};
    use async_imap::types::UnsolicitedResponse;
    use async_imap::Session;
    use std::future::Future;
    use std::time::Duration;

    /// Message count of the examined folder as the server last reported it.
    #[derive(Debug, Default)]
    pub(super) struct Tracker {
        pub(super) exists: u32,
        /// Messages were added since the last listing.
        pub(super) new_data: bool,
    }

    impl Tracker {
        /// Notes mailbox size changes; true if the response was EXISTS or RECENT > 0.
        pub(super) fn observe(&mut self, response: &Response<'_>) -> bool {
            match response {
                Response::MailboxData(MailboxDatum::Exists(n)) => {
                    self.new_data |= *n > self.exists;
                    self.exists = *n;
                    true
                }
                Response::MailboxData(MailboxDatum::Recent(n)) => {
                    self.new_data |= *n > 0;
                    *n > 0
                }
                Response::Expunge(_) => {
                    self.exists = self.exists.saturating_sub(1);
                    false
                }
                _ => false,
            }
        }
    }

    /// What one response meant to a running command.
    pub(super) enum Step {
        Continue,
        Done(Tagged),
        Bye(String),
        More,
    }

    impl ImapConnection {
        /// Runs one tagged command, handing each untagged response to `on_data`, and returns
        /// the tagged status. Each response must arrive within the timeout.
        pub(super) async fn command<F>(
            &mut self,
            label: &str,
            command: &str,
            on_data: F,
        ) -> Result<Tagged, ImapError>
        where
            F: FnMut(&Response<'_>),
        {
            self.usable()?;
            let result = match send(&mut self.session, self.timeout, label, command).await {
                Ok(tag) => self.until_tagged(&tag, label, on_data).await,
                Err(e) => Err(e),
            };
            self.note(result)
        }

        /// Reads responses until the tagged reply to `tag`.
        pub(super) async fn until_tagged<F>(
            &mut self,
            tag: &RequestId,
            label: &str,
            mut on_data: F,
        ) -> Result<Tagged, ImapError>
        where
            F: FnMut(&Response<'_>),
        {
            loop {
                let tracker = &mut self.tracker;
                let step = read_within(&mut self.session, self.timeout, |response| {
                    classify(response, tag, |other| {
                        tracker.observe(other);
                        on_data(other);
                    })
                });
                match step.await? {
                    Some(Step::Done(tagged)) => return Ok(tagged),
                    Some(Step::Bye(text)) => return Err(ImapError::bye(&text)),
                    Some(Step::Continue | Step::More) => {}
                    None => return Err(self.timed_out(label)),
                }
            }
        }

        pub(super) fn timed_out(&self, what: &str) -> ImapError {
            ImapError::Timeout {
                what: what.to_string(),
                after: self.timeout,
            }
        }

        /// Marks the connection unusable if `result` is a transport failure.
        pub(super) fn note<T>(&mut self, result: Result<T, ImapError>) -> Result<T, ImapError> {
            if let Err(e) = &result {
                if e.breaks_connection() {
                    self.broken = Some(e.to_string());
                }
            }
            result
        }

        /// Converts the result of an async-imap call, as [`Self::note`] does.
        pub(super) fn settle<T>(
            &mut self,
            result: Result<Result<T, async_imap::error::Error>, ImapError>,
            label: &str,
        ) -> Result<T, ImapError> {
            self.note(result.and_then(|r| r.map_err(|e| lib_error(label, e))))
        }

        pub(super) fn usable(&self) -> Result<(), ImapError> {
            match &self.broken {
                None => Ok(()),
                Some(why) => Err(ImapError::Closed {
                    detail: format!("unusable after an earlier error: {why}"),
                }),
            }
        }

        /// Empties async-imap's unsolicited queue (it keeps 100 and drops the rest).
        pub(super) fn drain_unsolicited(&mut self) {
            while let Ok(response) = self.session.unsolicited_responses.try_recv() {
                let tracker = &mut self.tracker;
                match response {
                    UnsolicitedResponse::Exists(n) => {
                        tracker.new_data |= n > tracker.exists;
                        tracker.exists = n;
                    }
                    UnsolicitedResponse::Recent(n) => tracker.new_data |= n > 0,
                    UnsolicitedResponse::Expunge(_) => {
                        tracker.exists = tracker.exists.saturating_sub(1);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Sorts a response into continuation, our tagged reply, BYE, or other (handed to `other`).
    pub(super) fn classify(
        response: &Response<'_>,
        tag: &RequestId,
        other: impl FnOnce(&Response<'_>),
    ) -> Step {
        match response {
            Response::Continue(_) => Step::Continue,
            Response::Done {
                tag: t,
                status,
                outcome,
            } if t == tag => Step::Done(Tagged::new(status, outcome)),
            Response::Data {
                status: Status::Bye,
                outcome,
            } => Step::Bye(text(outcome)),
            response => {
                other(response);
                Step::More
            }
        }
    }

    pub(super) async fn timed<F: Future>(
        limit: Duration,
        what: &str,
        future: F,
    ) -> Result<F::Output, ImapError> {
        tokio::time::timeout(limit, future)
            .await
            .map_err(|_| ImapError::Timeout {
                what: what.to_string(),
                after: limit,
            })
    }

    pub(super) async fn send(
        session: &mut Session<Transport>,
        limit: Duration,
        label: &str,
        command: &str,
    ) -> Result<RequestId, ImapError> {
        timed(limit, label, session.run_command(command))
            .await?
            .map_err(|e| lib_error(label, e))
    }

    /// Reads one response within `limit` and hands it to `f`; `Ok(None)` if none came in time.
    /// (async-imap's response type cannot be named outside it, hence the callback.)
    pub(super) async fn read_within<R>(
        session: &mut Session<Transport>,
        limit: Duration,
        f: impl FnOnce(&Response<'_>) -> R,
    ) -> Result<Option<R>, ImapError> {
        let closed = |detail: String| Err(ImapError::Closed { detail });
        match tokio::time::timeout(limit, session.read_response()).await {
            Err(_) => Ok(None),
            Ok(Ok(Some(response))) => Ok(Some(f(response.parsed()))),
            Ok(Ok(None)) => closed("the server closed the connection".to_string()),
            Ok(Err(e)) => closed(e.to_string()),
        }
    }

    pub(super) fn text(outcome: &Outcome<'_>) -> String {
        outcome.information.as_deref().unwrap_or("").to_string()
    }
}

// ---------------------------------------------------------------------------------------------
mod idle {
    //! IDLE (RFC 2177): wait for new mail, then end with DONE.

    use super::error::Tagged;
    use super::wire::{classify, read_within, send, timed, Step};
    use super::{IdleOutcome, ImapConnection, ImapError};
    use std::time::Duration;
    use tokio::time::Instant;

    impl ImapConnection {
        /// Waits in IDLE until the server reports new messages (EXISTS/RECENT) or `max` passes
        /// (capped at 28 minutes), then ends IDLE with DONE and waits for its OK. Returns
        /// `NewData` at once if messages arrived during an earlier command. Errors if the
        /// server lacks IDLE (check [`Self::supports_idle`] and poll instead).
        pub async fn idle_wait(mut self, max: Duration) -> Result<(Self, IdleOutcome), ImapError> {
            self.usable()?;
            if !self.supports_idle() {
                return Err(ImapError::Protocol {
                    command: "IDLE".to_string(),
                    detail: "the server does not offer IDLE; set idle = false to poll".to_string(),
                });
            }
            self.drain_unsolicited();
            if std::mem::take(&mut self.tracker.new_data) {
                return Ok((self, IdleOutcome::NewData));
            }
            let result = self.idle_once(max.min(Duration::from_secs(28 * 60))).await;
            let outcome = self.note(result)?;
            Ok((self, outcome))
        }

        async fn idle_once(&mut self, max: Duration) -> Result<IdleOutcome, ImapError> {
            let limit = self.timeout;
            let tag = send(&mut self.session, limit, "IDLE", "IDLE").await?;
            let mut news = false;
            loop {
                let tracker = &mut self.tracker;
                let step = read_within(&mut self.session, limit, |response| {
                    classify(response, &tag, |other| news |= tracker.observe(other))
                });
                match step.await? {
                    Some(Step::Continue) => break,
                    Some(Step::Done(refused)) => {
                        refused.into_result("IDLE", "set idle = false to poll instead")?;
                        return Err(ImapError::Protocol {
                            command: "IDLE".to_string(),
                            detail: "the server ended IDLE before it began".to_string(),
                        });
                    }
                    Some(Step::Bye(text)) => return Err(ImapError::bye(&text)),
                    Some(Step::More) => {}
                    None => return Err(self.timed_out("IDLE")),
                }
            }
            let deadline = Instant::now() + max;
            while !news {
                let left = deadline.saturating_duration_since(Instant::now());
                let tracker = &mut self.tracker;
                let step = read_within(&mut self.session, left, |response| {
                    classify(response, &tag, |other| news |= tracker.observe(other))
                });
                match step.await? {
                    None => break,
                    Some(Step::Bye(text)) => return Err(ImapError::bye(&text)),
                    Some(Step::Done(tagged)) => {
                        tagged.into_result("IDLE", "the server ended IDLE by itself")?;
                        return Ok(IdleOutcome::NewData); // ended early: let the caller look
                    }
                    // Keepalives, flag changes, expunges: keep waiting.
                    Some(Step::Continue | Step::More) => {}
                }
            }
            let done = self.session.run_command_untagged("DONE");
            let done = timed(limit, "DONE", done).await?;
            done.map_err(|e| super::error::lib_error("DONE", e))?;
            // News that arrives with DONE sets tracker.new_data for the next idle_wait.
            let tagged: Tagged = self.until_tagged(&tag, "DONE", |_| {}).await?;
            tagged.into_result("IDLE", "set idle = false to poll instead")?;
            Ok(if news {
                IdleOutcome::NewData
            } else {
                IdleOutcome::TimedOut
            })
        }
    }
}

// ---------------------------------------------------------------------------------------------
mod uid_set {
    //! UID-set compaction for `UID FETCH` command lines.

    /// Compacts ascending, de-duplicated UIDs into an IMAP set: `1:5,7,9:12`.
    pub(super) fn compact_uid_set(sorted: &[u32]) -> String {
        use std::fmt::Write as _;
        let mut out = String::with_capacity(sorted.len() * 4);
        let mut i = 0;
        while i < sorted.len() {
            let start = sorted[i];
            let mut end = start;
            while i + 1 < sorted.len() && Some(sorted[i + 1]) == end.checked_add(1) {
                i += 1;
                end = sorted[i];
            }
            let sep = if out.is_empty() { "" } else { "," };
            let _ = if end == start {
                write!(out, "{sep}{start}")
            } else {
                write!(out, "{sep}{start}:{end}")
            };
            i += 1;
        }
        out
    }

    #[cfg(test)]
    mod tests {
        use super::compact_uid_set;

        #[test]
        fn compacts_runs_into_ranges() {
            assert_eq!(compact_uid_set(&[]), "");
            assert_eq!(compact_uid_set(&[7]), "7");
            assert_eq!(
                compact_uid_set(&[1, 2, 3, 4, 5, 7, 9, 10, 11, 12]),
                "1:5,7,9:12"
            );
            assert_eq!(compact_uid_set(&[1, 3, 5]), "1,3,5");
            assert_eq!(
                compact_uid_set(&[u32::MAX - 1, u32::MAX]),
                "4294967294:4294967295"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
mod error {
    //! The client's error type, and the mapping from async-imap errors and tagged replies.

    use async_imap::imap_proto::{Outcome, Status};
    use std::time::Duration;

    /// Why an IMAP operation failed. Each message says what to do next.
    #[derive(Debug, thiserror::Error)]
    pub enum ImapError {
        /// The TCP (or TLS transport) connection could not be made.
        #[error(
            "cannot connect to IMAP server {host}:{port}: {source}; check host/port and that the \
             server is reachable (Tidings retries with backoff)"
        )]
        Connect {
            /// Server host.
            host: String,
            /// Server port.
            port: u16,
            /// The I/O error.
            #[source]
            source: std::io::Error,
        },
        /// TLS failed: untrusted certificate, wrong name, or not a TLS port.
        #[error(
            "TLS with {host}:{port} failed: {detail}; check that `security` matches the port \
             (993 tls, 143 starttls) and set `ca_file` if the server uses a private CA"
        )]
        Tls {
            /// Server host.
            host: String,
            /// Server port.
            port: u16,
            /// What went wrong.
            detail: String,
        },
        /// The server refused the credentials.
        #[error(
            "the server refused login as {user:?} ({detail}); check username/password or token \
             for account {account:?}"
        )]
        Login {
            /// Account name from the config.
            account: String,
            /// Login name used.
            user: String,
            /// The server's reply.
            detail: String,
            /// The server said it is temporarily unavailable (`[UNAVAILABLE]`).
            temporary: bool,
        },
        /// The server answered NO/BAD, or something Tidings cannot use.
        #[error("IMAP {command} failed: {detail}")]
        Protocol {
            /// The command (or stage) that failed.
            command: String,
            /// The server's reply and what to check.
            detail: String,
        },
        /// Nothing came back within the configured timeout.
        #[error(
            "IMAP {what} got no answer within {:.1}s; the server or network is slow or stuck; \
             Tidings reconnects and retries (raise `timeout_secs` if this persists)",
            after.as_secs_f64()
        )]
        Timeout {
            /// What was being waited for.
            what: String,
            /// The timeout that passed.
            after: Duration,
        },
        /// The connection ended (BYE, reset, EOF) or is unusable after an earlier error.
        #[error("the IMAP connection was closed ({detail}); Tidings reconnects and retries")]
        Closed {
            /// What happened.
            detail: String,
        },
        /// Some requested messages did not come back from `UID FETCH`.
        #[error(
            "UID FETCH returned {got} of {requested} requested messages (missing UIDs \
             {missing:?}); they were probably expunged meanwhile"
        )]
        MissingUids {
            /// Number of UIDs requested.
            requested: usize,
            /// Number of messages received.
            got: usize,
            /// The UIDs that did not come back.
            missing: Vec<u32>,
        },
    }

    impl ImapError {
        /// True if retrying later (after reconnecting) may succeed without a config change.
        pub fn is_transient(&self) -> bool {
            match self {
                ImapError::Connect { .. }
                | ImapError::Timeout { .. }
                | ImapError::Closed { .. } => true,
                ImapError::Login { temporary, .. } => *temporary,
                ImapError::Tls { .. }
                | ImapError::Protocol { .. }
                | ImapError::MissingUids { .. } => false,
            }
        }

        /// True if the connection's state is unknown after this error.
        pub(super) fn breaks_connection(&self) -> bool {
            matches!(self, ImapError::Timeout { .. } | ImapError::Closed { .. })
        }

        pub(super) fn bye(text: &str) -> Self {
            ImapError::Closed {
                detail: format!("the server said BYE: {text}"),
            }
        }
    }

    /// Maps an async-imap error from the command `label`.
    pub(super) fn lib_error(label: &str, error: async_imap::error::Error) -> ImapError {
        use async_imap::error::Error;
        let protocol = |detail: String| ImapError::Protocol {
            command: label.to_string(),
            detail,
        };
        match error {
            Error::Io(e) => ImapError::Closed {
                detail: format!("{label}: {e}"),
            },
            Error::ConnectionLost => ImapError::Closed {
                detail: format!("{label}: connection lost"),
            },
            Error::No(text) => protocol(format!("the server answered NO ({text})")),
            Error::Bad(text) => protocol(format!("the server answered BAD ({text})")),
            other => protocol(other.to_string()),
        }
    }

    /// The tagged reply that ends a command.
    #[derive(Debug)]
    pub(super) enum Tagged {
        Ok,
        No(String),
        Bad(String),
    }

    impl Tagged {
        pub(super) fn new(status: &Status, outcome: &Outcome<'_>) -> Self {
            let mut text = outcome.information.as_deref().unwrap_or("").to_string();
            if let Some(code) = &outcome.code {
                text = format!("[{code:?}] {text}");
            }
            match status {
                Status::Ok => Tagged::Ok,
                Status::No => Tagged::No(text),
                other => Tagged::Bad(format!("{other:?} {text}")),
            }
        }

        /// `Ok` for a tagged OK; otherwise a `Protocol` error naming `command` and `hint`.
        pub(super) fn into_result(self, command: &str, hint: &str) -> Result<(), ImapError> {
            let (word, text) = match self {
                Tagged::Ok => return Ok(()),
                Tagged::No(text) => ("NO", text),
                Tagged::Bad(text) => ("BAD", text),
            };
            Err(ImapError::Protocol {
                command: command.to_string(),
                detail: format!("the server answered {word} ({text}); {hint}"),
            })
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn transience_follows_the_cause() {
            let closed = ImapError::Closed {
                detail: "reset".to_string(),
            };
            assert!(closed.is_transient() && closed.breaks_connection());
            let protocol = Tagged::Bad("x".to_string()).into_result("UID FETCH", "report it");
            let protocol = protocol.err();
            assert!(protocol.as_ref().is_some_and(|e| !e.is_transient()));
            assert!(protocol.is_some_and(|e| e.to_string().contains("report it")));
        }
    }
}
