//! `cobro roll`: roll rates and cure rates between consecutive month ends.

use crate::cli::{InputArgs, OutputArgs};
use crate::cmd::age::parse_buckets;
use crate::dates::{day_of, iso, parse_iso_flag, Day};
use crate::domain::roll::{self, month_ends, RollParams, RollRow};
use crate::error::usage;
use crate::files::paths::Paths;
use crate::input::load_ledger;
use crate::money::minor_digits;
use crate::render::chart::{self, Series};
use crate::render::fields::{column_cells, column_names, Column, Field};
use crate::render::{json, output, Cell, Report};
use anyhow::Result;
use clap::Args;
use rust_decimal::Decimal;
use serde::Serialize;

/// Roll rates: how each aging bucket's balance moves from one month end to the next.
///
/// For every pair of consecutive calendar month ends in [--from, --to], the
/// balance of each bucket at the first (documents with amount > 0 open then)
/// is split by where it is at the second: still in a bucket (the same, a
/// later one: it rolled) or paid. roll_pct is the share gone to a later
/// bucket, cure_pct the share of an overdue bucket gone to current or paid.
/// A balance that grows (a reversal) adds nothing; documents issued between
/// the two month ends are not in the first. Credit notes are left out.
///
/// Example:
///   cobro roll fixtures/roll/invoices.csv --payments fixtures/roll/payments.csv \
///       --from 2025-01-31 --to 2025-04-15 --as-of 2025-04-30 --buckets 30,60
///   cobro roll export.csv --payments pay.csv --from 2024-01-01 --to 2025-12-31 --buckets 30,60,90 -f csv
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct RollArgs {
    /// Invoices file (CSV, or Parquet by extension; - for standard input)
    #[arg(value_name = "INVOICES")]
    pub invoices: String,

    /// First day of the range (YYYY-MM-DD): its month ends from here on are snapshots
    #[arg(long, value_name = "DATE")]
    pub from: String,

    /// Last day of the range (YYYY-MM-DD; not after --as-of); a day that is not a month end is no snapshot
    #[arg(long, value_name = "DATE")]
    pub to: String,

    /// Bucket upper bounds in days: strictly increasing positive integers
    #[arg(long, value_name = "DAYS,...", default_value = "30,60,90,120")]
    pub buckets: String,

    /// Also draw each bucket's roll rate per month end as an SVG line chart (one line per currency and bucket)
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<String>,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &RollArgs) -> Result<()> {
    let output_options = args.output.options()?;
    Paths::new()
        .input("INVOICES", Some(&args.invoices))
        .input_args(&args.input)
        .output_args(&args.output)
        .output("--chart", args.chart.as_deref())
        .check()?;
    let read_options = args.input.read_options()?;
    let as_of = args.input.as_of()?;
    let buckets = parse_buckets(&args.buckets)?;
    let snapshots = snapshots(args, as_of)?;
    let ledger = load_ledger(&args.invoices, args.input.payments.as_deref(), &read_options, &[], as_of)?;
    if ledger.undated_payments() > 0 {
        eprintln!(
            "cobro: warning: {} undated payment(s) (from open_amount) count as paid before every month end",
            ledger.undated_payments()
        );
    }
    let params = RollParams { snapshots, buckets };
    let rows = roll::roll(&ledger, &params);
    drop(ledger);
    let names = params.buckets.names();
    if let Some(path) = &args.chart {
        let starts = &params.snapshots[..params.snapshots.len() - 1];
        chart::write_lines_svg("Roll rates (%)", starts, &roll_rate_lines(&rows, &names), path)?;
    }
    let columns = columns(&names);
    let cells = |r: &RollRow| column_cells(&columns, &RollLine::new(r, &names));
    let report = Report {
        command: "roll".into(),
        as_of,
        params: params_json(args, &params),
        columns: column_names(&columns),
        rows: rows.iter().map(cells).collect(),
        totals_columns: None,
        totals: roll::totals(&rows).iter().map(cells).collect(),
    };
    output::emit(&report, &output_options)
}

/// The month ends in `[--from, --to]`, checked: `--to` not after the as-of
/// date, `--from` before `--to`, at least two month ends (else exit 2).
fn snapshots(args: &RollArgs, as_of: Day) -> Result<Vec<Day>> {
    let flag = |name: &str, text: &str| -> Result<Day> {
        parse_iso_flag(text).map(day_of).map_err(|e| usage(format!("--{name}: {e}")))
    };
    let (from, to) = (flag("from", &args.from)?, flag("to", &args.to)?);
    if to > as_of {
        return Err(usage(format!(
            "--to {} is after --as-of {}: balances after the as-of date are unknown (raise --as-of)",
            iso(to),
            iso(as_of)
        )));
    }
    if from >= to {
        return Err(usage("--from must be before --to"));
    }
    let ends = month_ends(from, to);
    if ends.len() < 2 {
        return Err(usage(format!(
            "[--from {}, --to {}] holds {} month end(s); roll compares consecutive month ends, so it needs at least two (widen the range)",
            iso(from),
            iso(to),
            ends.len()
        )));
    }
    Ok(ends)
}

/// The run's parameters, echoed in JSON `params`.
#[derive(Serialize)]
struct RollParamsJson<'a> {
    from: &'a str,
    to: &'a str,
    buckets: Vec<i64>,
    snapshots: Vec<String>,
}

fn params_json(args: &RollArgs, params: &RollParams) -> serde_json::Map<String, serde_json::Value> {
    json::params(&RollParamsJson {
        from: &args.from,
        to: &args.to,
        buckets: args.buckets.split(',').filter_map(|b| b.trim().parse().ok()).collect(),
        snapshots: params.snapshots.iter().map(|&d| iso(d)).collect(),
    })
}

/// One roll row (a bucket between two month ends, or a total over every
/// pair) with its bucket's name and its currency's minor-unit digits.
struct RollLine {
    row: RollRow,
    bucket: String,
    digits: u32,
}

impl RollLine {
    fn new(row: &RollRow, names: &[String]) -> RollLine {
        let digits = minor_digits(&row.currency);
        RollLine { row: row.clone(), bucket: names[row.bucket].clone(), digits }
    }

    fn money(&self, value: Decimal) -> Cell {
        Cell::Money(value, self.digits)
    }
}

/// The fields before the destination buckets' columns.
const HEAD: &[Field<RollLine>] = &[
    Field::new("from_date", |r| Cell::Date(r.row.from)),
    Field::new("to_date", |r| Cell::Date(r.row.to)),
    Field::new("currency", |r| Cell::text(&r.row.currency)),
    Field::new("bucket", |r| Cell::text(&r.bucket)),
    Field::new("balance", |r| r.money(r.row.balance)),
];

/// The fields after them.
const TAIL: &[Field<RollLine>] = &[
    Field::new("to_paid", |r| r.money(r.row.paid())),
    Field::new("roll_pct", |r| Cell::fixed2(r.row.roll_pct())),
    Field::new("cure_pct", |r| Cell::fixed2(r.row.cure_pct())),
];

/// The rows' (and totals') columns: [`HEAD`], then `to_<bucket>` (the money
/// gone to that bucket) for each bucket of --buckets, then [`TAIL`]. The
/// destination columns depend on --buckets, so the list is built at run time.
fn columns(names: &[String]) -> Vec<Column<RollLine>> {
    let to = names
        .iter()
        .enumerate()
        .map(|(i, name)| Column::new(format!("to_{name}"), move |r: &RollLine| r.money(r.row.flows[i])));
    Column::of(HEAD).chain(to).chain(Column::of(TAIL)).collect()
}

/// One line per (currency, bucket) that can roll (all but the last): its
/// `roll_pct` at each pair's first month end.
fn roll_rate_lines(rows: &[RollRow], names: &[String]) -> Vec<Series> {
    let mut lines: Vec<(String, usize, Series)> = Vec::new();
    for row in rows.iter().filter(|r| r.bucket + 1 < names.len()) {
        let at = match lines.iter().position(|(c, b, _)| *c == row.currency && *b == row.bucket) {
            Some(at) => at,
            None => {
                let label = format!("{} {}", row.currency, names[row.bucket]);
                lines.push((row.currency.clone(), row.bucket, Series { label, values: Vec::new() }));
                lines.len() - 1
            }
        };
        lines[at].2.values.push(row.roll_pct());
    }
    lines.into_iter().map(|(_, _, series)| series).collect()
}
