//! Snapshots: the table (in a 100-column terminal), CSV and JSON of every
//! command on the bundled fixtures, pinned in `tests/snapshots/` (CSV totals
//! with `--totals` where a command's totals share its rows' columns). The
//! figures themselves are checked by hand in each command's tests; these
//! catch any unintended change of layout, order, rounding or field names.
//! After checking a diff by hand, `COBRO_UPDATE_SNAPSHOTS=1 cargo test
//! --test snapshots` rewrites the files.
mod common;
use common::{repo_root, Workdir};

const INV: &str = "fixtures/invoices.csv";
const PAY: &str = "fixtures/payments.csv";
const AS_OF: &str = "2025-06-30";
const PROMISES: &str = "examples/promises.csv";
const DISPUTES: &str = "examples/disputes.csv";

fn cases() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("age", vec!["age", INV, "--payments", PAY, "--as-of", AS_OF]),
        ("age_by_none", vec!["age", INV, "--payments", PAY, "--as-of", AS_OF, "--by", "none"]),
        ("age_detail", vec!["age", INV, "--payments", PAY, "--as-of", AS_OF, "--detail"]),
        ("kpi", vec!["kpi", INV, "--payments", PAY, "--as-of", AS_OF]),
        (
            "kpi_months",
            vec!["kpi", INV, "--payments", PAY, "--as-of", AS_OF, "--from", "2025-01-01", "--every", "month"],
        ),
        ("segment", vec!["segment", INV, "--payments", PAY, "--as-of", AS_OF]),
        ("segment_summary", vec!["segment", INV, "--payments", PAY, "--as-of", AS_OF, "--summary"]),
        (
            "dunning",
            vec!["dunning", INV, "--payments", PAY, "--policy", "examples/policy.toml", "--as-of", AS_OF],
        ),
        (
            "plan_schedule",
            vec![
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
                AS_OF,
            ],
        ),
        (
            "plan_offer",
            vec![
                "plan",
                "offer",
                "--amount",
                "4800",
                "--discount",
                "15",
                "--annual-rate",
                "6",
                "--as-of",
                AS_OF,
            ],
        ),
        (
            "plan_check",
            vec![
                "plan",
                "check",
                "examples/plans.csv",
                "--payments",
                "examples/plan_payments.csv",
                "--as-of",
                AS_OF,
            ],
        ),
        ("promise", vec!["promise", INV, "--payments", PAY, "--promises", PROMISES, "--as-of", AS_OF]),
        (
            "promise_tolerance",
            vec![
                "promise",
                INV,
                "--payments",
                PAY,
                "--promises",
                PROMISES,
                "--as-of",
                "2025-07-20",
                "--tolerance",
                "10",
            ],
        ),
        (
            "kpi_promises_disputes",
            vec![
                "kpi",
                INV,
                "--payments",
                PAY,
                "--promises",
                PROMISES,
                "--disputes",
                DISPUTES,
                "--as-of",
                AS_OF,
                "--from",
                "2025-04-01",
                "--every",
                "month",
                "--totals",
            ],
        ),
        (
            "statement",
            vec![
                "statement",
                INV,
                "--payments",
                PAY,
                "--from",
                "2025-05-01",
                "--as-of",
                AS_OF,
                "--interest",
                "examples/rates_es.csv",
                "--disputes",
                DISPUTES,
            ],
        ),
        (
            "statement_customer",
            vec![
                "statement",
                INV,
                "--payments",
                PAY,
                "--from",
                "2025-04-01",
                "--to",
                "2025-06-15",
                "--as-of",
                AS_OF,
                "--customer",
                "C002",
                "--buckets",
                "15,45",
            ],
        ),
    ]
}

#[test]
fn every_command_in_every_text_format() {
    check(cases());
}

/// Runs each case in every text format and compares (or, with
/// `COBRO_UPDATE_SNAPSHOTS`, writes) its snapshot files.
fn check(cases: Vec<(&'static str, Vec<&'static str>)>) {
    let wd = Workdir::new();
    let mut stale = Vec::new();
    for (name, args) in cases {
        for (format, extension) in [("table", "txt"), ("csv", "csv"), ("json", "json")] {
            let run = wd.run_with_env(&[&args[..], &["-f", format]].concat(), &[("COLUMNS", "100")]);
            compare(&format!("{name}.{extension}"), run.ok(), &mut stale);
        }
    }
    assert!(
        stale.is_empty(),
        "output differs from the snapshots (COBRO_UPDATE_SNAPSHOTS=1 to accept):\n{}",
        stale.join("\n")
    );
}

/// The statement letter of the bundled template for a customer with invoices,
/// payments and a reversal in the period (every placeholder, late
/// interest included), each file's name and text, in name order.
#[test]
fn statement_letters() {
    let wd = Workdir::new();
    let letters = wd.path("letters");
    let args = [
        "statement",
        INV,
        "--payments",
        PAY,
        "--from",
        "2025-04-01",
        "--as-of",
        AS_OF,
        "--interest",
        "examples/rates_es.csv",
        "--customer",
        "C015",
        "--render",
        letters.to_str().unwrap(),
        "--template",
        "examples/letters/statement.txt",
        "-f",
        "csv",
    ];
    wd.run(&args).ok();
    let mut names: Vec<String> =
        std::fs::read_dir(&letters).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert!(!names.is_empty(), "no letter written");
    let text: String = names
        .iter()
        .map(|name| format!("== {name}\n{}", std::fs::read_to_string(letters.join(name)).unwrap()))
        .collect();
    let mut stale = Vec::new();
    compare("statement_letters.txt", &text, &mut stale);
    assert!(
        stale.is_empty(),
        "letters differ from the snapshot (COBRO_UPDATE_SNAPSHOTS=1 to accept):\n{}",
        stale.join("\n")
    );
}

/// Compares `now` with the pinned file `name` (or, with
/// `COBRO_UPDATE_SNAPSHOTS`, pins it), noting a difference in `stale`.
fn compare(name: &str, now: &str, stale: &mut Vec<String>) {
    let dir = repo_root().join("tests/snapshots");
    let path = dir.join(name);
    if std::env::var_os("COBRO_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&path, now).unwrap();
        return;
    }
    match std::fs::read_to_string(&path) {
        Ok(pinned) if pinned == now => {}
        Ok(pinned) => stale.push(format!("{}:\n{}", path.display(), first_difference(&pinned, now))),
        Err(_) => stale.push(format!("{}: missing", path.display())),
    }
}

fn first_difference(pinned: &str, now: &str) -> String {
    let line = pinned.lines().zip(now.lines()).position(|(a, b)| a != b);
    match line {
        Some(i) => format!(
            "  line {}:\n  - {}\n  + {}",
            i + 1,
            pinned.lines().nth(i).unwrap_or(""),
            now.lines().nth(i).unwrap_or("")
        ),
        None => format!("  {} lines pinned, {} now", pinned.lines().count(), now.lines().count()),
    }
}

// ---- forecast, roll and provision (typed rows, issue #13) ----

const ROLL_INV: &str = "fixtures/roll/invoices.csv";
const ROLL_PAY: &str = "fixtures/roll/payments.csv";
const PROV_INV: &str = "fixtures/provision/invoices.csv";
const PROV_PAY: &str = "fixtures/provision/payments.csv";

/// Each row type of the three commands, with and without the flags that
/// add fields (`--backtest`) or columns (`--buckets`, `--by`); `--totals`
/// puts the totals in the CSV where they share the rows' columns.
fn typed_row_cases() -> Vec<(&'static str, Vec<&'static str>)> {
    let backtest = ["--as-of", "2025-03-31", "--backtest"];
    vec![
        ("forecast", vec!["forecast", INV, "--payments", PAY, "--as-of", AS_OF, "--totals"]),
        ("forecast_detail", vec!["forecast", INV, "--payments", PAY, "--as-of", AS_OF, "--detail"]),
        ("forecast_backtest", [&["forecast", INV, "--payments", PAY][..], &backtest].concat()),
        (
            "forecast_detail_backtest",
            [&["forecast", INV, "--payments", PAY, "--detail"][..], &backtest].concat(),
        ),
        (
            "roll",
            vec![
                "roll",
                ROLL_INV,
                "--payments",
                ROLL_PAY,
                "--from",
                "2025-01-31",
                "--to",
                "2025-04-15",
                "--as-of",
                "2025-04-30",
                "--buckets",
                "30,60",
                "--totals",
            ],
        ),
        (
            "roll_default_buckets",
            vec!["roll", INV, "--payments", PAY, "--from", "2025-01-01", "--to", AS_OF, "--as-of", AS_OF],
        ),
        (
            "provision",
            vec![
                "provision",
                PROV_INV,
                "--payments",
                PROV_PAY,
                "--as-of",
                "2025-12-31",
                "--buckets",
                "30,60,90",
            ],
        ),
        (
            "provision_rates",
            vec![
                "provision",
                "fixtures/provision/aging.csv",
                "--rates",
                "examples/provision_rates.csv",
                "--as-of",
                "2025-12-31",
                "--buckets",
                "30,60,90",
                "--adjust",
                "10",
            ],
        ),
        ("provision_by", vec!["provision", INV, "--payments", PAY, "--as-of", AS_OF, "--by", "region"]),
    ]
}

#[test]
fn forecast_roll_and_provision_in_every_text_format() {
    check(typed_row_cases());
}
