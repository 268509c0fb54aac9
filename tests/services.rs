//! Proves the test services that `scripts/test` starts are there and behave as the other
//! integration tests assume: IMAP (plain and IMAPS with the private CA, any user with the test
//! password), the SMTP sink, and fresh PostgreSQL databases.

mod common;

use std::io::BufReader;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use common::Services;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::{Connection, PgConnection};
use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader as AsyncBufReader,
};

fn accepts_tcp(host: &str, port: u16) -> bool {
    let Some(addr) = (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
    else {
        return false;
    };
    TcpStream::connect_timeout(&addr, Duration::from_secs(5)).is_ok()
}

/// Reads the greeting, logs in as `user` and returns the tagged LOGIN reply.
async fn imap_login<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    user: &str,
    password: &str,
) -> (String, String) {
    let mut stream = AsyncBufReader::new(stream);
    let mut greeting = String::new();
    stream
        .read_line(&mut greeting)
        .await
        .expect("reading the IMAP greeting");
    stream
        .get_mut()
        .write_all(format!("a1 LOGIN {user} {password}\r\n").as_bytes())
        .await
        .expect("sending LOGIN");
    let mut reply = String::new();
    loop {
        reply.clear();
        stream
            .read_line(&mut reply)
            .await
            .expect("reading the LOGIN reply");
        if reply.is_empty() || reply.starts_with("a1 ") {
            break;
        }
    }
    stream.get_mut().write_all(b"a2 LOGOUT\r\n").await.ok();
    (greeting, reply)
}

fn tls_connector(ca: &std::path::Path) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    let file = std::fs::File::open(ca).expect("opening TIDINGS_TEST_IMAP_CA");
    for cert in rustls_pemfile::certs(&mut BufReader::new(file)) {
        roots
            .add(cert.expect("reading the CA PEM"))
            .expect("adding the CA");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

#[test]
fn the_environment_names_every_service() {
    let services = Services::from_env();
    assert_eq!(services.imap_host, "127.0.0.1");
    assert!(services.imap_ca.is_file(), "{:?}", services.imap_ca);
    assert!(
        services.dovecot_restart.is_file(),
        "{:?}",
        services.dovecot_restart
    );
    assert!(
        services.dovecot_conf.is_file(),
        "{:?}",
        services.dovecot_conf
    );
    assert!(services.smtp_dir.is_dir(), "{:?}", services.smtp_dir);
    assert!(services.pg_admin_url.starts_with("postgres://"));
}

#[test]
fn the_service_ports_accept_connections() {
    let services = Services::from_env();
    for (what, port) in [
        ("IMAP", services.imap_port),
        ("IMAPS", services.imaps_port),
        ("SMTP sink", services.smtp_port),
    ] {
        assert!(
            accepts_tcp(&services.imap_host, port),
            "{what} on port {port}"
        );
    }
}

#[tokio::test]
async fn any_user_logs_in_over_plain_imap_with_the_test_password() {
    let services = Services::from_env();
    let user = common::unique_name("svc_plain");
    let tcp = tokio::net::TcpStream::connect((services.imap_host.as_str(), services.imap_port))
        .await
        .expect("connecting to IMAP");
    let (greeting, reply) = imap_login(tcp, &user, &services.imap_password).await;
    assert!(greeting.starts_with("* OK"), "{greeting}");
    assert!(reply.starts_with("a1 OK"), "{reply}");
}

#[tokio::test]
async fn imaps_verifies_against_the_private_ca_by_name_and_by_ip() {
    let services = Services::from_env();
    let connector = tls_connector(&services.imap_ca);
    for name in ["localhost", "127.0.0.1"] {
        let server_name = rustls::pki_types::ServerName::try_from(name)
            .expect("server name")
            .to_owned();
        let tcp =
            tokio::net::TcpStream::connect((services.imap_host.as_str(), services.imaps_port))
                .await
                .expect("connecting to IMAPS");
        let tls = connector
            .connect(server_name, tcp)
            .await
            .unwrap_or_else(|e| panic!("TLS handshake as {name}: {e}"));
        let (greeting, reply) = imap_login(
            tls,
            &common::unique_name("svc_tls"),
            &services.imap_password,
        )
        .await;
        assert!(greeting.starts_with("* OK"), "{greeting}");
        assert!(reply.starts_with("a1 OK"), "{reply}");
    }
}

#[tokio::test]
async fn the_smtp_sink_stores_what_it_receives_per_recipient() {
    let services = Services::from_env();
    let rcpt = format!("{}@example.org", common::unique_name("svc_rcpt"));
    let mailer =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(services.imap_host.as_str())
            .port(services.smtp_port)
            .credentials(Credentials::new("anyone".into(), "anything".into()))
            .build();
    let message = Message::builder()
        .from("Tidings <digest@tidings.test>".parse().expect("from"))
        .to(rcpt.parse().expect("to"))
        .subject("Services check")
        .body(String::from("Hello from tests/services.rs\r\n"))
        .expect("message");
    mailer
        .send(message)
        .await
        .expect("sending to the SMTP sink");

    common::wait_for("the message in the sink", Duration::from_secs(10), || {
        !common::smtp_messages_for(&services.smtp_dir, &rcpt).is_empty()
    });
    let messages = common::smtp_messages_for(&services.smtp_dir, &rcpt);
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].starts_with(&format!("X-Sink-Rcpt-To: {rcpt}\r\n")),
        "{}",
        messages[0]
    );
    assert!(
        messages[0].contains("Subject: Services check"),
        "{}",
        messages[0]
    );
    assert!(common::smtp_messages_for(&services.smtp_dir, "nobody-else@example.org").is_empty());
}

#[tokio::test]
async fn fresh_pg_database_yields_a_new_connectable_database() {
    let services = Services::from_env();
    let first = common::fresh_pg_database(&services.pg_admin_url).await;
    let second = common::fresh_pg_database(&services.pg_admin_url).await;
    assert_ne!(first, second);
    let mut conn = PgConnection::connect(&first)
        .await
        .expect("connecting to the fresh database");
    let (name,): (String,) = sqlx::query_as("SELECT current_database()")
        .fetch_one(&mut conn)
        .await
        .expect("querying the fresh database");
    assert!(first.ends_with(&format!("/{name}")), "{first} vs {name}");
    conn.close().await.expect("closing");
}

#[test]
fn unique_names_differ_and_are_clean() {
    let a = common::unique_name("Imap-User.x");
    let b = common::unique_name("Imap-User.x");
    assert_ne!(a, b);
    assert!(a.starts_with("imap_user_x_"), "{a}");
    assert!(a
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
    assert!(common::unique_name(&"p".repeat(100)).len() <= 63);
}

#[test]
fn database_url_swaps_only_the_database() {
    let admin = "postgres://postgres@127.0.0.1:5432/postgres";
    assert_eq!(
        common::database_url(admin, "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        common::database_url("postgres://u:p@h/postgres?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(
        common::database_url("postgres://h:5432", "x"),
        "postgres://h:5432/x"
    );
}
