//! Runs the real `cobro` binary in a scratch directory.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, content: &str) -> String {
        self.write_bytes(name, content.as_bytes())
    }

    pub fn write_bytes(&self, name: &str, content: &[u8]) -> String {
        let path = self.path(name);
        std::fs::write(&path, content).expect("write fixture");
        path.to_string_lossy().into_owned()
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).expect("read output")
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None)
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_full(args, stdin, &[])
    }

    /// Runs with extra environment variables (e.g. `COLUMNS` for the table width).
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        self.run_full(args, None, env)
    }

    fn run_full(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cobro"))
            .args(args)
            .envs(env.iter().copied())
            .current_dir(repo_root())
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run cobro");
        if let Some(input) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().expect("wait cobro");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

impl Run {
    /// Asserts success and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "cobro failed: {}", self.stderr);
        &self.stdout
    }

    /// Asserts exit code 1 and that stderr mentions every fragment.
    pub fn fails_with(&self, fragments: &[&str]) {
        assert_eq!(
            self.code, 1,
            "expected exit 1, got {}; stderr: {}; stdout: {}",
            self.code, self.stderr, self.stdout
        );
        for f in fragments {
            assert!(self.stderr.contains(f), "stderr lacks {f:?}: {}", self.stderr);
        }
        assert!(!self.stderr.contains("panicked"), "panic: {}", self.stderr);
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.ok()).expect("valid JSON")
    }

    /// CSV rows as maps from header to cell.
    pub fn csv_rows(&self) -> Vec<std::collections::BTreeMap<String, String>> {
        let mut reader = csv::Reader::from_reader(self.ok().as_bytes());
        let headers = reader.headers().unwrap().clone();
        reader
            .records()
            .map(|r| headers.iter().map(String::from).zip(r.unwrap().iter().map(String::from)).collect())
            .collect()
    }
}
