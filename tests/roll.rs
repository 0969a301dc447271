//! `cobro roll` on a hand-built ledger; every figure computed by hand below.
mod common;
use common::Workdir;
use serde_json::Value;

/// `fixtures/roll`, as of 2025-04-30, `--from 2025-01-31 --to 2025-04-15 --buckets 30,60`: the
/// snapshots are 01-31, 02-28 and 03-31 (04-15 is no month end).
/// - A-1 due 02-28: current on 01-31 and 02-28 (0 days), 31 days past due on
///   03-31: it skips days_1_30. 400 paid on the month end 03-31 itself.
/// - B-1 due 2024-12-31: 300 paid 01-10, reversed 02-10 (open 200 -> 500: the
///   growth adds nothing), paid 500 on 03-15. 31, 59, 90 days past due.
/// - C-1 is a credit note (not in roll); D-1 is issued between 01-31 and 02-28
///   (not in the first snapshot) and overpaid 03-20 (350 of 300).
/// - E-1 due 2024-11-30, never paid: over 60 throughout.
/// - F-1 due 01-20: 11 days on 01-31, 50 paid 02-05, 39 days on 02-28, 70 on 03-31.
/// - G-1 (USD) paid in full 02-20. H-1 is issued after --to. J-1 is a JPY
///   credit note: no JPY rows (no document of amount > 0).
const INVOICES: &str = include_str!("../fixtures/roll/invoices.csv");
const PAYMENTS: &str = include_str!("../fixtures/roll/payments.csv");

fn run(extra: &[&str]) -> common::Run {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let pay = wd.write("pay.csv", PAYMENTS);
    let mut args = vec!["roll", &inv, "--payments", &pay, "--as-of", "2025-04-30", "--buckets", "30,60"];
    args.extend_from_slice(extra);
    wd.run(&args)
}

fn report() -> Value {
    run(&["--from", "2025-01-31", "--to", "2025-04-15", "-f", "json"]).json()
}

/// The row of (from_date, currency, bucket) among `rows`.
fn row<'a>(rows: &'a Value, from: &str, currency: &str, bucket: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["from_date"] == from && r["currency"] == currency && r["bucket"] == bucket)
        .unwrap_or_else(|| panic!("no row {from} {currency} {bucket}"))
}

/// (balance, to_current, to_days_1_30, to_days_31_60, to_days_over_60, to_paid, roll_pct, cure_pct) as text.
fn figures(r: &Value) -> [String; 8] {
    [
        "balance",
        "to_current",
        "to_days_1_30",
        "to_days_31_60",
        "to_days_over_60",
        "to_paid",
        "roll_pct",
        "cure_pct",
    ]
    .map(|f| r[f].to_string())
}

fn strings(values: [&str; 8]) -> [String; 8] {
    values.map(String::from)
}

#[test]
fn snapshots_are_the_month_ends_and_rows_cover_every_pair_currency_and_bucket() {
    let doc = report();
    assert_eq!(doc["command"], "roll");
    assert_eq!(doc["params"]["snapshots"], serde_json::json!(["2025-01-31", "2025-02-28", "2025-03-31"]));
    let rows = doc["rows"].as_array().unwrap();
    // 2 pairs x 2 currencies (EUR, USD; not JPY) x 4 buckets, by from_date, currency, bucket.
    assert_eq!(rows.len(), 16);
    let order: Vec<String> =
        rows.iter().map(|r| format!("{} {} {}", r["from_date"], r["currency"], r["bucket"])).collect();
    assert_eq!(order[0], r#""2025-01-31" "EUR" "current""#);
    assert_eq!(order[4], r#""2025-01-31" "USD" "current""#);
    assert_eq!(order[8], r#""2025-02-28" "EUR" "current""#);
    assert!(rows.iter().all(|r| r["to_date"] != "2025-04-15"));
}

#[test]
fn first_pair_reversal_and_partial_payment() {
    let doc = report();
    let rows = &doc["rows"];
    // A-1 stays current (0 days past due on 02-28).
    assert_eq!(
        figures(row(rows, "2025-01-31", "EUR", "current")),
        strings(["1000.00", "1000.00", "0.00", "0.00", "0.00", "0.00", "0.00", "null"])
    );
    // F-1: 200 at 11 days; 150 at 39 days (rolled), 50 paid: roll 75 %, cure 25 %.
    assert_eq!(
        figures(row(rows, "2025-01-31", "EUR", "days_1_30")),
        strings(["200.00", "0.00", "0.00", "150.00", "0.00", "50.00", "75.00", "25.00"])
    );
    // B-1: open 200, reversed up to 500: stay = min(200, 500) = 200, nothing paid, nothing added.
    assert_eq!(
        figures(row(rows, "2025-01-31", "EUR", "days_31_60")),
        strings(["200.00", "0.00", "0.00", "200.00", "0.00", "0.00", "0.00", "0.00"])
    );
    // E-1 in the last bucket: roll_pct 0, not null.
    assert_eq!(
        figures(row(rows, "2025-01-31", "EUR", "days_over_60")),
        strings(["800.00", "0.00", "0.00", "0.00", "800.00", "0.00", "0.00", "0.00"])
    );
    // G-1 (USD) paid in full.
    assert_eq!(
        figures(row(rows, "2025-01-31", "USD", "current")),
        strings(["1000.00", "0.00", "0.00", "0.00", "0.00", "1000.00", "0.00", "null"])
    );
    // An empty bucket: balance 0, both rates null.
    assert_eq!(
        figures(row(rows, "2025-01-31", "USD", "days_1_30")),
        strings(["0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "null", "null"])
    );
}

#[test]
fn second_pair_bucket_skip_payment_on_month_end_and_new_document() {
    let doc = report();
    let rows = &doc["rows"];
    // current at 02-28: A-1 1000 (0 days) and D-1 300 (issued 02-10, not in 01-31).
    // A-1 on 03-31 is 31 days past due: 600 to days_31_60 (skipping days_1_30),
    // the 400 paid on 03-31 itself counts. D-1 overpaid: stay = max(-50, 0) = 0, 300 paid.
    // roll = 600 / 1300 = 46.153.. %.
    assert_eq!(
        figures(row(rows, "2025-02-28", "EUR", "current")),
        strings(["1300.00", "0.00", "0.00", "600.00", "0.00", "700.00", "46.15", "null"])
    );
    assert_eq!(
        figures(row(rows, "2025-02-28", "EUR", "days_1_30")),
        strings(["0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "null", "null"])
    );
    // B-1 500 (59 days) paid; F-1 150 (39 days) rolls to over 60 (70 days).
    // roll = 150 / 650 = 23.077 %, cure = 500 / 650 = 76.923 %.
    assert_eq!(
        figures(row(rows, "2025-02-28", "EUR", "days_31_60")),
        strings(["650.00", "0.00", "0.00", "0.00", "150.00", "500.00", "23.08", "76.92"])
    );
    // G-1 was closed on 02-28: USD has nothing left.
    assert_eq!(row(rows, "2025-02-28", "USD", "current")["balance"].to_string(), "0.00");
}

#[test]
fn totals_sum_every_pair_per_currency_and_bucket() {
    let doc = report();
    let totals = doc["totals"].as_array().unwrap();
    assert_eq!(totals.len(), 8);
    let t = |currency: &str, bucket: &str| {
        totals.iter().find(|r| r["currency"] == currency && r["bucket"] == bucket).unwrap()
    };
    // current: 1000 + 1300 = 2300; stays 1000, rolls 600, paid 700: roll 600/2300 = 26.087 %.
    assert_eq!(
        figures(t("EUR", "current")),
        strings(["2300.00", "1000.00", "0.00", "600.00", "0.00", "700.00", "26.09", "null"])
    );
    // days_31_60: 200 + 650 = 850; roll 150/850 = 17.647 %, cure 500/850 = 58.824 %.
    assert_eq!(
        figures(t("EUR", "days_31_60")),
        strings(["850.00", "0.00", "0.00", "200.00", "150.00", "500.00", "17.65", "58.82"])
    );
    assert_eq!(t("EUR", "current")["from_date"], "2025-01-31");
    assert_eq!(t("EUR", "current")["to_date"], "2025-03-31");
    assert_eq!(t("USD", "current")["to_paid"].to_string(), "1000.00");
}

#[test]
fn every_output_format() {
    let csv = run(&["--from", "2025-01-31", "--to", "2025-04-15", "-f", "csv"]);
    let rows = csv.csv_rows();
    assert_eq!(rows.len(), 16);
    assert_eq!(rows[1]["bucket"], "days_1_30");
    assert_eq!(rows[1]["roll_pct"], "75.00");
    assert_eq!(rows[4]["cure_pct"], ""); // USD current: null is empty
    let header = csv.stdout.lines().next().unwrap();
    assert_eq!(
        header,
        "from_date,to_date,currency,bucket,balance,to_current,to_days_1_30,to_days_31_60,to_days_over_60,to_paid,roll_pct,cure_pct"
    );
    let with_totals = run(&["--from", "2025-01-31", "--to", "2025-04-15", "-f", "csv", "--totals"]);
    assert_eq!(with_totals.csv_rows().len(), 24);
    let nd = run(&["--from", "2025-01-31", "--to", "2025-04-15", "-f", "ndjson"]);
    assert_eq!(nd.ok().lines().count(), 16);
    let table = run(&["--from", "2025-01-31", "--to", "2025-04-15"]);
    assert!(table.ok().contains("46.15"));
}

#[test]
fn usage_errors_exit_2() {
    for (from, to, fragment) in [
        ("2025-02-01", "2025-02-27", "at least two"), // no month end at all
        ("2025-02-01", "2025-03-30", "at least two"), // one month end (02-28)
        ("2025-03-31", "2025-01-31", "before --to"),
        ("2025-01-31", "2025-05-31", "after --as-of"),
        ("2025-01-31", "March", "YYYY-MM-DD"),
    ] {
        let r = run(&["--from", from, "--to", to]);
        assert_eq!(r.code, 2, "{from} {to}: {}", r.stderr);
        assert!(r.stderr.contains(fragment), "{from} {to}: {}", r.stderr);
    }
    let r = run(&["--from", "2025-01-31", "--to", "2025-03-31", "--buckets", "60,30"]);
    assert_eq!(r.code, 2);
}

#[test]
fn chart_draws_the_roll_rates() {
    let wd = Workdir::new();
    let svg = wd.path("roll.svg");
    let r = wd.run(&[
        "roll",
        "fixtures/roll/invoices.csv",
        "--payments",
        "fixtures/roll/payments.csv",
        "--as-of",
        "2025-04-30",
        "--buckets",
        "30,60",
        "--from",
        "2025-01-31",
        "--to",
        "2025-03-31",
        "--chart",
        svg.to_str().unwrap(),
        "-f",
        "csv",
    ]);
    assert_eq!(r.csv_rows().len(), 16);
    let drawn = wd.read("roll.svg");
    assert!(drawn.starts_with("<svg"), "{}", &drawn[..80.min(drawn.len())]);
    // Every bucket but the last (which cannot roll), per currency.
    for label in ["Roll rates (%)", "EUR current", "EUR days_31_60", "USD days_1_30"] {
        assert!(drawn.contains(label), "{label}");
    }
    assert!(!drawn.contains("days_over_60"));
}

#[test]
fn help_has_an_example() {
    let r = Workdir::new().run(&["roll", "--help"]);
    assert!(r.ok().contains("Example:"));
    assert!(r.stdout.contains("--buckets"));
}

/// A single-file export's `open_amount` becomes an undated payment: it
/// counts on every day, and roll and provision say so on stderr (as kpi does).
#[test]
fn undated_payments_are_warned_about() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,issue_date,due_date,amount,open_amount\nA,1,2025-01-01,2025-01-31,100.00,40.00\n",
    );
    let roll = wd.run(&["roll", &inv, "--from", "2025-01-31", "--to", "2025-03-31", "--as-of", "2025-03-31"]);
    roll.ok();
    assert!(roll.stderr.contains("1 undated payment(s)"), "{}", roll.stderr);
    let provision = wd.run(&["provision", &inv, "--as-of", "2025-03-31"]);
    provision.ok();
    assert!(provision.stderr.contains("1 undated payment(s)"), "{}", provision.stderr);
}
