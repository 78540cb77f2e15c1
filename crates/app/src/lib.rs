//! Courtyard's use cases: they compose the database, the outbox and mail
//! inside transactions. No HTTP here, no SQL here.

pub mod access;
pub mod auth;
pub mod config;
pub mod customers;

pub mod documents;
pub mod emails;
pub mod error;
pub mod files;
pub mod links;
pub mod listing;
pub mod notify;
pub mod outbox;
pub mod pdf;
pub mod pool;
pub mod portal_users;
pub mod records;
pub mod sales;
pub mod security;
pub mod work;
pub mod worker;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub use config::Config;
pub use courtyard_db::{Backend, Db};
pub use courtyard_domain as domain;
pub use courtyard_mail::{Email, Mailer};
pub use error::{AppError, AppResult};
pub use security::PasswordHasher;

/// Wall-clock time in unix seconds, with an offset tests can move forward.
#[derive(Clone, Default, Debug)]
pub struct Clock(Arc<AtomicI64>);

impl Clock {
    pub fn now(&self) -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp() + self.0.load(Ordering::Relaxed)
    }

    pub fn today(&self) -> time::Date {
        time::OffsetDateTime::from_unix_timestamp(self.now())
            .expect("valid time")
            .date()
    }

    /// Move the clock forward (tests of expiry).
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::Relaxed);
    }
}

pub use courtyard_pdf::sandbox::{child_main as pdf_child_main, CHILD_ARG as PDF_CHILD_ARG};

/// Everything a use case needs; cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    pub db: Db,
    pub mailer: Mailer,
    pub config: Arc<Config>,
    pub clock: Clock,
    pub hasher: PasswordHasher,
    pub files: courtyard_files::FileStore,
    /// PDF rendering threads for the built-in templates (docs/adr/0010).
    pub pdf: pool::WorkPool,
    /// Threads that wait on the child processes of staff-written templates,
    /// apart so that built-in renders never queue behind them (docs/adr/0013).
    pub pdf_custom: pool::WorkPool,
    pub pdf_sandbox: courtyard_pdf::sandbox::Sandbox,
    /// Thumbnail threads: uploads wait for room rather than fail.
    pub images: pool::WorkPool,
}

impl App {
    pub fn new(db: Db, mailer: Mailer, config: Config) -> Self {
        Self {
            db,
            mailer,
            files: Self::file_store(&config),
            pdf_sandbox: config.pdf_sandbox(),
            config: Arc::new(config),
            clock: Clock::default(),
            hasher: PasswordHasher::new(),
            // A person waits for each PDF: past 32 queued, say "try again".
            pdf: pool::WorkPool::new("pdf", 32, pool::Priority::Low, true),
            // Its threads only wait on children, which have their own limits.
            pdf_custom: pool::WorkPool::with_threads(
                "pdf-custom",
                4,
                16,
                pool::Priority::Low,
                true,
            ),
            images: pool::WorkPool::new("thumbs", 64, pool::Priority::Low, false),
        }
    }

    /// The file store the configuration asks for (S3 settings were checked,
    /// by building the store, when the configuration was loaded).
    fn file_store(config: &Config) -> courtyard_files::FileStore {
        match config.files.store.as_str() {
            "memory" => courtyard_files::FileStore::memory(),
            "s3" => courtyard_files::FileStore::s3(&config.s3_settings())
                .expect("S3 settings checked by Config::validate"),
            _ => courtyard_files::FileStore::local(&config.data_dir.join("files")),
        }
    }

    /// Build the mailer the configuration asks for.
    pub fn mailer_from_config(config: &Config) -> anyhow::Result<Mailer> {
        Ok(match config.mail.transport.as_str() {
            "smtp" => Mailer::smtp(
                config
                    .mail
                    .smtp_url
                    .as_ref()
                    .map(|s| s.expose())
                    .unwrap_or_default(),
            )?,
            "memory" => Mailer::memory(),
            _ => Mailer::file(config.data_dir.join("mail"))?,
        })
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// An absolute link into this Courtyard.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.config.public_url(), path)
    }
}
