//! Where a rendered report goes: standard output, or a file written through
//! [`crate::files`] (atomically for a regular file, in place for a device),
//! so a reader (or a crashed run) never sees half a report.

use super::{render, OutputOptions, Report};
pub use crate::files::AtomicFile;
use crate::files::Staged;
use anyhow::Result;
use std::io::{self, BufWriter, Write};

/// Renders the report to `--output` or to standard output.
pub fn emit(report: &Report, options: &OutputOptions) -> Result<()> {
    match file_of(options) {
        Some(path) => {
            let mut file = AtomicFile::create(path)?;
            render(report, options, &mut file)?;
            file.commit()
        }
        None => print(report, options),
    }
}

/// Renders the report into its `--output` file without putting it in
/// place yet (see [`Staged`]); `None` when it goes to standard output
/// (print it with [`print`] when the time comes).
pub fn stage(report: &Report, options: &OutputOptions) -> Result<Option<Staged>> {
    let Some(path) = file_of(options) else { return Ok(None) };
    let mut file = AtomicFile::deferred(path)?;
    render(report, options, &mut file)?;
    file.finish().map(Some)
}

/// Renders the report to standard output.
pub fn print(report: &Report, options: &OutputOptions) -> Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    render(report, options, &mut out)?;
    out.flush()?;
    Ok(())
}

/// The `--output` file, unless it is absent or `-`.
fn file_of(options: &OutputOptions) -> Option<&str> {
    options.output.as_deref().filter(|p| *p != "-")
}
