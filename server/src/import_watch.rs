//! The watched import folder (`GATEHOUSE_IMPORT_DIR`): a brokerage's
//! download software (or a person) drops CSIO policy downloads into
//! `<dir>/<organization short name>/`, and Gatehouse imports them through
//! the same service as the Imports page, then moves each file to `done/` or
//! `rejected/` beside it (a rejected file gets a `.reason.txt` next to it).
//!
//! A file is taken only once it has stopped changing: its size and time are
//! noted at one look and it is imported at the next if they are the same,
//! so a file still being copied in is left alone. Hidden files and names
//! ending in `.part`, `.tmp` or `.crdownload` are never taken. Folders that
//! name no organization are ignored (and said once in the log).
//!
//! When the storage fails (database down, disk full) the files stay where
//! they are and the next look tries again; nothing is moved that was not
//! imported or rejected for a reason of its own. Run the watcher on one
//! server only: set `GATEHOUSE_IMPORT_DIR` on one of them.

use app::server::{
    error::cause_chain,
    services::{
        imports::{Import, Importer, Source, MAX_FILE_BYTES},
        organizations,
    },
};
use sea_orm::DatabaseConnection;
use std::{
    collections::{HashMap, HashSet},
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

/// What a file looked like at the last look.
type Seen = HashMap<PathBuf, (u64, Option<SystemTime>)>;

/// The watcher's memory between looks.
#[derive(Debug, Default)]
pub struct Watcher {
    seen: Seen,
    unknown_reported: HashSet<String>,
    /// Where embedded documents are stored as eDocs.
    documents: Option<std::sync::Arc<app::server::state::FileSettings>>,
}

/// What one look did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Look {
    /// Files imported and moved to `done/`.
    pub imported: Vec<PathBuf>,
    /// Files rejected and moved to `rejected/`.
    pub rejected: Vec<PathBuf>,
}

impl Watcher {
    /// A watcher that stores the documents downloads embed as eDocs in
    /// `files`.
    pub fn storing_documents_in(files: std::sync::Arc<app::server::state::FileSettings>) -> Self {
        Self {
            documents: Some(files),
            ..Self::default()
        }
    }

    /// Looks once at every organization's folder under `dir`.
    pub async fn look(&mut self, db: &DatabaseConnection, dir: &Path) -> Look {
        let mut look = Look::default();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return look;
        };
        let mut still_there = HashSet::new();
        // Real folders only: a symbolic link could lead the watcher (and the
        // files it moves) anywhere.
        let mut folders: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        folders.sort();
        for folder in folders {
            let Some(slug) = folder
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            if slug.starts_with('.') {
                continue;
            }
            let org = match organizations::find_named(db, &slug).await {
                Ok(Some(org)) => org,
                Ok(None) => {
                    if self.unknown_reported.insert(slug.clone()) {
                        tracing::warn!(folder = %folder.display(), "import folder names no organization; ignored");
                    }
                    continue;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "import folder: database unavailable; will look again");
                    return look;
                }
            };
            let ready = self.ready_files(&folder, &mut still_there);
            if ready.is_empty() {
                continue;
            }
            if let Err(e) = self.import(db, org.id, &folder, ready, &mut look).await {
                tracing::warn!(organization = %slug, error = %e, "import folder: stopped; the files left will be tried again");
            }
        }
        self.seen.retain(|p, _| still_there.contains(p));
        look
    }

    /// The files of `folder` that look the same as at the last look.
    fn ready_files(&mut self, folder: &Path, still_there: &mut HashSet<PathBuf>) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return Vec::new();
        };
        let mut ready = Vec::new();
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() || skipped(&path) {
                continue;
            }
            let now = (meta.len(), meta.modified().ok());
            still_there.insert(path.clone());
            if self.seen.insert(path.clone(), now) == Some(now) {
                ready.push(path);
            }
        }
        ready.sort();
        ready
    }

    async fn import(
        &mut self,
        db: &DatabaseConnection,
        organization_id: i32,
        folder: &Path,
        files: Vec<PathBuf>,
        look: &mut Look,
    ) -> Result<(), String> {
        let mut run = Import::start(
            db,
            Importer::Operator { organization_id },
            Source::WatchedFolder,
            chrono::Utc::now(),
        )
        .await
        .map_err(|e| e.to_string())?;
        if let Some(files) = &self.documents {
            run = run.storing_documents_in(files.clone());
        }
        for path in files {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = match read_limited(&path) {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "import folder: can't read");
                    continue;
                }
            };
            let outcome = match run.add_file(db, &name, &bytes, chrono::Utc::now()).await {
                Ok(o) => o,
                Err(e) => {
                    // Storage trouble: leave this and the remaining files.
                    let _ = run.finish(db, chrono::Utc::now()).await;
                    return Err(match e {
                        app::server::error::ServiceError::Internal(c) => cause_chain(c.as_ref()),
                        other => other.to_string(),
                    });
                }
            };
            self.seen.remove(&path);
            let (sub, list) = match &outcome.rejected {
                None => ("done", &mut look.imported),
                Some(_) => ("rejected", &mut look.rejected),
            };
            match move_into(&path, &folder.join(sub)) {
                Ok(moved) => {
                    if let Some(reason) = &outcome.rejected {
                        let mut note = moved.clone().into_os_string();
                        note.push(".reason.txt");
                        if let Err(e) = write_new(Path::new(&note), &format!("{reason}\n")) {
                            tracing::warn!(file = %moved.display(), error = %e, "import folder: can't write the reason beside a rejected file");
                        }
                    }
                    list.push(moved);
                }
                Err(e) => {
                    tracing::error!(file = %path.display(), error = %e, "import folder: imported but can't move it; it will be imported again (unchanged)");
                }
            }
        }
        run.finish(db, chrono::Utc::now())
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

/// Hidden files and files still being written by a browser or a copier.
fn skipped(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with('.')
        || [".part", ".tmp", ".crdownload", ".reason.txt"]
            .iter()
            .any(|end| name.ends_with(end))
}

/// The file, or its first byte past the limit (the import refuses it).
fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Writes a new file, never through a symbolic link or over a file
/// already there.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        // `create_new` already refuses any existing path, symbolic links
        // included; O_NOFOLLOW says so twice.
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    f.write_all(text.as_bytes())
}

/// `dir`, created if needed, when it is a real directory (not a symbolic
/// link to one elsewhere).
fn real_dir(dir: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_dir() => Ok(()),
        Ok(_) => Err(std::io::Error::other(format!(
            "{} is not a real folder (a file or a symbolic link)",
            dir.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir(dir),
        Err(e) => Err(e),
    }
}

/// Moves `path` into `dir`, keeping its name unless a file of that name is
/// already there (then a time is added). Never replaces a file: the new
/// name is linked first, which fails if it exists, and the old one removed.
fn move_into(path: &Path, dir: &Path) -> std::io::Result<PathBuf> {
    real_dir(dir)?;
    let name = path.file_name().unwrap_or_default();
    let mut target = dir.join(name);
    for attempt in 0..5 {
        if attempt > 0 {
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f");
            target = dir.join(format!("{stamp}-{}", name.to_string_lossy()));
        }
        match std::fs::hard_link(path, &target) {
            Ok(()) => {
                std::fs::remove_file(path)?;
                return Ok(target);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free name to move the file to"))
}

/// Looks every `every` until `stop` says so.
pub async fn run(
    db: DatabaseConnection,
    dir: PathBuf,
    every: Duration,
    files: std::sync::Arc<app::server::state::FileSettings>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut watcher = Watcher::storing_documents_in(files);
    loop {
        let look = watcher.look(&db, &dir).await;
        if !look.imported.is_empty() || !look.rejected.is_empty() {
            tracing::info!(
                imported = look.imported.len(),
                rejected = look.rejected.len(),
                "import folder: files imported"
            );
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}
