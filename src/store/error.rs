//! Store errors: database text never leaves this module unexplained.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("cannot open the database at {url}: {source}; check store.url and that the server is running")]
    Connect {
        /// The URL, password redacted.
        url: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// A command that only reads found no Tidings database (and created none).
    #[error(
        "no Tidings database at {location}: run `tidings run` or `tidings migrate` first, \
         or pass --config"
    )]
    Missing {
        /// The SQLite file, or the redacted PostgreSQL URL.
        location: String,
    },
    /// The URL scheme is not one Tidings supports.
    #[error("unsupported store.url {url:?}; use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl {
        /// The URL, password redacted.
        url: String,
    },
    /// A migration failed.
    #[error("database migration failed: {0}; restore from backup or fix the schema, then run `tidings migrate`")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    /// A stored value could not be read back as a domain value.
    #[error("stored value is not valid: {0}")]
    Corrupt(String),
    /// Free text (a note) labels a person instead of describing behaviour.
    #[error(transparent)]
    Label(#[from] crate::guard::LabelError),
    /// A required note is empty.
    #[error("the {field} is empty; write what was checked and why no further action is needed")]
    EmptyNote {
        /// Which note.
        field: &'static str,
    },
    /// A requested row does not exist.
    #[error("{what} {id} does not exist")]
    NotFound {
        /// What was looked up.
        what: &'static str,
        /// Its identifier.
        id: String,
    },
}

impl StoreError {
    /// True when retrying later may succeed (connection lost, pool timeout, server restarting).
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Connect { .. } => true,
            StoreError::Query(e) => matches!(
                e,
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
            ),
            _ => false,
        }
    }
}
