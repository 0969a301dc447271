//! `cobro plan` at the edges of its bounds: the largest counts and rates
//! compute (no overflow of `(1+r)^n`), anything past them is a usage error.
mod common;
use common::Workdir;

/// 10,000.00 at 12% a year over 10,000 months (r = 1%): the installment
/// 100 / (1 - 1.01^-10000) is 100.00 to the cent (1.01^10000 ~ 1.6e43, so
/// the correction is ~1e-41), the same as a month's interest on the whole
/// balance: rows pay interest only and the last pays the 10,000.00 back,
/// plus 100.00 of interest, on 2858-05-31 (10,000 months after Jan 31).
#[test]
fn ten_thousand_monthly_installments_at_twelve_percent() {
    let run = Workdir::new().run(&[
        "plan",
        "schedule",
        "--amount",
        "10000",
        "--installments",
        "10000",
        "--annual-rate",
        "12",
        "--start",
        "2025-01-31",
        "-f",
        "csv",
    ]);
    let out = run.ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 10_001);
    assert_eq!(lines[1], "1,2025-02-28,100.00,100.00,0.00,10000.00");
    assert_eq!(lines[10_000], "10000,2858-05-31,10100.00,100.00,10000.00,0.00");
}

/// 1,000.00 at 100% a year in 1,000 monthly installments (r = 1/12):
/// 83.333.. * (1 + (12/13)^1000) rounds to 83.33; the last pays 1,000.00 +
/// 83.33; 999 * 83.33 + 1,083.33 = 84,330.00 paid.
#[test]
fn offer_of_a_thousand_installments_at_a_hundred_percent() {
    let doc = Workdir::new()
        .run(&[
            "plan",
            "offer",
            "--amount",
            "1000",
            "--annual-rate",
            "100",
            "--options",
            "1000",
            "-f",
            "json",
        ])
        .json();
    let plan = &doc["rows"][1];
    assert_eq!(plan["option"], "1000_installments");
    assert_eq!(plan["installment"].to_string(), "83.33");
    assert_eq!(plan["last_installment"].to_string(), "1083.33");
    assert_eq!(plan["total_paid"].to_string(), "84330.00");
    assert_eq!(plan["cost_vs_lump_sum"].to_string(), "83330.00");
}

/// Counts, rates and amounts past the documented limits (docs/limits.md)
/// are usage errors that say the limit.
#[test]
fn counts_rates_and_amounts_past_the_limits_are_usage_errors() {
    let wd = Workdir::new();
    let hundred_and_one = vec!["3"; 101].join(",");
    let offer = |flags: &[&str], says: &str| {
        let mut args = vec!["plan", "offer", "--amount", "1000"];
        args.extend(flags);
        let run = wd.run(&args);
        assert_eq!(run.code, 2, "{flags:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{flags:?}: {}", run.stderr);
    };
    offer(&["--options", "4000000000"], "from 1 to 10000");
    offer(&["--options", "100000000"], "from 1 to 10000");
    offer(&["--options", "3,10001"], "from 1 to 10000");
    offer(&["--options", &hundred_and_one], "at most 100 options");
    offer(&["--annual-rate", "1000.01"], "0 to 1000");
    offer(&["--annual-rate=-1"], "0 to 1000");
    let hundred = vec!["12"; 100].join(",");
    let at_the_limit = wd.run(&["plan", "offer", "--amount", "1000", "--options", &hundred, "-f", "csv"]);
    assert_eq!(at_the_limit.ok().lines().count(), 1 + 1 + 100);

    let schedule = |flags: &[&str], says: &str| {
        let mut args = vec!["plan", "schedule", "--start", "2025-01-01"];
        args.extend(flags);
        let run = wd.run(&args);
        assert_eq!(run.code, 2, "{flags:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{flags:?}: {}", run.stderr);
    };
    schedule(&["--amount", "1000", "--installments", "10001"], "between 1 and 10000");
    schedule(&["--amount", "1000000000000000.01", "--installments", "3"], "at most 1000000000000000");
    schedule(&["--amount", "1000", "--fee", "1000000000000001", "--installments", "3"], "--fee");
    schedule(&["--amount", "1000", "--annual-rate", "5000", "--installments", "3"], "0 to 1000");
    schedule(&["--amount", "1000", "--max-installment", "0"], "must be positive");
}

/// The `--max-installment` search over all 10,000 counts ends quickly
/// with an error when no count fits: 1,000.00 at 12% pays 10.00 of interest
/// a month, installments reach 10.00 only from n = 764 on and then never
/// amortize (the last would be 1,010.00).
#[test]
fn max_installment_search_that_finds_nothing_is_an_error() {
    let run = Workdir::new().run(&[
        "plan",
        "schedule",
        "--amount",
        "1000",
        "--annual-rate",
        "12",
        "--max-installment",
        "10.004",
        "--start",
        "2025-01-01",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no schedule up to 10000 installments"), "{}", run.stderr);
}
