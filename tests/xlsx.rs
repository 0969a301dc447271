//! `-f xlsx` / `-o FILE.xlsx`, read back with calamine: for every command on
//! the fixtures, each cell equals the command's JSON (money to the cent as
//! numbers, dates as dates, text as strings, null as empty); the sheets,
//! the number formats, the frozen header and the table are there.
mod common;
use calamine::{open_workbook, Data, Reader, Xlsx};
use common::Workdir;
use serde_json::Value;
use std::io::Read;

const INV: &str = "fixtures/invoices.csv";
const PAY: &str = "fixtures/payments.csv";

/// Runs the command as JSON and as a workbook and compares them cell by cell.
fn assert_xlsx_equals_json(args: &[&str]) {
    let wd = Workdir::new();
    let doc = wd.run(&[args, &["-f", "json"]].concat()).json();
    let path = wd.path("out.xlsx").to_string_lossy().into_owned();
    assert_eq!(wd.run(&[args, &["-o", &path]].concat()).ok(), "");
    let mut book: Xlsx<_> = open_workbook(&path).expect("a workbook");
    let command = doc["command"].as_str().unwrap();
    let totals = doc["totals"].as_array().unwrap();
    let mut sheets = vec![command.to_string()];
    if !totals.is_empty() {
        sheets.push("totals".into());
    }
    sheets.push("params".into());
    assert_eq!(book.sheet_names(), sheets, "{args:?}");
    compare_sheet(&mut book, command, doc["rows"].as_array().unwrap());
    if !totals.is_empty() {
        compare_sheet(&mut book, "totals", totals);
    }
    compare_params(&mut book, &doc);
    for sheet in &sheets {
        let formulas = book.worksheet_formula(sheet).unwrap();
        assert!(formulas.cells().all(|(_, _, f)| f.is_empty()), "{sheet}: a formula");
    }
}

fn compare_sheet(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, sheet: &str, records: &[Value]) {
    let range = book.worksheet_range(sheet).unwrap();
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    if let Some(first) = records.first() {
        let fields: Vec<&String> = first.as_object().unwrap().keys().collect();
        assert_eq!(header.iter().collect::<Vec<_>>(), fields, "{sheet}");
    }
    let body: Vec<&[Data]> = rows.collect();
    assert_eq!(body.len(), records.len(), "{sheet}");
    for (n, (row, record)) in body.iter().zip(records).enumerate() {
        for (c, field) in header.iter().enumerate() {
            let cell = row.get(c).unwrap_or(&Data::Empty);
            assert_cell(cell, &record[field.as_str()], &format!("{sheet} row {n} {field}"));
        }
    }
}

fn assert_cell(cell: &Data, json: &Value, at: &str) {
    match (json, cell) {
        (Value::Null, Data::Empty) => {}
        (Value::Number(n), Data::Float(f)) => {
            assert_eq!(*f, n.to_string().parse::<f64>().unwrap(), "{at}")
        }
        (Value::Bool(b), Data::Bool(x)) => assert_eq!(b, x, "{at}"),
        (Value::String(s), Data::DateTime(d)) => assert_eq!(*s, excel_iso(d.as_f64()), "{at}"),
        (Value::String(s), Data::String(x)) => {
            assert_eq!(s, x, "{at}");
            assert!(!looks_like_date(s), "{at}: the date {s} is text");
        }
        (Value::Array(items), Data::String(x)) => {
            let joined: Vec<&str> = items.iter().map(|i| i.as_str().unwrap()).collect();
            assert_eq!(joined.join(" "), *x, "{at}");
        }
        (Value::Array(items), Data::Empty) if items.is_empty() => {}
        other => panic!("{at}: JSON and xlsx differ: {other:?}"),
    }
}

/// `command`, `as_of` (a date), then each param as JSON text.
fn compare_params(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, doc: &Value) {
    let range = book.worksheet_range("params").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows[0], [Data::String("param".into()), Data::String("value".into())]);
    assert_eq!(
        rows[1],
        [Data::String("command".into()), Data::String(doc["command"].as_str().unwrap().into())]
    );
    assert_cell(&rows[2][1], &doc["as_of"], "params as_of");
    let params = doc["params"].as_object().unwrap();
    assert_eq!(rows.len(), 3 + params.len());
    for (row, (name, value)) in rows[3..].iter().zip(params) {
        assert_eq!(row[0], Data::String(name.clone()));
        let Data::String(text) = &row[1] else { panic!("param {name}: {:?}", row[1]) };
        let read: Value = serde_json::from_str(text).unwrap();
        assert_eq!(read.to_string(), value.to_string(), "param {name}");
    }
}

/// An Excel serial day (1900 system, after February 1900) as ISO.
fn excel_iso(serial: f64) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    (epoch + chrono::Days::new(serial as u64)).format("%Y-%m-%d").to_string()
}

fn looks_like_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

#[test]
fn age_and_age_detail() {
    assert_xlsx_equals_json(&["age", INV, "--payments", PAY, "--as-of", "2025-06-30"]);
    assert_xlsx_equals_json(&["age", INV, "--payments", PAY, "--as-of", "2025-06-30", "--detail"]);
}

#[test]
fn kpi_by_month() {
    assert_xlsx_equals_json(&[
        "kpi",
        INV,
        "--payments",
        PAY,
        "--as-of",
        "2025-06-30",
        "--from",
        "2025-01-01",
        "--every",
        "month",
    ]);
}

#[test]
fn segment_worklist_and_summary() {
    assert_xlsx_equals_json(&["segment", INV, "--payments", PAY, "--as-of", "2025-06-30"]);
    assert_xlsx_equals_json(&["segment", INV, "--payments", PAY, "--as-of", "2025-06-30", "--summary"]);
}

#[test]
fn dunning() {
    let args =
        ["dunning", INV, "--payments", PAY, "--policy", "examples/policy.toml", "--as-of", "2025-06-30"];
    assert_xlsx_equals_json(&args);
}

#[test]
fn plan_schedule_offer_check() {
    assert_xlsx_equals_json(&[
        "plan",
        "schedule",
        "--amount",
        "10000",
        "--installments",
        "12",
        "--start",
        "2025-01-31",
        "--annual-rate",
        "12",
        "--down-payment",
        "500",
        "--as-of",
        "2025-06-30",
    ]);
    assert_xlsx_equals_json(&["plan", "offer", "--amount", "4800", "--discount", "15", "--annual-rate", "6"]);
    assert_xlsx_equals_json(&[
        "plan",
        "check",
        "examples/plans.csv",
        "--payments",
        "examples/plan_payments.csv",
        "--as-of",
        "2025-06-30",
    ]);
}

/// The hand-made export of tests/output.rs: EUR, JPY (0 digits), KWD (3
/// digits) and hostile texts.
const INVOICES: &str = "\
customer,customer_name,invoice,issue_date,due_date,amount,currency,disputed
A,Alfa,A-1,2025-01-01,2025-01-31,1234567.89,EUR,yes
B,=HYPERLINK(\"x\"),B-1,2025-03-01,2025-03-31,500000,JPY,
K,+Kappa,K-1,2025-03-01,2025-04-30,1234.568,KWD,
";

fn hostile_workbook() -> (Workdir, String) {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let path = wd.path("age.xlsx").to_string_lossy().into_owned();
    wd.run(&["age", &inv, "--as-of", "2025-06-30", "-o", &path]).ok();
    (wd, path)
}

/// A formula-looking text is a string cell, as it is, with no `'` guard.
#[test]
fn hostile_text_is_a_string_cell() {
    let (_wd, path) = hostile_workbook();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let range = book.worksheet_range("age").unwrap();
    let names: Vec<&Data> = range.rows().skip(1).map(|r| &r[1]).collect();
    assert_eq!(
        names,
        [
            &Data::String("Alfa".into()),
            &Data::String("=HYPERLINK(\"x\")".into()),
            &Data::String("+Kappa".into())
        ]
    );
    let (_wd, path) = hostile_workbook();
    let sheet = package_file(&path, "xl/worksheets/sheet1.xml");
    assert!(!sheet.contains("<f>"), "{sheet}");
}

/// Each money cell carries its currency's format; rates `0.00`, counts `0`,
/// dates `yyyy-mm-dd`; the header is frozen and the rows are a table with
/// an autofilter; columns are sized.
#[test]
fn number_formats_panes_and_table() {
    let (_wd, path) = hostile_workbook();
    // Row 2 A (EUR), 3 B (JPY), 4 K (KWD) sorted by overdue as numbers:
    // 1,234,567.89 EUR, 500,000 JPY, 1,234.568 KWD. Column J is total_open,
    // L overdue_pct, M open_documents.
    assert_eq!(format_of(&path, "sheet1", "J2"), "#,##0.00");
    assert_eq!(format_of(&path, "sheet1", "J3"), "#,##0");
    assert_eq!(format_of(&path, "sheet1", "J4"), "#,##0.000");
    assert_eq!(format_of(&path, "sheet1", "L4"), "0.00");
    assert_eq!(format_of(&path, "sheet1", "M4"), "0");
    let sheet = package_file(&path, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#));
    assert!(sheet.contains("<tableParts count=\"1\">"), "{sheet}");
    assert!(sheet.contains(r#"<col min="2" max="2" width="18.7109375" customWidth="1"/>"#), "{sheet}");
    let table = package_file(&path, "xl/tables/table1.xml");
    assert!(table.contains(r#"<autoFilter ref="A1:N4"/>"#), "{table}");
    assert!(table.contains(r#"<tableColumn id="1" name="customer"/>"#), "{table}");
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let detail = wd.path("d.xlsx").to_string_lossy().into_owned();
    wd.run(&["age", &inv, "--as-of", "2025-06-30", "--detail", "-o", &detail]).ok();
    // Detail: E issue_date, F due_date; K disputed (a boolean).
    assert_eq!(format_of(&detail, "sheet1", "F2"), "yyyy-mm-dd");
    let mut book: Xlsx<_> = open_workbook(&detail).unwrap();
    let range = book.worksheet_range("age").unwrap();
    assert_eq!(range.get((1, 10)), Some(&Data::Bool(true)));
    assert_eq!(range.get((1, 6)), Some(&Data::Float(1234567.89)));
}

#[test]
fn xlsx_needs_a_file() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let run = wd.run(&["age", &inv, "--as-of", "2025-06-30", "-f", "xlsx"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("-o FILE.xlsx"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

/// A report without rows still has its header, with an autofilter.
#[test]
fn empty_report_keeps_its_header() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", "customer,invoice,due_date,amount\nA,1,2025-01-01,10\n");
    let pay = wd.write("pay.csv", "invoice,date,amount\n1,2025-01-02,10\n");
    let path = wd.path("e.xlsx").to_string_lossy().into_owned();
    wd.run(&["age", &inv, "--payments", &pay, "--as-of", "2025-06-30", "-o", &path]).ok();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["age", "params"]);
    let range = book.worksheet_range("age").unwrap();
    assert_eq!(range.height(), 1);
    assert_eq!(range.get((0, 0)), Some(&Data::String("customer".into())));
    assert!(package_file(&path, "xl/worksheets/sheet1.xml").contains("<autoFilter ref=\"A1:"));
}

fn package_file(path: &str, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

/// The number format code of one cell: its style index `s` -> the
/// `cellXfs` entry -> its `numFmtId` -> the `numFmt` code.
fn format_of(path: &str, sheet: &str, cell: &str) -> String {
    let xml = package_file(path, &format!("xl/worksheets/{sheet}.xml"));
    let start = xml.find(&format!("<c r=\"{cell}\"")).unwrap_or_else(|| panic!("no cell {cell}"));
    let tag = &xml[start..start + xml[start..].find('>').unwrap()];
    let style: usize = attribute(tag, "s").parse().unwrap();
    let styles = package_file(path, "xl/styles.xml");
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let xf = xfs.split("<xf ").nth(style + 1).unwrap();
    let id = attribute(xf, "numFmtId");
    let fmt_start = styles.find(&format!("numFmtId=\"{id}\" formatCode=\"")).unwrap();
    attribute(&styles[fmt_start..], "formatCode").replace("&quot;", "\"")
}

fn attribute(tag: &str, name: &str) -> String {
    let key = format!(" {name}=\"");
    let padded = format!(" {tag}");
    let start = padded.find(&key).unwrap_or_else(|| panic!("no {name} in {tag}")) + key.len();
    padded[start..start + padded[start..].find('"').unwrap()].to_string()
}

/// `cobro report -o FILE.xlsx`: one sheet per section, each the rows (and
/// totals) of the command it comes from, equal to that command's JSON.
#[test]
fn report_workbook_holds_each_commands_sheet() {
    let wd = Workdir::new();
    let path = wd.path("report.xlsx").to_string_lossy().into_owned();
    let data = ["fixtures/invoices.csv", "--payments", "fixtures/payments.csv"];
    let common = ["--as-of", "2025-06-30"];
    let report = [
        &["report"][..],
        &data,
        &["--policy", "examples/policy.toml", "--plans", "examples/plans.csv"],
        &["--plan-payments", "examples/plan_payments.csv", "--promises", "examples/promises.csv"],
        &common,
        &["-o", &path],
    ]
    .concat();
    wd.run(&report).ok();
    let mut book: Xlsx<_> = open_workbook(&path).expect("a workbook");
    let names = [
        "age",
        "age totals",
        "kpi",
        "kpi totals",
        "segment",
        "dunning",
        "plan check",
        "promise",
        "promise totals",
    ];
    assert_eq!(book.sheet_names(), names);
    let json = |args: &[&str]| wd.run(&[args, &common, &["-f", "json"]].concat()).json();
    let kpi =
        [&["kpi"][..], &data, &["--every", "month", "--from", "2024-06-01", "--to", "2025-06-30"]].concat();
    let sources = [
        ("age", json(&[&["age"][..], &data].concat())),
        ("kpi", json(&kpi)),
        ("segment", json(&[&["segment"][..], &data, &["--top", "20"]].concat())),
        // Given the report's plans and promises, as `cobro dunning` takes them.
        (
            "dunning",
            json(
                &[
                    &["dunning"][..],
                    &data,
                    &["--policy", "examples/policy.toml", "--plans", "examples/plans.csv"],
                    &["--plan-payments", "examples/plan_payments.csv", "--promises", "examples/promises.csv"],
                ]
                .concat(),
            ),
        ),
        (
            "plan check",
            json(&["plan", "check", "examples/plans.csv", "--payments", "examples/plan_payments.csv"]),
        ),
        ("promise", json(&[&["promise"][..], &data, &["--promises", "examples/promises.csv"]].concat())),
    ];
    for (sheet, doc) in &sources {
        compare_sheet(&mut book, sheet, doc["rows"].as_array().unwrap());
        let totals = doc["totals"].as_array().unwrap();
        if !totals.is_empty() {
            compare_sheet(&mut book, &format!("{sheet} totals"), totals);
        }
    }
}
