//! `cobro forecast`: expected cash per week from each customer's payment
//! history, per invoice with `--detail`, scored on past data with `--backtest`.

use super::side::DisputesArgs;
use crate::cli::{InputArgs, OutputArgs};
use crate::dates::{iso, Day};
use crate::domain::disputes::Disputes;
use crate::domain::forecast::{After, DetailRow, ForecastParams, Forecaster, Period, WeekRow, Weekly};
use crate::domain::history::History;
use crate::domain::ledger::{LaterPayments, Ledger};
use crate::error::usage;
use crate::files::paths::Paths;
use crate::input::{load_ledger_and_later, load_ledger_with, SideFiles};
use crate::money::minor_digits;
use crate::render::forecast_chart::{self, Panel};
use crate::render::{output, Cell, Report};
use anyhow::{bail, Result};
use clap::Args;
use rust_decimal::Decimal;
use serde_json::json;

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
    report.params = json!({
        "weeks": args.weeks, "lookback": args.lookback, "min_history": args.min_history,
        "detail": args.detail, "backtest": args.backtest,
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    super::side::add_params(&mut report.params, None, &args.disputes);
    output::emit(&report, &output_options)
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

fn weekly_report(ledger: &Ledger, weekly: &Weekly, backtest: bool) -> Report {
    let mut columns: Vec<String> =
        ["period", "week_start", "week_end", "currency", "expected", "cumulative", "invoices"]
            .map(String::from)
            .to_vec();
    if backtest {
        columns.extend(["actual", "naive"].map(String::from));
    }
    let rows = weekly.rows.iter().map(|r| week_cells(ledger, r)).collect();
    let totals = weekly
        .totals
        .iter()
        .map(|t| {
            let currency = ledger.currencies.get(t.currency);
            let money = |v| Cell::Money(v, minor_digits(currency));
            let mut cells = vec![Cell::Null, Cell::Null, Cell::Null, Cell::text(currency)];
            cells.extend([money(t.expected), Cell::Null, Cell::Int(t.invoices as i64)]);
            if let Some(s) = &t.score {
                cells.extend([money(s.actual), money(s.naive)]);
                cells.extend([Cell::fixed2(s.wape_pct), Cell::fixed2(s.naive_wape_pct)]);
            }
            cells
        })
        .collect();
    let totals_columns = backtest.then(|| {
        let mut names = columns.clone();
        names.extend(["wape_pct", "naive_wape_pct"].map(String::from));
        names
    });
    Report {
        command: "forecast".into(),
        as_of: 0,
        params: Default::default(),
        columns,
        rows,
        totals_columns,
        totals,
    }
}

fn period_name(period: Period) -> String {
    match period {
        Period::Week(k) => format!("W{k:02}"),
        Period::Later => "later".into(),
        Period::Disputed => "disputed".into(),
    }
}

fn week_cells(ledger: &Ledger, row: &WeekRow) -> Vec<Cell> {
    let currency = ledger.currencies.get(row.currency);
    let money = |v: Decimal| Cell::Money(v, minor_digits(currency));
    let mut cells = vec![
        Cell::text(period_name(row.period)),
        Cell::opt_date(row.week.map(|w| w.0)),
        Cell::opt_date(row.week.map(|w| w.1)),
        Cell::text(currency),
        money(row.expected),
        row.cumulative.map_or(Cell::Null, money),
        Cell::Int(row.invoices as i64),
    ];
    cells.extend(row.actual.map(money));
    cells.extend(row.naive.map(money));
    cells
}

fn detail_report(ledger: &Ledger, rows: &[DetailRow], backtest: bool) -> Report {
    let mut columns: Vec<String> = [
        "customer",
        "customer_name",
        "invoice",
        "currency",
        "due_date",
        "open",
        "days_past_due",
        "basis",
        "sample_size",
        "expected_date",
        "p10_date",
        "p90_date",
        "in_horizon_pct",
    ]
    .map(String::from)
    .to_vec();
    if backtest {
        columns.push("actual".into());
    }
    Report {
        command: "forecast".into(),
        as_of: 0,
        params: Default::default(),
        columns,
        rows: rows.iter().map(|r| detail_cells(ledger, r)).collect(),
        totals_columns: None,
        totals: Vec::new(),
    }
}

fn detail_cells(ledger: &Ledger, row: &DetailRow) -> Vec<Cell> {
    let invoice = &ledger.invoices[row.index];
    let digits = minor_digits(ledger.currency(invoice));
    let name = ledger.texts.get(invoice.name);
    let mut cells = vec![
        Cell::text(ledger.customer(invoice)),
        if name.is_empty() { Cell::Null } else { Cell::text(name) },
        Cell::text(ledger.id(row.index)),
        Cell::text(ledger.currency(invoice)),
        Cell::Date(invoice.due),
        Cell::Money(row.open, digits),
        Cell::Int(row.days_past_due as i64),
        Cell::text(row.basis.name()),
        Cell::Int(row.sample_size as i64),
        Cell::opt_date(row.expected_date),
        Cell::opt_date(row.p10_date),
        Cell::opt_date(row.p90_date),
        Cell::fixed2(row.in_horizon_pct),
    ];
    cells.extend(row.actual.map(|a| Cell::Money(a, digits)));
    cells
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
