//! Where a rendered report goes: standard output, or a file written
//! atomically — into a temporary file beside it, renamed over it only when
//! complete, so a reader (or a crashed run) never leaves half a report.

use super::{render, OutputOptions, Report};
use anyhow::{Context, Result};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file that appears at its path only on [`AtomicFile::commit`];
/// dropped without commit, it leaves the path untouched.
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(path: impl AsRef<Path>) -> Result<AtomicFile> {
        let target = path.as_ref().to_path_buf();
        let name =
            target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
        let temp = target.with_file_name(format!(".{name}.cobro-tmp-{}", std::process::id()));
        let file = File::create(&temp).with_context(|| format!("cannot create {}", temp.display()))?;
        Ok(AtomicFile { target, temp, writer: Some(BufWriter::new(file)) })
    }

    /// Flushes, syncs and renames the temporary file over the target.
    pub fn commit(mut self) -> Result<()> {
        let writer = self.writer.take().expect("commit is called once");
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&self.temp, &self.target)
            .with_context(|| format!("cannot write {}", self.target.display()))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.as_mut().expect("not committed").write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer.as_mut().expect("not committed").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Renders the report to `--output` (atomically) or to standard output.
pub fn emit(report: &Report, options: &OutputOptions) -> Result<()> {
    match &options.output {
        Some(path) if path != "-" => {
            let mut file = AtomicFile::create(path)?;
            render(report, options, &mut file)?;
            file.commit()
        }
        _ => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            render(report, options, &mut out)?;
            out.flush()?;
            Ok(())
        }
    }
}
