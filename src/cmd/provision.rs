//! `cobro provision`: expected credit loss with a provision matrix.

use crate::cli::{by_columns, InputArgs, OutputArgs};
use crate::cmd::age::parse_buckets;
use crate::dates::{date_of, day_of, iso, parse_iso_flag, Day};
use crate::domain::provision::{self, ProvisionParams, ProvisionRow, ProvisionTotal};
use crate::error::usage;
use crate::files::paths::Paths;
use crate::input::load_ledger;
use crate::input::rates::load_loss_rates;
use crate::money::{minor_digits, percent};
use crate::render::fields::{self, column_cells, column_names, Column, Field};
use crate::render::{json, output, Cell, Report};
use anyhow::Result;
use chrono::Months;
use clap::Args;
use rust_decimal::Decimal;
use serde::Serialize;
use std::str::FromStr;

/// Provision: the expected credit loss of the open receivables (IFRS 9 provision matrix).
///
/// The loss rate of each aging bucket comes from the company's own history
/// (the cohort method: of the documents issued since --history-from and at
/// least --default-after days past due, what reached each bucket and what
/// was still open --default-after days past due), or from --rates. Each
/// bucket's ECL is its gross open amount (invoices with open > 0) times the
/// applied rate, rounded to the currency's minor unit from the exact rate.
///
/// Example:
///   cobro provision fixtures/provision/invoices.csv --payments fixtures/provision/payments.csv \
///       --as-of 2025-12-31 --buckets 30,60,90
///   cobro provision export.csv --buckets 30,60,90 --rates examples/provision_rates.csv \
///       --adjust 10 -f csv
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ProvisionArgs {
    /// Invoices file (CSV, or Parquet by extension; - for standard input)
    #[arg(value_name = "INVOICES")]
    pub invoices: String,

    /// First issue date of the loss history (YYYY-MM-DD; default: the as-of date three years earlier)
    #[arg(long, value_name = "DATE")]
    pub history_from: Option<String>,

    /// Days past due after which what is still open counts as lost
    #[arg(long, value_name = "DAYS", default_value_t = 365)]
    pub default_after: i32,

    /// Forward-looking adjustment: every rate times (1 + PCT/100), at most 100 % (more than -100)
    #[arg(long, value_name = "PCT", default_value = "0", allow_hyphen_values = true)]
    pub adjust: String,

    /// Given loss rates instead of the history: CSV bucket,loss_rate_pct, every bucket once
    #[arg(long, value_name = "FILE")]
    pub rates: Option<String>,

    /// Group by input columns COL[,COL...] (each group gets its own rates); none: no grouping
    #[arg(long, value_name = "COL,...")]
    pub by: Option<String>,

    /// Bucket upper bounds in days: strictly increasing positive integers
    #[arg(long, value_name = "DAYS,...", default_value = "30,60,90,120")]
    pub buckets: String,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &ProvisionArgs) -> Result<()> {
    let output_options = args.output.options()?;
    Paths::new()
        .input("INVOICES", Some(&args.invoices))
        .input("--rates", args.rates.as_deref())
        .input_args(&args.input)
        .output_args(&args.output)
        .check()?;
    let read_options = args.input.read_options()?;
    let as_of = args.input.as_of()?;
    let buckets = parse_buckets(&args.buckets)?;
    let history_from = history_from(args, as_of)?;
    if !(0..=36_500).contains(&args.default_after) {
        return Err(usage("--default-after must be between 0 and 36500 days"));
    }
    let adjust = adjust(&args.adjust)?;
    let by = args.by.as_deref().map_or(Ok(Vec::new()), by_columns)?;
    let names = buckets.names();
    let given =
        args.rates.as_deref().map(|p| load_loss_rates(p, &names, read_options.decimal_comma)).transpose()?;
    let ledger = load_ledger(&args.invoices, args.input.payments.as_deref(), &read_options, &by, as_of)?;
    if ledger.undated_payments() > 0 {
        eprintln!(
            "cobro: warning: {} undated payment(s) (from open_amount) count as paid on every day: the loss history sees them as paid on time",
            ledger.undated_payments()
        );
    }
    let params = ProvisionParams {
        as_of,
        buckets,
        history_from,
        default_after: args.default_after,
        adjust,
        given,
        by: by.len(),
    };
    let rows = provision::provision(&ledger, &params)?;
    drop(ledger);
    warn_about_missing_rates(&rows, &by, &names);
    let columns = columns(&by);
    let totals = provision::totals(&rows).into_iter().map(TotalLine::new);
    let report = Report {
        command: "provision".into(),
        as_of,
        params: params_json(args, &params, &by),
        columns: column_names(&columns),
        rows: rows.iter().map(|r| column_cells(&columns, &BucketLine::new(r, &names))).collect(),
        totals_columns: Some(fields::names(TOTAL).collect()),
        totals: totals.map(|t| fields::cells(TOTAL, &t).collect()).collect(),
    };
    output::emit(&report, &output_options)
}

/// `--history-from`, or the as-of date three calendar years earlier (29
/// February giving 28 February).
fn history_from(args: &ProvisionArgs, as_of: Day) -> Result<Day> {
    match &args.history_from {
        Some(text) => parse_iso_flag(text).map(day_of).map_err(|e| usage(format!("--history-from: {e}"))),
        None => Ok(date_of(as_of).checked_sub_months(Months::new(36)).map_or(as_of, day_of)),
    }
}

fn adjust(text: &str) -> Result<Decimal> {
    let value = Decimal::from_str(text.trim())
        .map_err(|_| usage(format!("--adjust '{text}': expected a percentage such as 10 or -5.5")))?;
    if value <= -Decimal::ONE_HUNDRED {
        return Err(usage(format!("--adjust {text}: must be more than -100 (a rate cannot fall below 0)")));
    }
    Ok(value)
}

/// A warning per bucket whose rate is unknown (nothing reached it).
fn warn_about_missing_rates(rows: &[ProvisionRow], by: &[String], names: &[String]) {
    for row in rows.iter().filter(|r| r.loss_rate.is_none()) {
        let group: Vec<String> = by.iter().zip(&row.keys).map(|(c, v)| format!("{c}={v} ")).collect();
        eprintln!(
            "cobro: warning: {}{} {}: nothing in the history reached this bucket: no loss rate, no ECL (gross {} not provided for; widen --history-from or give --rates)",
            group.concat(),
            row.currency,
            names[row.bucket],
            crate::money::round(row.gross, minor_digits(&row.currency))
        );
    }
}

/// The run's parameters, echoed in JSON `params`.
#[derive(Serialize)]
struct ProvisionParamsJson<'a> {
    buckets: Vec<i64>,
    history_from: String,
    default_after: i32,
    #[serde(serialize_with = "json::exact_decimal")]
    adjust: Decimal,
    rates: Option<&'a str>,
    by: &'a [String],
}

fn params_json(
    args: &ProvisionArgs,
    params: &ProvisionParams,
    by: &[String],
) -> serde_json::Map<String, serde_json::Value> {
    json::params(&ProvisionParamsJson {
        buckets: args.buckets.split(',').filter_map(|b| b.trim().parse().ok()).collect(),
        history_from: iso(params.history_from),
        default_after: params.default_after,
        adjust: params.adjust,
        rates: args.rates.as_deref(),
        by,
    })
}

/// One row: a bucket of one group and currency, with the bucket's name and
/// the currency's minor-unit digits.
struct BucketLine {
    row: ProvisionRow,
    bucket: String,
    digits: u32,
}

impl BucketLine {
    fn new(row: &ProvisionRow, names: &[String]) -> BucketLine {
        let digits = minor_digits(&row.currency);
        BucketLine { row: row.clone(), bucket: names[row.bucket].clone(), digits }
    }

    fn money(&self, value: Option<Decimal>) -> Cell {
        value.map_or(Cell::Null, |v| Cell::Money(v, self.digits))
    }
}

/// The rows' fields after the `--by` columns.
const BUCKET: &[Field<BucketLine>] = &[
    Field::new("currency", |r| Cell::text(&r.row.currency)),
    Field::new("bucket", |r| Cell::text(&r.bucket)),
    Field::new("gross", |r| r.money(Some(r.row.gross))),
    Field::new("reached", |r| r.money(r.row.reached)),
    Field::new("lost", |r| r.money(r.row.lost)),
    Field::new("loss_rate_pct", |r| Cell::fixed2(r.row.loss_rate.map(|r| r.pct()))),
    Field::new("applied_rate_pct", |r| Cell::fixed2(r.row.applied.map(|r| r.pct()))),
    Field::new("ecl", |r| r.money(r.row.ecl)),
];

/// The rows' columns: one per `--by` column (its value in the group), then
/// [`BUCKET`]. The `--by` columns are the user's, so the list is built at
/// run time.
fn columns(by: &[String]) -> Vec<Column<BucketLine>> {
    let keys = by
        .iter()
        .enumerate()
        .map(|(i, name)| Column::new(name.as_str(), move |r: &BucketLine| Cell::text(&r.row.keys[i])));
    keys.chain(Column::of(BUCKET)).collect()
}

/// One currency's totals row.
struct TotalLine {
    total: ProvisionTotal,
    digits: u32,
}

impl TotalLine {
    fn new(total: ProvisionTotal) -> TotalLine {
        TotalLine { digits: minor_digits(&total.currency), total }
    }
}

/// The totals' fields: `coverage_pct` is 100 x ECL / gross.
const TOTAL: &[Field<TotalLine>] = &[
    Field::new("currency", |t| Cell::text(&t.total.currency)),
    Field::new("gross", |t| Cell::Money(t.total.gross, t.digits)),
    Field::new("ecl", |t| Cell::Money(t.total.ecl, t.digits)),
    Field::new("coverage_pct", |t| Cell::fixed2(percent(t.total.ecl, t.total.gross))),
];
