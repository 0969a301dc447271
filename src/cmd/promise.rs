//! `cobro promise`: promises to pay, valued at the as-of date.

use super::side::PromisesArgs;
use crate::cli::{InputArgs, OutputArgs};
use crate::dates::Day;
use crate::domain::ledger::Ledger;
use crate::domain::promise::{Book, Promise, PromiseParams, Status, Valued};
use crate::error::usage;
use crate::files::paths::Paths;
use crate::input::{load_ledger_with, ReadOptions, SideData, SideFiles};
use crate::money::{self, minor_digits};
use crate::render::fields::{self, Field};
use crate::render::{json, output, Cell, Report};
use anyhow::Result;
use clap::Args;
use rust_decimal::Decimal;
use serde::Serialize;

/// Promises to pay: kept, partially kept, broken or still open.
///
/// A promise (from the collectors' log or a CRM export) is an amount a
/// customer said it would pay by a date, for the whole account or for some
/// invoices. Its deadline is the promised date plus --tolerance days. The
/// customer's payments made from the day of the promise to the deadline
/// fill its promises, earliest promised date first; a reversal (a negative
/// payment) takes its money back. At the as-of date a promise is `kept`
/// (paid in full), `open` (deadline not passed), `partially_kept` or
/// `broken` (nothing paid). See README.md, "Promises and disputes".
///
/// Example:
///   cobro promise fixtures/invoices.csv --payments fixtures/payments.csv \
///       --promises examples/promises.csv --as-of 2025-06-30
///   cobro promise ar.csv --payments pay.csv --promises crm.csv --tolerance 5 -f csv -o promises.csv
#[derive(Args, Debug)]
#[command(verbatim_doc_comment, mut_arg("promises", |a| a.required(true)))]
pub struct PromiseArgs {
    /// Invoices file (CSV, or Parquet by extension; - for standard input)
    #[arg(value_name = "INVOICES")]
    pub invoices: String,

    #[command(flatten)]
    pub promises: PromisesArgs,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &PromiseArgs) -> Result<()> {
    let output_options = args.output.options()?;
    Paths::new()
        .input("INVOICES", Some(&args.invoices))
        .input("--promises", args.promises.promises.as_deref())
        .input_args(&args.input)
        .output_args(&args.output)
        .check()?;
    output::emit(&report(args)?, &output_options)
}

/// Every promise valued at the as-of date, as `run` prints it (`cobro
/// report` composes it too).
pub fn report(args: &PromiseArgs) -> Result<Report> {
    let settings = Settings::new(args)?;
    let side = SideFiles { promises: Some(settings.path), ..SideFiles::default() };
    let payments = args.input.payments.as_deref();
    let (ledger, data) =
        load_ledger_with(&args.invoices, payments, &settings.read_options, &[], settings.as_of, side)?;
    report_on(settings, &ledger, data)
}

/// What the flags ask for, checked before any file is read.
pub struct Settings<'a> {
    read_options: ReadOptions,
    as_of: Day,
    tolerance: i32,
    /// The `--promises` file.
    path: &'a str,
}

impl Settings<'_> {
    pub fn new(args: &PromiseArgs) -> Result<Settings<'_>> {
        let read_options = args.input.read_options()?;
        let as_of = args.input.as_of()?;
        let tolerance = args.promises.tolerance()?;
        let Some(path) = args.promises.promises.as_deref() else {
            return Err(usage("--promises FILE is required"));
        };
        Ok(Settings { read_options, as_of, tolerance, path })
    }
}

/// Every promise with what became of it, and the totals: [`report`] on a
/// ledger already read at the as-of date of `settings`, with `data`, its
/// side files, the promises among them (`cobro report` reads
/// its input once for all its parts).
pub fn report_on(settings: Settings, ledger: &Ledger, data: SideData) -> Result<Report> {
    let Settings { as_of, tolerance, path, .. } = settings;
    let book = Book::new(ledger, data.promises, PromiseParams { as_of, tolerance });
    let mut order: Vec<usize> = (0..book.promises.len()).collect();
    order.sort_by_cached_key(|&i| {
        let p = &book.promises[i];
        (p.promised, ledger.customers.get(p.customer), ledger.currencies.get(p.currency), p.id.clone())
    });
    let names = ledger.customer_names();
    let rows = order.iter().map(|&i| PromiseRow::new(ledger, &names, &book.promises[i], &book.values[i]));
    Ok(Report {
        command: "promise".into(),
        as_of,
        params: json::params(&PromiseParamsJson { promises: path, tolerance }),
        columns: fields::names(ROW).collect(),
        rows: rows.map(|r| fields::cells(ROW, &r).collect()).collect(),
        totals_columns: Some(fields::names(TOTALS).collect()),
        totals: totals(ledger, &book).iter().map(|t| fields::cells(TOTALS, t).collect()).collect(),
    })
}

/// The run's parameters, echoed in JSON `params`.
#[derive(Serialize)]
struct PromiseParamsJson<'a> {
    promises: &'a str,
    tolerance: i32,
}

/// One promise as reported, its texts resolved from the ledger.
struct PromiseRow {
    promise_id: String,
    customer: String,
    customer_name: String,
    currency: String,
    created: Day,
    promised_date: Day,
    deadline: Day,
    amount: Decimal,
    paid: Decimal,
    status: &'static str,
    kept_date: Option<Day>,
    days_late: Option<i32>,
    broken_before: u64,
    invoices: std::sync::Arc<[String]>,
    note: String,
    digits: u32,
}

impl PromiseRow {
    fn new(ledger: &Ledger, names: &[u32], p: &Promise, v: &Valued) -> PromiseRow {
        let currency = ledger.currencies.get(p.currency);
        PromiseRow {
            promise_id: p.id.clone(),
            customer: ledger.customers.get(p.customer).to_string(),
            customer_name: names.get(p.customer as usize).map_or("", |&n| ledger.texts.get(n)).to_string(),
            currency: currency.to_string(),
            created: p.created,
            promised_date: p.promised,
            deadline: v.deadline,
            amount: p.amount,
            paid: v.paid,
            status: v.status.name(),
            kept_date: v.kept_date,
            days_late: v.days_late,
            broken_before: v.broken_before,
            invoices: p.invoices.iter().map(|&h| ledger.ids.get(h).to_string()).collect(),
            note: p.note.clone(),
            digits: minor_digits(currency),
        }
    }
}

fn text_or_null(text: &str) -> Cell {
    if text.is_empty() {
        Cell::Null
    } else {
        Cell::text(text)
    }
}

fn count(n: u64) -> Cell {
    Cell::Int(n as i64)
}

/// The fields of a promise row, in output order, each with its value and kind.
const ROW: &[Field<PromiseRow>] = &[
    Field::new("promise_id", |r| Cell::text(&r.promise_id)),
    Field::new("customer", |r| Cell::text(&r.customer)),
    Field::new("customer_name", |r| text_or_null(&r.customer_name)),
    Field::new("currency", |r| Cell::text(&r.currency)),
    Field::new("created", |r| Cell::Date(r.created)),
    Field::new("promised_date", |r| Cell::Date(r.promised_date)),
    Field::new("deadline", |r| Cell::Date(r.deadline)),
    Field::new("amount", |r| Cell::Money(r.amount, r.digits)),
    Field::new("paid", |r| Cell::Money(r.paid, r.digits)),
    Field::new("status", |r| Cell::text(r.status)),
    Field::new("kept_date", |r| Cell::opt_date(r.kept_date)),
    Field::new("days_late", |r| r.days_late.map_or(Cell::Null, |d| Cell::Int(d as i64))),
    Field::new("broken_before", |r| count(r.broken_before)),
    Field::new("invoices", |r| Cell::List(r.invoices.clone())),
    Field::new("note", |r| text_or_null(&r.note)),
];

/// One currency's promises: how many, their amounts, what they hold, and
/// how many are in each status.
struct PromiseTotal {
    currency: String,
    promises: u64,
    amount: Decimal,
    paid: Decimal,
    kept: u64,
    partially_kept: u64,
    broken: u64,
    open: u64,
    digits: u32,
}

impl PromiseTotal {
    fn new(code: &str, of_currency: &[(&Promise, &Valued)]) -> PromiseTotal {
        let count = |status: Status| of_currency.iter().filter(|(_, v)| v.status == status).count() as u64;
        PromiseTotal {
            currency: code.to_string(),
            promises: of_currency.len() as u64,
            amount: money::sum(of_currency.iter().map(|(p, _)| p.amount)),
            paid: money::sum(of_currency.iter().map(|(_, v)| v.paid)),
            kept: count(Status::Kept),
            partially_kept: count(Status::PartiallyKept),
            broken: count(Status::Broken),
            open: count(Status::Open),
            digits: minor_digits(code),
        }
    }
}

/// The fields of a totals row, in output order.
const TOTALS: &[Field<PromiseTotal>] = &[
    Field::new("currency", |t| Cell::text(&t.currency)),
    Field::new("promises", |t| count(t.promises)),
    Field::new("amount", |t| Cell::Money(t.amount, t.digits)),
    Field::new("paid", |t| Cell::Money(t.paid, t.digits)),
    Field::new("kept", |t| count(t.kept)),
    Field::new("partially_kept", |t| count(t.partially_kept)),
    Field::new("broken", |t| count(t.broken)),
    Field::new("open", |t| count(t.open)),
];

/// Per currency (alphabetical), the totals of its promises.
fn totals(ledger: &Ledger, book: &Book) -> Vec<PromiseTotal> {
    let mut currencies: Vec<&str> = book.promises.iter().map(|p| ledger.currencies.get(p.currency)).collect();
    currencies.sort_unstable();
    currencies.dedup();
    currencies
        .into_iter()
        .map(|code| {
            let of_currency: Vec<(&Promise, &Valued)> =
                book.iter().filter(|(p, _)| ledger.currencies.get(p.currency) == code).collect();
            PromiseTotal::new(code, &of_currency)
        })
        .collect()
}
