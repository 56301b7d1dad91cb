//! The state every request handler and server function shares.

use crate::server::{auth::password::PasswordHasher, clock::Clock, mail::MailSettings};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::{sync::Arc, time::Duration};

/// Settings that shape sessions and cookies.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// Send the session cookie with `Secure`. Browsers accept Secure cookies
    /// from `http://localhost` and `http://127.0.0.1`, so this stays on in
    /// development too; turn it off only for plain HTTP on another host.
    pub cookie_secure: bool,
    /// How long a session lives after sign-in, at most (absolute lifetime).
    pub lifetime: Duration,
    /// A session unused for this long ends (idle timeout).
    pub idle_timeout: Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            cookie_secure: true,
            lifetime: Duration::from_secs(12 * 60 * 60),
            idle_timeout: Duration::from_secs(30 * 60),
        }
    }
}

/// Where uploaded files live and how large they may be.
#[derive(Clone, Debug)]
pub struct FileSettings {
    /// The directory documents are stored in, under generated names
    /// (`<data dir>/documents`), outside any web root.
    pub dir: std::path::PathBuf,
    /// The largest upload accepted, in bytes; enforced while the body
    /// streams in.
    pub max_upload_bytes: u64,
    /// The most every client account's PDFs may take together, in bytes;
    /// `None`: no quota.
    pub account_quota_bytes: Option<u64>,
}

impl FileSettings {
    /// The default upload limit: 20 MB.
    pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 20 * 1024 * 1024;
    /// The default storage quota per client account: 1 GB.
    pub const DEFAULT_ACCOUNT_QUOTA_BYTES: u64 = 1024 * 1024 * 1024;
}

/// Shared application state: the router's state and, through leptos context,
/// every server function's.
#[derive(Clone)]
pub struct AppState {
    /// Leptos' site options (site root, pkg dir, output name).
    pub leptos_options: LeptosOptions,
    /// The database pool.
    pub db: DatabaseConnection,
    /// The argon2id hasher with its bounded pool of hashing threads.
    pub passwords: PasswordHasher,
    /// Session and cookie settings.
    pub sessions: Arc<SessionSettings>,
    /// Where "now" comes from.
    pub clock: Clock,
    /// Outgoing email: public address for links, dev mailbox, worker wake-up.
    pub mail: Arc<MailSettings>,
    /// Uploaded documents.
    pub files: Arc<FileSettings>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
