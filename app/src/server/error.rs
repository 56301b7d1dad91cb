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
/// the opaque error the browser may see: [`AppError::Unavailable`] when the
/// cause is the storage ([`storage_unavailable`]), else
/// [`AppError::Internal`]. The reference is the request's id
/// (`request_id`), so it finds every log line of the request; outside a
/// request (the outbox worker, the command line) a fresh one.
pub fn internal(err: &(dyn std::error::Error + 'static)) -> AppError {
    let reference = crate::server::request_id::current()
        .unwrap_or_else(crate::server::request_id::RequestId::generate)
        .0;
    if storage_unavailable(err) {
        tracing::error!(%reference, error = %cause_chain(err), "storage unavailable");
        return AppError::Unavailable { reference };
    }
    tracing::error!(%reference, error = %cause_chain(err), "internal error");
    AppError::Internal { reference }
}

/// Whether `err` (or one of its causes) is the storage failing rather than
/// Gatehouse: the database unreachable, restarting, read-only or full, or
/// the disk full or read-only. Such failures pass; a retry later works.
pub fn storage_unavailable(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io_unavailable(io) {
                return true;
            }
        }
        if let Some(db) = e.downcast_ref::<sea_orm::DbErr>() {
            if db_unavailable(db) {
                return true;
            }
        }
        cause = e.source();
    }
    false
}

fn io_unavailable(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        StorageFull
            | ReadOnlyFilesystem
            | QuotaExceeded
            | ConnectionRefused
            | ConnectionReset
            | ConnectionAborted
            | NotConnected
            | BrokenPipe
            | TimedOut
    )
}

fn db_unavailable(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            sqlx_unavailable(e)
        }
        _ => false,
    }
}

fn sqlx_unavailable(e: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match e {
        // A pool that times out is the database not answering (down,
        // restarting) as often as a leak; both are logged with the cause.
        // A crashed SQLite worker is a bug, not an outage: not here.
        Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed => true,
        Error::Database(d) => {
            if let Some(pg) = d.try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>() {
                // Connection exceptions, operator intervention (shutdown,
                // restart), insufficient resources (disk full), a read-only
                // transaction (a replica), system I/O errors.
                let code = pg.code();
                code.starts_with("08")
                    || code.starts_with("57P")
                    || code.starts_with("53")
                    || code.starts_with("58")
                    || code == "25006"
            } else if d
                .try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
                .is_some()
            {
                // SQLite's primary result code is the low byte of the
                // extended one: READONLY 8, IOERR 10, FULL 13, CANTOPEN 14.
                // BUSY (5, "database is locked") is deliberately not here:
                // it is a bug in Gatehouse, not a passing outage.
                let code: i64 = d.code().and_then(|c| c.parse().ok()).unwrap_or(0);
                matches!(code & 0xff, 8 | 10 | 13 | 14)
            } else {
                false
            }
        }
        _ => false,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectionTrait, Database};

    #[test]
    fn a_full_or_read_only_disk_is_the_storage() {
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert!(storage_unavailable(&full));
        let read_only = std::io::Error::from(std::io::ErrorKind::ReadOnlyFilesystem);
        assert!(matches!(internal(&read_only), AppError::Unavailable { .. }));
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(!storage_unavailable(&missing));
        assert!(matches!(internal(&missing), AppError::Internal { .. }));
    }

    #[test]
    fn an_unreachable_database_is_the_storage() {
        assert!(storage_unavailable(&sea_orm::DbErr::Conn(
            sea_orm::RuntimeErr::Internal("connection refused".into())
        )));
        assert!(!storage_unavailable(&sea_orm::DbErr::RecordNotFound(
            "x".into()
        )));
    }

    #[tokio::test]
    async fn a_read_only_database_is_the_storage_a_broken_rule_is_not() {
        let dir = std::env::temp_dir().join(format!(
            "gatehouse-error-test-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let rw = Database::connect(format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .unwrap();
        rw.execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            .await
            .unwrap();
        rw.execute_unprepared("INSERT INTO t VALUES (1)")
            .await
            .unwrap();
        let duplicate = rw
            .execute_unprepared("INSERT INTO t VALUES (1)")
            .await
            .unwrap_err();
        assert!(!storage_unavailable(&duplicate), "{duplicate}");
        let ro = Database::connect(format!("sqlite://{}?mode=ro", path.display()))
            .await
            .unwrap();
        let refused = ro
            .execute_unprepared("INSERT INTO t VALUES (2)")
            .await
            .unwrap_err();
        assert!(storage_unavailable(&refused), "{refused}");
        ro.close().await.unwrap();
        rw.close().await.unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }
}
