//! Connecting to the database and starting write transactions, the same way
//! for the server, the command line and the tests.
//!
//! SQLite is tuned for a web server: WAL (readers don't block the writer;
//! checkpointed every 10,000 pages), a busy timeout (writers queue instead
//! of failing), foreign keys enforced, several pooled connections, and write
//! transactions that start `IMMEDIATE` so two writers never deadlock
//! upgrading read locks.
//!
//! A pooled SQLite connection is checked each time it is handed out
//! ([`sqlite_connection_is_clean`]): after a storage failure (the file made
//! read-only, the disk full) a connection can be left inside a transaction
//! that will never commit, and every later write on it would be acknowledged
//! and then lost, while it holds the write lock against all the others; and
//! a connection opened while the file could not be written is read-only for
//! good, long after the file is writable again. Such a connection is closed
//! instead of reused, so the server recovers by itself.

use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::time::Duration;

/// Opens a pool for `url` (`sqlite://path?mode=rwc` or `postgres://…`).
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if url.starts_with("sqlite:") { 8 } else { 16 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    options.map_sqlx_sqlite_opts(|o| {
        o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            .create_if_missing(true)
            // A checkpoint copies the log's pages into the database and
            // syncs it. SQLite's default (every 1,000 pages, 4 MB) ran one
            // every second or third file of an import, since a file of 100
            // policies changes about 500 pages of indexes; every 10,000
            // pages copies a page changed by several files once, and took
            // the import from about 4,400 to 5,200 policies/s
            // (BENCHMARKS.md). The log file is cut back to 64 MB after a
            // larger transaction.
            .pragma("wal_autocheckpoint", "10000")
            .pragma("journal_size_limit", "67108864")
    });
    // PostgreSQL plans every statement with its values: a cached generic
    // plan can't tell that `search_text LIKE '%qqqq%'` is rare, and walked
    // 57,000 logins instead of asking the trigram index (47 ms against
    // 0.04 ms at 100,000 logins). Planning these small statements costs
    // well under a millisecond.
    // Set on each new connection rather than as a startup option, which
    // connection poolers such as PgBouncer refuse.
    options.map_sqlx_postgres_pool_opts(|o| {
        o.after_connect(|conn, _| {
            Box::pin(async move {
                use sea_orm::sqlx::Executor;
                conn.execute("SET plan_cache_mode = force_custom_plan")
                    .await
                    .map(|_| ())
            })
        })
    });
    let writable = !url.contains("mode=ro");
    options.map_sqlx_sqlite_before_acquire(move |conn, _| {
        Box::pin(async move { Ok(sqlite_connection_is_clean(conn, writable).await) })
    });
    Database::connect(options).await
}

/// Whether a pooled SQLite connection may be handed out: outside any
/// transaction, both as sqlx counts them and as SQLite itself knows
/// (`sqlite3_get_autocommit`), and, for a `writable` pool, not opened
/// read-only (`sqlite3_db_readonly`). Both are plain reads of the
/// connection's state, asked in one visit to its worker thread: no statement
/// runs and no lock is taken.
pub async fn sqlite_connection_is_clean(
    conn: &mut sea_orm::sqlx::SqliteConnection,
    writable: bool,
) -> bool {
    use sea_orm::sqlx::Connection;
    if conn.is_in_transaction() {
        tracing::warn!("closing a database connection left inside a transaction");
        return false;
    }
    let Ok(mut handle) = conn.lock_handle().await else {
        return false;
    };
    let raw = handle.as_raw_handle().as_ptr();
    // SAFETY: `raw` is this connection's open handle, locked for us until
    // `handle` drops; the schema name is a NUL-terminated literal.
    let (in_transaction, read_only) = unsafe {
        (
            libsqlite3_sys::sqlite3_get_autocommit(raw) == 0,
            libsqlite3_sys::sqlite3_db_readonly(raw, c"main".as_ptr()) != 0,
        )
    };
    drop(handle);
    if in_transaction {
        tracing::warn!("closing a database connection SQLite left inside a transaction");
        return false;
    }
    if writable && read_only {
        tracing::warn!("closing a database connection SQLite opened read-only");
        return false;
    }
    true
}

/// Starts a transaction that will write: `BEGIN IMMEDIATE` on SQLite, a plain
/// `BEGIN` elsewhere.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        db.begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await
    } else {
        db.begin().await
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_connection_is_clean;
    use sea_orm::sqlx::{Connection, Executor, SqliteConnection};

    fn temp_db() -> (std::path::PathBuf, String) {
        let dir = std::env::temp_dir().join(format!(
            "gatehouse-db-test-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        (dir, format!("sqlite://{}", path.display()))
    }

    #[tokio::test]
    async fn a_connection_inside_a_transaction_or_read_only_is_not_handed_out() {
        let (dir, url) = temp_db();
        let mut fresh = SqliteConnection::connect(&format!("{url}?mode=rwc"))
            .await
            .unwrap();
        fresh
            .execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            .await
            .unwrap();
        assert!(sqlite_connection_is_clean(&mut fresh, true).await);
        // The check leaves no transaction behind.
        fresh.execute("INSERT INTO t VALUES (1)").await.unwrap();

        // SQLite inside a transaction sqlx does not know about: what a
        // failed commit can leave.
        let mut stuck = SqliteConnection::connect(&format!("{url}?mode=rw"))
            .await
            .unwrap();
        stuck.execute("BEGIN IMMEDIATE").await.unwrap();
        assert!(!sqlite_connection_is_clean(&mut stuck, true).await);

        // A read-only connection in a pool meant for writing.
        let mut read_only = SqliteConnection::connect(&format!("{url}?mode=ro"))
            .await
            .unwrap();
        assert!(!sqlite_connection_is_clean(&mut read_only, true).await);
        assert!(sqlite_connection_is_clean(&mut read_only, false).await);

        for c in [fresh, stuck, read_only] {
            c.close().await.unwrap();
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
