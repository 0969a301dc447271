//! The files one run reads and writes, named by their flags and checked
//! before any work: an output must not be an input (`-o invoices.csv`
//! would destroy the data it reports on) nor another output (`--rejects X
//! -o X` would lose the rejected rows). Paths are compared as the files
//! they name — through symlinks, `..` and hard links — not as text. And
//! at most one input is standard input (`-`): it can be read only once.

use super::target::follow_links;
use crate::cli::{CommonArgs, InputArgs, OutputArgs};
use crate::error::usage;
use anyhow::Result;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Inputs and outputs of a run, by flag.
#[derive(Default)]
pub struct Paths<'a> {
    inputs: Vec<(&'static str, &'a str)>,
    outputs: Vec<(&'static str, &'a str)>,
    /// The flags whose input is `-`.
    stdin: Vec<&'static str>,
}

/// What a path names: an existing file (device and inode), or the place
/// where a new one would be created.
#[derive(PartialEq)]
enum Identity {
    Inode(u64, u64),
    New(PathBuf),
}

impl<'a> Paths<'a> {
    pub fn new() -> Paths<'a> {
        Paths::default()
    }

    /// A file the run reads (`-`, standard input, is none).
    pub fn input(mut self, flag: &'static str, path: Option<&'a str>) -> Paths<'a> {
        match path {
            Some("-") => self.stdin.push(flag),
            Some(path) => self.inputs.push((flag, path)),
            None => {}
        }
        self
    }

    /// A file the run writes.
    pub fn output(mut self, flag: &'static str, path: Option<&'a str>) -> Paths<'a> {
        self.outputs.extend(path.map(|p| (flag, p)));
        self
    }

    /// `--config` (read).
    pub fn common(self, args: &'a CommonArgs) -> Paths<'a> {
        self.input("--config", args.config.as_deref())
    }

    /// `--payments`, `--fx`, `--config` (read) and `--rejects` (written).
    pub fn input_args(self, args: &'a InputArgs) -> Paths<'a> {
        self.input("--payments", args.payments.as_deref())
            .input("--fx", args.fx.as_deref())
            .common(&args.common)
            .output("--rejects", args.rejects.as_deref())
    }

    /// `-o` (written; `-` is standard output).
    pub fn output_args(self, args: &'a OutputArgs) -> Paths<'a> {
        self.output("--output", args.output.as_deref().filter(|p| *p != "-"))
    }

    /// A usage error (exit 2) when an output is empty, is an input, or is
    /// another output, or when two inputs are standard input. Devices
    /// (`/dev/null`, `/dev/stdout`) may be shared.
    pub fn check(&self) -> Result<()> {
        if let [first, second, ..] = self.stdin[..] {
            return Err(usage(format!(
                "{first} and {second} both read standard input (-), which can be read only once; \
                 give one of them as a file"
            )));
        }
        let mut seen: Vec<(&str, &str, Identity)> = Vec::new();
        for &(flag, path) in &self.outputs {
            if path.is_empty() {
                return Err(usage(format!("{flag}: the path is empty; give a file or folder name")));
            }
            let Some(id) = identity(path, true) else { continue };
            let clash = self.inputs.iter().find(|(_, input)| identity(input, false).as_ref() == Some(&id));
            if let Some((input_flag, input)) = clash {
                return Err(usage(format!(
                    "{flag} {path} is the file {input_flag} {input} reads: writing it would destroy \
                     the input; choose another file"
                )));
            }
            if let Some((other_flag, other, _)) = seen.iter().find(|(_, _, seen_id)| *seen_id == id) {
                return Err(usage(format!(
                    "{other_flag} {other} and {flag} {path} are the same file: one would overwrite \
                     the other; choose different files"
                )));
            }
            seen.push((flag, path, id));
        }
        Ok(())
    }
}

/// The identity of a path; `None` for what cannot clash: a device or FIFO,
/// or an input that does not exist (reading it will fail on its own).
fn identity(path: &str, output: bool) -> Option<Identity> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() || m.is_dir() => Some(Identity::Inode(m.dev(), m.ino())),
        Ok(_) => None,
        Err(_) if output => new_place(Path::new(path)).map(Identity::New),
        Err(_) => None,
    }
}

/// Where a file that does not exist yet would be created: its folder,
/// canonical, and its name.
fn new_place(path: &Path) -> Option<PathBuf> {
    let (target, _) = follow_links(path).ok()?;
    let name = target.file_name()?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(name))
}
