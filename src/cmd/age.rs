//! `cobro age`: aging of the open balance at the as-of date.

use crate::cli::{check_days, InputArgs, OutputArgs};
use crate::dates::Day;
use crate::domain::aging::{self, AgingParams, AgingRow, Basis, Buckets, DetailRow, Grouping};
use crate::domain::ledger::Ledger;
use crate::error::usage;
use crate::input::{load_ledger, ReadOptions};
use crate::money::{minor_digits, percent};
use crate::render::{output, Cell, Report};
use anyhow::Result;
use clap::Args;
use serde_json::json;

/// Aging: who owes what, and how late, as of any date.
///
/// Every document issued on or before the as-of date with a non-zero open
/// amount (credit notes too) goes to a bucket by days past due. Payments
/// dated after the as-of date are ignored, so an old --as-of rebuilds the
/// aging of that day.
///
/// Example:
///   cobro age fixtures/invoices.csv --payments fixtures/payments.csv --as-of 2025-06-30
///   cobro age export.csv --by region --buckets 15,45 -f csv -o aging.csv
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct AgeArgs {
    /// Invoices file (CSV, or Parquet by extension; - for standard input)
    #[arg(value_name = "INVOICES")]
    pub invoices: String,

    /// Bucket upper bounds in days: strictly increasing positive integers
    #[arg(long, value_name = "DAYS,...", default_value = "30,60,90,120")]
    pub buckets: String,

    /// Age from the due date (days past due) or from the issue date
    #[arg(long, value_enum, default_value = "due")]
    pub basis: Basis,

    /// Group by customer, none, or input columns COL[,COL...]
    #[arg(long, value_name = "customer|none|COL,...", default_value = "customer")]
    pub by: String,

    /// One row per open document instead of one per group
    #[arg(long)]
    pub detail: bool,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &AgeArgs) -> Result<()> {
    let output_options = args.output.options()?;
    // Aging needs only each invoice's balance at the as-of date.
    let read_options = ReadOptions { fold_payments: true, ..args.input.read_options()? };
    let as_of = args.input.as_of()?;
    let buckets = parse_buckets(&args.buckets)?;
    let (by_columns, grouping) = parse_by(&args.by);
    let ledger =
        load_ledger(&args.invoices, args.input.payments.as_deref(), &read_options, &by_columns, as_of)?;
    let params = AgingParams { as_of, buckets, basis: args.basis, grouping };
    let report = if args.detail {
        detail_report(&ledger, &params, args)?
    } else {
        summary_report(ledger, &params, args, &by_columns)?
    };
    output::emit(&report, &output_options)
}

fn parse_buckets(text: &str) -> Result<Buckets> {
    let bounds: Result<Vec<i32>, _> = text.split(',').map(|p| p.trim().parse::<i32>()).collect();
    let bounds =
        bounds.map_err(|_| usage(format!("--buckets '{text}': expected whole numbers like 30,60,90,120")))?;
    if let Some(&last) = bounds.last() {
        check_days("buckets", last, 1)?;
    }
    Buckets::new(bounds).map_err(usage)
}

/// The extra columns to read, and the grouping (`--by`).
fn parse_by(text: &str) -> (Vec<String>, Grouping) {
    match text.trim() {
        "customer" => (Vec::new(), Grouping::Customer),
        "none" => (Vec::new(), Grouping::None),
        list => {
            let columns: Vec<String> =
                list.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
            let grouping = Grouping::Columns((0..columns.len()).collect());
            (columns, grouping)
        }
    }
}

fn params_json(args: &AgeArgs, params: &AgingParams) -> serde_json::Map<String, serde_json::Value> {
    let value = json!({
        "buckets": args.buckets.split(',').map(|b| b.trim().parse::<i64>().unwrap_or_default()).collect::<Vec<_>>(),
        "basis": if params.basis == Basis::Due { "due" } else { "issue" },
        "by": args.by,
        "detail": args.detail,
    });
    value.as_object().cloned().unwrap_or_default()
}

fn summary_report(
    ledger: Ledger,
    params: &AgingParams,
    args: &AgeArgs,
    by_columns: &[String],
) -> Result<Report> {
    let rows = aging::aging(&ledger, params)?;
    let with_name = params.grouping == Grouping::Customer && ledger.present.customer_name;
    // The rows hold their own texts: the ledger's hundreds of megabytes
    // can go before the output is built.
    drop(ledger);
    let mut columns: Vec<String> = match &params.grouping {
        Grouping::Customer => vec!["customer".into()],
        Grouping::None => Vec::new(),
        Grouping::Columns(_) => by_columns.to_vec(),
    };
    let key_count = columns.len();
    if with_name {
        columns.push("customer_name".into());
    }
    columns.push("currency".into());
    columns.extend(params.buckets.names());
    columns.extend(
        ["total_open", "overdue", "overdue_pct", "open_documents", "max_days_past_due"].map(String::from),
    );
    let key_cells = |row: &AgingRow, total: bool| -> Vec<Cell> {
        let mut cells: Vec<Cell> =
            if total { vec![Cell::Null; key_count] } else { row.keys.iter().map(Cell::text).collect() };
        if with_name {
            cells.push(
                row.customer_name.clone().filter(|n| !n.is_empty() && !total).map_or(Cell::Null, Cell::Text),
            );
        }
        cells
    };
    let to_cells = |row: &AgingRow, total: bool| {
        let mut cells = key_cells(row, total);
        cells.extend(summary_cells(row));
        cells
    };
    let totals = aging::totals(&rows);
    Ok(Report {
        command: "age".into(),
        as_of: params.as_of,
        params: params_json(args, params),
        columns,
        rows: rows.iter().map(|r| to_cells(r, false)).collect(),
        totals_columns: None,
        totals: totals.iter().map(|r| to_cells(r, true)).collect(),
    })
}

/// `currency`, the buckets and the figures of one row.
fn summary_cells(row: &AgingRow) -> Vec<Cell> {
    let digits = minor_digits(&row.currency);
    let mut cells = vec![Cell::text(&row.currency)];
    cells.extend(row.buckets.iter().map(|b| Cell::Money(*b, digits)));
    cells.push(Cell::Money(row.total_open, digits));
    cells.push(Cell::Money(row.overdue(), digits));
    cells.push(Cell::fixed2(percent(row.overdue(), row.total_open)));
    cells.push(Cell::Int(row.open_documents as i64));
    cells.push(Cell::Int(row.max_days_past_due as i64));
    cells
}

fn detail_report(ledger: &Ledger, params: &AgingParams, args: &AgeArgs) -> Result<Report> {
    let documents = aging::open_documents(ledger, params)?;
    let names = params.buckets.names();
    let columns = [
        "customer",
        "customer_name",
        "invoice",
        "currency",
        "issue_date",
        "due_date",
        "amount",
        "open",
        "days_past_due",
        "bucket",
        "disputed",
    ];
    Ok(Report {
        command: "age".into(),
        as_of: params.as_of,
        params: params_json(args, params),
        columns: columns.map(String::from).to_vec(),
        rows: documents.iter().map(|d| detail_cells(ledger, d, &names)).collect(),
        totals_columns: None,
        totals: Vec::new(),
    })
}

fn detail_cells(ledger: &Ledger, doc: &DetailRow, bucket_names: &[String]) -> Vec<Cell> {
    let invoice = &ledger.invoices[doc.index];
    let digits = minor_digits(ledger.currency(invoice));
    let name = ledger.texts.get(invoice.name);
    vec![
        Cell::text(ledger.customer(invoice)),
        if name.is_empty() { Cell::Null } else { Cell::text(name) },
        Cell::text(ledger.id(doc.index)),
        Cell::text(ledger.currency(invoice)),
        Cell::opt_date(invoice.issue()),
        Cell::Date(invoice.due as Day),
        Cell::Money(invoice.amount, digits),
        Cell::Money(doc.open, digits),
        Cell::Int(doc.days as i64),
        Cell::text(&bucket_names[doc.bucket]),
        Cell::Bool(invoice.disputed),
    ]
}
