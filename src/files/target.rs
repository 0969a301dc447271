//! Where the bytes written to a path really go: a regular file (found
//! through any symlinks) that is replaced by rename, or something that is
//! not a regular file (a device, a FIFO, `/dev/stdout`) and is written in
//! place. Also the checks made before anything is written: no empty name,
//! no folder, no file the user protected against writing.

use anyhow::{bail, Context, Result};
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, ErrorKind};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How many symlinks in a row are followed (as Linux's `MAXSYMLINKS`).
const MAX_LINKS: usize = 40;

/// The resolved destination of a path cobro writes.
pub enum Target {
    /// Not a regular file, or reached through `/proc` (`/dev/stdout`,
    /// `/dev/fd/N`): opened for appending and written in place.
    Direct(PathBuf),
    /// A regular file, or none yet, at `path` (symlinks resolved): written
    /// to a temporary file beside it and renamed over it.
    Replace { path: PathBuf, existing: Option<Metadata> },
}

/// Resolves `given` and checks that cobro may write it.
pub fn resolve(given: &Path) -> Result<Target> {
    let shown = given.display();
    if given.as_os_str().is_empty() {
        bail!("the output file name is empty; give a file name");
    }
    if given.as_os_str().to_string_lossy().ends_with('/') {
        bail!("{shown} ends with '/', so it names a folder; give a file name");
    }
    let (path, through_proc) = follow_links(given)?;
    match fs::metadata(given) {
        Ok(m) if m.is_dir() => bail!("{shown} is a folder; give a file name"),
        Ok(m) if m.is_file() && is_kernel_file(&path) => {
            bail!("{shown} is a file of the kernel (/proc, /sys): cobro does not write there")
        }
        Ok(m) if !m.is_file() || through_proc => Ok(Target::Direct(given.to_path_buf())),
        Ok(m) => {
            check_writable(given, &path, &m)?;
            Ok(Target::Replace { path, existing: Some(m) })
        }
        Err(e) if e.kind() == ErrorKind::NotFound && !through_proc => {
            Ok(Target::Replace { path, existing: None })
        }
        Err(e) => Err(e).with_context(|| format!("cannot write {shown}")),
    }
}

/// The path `given` names once every symlink is followed (a dangling link
/// gives the path it points to), and whether a hop went through `/proc`,
/// whose links (`/proc/self/fd/1`) are no real paths.
pub fn follow_links(given: &Path) -> Result<(PathBuf, bool)> {
    let mut path = given.to_path_buf();
    let mut through_proc = path.starts_with("/proc");
    for _ in 0..MAX_LINKS {
        let is_link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            return Ok((path, through_proc));
        }
        let link =
            fs::read_link(&path).with_context(|| format!("cannot read the link {}", path.display()))?;
        path = match path.parent() {
            Some(dir) if link.is_relative() => dir.join(link),
            _ => link,
        };
        through_proc |= path.starts_with("/proc");
    }
    bail!("{}: too many levels of symbolic links", given.display())
}

/// How long a FIFO may go without a reader before writing it fails.
pub const FIFO_WAIT: Duration = Duration::from_secs(5);

/// Opens a target written in place, for appending. A FIFO is opened once a
/// program reads it: cobro waits up to [`FIFO_WAIT`] for one rather than
/// forever (a forgotten FIFO would hang a cron job).
pub fn open_in_place(path: &Path) -> io::Result<File> {
    let is_fifo = fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo());
    if !is_fifo {
        return OpenOptions::new().append(true).open(path);
    }
    let deadline = Instant::now() + FIFO_WAIT;
    loop {
        match OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(path) {
            Ok(probe) => {
                // Held while the blocking descriptor opens, so the reader never sees
                // its writers drop to none (an end of file).
                let file = OpenOptions::new().append(true).open(path);
                drop(probe);
                return file;
            }
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                let waited = FIFO_WAIT.as_secs();
                return Err(io::Error::other(format!("no program reads this FIFO (waited {waited} s)")));
            }
            Err(e) => return Err(e),
        }
    }
}

/// A kernel setting dressed as a regular file (`/proc/sys/...`,
/// `/proc/sysrq-trigger`, `/sys/...`): writing a report there could
/// reconfigure, or crash, the machine. `/proc/self/fd/N` is no such file: its
/// link leads out of `/proc`, to the real file or to a pipe.
fn is_kernel_file(path: &Path) -> bool {
    path.starts_with("/proc") || path.starts_with("/sys")
}

/// Refuses a file with no write permission (even for root, who could
/// replace it anyway: the mode is the user's intent), or one the kernel
/// will not open for writing (another owner, an immutable file). Opening
/// without truncating changes nothing.
fn check_writable(given: &Path, path: &Path, existing: &Metadata) -> Result<()> {
    let mode = existing.permissions().mode();
    if mode & 0o222 == 0 {
        bail!(
            "{} is read-only (mode {:04o}): cobro does not replace a file protected against writing; \
             make it writable (chmod u+w) or write elsewhere",
            given.display(),
            mode & 0o7777
        );
    }
    match OpenOptions::new().write(true).open(path) {
        Ok(_) => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot write {}", given.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_followed_to_their_target_even_when_dangling() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("sub/real.csv", &link).unwrap();
        let (path, proc) = follow_links(&link).unwrap();
        assert_eq!(path, dir.path().join("sub/real.csv"));
        assert!(!proc);
    }

    #[test]
    fn a_link_loop_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        let err = follow_links(&a).unwrap_err().to_string();
        assert!(err.contains("too many levels"), "{err}");
    }

    #[test]
    fn dev_stdout_is_written_in_place() {
        assert!(matches!(resolve(Path::new("/dev/null")).unwrap(), Target::Direct(_)));
        assert!(matches!(resolve(Path::new("/proc/self/fd/2")).unwrap(), Target::Direct(_)));
    }

    #[test]
    fn kernel_settings_are_refused() {
        for path in ["/proc/sys/kernel/hostname", "/proc/self/oom_score_adj"] {
            let err = resolve(Path::new(path)).err().unwrap().to_string();
            assert!(err.contains("file of the kernel"), "{path}: {err}");
        }
    }
}
