//! `cobro dunning` end to end.
mod common;
use common::Workdir;

const POLICY: &str = r#"min_amount = 50
min_interval_days = 7
[interest]
annual_rate_pct = 10
[[level]]
name = "reminder"
days = 7
fee = 5
template = "Dear {customer_name}: {total_due} {currency}"
[[level]]
name = "second"
days = 21
fee = 10
fee_per_invoice = 2.5
template = "Second: {invoices}"
[[level]]
name = "final"
days = 35
template = "Final: {total_due}"
[[level]]
name = "legal"
days = 60
action = "escalate"
template = "Legal: {customer}"
"#;

fn run_on(wd: &Workdir, inv: &str, pay: Option<&str>, as_of: &str, extra: &[&str]) -> common::Run {
    let policy = wd.path("policy.toml");
    if !policy.exists() {
        wd.write("policy.toml", POLICY);
    }
    let policy = policy.to_string_lossy().into_owned();
    let mut args = vec!["dunning", inv, "--policy", &policy, "--as-of", as_of, "-f", "csv"];
    if let Some(p) = pay {
        args.extend_from_slice(&["--payments", p]);
    }
    args.extend_from_slice(extra);
    wd.run(&args)
}

/// X owes I1 1000.00 due May 1 (60 days at Jun 30) and I2 500.50 due Jun 15
/// (15 days); its credit note is not netted. Interest at 10 %, actual/365,
/// per invoice: 1000 x 0.10 x 60/365 = 16.44, 500.50 x 0.10 x 15/365 = 2.06.
#[test]
fn interest_fees_and_the_no_skipping_rule() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,customer_name,invoice,due_date,amount\nX,Xeno,I1,2025-05-01,1000\nX,Xeno,I2,2025-06-15,500.50\nX,Xeno,CN,2025-05-01,-100\n",
    );
    // Empty log: 60 days reach level 4, but the first action is level 1 (fee 5.00).
    let rows = run_on(&wd, &inv, None, "2025-06-30", &[]).csv_rows();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!((r["level"].as_str(), r["level_name"].as_str()), ("1", "reminder"));
    assert_eq!(r["invoices"], "I1 I2");
    assert_eq!(
        (r["overdue"].as_str(), r["interest"].as_str(), r["fees"].as_str()),
        ("1500.50", "18.50", "5.00")
    );
    assert_eq!(r["total_due"], "1524.00");
    assert_eq!(r["max_days_past_due"], "60");
    // Level 1 sent 7 days ago (exactly min_interval_days): level 2, fees 10 + 2 x 2.50.
    let log = wd.write("log.csv", "date,customer,currency,level,amount\n2025-06-23,X,EUR,reminder,1500\n");
    let r = &run_on(&wd, &inv, None, "2025-06-30", &["--log", &log]).csv_rows()[0];
    assert_eq!((r["level"].as_str(), r["fees"].as_str(), r["total_due"].as_str()), ("2", "15.00", "1534.00"));
    // Sent 6 days ago: too soon, nothing today.
    let log = wd.write("log.csv", "date,customer,currency,level,amount\n2025-06-24,X,EUR,1,1500\n");
    assert!(run_on(&wd, &inv, None, "2025-06-30", &["--log", &log]).csv_rows().is_empty());
}

/// 90 nightly runs with --record. N never pays (due Jan 1); R pays its first
/// invoice on Jan 25 and misses the next one (due Feb 10); Q leaves 40.00
/// open (below min_amount); D's invoice is disputed; P pays early.
#[test]
fn ninety_nights_climb_one_level_at_a_time_and_restart_after_a_cure() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,due_date,amount,disputed\n\
         N,N1,2025-01-01,300,\nR,R1,2025-01-01,200,\nR,R2,2025-02-10,200,\nQ,Q1,2025-01-01,1000,\n\
         D,D1,2025-01-01,900,yes\nP,P1,2025-01-10,100,\n",
    );
    let pay =
        wd.write("pay.csv", "invoice,date,amount\nR1,2025-01-25,200\nQ1,2025-01-05,960\nP1,2025-01-05,100\n");
    let log = wd.path("log.csv").to_string_lossy().into_owned();
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    for night in 0..90 {
        let day = (start + chrono::Days::new(night)).format("%Y-%m-%d").to_string();
        run_on(&wd, &inv, Some(&pay), &day, &["--log", &log, "--record"]).ok();
    }
    let entries: Vec<String> = wd
        .read("log.csv")
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(4).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        entries,
        [
            "2025-01-08 N EUR 1", // 7 days past due
            "2025-01-08 R EUR 1",
            "2025-01-22 N EUR 2", // 21 days
            "2025-01-22 R EUR 2",
            "2025-02-05 N EUR 3", // 35 days
            "2025-02-17 R EUR 1", // R paid Jan 25; its new episode starts Feb 11: back to level 1
            "2025-03-02 N EUR 4", // 60 days: escalate
            "2025-03-03 R EUR 2",
            "2025-03-17 R EUR 3",
        ]
    );
}

#[test]
fn running_twice_on_one_day_records_nothing_new() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", "customer,invoice,due_date,amount\nA,1,2025-01-01,100\n");
    let log = wd.path("log.csv").to_string_lossy().into_owned();
    run_on(&wd, &inv, None, "2025-03-01", &["--log", &log, "--record"]).ok();
    let first = wd.read("log.csv");
    assert_eq!(first.lines().count(), 2);
    let again = run_on(&wd, &inv, None, "2025-03-01", &["--log", &log, "--record"]);
    assert_eq!(again.ok().lines().count(), 1, "only the header: nothing to send");
    assert_eq!(wd.read("log.csv"), first);
}

#[test]
fn a_failed_run_leaves_the_log_as_it_was() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", "customer,invoice,due_date,amount\nA,1,2025-01-01,100\n");
    let log = wd.write("log.csv", "date,customer,currency,level,amount\n2025-01-08,A,EUR,1,100.00\n");
    let not_a_dir = wd.write("letters", "a file where the letters folder should be");
    let run = run_on(&wd, &inv, None, "2025-03-01", &["--log", &log, "--record", "--render", &not_a_dir]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(wd.read("log.csv"), "date,customer,currency,level,amount\n2025-01-08,A,EUR,1,100.00\n");
    let leftovers = std::fs::read_dir(wd.path(""))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("cobro-tmp"));
    assert_eq!(leftovers.count(), 0);
}

#[test]
fn hostile_data_stays_inside_letters_and_cells() {
    let wd = Workdir::new();
    let long = "L".repeat(3000);
    let inv = wd.write(
        "inv.csv",
        &format!(
            "customer,customer_name,invoice,due_date,amount\n\
             ../../evil,{{total_due}},1,2025-01-01,100\n\
             /etc/passwd,\"=HYPERLINK(\"\"http://x\"\")\",2,2025-01-01,100\n\
             {long},n,3,2025-01-01,100\n"
        ),
    );
    let dir = wd.path("letters");
    let run = run_on(&wd, &inv, None, "2025-01-20", &["--render", dir.to_str().unwrap()]);
    let out = run.ok();
    assert!(out.contains("'=HYPERLINK"), "{out}");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3);
    assert!(names.iter().all(|n| !n.contains('/') && n.len() < 80 && n.ends_with(".txt")), "{names:?}");
    assert!(!wd.path("evil").exists());
    let evil = names.iter().find(|n| n.starts_with("______evil")).unwrap();
    let letter = std::fs::read_to_string(dir.join(evil)).unwrap();
    // The name is inserted as text: "{total_due}" is not expanded a second time.
    // total_due = 100 + interest 100 x 10 % x 19/365 = 0.52 + fee 5 = 105.52.
    assert_eq!(letter, "Dear {total_due}: 105.52 EUR");
}

#[test]
fn invalid_policies_name_the_line() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", "customer,invoice,due_date,amount\nA,1,2025-01-01,100\n");
    let cases = [
        ("[[level]]\nname = \"a\"\ndays = 10\ntemplate = \"x\"\n[[level]]\nname = \"b\"\ndays = 5\ntemplate = \"y\"\n", ":7:", "increasing"),
        ("[[level]]\nname = \"a\"\ndays = -1\ntemplate = \"x\"\n", ":3:", "negative"),
        ("[[level]]\nname = \"a\"\ndays = 1\ntemplate = \"Hi {nmae}\"\n", ":4:", "unknown placeholder {nmae}"),
    ];
    for (policy, line, why) in cases {
        let path = wd.write("bad.toml", policy);
        let run = wd.run(&["dunning", &inv, "--policy", &path, "--as-of", "2025-03-01"]);
        run.fails_with(&["bad.toml", line, why]);
    }
}

/// examples/plans.csv: C002 and C005 are on track at 2025-06-30 (C003 late,
/// C004 broken), so only C002 and C005 drop out of today's list.
#[test]
fn customers_on_track_with_a_plan_are_skipped() {
    let wd = Workdir::new();
    let base = [
        "dunning",
        "fixtures/invoices.csv",
        "--payments",
        "fixtures/payments.csv",
        "--policy",
        "examples/policy.toml",
        "--as-of",
        "2025-06-30",
        "-f",
        "csv",
    ];
    let customers = |extra: &[&str]| -> Vec<String> {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        wd.run(&args).csv_rows().iter().map(|r| r["customer"].clone()).collect()
    };
    let all = customers(&[]);
    let skipped =
        customers(&["--plans", "examples/plans.csv", "--plan-payments", "examples/plan_payments.csv"]);
    for c in ["C002", "C005", "C003", "C004"] {
        assert!(all.contains(&c.to_string()), "{c} should be dunned without plans");
    }
    let gone: Vec<&String> = all.iter().filter(|c| !skipped.contains(c)).collect();
    assert_eq!(gone, ["C002", "C005"]);
}

/// A owes 100.00 due 2025-01-01; level 1 went out on 2025-01-08.
const ONE_INVOICE: &str = "customer,invoice,due_date,amount\nA,1,2025-01-01,100\n";

/// At 2025-03-01 A is 59 days late and its last level (1) is 52 days old:
/// level 2, total_due = 100 + interest 100 x 10 % x 59/365 = 1.62 + fees
/// 10 + 2.50 = 114.12.
const A_LEVEL_2: &str = "2025-03-01,A,EUR,2,114.12";

#[test]
fn a_symlinked_log_keeps_the_link_and_receives_the_actions() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", ONE_INVOICE);
    std::fs::create_dir(wd.path("shared")).unwrap();
    wd.write("shared/log.csv", "date,customer,currency,level,amount\n2025-01-08,A,EUR,1,100.00\n");
    std::os::unix::fs::symlink("shared/log.csv", wd.path("log.csv")).unwrap();
    let log = wd.path("log.csv").to_string_lossy().into_owned();
    run_on(&wd, &inv, None, "2025-03-01", &["--log", &log, "--record"]).ok();
    assert!(std::fs::symlink_metadata(&log).unwrap().file_type().is_symlink());
    assert_eq!(
        wd.read("shared/log.csv"),
        format!("date,customer,currency,level,amount\n2025-01-08,A,EUR,1,100.00\n{A_LEVEL_2}\n")
    );
}

/// The log is read by header name and appended in its own column order:
/// a collector reordered the columns, added a `note` and saved with CRLF.
/// Each later run reads the rows cobro appended (the level read back is
/// what moves A to level 3) and the note stays as it was.
#[test]
fn reordered_log_columns_and_a_note_column_survive_a_record() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", ONE_INVOICE);
    let header =
        "Note,level,customer,DATE,amount,currency\r\n\"called, pays Friday\",1,A,2025-01-08,100.00,EUR\r\n";
    let log = wd.write("log.csv", header);
    let rows = run_on(&wd, &inv, None, "2025-03-01", &["--log", &log, "--record"]).csv_rows();
    assert_eq!((rows[0]["level"].as_str(), rows[0]["total_due"].as_str()), ("2", "114.12"));
    let after_first = format!("{header},2,A,2025-03-01,114.12,EUR\r\n");
    assert_eq!(wd.read("log.csv"), after_first);
    // The next day: 1 day since level 2 (min_interval_days 7), nothing, log untouched.
    assert!(run_on(&wd, &inv, None, "2025-03-02", &["--log", &log, "--record"]).csv_rows().is_empty());
    assert_eq!(wd.read("log.csv"), after_first);
    // A week later: 66 days late, one above level 2 is level 3 ("final", no fee):
    // 100 + 100 x 10 % x 66/365 = 1.81 -> 101.81.
    let rows = run_on(&wd, &inv, None, "2025-03-08", &["--log", &log, "--record"]).csv_rows();
    assert_eq!((rows[0]["level"].as_str(), rows[0]["total_due"].as_str()), ("3", "101.81"));
    assert_eq!(wd.read("log.csv"), format!("{after_first},3,A,2025-03-08,101.81,EUR\r\n"));
}

/// Letters and the mail-merge file come only after the log is recorded:
/// with a log that cannot be written, nothing is written at all.
#[test]
fn an_unwritable_log_means_no_letters_and_no_mail_merge() {
    use std::os::unix::fs::PermissionsExt;
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", ONE_INVOICE);
    let before = "date,customer,currency,level,amount\n2025-01-08,A,EUR,1,100.00\n";
    let log = wd.write("log.csv", before);
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o444)).unwrap();
    let letters = wd.path("letters").to_string_lossy().into_owned();
    let merge = wd.path("mailmerge.csv").to_string_lossy().into_owned();
    let run = run_on(
        &wd,
        &inv,
        None,
        "2025-03-01",
        &["--log", &log, "--record", "--render", &letters, "-o", &merge],
    );
    run.fails_with(&["--log", "log.csv", "read-only"]);
    assert!(!wd.path("letters").exists(), "letters were written");
    assert!(!wd.path("mailmerge.csv").exists(), "the mail merge was written");
    assert_eq!(wd.read("log.csv"), before);
    let names: Vec<String> = std::fs::read_dir(wd.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| !n.contains("cobro-tmp")), "{names:?}");
    // Writable again: the same run records A's level 2 and writes its letter.
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
    run_on(&wd, &inv, None, "2025-03-01", &["--log", &log, "--record", "--render", &letters, "-o", &merge])
        .ok();
    assert_eq!(wd.read("log.csv"), format!("{before}{A_LEVEL_2}\n"));
    assert_eq!(std::fs::read_dir(&letters).unwrap().count(), 1);
    assert!(wd.read("mailmerge.csv").contains("\nA,,,EUR,2,second,letter,1,"));
}

/// Two `--record` runs started at once on one log. The log already holds
/// A's level 1 of 2025-02-20; run 1 reads A and P0..P299, run 2 A and
/// Q0..Q299 (each 100.00 due 2025-02-01: 28 days late, a first action is
/// level 1). A is due level 2 (9 days since level 1). The runs take turns
/// on the log's lock, so the log ends with every P and Q action once, and
/// A's level 2 once: the run that goes second reads it and sends A nothing.
/// Every action logged is in exactly one run's mail-merge output.
#[test]
fn two_runs_at_once_keep_every_action_once() {
    let wd = Workdir::new();
    let policy = wd.write("policy.toml", POLICY);
    let customers = |prefix: &str| -> String {
        let mut text = String::from("customer,invoice,due_date,amount\nA,A1,2025-01-01,100\n");
        for i in 0..300 {
            text.push_str(&format!("{prefix}{i},{prefix}-{i},2025-02-01,100\n"));
        }
        text
    };
    let inv1 = wd.write("inv1.csv", &customers("P"));
    let inv2 = wd.write("inv2.csv", &customers("Q"));
    let header_and_old = "date,customer,currency,level,amount\n2025-02-20,A,EUR,1,100.00\n";
    for round in 0..4 {
        let log = wd.write(&format!("log{round}.csv"), header_and_old);
        let spawn = |inv: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_cobro"))
                .args(["dunning", inv, "--policy", &policy, "--log", &log, "--record"])
                .args(["--as-of", "2025-03-01", "-f", "csv"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("run cobro")
        };
        let (first, second) = (spawn(&inv1), spawn(&inv2));
        let mut sent: Vec<String> = Vec::new();
        for child in [first, second] {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let text = String::from_utf8(out.stdout).unwrap();
            sent.extend(text.lines().skip(1).map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                format!("{} {}", cells[0], cells[4])
            }));
        }
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(text.starts_with(header_and_old), "{text}");
        let mut logged: Vec<String> = text[header_and_old.len()..]
            .lines()
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                assert_eq!((cells[0], cells[2]), ("2025-03-01", "EUR"), "{l}");
                format!("{} {}", cells[1], cells[3])
            })
            .collect();
        let mut expected: Vec<String> =
            (0..300).flat_map(|i| [format!("P{i} 1"), format!("Q{i} 1")]).collect();
        expected.push("A 2".into());
        expected.sort();
        logged.sort();
        sent.sort();
        assert_eq!(logged, expected, "round {round}: the log lost or doubled actions");
        assert_eq!(sent, expected, "round {round}: the mail merges do not match the log");
    }
}

/// No dunning output may land on a file the run reads, or on another output.
#[test]
fn outputs_never_overwrite_the_log_or_the_inputs() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", ONE_INVOICE);
    let before = "date,customer,currency,level,amount\n2025-01-08,A,EUR,1,100.00\n";
    let log = wd.write("log.csv", before);
    let policy = wd.path("policy.toml").to_string_lossy().into_owned();
    let cases: [&[&str]; 6] = [
        &["--log", &log, "--record", "-o", &log],
        &["--log", &log, "-o", &log],
        &["--log", &log, "--record", "--skip-bad-rows", "--rejects", &log],
        &["--render", ""],
        &["--render", &policy],
        &["-o", &inv],
    ];
    for extra in cases {
        let run = run_on(&wd, &inv, None, "2025-03-01", extra);
        assert_eq!(run.code, 2, "{extra:?}: {}", run.stderr);
        assert_eq!(wd.read("log.csv"), before, "{extra:?}");
        assert_eq!(wd.read("inv.csv"), ONE_INVOICE, "{extra:?}");
    }
    assert_eq!(wd.read("policy.toml"), POLICY);
}

/// With --plans, the invoices, the plans and their payments share one
/// --rejects file: a bad invoice row and a bad plan row both land in it
/// (each loader used to write its own file over the other's).
#[test]
fn bad_rows_of_invoices_and_plans_share_one_rejects_file() {
    let wd = Workdir::new();
    let inv =
        wd.write("inv.csv", "customer,invoice,due_date,amount\nA,1,2025-01-01,100\nB,2,2025-01-01,12x\n");
    let plans = wd.write(
        "plans.csv",
        "plan_id,customer,n,due_date,installment\nP1,A,1,2025-02-01,50\nP1,A,2,not-a-date,50\n",
    );
    let paid = wd.write("paid.csv", "plan_id,customer,date,amount\nP1,A,2025-02-01,50\n");
    let rejects = wd.path("rejects.csv").to_string_lossy().into_owned();
    let run = run_on(
        &wd,
        &inv,
        None,
        "2025-06-30",
        &["--plans", &plans, "--plan-payments", &paid, "--skip-bad-rows", "--rejects", &rejects],
    );
    run.ok();
    assert!(run.stderr.contains("skipped 2 bad row(s)"), "{}", run.stderr);
    let text = wd.read("rejects.csv");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].contains("inv.csv,3,amount,12x"), "{text}");
    assert!(lines[2].contains("plans.csv,3,due_date,not-a-date"), "{text}");
}

/// A single-file export's `open_amount` is an undated payment that counts
/// on every day: A-1 (100.00, open 0) was never overdue and gets nothing;
/// B-1 (100.00, open 80.00) is 60 days past due at 2025-06-30 with no log:
/// level 1 (no skipping), 80.00 + 80 x 0.10 x 60/365 = 1.315.. -> 1.32 of
/// interest, fee 5.00: 86.32. stderr says 2 undated payments were read.
#[test]
fn undated_payments_count_on_every_day_and_are_told_about() {
    let wd = Workdir::new();
    let inv = wd.write(
        "open_items.csv",
        "customer,invoice,due_date,amount,open_amount\nA,A-1,2025-05-01,100.00,0\nB,B-1,2025-05-01,100.00,80.00\n",
    );
    let run =
        run_on(&wd, &inv, None, "2025-06-30", &["--columns", "customer,level,overdue,interest,total_due"]);
    assert_eq!(run.ok(), "customer,level,overdue,interest,total_due\nB,1,80.00,1.32,86.32\n");
    assert!(run.stderr.contains("2 undated payment(s)"), "{}", run.stderr);
}
