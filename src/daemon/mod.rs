//! The daemon: every source, the link stage, the maintenance loop (flags, digest schedule,
//! outbox) and the HTTP server, under one cancellation token. `run_once` is the same work done once.

mod folders;
mod links;

use crate::config::Config;
use crate::digest::{self, schedule};
use crate::flags::{self, FlagPass};
use crate::ingest::dropfolder;
use crate::ingest::imap::source::ImapSource;
use crate::ingest::Funnel;
use crate::outbound::outbox::{self, DeliveryReport};
use crate::outbound::smtp::SmtpSender;
use crate::routing::reminders::{self, ReminderPass};
use crate::routing::{Router, RoutingPass};
use crate::store::{BatchOutcome, Store};
use std::str::FromStr;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Seconds between maintenance passes (flag evaluation, digest check, outbox delivery).
const MAINTENANCE_SECS: u64 = 30;
/// Quiet time after new items before a maintenance pass runs.
const QUIET_PERIOD: Duration = Duration::from_secs(2);
/// How long in-flight work may take to finish after a shutdown signal.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(30);

/// Why the daemon or a one-off pass failed. Messages are single lines that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// A store operation failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A source failed.
    #[error(transparent)]
    Source(#[from] crate::ingest::imap::source::SourceError),
    /// The drop folder failed.
    #[error(transparent)]
    DropFolder(#[from] dropfolder::DropFolderError),
    /// The digest could not be prepared.
    #[error(transparent)]
    Digest(#[from] digest::DigestError),
    /// The flag stages failed.
    #[error(transparent)]
    Flags(#[from] flags::FlagsError),
    /// The routing stage failed.
    #[error(transparent)]
    Routing(#[from] crate::routing::RoutingError),
    /// SMTP is misconfigured or unreachable.
    #[error("SMTP: {0}")]
    Smtp(String),
    /// A configuration value could not be used.
    #[error("config: {0}")]
    Config(String),
    /// The HTTP listener could not start.
    #[error("cannot listen on {addr}: {source}; choose a free http.listen address")]
    Listen {
        /// The address.
        addr: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The assembled application.
#[derive(Clone, Debug)]
pub struct App {
    config: Config,
    store: Store,
    funnel: Funnel,
    smtp: Option<std::sync::Arc<SmtpSender>>,
    /// Each source's last attempt, for `/readyz`.
    health: crate::ingest::health::SourceHealth,
    /// The digest schedule, when digests are enabled and have recipients (parsed once; the
    /// config check has already rejected an invalid expression).
    digest_schedule: Option<cron::Schedule>,
    /// The routing stage.
    router: Router,
    /// Senior managers from the staff directory (the quarterly roll-up).
    seniors: Vec<crate::domain::EmailAddress>,
    /// Signalled when customers were decided, by the link stage or while a batch was stored
    /// (`Funnel::linked_signal`); maintenance counts after it.
    linked: std::sync::Arc<tokio::sync::Notify>,
    /// The flag stages' lexicon, senior officers and settings.
    flags: flags::Engine,
}

/// What `run_once` did.
#[derive(Clone, Debug, Default)]
pub struct OnceReport {
    /// Items from all sources.
    pub ingested: BatchOutcome,
    /// Letters read by the OCR stage.
    pub letters: crate::ingest::letters::stage::OcrPass,
    /// Customer decisions made by the link stage.
    pub links: crate::store::LinkPass,
    /// Flag evaluation.
    pub flags: FlagPass,
    /// Digest period enqueued, if one was due.
    pub digest_period: Option<String>,
    /// Routing decisions about new inbound mail.
    pub routing: RoutingPass,
    /// Arrangement reminders enqueued.
    pub reminders: ReminderPass,
    /// Outbox delivery.
    pub delivery: DeliveryReport,
}

impl App {
    /// Opens (and migrates) the store and prepares the SMTP sender.
    pub async fn build(config: Config) -> Result<Self, DaemonError> {
        let store = Store::open(&config.store.url).await?;
        Self::with_store(config, store)
    }

    /// Like [`App::build`], but the database must already exist: for commands that read the
    /// log (export, status, quarantine, digest preview), which must never create one.
    pub async fn build_existing(config: Config) -> Result<Self, DaemonError> {
        let store = Store::open_existing(&config.store.url).await?;
        Self::with_store(config, store)
    }

    fn with_store(config: Config, store: Store) -> Result<Self, DaemonError> {
        let funnel = crate::ingest::setup::funnel(store.clone(), &config)
            .map_err(|e| DaemonError::Config(e.to_string()))?;
        let smtp = match &config.smtp {
            Some(c) => Some(std::sync::Arc::new(
                SmtpSender::new(c).map_err(|e| DaemonError::Smtp(e.to_string()))?,
            )),
            None => None,
        };
        let digest_schedule = cron::Schedule::from_str(&config.digest.schedule)
            .ok()
            .filter(|_| config.digest.enabled && !config.digest.recipients.is_empty());
        let flags = flags::Engine::new(&config)?;
        let directory = crate::ingest::setup::staff_directory(&config)
            .map_err(|e| DaemonError::Config(e.to_string()))?;
        let staff = funnel.clone();
        let router = Router::new(
            store.clone(),
            &config,
            &directory,
            std::sync::Arc::new(move |a: &crate::domain::EmailAddress| staff.is_staff(a)),
        )?;
        let seniors = directory.seniors().map(|m| m.email.clone()).collect();
        let linked = funnel.linked_signal();
        Ok(Self {
            config,
            store,
            funnel,
            smtp,
            health: crate::ingest::health::SourceHealth::new(),
            digest_schedule,
            router,
            seniors,
            linked,
            flags,
        })
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The funnel.
    pub fn funnel(&self) -> &Funnel {
        &self.funnel
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The flag stages' engine.
    pub fn flags(&self) -> &flags::Engine {
        &self.flags
    }

    /// Drains every source once, then runs due work. Every source is tried even when one
    /// fails; the first failure is returned after the rest has run.
    pub async fn run_once(&self) -> Result<OnceReport, DaemonError> {
        let mut report = OnceReport::default();
        let mut first_error: Option<DaemonError> = None;
        let (stored, folder_error) = self.scan_folders_once().await;
        report.ingested += stored;
        first_error = first_error.or(folder_error);
        for account in &self.config.imap.accounts {
            match ImapSource::new(account.clone(), self.funnel.clone())
                .sync_once()
                .await
            {
                Ok(o) => report.ingested += o,
                Err(e) => first_error = first_error.or(Some(e.into())),
            }
        }
        match self.drain_ocr().await {
            Ok(pass) => report.letters = pass,
            Err(e) => first_error = first_error.or(Some(e)),
        }
        report.links = self.link_stage().await?;
        report.routing = self.router.pass(chrono::Utc::now()).await?;
        let (flags, digest_period, reminders, delivery) = self.maintenance(true).await?;
        report.flags = flags;
        report.digest_period = digest_period;
        report.reminders = reminders;
        report.delivery = delivery;
        if let Some(e) = first_error {
            return Err(e);
        }
        if let Some(e) = &report.delivery.last_error {
            return Err(DaemonError::Smtp(format!(
                "{e}; the message stays in the outbox and is retried on the next run"
            )));
        }
        Ok(report)
    }

    /// Delivers whatever the outbox holds that is due now.
    pub async fn run_once_outbox(&self) -> Result<DeliveryReport, DaemonError> {
        match &self.smtp {
            Some(sender) => {
                Ok(
                    outbox::deliver_due(&self.store, sender, chrono::Utc::now().timestamp())
                        .await?,
                )
            }
            None => Ok(DeliveryReport::default()),
        }
    }

    /// Flag evaluation (all waiting items when `drain`, else a bounded share so the digest
    /// and outbox are not held up by a large backfill), the digest schedule, arrangement
    /// reminders and outbox delivery.
    async fn maintenance(
        &self,
        drain: bool,
    ) -> Result<(FlagPass, Option<String>, ReminderPass, DeliveryReport), DaemonError> {
        let now = chrono::Utc::now();
        let flags = flags::evaluate(&self.store, &self.flags, now.timestamp(), drain).await?;
        let mut period = None;
        if let Some(due) = self.digest_schedule.as_ref().and_then(|cron| {
            schedule::latest_due(
                cron,
                now,
                schedule::timezone(&self.config.organisation.timezone),
            )
        }) {
            let key = schedule::period_key(due);
            if digest::enqueue_period(&self.store, &self.config, &key, now.timestamp()).await? {
                period = Some(key);
            }
        }
        let today = crate::arrangements::today(&self.config.organisation.timezone, now);
        let reminders = reminders::run(
            &self.store,
            today,
            schedule::timezone(&self.config.organisation.timezone),
            self.config.routing.review_reminder_days,
            &self.seniors,
            &crate::routing::own_marks(&self.config),
        )
        .await?;
        let delivery = self.run_once_outbox().await?;
        Ok((flags, period, reminders, delivery))
    }

    /// Runs until `cancel` fires, then lets in-flight work finish (up to a deadline).
    pub async fn run(&self, cancel: CancellationToken) -> Result<(), DaemonError> {
        let mut tasks = tokio::task::JoinSet::new();
        if self.config.http.enabled {
            let listener = tokio::net::TcpListener::bind(&self.config.http.listen)
                .await
                .map_err(|source| DaemonError::Listen {
                    addr: self.config.http.listen.clone(),
                    source,
                })?;
            tracing::info!(addr = %self.config.http.listen, "HTTP server listening (/healthz, /readyz, /metrics).");
            let router = crate::http::router(self.store.clone(), self.health.clone());
            let c = cancel.clone();
            tasks.spawn(async move {
                let served = axum::serve(listener, router)
                    .with_graceful_shutdown(c.cancelled_owned())
                    .await;
                if let Err(e) = served {
                    tracing::error!("HTTP server stopped: {e}");
                }
            });
        }
        for account in &self.config.imap.accounts {
            self.health
                .register(&ImapSource::health_name(&account.name));
            let source = ImapSource::new(account.clone(), self.funnel.clone())
                .with_health(self.health.clone());
            tasks.spawn(source.run(cancel.clone()));
        }
        for folder in self.folders()? {
            self.health.register(folder.spec.source);
            let app = self.clone();
            let c = cancel.clone();
            tasks.spawn(async move { app.folder_loop(folder, c).await });
        }
        if self.config.letters.enabled {
            let app = self.clone();
            let c = cancel.clone();
            tasks.spawn(async move { app.ocr_loop(c).await });
        }
        let app = self.clone();
        let c = cancel.clone();
        tasks.spawn(async move { app.link_loop(c).await });
        let app = self.clone();
        let c = cancel.clone();
        tasks.spawn(async move { app.maintenance_loop(c).await });
        let app = self.clone();
        let c = cancel.clone();
        tasks.spawn(async move { app.routing_loop(c).await });

        cancel.cancelled().await;
        tracing::info!("Shutting down: finishing in-flight work.");
        if tokio::time::timeout(SHUTDOWN_DEADLINE, async {
            while tasks.join_next().await.is_some() {}
        })
        .await
        .is_err()
        {
            tracing::warn!("Shutdown deadline passed; stopping remaining tasks.");
            tasks.abort_all();
        }
        self.store.close().await;
        Ok(())
    }

    /// Runs maintenance every `MAINTENANCE_SECS`, and soon after the link stage decides new
    /// items (after a short quiet period, so a backfill triggers one pass, not one per batch).
    async fn maintenance_loop(&self, cancel: CancellationToken) {
        let stored = self.linked.clone();
        while !cancel.is_cancelled() {
            if let Err(e) = self.maintenance(false).await {
                tracing::error!("Maintenance pass failed: {e}; retrying in {MAINTENANCE_SECS} s.");
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(MAINTENANCE_SECS)) => {}
                () = stored.notified() => {
                    // Let a burst of batches finish before counting.
                    while tokio::time::timeout(QUIET_PERIOD, stored.notified()).await.is_ok() {}
                }
                () = cancel.cancelled() => return,
            }
        }
    }
}

impl App {
    /// Routes new inbound mail as soon as a batch stores items (and every
    /// `MAINTENANCE_SECS`), then delivers what it enqueued at once: a forward does not wait
    /// for the maintenance pass.
    async fn routing_loop(&self, cancel: CancellationToken) {
        let stored = self.funnel.routable_signal();
        while !cancel.is_cancelled() {
            match self.router.pass(chrono::Utc::now()).await {
                Ok(pass) if pass.enqueued > 0 => {
                    if let Err(e) = self.run_once_outbox().await {
                        tracing::error!(
                            "Delivering routed mail failed: {e}; the outbox retries it."
                        );
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!("Routing pass failed: {e}; retrying in {MAINTENANCE_SECS} s.");
                }
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(MAINTENANCE_SECS)) => {}
                () = stored.notified() => {}
                () = cancel.cancelled() => return,
            }
        }
    }
}

/// A token cancelled on SIGINT or SIGTERM.
pub fn shutdown_token() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(_) => {
                        let _ = ctrl_c.await;
                        t.cancel();
                        return;
                    }
                };
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        t.cancel();
    });
    token
}
