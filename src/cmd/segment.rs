//! `cobro segment`: explainable risk segments and a prioritized worklist.

use crate::cli::{check_days, InputArgs, OutputArgs};
use crate::domain::ledger::Ledger;
use crate::domain::rules;
use crate::domain::segment::{self, Rule, SegmentParams, Segmented, FEATURES};
use crate::error::excerpt;
use crate::input::load_ledger;
use crate::money::{minor_digits, percent};
use crate::render::{output, Cell, Report};
use anyhow::{anyhow, Context, Result};
use clap::Args;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;

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
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// The SPEC's default rules.
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

pub fn run(args: &SegmentArgs) -> Result<()> {
    let output_options = args.output.options()?;
    let read_options = args.input.read_options()?;
    let as_of = args.input.as_of()?;
    check_days("lookback", args.lookback, 1)?;
    check_days("grace", args.grace, 0)?;
    let rules = load_rules(args.rules.as_deref())?;
    let ledger = load_ledger(&args.invoices, args.input.payments.as_deref(), &read_options, &[], as_of)?;
    let params = SegmentParams { as_of, lookback: args.lookback, grace: args.grace };
    let rows = segment::segment(&ledger, segment::features(&ledger, &params), &rules);
    let mut listed: Vec<&Segmented> = rows
        .iter()
        .filter(|r| args.segment.as_ref().is_none_or(|s| r.rule.is_some_and(|i| rules[i].name == *s)))
        .collect();
    let json_params = json!({
        "lookback": args.lookback, "grace": args.grace, "rules": args.rules, "segment": args.segment, "top": args.top,
    });
    let mut report = if args.summary {
        summary(&ledger, &listed, &rules)
    } else {
        if let Some(n) = args.top {
            listed.truncate(n);
        }
        worklist(&ledger, &listed, &rules)
    };
    report.as_of = as_of;
    report.params = json_params.as_object().cloned().unwrap_or_default();
    output::emit(&report, &output_options)
}

fn worklist(ledger: &Ledger, rows: &[&Segmented], rules: &[Rule]) -> Report {
    let with_name = ledger.present.customer_name;
    let names = ledger.customer_names();
    let mut columns: Vec<String> = vec!["customer".into()];
    if with_name {
        columns.push("customer_name".into());
    }
    columns.extend(["currency", "segment", "rule", "action"].map(String::from));
    columns.extend(FEATURES.map(String::from));
    columns.push("priority".into());
    let cells = |s: &Segmented| {
        let f = &s.features;
        let digits = minor_digits(ledger.currencies.get(f.currency));
        let rule = s.rule.map(|i| &rules[i]);
        let mut row = vec![Cell::text(ledger.customers.get(f.customer))];
        if with_name {
            let name = ledger.texts.get(names[f.customer as usize]);
            row.push(if name.is_empty() { Cell::Null } else { Cell::text(name) });
        }
        row.extend([
            Cell::text(ledger.currencies.get(f.currency)),
            rule.map_or(Cell::Null, |r| Cell::text(&r.name)),
            rule.map_or(Cell::Null, |r| Cell::text(&r.when)),
            rule.map_or(Cell::Null, |r| Cell::text(&r.action)),
            Cell::Money(f.open, digits),
            Cell::Money(f.overdue, digits),
            Cell::fixed2(f.overdue_pct()),
            Cell::Int(f.max_days_past_due as i64),
            Cell::Int(f.open_documents as i64),
            Cell::Money(f.disputed_open, digits),
            Cell::Int(f.settled_invoices as i64),
            Cell::fixed2(f.avg_days_late()),
            Cell::fixed2(f.late_share_pct()),
            Cell::Int(f.episodes as i64),
            Cell::Int(s.priority as i64),
        ]);
        row
    };
    Report {
        command: "segment".into(),
        as_of: 0,
        params: Default::default(),
        columns,
        rows: rows.iter().map(|s| cells(s)).collect(),
        totals_columns: None,
        totals: Vec::new(),
    }
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
    let rows = groups
        .iter()
        .map(|&(rule, currency, customers, open, overdue)| {
            let digits = minor_digits(ledger.currencies.get(currency));
            vec![
                rule.map_or(Cell::Null, |i| Cell::text(&rules[i].name)),
                Cell::text(ledger.currencies.get(currency)),
                Cell::Int(customers as i64),
                Cell::Money(open, digits),
                Cell::Money(overdue, digits),
                Cell::fixed2(percent(overdue, overdue_of(currency))),
            ]
        })
        .collect();
    Report {
        command: "segment".into(),
        as_of: 0,
        params: Default::default(),
        columns: ["segment", "currency", "customers", "open", "overdue", "overdue_share_pct"]
            .map(String::from)
            .to_vec(),
        rows,
        totals_columns: None,
        totals: Vec::new(),
    }
}
