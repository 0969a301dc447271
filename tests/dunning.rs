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
