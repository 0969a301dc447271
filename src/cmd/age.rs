//! `cobro age`: aging of the open balance at the as-of date.

use super::side::DisputesArgs;
use crate::cli::{by_columns, check_days, InputArgs, OutputArgs};
use crate::dates::Day;
use crate::domain::aging::{self, AgingParams, AgingRow, Basis, Buckets, DetailRow, Grouping, RowTexts};
use crate::domain::balances::OpenAmounts;
use crate::domain::disputes::Disputes;
use crate::domain::ledger::Ledger;
use crate::error::usage;
use crate::files::paths::Paths;
use crate::input::{load_open_ledger, ReadOptions, SideData, SideFiles};
use crate::money::{minor_digits, percent};
use crate::render::fields::{self, Field};
use crate::render::{json, output, Cell, Report};
use anyhow::Result;
use clap::Args;
use rust_decimal::Decimal;
use serde::Serialize;

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
    #[arg(long, value_parser = crate::cli::choice::<Basis>(), default_value = "due")]
    pub basis: Basis,

    /// Group by customer, none, or input columns COL[,COL...]
    #[arg(long, value_name = "customer|none|COL,...", default_value = "customer")]
    pub by: String,

    /// One row per open document instead of one per group
    #[arg(long)]
    pub detail: bool,

    #[command(flatten)]
    pub disputes: DisputesArgs,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &AgeArgs) -> Result<()> {
    let output_options = args.output.options()?;
    Paths::new()
        .input("INVOICES", Some(&args.invoices))
        .input("--disputes", args.disputes.disputes.as_deref())
        .input_args(&args.input)
        .output_args(&args.output)
        .check()?;
    output::emit(&report(args)?, &output_options)
}

/// The aging as `run` prints it (`cobro report` composes it too).
pub fn report(args: &AgeArgs) -> Result<Report> {
    let settings = Settings::new(args)?;
    let side = SideFiles { disputes: args.disputes.disputes.as_deref(), ..SideFiles::default() };
    let payments = args.input.payments.as_deref();
    let (ledger, data) = load_open_ledger(
        &args.invoices,
        payments,
        &settings.read_options,
        &settings.by_columns,
        settings.params.as_of,
        side,
    )?;
    if args.detail {
        detail_report(ledger.ledger(), ledger.open(), &settings, args, &data)
    } else {
        let params = &settings.params;
        let groups = aging::groups(ledger.ledger(), ledger.open(), params)?;
        let with_name = with_name(ledger.ledger(), params);
        let names = ledger.ledger().customer_names_if_given();
        // The documents' gigabytes go before the rows are written out: only
        // the texts are needed for them.
        let texts = ledger.into_texts();
        let row_texts = RowTexts {
            customers: &texts.customers,
            currencies: &texts.currencies,
            texts: &texts.texts,
            names,
        };
        summary_report(groups.into_rows(&row_texts, params)?, with_name, &settings, args)
    }
}

/// [`report`] on a ledger read with its payments kept, as
/// [`crate::input::load_ledger_with`] gives it with `data`, its side files
/// (`cobro report` reads its input once for all its parts). The ledger must
/// have been read at the as-of date of `settings`, with the columns `--by` names.
pub fn report_on(args: &AgeArgs, settings: Settings, ledger: &Ledger, data: SideData) -> Result<Report> {
    let open = ledger.open_at(settings.params.as_of);
    if args.detail {
        detail_report(ledger, open.as_slice(), &settings, args, &data)
    } else {
        let rows = aging::aging(ledger, open.as_slice(), &settings.params)?;
        summary_report(rows, with_name(ledger, &settings.params), &settings, args)
    }
}

/// What the flags ask for, checked before any file is read.
pub struct Settings {
    read_options: ReadOptions,
    params: AgingParams,
    /// The input columns `--by` names (none for `customer` and `none`).
    by_columns: Vec<String>,
}

impl Settings {
    pub fn new(args: &AgeArgs) -> Result<Settings> {
        let read_options = args.input.read_options()?;
        let as_of = args.input.as_of()?;
        let buckets = parse_buckets(&args.buckets)?;
        let (by_columns, grouping) = parse_by(&args.by)?;
        let params = AgingParams { as_of, buckets, basis: args.basis, grouping };
        Ok(Settings { read_options, params, by_columns })
    }
}

/// Whether the rows name each customer: grouped by customer, with a name
/// column in the input.
fn with_name(ledger: &Ledger, params: &AgingParams) -> bool {
    params.grouping == Grouping::Customer && ledger.present.customer_name
}

pub fn parse_buckets(text: &str) -> Result<Buckets> {
    let bounds: Result<Vec<i32>, _> = text.split(',').map(|p| p.trim().parse::<i32>()).collect();
    let bounds =
        bounds.map_err(|_| usage(format!("--buckets '{text}': expected whole numbers like 30,60,90,120")))?;
    if let Some(&last) = bounds.last() {
        check_days("buckets", last, 1)?;
    }
    Buckets::new(bounds).map_err(usage)
}

/// The extra columns to read, and the grouping (`--by`).
fn parse_by(text: &str) -> Result<(Vec<String>, Grouping)> {
    Ok(match text.trim() {
        "customer" => (Vec::new(), Grouping::Customer),
        "none" => (Vec::new(), Grouping::None),
        list => {
            let columns = by_columns(list)?;
            let grouping = Grouping::Columns((0..columns.len()).collect());
            (columns, grouping)
        }
    })
}

/// The run's parameters, echoed in JSON `params`.
#[derive(Serialize)]
struct AgeParamsJson<'a> {
    buckets: Vec<i64>,
    basis: &'static str,
    by: &'a str,
    detail: bool,
}

/// The JSON `params`, `--disputes` among them.
fn params_json(args: &AgeArgs, params: &AgingParams) -> serde_json::Map<String, serde_json::Value> {
    let mut json = json::params(&AgeParamsJson {
        buckets: args.buckets.split(',').map(|b| b.trim().parse::<i64>().unwrap_or_default()).collect(),
        basis: if params.basis == Basis::Due { "due" } else { "issue" },
        by: &args.by,
        detail: args.detail,
    });
    super::side::add_params(&mut json, None, &args.disputes);
    json
}

/// The aging rows (sorted, see [`aging::aging`]) and their totals.
fn summary_report(
    rows: Vec<AgingRow>,
    with_name: bool,
    settings: &Settings,
    args: &AgeArgs,
) -> Result<Report> {
    let params = &settings.params;
    let mut columns: Vec<String> = match &params.grouping {
        Grouping::Customer => vec!["customer".into()],
        Grouping::None => Vec::new(),
        Grouping::Columns(_) => settings.by_columns.clone(),
    };
    let key_count = columns.len();
    if with_name {
        columns.push("customer_name".into());
    }
    columns.push("currency".into());
    columns.extend(params.buckets.names());
    columns.extend(fields::names(FIGURES));
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

fn money(row: &AgingRow, value: Decimal) -> Cell {
    Cell::Money(value, minor_digits(&row.currency))
}

/// The figures after the buckets, each with its value and kind.
const FIGURES: &[Field<AgingRow>] = &[
    Field::new("total_open", |r| money(r, r.total_open)),
    Field::new("overdue", |r| money(r, r.overdue())),
    Field::new("overdue_pct", |r| Cell::fixed2(percent(r.overdue(), r.total_open))),
    Field::new("open_documents", |r| Cell::Int(r.open_documents as i64)),
    Field::new("max_days_past_due", |r| Cell::Int(r.max_days_past_due as i64)),
];

/// `currency`, the buckets and the figures of one row.
fn summary_cells(row: &AgingRow) -> Vec<Cell> {
    let mut cells = vec![Cell::text(&row.currency)];
    cells.extend(row.buckets.iter().map(|b| money(row, *b)));
    cells.extend(fields::cells(FIGURES, row));
    cells
}

/// One open document of `--detail`, its texts borrowed from the ledger
/// (millions of rows: no copies before the cells).
struct DocRow<'a> {
    customer: &'a str,
    customer_name: &'a str,
    invoice: std::borrow::Cow<'a, str>,
    currency: &'a str,
    issue_date: Option<Day>,
    due_date: Day,
    amount: Decimal,
    open: Decimal,
    days_past_due: i32,
    bucket: &'a str,
    disputed: bool,
    digits: u32,
}

impl<'a> DocRow<'a> {
    /// `customer_names`: [`Ledger::customer_names`], so every document of a
    /// customer shows the customer's name (the first one given), as the
    /// grouped rows do, also on a row whose own name cell is empty.
    fn new(
        ledger: &'a Ledger,
        doc: &DetailRow,
        bucket_names: &'a [String],
        customer_names: &[u32],
        disputed: bool,
    ) -> DocRow<'a> {
        let invoice = &ledger.invoices[doc.index];
        let currency = ledger.currency(invoice);
        DocRow {
            customer: ledger.customer(invoice),
            customer_name: ledger.texts.get(customer_names[invoice.customer as usize]),
            invoice: ledger.id(doc.index),
            currency,
            issue_date: invoice.issue(),
            due_date: invoice.due as Day,
            amount: invoice.amount,
            open: doc.open,
            days_past_due: doc.days,
            bucket: &bucket_names[doc.bucket],
            disputed,
            digits: minor_digits(currency),
        }
    }
}

/// The `--detail` fields, in output order, each with its value and kind
/// (a function, not a constant, so the rows can borrow).
fn detail_fields<'a>() -> [Field<DocRow<'a>>; 11] {
    [
        Field::new("customer", |d| Cell::text(d.customer)),
        Field::new("customer_name", |d| {
            if d.customer_name.is_empty() {
                Cell::Null
            } else {
                Cell::text(d.customer_name)
            }
        }),
        Field::new("invoice", |d| Cell::text(&*d.invoice)),
        Field::new("currency", |d| Cell::text(d.currency)),
        Field::new("issue_date", |d| Cell::opt_date(d.issue_date)),
        Field::new("due_date", |d| Cell::Date(d.due_date)),
        Field::new("amount", |d| Cell::Money(d.amount, d.digits)),
        Field::new("open", |d| Cell::Money(d.open, d.digits)),
        Field::new("days_past_due", |d| Cell::Int(d.days_past_due as i64)),
        Field::new("bucket", |d| Cell::text(d.bucket)),
        Field::new("disputed", |d| Cell::Bool(d.disputed)),
    ]
}

/// Every open document, `open` giving each one's open amount by index.
fn detail_report(
    ledger: &Ledger,
    open: &(impl OpenAmounts + ?Sized),
    settings: &Settings,
    args: &AgeArgs,
    data: &SideData,
) -> Result<Report> {
    let params = &settings.params;
    let disputes = Disputes::new(ledger, &data.disputes, params.as_of);
    let documents = aging::open_documents(ledger, open, params)?;
    let bucket_names = params.buckets.names();
    let customer_names = ledger.customer_names();
    let detail = detail_fields();
    Ok(Report {
        command: "age".into(),
        as_of: params.as_of,
        params: params_json(args, params),
        columns: fields::names(&detail).collect(),
        rows: documents
            .iter()
            .map(|d| {
                let disputed = disputes.in_dispute(d.index, params.as_of);
                let row = DocRow::new(ledger, d, &bucket_names, &customer_names, disputed);
                fields::cells(&detail, &row).collect()
            })
            .collect(),
        totals_columns: None,
        totals: Vec::new(),
    })
}
