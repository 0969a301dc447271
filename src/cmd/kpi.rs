//! `cobro kpi`: collection measures per period, group and currency.

use super::side::{self, DisputesArgs, PromisesArgs};
use crate::cli::{by_columns, check_days, InputArgs, OutputArgs};
use crate::dates::{date_of, day_of, parse_iso_flag, Day};
use crate::domain::disputes::{DisputeSums, Disputes};
use crate::domain::kpi::{periods, Every, Facts, KpiParams, KpiSums};
use crate::domain::ledger::Ledger;
use crate::domain::promise::{Book, PromiseParams, PromiseSums};
use crate::error::usage;
use crate::files::paths::Paths;
use crate::group::number_groups;
use crate::input::{load_ledger_with, ReadOptions, SideData, SideFiles};
use crate::money::minor_digits;
use crate::render::chart::{self, Chart, Series};
use crate::render::fields::{self, Field};
use crate::render::{json, output, Cell, Report};
use anyhow::{bail, Result};
use chrono::Datelike;
use clap::Args;
use hashbrown::HashMap;
use rust_decimal::Decimal;
use serde::Serialize;

/// Collection KPIs: recovery rate, days to collect, reoffending rate, DSO, CEI, ADD.
///
/// Over [--from, --to] (default: the first day of the as-of month to the as-of
/// date), split into calendar periods with --every; totals are the whole
/// range computed as one period. Every definition is in docs/kpi.md.
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
    #[arg(long, value_parser = crate::cli::choice::<Every>())]
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
    pub disputes: DisputesArgs,

    #[command(flatten)]
    pub promises: PromisesArgs,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// One row's measures, with its currency's minor digits for the money.
struct Measured {
    sums: KpiSums,
    digits: u32,
}

fn money(value: Decimal, digits: u32) -> Cell {
    Cell::Money(value, digits)
}

fn count(n: u64) -> Cell {
    Cell::Int(n as i64)
}

/// The measures of a kpi row, in output order: each name with its value
/// and kind (definitions in docs/kpi.md).
const MEASURES: &[Field<Measured>] = &[
    Field::new("recovery_rate_pct", |m| Cell::fixed2(m.sums.recovery_rate_pct())),
    Field::new("overdue_owed", |m| money(m.sums.overdue_owed, m.digits)),
    Field::new("recovered", |m| money(m.sums.recovered, m.digits)),
    Field::new("avg_days_to_collect", |m| Cell::fixed2(m.sums.avg_days_to_collect())),
    Field::new("collected_invoices", |m| count(m.sums.collected_invoices)),
    Field::new("avg_days_late", |m| Cell::fixed2(m.sums.avg_days_late())),
    Field::new("avg_days_to_settle", |m| Cell::fixed2(m.sums.avg_days_to_settle())),
    Field::new("settled_invoices", |m| count(m.sums.settled_invoices)),
    Field::new("reoffending_rate_pct", |m| Cell::fixed2(m.sums.reoffending_rate_pct())),
    Field::new("cured_customers", |m| count(m.sums.cured_customers)),
    Field::new("reoffended_customers", |m| count(m.sums.reoffended_customers)),
    Field::new("pending_customers", |m| count(m.sums.pending_customers)),
    Field::new("dso", |m| Cell::fixed2(m.sums.dso())),
    Field::new("best_possible_dso", |m| Cell::fixed2(m.sums.best_possible_dso())),
    Field::new("add", |m| Cell::fixed2(m.sums.add())),
    Field::new("cei_pct", |m| Cell::fixed2(m.sums.cei_pct())),
    Field::new("ar_begin", |m| money(m.sums.ar_begin, m.digits)),
    Field::new("ar_end", |m| money(m.sums.ar_end, m.digits)),
    Field::new("current_end", |m| money(m.sums.current_end, m.digits)),
    Field::new("sales", |m| money(m.sums.sales, m.digits)),
    Field::new("overdue_end", |m| money(m.sums.overdue_end(), m.digits)),
    Field::new("overdue_pct", |m| Cell::fixed2(m.sums.overdue_pct())),
];

/// Most periods one report splits its range into (a hundred years of months).
const MAX_PERIODS: usize = 1200;

pub fn run(args: &KpiArgs) -> Result<()> {
    let output_options = args.output.options()?;
    Paths::new()
        .input("INVOICES", Some(&args.invoices))
        .input("--disputes", args.disputes.disputes.as_deref())
        .input("--promises", args.promises.promises.as_deref())
        .input_args(&args.input)
        .output_args(&args.output)
        .output("--chart", args.chart.as_deref())
        .check()?;
    output::emit(&report(args)?, &output_options)
}

/// The measures as `run` prints them, writing `--chart` on the way
/// (`cobro report` composes them too).
pub fn report(args: &KpiArgs) -> Result<Report> {
    let settings = Settings::new(args)?;
    let side = SideFiles {
        disputes: args.disputes.disputes.as_deref(),
        promises: args.promises.promises.as_deref(),
        ..SideFiles::default()
    };
    let payments = args.input.payments.as_deref();
    let (ledger, data) = load_ledger_with(
        &args.invoices,
        payments,
        &settings.read_options,
        &settings.by,
        settings.as_of,
        side,
    )?;
    report_on(args, settings, &ledger, data)
}

/// What the flags ask for, checked before any file is read.
pub struct Settings {
    read_options: ReadOptions,
    as_of: Day,
    from: Day,
    to: Day,
    period_list: Vec<(Day, Day)>,
    /// The input columns of `--by`.
    by: Vec<String>,
    tolerance: i32,
}

impl Settings {
    pub fn new(args: &KpiArgs) -> Result<Settings> {
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
        let by = args.by.as_deref().map_or(Ok(Vec::new()), by_columns)?;
        let tolerance = args.promises.tolerance()?;
        Ok(Settings { read_options, as_of, from, to, period_list, by, tolerance })
    }
}

/// Every period's measures by group, and the totals: [`report`] on a
/// ledger already read, with `data`, its side files
/// (`cobro report` reads its input once for all its parts). The ledger must
/// have been read at the as-of date of `settings`, with the columns `--by` names.
pub fn report_on(args: &KpiArgs, settings: Settings, ledger: &Ledger, data: SideData) -> Result<Report> {
    let Settings { as_of, from, to, ref period_list, ref by, tolerance, .. } = settings;
    let groups = Groups::new(ledger, by.len())?;
    let params = KpiParams { as_of, grace: args.grace, window: args.window };
    let facts = Facts::new(ledger, &params);
    warn_about_dates(&facts);
    let sums = facts.measure(period_list, groups.keys.len(), |i| groups.of(ledger, i), &params);
    let currencies = Groups::new(ledger, 0)?;
    let totals = facts.measure(&[(from, to)], currencies.keys.len(), |i| currencies.of(ledger, i), &params);
    let disputes = args.disputes.disputes.is_some().then(|| Disputes::new(ledger, &data.disputes, as_of));
    let measure_disputes = |groups: &Groups, periods: &[(Day, Day)]| -> Option<Vec<Vec<DisputeSums>>> {
        let of = |i: usize| groups.of(ledger, i);
        disputes.as_ref().map(|d| d.measure(&facts.history, periods, groups.keys.len(), of))
    };
    let (dispute_sums, dispute_totals) =
        (measure_disputes(&groups, period_list), measure_disputes(&currencies, &[(from, to)]));
    let book = args
        .promises
        .promises
        .is_some()
        .then(|| Book::new(ledger, data.promises, PromiseParams { as_of, tolerance }));
    let first = if book.is_some() { FirstInvoices::new(ledger) } else { FirstInvoices::default() };
    let measure_promises = |groups: &Groups, periods: &[(Day, Day)]| -> Option<Vec<Vec<PromiseSums>>> {
        let of = |c: u32, k: u32| first.of_promise(c, k, groups.by).map(|i| groups.of(ledger, i));
        book.as_ref().map(|b| b.measure(periods, groups.keys.len(), of))
    };
    let (promise_sums, promise_totals) =
        (measure_promises(&groups, period_list), measure_promises(&currencies, &[(from, to)]));
    let mut columns: Vec<String> = vec!["period_start".into(), "period_end".into()];
    columns.extend(by.iter().cloned());
    columns.push("currency".into());
    columns.extend(fields::names(MEASURES));
    if book.is_some() {
        columns.extend(fields::names(side::KPI_PROMISES));
    }
    if disputes.is_some() {
        columns.extend(fields::names(side::KPI_DISPUTES));
    }
    let mut rows = Vec::new();
    let group_order = groups.order(ledger);
    for (p, &(s, e)) in period_list.iter().enumerate() {
        for &g in &group_order {
            let currency = groups.currency(ledger, g);
            let mut cells = row_cells(s, e, groups.key_cells(ledger, g), &currency, &sums[p][g]);
            let promises = promise_sums.as_ref().map(|sums| &sums[p][g]);
            let disputed = dispute_sums.as_ref().map(|sums| &sums[p][g]);
            cells.extend(side_cells(promises, disputed, sums[p][g].ar_end, &currency));
            rows.push(cells);
        }
    }
    let total_rows = currencies
        .order(ledger)
        .into_iter()
        .map(|g| {
            let keys = vec![Cell::Null; by.len()];
            let currency = currencies.currency(ledger, g);
            let mut cells = row_cells(from, to, keys, &currency, &totals[0][g]);
            let promises = promise_totals.as_ref().map(|sums| &sums[0][g]);
            let disputed = dispute_totals.as_ref().map(|sums| &sums[0][g]);
            cells.extend(side_cells(promises, disputed, totals[0][g].ar_end, &currency));
            cells
        })
        .collect();
    if let Some(path) = &args.chart {
        let chart = trend_chart(ledger, &groups, &group_order, period_list, &sums);
        chart::write_svg(&chart, path)?;
    }
    let mut report = Report {
        command: "kpi".into(),
        as_of,
        params: json::params(&KpiParamsJson {
            from,
            to,
            every: args.every.map(|e| format!("{e:?}").to_lowercase()),
            by,
            grace: args.grace,
            window: args.window,
        }),
        columns,
        rows,
        totals_columns: None,
        totals: total_rows,
    };
    side::add_params(&mut report.params, Some(&args.promises), &args.disputes);
    Ok(report)
}

/// Where a promise's kpi row is: the group of its customer's first document
/// in its currency. A customer with no document at the as-of date (all its
/// documents issued later) still counts in its currency's row when the rows
/// are per currency only (no `--by`, and always in the totals); with `--by`
/// its group is unknown, so it is left out of the group rows.
#[derive(Default)]
struct FirstInvoices {
    of_pair: HashMap<(u32, u32), usize>,
    of_currency: HashMap<u32, usize>,
}

impl FirstInvoices {
    fn new(ledger: &Ledger) -> FirstInvoices {
        let mut first = FirstInvoices::default();
        for (i, inv) in ledger.invoices.iter().enumerate() {
            first.of_pair.entry((inv.customer, inv.currency)).or_insert(i);
            first.of_currency.entry(inv.currency).or_insert(i);
        }
        first
    }

    /// An invoice in the group of (customer, currency), grouping by `by` columns.
    fn of_promise(&self, customer: u32, currency: u32, by: usize) -> Option<usize> {
        let own = self.of_pair.get(&(customer, currency));
        own.or_else(|| if by == 0 { self.of_currency.get(&currency) } else { None }).copied()
    }
}

/// The run's parameters, echoed in JSON `params`.
#[derive(Serialize)]
struct KpiParamsJson<'a> {
    #[serde(serialize_with = "json::iso_date")]
    from: Day,
    #[serde(serialize_with = "json::iso_date")]
    to: Day,
    every: Option<String>,
    by: &'a [String],
    grace: i32,
    window: i32,
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
            "cobro: warning: {} undated payment(s) (from open_amount) count for balances, and an invoice they settle counts as settled on its issue date, but they are in no period's recovered amount",
            facts.history.undated_payments
        );
    }
    let no_issue = facts.settled_without_issue_date();
    if no_issue > 0 {
        eprintln!("cobro: warning: {no_issue} settled invoice(s) without issue_date are left out of avg_days_to_settle");
    }
}

fn row_cells(s: Day, e: Day, keys: Vec<Cell>, currency: &str, k: &KpiSums) -> Vec<Cell> {
    let mut cells = vec![Cell::Date(s), Cell::Date(e)];
    cells.extend(keys);
    cells.push(Cell::text(currency));
    let measured = Measured { sums: k.clone(), digits: minor_digits(currency) };
    cells.extend(fields::cells(MEASURES, &measured));
    cells
}

/// The [`side::KPI_PROMISES`] and [`side::KPI_DISPUTES`] cells of one row,
/// each group only when its file is given; `ar_end` is the row's total open at E.
fn side_cells(
    promises: Option<&PromiseSums>,
    disputes: Option<&DisputeSums>,
    ar_end: Decimal,
    currency: &str,
) -> Vec<Cell> {
    let digits = minor_digits(currency);
    let mut cells = Vec::new();
    if let Some(sums) = promises {
        cells.extend(fields::cells(side::KPI_PROMISES, &side::KpiPromises { sums: sums.clone(), digits }));
    }
    if let Some(sums) = disputes {
        let measured = side::KpiDisputes { sums: sums.clone(), ar_end, digits };
        cells.extend(fields::cells(side::KPI_DISPUTES, &measured));
    }
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
    /// Each invoice's group (`u32`: ten million of them); empty when the
    /// groups are the currencies.
    of_invoice: Vec<u32>,
    /// When the groups are the currencies: each currency handle's group.
    of_currency: Vec<u32>,
    /// How many `--by` columns make the key (0: per currency only).
    by: usize,
}

impl Groups {
    fn new(ledger: &Ledger, by: usize) -> Result<Groups> {
        check_constant_per_customer(ledger, by)?;
        if by == 0 {
            return Ok(Groups::of_currencies(ledger));
        }
        let currencies = ledger.invoices.iter().map(|invoice| invoice.currency).collect();
        let columns = ledger.extras[..by].iter().map(|column| column.values.clone()).chain([currencies]);
        let numbered = number_groups(columns.collect())?;
        Ok(Groups { keys: numbered.keys, of_invoice: numbered.of_row, of_currency: Vec::new(), by })
    }

    /// The currencies as groups, in order of first appearance: a table by
    /// currency handle, no group-by.
    fn of_currencies(ledger: &Ledger) -> Groups {
        let mut keys = Vec::new();
        let mut of_currency = vec![u32::MAX; ledger.currencies.len()];
        for invoice in &ledger.invoices {
            let group = &mut of_currency[invoice.currency as usize];
            if *group == u32::MAX {
                *group = keys.len() as u32;
                keys.push(vec![invoice.currency]);
            }
        }
        Groups { keys, of_invoice: Vec::new(), of_currency, by: 0 }
    }

    /// The group of the invoice at `index`.
    fn of(&self, ledger: &Ledger, index: usize) -> usize {
        match self.by {
            0 => self.of_currency[ledger.invoices[index].currency as usize] as usize,
            _ => self.of_invoice[index] as usize,
        }
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
