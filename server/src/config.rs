//! Configuration from `Leptos.toml` and the environment. Every setting has a
//! default that runs Gatehouse locally on SQLite; the README's table lists
//! them.

use app::server::state::SessionSettings;
use leptos::config::LeptosOptions;
use std::{env, net::SocketAddr, path::PathBuf, time::Duration};

/// The server's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Leptos site options (site root, pkg dir, output name, address).
    pub leptos: LeptosOptions,
    /// Where to listen (`LEPTOS_SITE_ADDR`, else `Leptos.toml`).
    pub listen: SocketAddr,
    /// `DATABASE_URL`; default: an SQLite file in the data directory.
    pub database_url: String,
    /// `GATEHOUSE_DATA_DIR`, default `./data`.
    pub data_dir: PathBuf,
    /// `GATEHOUSE_PUBLIC_URL`: the address users reach Gatehouse at (used in
    /// printed and emailed links, never taken from a request).
    pub public_url: String,
    /// Session and cookie settings (`GATEHOUSE_COOKIE_SECURE`,
    /// `GATEHOUSE_SESSION_HOURS`).
    pub sessions: SessionSettings,
    /// `GATEHOUSE_MAX_BODY_BYTES`: largest request body accepted.
    pub max_body_bytes: usize,
    /// `GATEHOUSE_MAX_UPLOAD_MB`: largest document upload (default 20).
    pub max_upload_bytes: u64,
    /// `GATEHOUSE_ACCOUNT_QUOTA_MB`: storage per client account (default
    /// 1024; `0`: no quota).
    pub account_quota_bytes: Option<u64>,
    /// `GATEHOUSE_UPLOADS_PER_MINUTE`: uploads per signed-in user per minute
    /// (default 30; `0`: no limit).
    pub uploads_per_minute: u32,
    /// `GATEHOUSE_PASSWORD_HASHERS`: argon2 hashes run at once.
    pub password_hashers: usize,
    /// `SMTP_URL`: where email goes (lettre's URL format); `None` without it.
    pub smtp_url: Option<String>,
    /// `SMTP_FROM`: the sender of every email.
    pub smtp_from: String,
    /// `GATEHOUSE_DEV_MAILBOX`: turns on the development mailbox page. Only
    /// for development; the README's run command sets it.
    pub dev_mailbox: bool,
    /// `GATEHOUSE_RATE_LIMIT_PER_MINUTE` and `GATEHOUSE_TRUSTED_PROXIES`.
    pub rate_limit: crate::rate_limit::RateLimitSettings,
    /// `GATEHOUSE_SHUTDOWN_SECONDS`: how long requests in flight may take to
    /// finish after SIGTERM or SIGINT (default 30).
    pub shutdown_grace: Duration,
    /// `GATEHOUSE_METRICS_ALLOW`: addresses that may read `/metrics`
    /// (default loopback).
    pub metrics_allow: Vec<std::net::IpAddr>,
    /// `GATEHOUSE_IMPORT_DIR`: the watched folder of CSIO policy downloads
    /// (one subfolder per organization); none by default.
    pub import_dir: Option<PathBuf>,
    /// `GATEHOUSE_IMPORT_POLL_SECONDS`: how often it is looked at (default
    /// 10).
    pub import_poll: Duration,
}

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `Leptos.toml` is missing or malformed.
    #[error("reading Leptos.toml: {0}")]
    Leptos(String),
    /// An environment variable has a value that can't be used.
    #[error("{name} must be {expected}, got {value:?}")]
    Invalid {
        /// Variable name.
        name: &'static str,
        /// What it must be.
        expected: &'static str,
        /// What it is.
        value: String,
    },
}

fn parsed<T: std::str::FromStr>(
    name: &'static str,
    expected: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map_err(|_| ConfigError::Invalid {
            name,
            expected,
            value: v,
        }),
        _ => Ok(default),
    }
}

/// Whether the build's `hash.txt` is next to this binary.
fn hash_file_beside_binary(options: &LeptosOptions) -> bool {
    app::hydration_scripts::hash_file(options).is_some_and(|file| file.is_file())
}

/// The site files every page needs (script, wasm, stylesheet) that are not in
/// the site directory: a binary deployed without its `hash.txt`, or a site
/// from another build. Pages would then load without script or style, so
/// `serve` says so loudly at start.
pub fn missing_site_files(options: &LeptosOptions) -> Vec<PathBuf> {
    let names = app::hydration_scripts::bundle_names(options);
    let pkg = PathBuf::from(&*options.site_root).join(&*options.site_pkg_dir);
    [
        format!("{}.js", names.js),
        format!("{}.wasm", names.wasm),
        format!("{}.css", names.css),
    ]
    .into_iter()
    .map(|name| pkg.join(name))
    .filter(|path| !path.is_file())
    .collect()
}

impl Config {
    /// Reads `Leptos.toml` (from the working directory) and the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let conf = leptos_config::get_configuration(Some("Leptos.toml"))
            .map_err(|e| ConfigError::Leptos(e.to_string()))?;
        let mut leptos = conf.leptos_options;
        // `hash-files` names the site's files by content; the build writes
        // the names to a file next to the binary. A binary built without it
        // (plain `cargo build`, the tests) serves the plain names instead
        // of failing on the missing file.
        if leptos.hash_files && !hash_file_beside_binary(&leptos) {
            leptos.hash_files = false;
        }
        let listen = leptos.site_addr;
        let data_dir =
            PathBuf::from(env::var("GATEHOUSE_DATA_DIR").unwrap_or_else(|_| "data".into()));
        let database_url = env::var("DATABASE_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| sqlite_url(&data_dir.join("gatehouse.db")));
        let public_url = env::var("GATEHOUSE_PUBLIC_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_string();
        let session_hours: u64 = parsed("GATEHOUSE_SESSION_HOURS", "a whole number of hours", 12)?;
        let idle_minutes: u64 = parsed(
            "GATEHOUSE_SESSION_IDLE_MINUTES",
            "a whole number of minutes",
            30,
        )?;
        let metrics_allow = match env::var("GATEHOUSE_METRICS_ALLOW") {
            Ok(v) if !v.trim().is_empty() => v
                .split(',')
                .map(|s| {
                    s.trim()
                        .parse::<std::net::IpAddr>()
                        .map(|ip| ip.to_canonical())
                        .map_err(|_| ConfigError::Invalid {
                            name: "GATEHOUSE_METRICS_ALLOW",
                            expected: "a comma-separated list of IP addresses",
                            value: v.clone(),
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
            _ => crate::observability::loopback(),
        };
        let trusted_proxies = match env::var("GATEHOUSE_TRUSTED_PROXIES") {
            Ok(v) if !v.trim().is_empty() => v
                .split(',')
                .map(|s| {
                    s.trim().parse().map_err(|_| ConfigError::Invalid {
                        name: "GATEHOUSE_TRUSTED_PROXIES",
                        expected: "a comma-separated list of IP addresses",
                        value: v.clone(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            _ => Vec::new(),
        };
        Self {
            leptos,
            listen,
            database_url,
            data_dir,
            public_url,
            sessions: SessionSettings {
                cookie_secure: parsed("GATEHOUSE_COOKIE_SECURE", "true or false", true)?,
                lifetime: Duration::from_secs(session_hours.max(1) * 3600),
                idle_timeout: Duration::from_secs(idle_minutes.max(1) * 60),
            },
            max_body_bytes: parsed("GATEHOUSE_MAX_BODY_BYTES", "a number of bytes", 1024 * 1024)?,
            max_upload_bytes: parsed::<u64>(
                "GATEHOUSE_MAX_UPLOAD_MB",
                "a number of megabytes",
                20,
            )?
            .max(1)
                * 1024
                * 1024,
            account_quota_bytes: Some(parsed::<u64>(
                "GATEHOUSE_ACCOUNT_QUOTA_MB",
                "a number of megabytes (0 for no quota)",
                1024,
            )?)
            .filter(|mb| *mb > 0)
            .map(|mb| mb.saturating_mul(1024 * 1024)),
            uploads_per_minute: parsed(
                "GATEHOUSE_UPLOADS_PER_MINUTE",
                "a whole number (0 turns the limit off)",
                30,
            )?,
            password_hashers: parsed(
                "GATEHOUSE_PASSWORD_HASHERS",
                "a number of threads",
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )?,
            smtp_url: env::var("SMTP_URL").ok().filter(|v| !v.trim().is_empty()),
            smtp_from: env::var("SMTP_FROM")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| "Gatehouse <no-reply@gatehouse.invalid>".into()),
            dev_mailbox: parsed("GATEHOUSE_DEV_MAILBOX", "true or false", false)?,
            metrics_allow,
            import_dir: env::var("GATEHOUSE_IMPORT_DIR")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(PathBuf::from),
            import_poll: Duration::from_secs(
                parsed::<u64>(
                    "GATEHOUSE_IMPORT_POLL_SECONDS",
                    "a whole number of seconds",
                    10,
                )?
                .max(1),
            ),
            shutdown_grace: Duration::from_secs(parsed(
                "GATEHOUSE_SHUTDOWN_SECONDS",
                "a whole number of seconds",
                30,
            )?),
            rate_limit: crate::rate_limit::RateLimitSettings {
                per_minute: parsed(
                    "GATEHOUSE_RATE_LIMIT_PER_MINUTE",
                    "a whole number (0 turns the limit off)",
                    20,
                )?,
                trusted_proxies,
            },
        }
        .check()
    }

    /// Settings that contradict each other.
    fn check(self) -> Result<Self, ConfigError> {
        if self.dev_mailbox && self.smtp_url.is_some() {
            return Err(ConfigError::Invalid {
                name: "GATEHOUSE_DEV_MAILBOX",
                expected:
                    "off when SMTP_URL is set (the mailbox would show links that were really sent)",
                value: "true".into(),
            });
        }
        Ok(self)
    }

    /// True when the database is an SQLite file.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// The sea-orm URL of an SQLite file, created when missing.
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}
