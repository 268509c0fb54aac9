//! TLS for IMAP: a rustls connector (ring provider, Mozilla roots plus an optional CA file) and
//! the byte stream the IMAP session runs over (plain TCP or TLS). No IMAP here.

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore};
use std::fmt;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// Builds a connector trusting Mozilla's roots and, if given, the certificates in `ca_file`.
/// The ring provider is named explicitly, so no process-wide default provider is needed.
pub(crate) fn connector(ca_file: Option<&Path>) -> Result<TlsConnector, String> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = ca_file {
        add_pem_file(&mut roots, path)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

fn add_pem_file(roots: &mut RootCertStore, path: &Path) -> Result<(), String> {
    let shown = path.display();
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot open ca_file {shown}: {e}; check the path and permissions"))?;
    let mut reader = io::BufReader::new(file);
    let mut added = 0;
    for cert in rustls_pemfile::certs(&mut reader) {
        let cert = cert.map_err(|e| format!("ca_file {shown} is not valid PEM: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("ca_file {shown} holds an unusable certificate: {e}"))?;
        added += 1;
    }
    if added == 0 {
        return Err(format!(
            "ca_file {shown} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)"
        ));
    }
    Ok(())
}

/// The name the server's certificate must match: a DNS name or an IP address.
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(bare.to_string())
        .map_err(|e| format!("{host:?} is not a valid host name for TLS: {e}"))
}

/// The byte stream under an IMAP session.
pub(crate) enum Transport {
    /// Unencrypted TCP (loopback tests, or `allow_insecure`).
    Plain(TcpStream),
    /// TLS over TCP (implicit TLS or after STARTTLS).
    Tls(Box<TlsStream<TcpStream>>),
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Plain(_) => "Transport::Plain",
            Transport::Tls(_) => "Transport::Tls",
        })
    }
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_flush(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn builds_without_a_ca_file() {
        connector(None).unwrap();
    }

    #[test]
    fn errors_name_the_ca_file() {
        let err = connector(Some(Path::new("/nonexistent/ca.pem")))
            .err()
            .unwrap();
        assert!(err.contains("/nonexistent/ca.pem"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let err = connector(Some(&path)).err().unwrap();
        assert!(err.contains("empty.pem") && err.contains("no PEM"), "{err}");
    }

    #[test]
    fn server_names_accept_dns_names_and_ip_addresses() {
        server_name("imap.example.org").unwrap();
        server_name("127.0.0.1").unwrap();
        server_name("[::1]").unwrap();
        assert!(server_name("bad host").is_err());
    }
}
