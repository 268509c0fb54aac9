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
            Security::Tls => greeted(Client::new(handshake(endpoint, tcp).await?), limit).await?,
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
