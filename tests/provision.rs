//! `cobro provision`: the SPEC's worked examples and hand-computed edges.
mod common;
use common::Workdir;
use serde_json::Value;

/// `fixtures/provision`: the IFRScommunity provision-matrix example (SPEC §4
/// `provision`). A January 2024 cohort of 100,000 due 2024-01-31: H-1 50,000
/// paid before due, H-2 27,000 paid at 15 days, H-3 15,000 at 44 days, H-4
/// 6,000 at 80 days, H-5 2,000 never (written off on 2025-03-31, after its
/// 365 days). The year-end (2025-12-31) aging: Y-1 300,000 current, Y-2
/// 140,000 at 16 days, Y-3 60,000 at 46, Y-4 23,000 at 77, Y-5 5,000 at 122
/// (none of them 365 days past due: not in the history).
fn ifrs(extra: &[&str]) -> common::Run {
    let mut args = vec![
        "provision",
        "fixtures/provision/invoices.csv",
        "--payments",
        "fixtures/provision/payments.csv",
        "--as-of",
        "2025-12-31",
        "--buckets",
        "30,60,90",
    ];
    args.extend_from_slice(extra);
    Workdir::new().run(&args)
}

/// Each row's fields as printed JSON text.
fn column(doc: &Value, field: &str) -> Vec<String> {
    doc["rows"].as_array().unwrap().iter().map(|r| r[field].to_string()).collect()
}

fn strings<const N: usize>(values: [&str; N]) -> Vec<String> {
    values.map(String::from).to_vec()
}

#[test]
fn ifrscommunity_cohort_gives_the_textbook_rates_and_ecl() {
    let doc = ifrs(&["-f", "json"]).json();
    assert_eq!(
        column(&doc, "bucket"),
        strings(["\"current\"", "\"days_1_30\"", "\"days_31_60\"", "\"days_61_90\"", "\"days_over_90\""])
    );
    // Reached: current 100,000 (the amounts); 1-30 what was open on the due
    // date: 100,000 - 50,000 = 50,000; 31-60 open at 30 days: 50,000 - 27,000
    // = 23,000; 61-90 at 60 days: 8,000; over 90 at 90 days: 2,000. Lost: 2,000.
    assert_eq!(column(&doc, "reached"), strings(["100000.00", "50000.00", "23000.00", "8000.00", "2000.00"]));
    assert_eq!(column(&doc, "lost"), strings(["2000.00", "2000.00", "2000.00", "2000.00", "2000.00"]));
    // 2 %, 4 %, 8.6957 % (printed with 2 decimals), 25 %, 100 %.
    assert_eq!(column(&doc, "loss_rate_pct"), strings(["2.00", "4.00", "8.70", "25.00", "100.00"]));
    assert_eq!(column(&doc, "applied_rate_pct"), strings(["2.00", "4.00", "8.70", "25.00", "100.00"]));
    assert_eq!(column(&doc, "gross"), strings(["300000.00", "140000.00", "60000.00", "23000.00", "5000.00"]));
    // 60,000 x 2,000 / 23,000 = 5,217.391.. from the exact rate; the printed
    // 8.70 % would give 5,220.00.
    assert_eq!(column(&doc, "ecl"), strings(["6000.00", "5600.00", "5217.39", "5750.00", "5000.00"]));
    let total = &doc["totals"][0];
    assert_eq!(total["currency"], "EUR");
    assert_eq!(total["gross"].to_string(), "528000.00");
    // 6,000.00 + 5,600.00 + 5,217.39 + 5,750.00 + 5,000.00 = 27,567.39, not
    // the 27,570.00 of rates rounded to 8.70 % first.
    assert_eq!(total["ecl"].to_string(), "27567.39");
    assert_ne!(total["ecl"].to_string(), "27570.00");
    // 27,567.39 / 528,000 = 5.2211.. %.
    assert_eq!(total["coverage_pct"].to_string(), "5.22");
}

#[test]
fn adjust_scales_the_exact_rates_and_caps_them_at_one() {
    let doc = ifrs(&["--adjust", "10", "-f", "json"]).json();
    // x 1.1: 2.2 %, 4.4 %, 9.5652 %, 27.5 %, min(1, 1.1) = 100 %.
    assert_eq!(column(&doc, "applied_rate_pct"), strings(["2.20", "4.40", "9.57", "27.50", "100.00"]));
    assert_eq!(column(&doc, "loss_rate_pct")[2], "8.70");
    // 6,600 + 6,160 + 60,000 x 2,200 / 23,000 = 5,739.13 + 6,325 + 5,000 = 29,824.13.
    assert_eq!(column(&doc, "ecl"), strings(["6600.00", "6160.00", "5739.13", "6325.00", "5000.00"]));
    assert_eq!(doc["totals"][0]["ecl"].to_string(), "29824.13");
    let r = ifrs(&["--adjust", "-100"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(ifrs(&["--adjust", "ten"]).code, 2);
}

#[test]
fn history_from_limits_the_cohort_and_defaults_to_three_years() {
    // From 2024-01-10: H-1 (issued 01-02) and H-2 (01-05) are out: reached
    // current 15,000 + 6,000 + 2,000 = 23,000, 2,000 lost: 8.6957 %.
    let doc = ifrs(&["--history-from", "2024-01-10", "-f", "json"]).json();
    assert_eq!(column(&doc, "reached")[0], "23000.00");
    assert_eq!(column(&doc, "loss_rate_pct")[0], "8.70");
    assert_eq!(ifrs(&["-f", "json"]).json()["params"]["history_from"], "2022-12-31");
    // 29 February three years back is 28 February.
    let leap = ifrs(&["--as-of", "2028-02-29", "-f", "json"]).json();
    assert_eq!(leap["params"]["history_from"], "2025-02-28");
    assert_eq!(ifrs(&["--history-from", "2024"]).code, 2);
}

/// `fixtures/provision/aging.csv`: the IFRS 9 illustrative provision matrix
/// (`examples/provision_rates.csv`: 0.3 %, 1.6 %, 3.6 %, 6.6 %, 10.6 %) on an
/// aging of 15,000,000 / 7,500,000 / 4,000,000 / 2,500,000 / 1,000,000.
#[test]
fn given_rates_reproduce_the_ifrs9_illustrative_matrix() {
    let r = Workdir::new().run(&[
        "provision",
        "fixtures/provision/aging.csv",
        "--rates",
        "examples/provision_rates.csv",
        "--as-of",
        "2025-12-31",
        "--buckets",
        "30,60,90",
        "-f",
        "json",
    ]);
    let doc = r.json();
    // 45,000 + 120,000 + 144,000 + 165,000 + 106,000 = 580,000.
    assert_eq!(
        column(&doc, "ecl"),
        strings(["45000.00", "120000.00", "144000.00", "165000.00", "106000.00"])
    );
    assert_eq!(doc["totals"][0]["ecl"].to_string(), "580000.00");
    // 580,000 / 30,000,000 = 1.9333 %.
    assert_eq!(doc["totals"][0]["coverage_pct"].to_string(), "1.93");
    assert_eq!(column(&doc, "reached"), strings(["null"; 5]));
    assert_eq!(column(&doc, "lost"), strings(["null"; 5]));
    assert_eq!(column(&doc, "loss_rate_pct"), strings(["0.30", "1.60", "3.60", "6.60", "10.60"]));
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

/// As of 2025-12-31, `--buckets 30,60,90 --by region --history-from 2024-01-01`.
/// - N (EUR): N-1 the only history, paid before due (reached current 1,000,
///   nothing lost, nothing reached an overdue bucket). N-2 500 at 91 days
///   (over 90: no rate). N-3 an open credit note and N-4 overpaid (open -50):
///   neither is netted into the gross. N-5 800 current.
/// - S (USD): S-1 2,000 due 2024-03-31, 1,500 paid at 10 days, 500 still
///   open: reached 2,000 / 2,000 / 500 / 500 / 500, lost 500 each. S-2 1,000
///   at 16 days, S-3 333.33 at 51 days.
const GROUPS: &str = "\
customer,invoice,issue_date,due_date,amount,currency,region
N,N-1,2024-02-01,2024-03-01,1000,EUR,N
N,N-2,2025-09-01,2025-10-01,500,EUR,N
N,N-3,2025-12-01,2025-12-01,-200,EUR,N
N,N-4,2025-12-01,2025-12-31,300,EUR,N
N,N-5,2025-12-10,2026-01-09,800,EUR,N
S,S-1,2024-03-01,2024-03-31,2000,USD,S
S,S-2,2025-11-15,2025-12-15,1000,USD,S
S,S-3,2025-10-11,2025-11-10,333.33,USD,S
";
const GROUP_PAYMENTS: &str = "\
invoice,date,amount
N-1,2024-02-20,1000
N-4,2025-12-05,350
S-1,2024-04-10,1500
";

fn groups(extra: &[&str]) -> common::Run {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", GROUPS);
    let pay = wd.write("pay.csv", GROUP_PAYMENTS);
    let mut args = vec![
        "provision",
        &inv,
        "--payments",
        &pay,
        "--as-of",
        "2025-12-31",
        "--buckets",
        "30,60,90",
        "--by",
        "region",
        "--history-from",
        "2024-01-01",
    ];
    args.extend_from_slice(extra);
    wd.run(&args)
}

#[test]
fn unknown_rates_are_null_warned_and_left_out_of_the_total() {
    let r = groups(&["-f", "json"]);
    let doc = r.json();
    let regions: Vec<String> =
        ["\"N\"", "\"S\""].iter().flat_map(|r| std::iter::repeat_n(r.to_string(), 5)).collect();
    assert_eq!(column(&doc, "region"), regions);
    // N: current 800 (the credit note and the overpayment not netted) at 0 %.
    assert_eq!(column(&doc, "gross")[..5], strings(["800.00", "0.00", "0.00", "0.00", "500.00"]));
    assert_eq!(column(&doc, "loss_rate_pct")[..5], strings(["0.00", "null", "null", "null", "null"]));
    assert_eq!(column(&doc, "ecl")[..5], strings(["0.00", "null", "null", "null", "null"]));
    for bucket in ["days_1_30", "days_31_60", "days_61_90", "days_over_90"] {
        assert!(r.stderr.contains(&format!("region=N EUR {bucket}")), "{}", r.stderr);
    }
    assert!(!r.stderr.contains("current"), "{}", r.stderr);
    assert!(!r.stderr.contains("region=S"), "{}", r.stderr);
    // S: 25 %, 25 %, 100 %, 100 %, 100 %; S-1's 500 is itself over 90 days.
    assert_eq!(column(&doc, "reached")[5..], strings(["2000.00", "2000.00", "500.00", "500.00", "500.00"]));
    assert_eq!(column(&doc, "loss_rate_pct")[5..], strings(["25.00", "25.00", "100.00", "100.00", "100.00"]));
    assert_eq!(column(&doc, "gross")[5..], strings(["0.00", "1000.00", "333.33", "0.00", "500.00"]));
    assert_eq!(column(&doc, "ecl")[5..], strings(["0.00", "250.00", "333.33", "0.00", "500.00"]));
    // EUR: gross 1,300 (800 + N-2's 500, which has no ECL), ECL 0: coverage 0 %.
    // USD: gross 1,833.33, ECL 1,083.33: 59.0908.. %.
    let totals = doc["totals"].as_array().unwrap();
    let t: Vec<String> = totals
        .iter()
        .map(|t| format!("{} {} {} {}", t["currency"], t["gross"], t["ecl"], t["coverage_pct"]))
        .collect();
    assert_eq!(t, strings(["\"EUR\" 1300.00 0.00 0.00", "\"USD\" 1833.33 1083.33 59.09"]));
}

/// As of 2025-12-31, `--buckets 30,60,90 --default-after 45`:
/// - X-1 1,000 due 2025-01-31: 600 paid at 10 days, 400 at 60 days (04-01).
///   Lost: open at 45 days = 400. Reached: 1,000 / 1,000 / 400 (at 30 days) /
///   0 (at 60 days) / 0. Rates 40 %, 40 %, 100 %; days_61_90 and over 90 start
///   past 45 days: rate 1 although nothing reached them.
/// - X-2 500 at 72 days has no issue date: not in the history, in the gross.
/// - X-3 200 at 11 days.
const DEFAULTS: &str = "\
customer,invoice,issue_date,due_date,amount
X,X-1,2025-01-01,2025-01-31,1000
X,X-2,,2025-10-20,500
X,X-3,2025-12-01,2025-12-20,200
";

#[test]
fn buckets_past_default_after_are_lost_in_full() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", DEFAULTS);
    let pay = wd.write("pay.csv", "invoice,date,amount\nX-1,2025-02-10,600\nX-1,2025-04-01,400\n");
    let r = wd.run(&[
        "provision",
        &inv,
        "--payments",
        &pay,
        "--as-of",
        "2025-12-31",
        "--buckets",
        "30,60,90",
        "--default-after",
        "45",
        "-f",
        "json",
    ]);
    let doc = r.json();
    assert_eq!(column(&doc, "reached"), strings(["1000.00", "1000.00", "400.00", "0.00", "0.00"]));
    assert_eq!(column(&doc, "lost"), strings(["400.00", "400.00", "400.00", "0.00", "0.00"]));
    assert_eq!(column(&doc, "loss_rate_pct"), strings(["40.00", "40.00", "100.00", "100.00", "100.00"]));
    // X-3 200 x 40 % = 80; X-2 500 x 100 %. Total 580 of 700 = 82.857 %.
    assert_eq!(column(&doc, "ecl"), strings(["0.00", "80.00", "0.00", "500.00", "0.00"]));
    assert_eq!(doc["totals"][0]["ecl"].to_string(), "580.00");
    assert_eq!(doc["totals"][0]["coverage_pct"].to_string(), "82.86");
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn a_bad_rates_file_is_a_clear_error() {
    let wd = Workdir::new();
    let good = "current,0.3\ndays_1_30,1.6\ndays_31_60,3.6\ndays_61_90,6.6\n";
    for (content, fragments) in [
        (format!("bucket,loss_rate_pct\n{good}"), vec!["no loss rate for days_over_90"]),
        (
            format!("bucket,loss_rate_pct\n{good}days_over_90,120\n"),
            vec![":6:", "\"120\"", "between 0 and 100"],
        ),
        (format!("bucket,loss_rate_pct\n{good}current,1\n"), vec![":6:", "\"current\"", "twice"]),
        (
            format!("bucket,loss_rate_pct\n{good}days_91_plus,10\n"),
            vec![":6:", "not a bucket", "days_over_90"],
        ),
        (format!("bucket,loss_rate_pct\n{good}days_over_90,ten\n"), vec![":6:", "\"ten\"", "percentage"]),
        (format!("bucket,rate\n{good}"), vec!["no 'loss_rate_pct' column"]),
    ] {
        let rates = wd.write("rates.csv", &content);
        let r = wd.run(&[
            "provision",
            "fixtures/provision/aging.csv",
            "--rates",
            &rates,
            "--as-of",
            "2025-12-31",
            "--buckets",
            "30,60,90",
        ]);
        let mut expected = vec!["rates.csv"];
        expected.extend(fragments);
        r.fails_with(&expected);
    }
    // A semicolon file with decimal commas and percent signs reads the same as the example.
    let rates = wd.write(
        "tasas.csv",
        "bucket;loss_rate_pct\ncurrent;0,3 %\ndays_1_30;1,6\ndays_31_60;3,6\ndays_61_90;6,6\ndays_over_90;10,6%\n",
    );
    let r = wd.run(&[
        "provision",
        "fixtures/provision/aging.csv",
        "--rates",
        &rates,
        "--decimal-comma",
        "--as-of",
        "2025-12-31",
        "--buckets",
        "30,60,90",
        "-f",
        "json",
    ]);
    assert_eq!(r.json()["totals"][0]["ecl"].to_string(), "580000.00");
}

#[test]
fn every_output_format_and_usage_errors() {
    let csv = ifrs(&["-f", "csv"]);
    assert_eq!(
        csv.ok().lines().next().unwrap(),
        "currency,bucket,gross,reached,lost,loss_rate_pct,applied_rate_pct,ecl"
    );
    assert_eq!(csv.csv_rows()[2]["ecl"], "5217.39");
    assert_eq!(ifrs(&["-f", "ndjson"]).ok().lines().count(), 5);
    let table = ifrs(&[]);
    assert!(table.ok().contains("27567.39") || table.stdout.contains("27,567.39"), "{}", table.stdout);
    assert!(table.stdout.contains("coverage_pct"));
    assert_eq!(ifrs(&["--default-after", "-1"]).code, 2);
    assert_eq!(ifrs(&["--buckets", "30,30"]).code, 2);
    let help = Workdir::new().run(&["provision", "--help"]);
    assert!(help.ok().contains("Example:"));
}

/// JPY has no minor unit: ECLs are whole yen, rounded once from the exact rate.
/// History: JH-1 3,000 due 2024-01-31, 2,000 paid before due, 1,000 never:
/// current 1,000 / 3,000 = 1/3, every overdue bucket 1,000 / 1,000 = 100 %.
/// As of 2025-12-31: J-1 10,001 current -> 10,001 / 3 = 3,333.67 -> 3,334;
/// JH-1's 1,000 is over 90 days -> 1,000. Total 4,334 of 11,001 = 39.396 %.
#[test]
fn ecl_is_rounded_to_the_currency_minor_unit() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,issue_date,due_date,amount,currency\n\
         K,JH-1,2024-01-01,2024-01-31,3000,JPY\n\
         K,J-1,2025-12-20,2026-01-19,10001,JPY\n",
    );
    let pay = wd.write("pay.csv", "invoice,date,amount\nJH-1,2024-01-20,2000\n");
    let doc = wd
        .run(&[
            "provision",
            &inv,
            "--payments",
            &pay,
            "--as-of",
            "2025-12-31",
            "--buckets",
            "30,60,90",
            "-f",
            "json",
        ])
        .json();
    assert_eq!(column(&doc, "loss_rate_pct"), strings(["33.33", "100.00", "100.00", "100.00", "100.00"]));
    assert_eq!(column(&doc, "ecl"), strings(["3334", "0", "0", "0", "1000"]));
    assert_eq!(column(&doc, "reached")[0], "3000");
    let total = &doc["totals"][0];
    assert_eq!(format!("{} {} {}", total["gross"], total["ecl"], total["coverage_pct"]), "11001 4334 39.40");
}

/// `--by` names input columns: an empty name (`--by customer,`), a column given twice or
/// `currency` (rows are already per currency) would print a field twice, so each is a
/// usage error; `--by none` (as in `age`) is no grouping.
#[test]
fn by_lists_that_would_repeat_a_field_are_usage_errors() {
    for (by, fragment) in [
        ("customer,", "empty column name"),
        ("", "empty column name"),
        ("region,region", "'region' twice"),
        ("Region, region", "'region' twice"),
        ("currency", "already per currency"),
    ] {
        let r = groups(&["--by", by]);
        assert_eq!(r.code, 2, "--by '{by}': {}", r.stderr);
        assert!(r.stderr.contains("--by") && r.stderr.contains(fragment), "--by '{by}': {}", r.stderr);
    }
    // --by none: one group per currency. EUR: N-1's history (current 0 %), gross 800 + 500
    // as in the region N rows; USD the same as region S. So the same ten rows less the
    // region column.
    let none = groups(&["--by", "none", "-f", "json"]).json();
    let region = groups(&["-f", "json"]).json();
    assert_eq!(none["params"]["by"].to_string(), "[]");
    assert_eq!(column(&none, "ecl"), column(&region, "ecl"));
    assert_eq!(column(&none, "region"), strings(["null"; 10]));
}

/// A due date before the issue date (docs/provision.md): the document is in no balance
/// before it is issued, so what reached a bucket on a day before the issue date is 0.
/// As of 2025-12-31, `--buckets 30 --default-after 10`:
/// - B-1 100 issued 2024-03-15, due 2024-03-01 (back-dated): 40 paid 03-10 (before
///   issue), 10 paid 03-20. Reached: current 100 (the amount); days_1_30 at due + 0 =
///   03-01, before the issue: 0; over 30 at due + 30 = 03-31: 100 - 50 = 50. Lost: open at
///   due + 10 = 03-11, before the issue: 0.
/// - B-2 100 issued 2024-01-01, due 01-31, never paid: reached 100 / 100 / 100, lost 100.
///
/// Current: lost 0 + 100 of 200 = 50 %; days_1_30: 100 of 100 = 100 %; over 30 starts
/// past 10 days: 100 %, lost min(0, 50) + min(100, 100) = 100 of 150. Gross: B-1's 50 and
/// B-2's 100 are over 30 days: ECL 150.
#[test]
fn a_document_due_before_its_issue_date_reaches_nothing_before_it() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,issue_date,due_date,amount\n\
         B,B-1,2024-03-15,2024-03-01,100\n\
         B,B-2,2024-01-01,2024-01-31,100\n",
    );
    let pay = wd.write("pay.csv", "invoice,date,amount\nB-1,2024-03-10,40\nB-1,2024-03-20,10\n");
    let doc = wd
        .run(&[
            "provision",
            &inv,
            "--payments",
            &pay,
            "--as-of",
            "2025-12-31",
            "--buckets",
            "30",
            "--default-after",
            "10",
            "-f",
            "json",
        ])
        .json();
    assert_eq!(column(&doc, "reached"), strings(["200.00", "100.00", "150.00"]));
    assert_eq!(column(&doc, "lost"), strings(["100.00", "100.00", "100.00"]));
    assert_eq!(column(&doc, "loss_rate_pct"), strings(["50.00", "100.00", "100.00"]));
    assert_eq!(column(&doc, "gross"), strings(["0.00", "0.00", "150.00"]));
    assert_eq!(doc["totals"][0]["ecl"].to_string(), "150.00");
}
