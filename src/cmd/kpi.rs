//! `cobro kpi`: collection measures per period, group and currency.

use crate::cli::{check_days, InputArgs, OutputArgs};
use crate::dates::{date_of, day_of, parse_iso_flag, Day};
use crate::domain::kpi::{periods, Every, Facts, KpiParams, KpiSums};
use crate::domain::ledger::Ledger;
use crate::error::usage;
use crate::input::load_ledger;
use crate::money::minor_digits;
use crate::render::chart::{self, Chart, Series};
use crate::render::{output, Cell, Report};
use anyhow::{bail, Result};
use chrono::Datelike;
use clap::Args;
use hashbrown::HashMap;
use serde_json::json;

/// Collection KPIs: recovery rate, days to collect, reoffending rate, DSO, CEI, ADD.
///
/// Over [--from, --to] (default: the first day of the as-of month to the as-of
/// date), split into calendar periods with --every; totals are the whole
/// range computed as one period. Every definition is in SPEC.md and README.md.
///
/// Example:
///   cobro kpi fixtures/invoices.csv --payments fixtures/payments.csv \
///       --from 2025-01-01 --to 2025-06-30 --every month --as-of 2025-06-30
///   cobro kpi export.csv --payments pay.csv --by region -f json -o kpi.json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct KpiArgs {
    /// Invoices file (CSV, or Parquet by extension; - for standard input)
    #[arg(value_name = "INVOICES")]
    pub invoices: String,

    /// First day of the range (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Last day of the range (YYYY-MM-DD; not after --as-of)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// Split the range into calendar periods
    #[arg(long, value_enum)]
    pub every: Option<Every>,

    /// Group by input columns COL[,COL...] (constant per customer)
    #[arg(long, value_name = "COL,...")]
    pub by: Option<String>,

    /// Days after the due date before a customer counts as delinquent
    #[arg(long, value_name = "DAYS", default_value_t = 0)]
    pub grace: i32,

    /// Days after a cure in which a new episode counts as reoffending
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub window: i32,

    /// With --every: also draw the rates and DSO over the periods as an SVG line chart
    #[arg(long, value_name = "FILE.svg", requires = "every")]
    pub chart: Option<String>,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

const MEASURES: &[&str] = &[
    "recovery_rate_pct",
    "overdue_owed",
    "recovered",
    "avg_days_to_collect",
    "collected_invoices",
    "avg_days_late",
    "avg_days_to_settle",
    "settled_invoices",
    "reoffending_rate_pct",
    "cured_customers",
    "reoffended_customers",
    "pending_customers",
    "dso",
    "best_possible_dso",
    "add",
    "cei_pct",
    "ar_begin",
    "ar_end",
    "current_end",
    "sales",
    "overdue_end",
    "overdue_pct",
];

/// Most periods one report splits its range into (a hundred years of months).
const MAX_PERIODS: usize = 1200;

pub fn run(args: &KpiArgs) -> Result<()> {
    let output_options = args.output.options()?;
    let read_options = args.input.read_options()?;
    let as_of = args.input.as_of()?;
    let (from, to) = range(args, as_of)?;
    check_days("grace", args.grace, 0)?;
    check_days("window", args.window, 0)?;
    let period_list = periods(from, to, args.every);
    if period_list.len() > MAX_PERIODS {
        return Err(usage(format!(
            "--every splits {} to {} into {} periods, more than the {MAX_PERIODS} a report takes: narrow --from/--to or choose a longer --every",
            crate::dates::iso(from),
            crate::dates::iso(to),
            period_list.len()
        )));
    }
    let by: Vec<String> = args.by.iter().flat_map(|b| b.split(',')).map(|c| c.trim().to_string()).collect();
    let ledger = load_ledger(&args.invoices, args.input.payments.as_deref(), &read_options, &by, as_of)?;
    let groups = Groups::new(&ledger, by.len())?;
    let params = KpiParams { as_of, grace: args.grace, window: args.window };
    let facts = Facts::new(&ledger, &params);
    warn_about_dates(&facts);
    let sums = facts.measure(&period_list, groups.keys.len(), |i| groups.of_invoice[i], &params);
    let currencies = Groups::new(&ledger, 0)?;
    let totals = facts.measure(&[(from, to)], currencies.keys.len(), |i| currencies.of_invoice[i], &params);
    let mut columns: Vec<String> = vec!["period_start".into(), "period_end".into()];
    columns.extend(by.iter().cloned());
    columns.push("currency".into());
    columns.extend(MEASURES.iter().map(|m| m.to_string()));
    let mut rows = Vec::new();
    let group_order = groups.order(&ledger);
    for (p, &(s, e)) in period_list.iter().enumerate() {
        for &g in &group_order {
            rows.push(row_cells(
                s,
                e,
                groups.key_cells(&ledger, g),
                &groups.currency(&ledger, g),
                &sums[p][g],
            ));
        }
    }
    let total_rows = currencies
        .order(&ledger)
        .into_iter()
        .map(|g| {
            let keys = vec![Cell::Null; by.len()];
            row_cells(from, to, keys, &currencies.currency(&ledger, g), &totals[0][g])
        })
        .collect();
    if let Some(path) = &args.chart {
        let chart = trend_chart(&ledger, &groups, &group_order, &period_list, &sums);
        chart::write_svg(&chart, path)?;
    }
    let report = Report {
        command: "kpi".into(),
        as_of,
        params: json!({
            "from": crate::dates::iso(from), "to": crate::dates::iso(to),
            "every": args.every.map(|e| format!("{e:?}").to_lowercase()),
            "by": by, "grace": args.grace, "window": args.window,
        })
        .as_object()
        .cloned()
        .unwrap_or_default(),
        columns,
        rows,
        totals_columns: None,
        totals: total_rows,
    };
    output::emit(&report, &output_options)
}

/// `--from`/`--to` with their defaults (the as-of date, and the first day
/// of `--to`'s month); `--to` after `--as-of` is a usage error.
fn range(args: &KpiArgs, as_of: Day) -> Result<(Day, Day)> {
    let flag = |name: &str, v: &Option<String>| -> Result<Option<Day>> {
        v.as_deref()
            .map(|t| parse_iso_flag(t).map(day_of).map_err(|e| usage(format!("--{name}: {e}"))))
            .transpose()
    };
    let to = flag("to", &args.to)?.unwrap_or(as_of);
    let month_start = date_of(to).with_day(1).map(day_of).unwrap_or(to);
    let from = flag("from", &args.from)?.unwrap_or(month_start);
    if to > as_of {
        return Err(usage("--to is after --as-of: measures cannot see the future (raise --as-of)"));
    }
    if from > to {
        return Err(usage("--from is after --to"));
    }
    Ok((from, to))
}

fn warn_about_dates(facts: &Facts) {
    if facts.history.undated_payments > 0 {
        eprintln!(
            "cobro: warning: {} undated payment(s) (from open_amount) count for balances but not for measures that need a date",
            facts.history.undated_payments
        );
    }
    let no_issue = facts.settled_without_issue_date();
    if no_issue > 0 {
        eprintln!("cobro: warning: {no_issue} settled invoice(s) without issue_date are left out of avg_days_to_settle");
    }
}

fn row_cells(s: Day, e: Day, keys: Vec<Cell>, currency: &str, k: &KpiSums) -> Vec<Cell> {
    let digits = minor_digits(currency);
    let money = |v| Cell::Money(v, digits);
    let count = |n: u64| Cell::Int(n as i64);
    let mut cells = vec![Cell::Date(s), Cell::Date(e)];
    cells.extend(keys);
    cells.push(Cell::text(currency));
    cells.extend([
        Cell::fixed2(k.recovery_rate_pct()),
        money(k.overdue_owed),
        money(k.recovered),
        Cell::fixed2(k.avg_days_to_collect()),
        count(k.collected_invoices),
        Cell::fixed2(k.avg_days_late()),
        Cell::fixed2(k.avg_days_to_settle()),
        count(k.settled_invoices),
        Cell::fixed2(k.reoffending_rate_pct()),
        count(k.cured_customers),
        count(k.reoffended_customers),
        count(k.pending_customers),
        Cell::fixed2(k.dso()),
        Cell::fixed2(k.best_possible_dso()),
        Cell::fixed2(k.add()),
        Cell::fixed2(k.cei_pct()),
        money(k.ar_begin),
        money(k.ar_end),
        money(k.current_end),
        money(k.sales),
        money(k.overdue_end()),
        Cell::fixed2(k.overdue_pct()),
    ]);
    cells
}

/// The rate lines (recovery, reoffending, CEI) and DSO of every group.
fn trend_chart(
    ledger: &Ledger,
    groups: &Groups,
    order: &[usize],
    periods: &[(Day, Day)],
    sums: &[Vec<KpiSums>],
) -> Chart {
    let mut rates = Vec::new();
    let mut dso = Vec::new();
    for &g in order {
        let mut name: Vec<String> = groups.key_cells(ledger, g).iter().map(|c| c.display()).collect();
        name.push(groups.currency(ledger, g));
        let name = name.join(" ");
        let line = |label: &str, f: fn(&KpiSums) -> Option<rust_decimal::Decimal>| Series {
            label: format!("{name} {label}"),
            values: sums.iter().map(|period| f(&period[g])).collect(),
        };
        rates.push(line("recovery", KpiSums::recovery_rate_pct));
        rates.push(line("reoffending", KpiSums::reoffending_rate_pct));
        rates.push(line("CEI", KpiSums::cei_pct));
        dso.push(line("DSO", KpiSums::dso));
    }
    Chart { periods: periods.iter().map(|p| p.0).collect(), rates, dso }
}

/// Row groups: the `--by` values (constant per customer) and the currency.
struct Groups {
    /// (extra values..., currency handle) of each group.
    keys: Vec<Vec<u32>>,
    of_invoice: Vec<usize>,
}

impl Groups {
    fn new(ledger: &Ledger, by: usize) -> Result<Groups> {
        check_constant_per_customer(ledger, by)?;
        let mut index: HashMap<Vec<u32>, usize> = HashMap::new();
        let mut keys = Vec::new();
        let mut of_invoice = Vec::with_capacity(ledger.invoices.len());
        let mut key = Vec::new();
        for (i, inv) in ledger.invoices.iter().enumerate() {
            key.clear();
            key.extend(ledger.extras[..by].iter().map(|c| c.values[i]));
            key.push(inv.currency);
            let g = *index.entry(key.clone()).or_insert_with(|| {
                keys.push(key.clone());
                keys.len() - 1
            });
            of_invoice.push(g);
        }
        Ok(Groups { keys, of_invoice })
    }

    /// Group indexes sorted by key text, then currency.
    fn order(&self, ledger: &Ledger) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.keys.len()).collect();
        order.sort_by_cached_key(|&g| {
            let key = &self.keys[g];
            let values: Vec<&str> = key[..key.len() - 1].iter().map(|&v| ledger.texts.get(v)).collect();
            (values, self.currency(ledger, g))
        });
        order
    }

    fn key_cells(&self, ledger: &Ledger, g: usize) -> Vec<Cell> {
        let key = &self.keys[g];
        key[..key.len() - 1].iter().map(|&v| Cell::text(ledger.texts.get(v))).collect()
    }

    fn currency(&self, ledger: &Ledger, g: usize) -> String {
        ledger.currencies.get(*self.keys[g].last().expect("currency in key")).to_string()
    }
}

fn check_constant_per_customer(ledger: &Ledger, by: usize) -> Result<()> {
    let mut seen: HashMap<u32, usize> = HashMap::new();
    for (i, inv) in ledger.invoices.iter().enumerate() {
        let first = *seen.entry(inv.customer).or_insert(i);
        for column in &ledger.extras[..by] {
            if column.values[first] != column.values[i] {
                bail!(
                    "--by: the column is not constant per customer: customer '{}' has '{}' and '{}' (group by a customer attribute)",
                    ledger.customers.get(inv.customer),
                    ledger.texts.get(column.values[first]),
                    ledger.texts.get(column.values[i])
                );
            }
        }
    }
    Ok(())
}
