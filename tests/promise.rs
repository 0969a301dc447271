//! `cobro promise` end to end: allocation, statuses, output, bad rows.
mod common;
use common::Workdir;

const INVOICES: &str = "customer,customer_name,invoice,issue_date,due_date,amount,currency
A,Alfa,A-1,2025-03-01,2025-03-31,1000.00,EUR
A,Alfa,A-2,2025-03-10,2025-04-09,500.00,EUR
A,Alfa,A-CN,2025-03-15,2025-03-15,-200.00,EUR
B,Beta,B-1,2025-03-01,2025-03-31,300.00,USD
N,Nuevo,N-1,2025-07-01,2025-07-31,100.00,EUR
";

const PAYMENTS: &str = "invoice,date,amount
A-1,2025-04-10,400.00
A-2,2025-04-12,500.00
A-1,2025-04-20,-400.00
B-1,2025-04-05,300.00
";

const PROMISES: &str = "promise_id,customer,created,promised_date,amount,currency,invoice,note
P-A1,A,2025-04-01,2025-04-10,400.00,,A-1,first call
P-ACC,A,2025-04-01,2025-04-15,600.00,,,
P-B,B,2025-04-01,2025-04-05,300.00,USD,,
P-A2,A,2025-05-01,2025-05-10,100.00,,,
P-N,N,2025-07-02,2025-07-10,100.00,,,
";

fn setup() -> (Workdir, String, String, String) {
    let w = Workdir::new();
    let inv = w.write("inv.csv", INVOICES);
    let pay = w.write("pay.csv", PAYMENTS);
    let pro = w.write("promises.csv", PROMISES);
    (w, inv, pay, pro)
}

/// Effective order: B-1 04-05 +300 keeps P-B (deadline 04-08) that day.
/// A-1 04-10 +400: P-A1 (promised 04-10, scope A-1) takes it: kept 04-10.
/// A-2 04-12 +500: P-A1 does not cover A-2; P-ACC (account) takes 500.
/// A-1 04-20 -400: reverse fill order, from A-1 only: P-ACC holds none of
/// it, P-A1 gives its 400 back -> 0, deadline 04-13 passed: broken.
/// P-ACC 500 of 600, deadline 04-18: partially kept. P-A2 (made 05-01):
/// nothing paid, broken; before it, P-A1 (04-13) and P-ACC (04-18) broke: 2.
/// P-N is made 07-02, after the as-of date: not listed.
#[test]
fn promises_are_valued_at_the_as_of_date() {
    let (w, inv, pay, pro) = setup();
    let run = w.run(&[
        "promise",
        &inv,
        "--payments",
        &pay,
        "--promises",
        &pro,
        "--as-of",
        "2025-06-30",
        "-f",
        "csv",
        "--totals",
    ]);
    assert_eq!(
        run.ok(),
        "promise_id,customer,customer_name,currency,created,promised_date,deadline,amount,paid,status,kept_date,days_late,broken_before,invoices,note
P-B,B,Beta,USD,2025-04-01,2025-04-05,2025-04-08,300.00,300.00,kept,2025-04-05,0,0,,
P-A1,A,Alfa,EUR,2025-04-01,2025-04-10,2025-04-13,400.00,0.00,broken,,,0,A-1,first call
P-ACC,A,Alfa,EUR,2025-04-01,2025-04-15,2025-04-18,600.00,500.00,partially_kept,,,0,,
P-A2,A,Alfa,EUR,2025-05-01,2025-05-10,2025-05-13,100.00,0.00,broken,,,2,,
"
    );
    let json = w
        .run(&[
            "promise",
            &inv,
            "--payments",
            &pay,
            "--promises",
            &pro,
            "--as-of",
            "2025-06-30",
            "-f",
            "json",
        ])
        .json();
    let totals = &json["totals"];
    assert_eq!(totals[0]["currency"], "EUR");
    assert_eq!(totals[0]["promises"], 3);
    assert_eq!(totals[0]["amount"].to_string(), "1100.00");
    assert_eq!(totals[0]["paid"].to_string(), "500.00");
    assert_eq!((totals[0]["kept"].as_i64(), totals[0]["partially_kept"].as_i64()), (Some(0), Some(1)));
    assert_eq!((totals[0]["broken"].as_i64(), totals[0]["open"].as_i64()), (Some(2), Some(0)));
    assert_eq!((totals[1]["currency"].as_str(), totals[1]["kept"].as_i64()), (Some("USD"), Some(1)));
    assert_eq!(json["rows"][1]["invoices"], serde_json::json!(["A-1"]));
    assert_eq!(json["params"]["tolerance"], 3);
}

/// As of 04-12 the reversal has not happened: P-A1 kept on 04-10 (0 days
/// late), P-ACC open with 500; P-A2 (made 05-01) does not exist yet.
/// With --tolerance 0 as of 04-16, P-ACC's deadline is 04-15: partially kept.
#[test]
fn an_earlier_as_of_date_and_another_tolerance() {
    let (w, inv, pay, pro) = setup();
    let rows = w
        .run(&["promise", &inv, "--payments", &pay, "--promises", &pro, "--as-of", "2025-04-12", "-f", "csv"])
        .csv_rows();
    let cells: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (r["promise_id"].as_str(), r["paid"].as_str(), r["status"].as_str(), r["kept_date"].as_str())
        })
        .collect();
    assert_eq!(
        cells,
        vec![
            ("P-B", "300.00", "kept", "2025-04-05"),
            ("P-A1", "400.00", "kept", "2025-04-10"),
            ("P-ACC", "500.00", "open", ""),
        ]
    );
    let rows = w
        .run(&[
            "promise",
            &inv,
            "--payments",
            &pay,
            "--promises",
            &pro,
            "--as-of",
            "2025-04-16",
            "--tolerance",
            "0",
            "-f",
            "csv",
        ])
        .csv_rows();
    assert_eq!((rows[2]["deadline"].as_str(), rows[2]["status"].as_str()), ("2025-04-15", "partially_kept"));
    let bad = w.run(&["promise", &inv, "--promises", &pro, "--tolerance", "-1"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

/// Spanish headers are found by alias, and --map names any other header.
#[test]
fn headers_by_alias_and_by_map() {
    let (w, inv, pay, _) = setup();
    let es = w.write(
        "compromisos.csv",
        "Cliente;Fecha alta;Fecha promesa;Importe;Facturas;Observaciones\nA;2025-04-01;15/04/2025;600;A-2;llamada\n",
    );
    let rows = w
        .run(&["promise", &inv, "--payments", &pay, "--promises", &es, "--as-of", "2025-06-30", "-f", "csv"])
        .csv_rows();
    // A-2's 500 on 04-12 is inside [04-01, 04-18]: 500 of 600, partially kept.
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0]["promise_id"].as_str(), rows[0]["paid"].as_str()), ("P2", "500.00"));
    assert_eq!((rows[0]["status"].as_str(), rows[0]["note"].as_str()), ("partially_kept", "llamada"));
    let odd = w.write("odd.csv", "Who,When,PayBy,HowMuch\nA,2025-04-01,2025-04-15,100\n");
    let run = w.run(&[
        "promise",
        &inv,
        "--payments",
        &pay,
        "--promises",
        &odd,
        "--as-of",
        "2025-06-30",
        "--map",
        "customer=Who",
        "--map",
        "created=When",
        "--map",
        "promised_date=PayBy",
        "--map",
        "amount=HowMuch",
        "-f",
        "csv",
    ]);
    // 100 of A-1's 400 on 04-10 kept it; the reversal of 04-20 took it back.
    assert_eq!(run.csv_rows()[0]["status"], "broken");
    let missing = w.run(&["promise", &inv, "--promises", &odd]);
    missing.fails_with(&["odd.csv", "no column for 'customer'", "--map customer=HEADER"]);
}

/// Every kind of bad row of the SPEC, each naming file, line, column and value.
#[test]
fn bad_rows_are_reported_or_set_aside() {
    let (w, inv, pay, _) = setup();
    let cases = [
        (
            "Z,2025-04-01,2025-04-10,100,,,",
            "column \"customer\": value \"Z\": no document of this customer in EUR",
        ),
        (
            "B,2025-04-01,2025-04-10,100,EUR,,",
            "column \"customer\": value \"B\": no document of this customer in EUR",
        ),
        ("A,2025-04-01,2025-04-10,100,,X-9,", "column \"invoice\": value \"X-9\": no invoice with this id"),
        ("A,2025-04-01,2025-04-10,100,,B-1,", "value \"B-1\": the invoice belongs to customer 'B'"),
        ("A,2025-04-01,2025-04-10,100,USD,A-1,", "value \"A-1\": the invoice is in EUR, the promise in USD"),
        ("A,2025-04-01,2025-04-10,100,,A-CN,", "value \"A-CN\": the list holds only credit notes"),
        (
            "A,2025-04-11,2025-04-10,100,,,",
            "column \"promised_date\": value \"2025-04-10\": the promised date is before",
        ),
        ("A,2025-04-01,2025-04-10,0,,,", "column \"amount\": value \"0\": a promised amount must be above 0"),
        ("A,2025-04-01,2025-04-10,-5,,,", "value \"-5\": a promised amount must be above 0"),
        (
            "A,2025-04-01,10/04/2025x,5,,,",
            "column \"promised_date\": value \"10/04/2025x\": cannot read it as a date",
        ),
    ];
    let header = "customer,created,promised_date,amount,currency,invoice,promise_id\n";
    for (row, message) in cases {
        let file = w.write("bad.csv", &format!("{header}A,2025-04-01,2025-04-10,100,,,\n{row}\n"));
        let run = w.run(&["promise", &inv, "--payments", &pay, "--promises", &file, "--as-of", "2025-06-30"]);
        run.fails_with(&["bad.csv:3:", message]);
    }
    let dup = w.write(
        "dup.csv",
        &format!("{header}A,2025-04-01,2025-04-10,100,,,X\nA,2025-04-01,2025-04-10,100,,,X\n"),
    );
    w.run(&["promise", &inv, "--promises", &dup])
        .fails_with(&["dup.csv:3:", "column \"promise_id\": value \"X\": duplicate promise id"]);
    // A promise of a customer whose only document is issued after the
    // as-of date is judged on the whole file: valid, then ignored.
    let file = w.write(
        "mixed.csv",
        &format!("{header}A,2025-04-01,2025-04-10,100,,,\nZ,2025-04-01,2025-04-10,100,,,\nN,2025-04-01,2025-04-10,5,,,\nA,2025-04-01,2025-04-10,0,,,\n"),
    );
    let rejects = w.path("rejects.csv");
    let run = w.run(&[
        "promise",
        &inv,
        "--payments",
        &pay,
        "--promises",
        &file,
        "--as-of",
        "2025-06-30",
        "--skip-bad-rows",
        "--rejects",
        rejects.to_str().unwrap(),
        "-f",
        "csv",
    ]);
    let rows = run.csv_rows();
    assert_eq!(rows.iter().map(|r| r["promise_id"].as_str()).collect::<Vec<_>>(), vec!["P2", "P4"]);
    assert!(run.stderr.contains("skipped 2 bad row(s)"), "{}", run.stderr);
    let text = w.read("rejects.csv");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].contains(",3,customer,Z,\"no document of this customer in EUR"), "{text}");
    assert!(lines[2].contains(",5,amount,0,a promised amount must be above 0"), "{text}");
}

/// Deadlines: P-B 04-08, P-A1 04-13, P-ACC 04-18, P-A2 05-13 (statuses as
/// of 06-30, above). April EUR: P-A1 + P-ACC due, none kept: 0.00 %; 1000.00
/// promised, 500.00 paid: 50.00 %. April USD: P-B kept, 300.00 of 300.00.
/// May EUR: P-A2, 100.00, nothing paid. May USD: none due: rates null.
/// Range EUR: 3 due, 500.00 of 1100.00 = 45.45 %.
#[test]
fn kpi_values_the_promises_due_in_each_period() {
    let (w, inv, pay, pro) = setup();
    let json = w
        .run(&[
            "kpi",
            &inv,
            "--payments",
            &pay,
            "--promises",
            &pro,
            "--from",
            "2025-04-01",
            "--to",
            "2025-05-31",
            "--every",
            "month",
            "--as-of",
            "2025-06-30",
            "-f",
            "json",
        ])
        .json();
    let fields = [
        "promises_due",
        "promises_kept",
        "promise_kept_rate_pct",
        "promised_amount",
        "promised_paid",
        "promise_amount_kept_pct",
    ];
    let values = |row: &serde_json::Value| -> Vec<String> {
        let mut v = vec![row["period_start"].to_string(), row["currency"].to_string()];
        v.extend(fields.map(|f| row[f].to_string()));
        v
    };
    let rows: Vec<Vec<String>> = json["rows"].as_array().unwrap().iter().map(values).collect();
    let expect = |list: [&str; 8]| list.map(String::from).to_vec();
    assert_eq!(
        rows,
        vec![
            expect(["\"2025-04-01\"", "\"EUR\"", "2", "0", "0.00", "1000.00", "500.00", "50.00"]),
            expect(["\"2025-04-01\"", "\"USD\"", "1", "1", "100.00", "300.00", "300.00", "100.00"]),
            expect(["\"2025-05-01\"", "\"EUR\"", "1", "0", "0.00", "100.00", "0.00", "0.00"]),
            expect(["\"2025-05-01\"", "\"USD\"", "0", "0", "null", "0.00", "0.00", "null"]),
        ]
    );
    let totals: Vec<Vec<String>> = json["totals"].as_array().unwrap().iter().map(values).collect();
    assert_eq!(
        totals[0],
        expect(["\"2025-04-01\"", "\"EUR\"", "3", "0", "0.00", "1100.00", "500.00", "45.45"])
    );
    let plain = w.run(&["kpi", &inv, "--payments", &pay, "--as-of", "2025-06-30", "-f", "csv"]);
    assert!(!plain.ok().contains("promises_due"), "no promise fields without --promises");
}

/// As of 06-30 (lookback 365): A has P-A1 and P-A2 broken and P-ACC
/// partially kept: broken_promises 3; B kept P-B on 04-05: kept_promises 1.
/// With --lookback 60 (from 05-02) only P-A2 (deadline 05-13) is in it.
#[test]
fn segment_promise_features_drive_rules() {
    let (w, inv, pay, pro) = setup();
    let rules = w.write(
        "rules.toml",
        "[[segment]]\nname = \"high\"\nwhen = \"broken_promises >= 2\"\naction = \"call\"\n[[segment]]\nname = \"low\"\nwhen = \"true\"\n",
    );
    let run = |extra: &[&str]| {
        let mut args = vec![
            "segment",
            inv.as_str(),
            "--payments",
            &pay,
            "--rules",
            &rules,
            "--as-of",
            "2025-06-30",
            "-f",
            "csv",
        ];
        args.extend_from_slice(extra);
        w.run(&args).csv_rows()
    };
    let rows = run(&["--promises", &pro]);
    let cells: Vec<(&str, &str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["customer"].as_str(),
                r["segment"].as_str(),
                r["open_promises"].as_str(),
                r["broken_promises"].as_str(),
                r["kept_promises"].as_str(),
            )
        })
        .collect();
    assert_eq!(cells, vec![("A", "high", "0", "3", "0"), ("B", "low", "0", "0", "1")]);
    let short = run(&["--promises", &pro, "--lookback", "60"]);
    assert_eq!((short[0]["customer"].as_str(), short[0]["broken_promises"].as_str()), ("A", "1"));
    assert_eq!(short[0]["segment"], "low");
    // Without the file the features are 0 (A is low) and not columns.
    let plain = run(&[]);
    assert_eq!(plain[0]["segment"], "low");
    assert!(!plain[0].contains_key("broken_promises"));
}

/// 60 nights of `dunning --record` (May 2 to June 30) for X, whose X-1
/// (1000.00) fell due May 1. Levels at 7, 21, 35 and 60 days, 7 days apart.
/// P1 (made 05-10, promised 05-20, deadline 05-23) is never paid: broken.
/// P2 (made 06-01, promised 06-05) is paid 06-04: kept that day.
/// P3 (made 06-10, promised 06-20, deadline 06-23) gets 100 of 500.
/// Without promises: 05-08 L1, 05-22 L2 (21 days), 06-05 L3, 06-30 L4.
/// With them, nothing while a promise is open (05-10..05-23, 06-01..06-03,
/// 06-10..06-23): L2 waits for 05-24, the day after P1's deadline.
#[test]
fn sixty_nights_of_dunning_pause_while_a_promise_is_open() {
    let w = Workdir::new();
    let inv = w.write("inv.csv", "customer,invoice,due_date,amount\nX,X-1,2025-05-01,1000.00\n");
    let pay = w.write("pay.csv", "invoice,date,amount\nX-1,2025-06-04,200.00\nX-1,2025-06-15,100.00\n");
    let pro = w.write(
        "pro.csv",
        "promise_id,customer,created,promised_date,amount\nP1,X,2025-05-10,2025-05-20,300\nP2,X,2025-06-01,2025-06-05,200\nP3,X,2025-06-10,2025-06-20,500\n",
    );
    let policy = w.write(
        "policy.toml",
        "min_interval_days = 7\n[[level]]\nname = \"one\"\ndays = 7\ntemplate = \"1\"\n[[level]]\nname = \"two\"\ndays = 21\ntemplate = \"2\"\n[[level]]\nname = \"three\"\ndays = 35\ntemplate = \"3\"\n[[level]]\nname = \"four\"\ndays = 60\ntemplate = \"4\"\n",
    );
    let nights = |log: &str, extra: &[&str]| -> Vec<String> {
        let log = w.path(log).to_string_lossy().into_owned();
        let start = chrono::NaiveDate::from_ymd_opt(2025, 5, 2).unwrap();
        for n in 0..60 {
            let day = (start + chrono::Duration::days(n)).format("%Y-%m-%d").to_string();
            let mut args = vec![
                "dunning",
                inv.as_str(),
                "--payments",
                &pay,
                "--policy",
                &policy,
                "--log",
                &log,
                "--record",
                "--as-of",
                &day,
                "-f",
                "csv",
            ];
            args.extend_from_slice(extra);
            w.run(&args).ok();
        }
        let text = std::fs::read_to_string(&log).unwrap();
        text.lines().skip(1).map(|l| l.split(',').take(4).collect::<Vec<_>>().join(",")).collect()
    };
    assert_eq!(
        nights("plain.csv", &[]),
        vec!["2025-05-08,X,EUR,1", "2025-05-22,X,EUR,2", "2025-06-05,X,EUR,3", "2025-06-30,X,EUR,4"]
    );
    assert_eq!(
        nights("promised.csv", &["--promises", &pro]),
        vec!["2025-05-08,X,EUR,1", "2025-05-24,X,EUR,2", "2025-06-05,X,EUR,3", "2025-06-30,X,EUR,4"]
    );
}

/// The bundled examples fit the fixtures: every status at 2025-06-30, and
/// the rules file makes C035 (medium by default) `high` for its two broken
/// promises; C022's open promise puts it in `promised`.
#[test]
fn the_examples_have_every_status_and_the_rules_use_them() {
    let w = Workdir::new();
    let base = [
        "fixtures/invoices.csv",
        "--payments",
        "fixtures/payments.csv",
        "--as-of",
        "2025-06-30",
        "-f",
        "csv",
    ];
    let mut args = vec!["promise", "--promises", "examples/promises.csv"];
    args.extend(base);
    let rows = w.run(&args).csv_rows();
    let mut statuses: Vec<(String, String)> =
        rows.iter().map(|r| (r["promise_id"].clone(), r["status"].clone())).collect();
    statuses.sort();
    let expect = [
        ("PTP-001", "kept"),
        ("PTP-002", "partially_kept"),
        ("PTP-003", "broken"),
        ("PTP-004", "broken"),
        ("PTP-005", "open"),
        ("PTP-006", "broken"),
        ("PTP-007", "kept"),
        ("PTP-008", "open"),
    ];
    assert_eq!(statuses, expect.map(|(a, b)| (a.to_string(), b.to_string())).to_vec());
    let mut args =
        vec!["segment", "--promises", "examples/promises.csv", "--rules", "examples/rules_promises.toml"];
    args.extend(base);
    let rows = w.run(&args).csv_rows();
    let segment_of = |c: &str| rows.iter().find(|r| r["customer"] == c).unwrap()["segment"].clone();
    assert_eq!((segment_of("C035"), segment_of("C022")), ("high".to_string(), "promised".to_string()));
    let mut args = vec!["age", "--disputes", "examples/disputes.csv", "--detail"];
    args.extend(base);
    let rows = w.run(&args).csv_rows();
    let disputed = |i: &str| rows.iter().find(|r| r["invoice"] == i).unwrap()["disputed"].clone();
    // Reopened, closed on the as-of date, open, closed the day it opened.
    let flags = ["F25-0043", "F25-0051", "F25-0127", "F25-0108"].map(disputed);
    assert_eq!(flags, ["true", "false", "true", "false"].map(String::from));
}

/// A promise of a customer whose only document is issued after the as-of
/// date (L-1, 07-01) still counts in kpi, as `cobro promise` lists it:
/// nothing of the SPEC's kpi bullet leaves it out. As of 06-30, tolerance 3:
/// P-A (400.00 on A-1, deadline 04-13) kept by the 04-10 payment; P-L (300.00
/// on L's account, deadline 04-28) nothing paid: broken. April EUR: 2 due, 1
/// kept = 50.00 %; 700.00 promised, 400.00 paid = 57.14 %. With --by region,
/// L has no document at the as-of date, so no group: the `north` row has P-A
/// only (1 due, 400.00, 100.00 %), while the currency's totals row has both.
#[test]
fn kpi_counts_a_promise_of_a_customer_without_documents_yet() {
    let w = Workdir::new();
    let inv = w.write(
        "inv.csv",
        "customer,invoice,issue_date,due_date,amount,currency,region
A,A-1,2025-03-01,2025-03-31,1000.00,EUR,north
L,L-1,2025-07-01,2025-07-31,300.00,EUR,south
",
    );
    let pay = w.write("pay.csv", "invoice,date,amount\nA-1,2025-04-10,400.00\n");
    let pro = w.write(
        "pro.csv",
        "promise_id,customer,created,promised_date,amount,invoice
P-A,A,2025-04-01,2025-04-10,400.00,A-1
P-L,L,2025-04-20,2025-04-25,300.00,
",
    );
    let columns = "period_start,currency,promises_due,promises_kept,promise_kept_rate_pct,promised_amount,promised_paid,promise_amount_kept_pct";
    let kpi = |extra: &[&str]| {
        let mut args = vec![
            "kpi",
            &inv,
            "--payments",
            &pay,
            "--promises",
            &pro,
            "--as-of",
            "2025-06-30",
            "--from",
            "2025-04-01",
            "--to",
            "2025-04-30",
            "-f",
            "csv",
            "--totals",
            "--columns",
            columns,
        ];
        args.extend_from_slice(extra);
        w.run(&args).ok().to_string()
    };
    assert_eq!(
        kpi(&[]),
        format!("{columns}\n2025-04-01,EUR,2,1,50.00,700.00,400.00,57.14\n2025-04-01,EUR,2,1,50.00,700.00,400.00,57.14\n")
    );
    assert_eq!(
        kpi(&["--by", "region"]),
        format!("{columns}\n2025-04-01,EUR,1,1,100.00,400.00,400.00,100.00\n2025-04-01,EUR,2,1,50.00,700.00,400.00,57.14\n")
    );
}

/// A promises file whose `promised_date` reads both ways on its first row
/// (`10/04/2025`) and only day first on the second (`15/04/2025`) is day
/// first from the first row (SPEC §2; `created` is ISO: each column is
/// told apart on its own), so it is [`PROMISES`]' P-A1 and
/// P-ACC: P-A1 (A-1, promised 10 Apr) kept on 04-10, then broken by the
/// reversal of 04-20; P-ACC takes A-2's 500 of 600: partially kept.
#[test]
fn a_day_first_date_column_is_told_by_a_later_row() {
    let (w, inv, pay, _) = setup();
    let pro = w.write(
        "promesas.csv",
        "promise_id,customer,created,promised_date,amount,currency,invoice,note
P-A1,A,2025-04-01,10/04/2025,400.00,,A-1,
P-ACC,A,2025-04-01,15/04/2025,600.00,,,
",
    );
    let rows = w
        .run(&["promise", &inv, "--payments", &pay, "--promises", &pro, "--as-of", "2025-06-30", "-f", "csv"])
        .csv_rows();
    let got: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r["promise_id"].as_str(), r["promised_date"].as_str(), r["status"].as_str()))
        .collect();
    assert_eq!(got, vec![("P-A1", "2025-04-10", "broken"), ("P-ACC", "2025-04-15", "partially_kept")]);
}

/// Only a list of credit notes is a bad row (SPEC §4 promise): a document
/// of 0.00 is no credit note, so a promise on it stands. Nothing is paid
/// on A-0 by 2025-06-30, long past the promised 04-10: broken, paid 0.00.
#[test]
fn a_promise_on_a_document_of_nothing_stands() {
    let w = Workdir::new();
    let inv = w.write(
        "inv.csv",
        "customer,invoice,issue_date,due_date,amount\nA,A-1,2025-03-01,2025-03-31,100.00\nA,A-0,2025-03-01,2025-03-31,0.00\n",
    );
    let pro = w.write(
        "pro.csv",
        "promise_id,customer,created,promised_date,amount,invoice\nP0,A,2025-04-01,2025-04-10,50.00,A-0\n",
    );
    let rows = w.run(&["promise", &inv, "--promises", &pro, "--as-of", "2025-06-30", "-f", "csv"]).csv_rows();
    assert_eq!((rows[0]["status"].as_str(), rows[0]["paid"].as_str()), ("broken", "0.00"));
}
