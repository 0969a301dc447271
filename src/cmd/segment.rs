//! `cobro segment`: explainable risk segments and a prioritized worklist.

use super::side::{DisputesArgs, PromisesArgs};
use crate::cli::{check_days, InputArgs, OutputArgs};
use crate::dates::Day;
use crate::domain::disputes::Disputes;
use crate::domain::ledger::Ledger;
use crate::domain::promise::{Book, PromiseParams};
use crate::domain::rules;
use crate::domain::segment::{self, Features, Rule, SegmentParams, Segmented, FEATURES, PROMISE_FEATURES};
use crate::error::excerpt;
use crate::files::paths::Paths;
use crate::input::{load_ledger_with, ReadOptions, SideData, SideFiles};
use crate::money::{minor_digits, percent};
use crate::render::fields::{self, Field};
use crate::render::{json, output, Cell, Report};
use anyhow::{anyhow, Context, Result};
use clap::Args;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Risk segments per customer, as a collector's worklist in priority order.
///
/// Each customer gets the first rule whose `when` matches its features; the
/// matched rule's text is in the output, so every segment can be explained.
///
/// Example:
///   cobro segment fixtures/invoices.csv --payments fixtures/payments.csv --as-of 2025-06-30
///   cobro segment export.csv --rules examples/rules.toml --segment critical --top 20 -f csv
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct SegmentArgs {
    /// Invoices file (CSV, or Parquet by extension; - for standard input)
    #[arg(value_name = "INVOICES")]
    pub invoices: String,

    /// Days of history (ending on the as-of date) for settled invoices and episodes
    #[arg(long, value_name = "DAYS", default_value_t = 365)]
    pub lookback: i32,

    /// Days past due tolerated by late_share_pct and episodes
    #[arg(long, value_name = "DAYS", default_value_t = 0)]
    pub grace: i32,

    /// TOML file of [[segment]] rules (name, when, action) replacing the defaults
    #[arg(long, value_name = "FILE")]
    pub rules: Option<String>,

    /// Only customers in this segment
    #[arg(long, value_name = "NAME")]
    pub segment: Option<String>,

    /// Only the first N rows of the worklist
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Per segment and currency: customers, open, overdue and share of overdue
    #[arg(long)]
    pub summary: bool,

    #[command(flatten)]
    pub disputes: DisputesArgs,

    #[command(flatten)]
    pub promises: PromisesArgs,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// The default rules (docs/segment.md).
const DEFAULT_RULES: [(&str, &str, &str); 4] = [
    (
        "critical",
        "max_days_past_due > 90 or (overdue_pct >= 50 and max_days_past_due > 60)",
        "escalate: final notice, then legal review",
    ),
    (
        "high",
        "max_days_past_due > 30 or episodes >= 3 or avg_days_late > 30",
        "call this week, offer a payment plan",
    ),
    (
        "medium",
        "max_days_past_due > 0 or late_share_pct >= 50 or avg_days_late > 10",
        "automated reminders, monitor",
    ),
    ("low", "true", "standard terms"),
];

#[derive(Deserialize)]
struct RulesFile {
    segment: Vec<RuleEntry>,
}

#[derive(Deserialize)]
struct RuleEntry {
    name: String,
    when: String,
    #[serde(default)]
    action: String,
}

fn compile(name: &str, when: &str, action: &str, origin: &str) -> Result<Rule> {
    let expr = rules::parse(when, &FEATURES).map_err(|e| {
        anyhow!("{origin}: rule '{}': when \"{}\": {e}", excerpt(name, 60), excerpt(when, 60))
    })?;
    Ok(Rule { name: name.into(), when: when.into(), expr, action: action.into() })
}

fn load_rules(path: Option<&str>) -> Result<Vec<Rule>> {
    let Some(path) = path else {
        return DEFAULT_RULES.iter().map(|(n, w, a)| compile(n, w, a, "default rules")).collect();
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read --rules {path}"))?;
    let file: RulesFile = toml::from_str(&text).map_err(|e| anyhow!("{path}: {e}"))?;
    if file.segment.is_empty() {
        return Err(anyhow!("{path}: no [[segment]] rules"));
    }
    file.segment.iter().map(|r| compile(&r.name, &r.when, &r.action, path)).collect()
}

/// The run's parameters, echoed in JSON `params`.
#[derive(Serialize)]
struct SegmentParamsJson<'a> {
    lookback: i32,
    grace: i32,
    rules: Option<&'a str>,
    segment: Option<&'a str>,
    top: Option<usize>,
}

pub fn run(args: &SegmentArgs) -> Result<()> {
    let output_options = args.output.options()?;
    Paths::new()
        .input("INVOICES", Some(&args.invoices))
        .input("--disputes", args.disputes.disputes.as_deref())
        .input("--promises", args.promises.promises.as_deref())
        .input("--rules", args.rules.as_deref())
        .input_args(&args.input)
        .output_args(&args.output)
        .check()?;
    output::emit(&report(args)?, &output_options)
}

/// The worklist (or `--summary`) as `run` prints it (`cobro report` composes it too).
pub fn report(args: &SegmentArgs) -> Result<Report> {
    let settings = Settings::new(args)?;
    let side = SideFiles {
        disputes: args.disputes.disputes.as_deref(),
        promises: args.promises.promises.as_deref(),
        ..SideFiles::default()
    };
    let payments = args.input.payments.as_deref();
    let (ledger, data) =
        load_ledger_with(&args.invoices, payments, &settings.read_options, &[], settings.as_of, side)?;
    report_on(args, settings, &ledger, data)
}

/// What the flags ask for, checked (and the rules read) before the input
/// is read.
pub struct Settings {
    read_options: ReadOptions,
    as_of: Day,
    rules: Vec<Rule>,
    tolerance: i32,
}

impl Settings {
    pub fn new(args: &SegmentArgs) -> Result<Settings> {
        let read_options = args.input.read_options()?;
        let as_of = args.input.as_of()?;
        check_days("lookback", args.lookback, 1)?;
        check_days("grace", args.grace, 0)?;
        let rules = load_rules(args.rules.as_deref())?;
        let tolerance = args.promises.tolerance()?;
        Ok(Settings { read_options, as_of, rules, tolerance })
    }
}

/// Every customer's segment, as the worklist or the summary: [`report`] on
/// a ledger already read at the as-of date of `settings`, with `data`, its
/// side files (`cobro report` reads its input once for all its parts).
pub fn report_on(args: &SegmentArgs, settings: Settings, ledger: &Ledger, data: SideData) -> Result<Report> {
    let Settings { as_of, rules, tolerance, .. } = settings;
    if ledger.undated_payments() > 0 {
        eprintln!(
            "cobro: warning: {} undated payment(s) (from open_amount) count for balances; an invoice they settle counts as settled on its issue date, 0 days late",
            ledger.undated_payments()
        );
    }
    let params = SegmentParams { as_of, lookback: args.lookback, grace: args.grace };
    let disputes = Disputes::new(ledger, &data.disputes, as_of);
    let mut features = segment::features(ledger, &params, &disputes);
    let with_promises = args.promises.promises.is_some();
    if with_promises {
        let book = Book::new(ledger, data.promises, PromiseParams { as_of, tolerance });
        add_promise_counts(&mut features, &book, as_of - args.lookback + 1);
    }
    let rows = segment::segment(ledger, features, &rules);
    let mut listed: Vec<&Segmented> = rows
        .iter()
        .filter(|r| args.segment.as_ref().is_none_or(|s| r.rule.is_some_and(|i| rules[i].name == *s)))
        .collect();
    let json_params = json::params(&SegmentParamsJson {
        lookback: args.lookback,
        grace: args.grace,
        rules: args.rules.as_deref(),
        segment: args.segment.as_deref(),
        top: args.top,
    });
    if let Some(n) = args.top {
        listed.truncate(n);
    }
    let mut report = if args.summary {
        summary(ledger, &listed, &rules)
    } else {
        worklist(ledger, &listed, &rules, with_promises)
    };
    report.as_of = as_of;
    report.params = json_params;
    super::side::add_params(&mut report.params, Some(&args.promises), &args.disputes);
    Ok(report)
}

/// The promise features (`--promises`) of each row.
fn add_promise_counts(features: &mut [Features], book: &Book, start: Day) {
    let counts = book.counts(start);
    for f in features {
        if let Some(c) = counts.get(&(f.customer, f.currency)) {
            f.promises = *c;
        }
    }
}

/// One worklist row: a customer's matched rule, features and priority,
/// its texts resolved from the ledger.
struct WorkRow {
    customer: String,
    customer_name: String,
    currency: String,
    /// The matched rule's name, `when` text and action.
    rule: Option<(String, String, String)>,
    features: Features,
    digits: u32,
    priority: usize,
}

impl WorkRow {
    fn new(ledger: &Ledger, names: &[u32], s: &Segmented, rules: &[Rule]) -> WorkRow {
        let f = &s.features;
        let currency = ledger.currencies.get(f.currency);
        WorkRow {
            customer: ledger.customers.get(f.customer).to_string(),
            customer_name: ledger.texts.get(names[f.customer as usize]).to_string(),
            currency: currency.to_string(),
            rule: s.rule.map(|i| (rules[i].name.clone(), rules[i].when.clone(), rules[i].action.clone())),
            features: f.clone(),
            digits: minor_digits(currency),
            priority: s.priority,
        }
    }

    fn rule_part(&self, part: fn(&(String, String, String)) -> &String) -> Cell {
        self.rule.as_ref().map_or(Cell::Null, |r| Cell::text(part(r)))
    }
}

/// The worklist's fields, in output order, each with its value and kind;
/// the features are named as the rules name them ([`FEATURES`]).
/// `customer_name` is left out when the input has no names, the promise
/// features without `--promises`.
const WORKLIST: &[Field<WorkRow>] = &[
    Field::new("customer", |r| Cell::text(&r.customer)),
    Field::new("customer_name", |r| {
        if r.customer_name.is_empty() {
            Cell::Null
        } else {
            Cell::text(&r.customer_name)
        }
    }),
    Field::new("currency", |r| Cell::text(&r.currency)),
    Field::new("segment", |r| r.rule_part(|r| &r.0)),
    Field::new("rule", |r| r.rule_part(|r| &r.1)),
    Field::new("action", |r| r.rule_part(|r| &r.2)),
    Field::new("open", |r| Cell::Money(r.features.open, r.digits)),
    Field::new("overdue", |r| Cell::Money(r.features.overdue, r.digits)),
    Field::new("overdue_pct", |r| Cell::fixed2(r.features.overdue_pct())),
    Field::new("max_days_past_due", |r| Cell::Int(r.features.max_days_past_due as i64)),
    Field::new("open_documents", |r| Cell::Int(r.features.open_documents as i64)),
    Field::new("disputed_open", |r| Cell::Money(r.features.disputed_open, r.digits)),
    Field::new("settled_invoices", |r| Cell::Int(r.features.settled_invoices as i64)),
    Field::new("avg_days_late", |r| Cell::fixed2(r.features.avg_days_late())),
    Field::new("late_share_pct", |r| Cell::fixed2(r.features.late_share_pct())),
    Field::new("episodes", |r| Cell::Int(r.features.episodes as i64)),
    Field::new("open_promises", |r| Cell::Int(r.features.promises.open as i64)),
    Field::new("broken_promises", |r| Cell::Int(r.features.promises.broken as i64)),
    Field::new("kept_promises", |r| Cell::Int(r.features.promises.kept as i64)),
    Field::new("priority", |r| Cell::Int(r.priority as i64)),
];

fn worklist(ledger: &Ledger, rows: &[&Segmented], rules: &[Rule], with_promises: bool) -> Report {
    let with_name = ledger.present.customer_name;
    let names = ledger.customer_names();
    let promise_features = &FEATURES[FEATURES.len() - PROMISE_FEATURES..];
    let fields: Vec<&Field<WorkRow>> = WORKLIST
        .iter()
        .filter(|f| with_name || f.name != "customer_name")
        .filter(|f| with_promises || !promise_features.contains(&f.name))
        .collect();
    let work_rows = rows.iter().map(|s| WorkRow::new(ledger, &names, s, rules));
    Report {
        command: "segment".into(),
        as_of: 0,
        params: Default::default(),
        columns: fields.iter().map(|f| f.name.to_string()).collect(),
        rows: work_rows.map(|r| fields.iter().map(|f| (f.value)(&r)).collect()).collect(),
        totals_columns: None,
        totals: Vec::new(),
    }
}

/// One `--summary` row: a segment in one currency.
struct SummaryRow<'a> {
    segment: Option<&'a str>,
    currency: &'a str,
    customers: u64,
    open: Decimal,
    overdue: Decimal,
    /// The currency's overdue money over every segment listed.
    currency_overdue: Decimal,
}

/// The `--summary` fields (a function so the rows can borrow).
fn summary_fields<'a>() -> [Field<SummaryRow<'a>>; 6] {
    [
        Field::new("segment", |r| r.segment.map_or(Cell::Null, Cell::text)),
        Field::new("currency", |r| Cell::text(r.currency)),
        Field::new("customers", |r| Cell::Int(r.customers as i64)),
        Field::new("open", |r| Cell::Money(r.open, minor_digits(r.currency))),
        Field::new("overdue", |r| Cell::Money(r.overdue, minor_digits(r.currency))),
        Field::new("overdue_share_pct", |r| Cell::fixed2(percent(r.overdue, r.currency_overdue))),
    ]
}

/// Per (segment, currency): customers, open, overdue, and the segment's
/// share of the currency's overdue money.
fn summary(ledger: &Ledger, rows: &[&Segmented], rules: &[Rule]) -> Report {
    let mut groups: Vec<(Option<usize>, u32, u64, Decimal, Decimal)> = Vec::new();
    for s in rows {
        let f = &s.features;
        match groups.iter_mut().find(|g| g.0 == s.rule && g.1 == f.currency) {
            Some(g) => {
                g.2 += 1;
                g.3 += f.open;
                g.4 += f.overdue;
            }
            None => groups.push((s.rule, f.currency, 1, f.open, f.overdue)),
        }
    }
    groups.sort_by_key(|g| (g.0.unwrap_or(usize::MAX), ledger.currencies.get(g.1).to_string()));
    let overdue_of =
        |currency: u32| -> Decimal { groups.iter().filter(|g| g.1 == currency).map(|g| g.4).sum() };
    let rows: Vec<Vec<Cell>> = groups
        .iter()
        .map(|&(rule, currency, customers, open, overdue)| {
            let row = SummaryRow {
                segment: rule.map(|i| rules[i].name.as_str()),
                currency: ledger.currencies.get(currency),
                customers,
                open,
                overdue,
                currency_overdue: overdue_of(currency),
            };
            fields::cells(&summary_fields(), &row).collect()
        })
        .collect();
    Report {
        command: "segment".into(),
        as_of: 0,
        params: Default::default(),
        columns: fields::names(&summary_fields()).collect(),
        rows,
        totals_columns: None,
        totals: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The features in the worklist are the ones rules can name, in order.
    #[test]
    fn worklist_features_are_the_rule_features() {
        let names: Vec<&str> = WORKLIST.iter().map(|f| f.name).collect();
        assert_eq!(names[6..names.len() - 1], FEATURES);
    }
}
