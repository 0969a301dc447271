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
