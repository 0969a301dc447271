//! Output for people and spreadsheets, end to end: the format from the `-o`
//! file name, `--out-decimal-comma`, `--columns`, the human table and xlsx.
mod common;
use common::{Run, Workdir};
use serde_json::Value;

/// As of 2025-06-30:
/// - A EUR: A-1 1,234,567.89 due 01-31 less 234,567.89 paid 02-15 -> 1,000,000.00
///   open, 150 days (over 120); A-2 100.50 due 07-31 -> current. Total 1,000,100.50,
///   overdue 1,000,000.00 = 99.98995% -> 99.99; 2 documents, max 150 days.
/// - B JPY: B-1 500000 due 03-31 -> 91 days (91-120).
/// - K KWD: K-1 1234.568 due 04-30 -> 61 days (61-90), three decimals for KWD.
const INVOICES: &str = "\
customer,customer_name,invoice,issue_date,due_date,amount,currency
A,Alfa =SUM(1),A-1,2025-01-01,2025-01-31,1234567.89,EUR
A,Alfa =SUM(1),A-2,2025-05-01,2025-07-31,100.50,EUR
B,=HYPERLINK(\"x\"),B-1,2025-03-01,2025-03-31,500000,JPY
K,Kappa,K-1,2025-03-01,2025-04-30,1234.568,KWD
";
const PAYMENTS: &str = "invoice,date,amount\nA-1,2025-02-15,234567.89\n";

fn setup() -> (Workdir, String, String) {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let pay = wd.write("pay.csv", PAYMENTS);
    (wd, inv, pay)
}

fn age(wd: &Workdir, inv: &str, pay: &str, extra: &[&str]) -> Run {
    let mut args = vec!["age", inv, "--payments", pay, "--as-of", "2025-06-30"];
    args.extend_from_slice(extra);
    wd.run(&args)
}

fn out_path(wd: &Workdir, name: &str) -> String {
    wd.path(name).to_string_lossy().into_owned()
}

#[test]
fn format_follows_the_output_extension_unless_f_is_given() {
    let (wd, inv, pay) = setup();
    for (name, starts) in [
        ("a.csv", "customer,customer_name,currency,"),
        ("a.tsv", "customer\tcustomer_name\tcurrency\t"),
        ("a.json", "{"),
        ("a.jsonl", "{\"customer\":\"A\""),
        ("a.NDJSON", "{\"customer\":\"A\""),
        ("a.txt", "┌"),
        ("a", "┌"),
    ] {
        assert_eq!(age(&wd, &inv, &pay, &["-o", &out_path(&wd, name)]).ok(), "");
        let text = wd.read(name);
        assert!(text.starts_with(starts), "{name}: {text}");
    }
    age(&wd, &inv, &pay, &["-f", "json", "-o", &out_path(&wd, "b.csv")]).ok();
    assert!(wd.read("b.csv").starts_with('{'));
    let html = age(&wd, &inv, &pay, &["-o", &out_path(&wd, "a.html")]);
    assert_eq!(html.code, 2, "{}", html.stderr);
    assert!(html.stderr.contains("cobro report"), "{}", html.stderr);
    assert!(!wd.path("a.html").exists());
}

#[test]
fn tsv_is_csv_with_tabs_and_an_explicit_delimiter_wins() {
    let (wd, inv, pay) = setup();
    age(&wd, &inv, &pay, &["-o", &out_path(&wd, "a.tsv"), "--out-delimiter", "|"]).ok();
    assert!(wd.read("a.tsv").starts_with("customer|customer_name|"));
}

/// The European CSV read back as a Spanish-locale spreadsheet reads it: `;`
/// between cells, `,` as the decimal mark. Every number equals the JSON.
#[test]
fn decimal_comma_csv_reads_back_as_the_json_numbers() {
    let (wd, inv, pay) = setup();
    let run = age(&wd, &inv, &pay, &["-f", "csv", "--out-decimal-comma", "--bom", "--totals"]);
    let text = run.ok();
    assert!(text.starts_with('\u{feff}'));
    let body = text.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = body.lines().collect();
    // A: current 100.50, over 120 1,000,000.00, total 1,000,100.50, 99.99 %
    assert_eq!(
        lines[1],
        "A;Alfa =SUM(1);EUR;100,50;0,00;0,00;0,00;0,00;1000000,00;1000100,50;1000000,00;99,99;2;150"
    );
    assert!(
        lines.contains(&"K;Kappa;KWD;0,000;0,000;0,000;1234,568;0,000;0,000;1234,568;1234,568;100,00;1;61")
    );
    assert!(lines.contains(&"B;\"'=HYPERLINK(\"\"x\"\")\";JPY;0;0;0;0;500000;0;500000;500000;100,00;1;91"));
    let doc = age(&wd, &inv, &pay, &["-f", "json"]).json();
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(body.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let json_rows: Vec<&Value> =
        doc["rows"].as_array().unwrap().iter().chain(doc["totals"].as_array().unwrap()).collect();
    assert_eq!(records.len(), json_rows.len());
    for (record, json) in records.iter().zip(json_rows) {
        for (field, cell) in headers.iter().zip(record.iter()) {
            if let Value::Number(n) = &json[field] {
                let read: f64 = cell.replace(',', ".").parse().expect("a number with a decimal comma");
                assert_eq!(read, n.as_f64().unwrap(), "{field}: {cell}");
            }
        }
    }
}

#[test]
fn decimal_comma_with_comma_delimiter_is_a_usage_error() {
    let (wd, inv, pay) = setup();
    let run = age(&wd, &inv, &pay, &["-f", "csv", "--out-decimal-comma", "--out-delimiter", ","]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--out-decimal-comma"), "{}", run.stderr);
}

#[test]
fn decimal_comma_leaves_json_and_dates_alone() {
    let (wd, inv, pay) = setup();
    let plain = age(&wd, &inv, &pay, &["-f", "json"]).ok().to_string();
    assert_eq!(age(&wd, &inv, &pay, &["-f", "json", "--out-decimal-comma"]).ok(), plain);
    let detail = age(&wd, &inv, &pay, &["--detail", "-f", "csv", "--out-decimal-comma"]);
    assert!(
        detail.ok().contains(
            "A;Alfa =SUM(1);A-1;EUR;2025-01-01;2025-01-31;1234567,89;1000000,00;150;days_over_120;false"
        ),
        "{}",
        detail.stdout
    );
}

#[test]
fn columns_select_and_order_rows_and_totals_in_every_format() {
    let (wd, inv, pay) = setup();
    let cols = ["--columns", "currency,overdue,customer"];
    let csv = age(&wd, &inv, &pay, &[&["-f", "csv", "--totals"], &cols[..]].concat());
    assert_eq!(
        csv.ok(),
        "currency,overdue,customer\nEUR,1000000.00,A\nJPY,500000,B\nKWD,1234.568,K\n\
         EUR,1000000.00,TOTAL\nJPY,500000,TOTAL\nKWD,1234.568,TOTAL\n"
            .replace(",TOTAL", ",")
    );
    let doc = age(&wd, &inv, &pay, &[&["-f", "json"], &cols[..]].concat()).json();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&doc["rows"][0]), ["currency", "overdue", "customer"]);
    assert_eq!(keys(&doc["totals"][0]), ["currency", "overdue", "customer"]);
    assert_eq!(doc["rows"][0]["overdue"].to_string(), "1000000.00");
    assert_eq!(doc["totals"][2]["overdue"].to_string(), "1234.568");
    let nd = age(&wd, &inv, &pay, &[&["-f", "ndjson"], &cols[..]].concat());
    assert_eq!(
        nd.ok().lines().next().unwrap(),
        "{\"currency\":\"EUR\",\"overdue\":1000000.00,\"customer\":\"A\"}"
    );
    let table = age(&wd, &inv, &pay, &cols);
    let header = table.ok().lines().nth(1).unwrap().to_string();
    let names: Vec<&str> = header.split(['│', '┆']).map(str::trim).filter(|s| !s.is_empty()).collect();
    assert_eq!(names, ["currency", "overdue", "customer"]);
}

#[test]
fn unknown_column_is_a_usage_error_listing_the_fields() {
    let (wd, inv, pay) = setup();
    let run = age(&wd, &inv, &pay, &["--columns", "customer,overdeu"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("'overdeu'"), "{}", run.stderr);
    assert!(run.stderr.contains("customer,customer_name,currency,current,days_1_30"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

/// `plan schedule` has totals with their own fields: `--columns` picks from
/// both. 1000 in 2 monthly installments without interest: 500.00 each.
#[test]
fn columns_reach_separate_totals() {
    let wd = Workdir::new();
    let args = ["plan", "schedule", "--amount", "1000", "--installments", "2", "--start", "2025-01-31"];
    let doc =
        wd.run(&[&args[..], &["-f", "json", "--columns", "total_paid,due_date,installment"]].concat()).json();
    assert_eq!(doc["rows"][1].to_string(), r#"{"due_date":"2025-03-31","installment":500.00}"#);
    assert_eq!(doc["totals"][0].to_string(), r#"{"total_paid":1000.00}"#);
    // Such totals do not fit the rows' CSV: `--totals` says where they are
    // instead of leaving them out without a word.
    let run = wd.run(&[&args[..], &["-f", "csv", "--totals"]].concat());
    assert_eq!(run.ok().lines().count(), 3, "the header and the two installments");
    assert!(
        run.stderr.contains("--totals: the totals of `plan schedule` have other columns"),
        "{}",
        run.stderr
    );
}

const AGE_TABLE: &str = "\
┌──────────┬─────────────────┬──────────┬─────────┬───────────┬────────────┬────────────┬─────────────┬───────────────┬──────────────┬──────────────┬─────────────┬────────────────┬───────────────────┐
│ customer ┆ customer_name   ┆ currency ┆ current ┆ days_1_30 ┆ days_31_60 ┆ days_61_90 ┆ days_91_120 ┆ days_over_120 ┆ total_open   ┆ overdue      ┆ overdue_pct ┆ open_documents ┆ max_days_past_due │
╞══════════╪═════════════════╪══════════╪═════════╪═══════════╪════════════╪════════════╪═════════════╪═══════════════╪══════════════╪══════════════╪═════════════╪════════════════╪═══════════════════╡
│ A        ┆ Alfa =SUM(1)    ┆ EUR      ┆  100.50 ┆      0.00 ┆       0.00 ┆       0.00 ┆        0.00 ┆  1,000,000.00 ┆ 1,000,100.50 ┆ 1,000,000.00 ┆       99.99 ┆              2 ┆               150 │
│ B        ┆ =HYPERLINK(\"x\") ┆ JPY      ┆       0 ┆         0 ┆          0 ┆          0 ┆     500,000 ┆             0 ┆      500,000 ┆      500,000 ┆      100.00 ┆              1 ┆                91 │
│ K        ┆ Kappa           ┆ KWD      ┆   0.000 ┆     0.000 ┆      0.000 ┆  1,234.568 ┆       0.000 ┆         0.000 ┆    1,234.568 ┆    1,234.568 ┆      100.00 ┆              1 ┆                61 │
│ TOTAL    ┆                 ┆ EUR      ┆  100.50 ┆      0.00 ┆       0.00 ┆       0.00 ┆        0.00 ┆  1,000,000.00 ┆ 1,000,100.50 ┆ 1,000,000.00 ┆       99.99 ┆              2 ┆               150 │
│ TOTAL    ┆                 ┆ JPY      ┆       0 ┆         0 ┆          0 ┆          0 ┆     500,000 ┆             0 ┆      500,000 ┆      500,000 ┆      100.00 ┆              1 ┆                91 │
│ TOTAL    ┆                 ┆ KWD      ┆   0.000 ┆     0.000 ┆      0.000 ┆  1,234.568 ┆       0.000 ┆         0.000 ┆    1,234.568 ┆    1,234.568 ┆      100.00 ┆              1 ┆                61 │
└──────────┴─────────────────┴──────────┴─────────┴───────────┴────────────┴────────────┴─────────────┴───────────────┴──────────────┴──────────────┴─────────────┴────────────────┴───────────────────┘
";

/// Wide enough: the plain table, money grouped in threes with the
/// currency's digits (JPY 0, KWD 3), `TOTAL` in the totals' empty first column.
#[test]
fn table_groups_money_and_labels_totals() {
    let (wd, inv, pay) = setup();
    let args = ["age", &inv, "--payments", &pay, "--as-of", "2025-06-30"];
    assert_eq!(wd.run_with_env(&args, &[("COLUMNS", "300")]).ok(), AGE_TABLE);
}

#[test]
fn table_with_decimal_comma_groups_with_dots() {
    let (wd, inv, pay) = setup();
    let args = ["age", &inv, "--payments", &pay, "--as-of", "2025-06-30", "--out-decimal-comma"];
    let args = [&args[..], &["--columns", "customer,total_open,overdue_pct"]].concat();
    let expected = "\
┌──────────┬──────────────┬─────────────┐
│ customer ┆ total_open   ┆ overdue_pct │
╞══════════╪══════════════╪═════════════╡
│ A        ┆ 1.000.100,50 ┆       99,99 │
│ B        ┆      500.000 ┆      100,00 │
│ K        ┆    1.234,568 ┆      100,00 │
│ TOTAL    ┆ 1.000.100,50 ┆       99,99 │
│ TOTAL    ┆      500.000 ┆      100,00 │
│ TOTAL    ┆    1.234,568 ┆      100,00 │
└──────────┴──────────────┴─────────────┘
";
    assert_eq!(wd.run_with_env(&args, &[("COLUMNS", "80")]).ok(), expected);
}

/// Too wide for 100 columns and 6 rows: one line per field, one column per
/// row. `--by none` totals have a currency in their first cell, so `TOTAL`
/// goes to a label line of its own.
#[test]
fn wide_short_table_is_transposed() {
    let (wd, inv, pay) = setup();
    let args = ["age", &inv, "--payments", &pay, "--as-of", "2025-06-30", "--by", "none"];
    let args =
        [&args[..], &["--columns", "currency,days_over_120,total_open,overdue_pct,open_documents"]].concat();
    let expected = "\
┌────────────────┬──────────────┬─────────┬───────────┬──────────────┬─────────┬───────────┐
│                ┆              ┆         ┆           ┆ TOTAL        ┆ TOTAL   ┆ TOTAL     │
│ currency       ┆ EUR          ┆ JPY     ┆ KWD       ┆ EUR          ┆ JPY     ┆ KWD       │
│ days_over_120  ┆ 1,000,000.00 ┆       0 ┆     0.000 ┆ 1,000,000.00 ┆       0 ┆     0.000 │
│ total_open     ┆ 1,000,100.50 ┆ 500,000 ┆ 1,234.568 ┆ 1,000,100.50 ┆ 500,000 ┆ 1,234.568 │
│ overdue_pct    ┆        99.99 ┆  100.00 ┆    100.00 ┆        99.99 ┆  100.00 ┆    100.00 │
│ open_documents ┆            2 ┆       1 ┆         1 ┆            2 ┆       1 ┆         1 │
└────────────────┴──────────────┴─────────┴───────────┴──────────────┴─────────┴───────────┘
";
    assert_eq!(wd.run_with_env(&args, &[("COLUMNS", "80")]).ok(), expected);
    let plain = wd.run_with_env(&args, &[("COLUMNS", "120")]);
    assert!(plain.ok().lines().nth(1).unwrap().contains("currency ┆ days_over_120"), "{}", plain.stdout);
}

/// More than 12 rows stay a plain table however wide: 13 customers.
#[test]
fn long_table_is_never_transposed() {
    let wd = Workdir::new();
    let mut csv = String::from("customer,invoice,due_date,amount\n");
    for i in 0..13 {
        csv.push_str(&format!("C{i:02},F{i},2025-01-01,10\n"));
    }
    let inv = wd.write("inv.csv", &csv);
    let run = wd.run_with_env(&["age", &inv, "--as-of", "2025-06-30"], &[("COLUMNS", "40")]);
    let lines: Vec<&str> = run.ok().lines().collect();
    assert!(lines[1].starts_with("│ customer ┆ currency"), "{}", run.stdout);
    assert_eq!(lines.len(), 3 + 13 + 1 + 1, "{}", run.stdout);
}

/// `kpi` for one month and two currencies (the fixtures: EUR and USD) in a
/// 100-column terminal: transposed, every line fits, and each value is the
/// JSON's (money grouped in threes).
#[test]
fn kpi_one_month_two_currencies_fits_100_columns() {
    let wd = Workdir::new();
    let args =
        ["kpi", "fixtures/invoices.csv", "--payments", "fixtures/payments.csv", "--as-of", "2025-06-30"];
    let table = wd.run_with_env(&args, &[("COLUMNS", "100")]).ok().to_string();
    let doc = wd.run(&[&args[..], &["-f", "json"]].concat()).json();
    let records: Vec<&Value> =
        doc["rows"].as_array().unwrap().iter().chain(doc["totals"].as_array().unwrap()).collect();
    assert_eq!(records.len(), 4);
    assert!(table.lines().all(|l| l.chars().count() <= 100), "{table}");
    let lines: Vec<Vec<String>> = table
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(|l| l.trim_matches('│').split('┆').map(|c| c.trim().to_string()).collect())
        .collect();
    assert_eq!(lines[0], ["", "", "", "TOTAL", "TOTAL"]);
    let fields: Vec<&String> = records[0].as_object().unwrap().keys().collect();
    assert_eq!(lines.len(), 1 + fields.len());
    for (line, field) in lines[1..].iter().zip(&fields) {
        assert_eq!(&line[0], *field);
        for (cell, record) in line[1..].iter().zip(&records) {
            let expected = match &record[field.as_str()] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Number(n) if !field.ends_with("_pct") && !n.to_string().contains('.') => n.to_string(),
                Value::Number(n) => grouped(&n.to_string(), field),
                other => other.to_string(),
            };
            assert_eq!(cell, &expected, "{field}");
        }
    }
}

/// Thousands separators for money fields only (not rates or day averages).
fn grouped(number: &str, field: &str) -> String {
    let money = ["overdue_owed", "recovered", "ar_begin", "ar_end", "current_end", "sales", "overdue_end"];
    if !money.contains(&field) {
        return number.to_string();
    }
    let (sign, rest) = number.strip_prefix('-').map_or(("", number), |r| ("-", r));
    let (int, frac) = rest.split_once('.').unwrap();
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}.{frac}")
}

/// The European CSV opened by LibreOffice with a Spanish locale (`;`
/// separator, decimal comma: filter options `59,34,76,1,,3082`) and saved as
/// xlsx: every money and rate cell is a number equal to the JSON. Needs
/// `soffice` (libreoffice-calc-nogui): `cargo test --test output -- --ignored`.
#[test]
#[ignore = "needs LibreOffice (soffice) on PATH"]
fn spanish_libreoffice_reads_decimal_comma_csv_as_numbers() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let (wd, inv, pay) = setup();
    let csv = out_path(&wd, "es.csv");
    age(&wd, &inv, &pay, &["--out-decimal-comma", "--bom", "-o", &csv]).ok();
    let status = std::process::Command::new("soffice")
        .args(["--headless", "--infilter=CSV:59,34,76,1,,3082", "--convert-to", "xlsx", "--outdir"])
        .arg(wd.path(""))
        .arg(&csv)
        .status()
        .expect("soffice runs");
    assert!(status.success());
    let doc = age(&wd, &inv, &pay, &["-f", "json"]).json();
    let mut book: Xlsx<_> = open_workbook(wd.path("es.xlsx")).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let json_rows = doc["rows"].as_array().unwrap();
    assert_eq!(range.height(), 1 + json_rows.len());
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    for (row, json) in rows.zip(json_rows) {
        for (field, cell) in header.iter().zip(row) {
            if let Value::Number(n) = &json[field.as_str()] {
                let expected = n.to_string().parse::<f64>().unwrap();
                assert!(
                    matches!(cell, Data::Float(f) if *f == expected) || *cell == Data::Int(expected as i64),
                    "{field}: {cell:?}"
                );
            }
        }
    }
}
