//! `cobro promise`: promises to pay, valued at the as-of date.

use super::side::PromisesArgs;
use crate::cli::{InputArgs, OutputArgs};
use crate::domain::ledger::Ledger;
use crate::domain::promise::{Book, Promise, PromiseParams, Status, Valued};
use crate::error::usage;
use crate::files::paths::Paths;
use crate::input::{load_ledger_with, SideFiles};
use crate::money::{self, minor_digits};
use crate::render::{output, Cell, Report};
use anyhow::Result;
use clap::Args;
use rust_decimal::Decimal;
use serde_json::json;

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

const COLUMNS: [&str; 15] = [
    "promise_id",
    "customer",
    "customer_name",
    "currency",
    "created",
    "promised_date",
    "deadline",
    "amount",
    "paid",
    "status",
    "kept_date",
    "days_late",
    "broken_before",
    "invoices",
    "note",
];

const TOTALS: [&str; 8] =
    ["currency", "promises", "amount", "paid", "kept", "partially_kept", "broken", "open"];

pub fn run(args: &PromiseArgs) -> Result<()> {
    let output_options = args.output.options()?;
    Paths::new()
        .input("INVOICES", Some(&args.invoices))
        .input("--promises", args.promises.promises.as_deref())
        .input_args(&args.input)
        .output_args(&args.output)
        .check()?;
    let read_options = args.input.read_options()?;
    let as_of = args.input.as_of()?;
    let tolerance = args.promises.tolerance()?;
    let Some(path) = args.promises.promises.as_deref() else {
        return Err(usage("--promises FILE is required"));
    };
    let side = SideFiles { promises: Some(path), ..SideFiles::default() };
    let payments = args.input.payments.as_deref();
    let (ledger, data) = load_ledger_with(&args.invoices, payments, &read_options, &[], as_of, side)?;
    let book = Book::new(&ledger, data.promises, PromiseParams { as_of, tolerance });
    let mut order: Vec<usize> = (0..book.promises.len()).collect();
    order.sort_by_cached_key(|&i| {
        let p = &book.promises[i];
        (p.promised, ledger.customers.get(p.customer), ledger.currencies.get(p.currency), p.id.clone())
    });
    let names = ledger.customer_names();
    let rows = order.iter().map(|&i| row(&ledger, &names, &book.promises[i], &book.values[i])).collect();
    let report = Report {
        command: "promise".into(),
        as_of,
        params: json!({"promises": path, "tolerance": tolerance}).as_object().cloned().unwrap_or_default(),
        columns: COLUMNS.map(String::from).to_vec(),
        rows,
        totals_columns: Some(TOTALS.map(String::from).to_vec()),
        totals: totals(&ledger, &book),
    };
    output::emit(&report, &output_options)
}

fn row(ledger: &Ledger, names: &[u32], p: &Promise, v: &Valued) -> Vec<Cell> {
    let currency = ledger.currencies.get(p.currency);
    let digits = minor_digits(currency);
    let text_or_null = |t: &str| if t.is_empty() { Cell::Null } else { Cell::text(t) };
    let name = names.get(p.customer as usize).map_or("", |&n| ledger.texts.get(n));
    vec![
        Cell::text(&p.id),
        Cell::text(ledger.customers.get(p.customer)),
        text_or_null(name),
        Cell::text(currency),
        Cell::Date(p.created),
        Cell::Date(p.promised),
        Cell::Date(v.deadline),
        Cell::Money(p.amount, digits),
        Cell::Money(v.paid, digits),
        Cell::text(v.status.name()),
        Cell::opt_date(v.kept_date),
        v.days_late.map_or(Cell::Null, |d| Cell::Int(d as i64)),
        Cell::Int(v.broken_before as i64),
        Cell::List(p.invoices.iter().map(|&h| ledger.ids.get(h).to_string()).collect()),
        text_or_null(&p.note),
    ]
}

/// Per currency (alphabetical): how many promises, their amounts, what
/// they hold, and how many are in each status.
fn totals(ledger: &Ledger, book: &Book) -> Vec<Vec<Cell>> {
    let mut currencies: Vec<&str> = book.promises.iter().map(|p| ledger.currencies.get(p.currency)).collect();
    currencies.sort_unstable();
    currencies.dedup();
    currencies
        .into_iter()
        .map(|code| {
            let of_currency: Vec<(&Promise, &Valued)> =
                book.iter().filter(|(p, _)| ledger.currencies.get(p.currency) == code).collect();
            let digits = minor_digits(code);
            let count = |status: Status| {
                Cell::Int(of_currency.iter().filter(|(_, v)| v.status == status).count() as i64)
            };
            let amount: Decimal = money::sum(of_currency.iter().map(|(p, _)| p.amount));
            let paid: Decimal = money::sum(of_currency.iter().map(|(_, v)| v.paid));
            vec![
                Cell::text(code),
                Cell::Int(of_currency.len() as i64),
                Cell::Money(amount, digits),
                Cell::Money(paid, digits),
                count(Status::Kept),
                count(Status::PartiallyKept),
                count(Status::Broken),
                count(Status::Open),
            ]
        })
        .collect()
}
