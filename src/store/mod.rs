//! The contact-log store: the only module that names sqlx.
//!
//! Two backends behind one type: SQLite (embedded default; WAL, one writer connection and a
//! small read pool) and PostgreSQL (scale-out; several daemons share one database). The backend
//! is chosen by the URL scheme. SQL is written once with `$N` placeholders, which both drivers
//! accept, and each query body is compiled for both backends by the [`dispatch!`] macro; only
//! connection set-up and migrations differ per backend.

mod arrangements;
mod batch;
mod bulk;
mod checkpoints;
mod content;
mod corrections;
mod decide;
mod digest_runs;
mod error;
mod export;
mod flags;
mod imap_known;
mod items;
mod links;
mod model;
mod outbox;
mod packed;
mod parts;
mod pattern_reads;
mod quarantine;
mod raw;
mod routing;
mod stats;

pub use content::StoredContent;
pub use corrections::{AuditEntry, CorrectionError, LinkReview};
pub use error::StoreError;
pub use flags::{
    ContextRow, ItemFlagWrite, PatternOutcome, PatternWrite, ScanRow, ScanWrite, PATTERN_STAGE,
    SIGNAL_STAGE,
};
pub use items::{CustomerView, ItemView, LinkDecision};
pub use links::{LinkPass, LINK_BATCH, RULES};
pub use model::*;
pub use outbox::{OutboxListing, OutboxState, OutboxTotals};
pub use pattern_reads::{ContactScope, FlagContactRow, FlagPositions, StoredPatternFlag};
pub use quarantine::{QuarantineEntry, QuarantineState};
pub use routing::{RoutingCandidate, RoutingListing, RoutingRecord};

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// Runs one body against whichever backend the store holds. The body is compiled once per
/// backend with `$pool` bound to that backend's pool (`write` pool for SQLite).
macro_rules! dispatch {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite { write: $pool, .. } => $body,
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
    (read $store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite { read: $pool, .. } => $body,
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use dispatch;

/// A handle on the contact-log database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite { write: SqlitePool, read: SqlitePool },
    Postgres(PgPool),
}

/// Which database a store talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// SQLite page cache per connection, in KiB: small, for the ingest memory target (see
/// docs/benchmarks.md, peak memory).
pub(crate) const SQLITE_CACHE_KIB: i64 = 16_384;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Connects to `url` (`sqlite://PATH` or `postgres://…`). A SQLite file and its folder are
    /// created when missing. Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, true).await
    }

    /// Opens a Tidings database that must already exist, for commands that only read (export,
    /// status, quarantine, digest preview): nothing is created, and a missing SQLite file or a
    /// database without Tidings' tables is [`StoreError::Missing`]. Pending migrations of an
    /// existing database are applied.
    pub async fn open_existing(url: &str) -> Result<Self, StoreError> {
        if let Some(path) = sqlite_path(url) {
            if !std::path::Path::new(path).is_file() {
                return Err(StoreError::Missing {
                    location: path.to_string(),
                });
            }
        }
        let store = Self::connect_with(url, false).await?;
        if !store.has_schema().await? {
            store.close().await;
            return Err(StoreError::Missing {
                location: sqlite_path(url).map_or_else(|| redact(url), str::to_string),
            });
        }
        store.migrate().await?;
        Ok(store)
    }

    /// True when migrations have run on this database (it holds sqlx's bookkeeping table).
    async fn has_schema(&self) -> Result<bool, StoreError> {
        let n: i64 = match &self.backend {
            Backend::Sqlite { read, .. } => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
                )
                .fetch_one(read)
                .await?
            }
            Backend::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
                )
                .fetch_one(pool)
                .await?
            }
        };
        Ok(n > 0)
    }

    async fn connect_with(url: &str, create: bool) -> Result<Self, StoreError> {
        let connect_err = |source: sqlx::Error| StoreError::Connect {
            url: redact(url),
            source,
        };
        let backend = if let Some(path) = sqlite_path(url) {
            if let Some(parent) = std::path::Path::new(path).parent() {
                if create && !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(|e| StoreError::Connect {
                        url: redact(url),
                        source: sqlx::Error::Io(e),
                    })?;
                }
            }
            let options = SqliteConnectOptions::from_str(url)
                .map_err(connect_err)?
                .create_if_missing(create)
                // Page size must be set before WAL is enabled (see PERFORMANCE.md).
                .pragma("page_size", "65536")
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"))
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30));
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options.clone().pragma("temp_store", "memory"))
                .await
                .map_err(connect_err)?;
            let read = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options.read_only(true))
                .await
                .map_err(connect_err)?;
            Backend::Sqlite { write, read }
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .map_err(connect_err)?;
            Backend::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl { url: redact(url) });
        };
        Ok(Self { backend })
    }

    /// Applies pending migrations for this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite { write, .. } => {
                // A migration that rebuilds a table others refer to (SQLite's way to change a
                // primary key) runs with foreign keys off, as SQLite documents; every key is
                // checked afterwards. PRAGMA foreign_keys cannot change inside a transaction,
                // so it is set on the one writer connection around the migrator's own.
                let mut conn = write.acquire().await?;
                sqlx::query("PRAGMA foreign_keys = OFF")
                    .execute(&mut *conn)
                    .await?;
                let migrated = SQLITE_MIGRATIONS.run(&mut *conn).await;
                sqlx::query("PRAGMA foreign_keys = ON")
                    .execute(&mut *conn)
                    .await?;
                migrated?;
                let broken: Vec<(String,)> =
                    sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                        .fetch_all(&mut *conn)
                        .await?;
                if let Some((table,)) = broken.first() {
                    return Err(StoreError::Corrupt(format!(
                        "after migrating, table {table} refers to rows that do not exist; restore the backup taken before the upgrade"
                    )));
                }
            }
            Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Connects and migrates: what every command does first.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Which backend this store uses.
    pub fn kind(&self) -> BackendKind {
        match self.backend {
            Backend::Sqlite { .. } => BackendKind::Sqlite,
            Backend::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(read self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Closes all connections, flushing SQLite's WAL.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

/// The file path of a `sqlite:` URL (without `?options`); None for other schemes.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite:")?;
    let path = rest.strip_prefix("//").unwrap_or(rest);
    Some(path.split('?').next().unwrap_or(path))
}

/// Hides the password in a database URL for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{redact, sqlite_path, Store, StoreError};

    #[test]
    fn sqlite_paths_come_from_both_url_forms() {
        assert_eq!(sqlite_path("sqlite://data/t.db"), Some("data/t.db"));
        assert_eq!(sqlite_path("sqlite:data/t.db?mode=rwc"), Some("data/t.db"));
        assert_eq!(sqlite_path("postgres://h/db"), None);
    }

    #[tokio::test]
    async fn open_existing_creates_nothing_when_the_database_is_missing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("data/tidings.db");
        let url = format!("sqlite://{}", path.display());
        let err = Store::open_existing(&url)
            .await
            .expect_err("no database yet");
        assert!(matches!(err, StoreError::Missing { .. }), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("no Tidings database at {}", path.display()))
                && msg.contains("`tidings migrate`"),
            "{msg}"
        );
        assert!(!dir.path().join("data").exists(), "no folder was created");
    }

    #[tokio::test]
    async fn open_existing_rejects_a_file_without_tidings_tables() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("other.db");
        let url = format!("sqlite://{}", path.display());
        Store::connect(&url)
            .await
            .expect("an empty SQLite file")
            .close()
            .await;
        let err = Store::open_existing(&url)
            .await
            .expect_err("not a Tidings database");
        assert!(matches!(err, StoreError::Missing { .. }), "{err}");
    }

    #[tokio::test]
    async fn open_existing_opens_a_migrated_database() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/t.db", dir.path().display());
        Store::open(&url)
            .await
            .expect("created and migrated")
            .close()
            .await;
        let store = Store::open_existing(&url).await.expect("opens");
        store.ping().await.expect("answers");
    }

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(redact("postgres://u:pw@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://data/t.db"), "sqlite://data/t.db");
    }
}
