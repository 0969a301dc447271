//! `cobro statement` end to end: hand-computed statements, interest from a
//! rate calendar, letters, usage errors, and the reconciliation with `age`
//! on the bundled fixtures.
mod common;
use common::Workdir;
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

/// A owes in EUR and USD, B only has an old (disputed) balance.
const INVOICES: &str = "customer,customer_name,invoice,issue_date,due_date,amount,currency,disputed\n\
A,Alfa,A1,2025-01-10,2025-02-09,1000.00,EUR,\n\
A,Alfa,A2,2025-03-05,2025-04-04,500.00,EUR,\n\
A,Alfa,CN1,2025-03-10,2025-03-10,-200.00,EUR,\n\
A,Alfa,A3,,2025-01-31,300.00,EUR,\n\
A,Alfa,A4,2025-03-20,2025-04-19,250.00,EUR,\n\
A,Alfa,A5,2025-04-05,2025-05-05,999.00,EUR,\n\
A,Alfa,U1,2025-03-02,2025-04-01,100.00,USD,\n\
B,Beta,B1,2024-12-01,2024-12-31,400.00,EUR,yes\n\
Z,Zeta,Z1,2024-11-01,2024-12-01,80.00,EUR,\n";

const PAYMENTS: &str = "invoice,date,amount\n\
A1,2025-02-15,400.00\n\
A1,2025-03-12,600.00\n\
A1,2025-03-18,-600.00\n\
A4,2025-03-15,250.00\n\
CN1,2025-03-25,-200.00\n\
A2,2025-04-10,100.00\n\
A3,2025-03-03,50.00\n\
Z1,2025-01-15,80.00\n";

fn statement(wd: &Workdir, extra: &[&str]) -> common::Run {
    let inv = wd.write("inv.csv", INVOICES);
    let pay = wd.write("pay.csv", PAYMENTS);
    let mut args = vec![
        "statement",
        &inv,
        "--payments",
        &pay,
        "--from",
        "2025-03-01",
        "--to",
        "2025-03-31",
        "--as-of",
        "2025-04-30",
        "-f",
        "json",
    ];
    args.extend_from_slice(extra);
    wd.run(&args)
}

/// `customer currency date type document due debit credit balance` per row,
/// nulls as `-`.
fn lines(json: &Value) -> Vec<String> {
    let text = |v: &Value| match v {
        Value::Null => "-".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            ["customer", "currency", "date", "type", "document", "due_date", "debit", "credit", "balance"]
                .iter()
                .map(|f| text(&r[*f]))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// March 2025, as of April 30. A's EUR opening at Feb 28: A1 1000 - 400 paid
/// Feb 15 = 600, plus A3 (no issue date: it always existed) 300 = 900; A2,
/// CN1 and A4 are not issued yet. Then:
/// - Mar 3: 50 paid on A3 (a document without issue date) -> 850
/// - Mar 5: invoice A2 500 -> 1350; Mar 10: credit note CN1 200 -> 1150
/// - Mar 12: 600 paid on A1 -> 550; Mar 18: reversed -> 1150
/// - Mar 20: A4 issued (250 -> 1400), and its payment dated Mar 15, before
///   the issue date, is shown on Mar 20 after the document -> 1150
/// - Mar 25: CN1 applied (credit_applied, a debit of 200) -> 1350
///
/// Closing at Mar 31: A1 600 + A2 500 + CN1 0 + A3 250 + A4 0 = 1350; A5
/// (issued Apr 5) and A2's April payment are out. Debits 500 + 600 + 250 +
/// 200 = 1550, credits 50 + 200 + 600 + 250 = 1100: 900 + 1550 - 1100 = 1350.
/// A's USD: opening 0, U1 100 on Mar 2. B: only an opening balance, 400.
/// Z: paid up before the period and nothing in it: no statement.
#[test]
fn hand_computed_statement() {
    let wd = Workdir::new();
    let json = statement(&wd, &[]).json();
    assert_eq!(
        lines(&json),
        [
            "A EUR 2025-02-28 opening - - - - 900.00",
            "A EUR 2025-03-03 payment A3 - - 50.00 850.00",
            "A EUR 2025-03-05 invoice A2 2025-04-04 500.00 - 1350.00",
            "A EUR 2025-03-10 credit_note CN1 2025-03-10 - 200.00 1150.00",
            "A EUR 2025-03-12 payment A1 - - 600.00 550.00",
            "A EUR 2025-03-18 reversal A1 - 600.00 - 1150.00",
            "A EUR 2025-03-20 invoice A4 2025-04-19 250.00 - 1400.00",
            "A EUR 2025-03-20 payment A4 - - 250.00 1150.00",
            "A EUR 2025-03-25 credit_applied CN1 - 200.00 - 1350.00",
            "A EUR 2025-03-31 closing - - - - 1350.00",
            "A USD 2025-02-28 opening - - - - 0.00",
            "A USD 2025-03-02 invoice U1 2025-04-01 100.00 - 100.00",
            "A USD 2025-03-31 closing - - - - 100.00",
            "B EUR 2025-02-28 opening - - - - 400.00",
            "B EUR 2025-03-31 closing - - - - 400.00",
        ]
    );
    assert_eq!(json["rows"][0]["customer_name"], "Alfa");
    // Totals: A EUR ages at Mar 31 as A2 500 current, A1 600 (50 days) and
    // A3 250 (59 days) in days_31_60; B1 (90 days) in days_61_90.
    let totals: Vec<String> = json["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            [
                "customer",
                "currency",
                "opening",
                "debits",
                "credits",
                "closing",
                "current",
                "days_31_60",
                "days_61_90",
            ]
            .iter()
            .map(|f| t[*f].to_string().trim_matches('"').to_string())
            .collect::<Vec<_>>()
            .join(" ")
        })
        .collect();
    assert_eq!(
        totals,
        [
            "A EUR 900.00 1550.00 1100.00 1350.00 500.00 850.00 0.00",
            "A USD 0.00 100.00 0.00 100.00 100.00 0.00 0.00",
            "B EUR 400.00 0.00 0.00 400.00 0.00 0.00 400.00",
        ]
    );
    assert!(json["totals"][0].get("interest").is_none(), "no interest without --interest");
}

/// With --interest, the late interest at --to (Mar 31) of the overdue
/// invoices not in dispute, split at each rate change (11.50 from Jan 1,
/// 11.25 from Feb 15):
/// - A1, 600 open, due Feb 9: Feb 10-14 = 5 days x 11.50 = 57.5, Feb 15 -
///   Mar 31 = 45 days x 11.25 = 506.25; 600 x 563.75 / 36500 = 9.2671 -> 9.27
/// - A3, 250 open, due Jan 31: Feb 1-14 = 14 x 11.50 = 161, + 506.25 =
///   667.25; 250 x 667.25 / 36500 = 4.5702 -> 4.57
/// - A2 and U1 are not yet due; B1 is disputed.
///
/// A EUR: 9.27 + 4.57 = 13.84; A USD 0.00; B 0.00.
#[test]
fn late_interest_at_the_end_of_the_period() {
    let wd = Workdir::new();
    let rates = wd.write(
        "rates.csv",
        "from,annual_rate_pct,source\n2024-07-01,12.50,x\n2025-01-01,11.50,y\n2025-02-15,11.25,z\n",
    );
    let json = statement(&wd, &["--interest", &rates]).json();
    let interest: Vec<String> =
        json["totals"].as_array().unwrap().iter().map(|t| t["interest"].to_string()).collect();
    assert_eq!(interest, ["13.84", "0.00", "0.00"]);
    // A calendar that starts after A3's first overdue day (Feb 1) names it.
    let late = wd.write("late.csv", "from,annual_rate_pct\n2025-02-05,11.50\n");
    statement(&wd, &["--interest", &late]).fails_with(&[
        "invoice 'A3'",
        "customer 'A'",
        "2025-02-01",
        "2025-02-05",
    ]);
}

/// A single-file export without a payments file. S1 (1000, 300 open) has an
/// undated payment of 700 and was issued before the period: opening 300.
/// S3 has no issue date, 800 with 600 open: its undated 200 is in the
/// opening balance, 600. S2 (500, 200 open) is issued on Mar 10: its
/// undated payment of 300 is shown on its issue date, after it.
/// Opening 900 -> +500 = 1400 -> -300 = 1100 = closing (300 + 200 + 600).
#[test]
fn undated_payments_of_a_single_file_export() {
    let wd = Workdir::new();
    let inv = wd.write(
        "export.csv",
        "customer,invoice,issue_date,due_date,amount,open_amount\n\
         S,S1,2025-01-05,2025-02-04,1000,300\nS,S2,2025-03-10,2025-04-09,500,200\nS,S3,,2025-01-31,800,600\n",
    );
    let run = wd.run(&["statement", &inv, "--from", "2025-03-01", "--as-of", "2025-03-31", "-f", "json"]);
    assert_eq!(
        lines(&run.json()),
        [
            "S EUR 2025-02-28 opening - - - - 900.00",
            "S EUR 2025-03-10 invoice S2 2025-04-09 500.00 - 1400.00",
            "S EUR 2025-03-10 payment S2 - - 300.00 1100.00",
            "S EUR 2025-03-31 closing - - - - 1100.00",
        ]
    );
}

#[test]
fn one_customer_and_csv_cells() {
    let wd = Workdir::new();
    let run = statement(&wd, &["--customer", "B", "-f", "csv"]);
    let rows = run.csv_rows();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0]["type"].as_str(), rows[0]["debit"].as_str(), rows[0]["balance"].as_str()),
        ("opening", "", "400.00")
    );
    assert_eq!((rows[1]["type"].as_str(), rows[1]["date"].as_str()), ("closing", "2025-03-31"));
    statement(&wd, &["--customer", "NOPE"]).fails_with(&["--customer 'NOPE'"]);
}

/// Statements come in customer then currency order by their text, whatever
/// order the file meets them in: customers first met as C2, C10, C1 and
/// USD before EUR come out as C1 EUR, C10 EUR, C10 USD, C2 USD (each
/// statement opens with its `opening` line).
#[test]
fn statements_are_in_customer_then_currency_order_by_text() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,issue_date,due_date,amount,currency\n\
         C2,D1,2025-03-05,2025-04-04,10.00,USD\n\
         C10,D2,2025-03-05,2025-04-04,20.00,USD\n\
         C10,D3,2025-03-06,2025-04-05,30.00,EUR\n\
         C1,D4,2025-03-07,2025-04-06,40.00,EUR\n",
    );
    let pay = wd.write("pay.csv", "invoice,date,amount\n");
    let args = ["statement", &inv, "--payments", &pay, "--from", "2025-03-01", "--to", "2025-03-31"];
    let mut argv = args.to_vec();
    argv.extend(["--as-of", "2025-04-30", "-f", "csv"]);
    let rows = wd.run(&argv).csv_rows();
    let order: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r["type"] == "opening")
        .map(|r| (r["customer"].as_str(), r["currency"].as_str()))
        .collect();
    assert_eq!(order, [("C1", "EUR"), ("C10", "EUR"), ("C10", "USD"), ("C2", "USD")]);
}

#[test]
fn usage_errors_exit_2() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let cases: [(&[&str], &str); 3] = [
        (
            &["--from", "2025-04-01", "--to", "2025-03-31", "--as-of", "2025-04-30"],
            "--from 2025-04-01 is after --to",
        ),
        (&["--from", "2025-03-01", "--to", "2025-05-01", "--as-of", "2025-04-30"], "after the as-of date"),
        (&["--from", "01/03/2025", "--as-of", "2025-04-30"], "--from"),
    ];
    for (flags, message) in cases {
        let mut args = vec!["statement", inv.as_str()];
        args.extend_from_slice(flags);
        let run = wd.run(&args);
        assert_eq!(run.code, 2, "{flags:?}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{}", run.stderr);
    }
}

/// Letters: one per (customer, currency), named from safe characters of the
/// id, values inserted as text (a name that looks like a placeholder stays
/// as it is), the tables filled.
#[test]
fn letters_are_safe_and_complete() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,customer_name,invoice,issue_date,due_date,amount\n\
         ../../evil,{closing},E1,2025-03-05,2025-04-04,120.50\n",
    );
    let template = wd.write(
        "letter.txt",
        "Dear {customer_name} ({customer}), {from} to {to}:\nopening {opening}\n{statement_table}closing {closing}\n{aging_table}interest [{interest}] as of {as_of} {{braces}}\n",
    );
    let dir = wd.path("letters");
    let run = wd.run(&[
        "statement",
        &inv,
        "--from",
        "2025-03-01",
        "--to",
        "2025-03-31",
        "--as-of",
        "2025-04-30",
        "--render",
        dir.to_str().unwrap(),
        "--template",
        &template,
    ]);
    run.ok();
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("______evil_EUR_statement_") && names[0].ends_with(".txt"), "{names:?}");
    assert!(!wd.path("evil").exists());
    let letter = std::fs::read_to_string(dir.join(&names[0])).unwrap();
    let row = |cells: [&str; 7]| {
        format!(
            "  {:<10}  {:<14}  {:<20}  {:<10}  {:>14}  {:>14}  {:>14}\n",
            cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6]
        )
    };
    let aging: String = ["current", "days_1_30", "days_31_60", "days_61_90", "days_91_120", "days_over_120"]
        .iter()
        .map(|b| format!("  {b:<16} {:>14}\n", if *b == "current" { "120.50" } else { "0.00" }))
        .collect();
    let expected = [
        "Dear {closing} (../../evil), 2025-03-01 to 2025-03-31:\nopening 0.00\n".to_string(),
        row(["date", "type", "document", "due", "debit", "credit", "balance"]),
        row(["2025-02-28", "opening", "", "", "", "", "0.00"]),
        row(["2025-03-05", "invoice", "E1", "2025-04-04", "120.50", "", "120.50"]),
        row(["2025-03-31", "closing", "", "", "", "", "120.50"]),
        "closing 120.50\n".to_string(),
        aging,
        "interest [] as of 2025-04-30 {braces}\n".to_string(),
    ]
    .concat();
    assert_eq!(letter, expected);
    let bad = wd.write("bad.txt", "Dear {customer_name},\nyou owe {total_due}\n");
    let run = wd.run(&[
        "statement",
        &inv,
        "--from",
        "2025-03-01",
        "--as-of",
        "2025-04-30",
        "--render",
        dir.to_str().unwrap(),
        "--template",
        &bad,
    ]);
    run.fails_with(&["bad.txt:2:", "unknown placeholder {total_due}"]);
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap()
}

/// On the bundled fixtures, for several periods: every customer's opening +
/// debits - credits = closing, the last running balance is the closing,
/// and the closing equals `age --as-of TO`'s total_open for that customer
/// (run as a separate command), to the cent; every customer age lists has
/// a statement.
#[test]
fn statements_reconcile_with_age_on_the_fixtures() {
    let wd = Workdir::new();
    let periods = [
        ("2025-01-01", "2025-03-31"),
        ("2025-04-01", "2025-06-30"),
        ("2025-06-15", "2025-06-15"),
        ("2024-01-01", "2025-06-30"),
    ];
    for (from, to) in periods {
        let base = ["fixtures/invoices.csv", "--payments", "fixtures/payments.csv", "-f", "json"];
        let mut args = vec!["statement", "--from", from, "--to", to, "--as-of", "2025-06-30"];
        args.extend_from_slice(&base);
        let statements = wd.run(&args).json();
        let mut age_args = vec!["age", "--as-of", to];
        age_args.extend_from_slice(&base);
        let aging = wd.run(&age_args).json();
        let totals = statements["totals"].as_array().unwrap();
        assert!(totals.len() > 5, "{from}..{to}: {} statements", totals.len());
        for t in totals {
            assert_eq!(
                dec(&t["opening"]) + dec(&t["debits"]) - dec(&t["credits"]),
                dec(&t["closing"]),
                "{t}"
            );
            let aged = aging["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["customer"] == t["customer"] && r["currency"] == t["currency"]);
            let open = aged.map_or(Decimal::ZERO, |r| dec(&r["total_open"]));
            assert_eq!(dec(&t["closing"]), open, "{from}..{to} {}", t["customer"]);
            let last = statements["rows"]
                .as_array()
                .unwrap()
                .iter()
                .rev()
                .find(|r| r["customer"] == t["customer"] && r["currency"] == t["currency"])
                .unwrap();
            assert_eq!((last["type"].as_str(), dec(&last["balance"])), (Some("closing"), dec(&t["closing"])));
        }
        for row in aging["rows"].as_array().unwrap() {
            let listed =
                totals.iter().any(|t| t["customer"] == row["customer"] && t["currency"] == row["currency"]);
            assert!(listed || dec(&row["total_open"]).is_zero(), "{} missing", row["customer"]);
        }
    }
}

#[test]
fn every_output_format() {
    let wd = Workdir::new();
    let table = statement(&wd, &["-f", "table"]);
    let out = table.ok();
    assert!(out.contains("credit_applied") && out.contains("days_31_60"), "{out}");
    let ndjson = statement(&wd, &["-f", "ndjson"]);
    let first: Value = serde_json::from_str(ndjson.ok().lines().next().unwrap()).unwrap();
    assert_eq!((first["type"].as_str(), first["balance"].to_string().as_str()), (Some("opening"), "900.00"));
    assert_eq!(ndjson.ok().lines().count(), 15);
}

/// examples/rates_es.csv over three half-years: 1,000.00 due 2023-06-20,
/// as of 2024-02-10: Jun 21-30 = 10 days x 10.50 = 105; Jul 1 - Dec 31 =
/// 184 days x 12.00 = 2208; Jan 1 - Feb 10 = 41 days x 12.50 = 512.5;
/// 1000 x 2825.5 / 36500 = 77.4109... -> 77.41, in `statement --interest`
/// and in `dunning` with examples/policy_statutory.toml alike.
#[test]
fn the_spanish_calendar_splits_a_claim_over_three_half_years() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", "customer,invoice,due_date,amount\nE,F-1,2023-06-20,1000.00\n");
    let statement = wd.run(&[
        "statement",
        &inv,
        "--from",
        "2024-01-01",
        "--as-of",
        "2024-02-10",
        "--interest",
        "examples/rates_es.csv",
        "-f",
        "json",
    ]);
    assert_eq!(statement.json()["totals"][0]["interest"].to_string(), "77.41");
    let dunning = wd.run(&[
        "dunning",
        &inv,
        "--policy",
        "examples/policy_statutory.toml",
        "--as-of",
        "2024-02-10",
        "-f",
        "csv",
    ]);
    assert_eq!(dunning.csv_rows()[0]["interest"], "77.41");
    // Past the last verified half-year the claim stops, naming the invoice and the file.
    let run = wd.run(&[
        "statement",
        &inv,
        "--from",
        "2024-01-01",
        "--as-of",
        "2024-07-10",
        "--interest",
        "examples/rates_es.csv",
    ]);
    run.fails_with(&["invoice 'F-1'", "2024-07-01", "examples/rates_es.csv"]);
}

/// On the fixtures, a statement's interest at --to is what `dunning` claims
/// for the same customer on that day (both listing the overdue invoices not
/// in dispute), with the example calendar.
#[test]
fn statement_interest_agrees_with_dunning_on_the_fixtures() {
    let wd = Workdir::new();
    let base = ["fixtures/invoices.csv", "--payments", "fixtures/payments.csv", "--as-of", "2025-06-30"];
    let mut args =
        vec!["statement", "--from", "2025-06-01", "--interest", "examples/rates_es.csv", "-f", "json"];
    args.extend_from_slice(&base);
    let statements = wd.run(&args).json();
    let mut args = vec!["dunning", "--policy", "examples/policy_statutory.toml", "-f", "json"];
    args.extend_from_slice(&base);
    let notices = wd.run(&args).json();
    let notices = notices["rows"].as_array().unwrap();
    assert!(notices.len() > 5);
    for n in notices {
        let s = statements["totals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["customer"] == n["customer"] && t["currency"] == n["currency"])
            .unwrap();
        assert_eq!(dec(&s["interest"]), dec(&n["interest"]), "{}", n["customer"]);
        assert!(dec(&n["interest"]) > Decimal::ZERO);
    }
}

/// With a dated disputes file (same calendar as above): A1 is in dispute
/// from Mar 1 (still open on Mar 31), so A's EUR interest is A3's 4.57 only;
/// B1's dispute closed on Feb 1 and the file names it, so its `disputed`
/// column no longer counts: 400 open, due Dec 31, Jan 1 - Feb 14 = 45 days
/// x 11.50 = 517.5, + 506.25 = 1023.75; 400 x 1023.75 / 36500 = 11.2191 -> 11.22.
#[test]
fn interest_leaves_out_what_is_in_dispute_at_the_end_of_the_period() {
    let wd = Workdir::new();
    let rates = wd.write(
        "rates.csv",
        "from,annual_rate_pct,source\n2024-07-01,12.50,x\n2025-01-01,11.50,y\n2025-02-15,11.25,z\n",
    );
    let disputes =
        wd.write("disputes.csv", "invoice,opened,closed\nA1,2025-03-01,\nB1,2025-01-05,2025-02-01\n");
    let json = statement(&wd, &["--interest", &rates, "--disputes", &disputes]).json();
    let interest: Vec<String> =
        json["totals"].as_array().unwrap().iter().map(|t| t["interest"].to_string()).collect();
    assert_eq!(interest, ["4.57", "0.00", "11.22"]);
}
