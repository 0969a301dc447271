//! `--disputes FILE` end to end: "in dispute" (SPEC §1) in age, kpi,
//! segment and dunning, and the disputes file's bad rows.
mod common;
use common::Workdir;

/// All due 2025-04-01. have the `disputed` column set; the
/// file names but not X-2.
const INVOICES: &str = "customer,customer_name,invoice,issue_date,due_date,amount,disputed
X,Xeno,X-1,2025-03-01,2025-04-01,1000.00,
X,Xeno,X-2,2025-03-01,2025-04-01,400.00,yes
X,Xeno,X-3,2025-03-01,2025-04-01,300.00,yes
X,Xeno,X-4,2025-03-01,2025-04-01,200.00,
X,Xeno,X-5,2025-03-01,2025-04-01,100.00,
";

const PAYMENTS: &str = "invoice,date,amount\nX-1,2025-06-20,250.00\n";

/// X-3 closed on 2025-06-30; X-4 disputed twice (closed, then reopened);
/// X-5 closed the day it opened (its id is D5: the line number).
const DISPUTES: &str = "dispute_id,invoice,opened,closed,reason,outcome
D-3,X-3,2025-05-05,2025-06-30,quantity,credit note
D-4a,X-4,2025-05-01,2025-05-10,price,rejected
D-4b,X-4,2025-06-01,,price,
,X-5,2025-06-15,2025-06-15,,withdrawn
";

fn setup() -> (Workdir, String, String, String) {
    let w = Workdir::new();
    let inv = w.write("inv.csv", INVOICES);
    let pay = w.write("pay.csv", PAYMENTS);
    let dis = w.write("disputes.csv", DISPUTES);
    (w, inv, pay, dis)
}

fn disputed_column(w: &Workdir, args: &[&str]) -> Vec<(String, String)> {
    let rows = w.run(args).csv_rows();
    let mut list: Vec<(String, String)> =
        rows.iter().map(|r| (r["invoice"].clone(), r["disputed"].clone())).collect();
    list.sort();
    list
}

#[test]
fn age_detail_says_which_documents_are_in_dispute_at_the_as_of_date() {
    let (w, inv, pay, dis) = setup();
    let base = ["age", &inv, "--payments", &pay, "--detail", "-f", "csv"];
    let with_file = |as_of: &str| {
        let mut args = base.to_vec();
        args.extend(["--disputes", &dis, "--as-of", as_of]);
        disputed_column(&w, &args)
    };
    let flags = |list: Vec<(String, String)>| list.into_iter().map(|(_, d)| d).collect::<Vec<_>>();
    // 06-30: X-2 by its column; X-3 closed that day: no; X-4 reopened 06-01:
    // yes; X-5 closed the day it opened: no.
    assert_eq!(flags(with_file("2025-06-30")), vec!["false", "true", "false", "true", "false"]);
    // 06-29: X-3 still open (closes 06-30).
    assert_eq!(flags(with_file("2025-06-29")), vec!["false", "true", "true", "true", "false"]);
    // 05-20: X-4 between its two disputes.
    assert_eq!(flags(with_file("2025-05-20")), vec!["false", "true", "true", "false", "false"]);
    // Without the file: the column alone.
    let mut args = base.to_vec();
    args.extend(["--as-of", "2025-06-30"]);
    assert_eq!(flags(disputed_column(&w, &args)), vec!["false", "true", "true", "false", "false"]);
}

/// May: opened D-3 (05-05) and D-4a (05-01); resolved D-4a in 9 days; open
/// at 05-31: D-3; in dispute then: X-2 (column) 400 + X-3 300 = 700.00 of
/// ar_end 2000.00 = 35.00 %. June: opened D-4b and D5; resolved D-3
/// (06-30 - 05-05 = 56 days) and D5 (0 days): 28.00; open at 06-30: D-4b;
/// in dispute: X-2 400 + X-4 200 = 600.00 of 1750.00 (X-1 paid 250) =
/// 34.29 %. The range: 4 opened, 3 resolved, (9 + 56 + 0) / 3 = 21.67.
#[test]
fn kpi_counts_disputes_per_period() {
    let (w, inv, pay, dis) = setup();
    let args = [
        "kpi",
        &inv,
        "--payments",
        &pay,
        "--disputes",
        &dis,
        "--from",
        "2025-05-01",
        "--every",
        "month",
        "--as-of",
        "2025-06-30",
        "-f",
        "json",
    ];
    let json = w.run(&args).json();
    let fields = [
        "disputes_opened",
        "disputes_resolved",
        "avg_days_to_resolve",
        "disputes_open_end",
        "disputed_open_end",
        "disputed_pct",
    ];
    let values = |row: &serde_json::Value| fields.map(|f| row[f].to_string()).to_vec();
    assert_eq!(values(&json["rows"][0]), vec!["2", "1", "9.00", "1", "700.00", "35.00"]);
    assert_eq!(values(&json["rows"][1]), vec!["2", "2", "28.00", "1", "600.00", "34.29"]);
    assert_eq!(values(&json["totals"][0]), vec!["4", "3", "21.67", "1", "600.00", "34.29"]);
    // Without the file the fields are not there at all.
    let plain = w.run(&["kpi", &inv, "--payments", &pay, "--as-of", "2025-06-30", "-f", "csv"]);
    assert!(!plain.ok().contains("disputes_opened"));
}

#[test]
fn segment_disputed_open_and_dunning_exclude_disputed_follow_the_file() {
    let (w, inv, pay, dis) = setup();
    let seg = |extra: &[&str]| {
        let mut args =
            vec!["segment", inv.as_str(), "--payments", &pay, "--as-of", "2025-06-30", "-f", "csv"];
        args.extend_from_slice(extra);
        w.run(&args).csv_rows()[0]["disputed_open"].clone()
    };
    // X-2 400 + X-4 200 with the file; X-2 400 + X-3 300 without.
    assert_eq!(seg(&["--disputes", &dis]), "600.00");
    assert_eq!(seg(&[]), "700.00");
    let policy =
        w.write("policy.toml", "[[level]]\nname = \"reminder\"\ndays = 7\ntemplate = \"{invoices}\"\n");
    let dun = |extra: &[&str]| {
        let mut args = vec![
            "dunning",
            inv.as_str(),
            "--payments",
            &pay,
            "--policy",
            &policy,
            "--as-of",
            "2025-06-30",
            "-f",
            "csv",
        ];
        args.extend_from_slice(extra);
        let rows = w.run(&args).csv_rows();
        (rows[0]["invoices"].clone(), rows[0]["overdue"].clone())
    };
    // Listed: open, past due, not in dispute: X-1 750 + X-3 300 + X-5 100.
    assert_eq!(dun(&["--disputes", &dis]), ("X-1 X-3 X-5".to_string(), "1150.00".to_string()));
    // Without the file: X-1 750 + X-4 200 + X-5 100.
    assert_eq!(dun(&[]), ("X-1 X-4 X-5".to_string(), "1050.00".to_string()));
}

#[test]
fn bad_dispute_rows_name_file_line_column_and_value() {
    let (w, inv, pay, _) = setup();
    let header = "dispute_id,invoice,opened,closed\nA,X-4,2025-05-01,2025-05-10\nB,X-4,2025-05-10,2025-05-20\nC,X-4,2025-05-12,2025-05-12\n";
    let cases = [
        ("E,Z-9,2025-05-01,", "bad.csv:5: column \"invoice\": value \"Z-9\": no invoice with this id"),
        ("E,X-1,2025-05-02,2025-05-01", "bad.csv:5: column \"closed\": value \"2025-05-01\": the dispute closes before it opened"),
        ("A,X-1,2025-05-02,", "bad.csv:5: column \"dispute_id\": value \"A\": duplicate dispute id"),
        ("E,X-4,2025-05-15,", "bad.csv:5: column \"opened\": value \"2025-05-15\": invoice X-4 is already in dispute then (dispute B, opened 2025-05-10, closed 2025-05-20)"),
        ("E,X-4,2025-04-20,2025-05-02", "bad.csv:5: column \"opened\": value \"2025-04-20\": invoice X-4 is already in dispute then (dispute A"),
        ("E,X-1,,", "bad.csv:5: column \"opened\": value \"\": the opened date is missing"),
    ];
    for (row, message) in cases {
        let file = w.write("bad.csv", &format!("{header}{row}\n"));
        let run = w.run(&["age", &inv, "--payments", &pay, "--disputes", &file, "--as-of", "2025-06-30"]);
        run.fails_with(&[message]);
    }
    // Opened the day the previous one closed (B after A), or closed the day
    // it opened (C inside B): no overlap. Set aside, the bad rows are counted.
    let file = w.write("mixed.csv", &format!("{header}E,X-4,2025-05-15,\nF,X-4,2025-05-20,\n"));
    let rejects = w.path("rejects.csv");
    let run = w.run(&[
        "age",
        &inv,
        "--payments",
        &pay,
        "--disputes",
        &file,
        "--as-of",
        "2025-06-30",
        "--detail",
        "-f",
        "csv",
        "--skip-bad-rows",
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    let x4 = run.csv_rows().into_iter().find(|r| r["invoice"] == "X-4").unwrap();
    assert_eq!(x4["disputed"], "true", "F (opened 05-20, the day B closed) is open");
    assert!(run.stderr.contains("skipped 1 bad row(s)"), "{}", run.stderr);
    assert!(w.read("rejects.csv").lines().nth(1).unwrap().contains(",5,opened,2025-05-15,"));
}

/// Spanish headers by alias; --map for any other; a missing column lists the headers.
#[test]
fn dispute_headers_by_alias_and_by_map() {
    let (w, inv, pay, _) = setup();
    let es = w.write("disputas.csv", "Factura;Fecha apertura;Fecha cierre;Motivo\nX-1;2025-06-01;;precio\n");
    let run = w.run(&[
        "age",
        &inv,
        "--payments",
        &pay,
        "--disputes",
        &es,
        "--as-of",
        "2025-06-30",
        "--detail",
        "-f",
        "csv",
    ]);
    let x1 = run.csv_rows().into_iter().find(|r| r["invoice"] == "X-1").unwrap();
    assert_eq!(x1["disputed"], "true");
    let odd = w.write("odd.csv", "Doc,Since\nX-1,2025-06-01\n");
    let args = ["age", &inv, "--disputes", &odd, "--as-of", "2025-06-30", "--detail", "-f", "csv"];
    w.run(&args).fails_with(&["odd.csv", "no column for 'invoice'", "'Doc', 'Since'"]);
    let mut mapped = args.to_vec();
    mapped.extend(["--map", "invoice=Doc", "--map", "opened=Since"]);
    let x1 = w.run(&mapped).csv_rows().into_iter().find(|r| r["invoice"] == "X-1").unwrap();
    assert_eq!(x1["disputed"], "true");
}

/// A dispute of a document issued after the as-of date (L-1, issued 07-01,
/// disputed from 06-10) is ignored with its document; one opened before its
/// document's issue date (B-1 issued 06-15, disputed 06-12, open) counts as a
/// dispute but B-1 is in no balance on 06-14. As of 06-30, June: A-1's
/// dispute 06-01..06-20 (19 days) and B-1's opened: disputes_opened 2,
/// resolved 1, avg 19.00; open at 06-30: B-1's: 1; disputed_open_end = B-1's
/// 200.00 of ar_end 600.00 (A-1 1000 - 400) + 200.00 = 800.00: 25.00 %.
/// With --to 06-14 (06-01..06-14): A-1's and B-1's disputes opened (2), none
/// resolved (avg null), both open at E (2); B-1 is not issued yet, so only
/// A-1's 1000.00 (paid 06-25) is disputed, of ar_end 1000.00: 100.00 %.
#[test]
fn kpi_ignores_disputes_of_documents_issued_after_the_as_of_date() {
    let w = Workdir::new();
    let inv = w.write(
        "inv.csv",
        "customer,invoice,issue_date,due_date,amount
A,A-1,2025-03-01,2025-03-31,1000.00
B,B-1,2025-06-15,2025-07-15,200.00
L,L-1,2025-07-01,2025-07-31,300.00
",
    );
    let pay = w.write("pay.csv", "invoice,date,amount\nA-1,2025-06-25,400.00\n");
    let dis = w.write(
        "dis.csv",
        "invoice,opened,closed\nL-1,2025-06-10,\nA-1,2025-06-01,2025-06-20\nB-1,2025-06-12,\n",
    );
    let columns = "period_end,ar_end,disputes_opened,disputes_resolved,avg_days_to_resolve,disputes_open_end,disputed_open_end,disputed_pct";
    let kpi = |to: &str| {
        w.run(&[
            "kpi",
            &inv,
            "--payments",
            &pay,
            "--disputes",
            &dis,
            "--as-of",
            "2025-06-30",
            "--to",
            to,
            "-f",
            "csv",
            "--columns",
            columns,
        ])
        .ok()
        .to_string()
    };
    assert_eq!(kpi("2025-06-30"), format!("{columns}\n2025-06-30,800.00,2,1,19.00,1,200.00,25.00\n"));
    assert_eq!(kpi("2025-06-14"), format!("{columns}\n2025-06-14,1000.00,2,0,,2,1000.00,100.00\n"));
}

/// The disputes file of [`DISPUTES`] with day-first dates: `opened` reads
/// both ways on its first three rows (05/05, 01/05, 01/06) and is told day
/// first only by 15/06 on the fourth, as a column of the invoice file would
/// be (SPEC §2): the same disputes, so the same flags at 06-30 as the ISO
/// file gives (see the first test).
#[test]
fn a_day_first_column_is_told_by_any_of_its_rows() {
    let (w, inv, pay, _) = setup();
    let dis = w.write(
        "disputes_dmy.csv",
        "dispute_id,invoice,opened,closed,reason,outcome
D-3,X-3,05/05/2025,30/06/2025,quantity,credit note
D-4a,X-4,01/05/2025,10/05/2025,price,rejected
D-4b,X-4,01/06/2025,,price,
,X-5,15/06/2025,15/06/2025,,withdrawn
",
    );
    let args = [
        "age",
        &inv,
        "--payments",
        &pay,
        "--detail",
        "-f",
        "csv",
        "--disputes",
        &dis,
        "--as-of",
        "2025-06-30",
    ];
    let flags: Vec<String> = disputed_column(&w, &args).into_iter().map(|(_, d)| d).collect();
    assert_eq!(flags, vec!["false", "true", "false", "true", "false"]);
}
