//! `cobro kpi` on a hand-built ledger; every figure computed by hand below.
mod common;
use common::Workdir;
use std::collections::BTreeMap;

/// Period: March 2025 (S = 03-01, E = 03-31), as of 2025-06-30.
/// - A-1 due the day before the period: 400 paid in it, 600 after it (April).
/// - A-2 paid in March, reversed in May, paid again May 20: settles May 20, not in March.
/// - B-1 overpaid (350 of 300): recovery capped at 300. B-2 is a credit note.
/// - C-1 due on E itself: not in the recovery base; paid early (0 days late).
/// - D-1 paid before the period: owed 0 at S-1, not in the base.
/// - E-1 issued after the period. F-1/F-2: F cures Mar 10 and falls behind again
///   Mar 21. G-1: G cures Mar 25.
const INVOICES: &str = "\
customer,invoice,issue_date,due_date,amount
A,A-1,2025-01-15,2025-02-28,1000
A,A-2,2025-02-01,2025-03-05,500
B,B-1,2025-02-10,2025-03-12,300
B,B-2,2025-03-05,2025-03-05,-100
C,C-1,2025-03-01,2025-03-31,200
D,D-1,2025-01-01,2025-01-31,100
E,E-1,2025-04-10,2025-05-10,250
F,F-1,2025-02-01,2025-03-01,100
F,F-2,2025-03-01,2025-03-20,100
G,G-1,2025-03-01,2025-03-10,100
";
const PAYMENTS: &str = "\
invoice,date,amount
A-1,2025-03-10,400
A-1,2025-04-05,600
A-2,2025-03-20,500
A-2,2025-05-10,-500
A-2,2025-05-20,500
B-1,2025-03-15,350
C-1,2025-03-25,200
D-1,2025-02-15,100
F-1,2025-03-10,100
F-2,2025-04-30,100
G-1,2025-03-25,100
";

fn march(extra: &[&str]) -> Vec<BTreeMap<String, String>> {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let pay = wd.write("pay.csv", PAYMENTS);
    let mut args = vec![
        "kpi",
        &inv,
        "--payments",
        &pay,
        "--from",
        "2025-03-01",
        "--to",
        "2025-03-31",
        "--as-of",
        "2025-06-30",
        "-f",
        "csv",
    ];
    args.extend_from_slice(extra);
    wd.run(&args).csv_rows()
}

#[test]
fn recovery_rate() {
    let row = &march(&["--window", "30"])[0];
    // Base: A-1 owed 1000 recovered 400; A-2 500/500; B-1 300/300 (350 capped);
    // F-1 100/100; F-2 100/0; G-1 100/100 -> 1400 / 2100 = 66.67 %.
    assert_eq!(row["overdue_owed"], "2100.00");
    assert_eq!(row["recovered"], "1400.00");
    assert_eq!(row["recovery_rate_pct"], "66.67");
}

#[test]
fn days_to_collect_late_and_settle() {
    let row = &march(&[])[0];
    // Settled in March: B-1 (3 days late, 33 after issue), C-1 (0, 24), F-1 (9, 37), G-1 (15, 24).
    assert_eq!(row["settled_invoices"], "4");
    assert_eq!(row["avg_days_late"], "6.75"); // 27 / 4
    assert_eq!(row["avg_days_to_settle"], "29.50"); // 118 / 4
    assert_eq!(row["collected_invoices"], "3");
    assert_eq!(row["avg_days_to_collect"], "9.00"); // 27 / 3
}

#[test]
fn reoffending_with_window_and_pending() {
    // Cured in March: B (Mar 15), F (Mar 10), G (Mar 25). F falls behind again on Mar 21.
    let row = &march(&["--window", "30"])[0];
    assert_eq!((row["cured_customers"].as_str(), row["reoffended_customers"].as_str()), ("3", "1"));
    assert_eq!(row["pending_customers"], "0");
    assert_eq!(row["reoffending_rate_pct"], "33.33");
    // Window 100: G's window ends Jul 3, after the as-of date -> pending; 1 / (3 - 1).
    let row = &march(&["--window", "100"])[0];
    assert_eq!(row["pending_customers"], "1");
    assert_eq!(row["reoffending_rate_pct"], "50.00");
}

#[test]
fn dso_cei_and_balances() {
    let row = &march(&[])[0];
    // ar_begin (Feb 28): A-1 1000 + A-2 500 + B-1 300 + F-1 100 = 1900.
    // ar_end (Mar 31): A-1 600 + B-1 -50 + B-2 -100 + F-2 100 = 550; current_end 0.
    // sales: B-2 -100 + C-1 200 + F-2 100 + G-1 100 = 300.
    assert_eq!(row["ar_begin"], "1900.00");
    assert_eq!(row["ar_end"], "550.00");
    assert_eq!(row["current_end"], "0.00");
    assert_eq!(row["sales"], "300.00");
    assert_eq!(row["dso"], "56.83"); // 550 / 300 * 31
    assert_eq!(row["best_possible_dso"], "0.00");
    assert_eq!(row["add"], "56.83");
    assert_eq!(row["cei_pct"], "75.00"); // (1900 + 300 - 550) / (1900 + 300 - 0)
    assert_eq!(row["overdue_end"], "550.00");
    assert_eq!(row["overdue_pct"], "100.00");
}

#[test]
fn an_empty_period_has_null_rates() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let pay = wd.write("pay.csv", PAYMENTS);
    let doc = wd
        .run(&[
            "kpi",
            &inv,
            "--payments",
            &pay,
            "--from",
            "2024-06-01",
            "--to",
            "2024-06-30",
            "--as-of",
            "2025-06-30",
            "-f",
            "json",
        ])
        .json();
    let row = &doc["rows"][0];
    for rate in [
        "recovery_rate_pct",
        "avg_days_to_collect",
        "avg_days_late",
        "reoffending_rate_pct",
        "dso",
        "cei_pct",
        "overdue_pct",
    ] {
        assert!(row[rate].is_null(), "{rate} should be null: {}", row[rate]);
    }
    assert_eq!(row["sales"].to_string(), "0.00");
    assert_eq!(row["settled_invoices"].to_string(), "0");
}

#[test]
fn to_after_as_of_is_a_usage_error() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let run = wd.run(&["kpi", &inv, "--to", "2025-07-01", "--as-of", "2025-06-30"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// A zero invoice "paid" with `0.00` leaves a balance of 0 - 0.00, which
/// rust_decimal keeps as a negative zero: it printed `-0.00` (`-0.000` in
/// KWD). An exact zero is printed without a sign (SPEC §3: the value
/// computed exactly, then rounded).
#[test]
fn a_balance_of_zero_prints_without_a_sign() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,issue_date,due_date,amount,currency\n\
         A,1,2025-06-01,2025-07-31,0,EUR\n\
         A,2,2025-06-01,2025-07-31,0,KWD\n",
    );
    let pay = wd.write("pay.csv", "invoice,date,amount\n1,2025-06-02,0.00\n2,2025-06-02,0.000\n");
    let rows = wd.run(&["kpi", &inv, "--payments", &pay, "--as-of", "2025-06-30", "-f", "csv"]).csv_rows();
    let balances = |currency: &str| {
        let row = rows.iter().find(|r| r["currency"] == currency).expect(currency);
        ["ar_end", "current_end", "overdue_end"].map(|field| row[field].clone())
    };
    assert_eq!(balances("EUR"), ["0.00", "0.00", "0.00"]);
    assert_eq!(balances("KWD"), ["0.000", "0.000", "0.000"]);
}

/// With --every month, the additive figures of the months add up to the
/// whole range's (the totals row): sales, settled and collected invoices.
#[test]
fn monthly_additive_figures_add_up_to_the_range() {
    let doc = Workdir::new()
        .run(&[
            "kpi",
            "fixtures/invoices.csv",
            "--payments",
            "fixtures/payments.csv",
            "--from",
            "2025-01-01",
            "--to",
            "2025-06-30",
            "--every",
            "month",
            "--as-of",
            "2025-06-30",
            "-f",
            "json",
        ])
        .json();
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 12); // 6 months x 2 currencies
    for total in doc["totals"].as_array().unwrap() {
        let currency = total["currency"].as_str().unwrap();
        let months: Vec<&serde_json::Value> = rows.iter().filter(|r| r["currency"] == currency).collect();
        let sum = |f: &str| {
            months
                .iter()
                .map(|r| r[f].to_string().parse::<rust_decimal::Decimal>().unwrap())
                .sum::<rust_decimal::Decimal>()
        };
        for field in ["sales", "settled_invoices", "collected_invoices"] {
            assert_eq!(sum(field).to_string(), total[field].to_string(), "{currency} {field}");
        }
        assert_eq!(months[5]["ar_end"], total["ar_end"]);
        assert_eq!(months[0]["ar_begin"], total["ar_begin"]);
    }
}

#[test]
fn trend_chart_is_an_svg_with_every_series() {
    let wd = Workdir::new();
    let svg = wd.path("trend.svg");
    let run = wd.run(&[
        "kpi",
        "fixtures/invoices.csv",
        "--payments",
        "fixtures/payments.csv",
        "--from",
        "2025-01-01",
        "--every",
        "month",
        "--as-of",
        "2025-06-30",
        "-f",
        "csv",
        "--chart",
        svg.to_str().unwrap(),
    ]);
    run.ok();
    let text = wd.read("trend.svg");
    assert!(text.starts_with("<svg"), "{}", &text[..40]);
    for label in ["EUR recovery", "EUR reoffending", "EUR CEI", "USD DSO", "2025-03"] {
        assert!(text.contains(label), "missing {label}");
    }
    let no_every =
        wd.run(&["kpi", "fixtures/invoices.csv", "--as-of", "2025-06-30", "--chart", svg.to_str().unwrap()]);
    assert_eq!(no_every.code, 2);
}

/// Monthly periods from 2025 to 9999 (95,700 of them) took over a minute:
/// more than 1,200 periods is a usage error; 1,200 months are fine.
#[test]
fn too_many_periods_is_a_usage_error() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let far = ["--from", "2025-01-01", "--to", "9999-12-31", "--as-of", "9999-12-31"];
    let run = wd.run(&[&["kpi", inv.as_str(), "--every", "month"][..], &far].concat());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("into 95700 periods, more than the 1200"), "{}", run.stderr);
    let years = wd.run(&[&["kpi", inv.as_str(), "--every", "year", "-f", "csv"][..], &far].concat());
    assert_eq!(years.code, 2, "7975 years: {}", years.stderr);
    let hundred_years = ["--from", "2000-01-01", "--to", "2099-12-31", "--as-of", "2099-12-31", "-f", "csv"];
    let months = wd.run(&[&["kpi", inv.as_str(), "--every", "month"][..], &hundred_years].concat());
    assert!(months.ok().lines().filter(|l| l.starts_with("20")).count() >= 1200);
}
