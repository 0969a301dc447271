//! Parquet files whose columns are typed (dates, timestamps, decimals,
//! floats, booleans) read as the CSV export of the same data, and their
//! numbers are not text in a locale: `--decimal-comma` leaves them alone.
mod common;
use common::Workdir;
use polars::prelude::*;

/// Days since 1970-01-01 of the dates below (from Python's `datetime`).
const JAN_01: i32 = 20_089; // 2025-01-01
const FEB_01: i32 = 20_120; // 2025-02-01
const FEB_15: i32 = 20_134; // 2025-02-15
const JUL_15: i32 = 20_284; // 2025-07-15
/// Milliseconds since 1970-01-01 00:00 of the due dates, as timestamps.
const JAN_31_MS: i64 = 1_738_281_600_000; // 2025-01-31 00:00
const MAR_03_0800_MS: i64 = 1_740_988_800_000; // 2025-03-03 08:00
const MAY_31_1200_MS: i64 = 1_748_692_800_000; // 2025-05-31 12:00

fn write_parquet(wd: &Workdir, name: &str, columns: Vec<Column>) -> String {
    let mut frame = DataFrame::new_infer_height(columns).unwrap();
    let path = wd.path(name);
    ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut frame).unwrap();
    path.to_string_lossy().into_owned()
}

fn dates(name: &str, days: &[Option<i32>]) -> Column {
    Int32Chunked::new(name.into(), days).into_date().into_column()
}

fn timestamps(name: &str, ms: &[i64]) -> Column {
    Int64Chunked::new(name.into(), ms).into_datetime(TimeUnit::Milliseconds, None).into_column()
}

fn decimals(name: &str, cents: &[Option<i128>]) -> Column {
    Int128Chunked::new(name.into(), cents).into_decimal(18, 2).unwrap().into_series().into_column()
}

/// Three invoices, typed as an ERP's Parquet export types them, and the
/// same data as CSV text.
fn typed_invoices(wd: &Workdir) -> (String, String) {
    let parquet = write_parquet(
        wd,
        "invoices.parquet",
        vec![
            Column::new("customer".into(), &["C1", "C1", "C2"]),
            Column::new("invoice".into(), &["I1", "I2", "I3"]),
            dates("issue_date", &[Some(JAN_01), Some(FEB_01), None]),
            timestamps("due_date", &[JAN_31_MS, MAR_03_0800_MS, MAY_31_1200_MS]),
            decimals("amount", &[Some(10_000), Some(25_050), Some(100_000)]),
            Column::new("currency".into(), &["EUR", "EUR", "JPY"]),
            Column::new("disputed".into(), &[false, true, false]),
        ],
    );
    let csv = wd.write(
        "invoices.csv",
        "customer,invoice,issue_date,due_date,amount,currency,disputed\n\
         C1,I1,2025-01-01,2025-01-31,100.00,EUR,false\n\
         C1,I2,2025-02-01,2025-03-03,250.50,EUR,true\n\
         C2,I3,,2025-05-31,1000.00,JPY,false\n",
    );
    (parquet, csv)
}

fn typed_payments(wd: &Workdir) -> (String, String) {
    let parquet = write_parquet(
        wd,
        "payments.parquet",
        vec![
            Column::new("invoice".into(), &["I1", "I3"]),
            dates("date", &[Some(FEB_15), Some(JUL_15)]),
            Column::new("amount".into(), &[40.25f64, 1000.0]),
        ],
    );
    let csv = wd.write("payments.csv", "invoice,date,amount\nI1,2025-02-15,40.25\nI3,2025-07-15,1000.0\n");
    (parquet, csv)
}

fn age(wd: &Workdir, invoices: &str, payments: &str, extra: &[&str]) -> String {
    let mut args = vec!["age", invoices, "--payments", payments, "--as-of", "2025-06-30", "-f", "csv"];
    args.extend_from_slice(extra);
    wd.run(&args).ok().to_string()
}

/// As of 2025-06-30: C1 owes 100.00 - 40.25 = 59.75 (due 2025-01-31, 150
/// days late) + 250.50 (due 2025-03-03, the timestamp's day, 119 days
/// late, disputed) = 310.25 EUR, all over 90 days; C2 owes 1000 JPY (due
/// 2025-05-31, 30 days late: its payment comes after the as-of date).
#[test]
fn typed_parquet_columns_age_as_their_csv_text() {
    let wd = Workdir::new();
    let (invoices, invoices_csv) = typed_invoices(&wd);
    let (payments, payments_csv) = typed_payments(&wd);
    let from_csv = age(&wd, &invoices_csv, &payments_csv, &["--by", "none"]);
    let from_parquet = age(&wd, &invoices, &payments, &["--by", "none"]);
    assert_eq!(from_parquet, from_csv);
    let rows = from_parquet.lines().skip(1).collect::<Vec<_>>();
    // currency, current, 1-30, 31-60, 61-90, 91-120, over 120, open,
    // overdue, overdue %, documents, most days late
    assert_eq!(
        rows,
        [
            "JPY,0,1000,0,0,0,0,1000,1000,100.00,1,30",
            "EUR,0.00,0.00,0.00,0.00,250.50,59.75,310.25,310.25,100.00,2,150"
        ]
    );
    // Grouped by the timestamp column: its days, as text.
    let by_due = age(&wd, &invoices, &payments, &["--by", "due_date"]);
    assert_eq!(by_due, age(&wd, &invoices_csv, &payments_csv, &["--by", "due_date"]));
    for day in ["2025-01-31,", "2025-03-03,", "2025-05-31,"] {
        assert!(by_due.contains(day), "{day} in {by_due}");
    }
}

/// A Parquet number is a number, not a Spanish text: with
/// `--decimal-comma` (given for the CSV files of the same job) it reads
/// the same. It was an error: `250.50` does not read as `1.234,56`.
#[test]
fn decimal_comma_leaves_parquet_numbers_alone() {
    let wd = Workdir::new();
    let (invoices, _) = typed_invoices(&wd);
    let (payments, _) = typed_payments(&wd);
    assert_eq!(age(&wd, &invoices, &payments, &["--decimal-comma"]), age(&wd, &invoices, &payments, &[]));
}

/// A date past 9999-12-31 and a missing amount are bad rows naming their
/// column and value, as in a CSV file.
#[test]
fn bad_typed_cells_are_bad_rows_with_their_text() {
    let wd = Workdir::new();
    let invoices = write_parquet(
        &wd,
        "bad.parquet",
        vec![
            Column::new("customer".into(), &["C1", "C1", "C1"]),
            Column::new("invoice".into(), &["I1", "I2", "I3"]),
            dates("due_date", &[Some(JAN_01), Some(2_932_897), Some(JAN_01)]),
            Column::new("amount".into(), &[Some(10.5f64), Some(20.0), None]),
        ],
    );
    let run = wd.run(&["age", &invoices, "--as-of", "2025-06-30"]);
    run.fails_with(&[
        "bad.parquet:3",
        "column \"due_date\"",
        "value \"10000-01-01\"",
        "cannot read it as a date",
    ]);
    let rejects = wd.path("rejects.csv");
    let kept = wd.run(&[
        "age",
        &invoices,
        "--as-of",
        "2025-06-30",
        "-f",
        "csv",
        "--by",
        "none",
        "--skip-bad-rows",
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    // Only I1 is kept: 10.50 EUR, 180 days late.
    assert_eq!(kept.ok().lines().nth(1), Some("EUR,0.00,0.00,0.00,0.00,0.00,10.50,10.50,10.50,100.00,1,180"));
    let rejected: Vec<csv::StringRecord> =
        csv::Reader::from_path(&rejects).unwrap().records().map(Result::unwrap).collect();
    assert_eq!(rejected.len(), 2);
    let text = |r: &csv::StringRecord| r.iter().collect::<Vec<_>>().join("|");
    assert!(text(&rejected[0]).contains("|3|") && text(&rejected[0]).contains("10000-01-01"), "{rejected:?}");
    assert!(
        text(&rejected[1]).contains("|4|") && text(&rejected[1]).contains("the amount is missing"),
        "{rejected:?}"
    );
}

/// The small files are read as the invoices are: a promises file, a
/// plan and its payments, a disputes file, typed as Parquet, give what
/// their CSV text gives, with `--decimal-comma` too.
#[test]
fn typed_side_files_read_as_their_csv_text() {
    let wd = Workdir::new();
    let (invoices, invoices_csv) = typed_invoices(&wd);
    let (payments, payments_csv) = typed_payments(&wd);
    // P1: 60.00 promised by C1 on 2025-02-01 for 2025-02-15.
    let promises = write_parquet(
        &wd,
        "promises.parquet",
        vec![
            Column::new("promise_id".into(), &["P1"]),
            Column::new("customer".into(), &["C1"]),
            dates("created", &[Some(FEB_01)]),
            dates("promised_date", &[Some(FEB_15)]),
            decimals("amount", &[Some(6_000)]),
        ],
    );
    let promises_csv = wd.write(
        "promises.csv",
        "promise_id,customer,created,promised_date,amount\nP1,C1,2025-02-01,2025-02-15,60.00\n",
    );
    let promise = |inv: &str, pay: &str, pro: &str, extra: &[&str]| {
        let mut args =
            vec!["promise", inv, "--payments", pay, "--promises", pro, "--as-of", "2025-06-30", "-f", "csv"];
        args.extend_from_slice(extra);
        wd.run(&args).ok().to_string()
    };
    let from_csv = promise(&invoices_csv, &payments_csv, &promises_csv, &[]);
    // 40.25 of the 60.00 was paid by the deadline (2025-02-18): partly kept.
    assert!(
        from_csv.contains("P1,C1,,EUR,2025-02-01,2025-02-15,2025-02-18,60.00,40.25,partially_kept,"),
        "{from_csv}"
    );
    assert_eq!(promise(&invoices, &payments, &promises, &[]), from_csv);
    assert_eq!(promise(&invoices, &payments, &promises, &["--decimal-comma"]), from_csv);

    // Plan AG-1: 100.00 due 2025-02-01 and 2025-03-01 (the second as a
    // timestamp's day); 150.50 paid on 2025-02-15 (a float).
    let plans = write_parquet(
        &wd,
        "plans.parquet",
        vec![
            Column::new("plan_id".into(), &["AG-1", "AG-1"]),
            Column::new("customer".into(), &["C1", "C1"]),
            Column::new("n".into(), &[1i64, 2]),
            timestamps("due_date", &[1_738_368_000_000, 1_740_873_599_000]),
            decimals("installment", &[Some(10_000), Some(10_000)]),
        ],
    );
    let plans_csv = wd.write(
        "plans.csv",
        "plan_id,customer,n,due_date,installment\nAG-1,C1,1,2025-02-01,100.00\nAG-1,C1,2,2025-03-01,100.00\n",
    );
    let plan_paid = write_parquet(
        &wd,
        "plan_pay.parquet",
        vec![
            Column::new("plan_id".into(), &["AG-1"]),
            dates("date", &[Some(FEB_15)]),
            Column::new("amount".into(), &[150.5f64]),
        ],
    );
    let plan_paid_csv = wd.write("plan_pay.csv", "plan_id,date,amount\nAG-1,2025-02-15,150.5\n");
    let check = |plans: &str, paid: &str, extra: &[&str]| {
        let mut args = vec!["plan", "check", plans, "--payments", paid, "--as-of", "2025-03-04", "-f", "csv"];
        args.extend_from_slice(extra);
        wd.run(&args).ok().to_string()
    };
    let from_csv = check(&plans_csv, &plan_paid_csv, &[]);
    // 49.50 of the second installment is still owed on 2025-03-04.
    assert!(from_csv.contains(",49.50,"), "{from_csv}");
    assert_eq!(check(&plans, &plan_paid, &[]), from_csv);
    assert_eq!(check(&plans, &plan_paid, &["--decimal-comma"]), from_csv);

    // I2 is disputed from 2025-02-10, not yet closed.
    let disputes = write_parquet(
        &wd,
        "disputes.parquet",
        vec![
            Column::new("invoice".into(), &["I2"]),
            dates("opened", &[Some(20_129)]),
            dates("closed", &[None]),
        ],
    );
    let disputes_csv = wd.write("disputes.csv", "invoice,opened,closed\nI2,2025-02-10,\n");
    let disputed = |file: &str| age(&wd, &invoices_csv, &payments_csv, &["--disputes", file, "--by", "none"]);
    assert_eq!(disputed(&disputes), disputed(&disputes_csv));
}

/// Payments typed as Parquet: a missing date is a bad row naming its text
/// (the row written from its values); a decimal finer than its invoice's
/// currency (`12.345` EUR) is kept exact. I1 owes 100.00 - 40.25 = 59.75,
/// 150 days late at 2025-06-30; I2 250.50 - 12.345 = 238.155, printed 238.16.
#[test]
fn bad_typed_payments_name_their_text() {
    let wd = Workdir::new();
    let (_, invoices_csv) = typed_invoices(&wd);
    let payments = write_parquet(
        &wd,
        "payments.parquet",
        vec![
            Column::new("invoice".into(), &["I1", "I1", "I2"]),
            dates("date", &[Some(FEB_15), None, Some(FEB_15)]),
            Int128Chunked::new("amount".into(), &[Some(40_250i128), Some(1_000), Some(12_345)])
                .into_decimal(18, 3)
                .unwrap()
                .into_series()
                .into_column(),
        ],
    );
    let strict = wd.run(&["age", &invoices_csv, "--payments", &payments, "--as-of", "2025-06-30"]);
    strict.fails_with(&["payments.parquet:3", "column \"date\"", "the payment date is missing"]);
    let rejects = wd.path("rejects.csv");
    let rejects_arg = rejects.to_str().unwrap();
    let run = wd.run(&[
        "age",
        &invoices_csv,
        "--payments",
        &payments,
        "--as-of",
        "2025-06-30",
        "-f",
        "csv",
        "--skip-bad-rows",
        "--rejects",
        rejects_arg,
    ]);
    let c1 = run.ok().lines().find(|l| l.starts_with("C1,")).unwrap_or_default().to_string();
    // C1: I1 59.75 over 120 days, I2 238.155 in 91-120; 297.905 in all.
    assert!(c1.contains(",0.00,0.00,0.00,0.00,238.16,59.75,297.91,"), "{}", run.stdout);
    assert!(run.stderr.contains("payments.parquet: 1 amount(s) have more decimals"), "{}", run.stderr);
    let rejected = std::fs::read_to_string(&rejects).unwrap();
    assert!(rejected.contains(",3,date,,the payment date is missing,\"I1,,1.000\""), "{rejected}");
    assert_eq!(rejected.lines().count(), 2, "the header and the one bad row: {rejected}");
}
