//! Every file cobro writes — reports (`-o`), rejects, charts, letters and
//! the dunning log — is written here, with one set of promises (also in
//! docs/files.md):
//!
//! - a regular file appears whole or not at all: the bytes go to a temporary
//!   file beside it (`.NAME.XXXXXX.cobro-tmp`, from the `tempfile` crate),
//!   synced, then renamed over it; any failure removes the temporary file;
//! - a symlink is followed: its target is replaced and the link stays;
//! - what is not a regular file (a device, a FIFO, `/dev/stdout`,
//!   `/proc/self/fd/1`) is opened and written in place, never replaced;
//! - a replaced file keeps its permissions (and owner, where allowed); a
//!   file without write permission, or that cannot be opened for writing,
//!   is refused before anything is written;
//! - [`paths::Paths`] refuses, before any work, an output that is also an
//!   input or another output;
//! - [`lock::RunLock`] serializes runs that rewrite the same file.
//!
//! Writing is two steps when several files must appear together
//! (`dunning`): [`AtomicFile::finish`] leaves a [`Staged`] file that only
//! [`Staged::commit`] puts in place.

pub mod lock;
pub mod paths;
pub mod target;

use anyhow::{Context, Result};
use std::fs::{File, Permissions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use target::Target;
use tempfile::{NamedTempFile, TempPath};

/// A file being written; it reaches its path only on [`AtomicFile::commit`]
/// (regular files). Dropped before that, it leaves the path untouched and
/// no temporary file behind.
pub struct AtomicFile {
    shown: PathBuf,
    sink: Sink,
}

enum Sink {
    /// The temporary file and the path it will be renamed to.
    Temp { writer: BufWriter<NamedTempFile>, target: PathBuf },
    /// A device or FIFO, written as the bytes come.
    Direct(BufWriter<File>),
    /// A device or FIFO whose bytes are held until commit ([`AtomicFile::deferred`]).
    Held { file: File, bytes: Vec<u8> },
}

impl AtomicFile {
    /// Starts writing `path` (see the module's promises).
    pub fn create(path: impl AsRef<Path>) -> Result<AtomicFile> {
        AtomicFile::open(path.as_ref(), false)
    }

    /// Like [`AtomicFile::create`], but a device or FIFO receives nothing
    /// before commit either: its bytes are held in memory.
    pub fn deferred(path: impl AsRef<Path>) -> Result<AtomicFile> {
        AtomicFile::open(path.as_ref(), true)
    }

    fn open(path: &Path, hold: bool) -> Result<AtomicFile> {
        let sink = match target::resolve(path)? {
            Target::Direct(device) => {
                let file = target::open_in_place(&device)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                if hold {
                    Sink::Held { file, bytes: Vec::new() }
                } else {
                    Sink::Direct(BufWriter::new(file))
                }
            }
            Target::Replace { path: target, existing } => {
                let temp = temp_beside(&target, existing.as_ref())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Sink::Temp { writer: BufWriter::new(temp), target }
            }
        };
        Ok(AtomicFile { shown: path.to_path_buf(), sink })
    }

    /// Completes the file and puts it in place.
    pub fn commit(self) -> Result<()> {
        self.finish()?.commit()
    }

    /// Completes the file (flushed and synced) without putting it in place.
    pub fn finish(self) -> Result<Staged> {
        let shown = self.shown;
        let context = || format!("cannot write {}", shown.display());
        let kind = match self.sink {
            Sink::Temp { writer, target } => {
                let temp = writer.into_inner().map_err(|e| e.into_error()).with_context(context)?;
                temp.as_file().sync_all().with_context(context)?;
                StagedKind::Temp { temp: temp.into_temp_path(), target }
            }
            Sink::Direct(mut writer) => {
                writer.flush().with_context(context)?;
                StagedKind::Written
            }
            Sink::Held { file, bytes } => StagedKind::Held { file, bytes },
        };
        Ok(Staged { shown, kind })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match &mut self.sink {
            Sink::Temp { writer, .. } => writer,
            Sink::Direct(writer) => writer,
            Sink::Held { bytes, .. } => bytes,
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer().flush()
    }
}

/// A complete file waiting to be put in place; dropped, it is removed.
pub struct Staged {
    shown: PathBuf,
    kind: StagedKind,
}

enum StagedKind {
    Temp {
        temp: TempPath,
        target: PathBuf,
    },
    Held {
        file: File,
        bytes: Vec<u8>,
    },
    /// Already written (a device written as the bytes came).
    Written,
}

impl Staged {
    /// Puts the file in place: a rename for regular files (then the folder
    /// is synced, so the rename survives a crash), the held bytes for a device.
    pub fn commit(self) -> Result<()> {
        let context = || format!("cannot write {}", self.shown.display());
        match self.kind {
            StagedKind::Temp { temp, target } => {
                temp.persist(&target).map_err(|e| e.error).with_context(context)?;
                if let Ok(dir) = File::open(parent_of(&target)) {
                    let _ = dir.sync_all();
                }
                Ok(())
            }
            StagedKind::Held { mut file, bytes } => file.write_all(&bytes).with_context(context),
            StagedKind::Written => Ok(()),
        }
    }
}

/// Writes `bytes` to `path`, staged (see [`AtomicFile::deferred`]).
pub fn stage(path: impl AsRef<Path>, bytes: &[u8]) -> Result<Staged> {
    let mut file = AtomicFile::deferred(path.as_ref())?;
    file.write_all(bytes).with_context(|| format!("cannot write {}", path.as_ref().display()))?;
    file.finish()
}

/// A temporary file in the target's folder, with the target's permissions
/// and owner when it exists (the default 0666 less the umask otherwise).
fn temp_beside(target: &Path, existing: Option<&std::fs::Metadata>) -> io::Result<NamedTempFile> {
    // At most 64 characters of the name, so a long (valid) name still leaves
    // room for the prefix and suffix within the 255 bytes a name may have.
    let name: String =
        target.file_name().map(|n| n.to_string_lossy().chars().take(64).collect()).unwrap_or_default();
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".cobro-tmp")
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(parent_of(target))?;
    if let Some(m) = existing {
        // Only root may give a file away; for anyone else this is a no-op or refused.
        let _ = std::os::unix::fs::fchown(temp.as_file(), Some(m.uid()), Some(m.gid()));
        temp.as_file().set_permissions(m.permissions())?;
    }
    Ok(temp)
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}
