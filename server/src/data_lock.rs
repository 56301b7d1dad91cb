//! The data directory's lock (`.gatehouse.lock` in it), for the embedded
//! SQLite setup. Every command that opens the database (`serve`, `demo`,
//! `migrate`, `org create`, `backup`) holds it shared for as long as it
//! runs; `restore` takes it exclusively, without waiting, so it can never
//! swap the database under a process that has it open, whatever address
//! or settings that process was started with.

use crate::config::Config;
use std::fs::File;

/// A held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct DataLock(#[allow(dead_code)] File);

fn lock_file(config: &Config) -> std::io::Result<File> {
    std::fs::create_dir_all(&config.data_dir)?;
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(config.data_dir.join(".gatehouse.lock"))
}

/// Holds the lock shared (waiting while a restore runs). `None` for a
/// PostgreSQL setup, which `restore` does not touch.
pub fn shared(config: &Config) -> Result<Option<DataLock>, String> {
    if !config.is_sqlite() {
        return Ok(None);
    }
    let file = lock_file(config)
        .map_err(|e| format!("cannot open the lock in {}: {e}", config.data_dir.display()))?;
    file.lock_shared()
        .map_err(|e| format!("cannot lock {}: {e}", config.data_dir.display()))?;
    Ok(Some(DataLock(file)))
}

/// Takes the lock exclusively, or says why not: `Ok(None)` when another
/// process holds it.
pub fn try_exclusive(config: &Config) -> std::io::Result<Option<DataLock>> {
    let file = lock_file(config)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(DataLock(file))),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}
