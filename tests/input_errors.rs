//! Every malformed input ends in a clear error (file, line, column, value,
//! what to do; exit 1) or, with --skip-bad-rows, in a rejects file that
//! holds every skipped row.
mod common;
use common::Workdir;

const HEADER: &str = "customer,invoice,due_date,amount\n";

fn age(wd: &Workdir, file: &str, extra: &[&str]) -> common::Run {
    let mut args = vec!["age", file, "--as-of", "2025-06-30", "-f", "csv"];
    args.extend_from_slice(extra);
    wd.run(&args)
}

#[test]
fn wrong_delimiter_names_the_headers_and_suggests_the_right_one() {
    let wd = Workdir::new();
    let f = wd.write("semi.csv", "customer;invoice;due_date;amount\nA;1;2025-01-01;5\n");
    age(&wd, &f, &["--delimiter", ","]).fails_with(&[
        "no column for 'customer'",
        "customer;invoice;due_date;amount",
        "--delimiter ';'",
    ]);
}

#[test]
fn ambiguous_dates_ask_for_date_format() {
    let wd = Workdir::new();
    let f = wd.write("amb.csv", &format!("{HEADER}A,1,01/02/2025,5\nA,2,03/04/2025,5\n"));
    age(&wd, &f, &[]).fails_with(&["amb.csv", "due_date", "--date-format"]);
    // With the format given, it reads: 01/02 is 1 February, 03/04 is 3 April.
    let ok = age(&wd, &f, &["--date-format", "%d/%m/%Y", "--detail"]);
    let rows = ok.csv_rows();
    assert_eq!(rows[0]["due_date"], "2025-02-01");
    assert_eq!(rows[1]["due_date"], "2025-04-03");
}

#[test]
fn decimal_comma_without_the_flag_points_at_line_and_column() {
    let wd = Workdir::new();
    let f = wd.write("es.csv", &format!("{HEADER}A,1,2025-01-01,5\nA,2,2025-01-01,\"1.234,56\"\n"));
    age(&wd, &f, &[]).fails_with(&["es.csv:3", "column \"amount\"", "\"1.234,56\"", "--decimal-comma"]);
}

#[test]
fn empty_and_header_only_files() {
    let wd = Workdir::new();
    let empty = wd.write("empty.csv", "");
    age(&wd, &empty, &[]).fails_with(&["empty.csv", "empty"]);
    let header_only = wd.write("header.csv", HEADER);
    age(&wd, &header_only, &[]).fails_with(&["header.csv", "no data rows"]);
}

#[test]
fn missing_column_lists_headers_and_closest_match() {
    let wd = Workdir::new();
    let f = wd.write("miss.csv", "customer,invoice,due_date,amout\nA,1,2025-01-01,5\n");
    age(&wd, &f, &[]).fails_with(&["no column for 'amount'", "'amout'", "closest: 'amout'", "--map amount="]);
    // --map fixes it.
    let ok = age(&wd, &f, &["--map", "amount=amout", "--by", "none"]);
    assert!(ok.ok().contains("EUR,0.00,0.00,0.00,0.00,0.00,5.00,5.00,5.00"), "{}", ok.stdout);
}

#[test]
fn duplicate_invoice_id_is_a_bad_row() {
    let wd = Workdir::new();
    let f = wd.write("dup.csv", &format!("{HEADER}A,1,2025-01-01,5\nB,1,2025-01-01,6\n"));
    age(&wd, &f, &[]).fails_with(&["dup.csv:3", "duplicate invoice id"]);
}

#[test]
fn non_utf8_bytes_are_reported() {
    let wd = Workdir::new();
    let f = wd.write_bytes("latin1.csv", b"customer,invoice,due_date,amount\nCaf\xe9,1,2025-01-01,5\n");
    age(&wd, &f, &[]).fails_with(&["latin1.csv:2", "UTF-8"]);
}

#[test]
fn a_one_megabyte_field_is_refused() {
    let wd = Workdir::new();
    let big = "x".repeat(1 << 20);
    let f = wd.write("big.csv", &format!("{HEADER}A,{big},2025-01-01,5\n"));
    age(&wd, &f, &[]).fails_with(&["big.csv:2", "exceeds"]);
}

#[test]
fn unknown_invoice_and_foreign_customer_in_payments() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", &format!("{HEADER}A,1,2025-01-01,5\n"));
    let pay = wd.write("pay.csv", "invoice,date,amount\n9,2025-01-02,5\n");
    age(&wd, &inv, &["--payments", &pay]).fails_with(&["pay.csv:2", "no invoice with this id"]);
    let pay2 = wd.write("pay2.csv", "invoice,customer,date,amount\n1,B,2025-01-02,5\n");
    age(&wd, &inv, &["--payments", &pay2]).fails_with(&["pay2.csv:2", "belongs to customer 'A'"]);
}

#[test]
fn skip_bad_rows_keeps_every_rejected_row_with_its_reason() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        &format!("{HEADER}A,1,2025-01-01,5\nA,2,not a date,5\nA,1,2025-01-01,7\nB,3,2025-01-01,abc\n,4,2025-01-01,1\nC,5,2025-01-01,2.50\n"),
    );
    let pay = wd.write("pay.csv", "invoice,date,amount\n1,2025-01-02,1\nX,2025-01-02,1\n");
    let rejects = wd.path("rejects.csv");
    let run = age(
        &wd,
        &inv,
        &["--payments", &pay, "--skip-bad-rows", "--rejects", rejects.to_str().unwrap(), "--by", "none"],
    );
    // Kept: invoice 1 (5 - 1 paid = 4) and 5 (2.50) -> 6.50 open.
    assert!(run.ok().contains(",6.50,6.50,100.00,2,"), "{}", run.stdout);
    assert!(run.stderr.contains("skipped 5 bad row(s)"), "{}", run.stderr);
    let mut reader = csv::Reader::from_path(&rejects).unwrap();
    assert_eq!(reader.headers().unwrap(), vec!["file", "line", "column", "value", "reason", "row"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let summary: Vec<(String, String)> = rows.iter().map(|r| (r[1].to_string(), r[5].to_string())).collect();
    assert_eq!(
        summary,
        vec![
            ("3".into(), "A,2,not a date,5".into()),
            ("4".into(), "A,1,2025-01-01,7".into()),
            ("5".into(), "B,3,2025-01-01,abc".into()),
            ("6".into(), ",4,2025-01-01,1".into()),
            ("3".into(), "X,2025-01-02,1".into()),
        ]
    );
    assert!(rows[1][4].contains("duplicate"));
    assert!(rows[4][0].ends_with("pay.csv"));
}

#[test]
fn wrong_number_of_cells_is_a_bad_row() {
    let wd = Workdir::new();
    let f = wd.write("short.csv", &format!("{HEADER}A,1,2025-01-01\n"));
    age(&wd, &f, &[]).fails_with(&["short.csv:2", "3 cells, the header has 4"]);
}

#[test]
fn missing_file_and_bad_as_of() {
    let wd = Workdir::new();
    age(&wd, "/nonexistent/inv.csv", &[]).fails_with(&["cannot open /nonexistent/inv.csv"]);
    let f = wd.write("inv.csv", &format!("{HEADER}A,1,2025-01-01,5\n"));
    assert_eq!(wd.run(&["age", &f, "--as-of", "31/12/2025"]).code, 2);
}

#[test]
fn terms_fill_in_missing_due_dates() {
    let wd = Workdir::new();
    let f = wd.write("terms.csv", "customer,invoice,issue_date,amount\nA,1,2025-05-01,100\n");
    age(&wd, &f, &[]).fails_with(&["no column for 'due_date'", "--terms"]);
    // Issued 05-01 + 30 days = due 05-31; 30 days past due on 06-30.
    let rows = age(&wd, &f, &["--terms", "30", "--detail"]).csv_rows();
    assert_eq!(rows[0]["due_date"], "2025-05-31");
    assert_eq!(rows[0]["days_past_due"], "30");
}

#[test]
fn single_file_export_paid_and_open_columns() {
    let wd = Workdir::new();
    // 1: paid in full 2025-02-01; 2: paid 40 of 100 on 2025-07-15 (after the as-of date);
    // 3: open 25 of 100 (undated payment of 75); 4: untouched.
    let f = wd.write(
        "single.csv",
        "customer,invoice,due_date,amount,paid_date,paid_amount,open_amount\n\
         A,1,2025-01-01,100,2025-02-01,,\n\
         A,2,2025-01-01,100,2025-07-15,40,\n\
         A,3,2025-01-01,100,,,25\n\
         A,4,2025-06-30,100,,,\n",
    );
    let rows = age(&wd, &f, &["--detail"]).csv_rows();
    let open: Vec<(&str, &str)> = rows.iter().map(|r| (r["invoice"].as_str(), r["open"].as_str())).collect();
    assert_eq!(open, vec![("2", "100.00"), ("3", "25.00"), ("4", "100.00")]);
}

#[test]
fn config_file_defaults_are_overridden_by_flags() {
    let wd = Workdir::new();
    let f = wd.write("inv.csv", "Kunde;Beleg;Faellig;Betrag\nA;1;2025-06-01;5\n");
    let cfg = wd.write("cobro.toml", "delimiter = \";\"\n[map]\ncustomer = \"Kunde\"\ninvoice = \"Beleg\"\ndue_date = \"Faellig\"\namount = \"Betrag\"\n[age]\nby = \"none\"\nbuckets = \"15,45\"\n");
    let out = age(&wd, &f, &["--config", &cfg]);
    assert!(out.ok().starts_with("currency,current,days_1_15,days_16_45,days_over_45"), "{}", out.stdout);
    let overridden = age(&wd, &f, &["--config", &cfg, "--buckets", "10"]);
    assert!(overridden.ok().starts_with("currency,current,days_1_10,days_over_10"), "{}", overridden.stdout);
    let bad = wd.write("bad.toml", "[age]\nbukets = \"1\"\n");
    assert_eq!(age(&wd, &f, &["--config", &bad]).code, 2);
}
