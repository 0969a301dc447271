//! `cobro forecast`: expected cash per week from each customer's payment
//! history, per invoice with `--detail`, scored on past data with `--backtest`.

use super::side::DisputesArgs;
use crate::cli::{InputArgs, OutputArgs};
use crate::dates::{iso, Day};
use crate::domain::disputes::Disputes;
use crate::domain::forecast::{
    After, DetailRow, ForecastParams, Forecaster, Period, Totals, WeekRow, Weekly,
};
use crate::domain::history::History;
use crate::domain::ledger::{LaterPayments, Ledger};
use crate::error::usage;
use crate::files::paths::Paths;
use crate::input::{load_ledger_and_later, load_ledger_with, SideFiles};
use crate::money::minor_digits;
use crate::render::fields::Field;
use crate::render::forecast_chart::{self, Panel};
use crate::render::{json, output, Cell, Report};
use anyhow::{bail, Result};
use clap::Args;
use rust_decimal::Decimal;
use serde::Serialize;

/// Cash forecast: when the open invoices will be paid, week by week.
///
/// Each open invoice (amount > 0, not in dispute) is spread over the days its
/// customer's past delays (settlement minus due date, over --lookback days)
/// point to, keeping only the delays longer than the invoice is already late;
/// a customer with fewer than --min-history such delays uses its currency's
/// portfolio, and without enough history the amount goes to `later`.
/// --backtest scores the forecast made at --as-of against the payments dated
/// after it, next to the naive forecast (everything paid on its due date).
///
/// Example:
///   cobro forecast fixtures/invoices.csv --payments fixtures/payments.csv --as-of 2025-06-30
///   cobro forecast fixtures/invoices.csv --payments fixtures/payments.csv --as-of 2025-05-19 \
///       --weeks 6 --backtest --chart backtest.svg
///   cobro forecast export.csv --payments pay.csv --detail -f csv -o forecast.csv
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ForecastArgs {
    /// Invoices file (CSV, or Parquet by extension; - for standard input)
    #[arg(value_name = "INVOICES")]
    pub invoices: String,

    /// Weeks in the horizon (W01 starts the day after the as-of date); what falls after goes to `later`
    #[arg(long, value_name = "N", default_value_t = 13)]
    pub weeks: u32,

    /// Days of settled invoices (ending on the as-of date) whose delays make the history
    #[arg(long, value_name = "DAYS", default_value_t = 365)]
    pub lookback: i32,

    /// Fewest delays above an invoice's days past due for its customer's (else the portfolio's) history to be used
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub min_history: usize,

    /// One row per forecast or disputed invoice: basis, sample size, median, P10 and P90 dates
    #[arg(long)]
    pub detail: bool,

    /// Score the forecast against the payments dated after the as-of date (actual, naive, WAPE)
    #[arg(long)]
    pub backtest: bool,

    /// Also draw the expected cash per week (and the actual with --backtest) as an SVG bar chart
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<String>,

    #[command(flatten)]
    pub disputes: DisputesArgs,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Weeks beyond this would only print empty rows (and overflow day arithmetic far beyond).
const MAX_WEEKS: u32 = 10_000;

pub fn run(args: &ForecastArgs) -> Result<()> {
    let output_options = args.output.options()?;
    Paths::new()
        .input("INVOICES", Some(&args.invoices))
        .input("--disputes", args.disputes.disputes.as_deref())
        .input_args(&args.input)
        .output_args(&args.output)
        .output("--chart", args.chart.as_deref())
        .check()?;
    let read_options = args.input.read_options()?;
    let params = params(args)?;
    let payments = args.input.payments.as_deref();
    let side = SideFiles { disputes: args.disputes.disputes.as_deref(), ..SideFiles::default() };
    let (ledger, later, data) = if args.backtest {
        let (ledger, later, data) =
            load_ledger_and_later(&args.invoices, payments, &read_options, params.as_of, side)?;
        check_later(&later, payments.unwrap_or(&args.invoices), params.as_of)?;
        (ledger, Some(later), data)
    } else {
        let (ledger, data) =
            load_ledger_with(&args.invoices, payments, &read_options, &[], params.as_of, side)?;
        (ledger, None, data)
    };
    let disputes = Disputes::new(&ledger, &data.disputes, params.as_of);
    let history = History::new(&ledger);
    if history.undated_payments > 0 {
        eprintln!(
            "cobro: warning: {} undated payment(s) (from open_amount) count for balances; an invoice they settle counts as settled on its issue date",
            history.undated_payments
        );
    }
    let after = later.map(|l| After::new(ledger.invoices.len(), &l.payments));
    let forecaster = Forecaster::new(&history, params, after.as_ref()).with_disputes(disputes);
    let weekly = (args.chart.is_some() || !args.detail).then(|| forecaster.weekly());
    if let (Some(path), Some(weekly)) = (&args.chart, &weekly) {
        forecast_chart::write_svg(&panels(&ledger, weekly), path)?;
    }
    let mut report = match weekly {
        Some(weekly) if !args.detail => weekly_report(&ledger, &weekly, args.backtest),
        _ => detail_report(&ledger, &forecaster.detail(), args.backtest),
    };
    report.as_of = params.as_of;
    report.params = json::params(&ForecastParamsJson {
        weeks: args.weeks,
        lookback: args.lookback,
        min_history: args.min_history,
        detail: args.detail,
        backtest: args.backtest,
    });
    super::side::add_params(&mut report.params, None, &args.disputes);
    output::emit(&report, &output_options)
}

/// The run's parameters, echoed in JSON `params`.
#[derive(Serialize)]
struct ForecastParamsJson {
    weeks: u32,
    lookback: i32,
    min_history: usize,
    detail: bool,
    backtest: bool,
}

fn params(args: &ForecastArgs) -> Result<ForecastParams> {
    if !(1..=MAX_WEEKS).contains(&args.weeks) {
        return Err(usage(format!("--weeks must be between 1 and {MAX_WEEKS}")));
    }
    crate::cli::check_days("lookback", args.lookback, 1)?;
    if args.min_history < 1 {
        return Err(usage("--min-history must be at least 1"));
    }
    Ok(ForecastParams {
        as_of: args.input.as_of()?,
        weeks: args.weeks,
        lookback: args.lookback,
        min_history: args.min_history,
    })
}

/// A backtest needs payments dated after the as-of date.
fn check_later(later: &LaterPayments, file: &str, as_of: Day) -> Result<()> {
    if later.in_input == 0 {
        bail!(
            "--backtest: no payment in {file} is dated after the as-of date {}: there is nothing to score the forecast against (pick an earlier --as-of)",
            iso(as_of)
        );
    }
    Ok(())
}

/// The fields that exist only with `--backtest`: `actual` and `naive` in
/// the rows and totals, the WAPEs in the totals.
const BACKTEST_FIELDS: &[&str] = &["actual", "naive", "wape_pct", "naive_wape_pct"];

/// `fields` less the backtest's unless `backtest`.
fn kept<T>(fields: &[Field<T>], backtest: bool) -> Vec<&Field<T>> {
    fields.iter().filter(|f| backtest || !BACKTEST_FIELDS.contains(&f.name)).collect()
}

fn names<T>(fields: &[&Field<T>]) -> Vec<String> {
    fields.iter().map(|f| f.name.to_string()).collect()
}

fn cells<T>(fields: &[&Field<T>], row: &T) -> Vec<Cell> {
    fields.iter().map(|f| (f.value)(row)).collect()
}

/// A domain row with its currency resolved against the ledger: the code
/// and the minor-unit digits.
struct InCurrency<T> {
    row: T,
    currency: String,
    digits: u32,
}

impl<T: Clone> InCurrency<T> {
    fn new(ledger: &Ledger, row: &T, currency: u32) -> Self {
        let currency = ledger.currencies.get(currency);
        InCurrency { row: row.clone(), currency: currency.to_string(), digits: minor_digits(currency) }
    }

    fn money(&self, value: Decimal) -> Cell {
        Cell::Money(value, self.digits)
    }

    fn opt_money(&self, value: Option<Decimal>) -> Cell {
        value.map_or(Cell::Null, |v| self.money(v))
    }
}

/// One weekly row: a week (`W01`..), `later` or `disputed` in one currency.
type WeekLine = InCurrency<WeekRow>;

/// The weekly rows' fields; `actual` and `naive` only with `--backtest`.
const WEEK: &[Field<WeekLine>] = &[
    Field::new("period", |w| Cell::text(period_name(w.row.period))),
    Field::new("week_start", |w| Cell::opt_date(w.row.week.map(|w| w.0))),
    Field::new("week_end", |w| Cell::opt_date(w.row.week.map(|w| w.1))),
    Field::new("currency", |w| Cell::text(&w.currency)),
    Field::new("expected", |w| w.money(w.row.expected)),
    Field::new("cumulative", |w| w.opt_money(w.row.cumulative)),
    Field::new("invoices", |w| Cell::Int(w.row.invoices as i64)),
    Field::new("actual", |w| w.opt_money(w.row.actual)),
    Field::new("naive", |w| w.opt_money(w.row.naive)),
];

/// One currency's totals row.
type TotalLine = InCurrency<Totals>;

/// The totals' fields: the weekly rows' (the period, week and cumulative
/// null), and with `--backtest` the scores.
const TOTAL: &[Field<TotalLine>] = &[
    Field::new("period", |_| Cell::Null),
    Field::new("week_start", |_| Cell::Null),
    Field::new("week_end", |_| Cell::Null),
    Field::new("currency", |t| Cell::text(&t.currency)),
    Field::new("expected", |t| t.money(t.row.expected)),
    Field::new("cumulative", |_| Cell::Null),
    Field::new("invoices", |t| Cell::Int(t.row.invoices as i64)),
    Field::new("actual", |t| t.opt_money(t.row.score.as_ref().map(|s| s.actual))),
    Field::new("naive", |t| t.opt_money(t.row.score.as_ref().map(|s| s.naive))),
    Field::new("wape_pct", |t| Cell::fixed2(t.row.score.as_ref().and_then(|s| s.wape_pct))),
    Field::new("naive_wape_pct", |t| Cell::fixed2(t.row.score.as_ref().and_then(|s| s.naive_wape_pct))),
];

fn weekly_report(ledger: &Ledger, weekly: &Weekly, backtest: bool) -> Report {
    let (week, total) = (kept(WEEK, backtest), kept(TOTAL, backtest));
    let rows = weekly.rows.iter().map(|r| cells(&week, &WeekLine::new(ledger, r, r.currency)));
    let totals = weekly.totals.iter().map(|t| cells(&total, &TotalLine::new(ledger, t, t.currency)));
    Report {
        command: "forecast".into(),
        as_of: 0,
        params: Default::default(),
        columns: names(&week),
        rows: rows.collect(),
        // The totals differ from the rows only by the backtest's scores.
        totals_columns: backtest.then(|| names(&total)),
        totals: totals.collect(),
    }
}

fn period_name(period: Period) -> String {
    match period {
        Period::Week(k) => format!("W{k:02}"),
        Period::Later => "later".into(),
        Period::Disputed => "disputed".into(),
    }
}

/// One `--detail` row: a forecast or disputed invoice with its texts.
struct DetailLine {
    row: DetailRow,
    customer: String,
    customer_name: String,
    invoice: String,
    currency: String,
    due_date: Day,
    digits: u32,
}

impl DetailLine {
    /// `customer_names`: [`Ledger::customer_names`], so each line shows its
    /// customer's name (the first one given), as every other row does.
    fn new(ledger: &Ledger, row: &DetailRow, customer_names: &[u32]) -> Self {
        let invoice = &ledger.invoices[row.index];
        DetailLine {
            row: row.clone(),
            customer: ledger.customer(invoice).to_string(),
            customer_name: ledger.texts.get(customer_names[invoice.customer as usize]).to_string(),
            invoice: ledger.id(row.index).to_string(),
            currency: ledger.currency(invoice).to_string(),
            due_date: invoice.due,
            digits: minor_digits(ledger.currency(invoice)),
        }
    }
}

/// The `--detail` rows' fields; `actual` only with `--backtest`.
const DETAIL: &[Field<DetailLine>] = &[
    Field::new("customer", |d| Cell::text(&d.customer)),
    Field::new("customer_name", |d| {
        if d.customer_name.is_empty() {
            Cell::Null
        } else {
            Cell::text(&d.customer_name)
        }
    }),
    Field::new("invoice", |d| Cell::text(&d.invoice)),
    Field::new("currency", |d| Cell::text(&d.currency)),
    Field::new("due_date", |d| Cell::Date(d.due_date)),
    Field::new("open", |d| Cell::Money(d.row.open, d.digits)),
    Field::new("days_past_due", |d| Cell::Int(d.row.days_past_due as i64)),
    Field::new("basis", |d| Cell::text(d.row.basis.name())),
    Field::new("sample_size", |d| Cell::Int(d.row.sample_size as i64)),
    Field::new("expected_date", |d| Cell::opt_date(d.row.expected_date)),
    Field::new("p10_date", |d| Cell::opt_date(d.row.p10_date)),
    Field::new("p90_date", |d| Cell::opt_date(d.row.p90_date)),
    Field::new("in_horizon_pct", |d| Cell::fixed2(d.row.in_horizon_pct)),
    Field::new("actual", |d| d.row.actual.map_or(Cell::Null, |a| Cell::Money(a, d.digits))),
];

fn detail_report(ledger: &Ledger, rows: &[DetailRow], backtest: bool) -> Report {
    let fields = kept(DETAIL, backtest);
    let customer_names = ledger.customer_names();
    Report {
        command: "forecast".into(),
        as_of: 0,
        params: Default::default(),
        columns: names(&fields),
        rows: rows.iter().map(|r| cells(&fields, &DetailLine::new(ledger, r, &customer_names))).collect(),
        totals_columns: None,
        totals: Vec::new(),
    }
}

/// One chart panel per currency: expected (and actual) per week.
fn panels(ledger: &Ledger, weekly: &Weekly) -> Vec<Panel> {
    weekly
        .totals
        .iter()
        .map(|t| {
            let weeks: Vec<&WeekRow> = (weekly.rows.iter())
                .filter(|r| r.currency == t.currency && matches!(r.period, Period::Week(_)))
                .collect();
            let mut series = vec![("expected".to_string(), weeks.iter().map(|r| r.expected).collect())];
            if t.score.is_some() {
                series.push((
                    "actual".to_string(),
                    weeks.iter().map(|r| r.actual.unwrap_or_default()).collect(),
                ));
            }
            Panel {
                title: format!("Expected cash per week ({})", ledger.currencies.get(t.currency)),
                labels: weeks.iter().map(|r| period_name(r.period)).collect(),
                series,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without --backtest the totals go out under the rows' columns (CSV
    /// `--totals` appends them), so both lists must name the same fields.
    #[test]
    fn totals_share_the_rows_fields_but_the_scores() {
        assert_eq!(names(&kept(TOTAL, false)), names(&kept(WEEK, false)));
        let mut scored = names(&kept(WEEK, true));
        assert_eq!(scored[7..], ["actual", "naive"]);
        scored.extend(["wape_pct", "naive_wape_pct"].map(String::from));
        assert_eq!(names(&kept(TOTAL, true)), scored);
        assert_eq!(names(&kept(DETAIL, true)).last().map(String::as_str), Some("actual"));
        assert_eq!(names(&kept(DETAIL, false)).len(), 13);
    }
}
