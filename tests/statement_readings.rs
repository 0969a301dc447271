//! `cobro statement`: the readings docs/statement.md takes where the SPEC
//! leaves a choice ("Readings where the SPEC leaves a choice"), pinned with
//! hand computations. The same readings are in the independent reference
//! `tests/reference/statement.py`, which `tests/reference/diff_statement.py`
//! runs against the binary on random ledgers.
mod common;
use common::Workdir;
use serde_json::Value;

fn field(rows: &Value, name: &str) -> Vec<String> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| match &r[name] {
            Value::Null => "-".to_string(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// I1 300.00 due 2024-01-31, open 300. CN1 -100.00 refunded -300.00 on
/// 2024-01-15: open -100 + 300 = +200, owed by the customer and past due.
/// CN2 -50.00 unapplied: open -50, never netted against the interest.
/// 10 % from 2024-01-01; days (2024-01-31, 2024-03-01] = 29 (Feb 2024) + 1 = 30.
/// I1: 300 x 10 x 30 / 36500 = 2.4657 -> 2.47; CN1: 200 x 10 x 30 / 36500 =
/// 1.6438 -> 1.64; interest 4.11 in the statement and in dunning alike.
/// Opening at 2024-01-31 = 300 + 200 - 50 = 450 = closing (no movement).
#[test]
fn an_over_refunded_credit_note_accrues_interest_like_an_invoice() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,issue_date,due_date,amount\n\
         A,I1,2024-01-01,2024-01-31,300.00\n\
         A,CN1,2024-01-01,2024-01-31,-100.00\n\
         A,CN2,2024-01-01,2024-01-31,-50.00\n",
    );
    let pay = wd.write("pay.csv", "invoice,date,amount\nCN1,2024-01-15,-300.00\n");
    let rates = wd.write("rates.csv", "from,annual_rate_pct\n2024-01-01,10\n");
    let json = wd
        .run(&[
            "statement",
            &inv,
            "--payments",
            &pay,
            "--from",
            "2024-02-01",
            "--as-of",
            "2024-03-01",
            "--interest",
            &rates,
            "-f",
            "json",
        ])
        .json();
    assert_eq!(field(&json["rows"], "type"), ["opening", "closing"]);
    assert_eq!(field(&json["rows"], "balance"), ["450.00", "450.00"]);
    assert_eq!(field(&json["totals"], "interest"), ["4.11"]);
    let policy = wd.write(
        "policy.toml",
        "min_amount = 0\n[interest]\nrates = \"rates.csv\"\n[[level]]\nname = \"one\"\ndays = 1\ntemplate = \"x\"\n",
    );
    let dunning = wd
        .run(&[
            "dunning",
            &inv,
            "--payments",
            &pay,
            "--policy",
            &policy,
            "--as-of",
            "2024-03-01",
            "-f",
            "json",
        ])
        .json();
    assert_eq!(field(&dunning["rows"], "interest"), ["4.11"]);
    // overdue = 300 + 200: the unapplied CN2 is not netted.
    assert_eq!(field(&dunning["rows"], "overdue"), ["500.00"]);
}

/// B's EUR row has no name, its USD row has one: the name is the customer's,
/// so the EUR statement carries it too.
#[test]
fn the_customer_name_comes_from_any_currency_of_the_customer() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,customer_name,invoice,issue_date,due_date,amount,currency\n\
         B,,E1,2024-01-10,2024-02-10,10.00,EUR\n\
         B,Beta,U1,2024-01-11,2024-02-11,20.00,USD\n",
    );
    let json =
        wd.run(&["statement", &inv, "--from", "2024-01-01", "--as-of", "2024-01-31", "-f", "json"]).json();
    assert_eq!(field(&json["totals"], "currency"), ["EUR", "USD"]);
    assert_eq!(field(&json["totals"], "customer_name"), ["Beta", "Beta"]);
    assert_eq!(field(&json["rows"], "customer_name"), ["Beta"; 6]);
}

/// C's only document is issued on 2024-02-01, after the as-of date: cobro
/// sees no document of C then, and says so instead of printing nothing.
#[test]
fn a_customer_without_documents_at_the_as_of_date_is_an_error() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,issue_date,due_date,amount\nC,C1,2024-02-01,2024-03-01,10.00\nD,D1,2024-01-01,2024-02-01,5.00\n",
    );
    wd.run(&[
        "statement",
        &inv,
        "--from",
        "2024-01-01",
        "--as-of",
        "2024-01-31",
        "--customer",
        "C",
        "-f",
        "json",
    ])
    .fails_with(&["--customer 'C'", "no document"]);
}

/// S1 (100.00, issued 2024-02-01) is paid 10.00 on 2024-02-10 by its own
/// row (`paid_date`, `paid_amount`) and 5.00 the same day in the payments
/// file: the export's row comes first. Balance 100 -> 90 -> 85.
#[test]
fn a_single_file_rows_payments_come_before_the_payments_file() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,issue_date,due_date,amount,paid_date,paid_amount\n\
         S,S1,2024-02-01,2024-03-01,100.00,2024-02-10,10.00\n",
    );
    let pay = wd.write("pay.csv", "invoice,date,amount\nS1,2024-02-10,5.00\n");
    let json = wd
        .run(&[
            "statement",
            &inv,
            "--payments",
            &pay,
            "--from",
            "2024-02-01",
            "--as-of",
            "2024-02-29",
            "-f",
            "json",
        ])
        .json();
    assert_eq!(field(&json["rows"], "credit"), ["-", "-", "10.00", "5.00", "-"]);
    assert_eq!(field(&json["rows"], "balance"), ["0.00", "100.00", "90.00", "85.00", "85.00"]);
}
