//! Server-side half of the error policy (see `crate::error`): services fail
//! with [`ServiceError`]; internal causes are logged with a reference id and
//! only the id travels to the browser.

use crate::{domain::ParseError, error::AppError};
use std::fmt::Write as _;

/// A boxed cause, for internal failures.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// How a service call can fail.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Input that can't be accepted, naming the field.
    #[error(transparent)]
    Invalid(#[from] ParseError),
    /// No session, or it ended.
    #[error("sign-in required")]
    SignInRequired,
    /// The actor may not do this.
    #[error("forbidden")]
    Forbidden,
    /// Missing, or outside the actor's organization/account.
    #[error("not found")]
    NotFound,
    /// A staff user is emulating an Account Manager: the Admin Portal and
    /// the Account Manager's own password wait until the emulation stops.
    #[error("emulating {account_manager} of {account}")]
    Emulating {
        /// The emulated Account Manager's name.
        account_manager: String,
        /// The account's name.
        account: String,
    },
    /// Conflicts with existing data; the message is for people.
    #[error("{0}")]
    Conflict(String),
    /// Anything else: logged, never shown.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

impl From<sea_orm::DbErr> for ServiceError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<crate::server::auth::password::PasswordError> for ServiceError {
    fn from(e: crate::server::auth::password::PasswordError) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(p) => p.into(),
            ServiceError::SignInRequired => AppError::SignInRequired,
            ServiceError::Forbidden => AppError::Forbidden,
            ServiceError::NotFound => AppError::NotFound,
            ServiceError::Conflict(m) => AppError::Conflict(m),
            ServiceError::Emulating {
                account_manager,
                account,
            } => AppError::Emulating {
                account_manager,
                account,
            },
            ServiceError::Internal(cause) => internal(cause.as_ref()),
        }
    }
}

/// Logs `err` with its whole cause chain under a reference id and returns
/// the opaque error the browser may see. The reference is the request's id
/// (`request_id`), so it finds every log line of the request; outside a
/// request (the outbox worker, the command line) a fresh one.
pub fn internal(err: &(dyn std::error::Error + 'static)) -> AppError {
    let reference = crate::server::request_id::current()
        .unwrap_or_else(crate::server::request_id::RequestId::generate)
        .0;
    tracing::error!(%reference, error = %cause_chain(err), "internal error");
    AppError::Internal { reference }
}

/// "outer: inner: innermost".
pub fn cause_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let _ = write!(out, ": {s}");
        source = s.source();
    }
    out
}
