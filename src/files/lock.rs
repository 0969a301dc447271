//! A lock held for a whole run on a file that the run reads, then rewrites
//! (the dunning log). The lock is taken on a sidecar `.NAME.lock` beside
//! the real file (symlinks followed), never on the file itself: the file is
//! replaced by rename, and a lock on a replaced file would guard nothing —
//! the next run would open, and lock, the new one. The sidecar is never
//! removed (removing it would let two runs lock two different files).
//! The lock is advisory (`flock`): it orders cobro runs, not other programs.

use super::target::{self, follow_links, Target};
use anyhow::{Context, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// An exclusive lock, released when dropped (or when the process ends).
pub struct RunLock {
    _file: Option<File>,
}

impl RunLock {
    /// Waits for, then takes, the lock guarding `path`; says so on stderr
    /// when another run holds it. A device or FIFO (`/dev/null`) needs no
    /// lock, and gets no sidecar: it is written in place, never replaced.
    pub fn acquire(path: &Path) -> Result<RunLock> {
        if let Ok(Target::Direct(_)) = target::resolve(path) {
            return Ok(RunLock { _file: None });
        }
        let sidecar = sidecar(path)?;
        let context = || format!("cannot lock {} (lock file {})", path.display(), sidecar.display());
        // A sidecar another user created may be read-only to us: a lock needs no write access.
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&sidecar)
            .or_else(|_| File::open(&sidecar))
            .with_context(context)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                eprintln!("cobro: waiting for another run to release {}", sidecar.display());
                file.lock().with_context(context)?;
            }
            Err(TryLockError::Error(e)) => return Err(e).with_context(context),
        }
        Ok(RunLock { _file: Some(file) })
    }
}

/// `.NAME.lock` beside the file `path` names.
fn sidecar(path: &Path) -> Result<PathBuf> {
    let (real, _) = follow_links(path)?;
    let name = real.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(real.with_file_name(format!(".{name}.lock")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log.csv");
        let first = RunLock::acquire(&log).unwrap();
        let other = File::options().write(true).open(dir.path().join(".log.csv.lock")).unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        drop(first);
        assert!(other.try_lock().is_ok());
    }
}
