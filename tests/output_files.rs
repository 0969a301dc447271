//! The files cobro writes (`-o`, `--rejects`, `--chart`): through symlinks,
//! in place for devices and FIFOs, permissions kept, protected files
//! refused, no temporary file left behind, no output over an input.
mod common;
use common::{Run, Workdir};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};

/// A owes 100.00 due 2025-06-01: at 2025-06-30 it is 29 days late.
/// Row 3 has a bad amount (set aside with --skip-bad-rows).
const INVOICES: &str = "customer,invoice,due_date,amount\nA,1,2025-06-01,100.00\nB,2,2025-06-01,lots\n";

/// The aging report of INVOICES, as `-f csv` prints it.
const REPORT: &str = "customer,currency,current,days_1_30,days_31_60,days_61_90,days_91_120,\
days_over_120,total_open,overdue,overdue_pct,open_documents,max_days_past_due\n\
A,EUR,0.00,100.00,0.00,0.00,0.00,0.00,100.00,100.00,100.00,1,29\n";

fn age(wd: &Workdir, extra: &[&str]) -> Run {
    let inv = wd.write("inv.csv", INVOICES);
    let mut args = vec!["age", &inv, "--as-of", "2025-06-30", "-f", "csv", "--skip-bad-rows"];
    args.extend_from_slice(extra);
    wd.run(&args)
}

/// Runs cobro with `dir` as its working folder (for relative paths like `-o ''`).
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cobro"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run cobro");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every name under `dir`, recursively, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_dir() {
            names.extend(tree(&entry.path()).into_iter().map(|n| format!("{name}/{n}")));
        }
        names.push(name);
    }
    names.sort();
    names
}

#[test]
fn a_symlinked_output_keeps_the_link_and_updates_its_target() {
    let wd = Workdir::new();
    wd.write("real.csv", "old report\n");
    std::fs::create_dir(wd.path("sub")).unwrap();
    std::os::unix::fs::symlink("../real.csv", wd.path("sub/link.csv")).unwrap();
    age(&wd, &["-o", wd.path("sub/link.csv").to_str().unwrap()]).ok();
    assert!(std::fs::symlink_metadata(wd.path("sub/link.csv")).unwrap().file_type().is_symlink());
    assert_eq!(wd.read("real.csv"), REPORT);
    // A dangling link: the file it points to is created.
    std::os::unix::fs::symlink("fresh.csv", wd.path("dangling.csv")).unwrap();
    age(&wd, &["-o", wd.path("dangling.csv").to_str().unwrap()]).ok();
    assert!(std::fs::symlink_metadata(wd.path("dangling.csv")).unwrap().file_type().is_symlink());
    assert_eq!(wd.read("fresh.csv"), REPORT);
}

#[test]
fn output_to_proc_self_fd_1_prints_the_report() {
    let wd = Workdir::new();
    assert_eq!(age(&wd, &["-o", "/proc/self/fd/1"]).ok(), REPORT);
}

#[test]
fn output_to_dev_stdout_prints_the_report_and_leaves_dev_alone() {
    let wd = Workdir::new();
    let before = std::fs::symlink_metadata("/dev/stdout").map(|m| m.file_type().is_symlink());
    assert_eq!(age(&wd, &["-o", "/dev/stdout"]).ok(), REPORT);
    assert_eq!(
        std::fs::symlink_metadata("/dev/stdout").map(|m| m.file_type().is_symlink()).ok(),
        before.ok()
    );
    let leftovers: Vec<String> = std::fs::read_dir("/dev")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("cobro-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_fifo_is_written_in_place_not_replaced() {
    let wd = Workdir::new();
    let fifo = wd.path("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let mut reader = Command::new("cat").arg(&fifo).stdout(Stdio::piped()).spawn().expect("cat");
    let run = age(&wd, &["-o", fifo.to_str().unwrap()]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while reader.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = reader.kill();
    let read = reader.wait_with_output().unwrap();
    run.ok();
    assert_eq!(String::from_utf8_lossy(&read.stdout), REPORT);
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");
}

#[test]
fn a_replaced_file_keeps_its_permissions() {
    let wd = Workdir::new();
    let out = wd.write("private.csv", "old\n");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
    age(&wd, &["-o", &out]).ok();
    assert_eq!(wd.read("private.csv"), REPORT);
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
}

/// The check looks at the mode bits, so it holds when the tests run as root.
#[test]
fn a_read_only_target_is_refused_and_left_unchanged() {
    let wd = Workdir::new();
    let out = wd.write("locked.csv", "keep me\n");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o444)).unwrap();
    age(&wd, &["-o", &out]).fails_with(&["locked.csv", "read-only", "0444"]);
    assert_eq!(wd.read("locked.csv"), "keep me\n");
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o444);
    let rejects = wd.write("rejects.csv", "keep me too\n");
    std::fs::set_permissions(&rejects, std::fs::Permissions::from_mode(0o444)).unwrap();
    age(&wd, &["--rejects", &rejects]).fails_with(&["--rejects", "read-only"]);
    assert_eq!(wd.read("rejects.csv"), "keep me too\n");
    assert_eq!(tree(&wd.path("")), ["inv.csv", "locked.csv", "rejects.csv"]);
}

/// Each of these fails (exit 1, or 2 for an empty name) and leaves the
/// folder exactly as it was: no `.cobro-tmp` file, nothing created.
#[test]
fn failed_writes_leave_no_temporary_file() {
    let wd = Workdir::new();
    let dir = wd.path("");
    wd.write("inv.csv", INVOICES);
    std::fs::create_dir(wd.path("out")).unwrap();
    wd.write("out/keep.txt", "x");
    let base = ["--as-of", "2025-06-30", "-f", "csv", "--skip-bad-rows"];
    let cases: [(&[&str], i32, &str); 7] = [
        (&["-o", "out"], 1, "out is a folder"),
        (&["-o", "out/"], 1, "out/"),
        (&["-o", ""], 2, "--output: the path is empty"),
        (&["-o", "missing/"], 1, "names a folder"),
        (&["-o", "no-such-dir/report.csv"], 1, "no-such-dir/report.csv"),
        (&["--rejects", "out"], 1, "--rejects out"),
        (&["--every", "month", "--from", "2025-01-01", "--chart", "out"], 1, "--chart out"),
    ];
    for (extra, code, message) in cases {
        let before = tree(&dir);
        let command = if extra.contains(&"--chart") { "kpi" } else { "age" };
        let mut args = vec![command, "inv.csv"];
        args.extend_from_slice(&base);
        args.extend_from_slice(extra);
        let run = run_in(&dir, &args);
        assert_eq!(tree(&dir), before, "{args:?} left files behind");
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn rejects_and_report_on_one_file_are_refused_before_anything_is_written() {
    let wd = Workdir::new();
    let x = wd.path("x.csv").to_string_lossy().into_owned();
    let run = age(&wd, &["--rejects", &x, "-o", &x]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("same file"), "{}", run.stderr);
    assert!(!wd.path("x.csv").exists());
    // The same file through another spelling (a `..` and a symlink) is caught too.
    std::fs::create_dir(wd.path("sub")).unwrap();
    let same = wd.path("sub/../x.csv").to_string_lossy().into_owned();
    assert_eq!(age(&wd, &["--rejects", &x, "-o", &same]).code, 2);
    wd.write("x.csv", "rejected rows of yesterday\n");
    std::os::unix::fs::symlink("x.csv", wd.path("alias.csv")).unwrap();
    let alias = wd.path("alias.csv").to_string_lossy().into_owned();
    assert_eq!(age(&wd, &["--rejects", &x, "-o", &alias]).code, 2);
    assert_eq!(wd.read("x.csv"), "rejected rows of yesterday\n");
    // Apart, both are written: B's row in the rejects, A's in the report.
    let out = wd.path("report.csv").to_string_lossy().into_owned();
    age(&wd, &["--rejects", &x, "-o", &out]).ok();
    assert_eq!(wd.read("report.csv"), REPORT);
    assert!(wd.read("x.csv").contains(",3,amount,lots,"), "{}", wd.read("x.csv"));
}

#[test]
fn an_output_over_an_input_is_refused() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    std::os::unix::fs::symlink("inv.csv", wd.path("link.csv")).unwrap();
    let link = wd.path("link.csv").to_string_lossy().into_owned();
    for flag in ["-o", "--rejects"] {
        let run = age(&wd, &[flag, &link]);
        assert_eq!(run.code, 2, "{flag}: {}", run.stderr);
        assert!(run.stderr.contains("INVOICES"), "{}", run.stderr);
    }
    let pay = wd.write("pay.csv", "invoice,date,amount\n1,2025-06-10,40\n");
    assert_eq!(age(&wd, &["--payments", &pay, "-o", &pay]).code, 2);
    assert_eq!(wd.read("inv.csv"), INVOICES);
    assert_eq!(wd.read("pay.csv"), "invoice,date,amount\n1,2025-06-10,40\n");
    let _ = inv;
}

/// A FIFO nobody reads: cobro waits a few seconds for a reader, then fails
/// (exit 1) instead of hanging a cron job, and the FIFO stays a FIFO.
#[test]
fn a_fifo_without_reader_fails_instead_of_hanging() {
    let wd = Workdir::new();
    let fifo = wd.path("pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let started = std::time::Instant::now();
    age(&wd, &["-o", fifo.to_str().unwrap()]).fails_with(&["pipe", "no program reads this FIFO"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");
}

/// A name of 250 bytes is valid; the temporary file beside it must not
/// push past the 255 bytes a name may have.
#[test]
fn a_long_file_name_is_written() {
    let wd = Workdir::new();
    let name = format!("{}.csv", "r".repeat(246));
    age(&wd, &["-o", wd.path(&name).to_str().unwrap()]).ok();
    assert_eq!(wd.read(&name), REPORT);
}

/// An immutable file (`chattr +i`, refused even to root) is reported before
/// anything is written, and no temporary file stays beside it. Needs root
/// and a file system with attributes; elsewhere the test says so and stops.
#[test]
fn an_immutable_target_is_refused_without_leftovers() {
    struct Mutable<'a>(&'a Path);
    impl Drop for Mutable<'_> {
        fn drop(&mut self) {
            let _ = Command::new("chattr").arg("-i").arg(self.0).status();
        }
    }
    let wd = Workdir::new();
    let out = wd.path("frozen.csv");
    wd.write("frozen.csv", "frozen\n");
    let made = Command::new("chattr").arg("+i").arg(&out).stderr(Stdio::null()).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("chattr +i is not available here: immutable-file case not run");
        return;
    }
    let _undo = Mutable(&out);
    age(&wd, &["-o", out.to_str().unwrap()]).fails_with(&["cannot write", "frozen.csv"]);
    assert_eq!(wd.read("frozen.csv"), "frozen\n");
    assert_eq!(tree(&wd.path("")), ["frozen.csv", "inv.csv"]);
}
