//! Advisory file locks between processes (the app, the CLI, a script, two windows), with the standard
//! library's `File::lock` (flock on Unix, LockFileEx on Windows). Each lock is a small file of its own
//! beside what it guards: the guarded files are replaced by rename, so a lock on them would be a lock on
//! an inode that is no longer the file. The operating system drops a lock when its process ends, however
//! it ends, so a crash never leaves one behind.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// A held lock; dropping it unlocks.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

/// The lock file that guards `path`: `.NAME.lock` in the same folder.
pub fn lock_path_for(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    path.with_file_name(format!(".{name}.lock"))
}

fn open(lock: &Path) -> Result<File> {
    if let Some(dir) = lock.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io { action: "create the folder for", path: lock.to_path_buf(), source })?;
    }
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(lock).map_err(|source| Error::Io { action: "open the lock", path: lock.to_path_buf(), source })
}

/// Wait for the exclusive lock guarding `path` (another process holding it finishes a short
/// read-change-write).
pub fn exclusive(path: &Path) -> Result<FileLock> {
    let lock = lock_path_for(path);
    let file = open(&lock)?;
    file.lock().map_err(|source| Error::Io { action: "lock", path: lock.clone(), source })?;
    Ok(FileLock { _file: file })
}

/// Take the exclusive lock on the file `lock` itself if nobody holds it; `None` when another process does.
pub fn try_exclusive_at(lock: &Path) -> Result<Option<FileLock>> {
    let file = open(lock)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(FileLock { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(source)) => Err(Error::Io { action: "lock", path: lock.to_path_buf(), source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_refused_to_others_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let guarded = dir.path().join("created.json");
        let lock = lock_path_for(&guarded);
        assert_eq!(lock, dir.path().join(".created.json.lock"));
        let held = exclusive(&guarded).unwrap();
        assert!(try_exclusive_at(&lock).unwrap().is_none(), "a second holder is refused while the first holds it");
        drop(held);
        assert!(try_exclusive_at(&lock).unwrap().is_some());
    }
}
