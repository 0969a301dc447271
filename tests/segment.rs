//! `cobro segment` on hand-built customers at 2025-06-30 (default rules).
mod common;
use common::Workdir;

/// Overdue invoices are 100.00 each. Days past due at 2025-06-30:
/// K1 90 (+ a current 200.00: overdue_pct 33.33), K2 91, K3 61 (100 % overdue),
/// K4 60, K5 31, K6 30; K7 only a credit note; K8 new, nothing due;
/// K9 100 days in EUR and current in USD; K10 settled 5 days late and on time
/// (late share 50 %); K11 three short late episodes.
const INVOICES: &str = "\
customer,invoice,issue_date,due_date,amount,currency
K1,1a,2025-03-01,2025-04-01,100,EUR
K1,1b,2025-06-01,2025-07-31,200,EUR
K2,2a,2025-03-01,2025-03-31,100,EUR
K3,3a,2025-03-01,2025-04-30,100,EUR
K4,4a,2025-03-01,2025-05-01,100,EUR
K5,5a,2025-03-01,2025-05-30,100,EUR
K6,6a,2025-03-01,2025-05-31,100,EUR
K7,7a,2025-05-01,2025-06-01,-50,EUR
K8,8a,2025-06-20,2025-07-20,100,EUR
K9,9a,2025-02-01,2025-03-22,100,EUR
K9,9b,2025-06-15,2025-07-15,300,USD
K10,10a,2025-01-01,2025-02-01,100,EUR
K10,10b,2025-02-01,2025-03-01,100,EUR
K11,11a,2024-12-10,2025-01-10,100,EUR
K11,11b,2025-01-10,2025-02-10,100,EUR
K11,11c,2025-02-10,2025-03-10,100,EUR
";
const PAYMENTS: &str = "\
invoice,date,amount
10a,2025-02-06,100
10b,2025-03-01,100
11a,2025-01-15,100
11b,2025-02-15,100
11c,2025-03-15,100
";

fn segment(extra: &[&str]) -> (Workdir, Vec<std::collections::BTreeMap<String, String>>) {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let pay = wd.write("pay.csv", PAYMENTS);
    let mut args = vec!["segment", &inv, "--payments", &pay, "--as-of", "2025-06-30", "-f", "csv"];
    args.extend_from_slice(extra);
    let rows = wd.run(&args).csv_rows();
    (wd, rows)
}

#[test]
fn default_rules_at_their_boundaries_in_priority_order() {
    let (_, rows) = segment(&[]);
    let got: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {} {} {}", r["priority"], r["customer"], r["currency"], r["segment"]))
        .collect();
    assert_eq!(
        got,
        [
            "1 K2 EUR critical", // 91 > 90
            "2 K3 EUR critical", // 61 days and 100 % overdue
            "3 K9 EUR critical",
            "4 K1 EUR high",    // 90 days but only 33.33 % overdue
            "5 K4 EUR high",    // 60 is not > 60
            "6 K5 EUR high",    // 31 > 30
            "7 K11 EUR high",   // 3 episodes
            "8 K6 EUR medium",  // 30 days
            "9 K10 EUR medium", // late share 50 %
            "10 K8 EUR low",    // new customer
            "11 K9 USD low",
            "12 K7 EUR low", // only a credit note: overdue -50.00 ranks last
        ]
    );
}

#[test]
fn features_are_explained() {
    let (_, rows) = segment(&[]);
    let find = |c: &str, cur: &str| {
        rows.iter().find(|r| r["customer"] == c && r["currency"] == cur).unwrap().clone()
    };
    let k1 = find("K1", "EUR");
    assert_eq!(
        (k1["open"].as_str(), k1["overdue"].as_str(), k1["overdue_pct"].as_str()),
        ("300.00", "100.00", "33.33")
    );
    assert_eq!(k1["max_days_past_due"], "90");
    assert_eq!(k1["rule"], "max_days_past_due > 30 or episodes >= 3 or avg_days_late > 30");
    let k7 = find("K7", "EUR");
    assert_eq!(
        (k7["open"].as_str(), k7["overdue_pct"].as_str(), k7["max_days_past_due"].as_str()),
        ("-50.00", "", "0")
    );
    let k8 = find("K8", "EUR");
    assert_eq!(
        (k8["settled_invoices"].as_str(), k8["avg_days_late"].as_str(), k8["late_share_pct"].as_str()),
        ("0", "", "")
    );
    let k10 = find("K10", "EUR");
    assert_eq!(
        (k10["avg_days_late"].as_str(), k10["late_share_pct"].as_str(), k10["open"].as_str()),
        ("2.50", "50.00", "0.00")
    );
    let k11 = find("K11", "EUR");
    assert_eq!((k11["episodes"].as_str(), k11["avg_days_late"].as_str()), ("3", "5.00"));
    // With 5 days of grace, K11's payments on the 5th day are no longer late episodes.
    let (_, graced) = segment(&["--grace", "5"]);
    let k11 = graced.iter().find(|r| r["customer"] == "K11").unwrap();
    assert_eq!((k11["episodes"].as_str(), k11["late_share_pct"].as_str()), ("0", "0.00"));
}

#[test]
fn custom_rules_first_match_wins_and_unmatched_rank_last() {
    let wd = Workdir::new();
    let rules = wd.write(
        "rules.toml",
        "[[segment]]\nname = \"watch\"\nwhen = \"open >= 100\"\naction = \"call\"\n\n[[segment]]\nname = \"big\"\nwhen = \"open >= 300\"\naction = \"never reached\"\n",
    );
    let (_, rows) = segment(&["--rules", &rules]);
    let k1 = rows.iter().find(|r| r["customer"] == "K1").unwrap();
    assert_eq!(k1["segment"], "watch"); // 300 also matches "big", but "watch" comes first
    let last = rows.last().unwrap();
    assert_eq!(last["segment"], ""); // K7 (-50) matches nothing: null, ranked last
    assert_eq!(last["customer"], "K7");
    let (_, top) = segment(&["--segment", "watch", "--top", "2"]);
    assert!(top.is_empty(), "default rules have no 'watch' segment");
    let (_, critical) = segment(&["--segment", "critical", "--top", "2"]);
    let names: Vec<&str> = critical.iter().map(|r| r["customer"].as_str()).collect();
    assert_eq!(names, ["K2", "K3"]);
}

#[test]
fn bad_rule_expressions_point_at_the_text() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let rules = wd.write(
        "rules.toml",
        "[[segment]]\nname = \"x\"\nwhen = \"overdue > 5 and dayz > 3\"\naction = \"a\"\n",
    );
    let run = wd.run(&["segment", &inv, "--as-of", "2025-06-30", "--rules", &rules]);
    run.fails_with(&["rules.toml", "rule 'x'", "column 17", "unknown feature 'dayz'", "max_days_past_due"]);
}

#[test]
fn summary_per_segment_and_currency() {
    let (_, rows) = segment(&["--summary"]);
    let critical_eur = &rows[0];
    assert_eq!((critical_eur["segment"].as_str(), critical_eur["currency"].as_str()), ("critical", "EUR"));
    assert_eq!((critical_eur["customers"].as_str(), critical_eur["overdue"].as_str()), ("3", "300.00"));
    // EUR overdue in all: 300 critical + 300 high + 100 medium - 50 low = 650 -> 46.15 %
    assert_eq!(critical_eur["overdue_share_pct"], "46.15");
}

/// `--top 2` cuts the list before it is summed: critical K2, K3 and K9 tie
/// on overdue 100.00 and rank by customer, so K2 and K3 are the two rows
/// listed, and they are all the summary counts (the summary used to ignore
/// --top and count all 11 customers).
#[test]
fn summary_counts_only_the_rows_top_lists() {
    let (_, rows) = segment(&["--summary", "--top", "2"]);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(
        (r["segment"].as_str(), r["currency"].as_str(), r["customers"].as_str()),
        ("critical", "EUR", "2")
    );
    assert_eq!(
        (r["open"].as_str(), r["overdue"].as_str(), r["overdue_share_pct"].as_str()),
        ("200.00", "200.00", "100.00")
    );
}

/// A `when` nested 30,000 deep overflowed the stack (exit 134): it is now a
/// rules-file error naming the file, the rule and the column where nesting
/// passes 64 levels, quoting only the start of the expression.
#[test]
fn deeply_nested_rule_is_an_error_pointing_at_the_text() {
    let wd = Workdir::new();
    let deep = format!("{}max_days_past_due > 1{}", "(".repeat(30_000), ")".repeat(30_000));
    let rules = wd.write("deep.toml", &format!("[[segment]]\nname = \"deep\"\nwhen = \"{deep}\"\n"));
    let inv = wd.write("inv.csv", "customer,invoice,due_date,amount\nC1,I1,2025-01-01,100\n");
    let run = wd.run(&["segment", &inv, "--as-of", "2025-06-30", "--rules", &rules]);
    run.fails_with(&["deep.toml", "rule 'deep'", "at column 65", "deeper than 64"]);
    assert!(run.stderr.len() < 400, "the message quotes a value, not the file: {}", run.stderr.len());
}

/// A 70,000-character action took seconds per row in the table (the table
/// library's limit is 65,535 columns): the table shows 999 characters and
/// `…`, the CSV keeps the whole action.
#[test]
fn huge_cells_are_cut_in_the_table_only() {
    let wd = Workdir::new();
    let action = "call ".repeat(14_000);
    let rules = wd.write(
        "long.toml",
        &format!("[[segment]]\nname = \"all\"\nwhen = \"true\"\naction = \"{action}\"\n"),
    );
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,due_date,amount\nC1,I1,2025-01-01,100\nC2,I2,2025-01-01,100\nC3,I3,2025-01-01,100\n",
    );
    let args = ["segment", inv.as_str(), "--as-of", "2025-06-30", "--rules", rules.as_str()];
    let table = wd.run(&args);
    let shown = format!("{}…", &action[..999]);
    // Three rows and wide: the table is transposed, the three cut cells on one line.
    let start: String = table.ok().chars().take(200).collect();
    assert_eq!(table.stdout.matches(&shown).count(), 3, "{start}");
    assert!(!table.stdout.contains(&action[..1001]));
    let csv = wd.run(&[&args[..], &["-f", "csv"]].concat()).csv_rows();
    assert_eq!(csv.len(), 3);
    assert!(csv.iter().all(|r| r["action"] == action), "CSV keeps the full text");
}

/// A single-file export's `open_amount` is an undated payment (SPEC §1): it
/// counts for `open` and settles U-1 (100.00, open 0) on its issue date
/// 2025-03-01, 0 days late (due 2025-04-01); U-2 (200.00, open 50.00) is
/// still open, 30 days past due at 2025-05-01. cobro says on stderr that 2
/// undated payments were read, as kpi and forecast do.
#[test]
fn undated_payments_are_counted_and_told_about() {
    let w = Workdir::new();
    let inv = w.write(
        "open_items.csv",
        "customer,invoice,issue_date,due_date,amount,open_amount
U,U-1,2025-03-01,2025-04-01,100.00,0
U,U-2,2025-03-01,2025-04-01,200.00,50.00
",
    );
    let run = w.run(&["segment", &inv, "--as-of", "2025-05-01", "-f", "csv"]);
    let rows = run.csv_rows();
    let row = &rows[0];
    assert_eq!((row["open"].as_str(), row["max_days_past_due"].as_str()), ("50.00", "30"));
    assert_eq!((row["settled_invoices"].as_str(), row["avg_days_late"].as_str()), ("1", "0.00"));
    assert!(run.stderr.contains("2 undated payment(s)"), "{}", run.stderr);
}
