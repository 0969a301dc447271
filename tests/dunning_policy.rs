//! `cobro dunning` policies: an `escalate` level without a template, and
//! late interest from a rate calendar (`[interest] rates = "FILE"`).
mod common;
use common::Workdir;

const LADDER: &str = r#"[[level]]
name = "reminder"
days = 7
template = "Dear {customer}: {total_due}"
[[level]]
name = "legal"
days = 60
action = "escalate"
"#;

/// An escalate level may have no template: the row is listed, no letter is
/// written for it. A is 90 days late and had its reminder 30 days ago, so it
/// escalates; B is 10 days late and gets the level-1 letter.
#[test]
fn an_escalate_level_without_template_writes_no_letter() {
    let wd = Workdir::new();
    let policy = wd.write("policy.toml", LADDER);
    let inv =
        wd.write("inv.csv", "customer,invoice,due_date,amount\nA,1,2025-01-01,100\nB,2,2025-03-22,50\n");
    let log = wd.write("log.csv", "date,customer,currency,level,amount\n2025-03-01,A,EUR,1,100.00\n");
    let dir = wd.path("letters");
    let run = wd.run(&[
        "dunning",
        &inv,
        "--policy",
        &policy,
        "--log",
        &log,
        "--as-of",
        "2025-04-01",
        "-f",
        "csv",
        "--render",
        dir.to_str().unwrap(),
    ]);
    let rows = run.csv_rows();
    let levels: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r["customer"].as_str(), r["level_name"].as_str(), r["action"].as_str()))
        .collect();
    assert_eq!(levels, [("A", "legal", "escalate"), ("B", "reminder", "letter")]);
    let letters: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert!(letters[0].starts_with("B_EUR_L1_"), "{letters:?}");
}

/// A letter level still needs its template: the error names the file, the line and the level.
#[test]
fn a_letter_level_without_template_is_an_error() {
    let wd = Workdir::new();
    let policy = wd.write("policy.toml", "[[level]]\nname = \"reminder\"\ndays = 7\n");
    let inv = wd.write("inv.csv", "customer,invoice,due_date,amount\nA,1,2025-01-01,100\n");
    let run = wd.run(&["dunning", &inv, "--policy", &policy, "--as-of", "2025-04-01"]);
    run.fails_with(&["policy.toml:3:", "reminder", "needs a template"]);
}

const CALENDAR_POLICY: &str = r#"[interest]
rates = "rates/es.csv"
[[level]]
name = "reminder"
days = 7
template = "{interest}"
"#;

/// The SPEC's example through `dunning`, with the calendar found relative to
/// the policy (the command runs elsewhere): 10,000.00 due 2024-05-15, as of
/// 2024-08-14: 46 days at 12.50 + 45 days at 12.25 = 157.5342 + 151.0274 =
/// 308.56. The second invoice, 500.00 due 2024-08-01, is 13 days at 12.25:
/// 500 x 12.25 x 13 / 36500 = 2.1815 -> 2.18; 310.74 in all.
#[test]
fn interest_from_a_rate_calendar_is_split_at_each_change() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.path("rates")).unwrap();
    wd.write("rates/es.csv", "from,annual_rate_pct,source\n2024-01-01,12.50,BOE a\n2024-07-01,12.25,BOE b\n");
    let policy = wd.write("policy.toml", CALENDAR_POLICY);
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,due_date,amount\nA,1,2024-05-15,10000.00\nB,2,2024-05-15,10000.00\nB,3,2024-08-01,500.00\n",
    );
    let run = wd.run(&["dunning", &inv, "--policy", &policy, "--as-of", "2024-08-14", "-f", "csv"]);
    let interest: Vec<(String, String)> =
        run.csv_rows().iter().map(|r| (r["customer"].clone(), r["interest"].clone())).collect();
    assert_eq!(interest, [("A".into(), "308.56".into()), ("B".into(), "310.74".into())]);
}

/// A due date whose delay starts before the first rate is an error naming
/// the invoice; a policy with both a fixed rate and a calendar is an error.
#[test]
fn calendar_errors_name_the_invoice_and_the_policy() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.path("rates")).unwrap();
    wd.write("rates/es.csv", "from,annual_rate_pct\n2024-01-01,12.50\n");
    let policy = wd.write("policy.toml", CALENDAR_POLICY);
    let inv = wd.write("inv.csv", "customer,invoice,due_date,amount\nA,F-77,2023-12-15,100\n");
    let run = wd.run(&["dunning", &inv, "--policy", &policy, "--as-of", "2024-03-01"]);
    run.fails_with(&["invoice 'F-77'", "customer 'A'", "2023-12-16", "2024-01-01"]);
    let both =
        wd.write("both.toml", &CALENDAR_POLICY.replace("[interest]\n", "[interest]\nannual_rate_pct = 10\n"));
    let run = wd.run(&["dunning", &inv, "--policy", &both, "--as-of", "2024-03-01"]);
    run.fails_with(&["both.toml", "both annual_rate_pct and rates"]);
    let bad = wd.write("rates/es.csv", "from,annual_rate_pct\n2024-01-01,12.5O\n");
    let run = wd.run(&["dunning", &inv, "--policy", &policy, "--as-of", "2024-03-01"]);
    run.fails_with(&[&bad, ":2:", "12.5O"]);
}
