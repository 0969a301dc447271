//! Day-count flags take 0 (or 1) to 36,500 days: `--grace 2147483647`
//! overflowed a date in segment and kpi, `--window` one in kpi and
//! `--buckets` one in age (exit 101); now each is a usage error naming the
//! flag, and a hundred years still work.
mod common;
use common::Workdir;

const INVOICES: &str = "customer,invoice,due_date,amount\nC1,I1,2025-01-31,100.00\n";

#[test]
fn day_counts_past_a_hundred_years_are_usage_errors() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let promises =
        wd.write("promises.csv", "customer,created,promised_date,amount\nC1,2025-01-01,2025-02-01,50\n");
    let cases: [&[&str]; 10] = [
        &["segment", &inv, "--grace", "2147483647"],
        &["segment", &inv, "--lookback", "36501"],
        &["kpi", &inv, "--grace", "2147483647"],
        &["kpi", &inv, "--window", "2147483647"],
        &["age", &inv, "--buckets", "30,2147483647"],
        &["age", &inv, "--terms", "36501"],
        &["segment", &inv, "--lookback", "0"],
        &["promise", &inv, "--tolerance", "2147483647", "--promises", &promises],
        &["kpi", &inv, "--tolerance", "36501", "--promises", &promises],
        &["forecast", &inv, "--lookback", "2147483647"],
    ];
    for args in cases {
        let run = wd.run(&[args, &["--as-of", "2025-06-30"]].concat());
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        let flag = args[2].trim_start_matches("--");
        assert!(run.stderr.contains(&format!("--{flag} must be between")), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("36500 days"), "{args:?}: {}", run.stderr);
    }
}

/// At the bound: 100.00 due 2025-01-31 is 150 days past due on
/// 2025-06-30, inside the first bucket of `--buckets 36500`.
#[test]
fn a_hundred_years_is_accepted() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let rows = wd.run(&["age", &inv, "--buckets", "36500", "--as-of", "2025-06-30", "-f", "csv"]).csv_rows();
    assert_eq!(rows[0]["days_1_36500"], "100.00");
    assert_eq!(rows[0]["days_over_36500"], "0.00");
    for args in [["segment", "--grace"], ["kpi", "--window"], ["segment", "--lookback"]] {
        let run = wd.run(&[args[0], &inv, args[1], "36500", "--as-of", "2025-06-30"]);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
}
