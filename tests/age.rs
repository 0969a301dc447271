//! `cobro age` end to end, on hand-built exports with hand-computed results.
mod common;
use common::Workdir;

/// As of 2025-04-10:
/// - F1 1000.00 due 01-31: paid 400 on 02-15; the 600 on 04-15 is after the as-of date -> open 600.00, 69 days (61-90)
/// - F2 500.00 due 03-31, disputed -> 500.00, 10 days (1-30)
/// - NC1 credit note -100.00 due 03-05 -> -100.00, 36 days (31-60)
/// - F5 200.00 due 03-11 -> 30 days: still 1-30 (boundary)
/// - F6 300.00 due 03-10 (31 days) paid on the as-of day itself -> open 0, not aged
/// - F3 1,234.56 USD due 03-03: paid 234.56, then 34.56 reversed -> 1034.56, 38 days (31-60)
/// - F4 50 EUR due 05-01 -> current; F8 10.01 due today (0 days) -> current
///   (a sub-cent 10.005 would be kept exact: tests/input_errors.rs)
/// - F7 issued 04-11, after the as-of date -> does not exist yet
const INVOICES: &str = "\
customer,customer_name,invoice,issue_date,due_date,amount,currency,disputed
C1,Acme,F1,2025-01-01,2025-01-31,1000.00,EUR,
C1,Acme,F2,2025-03-01,2025-03-31,500.00,EUR,yes
C1,Acme,NC1,2025-03-05,2025-03-05,-100.00,EUR,
C1,Acme,F5,2025-03-11,2025-03-11,200.00,EUR,
C1,Acme,F6,2025-03-10,2025-03-10,300.00,EUR,
C2,Beta,F3,2025-02-01,2025-03-03,\"1,234.56\",USD,
C3,Gamma,F4,2025-04-01,2025-05-01,50,EUR,
C3,Gamma,F7,2025-04-11,2025-05-11,999,EUR,
C3,Gamma,F8,2025-04-10,2025-04-10,10.01,EUR,
";
const PAYMENTS: &str = "\
invoice,date,amount
F1,2025-02-15,400
F1,2025-04-15,600
F6,2025-04-10,300
F3,2025-03-10,234.56
F3,2025-03-20,-34.56
F7,2025-04-12,999
";

fn setup() -> (Workdir, String, String) {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let pay = wd.write("pay.csv", PAYMENTS);
    (wd, inv, pay)
}

#[test]
fn aging_by_customer_hand_computed() {
    let (wd, inv, pay) = setup();
    let run = wd.run(&["age", &inv, "--payments", &pay, "--as-of", "2025-04-10", "-f", "csv"]);
    let expected = "\
customer,customer_name,currency,current,days_1_30,days_31_60,days_61_90,days_91_120,days_over_120,total_open,overdue,overdue_pct,open_documents,max_days_past_due
C1,Acme,EUR,0.00,700.00,-100.00,600.00,0.00,0.00,1200.00,1200.00,100.00,4,69
C2,Beta,USD,0.00,0.00,1034.56,0.00,0.00,0.00,1034.56,1034.56,100.00,1,38
C3,Gamma,EUR,60.01,0.00,0.00,0.00,0.00,0.00,60.01,0.00,0.00,2,0
";
    assert_eq!(run.ok(), expected);
}

#[test]
fn json_totals_per_currency_are_exact() {
    let (wd, inv, pay) = setup();
    let doc = wd.run(&["age", &inv, "--payments", &pay, "--as-of", "2025-04-10", "-f", "json"]).json();
    assert_eq!(doc["command"], "age");
    assert_eq!(doc["as_of"], "2025-04-10");
    let totals = doc["totals"].as_array().unwrap();
    assert_eq!(totals.len(), 2);
    let eur = &totals[0];
    assert_eq!(eur["currency"], "EUR");
    // 60.01 + 700 - 100 + 600 = 1260.01; overdue 1200.00; 100 * 1200 / 1260.01 = 95.2373 -> 95.24
    assert_eq!(eur["total_open"].to_string(), "1260.01");
    assert_eq!(eur["overdue"].to_string(), "1200.00");
    assert_eq!(eur["overdue_pct"].to_string(), "95.24");
    assert_eq!(eur["open_documents"].to_string(), "6");
    assert_eq!(eur["max_days_past_due"].to_string(), "69");
    assert_eq!(totals[1]["currency"], "USD");
    assert_eq!(totals[1]["total_open"].to_string(), "1034.56");
}

#[test]
fn an_older_as_of_date_rebuilds_that_days_aging() {
    let (wd, inv, pay) = setup();
    // 2025-02-20: only F1 (open 600 after the 02-15 payment, 20 days late) and F3 (not yet due) exist.
    let run =
        wd.run(&["age", &inv, "--payments", &pay, "--as-of", "2025-02-20", "-f", "csv", "--by", "none"]);
    assert_eq!(
        run.ok(),
        "currency,current,days_1_30,days_31_60,days_61_90,days_91_120,days_over_120,total_open,overdue,overdue_pct,open_documents,max_days_past_due
EUR,0.00,600.00,0.00,0.00,0.00,0.00,600.00,600.00,100.00,1,20
USD,1234.56,0.00,0.00,0.00,0.00,0.00,1234.56,0.00,0.00,1,0
"
    );
}

#[test]
fn detail_lists_open_documents_oldest_first() {
    let (wd, inv, pay) = setup();
    let rows = wd
        .run(&["age", &inv, "--payments", &pay, "--as-of", "2025-04-10", "--detail", "-f", "csv"])
        .csv_rows();
    let ids: Vec<&str> = rows.iter().map(|r| r["invoice"].as_str()).collect();
    assert_eq!(ids, ["F1", "F3", "NC1", "F5", "F2", "F8", "F4"]);
    let days: Vec<&str> = rows.iter().map(|r| r["days_past_due"].as_str()).collect();
    assert_eq!(days, ["69", "38", "36", "30", "10", "0", "-21"]);
    assert_eq!(rows[0]["open"], "600.00");
    assert_eq!(rows[0]["bucket"], "days_61_90");
    assert_eq!(rows[3]["bucket"], "days_1_30");
    assert_eq!(rows[4]["disputed"], "true");
    assert_eq!(rows[2]["open"], "-100.00");
}

#[test]
fn custom_buckets_and_issue_basis() {
    let (wd, inv, pay) = setup();
    // --buckets 15,45 --basis issue: F1 issued 01-01 is 99 days old (over_45), F2 40 (16_45),
    // NC1 36 (16_45), F5 30 (16_45), F3 68 (over_45), F4 9 (1_15), F8 issued today (current).
    let run = wd.run(&[
        "age",
        &inv,
        "--payments",
        &pay,
        "--as-of",
        "2025-04-10",
        "--buckets",
        "15,45",
        "--basis",
        "issue",
        "-f",
        "csv",
    ]);
    assert_eq!(
        run.ok(),
        "customer,customer_name,currency,current,days_1_15,days_16_45,days_over_45,total_open,overdue,overdue_pct,open_documents,max_days_past_due
C1,Acme,EUR,0.00,0.00,600.00,600.00,1200.00,1200.00,100.00,4,99
C2,Beta,USD,0.00,0.00,0.00,1034.56,1034.56,1034.56,100.00,1,68
C3,Gamma,EUR,10.01,50.00,0.00,0.00,60.01,50.00,83.32,2,9
"
    );
}

#[test]
fn bad_bucket_lists_are_usage_errors() {
    let (wd, inv, _) = setup();
    for bad in ["60,30", "0,30", "30,30", "a,b"] {
        let run = wd.run(&["age", &inv, "--buckets", bad, "--as-of", "2025-04-10"]);
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
    }
    assert_eq!(wd.run(&["age", &inv, "--no-such-flag"]).code, 2);
}

#[test]
fn group_by_any_column() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,due_date,amount,Region\nA,1,2025-01-01,10.10,north\nB,2,2025-01-01,20.20,north\nC,3,2025-06-01,5,south\n",
    );
    let run = wd.run(&["age", &inv, "--as-of", "2025-02-01", "--by", "region", "-f", "csv"]);
    let rows = run.csv_rows();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["region"], "north");
    assert_eq!(rows[0]["days_31_60"], "30.30");
    assert_eq!(rows[1]["region"], "south");
    assert_eq!(rows[1]["current"], "5.00");
}

#[test]
fn money_uses_each_currencys_minor_digits() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,due_date,amount,currency\nJ,1,2025-01-01,1500,jpy\nK,2,2025-01-01,12.3,KWD\nE,3,2025-01-01,0.1,EUR\nE,4,2025-01-01,0.2,EUR\n",
    );
    let doc = wd.run(&["age", &inv, "--as-of", "2025-01-02", "-f", "json"]).json();
    let rows = doc["rows"].as_array().unwrap();
    let by = |c: &str| rows.iter().find(|r| r["customer"] == c).unwrap().clone();
    assert_eq!(by("J")["total_open"].to_string(), "1500");
    assert_eq!(by("J")["currency"], "JPY");
    assert_eq!(by("K")["total_open"].to_string(), "12.300");
    // 0.1 + 0.2 is exactly 0.30, never 0.30000000000000004
    assert_eq!(by("E")["total_open"].to_string(), "0.30");
}

#[test]
fn csv_output_options_and_formula_guard() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,customer_name,invoice,due_date,amount\n=HYPERLINK(\"http://x\"),+SUM(A1),1,2025-01-01,-5\n",
    );
    let run = wd.run(&[
        "age",
        &inv,
        "--as-of",
        "2025-01-02",
        "-f",
        "csv",
        "--bom",
        "--out-delimiter",
        ";",
        "--totals",
    ]);
    let out = run.ok();
    assert!(out.starts_with('\u{feff}'));
    let lines: Vec<&str> = out.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[1],
        "'=HYPERLINK(\"\"http://x\"\");'+SUM(A1);EUR;0.00;-5.00;0.00;0.00;0.00;0.00;-5.00;-5.00;100.00;1;0"
            .replace("'=HYPERLINK(\"\"http://x\"\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")
    );
    assert_eq!(lines[2], "TOTAL;;EUR;0.00;-5.00;0.00;0.00;0.00;0.00;-5.00;-5.00;100.00;1;0");
}

#[test]
fn output_file_is_written_whole_and_no_temp_file_remains() {
    let (wd, inv, pay) = setup();
    let out = wd.path("aging.json");
    let run = wd.run(&[
        "age",
        &inv,
        "--payments",
        &pay,
        "--as-of",
        "2025-04-10",
        "-f",
        "ndjson",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.ok(), "");
    let text = wd.read("aging.json");
    assert_eq!(text.lines().count(), 3);
    assert!(text.lines().next().unwrap().contains("\"customer\":\"C1\""));
    let leftovers: Vec<_> = std::fs::read_dir(wd.path(""))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("cobro-tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn reads_standard_input() {
    let wd = Workdir::new();
    let run = wd.run_with_stdin(
        &["age", "-", "--as-of", "2025-01-10", "-f", "csv", "--by", "none"],
        Some("customer;invoice;due_date;amount\nA;1;2025-01-01;7.5\n"),
    );
    assert!(run.ok().contains("EUR,0.00,7.50,"), "{}", run.stdout);
}

/// A blank line (or a short row) makes cobro read the file again with
/// exact framing: from standard input, the second read used to find it
/// used up ("the file is empty", exit 1). C1 owes 10 + 5, 29 days past
/// due at 2024-06-30.
#[test]
fn reads_standard_input_again_when_its_rows_need_exact_framing() {
    let wd = Workdir::new();
    let argv = ["age", "-", "--as-of", "2024-06-30", "-f", "csv", "--by", "none"];
    let blank_line = "customer,invoice,due_date,amount\nC1,I1,2024-06-01,10\n\nC1,I2,2024-06-01,5\n";
    let run = wd.run_with_stdin(&argv, Some(blank_line));
    assert!(
        run.ok().contains("\nEUR,0.00,15.00,0.00,0.00,0.00,0.00,15.00,15.00,100.00,2,29"),
        "{}",
        run.stdout
    );

    let rejects = wd.path("rejects.csv");
    let skipping = [&argv[..], &["--skip-bad-rows", "--rejects", rejects.to_str().unwrap()]].concat();
    let short_row = "customer,invoice,due_date,amount\nC1,I1,2024-06-01,10\nC1,I2,2024-06-01\n";
    let run = wd.run_with_stdin(&skipping, Some(short_row));
    assert!(run.ok().contains("\nEUR,0.00,10.00,"), "{}", run.stdout);
    assert!(run.stderr.contains("skipped 1 bad row"), "{}", run.stderr);
    let rejected = wd.read("rejects.csv");
    assert_eq!(rejected.lines().count(), 2, "{rejected}");
    assert!(rejected.lines().nth(1).unwrap().starts_with("-,3,"), "{rejected}");
}

/// Standard input can be read once: two inputs given as `-` is a usage error.
#[test]
fn two_inputs_from_standard_input_are_a_usage_error() {
    let wd = Workdir::new();
    let run = wd.run_with_stdin(
        &["age", "-", "--payments", "-", "--as-of", "2024-06-30"],
        Some("customer,invoice,due_date,amount\nC1,I1,2024-06-01,10\n"),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("INVOICES and --payments both read standard input (-)"), "{}", run.stderr);
}

/// --fx converts before adding: the fixture's EUR 571,296.49 plus USD
/// 148,859.77 at 0.9 = 133,973.793 gives EUR 705,270.28 (rounded once, when printed).
#[test]
fn fx_converts_every_currency_into_the_base() {
    let wd = Workdir::new();
    let rates = wd.write("rates.csv", "currency,rate\nUSD,0.9\n");
    let run = wd.run(&[
        "age",
        "fixtures/invoices.csv",
        "--payments",
        "fixtures/payments.csv",
        "--as-of",
        "2025-06-30",
        "--by",
        "none",
        "--fx",
        &rates,
        "--base",
        "EUR",
        "-f",
        "csv",
    ]);
    let rows = run.csv_rows();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0]["currency"].as_str(), rows[0]["total_open"].as_str()), ("EUR", "705270.28"));
    let missing =
        wd.run(&["age", "fixtures/invoices.csv", "--as-of", "2025-06-30", "--fx", &rates, "--base", "GBP"]);
    missing.fails_with(&["no rate for EUR"]);
}

/// Month-first dates that only the last row of each file reveals: the
/// payments read before it must be re-dated before they count.
/// As of 2025-04-10, everything due 2025-01-31 (69 days late, 61-90):
/// - A1 100.00, paid 40 on 04/05 = April 5 (day-first would be May 4, after) -> 60.00
/// - A2 200.00, paid 50 on April 9 (not Sept 4), 25 on April 11 (after), 10 on 2024-12-31 -> 140.00
/// - A3 300.00, paid on 04/13 = April 13, after the as-of date -> 300.00
#[test]
fn payments_dated_month_first_count_once_the_order_is_known() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,due_date,amount,currency,paid_date,paid_amount
C1,A1,2025-01-31,100.00,EUR,04/05/2025,40
C1,A2,2025-01-31,200.00,EUR,,
C1,A3,2025-01-31,300.00,EUR,04/13/2025,300
",
    );
    let pay =
        wd.write("pay.csv", "invoice,date,amount\nA2,04/09/2025,50\nA2,04/11/2025,25\nA2,12/31/2024,10\n");
    let run =
        wd.run(&["age", &inv, "--payments", &pay, "--as-of", "2025-04-10", "--by", "none", "-f", "csv"]);
    assert_eq!(
        run.ok().lines().nth(1).unwrap(),
        "EUR,0.00,0.00,0.00,500.00,0.00,0.00,500.00,500.00,100.00,3,69"
    );
}

/// A `--by` cell that is not UTF-8 is a bad row, not an empty group.
#[test]
fn a_by_column_cell_that_is_not_utf8_is_a_bad_row() {
    let wd = Workdir::new();
    let mut bytes = b"customer,invoice,due_date,amount,region\nC1,F1,2025-01-31,100,Nort".to_vec();
    bytes.extend_from_slice(&[0xff, b'\n']);
    let inv = wd.write_bytes("inv.csv", &bytes);
    let run = wd.run(&["age", &inv, "--as-of", "2025-04-10", "--by", "region"]);
    run.fails_with(&[":2: column \"region\"", "not valid UTF-8"]);
}

/// A `--by` list that would print a field twice (`currency`, a column
/// given twice) or names an empty column is a usage error, in `age` and
/// `kpi` alike.
#[test]
fn by_lists_that_would_repeat_a_field_are_usage_errors() {
    let wd = Workdir::new();
    for by in ["currency", "region,region", "region,"] {
        for command in ["age", "kpi"] {
            let run = wd.run(&[command, "fixtures/invoices.csv", "--as-of", "2025-06-30", "--by", by]);
            assert_eq!(run.code, 2, "{command} --by {by}: {}", run.stderr);
        }
    }
}

/// Long ERP ids that end in digits are kept as prefix and number: ids that
/// differ only in leading zeros stay apart, a payment finds its own, and
/// `--detail` writes each id back and orders ties by id as text (numbers
/// would put ...41 first). As of 2025-04-10 every document is 10 days past
/// due (due 03-31); the payment of 50 leaves ...0000042 (7 digits) 150.00 open.
#[test]
fn long_numbered_ids_stay_apart_and_come_back_as_text() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,customer_name,invoice,issue_date,due_date,amount,currency
C1,Acme,ACC-SINV-2025-00000042,2025-03-01,2025-03-31,100.00,EUR
C1,Acme,ACC-SINV-2025-0000042,2025-03-01,2025-03-31,200.00,EUR
C1,Acme,ACC-SINV-2025-000000042,2025-03-01,2025-03-31,300.00,EUR
C1,Acme,ACC-SINV-2025-00000041,2025-03-01,2025-03-31,400.00,EUR
",
    );
    let pay = wd.write("pay.csv", "invoice,date,amount\nACC-SINV-2025-0000042,2025-04-01,50\n");
    let run = wd.run(&["age", &inv, "--payments", &pay, "--as-of", "2025-04-10", "--detail", "-f", "csv"]);
    let expected = "\
customer,customer_name,invoice,currency,issue_date,due_date,amount,open,days_past_due,bucket,disputed
C1,Acme,ACC-SINV-2025-000000042,EUR,2025-03-01,2025-03-31,300.00,300.00,10,days_1_30,false
C1,Acme,ACC-SINV-2025-00000041,EUR,2025-03-01,2025-03-31,400.00,400.00,10,days_1_30,false
C1,Acme,ACC-SINV-2025-00000042,EUR,2025-03-01,2025-03-31,100.00,100.00,10,days_1_30,false
C1,Acme,ACC-SINV-2025-0000042,EUR,2025-03-01,2025-03-31,200.00,150.00,10,days_1_30,false
";
    assert_eq!(run.ok(), expected);

    let unknown = wd.write("unknown.csv", "invoice,date,amount\nACC-SINV-2025-00000043,2025-04-01,50\n");
    wd.run(&["age", &inv, "--payments", &unknown, "--as-of", "2025-04-10"]).fails_with(&[
        "unknown.csv:2",
        "ACC-SINV-2025-00000043",
        "no invoice with this id",
    ]);
    let twice = wd.write(
        "twice.csv",
        "customer,invoice,due_date,amount\nC1,ACC-SINV-2025-00000042,2025-03-31,1\nC1,ACC-SINV-2025-00000042,2025-03-31,2\n",
    );
    wd.run(&["age", &twice, "--as-of", "2025-04-10"]).fails_with(&["twice.csv:3", "duplicate invoice id"]);
}

/// `--basis issue` without an issue date: the first such open document in
/// file order is named (X2, not X3), whatever group each belongs to.
#[test]
fn basis_issue_names_the_first_document_without_an_issue_date() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,issue_date,due_date,amount\nC9,X1,2025-01-01,2025-01-31,10\nC8,X2,,2025-02-28,20\nC1,X3,,2025-03-31,30\n",
    );
    let run = wd.run(&["age", &inv, "--as-of", "2025-04-10", "--basis", "issue", "-f", "csv"]);
    run.fails_with(&["--basis issue needs an issue date", "invoice 'X2' has none"]);
}

/// ERPNext's Accounts Receivable report, as its header row names the
/// columns: 1,000.00 invoiced, 300.00 paid and a 200.00 credit note, so
/// 500.00 outstanding. Without a paid date, `Outstanding Amount` (the open
/// amount) decides, not `Paid Amount` (which would leave 700.00 open):
/// 500.00, due 2025-05-01, 60 days past due on 2025-06-30: days_31_60.
#[test]
fn an_open_amount_wins_over_a_paid_amount_without_a_paid_date() {
    let wd = Workdir::new();
    let report = wd.write(
        "erpnext_ar.csv",
        "Posting Date,Party Type,Party,Receivable Account,Customer Name,Customer Contact,Cost Center,Voucher Type,Voucher No,Due Date,Invoiced Amount,Paid Amount,Credit Note,Outstanding Amount,Age (Days),0-30,31-60,61-90,91-120,121-Above,Currency,Customer LPO,Territory,Customer Group
2025-04-01,Customer,CUST-0001,Debtors - ACME,Acme Ltd,,Main - ACME,Sales Invoice,ACC-SINV-2025-00001,2025-05-01,1000.00,300.00,200.00,500.00,60,0,500,0,0,0,EUR,,All Territories,Commercial
",
    );
    let run = wd.run(&[
        "age",
        &report,
        "--as-of",
        "2025-06-30",
        "-f",
        "csv",
        "--columns",
        "customer,customer_name,days_31_60,total_open",
    ]);
    assert_eq!(run.ok(), "customer,customer_name,days_31_60,total_open\nCUST-0001,Acme Ltd,500.00,500.00\n");
}

/// `--detail` shows the customer's name (the first one given) on every
/// document of that customer, as the grouped rows do: F2's own cell is
/// empty and it still reads "Acme" (it used to be empty).
#[test]
fn detail_shows_the_customers_name_on_each_document() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,customer_name,invoice,due_date,amount\nK1,Acme,F1,2025-01-31,100.00\nK1,,F2,2025-02-28,50.00\nK2,,G1,2025-03-01,5\n",
    );
    let rows = wd.run(&["age", &inv, "--as-of", "2025-03-31", "--detail", "-f", "csv"]).csv_rows();
    let names: Vec<(&str, &str)> =
        rows.iter().map(|r| (r["invoice"].as_str(), r["customer_name"].as_str())).collect();
    assert_eq!(names, vec![("F1", "Acme"), ("F2", "Acme"), ("G1", "")]);
}
