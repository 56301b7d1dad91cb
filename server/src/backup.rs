//! `server backup <file>` and `server restore <file>` for the embedded
//! (SQLite) setup.
//!
//! A backup is one gzip-compressed tar file: `manifest.json`, `gatehouse.db`
//! (a consistent copy made with `VACUUM INTO` while the server keeps
//! serving) and `documents/<stored name>` for every uploaded file the copy
//! refers to. Files are read after the database copy, so a document
//! uploaded meanwhile is simply not in the backup, and one deleted
//! meanwhile (its file gone before it was read) is taken out of the copy
//! as well: what the archive's database names, the archive holds.
//!
//! Restoring unpacks into a staging directory next to the data, checks the
//! database (`PRAGMA integrity_check`, Gatehouse's migrations table), and
//! only then swaps it in; what was there before is moved, not deleted, to
//! `before-restore-<time>/` in the data directory. PostgreSQL setups are
//! backed up with `pg_dump` and a copy of the data directory (README).

use crate::config::Config;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::{
    fs::File,
    io::{BufReader, BufWriter},
    path::{Component, Path, PathBuf},
};

/// The archive's version of the layout; restore refuses others.
const FORMAT: u32 = 1;
const MANIFEST: &str = "manifest.json";
const DATABASE: &str = "gatehouse.db";
const DOCUMENTS: &str = "documents";

/// What the archive says about itself.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Manifest {
    format: u32,
    created_at: String,
    gatehouse_version: String,
    documents: usize,
}

/// Why a backup or restore did not happen. Shown to the operator whole.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The configuration is not the embedded SQLite one.
    #[error(
        "`server backup` and `server restore` handle the embedded SQLite setup; back up a \
         PostgreSQL setup with pg_dump and a copy of the data directory (see the README)"
    )]
    NotSqlite,
    /// A server answers on the configured address.
    #[error("Gatehouse is running on {0}: stop it before restoring, then start it again")]
    ServerRunning(std::net::SocketAddr),
    /// Another Gatehouse process has the data directory open.
    #[error(
        "another Gatehouse process (a server, or a command such as backup) is using {0}: \
         stop it before restoring, then start it again"
    )]
    DataInUse(PathBuf),
    /// The archive is not a Gatehouse backup, or is damaged.
    #[error("{0} is not a usable Gatehouse backup: {1}")]
    BadArchive(PathBuf, String),
    /// Reading or writing files failed.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    /// The database refused.
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

fn io(what: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.to_string();
    move |e| BackupError::Io(what, e)
}

/// The SQLite file a `sqlite:` database URL names.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Writes a backup of the running (or stopped) SQLite setup to `target`.
/// Returns the line to print.
pub async fn backup(config: &Config, target: &Path) -> Result<String, BackupError> {
    if !config.is_sqlite() {
        return Err(BackupError::NotSqlite);
    }
    let documents_dir = config.data_dir.join(DOCUMENTS);
    if target.exists() {
        return Err(BackupError::Io(
            target.display().to_string(),
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "already exists; choose a new file name",
            ),
        ));
    }
    let Some(db_path) = sqlite_path(&config.database_url) else {
        return Err(BackupError::NotSqlite);
    };
    if !db_path.is_file() {
        return Err(BackupError::Io(
            db_path.display().to_string(),
            std::io::Error::new(std::io::ErrorKind::NotFound, "no database here to back up"),
        ));
    }
    let staging = private_dir()
        .prefix(".backup-")
        .tempdir_in(parent_of(target))
        .map_err(io(format!("cannot write next to {}", target.display())))?;
    let copy = staging.path().join(DATABASE);
    // Created empty and private first: `VACUUM INTO` fills an empty file.
    private_file(&copy).map_err(io(copy.display()))?;

    // The consistent copy: one read transaction on the live database
    // (opened as it is, never created).
    let live = app::server::db::connect(&format!("sqlite://{}?mode=rw", db_path.display())).await?;
    live.execute_unprepared(&format!(
        "VACUUM INTO {}",
        sql_text(&copy.to_string_lossy())
    ))
    .await?;

    // The files the copy refers to; a file deleted since the copy was made
    // takes its row out of the copy.
    let snapshot = one_connection(&copy).await?;
    let stored = stored_names(&snapshot).await?;
    let mut present = Vec::with_capacity(stored.len());
    let mut dropped = 0usize;
    for (id, name) in stored {
        let path = documents_dir.join(&name);
        if path.is_file() {
            present.push(name);
        } else if still_listed(&live, id).await? {
            // Missing in the live system too: keep the row (it is what the
            // live system has) and say so.
            tracing::warn!(document = id, file = %path.display(), "a document's file is missing from the data directory");
            eprintln!(
                "warning: document {id}'s file {} is missing from the data directory",
                path.display()
            );
        } else {
            snapshot
                .execute_raw(Statement::from_sql_and_values(
                    snapshot.get_database_backend(),
                    "DELETE FROM documents WHERE id = ?",
                    [id.into()],
                ))
                .await?;
            dropped += 1;
        }
    }
    // Leave a single file: no WAL beside the copy.
    snapshot
        .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
        .await?;
    snapshot
        .execute_unprepared("PRAGMA journal_mode = DELETE")
        .await?;
    snapshot.close().await?;
    live.close().await?;

    let manifest = Manifest {
        format: FORMAT,
        created_at: chrono::Utc::now().to_rfc3339(),
        gatehouse_version: env!("CARGO_PKG_VERSION").to_string(),
        documents: present.len(),
    };
    let partial = staging.path().join("backup.tar.gz");
    {
        let out = private_file(&partial).map_err(io(partial.display()))?;
        let gz = flate2::write::GzEncoder::new(BufWriter::new(out), flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        let manifest_json = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        let mut header = tar::Header::new_gnu();
        header.set_size(manifest_json.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(chrono::Utc::now().timestamp().max(0) as u64);
        header.set_cksum();
        tar.append_data(&mut header, MANIFEST, manifest_json.as_slice())
            .map_err(io("writing the archive"))?;
        append_private(&mut tar, &copy, DATABASE).map_err(io("writing the archive"))?;
        for name in &present {
            append_private(
                &mut tar,
                &documents_dir.join(name),
                &format!("{DOCUMENTS}/{name}"),
            )
            .map_err(io(format!("adding document file {name}")))?;
        }
        let gz = tar.into_inner().map_err(io("writing the archive"))?;
        let out = gz.finish().map_err(io("writing the archive"))?;
        out.into_inner()
            .map_err(|e| BackupError::Io("writing the archive".into(), e.into_error()))?
            .sync_all()
            .map_err(io("writing the archive"))?;
    }
    std::fs::rename(&partial, target).map_err(io(target.display()))?;
    let size = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
    let mut line = format!(
        "Backup written to {} ({} bytes): the database and {} document file(s).\n",
        target.display(),
        size,
        present.len()
    );
    if dropped > 0 {
        line.push_str(&format!(
            "{dropped} document(s) deleted while the backup ran are left out of it.\n"
        ));
    }
    Ok(line)
}

/// Puts the backup `archive` in place of the configured SQLite database and
/// uploaded files. The server must be stopped. Returns the lines to print.
pub async fn restore(config: &Config, archive: &Path) -> Result<String, BackupError> {
    let Some(db_path) = sqlite_path(&config.database_url) else {
        return Err(BackupError::NotSqlite);
    };
    if std::net::TcpStream::connect_timeout(&config.listen, std::time::Duration::from_millis(500))
        .is_ok()
    {
        return Err(BackupError::ServerRunning(config.listen));
    }
    let Some(_lock) =
        crate::data_lock::try_exclusive(config).map_err(io(config.data_dir.display()))?
    else {
        return Err(BackupError::DataInUse(config.data_dir.clone()));
    };
    let bad = |why: String| BackupError::BadArchive(archive.to_path_buf(), why);
    let staging = private_dir()
        .prefix(".restore-")
        .tempdir_in(&config.data_dir)
        .map_err(io(config.data_dir.display()))?;
    let staged_docs = staging.path().join(DOCUMENTS);
    std::fs::create_dir(&staged_docs).map_err(io(staged_docs.display()))?;

    // Unpack, accepting only the names a backup has (never a path that
    // climbs out, a link, or anything else).
    let file = File::open(archive).map_err(io(archive.display()))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(file)));
    let mut manifest: Option<Manifest> = None;
    let mut has_database = false;
    let mut files = 0usize;
    for entry in tar.entries().map_err(|e| bad(e.to_string()))? {
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        if !entry.header().entry_type().is_file() {
            return Err(bad("it holds something other than plain files".into()));
        }
        let name = entry
            .path()
            .map_err(|e| bad(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        let destination = match name.as_str() {
            MANIFEST => {
                let parsed: Manifest =
                    serde_json::from_reader(&mut entry).map_err(|e| bad(e.to_string()))?;
                if parsed.format != FORMAT {
                    return Err(bad(format!(
                        "its format is {}, this version reads {FORMAT}",
                        parsed.format
                    )));
                }
                manifest = Some(parsed);
                continue;
            }
            DATABASE => {
                has_database = true;
                staging.path().join(DATABASE)
            }
            other => match other
                .strip_prefix("documents/")
                .filter(|n| is_plain_name(n))
            {
                Some(n) => {
                    files += 1;
                    staged_docs.join(n)
                }
                None => return Err(bad(format!("unexpected entry {other:?}"))),
            },
        };
        let mut out = private_file(&destination).map_err(io(destination.display()))?;
        std::io::copy(&mut entry, &mut out).map_err(|e| bad(e.to_string()))?;
        out.sync_all().map_err(io(destination.display()))?;
    }
    let manifest = manifest.ok_or_else(|| bad("it has no manifest".into()))?;
    if !has_database {
        return Err(bad("it has no database".into()));
    }
    if files != manifest.documents {
        return Err(bad(format!(
            "the manifest lists {} document file(s), the archive holds {files}",
            manifest.documents
        )));
    }
    check_database(&staging.path().join(DATABASE))
        .await
        .map_err(|e| bad(format!("its database does not check out: {e}")))?;

    // Swap: the current data moves aside, the staged data moves in. Every
    // step is a rename within the data directory.
    let aside = config.data_dir.join(format!(
        "before-restore-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
    ));
    std::fs::create_dir(&aside).map_err(io(aside.display()))?;
    let live_docs = config.data_dir.join(DOCUMENTS);
    let mut renames: Vec<(PathBuf, PathBuf)> = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", db_path.display()));
        if from.exists() {
            renames.push((from, aside.join(format!("{DATABASE}{suffix}"))));
        }
    }
    if live_docs.exists() {
        renames.push((live_docs.clone(), aside.join(DOCUMENTS)));
    }
    let moved_aside = renames.len();
    if let Some(parent) = db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent.display()))?;
    }
    renames.push((staging.path().join(DATABASE), db_path.clone()));
    renames.push((staged_docs.clone(), live_docs.clone()));
    // All or nothing: a rename that fails puts back the ones already made.
    for (done, (from, to)) in renames.iter().enumerate() {
        if let Err(e) = std::fs::rename(from, to) {
            let mut undone = true;
            for (from, to) in renames[..done].iter().rev() {
                undone &= std::fs::rename(to, from).is_ok();
            }
            let state = if undone {
                let _ = std::fs::remove_dir(&aside);
                "nothing was changed".to_string()
            } else {
                format!(
                    "putting things back failed too: the data that was there is in {}",
                    aside.display()
                )
            };
            return Err(BackupError::Io(
                format!("moving {} to {} ({state})", from.display(), to.display()),
                e,
            ));
        }
    }
    let moved = moved_aside;
    let mut out = format!(
        "Restored the backup made {} (Gatehouse {}): the database and {files} document file(s).\n",
        manifest.created_at, manifest.gatehouse_version
    );
    if moved == 0 {
        let _ = std::fs::remove_dir(&aside);
    } else {
        out.push_str(&format!(
            "What was there before is kept in {}.\n",
            aside.display()
        ));
    }
    out.push_str("Start Gatehouse again (`server serve`); it applies any newer migrations.\n");
    Ok(out)
}

/// The database file checks out and is Gatehouse's.
async fn check_database(path: &Path) -> Result<(), BackupError> {
    let db = one_connection(path).await?;
    let backend = db.get_database_backend();
    let integrity = db
        .query_one_raw(Statement::from_string(backend, "PRAGMA integrity_check"))
        .await?
        .and_then(|r| r.try_get_by_index::<String>(0).ok());
    let migrations = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) FROM seaql_migrations",
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get_by_index::<i64>(0).ok())
        .unwrap_or(0);
    // Back to a single file before it moves into place.
    db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
        .await?;
    db.close().await?;
    if integrity.as_deref() != Some("ok") {
        return Err(BackupError::Database(sea_orm::DbErr::Custom(format!(
            "integrity check: {}",
            integrity.unwrap_or_default()
        ))));
    }
    if migrations == 0 {
        return Err(BackupError::Database(sea_orm::DbErr::Custom(
            "it is not a Gatehouse database".into(),
        )));
    }
    Ok(())
}

/// A single connection to a database file that is not being served: it may
/// change the journal mode, which needs the only open connection.
async fn one_connection(path: &Path) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut options = sea_orm::ConnectOptions::new(format!("sqlite://{}?mode=rw", path.display()));
    options
        .max_connections(1)
        .min_connections(1)
        .sqlx_logging(false);
    sea_orm::Database::connect(options).await
}

/// Documents with a stored file: (id, stored name).
async fn stored_names(db: &DatabaseConnection) -> Result<Vec<(i64, String)>, BackupError> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, stored_name FROM documents WHERE stored_name IS NOT NULL ORDER BY id",
        ))
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let id = r.try_get_by_index::<i64>(0).ok()?;
            let name = r.try_get_by_index::<String>(1).ok()?;
            is_plain_name(&name).then_some((id, name))
        })
        .collect())
}

async fn still_listed(db: &DatabaseConnection, id: i64) -> Result<bool, BackupError> {
    Ok(db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT 1 FROM documents WHERE id = ?",
            [id.into()],
        ))
        .await?
        .is_some())
}

/// A temporary directory only its owner can enter.
fn private_dir() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    builder
}

/// Adds the file at `path` to the archive as `name`, owner-only (mode 0600)
/// whatever its mode on disk, so a manual `tar -x` keeps it private too.
fn append_private<W: std::io::Write>(
    tar: &mut tar::Builder<W>,
    path: &Path,
    name: &str,
) -> std::io::Result<()> {
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    let mut header = tar::Header::new_gnu();
    header.set_metadata(&meta);
    header.set_mode(0o600);
    tar.append_data(&mut header, name, &mut file)
}

/// Creates `path` readable and writable by its owner only: a backup holds
/// password hashes, emails and every uploaded document.
fn private_file(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// One path component, no `..`, no separators.
fn is_plain_name(name: &str) -> bool {
    let mut parts = Path::new(name).components();
    matches!(parts.next(), Some(Component::Normal(_))) && parts.next().is_none()
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A SQL string literal.
fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_file_is_read_from_the_database_url() {
        assert_eq!(
            sqlite_path("sqlite://data/gatehouse.db?mode=rwc"),
            Some(PathBuf::from("data/gatehouse.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:/var/lib/g.db"),
            Some(PathBuf::from("/var/lib/g.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://u@h/db"), None);
    }

    #[test]
    fn only_plain_names_are_accepted_from_an_archive() {
        assert!(is_plain_name("3f2a.pdf"));
        assert!(!is_plain_name("../gatehouse.db"));
        assert!(!is_plain_name("a/b.pdf"));
        assert!(!is_plain_name("/etc/passwd"));
        assert!(!is_plain_name(""));
        assert!(!is_plain_name(".."));
    }

    #[test]
    fn paths_are_quoted_as_sql_text() {
        assert_eq!(sql_text("/tmp/o'neil.db"), "'/tmp/o''neil.db'");
    }
}
