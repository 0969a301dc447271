//! `cobro report`: the page's figures against the commands' JSON, escaping
//! of hostile names, and the page in headless Chromium.

mod common;

use common::{repo_root, Workdir};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

const AS_OF: &str = "2025-06-30";
/// The report's KPI range: twelve months back from the as-of month, so the
/// same month a year before is in it.
const KPI_FROM: &str = "2024-06-01";

/// One `data-*` tagged figure of the page.
#[derive(Debug, PartialEq)]
struct Figure {
    source: String,
    key: String,
    field: String,
    value: Value,
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

/// Every tag of the page that carries `data-source`.
fn figures(html: &str) -> Vec<Figure> {
    html.split('<')
        .filter(|tag| tag.contains(" data-source=\""))
        .map(|tag| {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            let value = attribute(tag, "data-value").expect("data-value");
            Figure {
                source: attribute(tag, "data-source").unwrap(),
                key: attribute(tag, "data-key").unwrap(),
                field: attribute(tag, "data-field").unwrap(),
                value: serde_json::from_str(&value).unwrap_or_else(|e| panic!("data-value {value:?}: {e}")),
            }
        })
        .collect()
}

/// The collector's files the report is given, which `dunning` takes too.
const PLANS_AND_PROMISES: [&str; 6] = [
    "--plans",
    "examples/plans.csv",
    "--plan-payments",
    "examples/plan_payments.csv",
    "--promises",
    "examples/promises.csv",
];

fn fixture_args() -> Vec<&'static str> {
    let mut args = vec!["fixtures/invoices.csv", "--payments", "fixtures/payments.csv"];
    args.extend(["--policy", "examples/policy.toml"]);
    args.extend(PLANS_AND_PROMISES);
    args.extend(["--as-of", AS_OF]);
    args
}

/// The JSON of one command on the fixtures.
fn command_json(wd: &Workdir, args: &[&str]) -> Value {
    let mut argv = args.to_vec();
    argv.extend(["--as-of", AS_OF, "-f", "json"]);
    wd.run(&argv).json()
}

fn find_row(rows: &Value, matches: impl Fn(&Value) -> bool) -> Option<&Value> {
    rows.as_array().unwrap().iter().find(|r| matches(r))
}

fn decimal(value: &Value) -> Decimal {
    Decimal::from_str(&value.to_string()).unwrap_or_else(|_| panic!("not a number: {value}"))
}

#[test]
fn every_figure_on_the_page_equals_the_json_of_its_command() {
    let wd = Workdir::new();
    let page = wd.path("report.html");
    let mut argv = fixture_args();
    let page_arg = page.to_string_lossy().into_owned();
    argv.extend(["-o", &page_arg]);
    let mut full = vec!["report"];
    full.extend(argv);
    wd.run(&full).ok();
    let html = std::fs::read_to_string(&page).unwrap();

    let age = command_json(&wd, &["age", "fixtures/invoices.csv", "--payments", "fixtures/payments.csv"]);
    let kpi = command_json(
        &wd,
        &[
            "kpi",
            "fixtures/invoices.csv",
            "--payments",
            "fixtures/payments.csv",
            "--every",
            "month",
            "--from",
            KPI_FROM,
            "--to",
            AS_OF,
        ],
    );
    let segment = command_json(
        &wd,
        &["segment", "fixtures/invoices.csv", "--payments", "fixtures/payments.csv", "--top", "20"],
    );
    // With the report's plans and promises, as `cobro dunning` takes them:
    // customers on track with a plan or with an open promise get no action
    // (29 EUR and 7 USD actions without them, 27 and 6 with them).
    let dunning_args = ["dunning", "fixtures/invoices.csv", "--payments", "fixtures/payments.csv"];
    let dunning = command_json(
        &wd,
        &[&dunning_args[..], &["--policy", "examples/policy.toml"], &PLANS_AND_PROMISES].concat(),
    );
    let plans = command_json(
        &wd,
        &["plan", "check", "examples/plans.csv", "--payments", "examples/plan_payments.csv"],
    );
    let promises = command_json(
        &wd,
        &[
            "promise",
            "fixtures/invoices.csv",
            "--payments",
            "fixtures/payments.csv",
            "--promises",
            "examples/promises.csv",
        ],
    );

    let figures = figures(&html);
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &figures {
        let parts: Vec<&str> = f.key.split('/').collect();
        match (f.source.as_str(), parts.as_slice()) {
            ("age", ["totals", currency]) => {
                let row = find_row(&age["totals"], |r| r["currency"] == *currency).expect("age totals row");
                assert_eq!(row[&f.field], f.value, "age totals {currency} {}", f.field);
            }
            ("kpi", ["rows", start, currency]) => {
                let row =
                    find_row(&kpi["rows"], |r| r["period_start"] == *start && r["currency"] == *currency)
                        .expect("kpi row");
                assert_eq!(row[&f.field], f.value, "kpi {start} {currency} {}", f.field);
            }
            ("segment", ["rows", priority]) => {
                let row = find_row(&segment["rows"], |r| r["priority"].to_string().as_str() == *priority)
                    .expect("segment row");
                assert_eq!(row[&f.field], f.value, "segment priority {priority} {}", f.field);
            }
            ("dunning", ["level", level, currency]) => {
                let rows: Vec<&Value> = dunning["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| r["level"].to_string().as_str() == *level && r["currency"] == *currency)
                    .collect();
                match f.field.as_str() {
                    "actions" => assert_eq!(f.value.as_u64(), Some(rows.len() as u64)),
                    "total_due" => {
                        let sum: Decimal = rows.iter().map(|r| decimal(&r["total_due"])).sum();
                        assert_eq!(decimal(&f.value), sum);
                    }
                    field => assert_eq!(rows[0][field], f.value, "dunning {field}"),
                }
            }
            ("plan check", ["status", status]) => {
                let rows =
                    plans["rows"].as_array().unwrap().iter().filter(|r| r["status"] == *status).count();
                match f.field.as_str() {
                    "plans" => assert_eq!(f.value.as_u64(), Some(rows as u64)),
                    _ => assert_eq!(f.value, Value::String(status.to_string())),
                }
            }
            ("promise", ["rows", id]) => {
                let row = find_row(&promises["rows"], |r| r["promise_id"] == *id).expect("promise row");
                assert_eq!(row[&f.field], f.value, "promise {id} {}", f.field);
            }
            other => panic!("figure from an unknown place: {other:?}"),
        }
        *checked.entry(f.source.as_str()).or_default() += 1;
    }
    // Every section is on the page: 3 standing figures and 4 measures x 3
    // months per currency, the buckets, the worklist, dunning and plans.
    let currencies = age["totals"].as_array().unwrap().len();
    assert!(currencies >= 2, "the fixtures have two currencies");
    assert_eq!(checked["kpi"], currencies * 4 * 3, "{checked:?}");
    assert_eq!(checked["age"], currencies * (3 + 6), "{checked:?}");
    let worklist_rows = segment["rows"].as_array().unwrap().len();
    assert!(checked["segment"] >= worklist_rows * 7, "{checked:?}");
    assert!(checked.contains_key("dunning") && checked.contains_key("plan check"), "{checked:?}");
    // Due this week (open, promised 06-30..07-06): PTP-005; broken this month
    // (deadline in June): PTP-003, PTP-002 (partially kept), PTP-004. Nine fields each.
    assert_eq!(checked["promise"], 4 * 9, "{checked:?}");
    for id in ["PTP-005", "PTP-003", "PTP-002", "PTP-004"] {
        assert!(html.contains(&format!("data-key=\"rows/{id}\"")), "{id}");
    }
}

#[test]
fn the_page_is_self_contained() {
    let wd = Workdir::new();
    let page = wd.path("r.html");
    let page_arg = page.to_string_lossy().into_owned();
    let mut argv = vec!["report"];
    argv.extend(fixture_args());
    argv.extend(["-o", &page_arg]);
    wd.run(&argv).ok();
    let html = std::fs::read_to_string(&page).unwrap();
    for forbidden in ["<script", " src=", " href=", "url(", "@import", "https://"] {
        assert!(!html.contains(forbidden), "the page holds {forbidden:?}");
    }
    assert!(html.contains("<svg"), "the trend chart is inline SVG");
    assert!(html.contains("As of <strong>2025-06-30</strong>"));
}

/// The input is read once for all the parts. From standard input, which
/// can be read only once (the release before read it again for each part,
/// and the second read found it empty: exit 1), the page has every figure
/// the file gives; and a bad row skipped is reported once, not once per part
/// (it was four times: age, kpi, segment, dunning).
#[test]
fn the_input_is_read_once_for_all_the_parts() {
    let wd = Workdir::new();
    let page_of = |name: &str, invoices: &str, stdin: Option<&str>| {
        let page = wd.path(name).to_string_lossy().into_owned();
        let mut argv = vec!["report"];
        argv.extend(fixture_args());
        argv[1] = invoices;
        argv.extend(["-o", &page]);
        let run = wd.run_with_stdin(&argv, stdin);
        assert_eq!(run.code, 0, "{}", run.stderr);
        figures(&std::fs::read_to_string(&page).unwrap())
    };
    let fixture = std::fs::read_to_string(repo_root().join("fixtures/invoices.csv")).unwrap();
    let from_file = page_of("file.html", "fixtures/invoices.csv", None);
    assert!(from_file.len() > 20, "the page has its figures: {}", from_file.len());
    assert_eq!(page_of("stdin.html", "-", Some(&fixture)), from_file);

    let with_bad_row =
        wd.write("bad.csv", &format!("{fixture}C009,Bad,INV-BAD,2025-01-01,2025-13-45,1.00,EUR,,north,\n"));
    let page = wd.path("bad.html").to_string_lossy().into_owned();
    let mut argv = vec!["report"];
    argv.extend(fixture_args());
    argv[1] = &with_bad_row;
    argv.extend(["--skip-bad-rows", "-o", &page]);
    let run = wd.run(&argv);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr.matches("skipped 1 bad row(s)").count(), 1, "{}", run.stderr);
}

/// With `--skip-bad-rows --rejects`, the bad rows of the invoices and of
/// the plans share one rejects file: the plans were read a second time for
/// their part, and that read overwrote the invoices' rejects.
#[test]
fn bad_rows_of_every_input_reach_the_one_rejects_file() {
    let wd = Workdir::new();
    let invoices =
        wd.write("inv.csv", "customer,invoice,due_date,amount\nA,1,2025-01-01,100\nA,2,2025-01-01,abc\n");
    let plans = wd.write(
        "plans.csv",
        "plan_id,customer,n,due_date,installment\nQ,A,1,2025-02-01,10\nQ,A,x,2025-03-01,10\n",
    );
    let plan_payments = wd.write("pp.csv", "plan_id,date,amount\nQ,2025-02-01,10\n");
    let (page, rejects) = (wd.path("r.html"), wd.path("rejects.csv"));
    let (page, rejects) = (page.to_str().unwrap(), rejects.to_str().unwrap());
    let args = ["report", &invoices, "--plans", &plans, "--plan-payments", &plan_payments, "--as-of", AS_OF];
    wd.run(&[&args[..], &["--skip-bad-rows", "--rejects", rejects, "-o", page]].concat()).ok();
    let rejected = std::fs::read_to_string(rejects).unwrap();
    assert!(rejected.contains("inv.csv,3,amount,abc,"), "{rejected}");
    assert!(rejected.contains("plans.csv,3,n,x,"), "{rejected}");
}

/// Every part's flags and files (the dunning policy here) are checked
/// before the input is read, as `cobro dunning` checks its own: a broken
/// policy is the error, not a bad row of an invoice file that would take
/// minutes to read (before, the invoices' error came first).
#[test]
fn a_broken_policy_fails_before_the_input_is_read() {
    let wd = Workdir::new();
    let fixture = std::fs::read_to_string(repo_root().join("fixtures/invoices.csv")).unwrap();
    let invoices =
        wd.write("bad.csv", &format!("{fixture}C009,Bad,INV-BAD,2025-01-01,2025-13-45,1.00,EUR,,north,\n"));
    let policy = wd.write("policy.toml", "min_amount = \"fifty\"\n");
    let page = wd.path("r.html").to_string_lossy().into_owned();
    let run = wd.run(&["report", &invoices, "--policy", &policy, "--as-of", AS_OF, "-o", &page]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("policy.toml"), "{}", run.stderr);
    assert!(!run.stderr.contains("2025-13-45"), "{}", run.stderr);
    assert!(!Path::new(&page).exists());
}

fn hostile_page(wd: &Workdir) -> String {
    let invoices = wd.write(
        "inv.csv",
        "customer,customer_name,invoice,issue_date,due_date,amount\n\
         C1,<script>window.__cobro_hostile_ran=true</script>,F1,2025-01-01,2025-02-01,100.00\n\
         C2,\"\"\"><img src=x onerror=\"\"window.__cobro_hostile_ran=true\"\">\",F2,2025-01-01,2025-03-01,250.00\n",
    );
    let page = wd.path("hostile.html").to_string_lossy().into_owned();
    wd.run(&["report", &invoices, "--as-of", AS_OF, "-o", &page]).ok();
    page
}

#[test]
fn hostile_customer_names_are_text_not_markup() {
    let wd = Workdir::new();
    let html = std::fs::read_to_string(hostile_page(&wd)).unwrap();
    assert!(!html.contains("<script"), "a name became a script element");
    assert!(!html.contains("<img"), "a name became an img element");
    assert!(html.contains("&lt;script&gt;window.__cobro_hostile_ran=true&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror="));
}

#[test]
fn report_usage_errors_exit_2() {
    let wd = Workdir::new();
    let txt = wd.path("r.txt").to_string_lossy().into_owned();
    let run = wd.run(&["report", "fixtures/invoices.csv", "--as-of", AS_OF, "-o", &txt]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("FILE.html or FILE.xlsx"), "{}", run.stderr);
    let html = wd.path("r.html").to_string_lossy().into_owned();
    let run = wd.run(&["report", "fixtures/invoices.csv", "--as-of", AS_OF, "--months", "0", "-o", &html]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!Path::new(&html).exists());
}

/// Whether headless Chromium and the check script's node modules are here;
/// `.ci/run` installs both and sets COBRO_REQUIRE_BROWSER=1.
fn browser_available() -> bool {
    let here = Path::new("/usr/bin/chromium").exists()
        && repo_root().join("tests/browser/node_modules/playwright-core").exists()
        && std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !here && std::env::var_os("COBRO_REQUIRE_BROWSER").is_some() {
        panic!("COBRO_REQUIRE_BROWSER is set but Chromium, node or tests/browser/node_modules is missing");
    }
    if !here {
        eprintln!("skipped: no /usr/bin/chromium or tests/browser/node_modules (see .ci/run)");
    }
    here
}

fn check_in_browser(wd: &Workdir, page: &str) {
    let out = std::process::Command::new("node")
        .arg(repo_root().join("tests/browser/check.mjs"))
        .arg(page)
        .arg(wd.path(""))
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("{\"problems\":[]}"), "{stdout}");
    for width in [390, 1280] {
        assert!(wd.path(&format!("report-{width}.png")).exists());
    }
}

#[test]
fn the_page_loads_in_chromium_without_errors_or_horizontal_scrollbar() {
    if !browser_available() {
        return;
    }
    let wd = Workdir::new();
    let page = wd.path("report.html").to_string_lossy().into_owned();
    let mut argv = vec!["report"];
    argv.extend(fixture_args());
    argv.extend(["-o", &page]);
    wd.run(&argv).ok();
    check_in_browser(&wd, &page);
}

#[test]
fn hostile_names_run_no_script_in_chromium() {
    if !browser_available() {
        return;
    }
    let wd = Workdir::new();
    let page = hostile_page(&wd);
    check_in_browser(&wd, &page);
}
