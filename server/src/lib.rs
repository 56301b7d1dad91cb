//! Gatehouse's server: configuration, database start-up, the router and its
//! middleware, and the operator's command line. `main.rs` only parses the
//! command line and calls into here, so tests drive the same code.

// The page types of a full-stack Leptos app nest deeply (the release
// build erases them; debug and test builds do not).
#![recursion_limit = "256"]

pub mod backup;
pub mod cli;
pub mod config;
pub mod data_lock;
pub mod import_watch;
pub mod mail;
pub mod middleware;
pub mod observability;
pub mod rate_limit;
pub mod request_log;
pub mod router;
pub mod shutdown;

use app::server::{
    auth::password::PasswordHasher,
    clock::Clock,
    mail::MailSettings,
    state::{AppState, FileSettings},
};
use migrations::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Connects to the configured database (creating the SQLite data directory
/// when needed) and applies pending migrations.
pub async fn open_database(
    config: &config::Config,
) -> Result<DatabaseConnection, Box<dyn std::error::Error + Send + Sync>> {
    if config.is_sqlite() {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    // Migrate on a pool of its own, then open the serving pool: every
    // serving connection starts with the final schema.
    let migrator = app::server::db::connect(&config.database_url).await?;
    Migrator::up(&migrator, None).await?;
    migrator.close().await?;
    Ok(app::server::db::connect(&config.database_url).await?)
}

/// The shared state for a configuration and an open database.
pub fn state(config: &config::Config, db: DatabaseConnection) -> AppState {
    AppState {
        leptos_options: config.leptos.clone(),
        db,
        passwords: PasswordHasher::new(config.password_hashers),
        sessions: Arc::new(config.sessions.clone()),
        clock: Clock::System,
        mail: Arc::new(MailSettings {
            from: config.smtp_from.clone(),
            ..MailSettings::new(config.public_url.clone(), config.dev_mailbox)
        }),
        files: Arc::new(file_settings(config)),
    }
}

/// Where documents are stored, and their limits, for a configuration.
pub fn file_settings(config: &config::Config) -> FileSettings {
    FileSettings {
        dir: config.data_dir.join("documents"),
        max_upload_bytes: config.max_upload_bytes,
        account_quota_bytes: config.account_quota_bytes,
    }
}

/// How log lines are written (`GATEHOUSE_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    Text,
    /// One JSON object per line, with the fields of the enclosing spans
    /// (the request id among them), for log collectors.
    Json,
}

impl LogFormat {
    /// Reads `GATEHOUSE_LOG_FORMAT` (`text` or `json`; unset means text).
    pub fn from_env() -> Result<Self, String> {
        match std::env::var("GATEHOUSE_LOG_FORMAT") {
            Err(_) => Ok(Self::Text),
            Ok(v) => match v.trim().to_ascii_lowercase().as_str() {
                "" | "text" => Ok(Self::Text),
                "json" => Ok(Self::Json),
                other => Err(format!(
                    "GATEHOUSE_LOG_FORMAT must be `text` or `json`, not `{other}`"
                )),
            },
        }
    }
}

/// Sets up logging from `RUST_LOG` (default: info for Gatehouse, warnings
/// for libraries) in the given format. Logs go to standard error, so the
/// operator commands' standard output stays clean.
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_http=info")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .flatten_event(true)
            .try_init(),
    };
}
