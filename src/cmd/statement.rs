//! `cobro statement`: statements of account per customer, with their
//! aging and late interest, as a report and as letters.

use super::side::DisputesArgs;
use crate::cli::{InputArgs, OutputArgs};
use crate::cmd::age::parse_buckets;
use crate::dates::{day_of, iso, parse_iso_flag, Day};
use crate::domain::disputes::Disputes;
use crate::domain::ledger::Ledger;
use crate::domain::statement::{self, Line, Statement, StatementParams};
use crate::error::usage;
use crate::files::paths::Paths;
use crate::input::rate_calendar::load_calendar;
use crate::input::{load_ledger_with, SideFiles};
use crate::money::{minor_digits, round};
use crate::render::letter::{check_placeholders, fill, tagged_file_name, LetterFolder};
use crate::render::{output, Cell, Report};
use anyhow::{anyhow, Context, Result};
use clap::Args;
use serde_json::json;
use std::path::Path;

/// Statements of account: what each customer owed, what happened, what it owes now.
///
/// Per customer and currency: an opening row (the balance at the end of the
/// day before --from), every invoice, credit note, payment, reversal and
/// applied credit in [--from, --to] with a running balance, and a closing
/// row (the balance at --to, equal to `age --as-of TO`'s total_open). A
/// payment is dated the later of its own date and its document's issue
/// date. JSON totals per customer: opening, debits, credits, closing, the
/// aging buckets at --to and, with --interest, the late interest then.
/// --payments may be left out for a single-file export.
///
/// Example:
///   cobro statement fixtures/invoices.csv --payments fixtures/payments.csv \
///       --from 2025-04-01 --to 2025-06-30 --as-of 2025-06-30 --customer C002
///   cobro statement ar.csv --payments pay.csv --from 2025-01-01 --interest examples/rates_es.csv \
///       --render letters/ --template examples/letters/statement.txt -f json -o statements.json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct StatementArgs {
    /// Invoices file (CSV, or Parquet by extension; - for standard input)
    #[arg(value_name = "INVOICES")]
    pub invoices: String,

    /// First day of the statement period (YYYY-MM-DD); the opening balance is the day before's
    #[arg(long, value_name = "DATE")]
    pub from: String,

    /// Last day of the period (YYYY-MM-DD; default and at most the as-of date)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// Only the customer with this id (matched exactly)
    #[arg(long, value_name = "ID")]
    pub customer: Option<String>,

    /// Rate calendar (CSV from,annual_rate_pct[,source]): late interest at --to in the totals
    #[arg(long, value_name = "FILE")]
    pub interest: Option<String>,

    /// Bucket upper bounds in days of the aging at --to (as `age --buckets`)
    #[arg(long, value_name = "DAYS,...", default_value = "30,60,90,120")]
    pub buckets: String,

    /// Write one letter per customer and currency into DIR (needs --template)
    #[arg(long, value_name = "DIR", requires = "template")]
    pub render: Option<String>,

    /// Letter template for --render: text with placeholders such as {customer_name},
    /// {opening}, {statement_table}, {aging_table}, {closing}, {interest}
    #[arg(long, value_name = "FILE", requires = "render")]
    pub template: Option<String>,

    #[command(flatten)]
    pub disputes: DisputesArgs,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Row fields, in order.
const COLUMNS: [&str; 10] = [
    "customer",
    "customer_name",
    "currency",
    "date",
    "type",
    "document",
    "due_date",
    "debit",
    "credit",
    "balance",
];

/// Placeholders of a statement letter.
pub const PLACEHOLDERS: [&str; 12] = [
    "customer",
    "customer_name",
    "email",
    "currency",
    "from",
    "to",
    "opening",
    "closing",
    "statement_table",
    "aging_table",
    "interest",
    "as_of",
];

pub fn run(args: &StatementArgs) -> Result<()> {
    let output_options = args.output.options()?;
    Paths::new()
        .input("INVOICES", Some(&args.invoices))
        .input("--disputes", args.disputes.disputes.as_deref())
        .input("--interest", args.interest.as_deref())
        .input("--template", args.template.as_deref())
        .input_args(&args.input)
        .output_args(&args.output)
        .output("--render", args.render.as_deref())
        .check()?;
    let read_options = args.input.read_options()?;
    let as_of = args.input.as_of()?;
    let (from, to) = range(args, as_of)?;
    let buckets = parse_buckets(&args.buckets)?;
    let template = args.template.as_deref().map(load_template).transpose()?;
    let rates = args.interest.as_deref().map(|path| load_calendar(path, "--interest")).transpose()?;
    let side = SideFiles { disputes: args.disputes.disputes.as_deref(), ..SideFiles::default() };
    let payments = args.input.payments.as_deref();
    let (ledger, data) = load_ledger_with(&args.invoices, payments, &read_options, &[], as_of, side)?;
    let disputes = Disputes::new(&ledger, &data.disputes, as_of);
    let params = StatementParams { from, to, customer: args.customer.clone(), buckets, rates, disputes };
    let statements = statement::statements(&ledger, &params)?;
    let names = ledger.customer_names();
    let bucket_names = params.buckets.names();
    if let (Some(dir), Some(template)) = (&args.render, &template) {
        // Every letter is staged before any appears: a failure leaves none.
        let folder = LetterFolder::create(Path::new(dir))?;
        let mut staged = Vec::new();
        for s in &statements {
            let (name, text) = letter(&ledger, &names, s, &bucket_names, template, &params, as_of);
            staged.push(folder.stage(&name, &text)?);
        }
        for letter in staged {
            letter.commit()?;
        }
        folder.keep();
    }
    let mut totals_columns: Vec<String> =
        ["customer", "customer_name", "currency", "opening", "debits", "credits", "closing"]
            .map(String::from)
            .to_vec();
    totals_columns.extend(bucket_names.iter().cloned());
    if params.rates.is_some() {
        totals_columns.push("interest".into());
    }
    let report = Report {
        command: "statement".into(),
        as_of,
        params: params_json(args, &params),
        columns: COLUMNS.map(String::from).to_vec(),
        rows: statements.iter().flat_map(|s| row_cells(&ledger, &names, s)).collect(),
        totals_columns: Some(totals_columns),
        totals: statements.iter().map(|s| total_cells(&ledger, &names, s)).collect(),
    };
    output::emit(&report, &output_options)
}

/// `--from` and `--to` (default the as-of date): `from <= to <= as_of`, else a usage error.
fn range(args: &StatementArgs, as_of: Day) -> Result<(Day, Day)> {
    let flag =
        |name: &str, text: &str| parse_iso_flag(text).map(day_of).map_err(|e| usage(format!("{name}: {e}")));
    let from = flag("--from", &args.from)?;
    let to = args.to.as_deref().map(|t| flag("--to", t)).transpose()?.unwrap_or(as_of);
    if to > as_of {
        return Err(usage(format!(
            "--to {} is after the as-of date {}: a statement cannot show days not yet seen (set --as-of)",
            iso(to),
            iso(as_of)
        )));
    }
    if from > to {
        return Err(usage(format!(
            "--from {} is after --to {}: the period would be empty",
            iso(from),
            iso(to)
        )));
    }
    Ok((from, to))
}

/// Reads the letter template; an unknown placeholder is an error naming its line.
fn load_template(path: &str) -> Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read --template {path}"))?;
    check_placeholders(&text, &PLACEHOLDERS).map_err(|(offset, why)| {
        anyhow!("--template {path}:{}: {why}", text[..offset].matches('\n').count() + 1)
    })?;
    Ok(text)
}

fn params_json(args: &StatementArgs, params: &StatementParams) -> serde_json::Map<String, serde_json::Value> {
    let value = json!({
        "from": iso(params.from),
        "to": iso(params.to),
        "customer": args.customer,
        "interest": args.interest,
        "buckets": args.buckets.split(',').map(|b| b.trim().parse::<i64>().unwrap_or_default()).collect::<Vec<_>>(),
    });
    value.as_object().cloned().unwrap_or_default()
}

fn text_or_null(text: &str) -> Cell {
    if text.is_empty() {
        Cell::Null
    } else {
        Cell::text(text)
    }
}

/// The name of a statement's customer, empty when none was given.
fn name_of<'a>(ledger: &'a Ledger, names: &[u32], s: &Statement) -> &'a str {
    ledger.texts.get(names[s.customer as usize])
}

fn row_cells(ledger: &Ledger, names: &[u32], s: &Statement) -> Vec<Vec<Cell>> {
    let currency = ledger.currencies.get(s.currency);
    let digits = minor_digits(currency);
    let money = |v: Option<rust_decimal::Decimal>| v.map_or(Cell::Null, |v| Cell::Money(v, digits));
    s.lines
        .iter()
        .map(|line| {
            vec![
                Cell::text(ledger.customers.get(s.customer)),
                text_or_null(name_of(ledger, names, s)),
                Cell::text(currency),
                Cell::Date(line.date),
                Cell::text(line.kind.name()),
                line.document.map_or(Cell::Null, |i| Cell::text(ledger.id(i))),
                due_cell(ledger, line),
                money(line.debit),
                money(line.credit),
                Cell::Money(line.balance, digits),
            ]
        })
        .collect()
}

/// A document line's due date; null on payment, opening and closing lines.
fn due_cell(ledger: &Ledger, line: &Line) -> Cell {
    use crate::domain::statement::Kind;
    match (line.kind, line.document) {
        (Kind::Invoice | Kind::CreditNote, Some(i)) => Cell::Date(ledger.invoices[i].due),
        _ => Cell::Null,
    }
}

fn total_cells(ledger: &Ledger, names: &[u32], s: &Statement) -> Vec<Cell> {
    let currency = ledger.currencies.get(s.currency);
    let digits = minor_digits(currency);
    let mut cells = vec![
        Cell::text(ledger.customers.get(s.customer)),
        text_or_null(name_of(ledger, names, s)),
        Cell::text(currency),
        Cell::Money(s.opening, digits),
        Cell::Money(s.debits, digits),
        Cell::Money(s.credits, digits),
        Cell::Money(s.closing, digits),
    ];
    cells.extend(s.buckets.iter().map(|b| Cell::Money(*b, digits)));
    if let Some(interest) = s.interest {
        cells.push(Cell::Money(interest, digits));
    }
    cells
}

/// One letter per statement: `SAFEID_CUR_statement_HASH.txt`, values inserted as text.
/// One statement letter: its file name and its text.
fn letter(
    ledger: &Ledger,
    names: &[u32],
    s: &Statement,
    bucket_names: &[String],
    template: &str,
    params: &StatementParams,
    as_of: Day,
) -> (String, String) {
    let customer = ledger.customers.get(s.customer);
    let currency = ledger.currencies.get(s.currency);
    let digits = minor_digits(currency);
    let amount = |v: rust_decimal::Decimal| round(v, digits).to_string();
    let value = |name: &str| -> String {
        match name {
            "customer" => customer.to_string(),
            "customer_name" => name_of(ledger, names, s).to_string(),
            "email" => ledger.email(s.customer).to_string(),
            "currency" => currency.to_string(),
            "from" => iso(params.from),
            "to" => iso(params.to),
            "opening" => amount(s.opening),
            "closing" => amount(s.closing),
            "statement_table" => statement_table(ledger, s, digits),
            "aging_table" => aging_table(bucket_names, &s.buckets, digits),
            "interest" => s.interest.map(amount).unwrap_or_default(),
            "as_of" => iso(as_of),
            _ => String::new(),
        }
    };
    (tagged_file_name(customer, currency, "statement"), fill(template, &value))
}

/// The statement's lines as fixed-width text.
fn statement_table(ledger: &Ledger, s: &Statement, digits: u32) -> String {
    let amount =
        |v: Option<rust_decimal::Decimal>| v.map(|v| round(v, digits).to_string()).unwrap_or_default();
    let mut out = format!(
        "  {:<10}  {:<14}  {:<20}  {:<10}  {:>14}  {:>14}  {:>14}\n",
        "date", "type", "document", "due", "debit", "credit", "balance"
    );
    for line in &s.lines {
        let due = match due_cell(ledger, line) {
            Cell::Date(d) => iso(d),
            _ => String::new(),
        };
        out.push_str(&format!(
            "  {:<10}  {:<14}  {:<20}  {:<10}  {:>14}  {:>14}  {:>14}\n",
            iso(line.date),
            line.kind.name(),
            line.document.map_or("", |i| ledger.id(i)),
            due,
            amount(line.debit),
            amount(line.credit),
            round(line.balance, digits)
        ));
    }
    out
}

/// The aging buckets at `to`, one per line.
fn aging_table(names: &[String], buckets: &[rust_decimal::Decimal], digits: u32) -> String {
    names
        .iter()
        .zip(buckets)
        .map(|(name, value)| format!("  {name:<16} {:>14}\n", round(*value, digits)))
        .collect()
}

/// The statement domain on the bundled fixtures, read as the command reads them.
#[cfg(test)]
mod tests {
    use crate::dates::ymd;
    use crate::domain::aging::{self, AgingParams, Basis, Buckets, Grouping};
    use crate::domain::statement::{statements, StatementParams};
    use crate::input::{load_ledger, ReadOptions};
    use rust_decimal::Decimal;

    /// The reconciliation of every statement of the bundled fixtures, for
    /// `--from` every 5th day of 2025 up to the as-of date and `--to` every
    /// 9th day from there: opening + debits - credits = closing = the last
    /// running balance = the aging's total_open at `to`, and every customer
    /// with something open at `to` has a statement.
    #[test]
    fn fixtures_reconcile_for_many_periods() {
        let as_of = ymd(2025, 6, 30).unwrap();
        let options = ReadOptions { currency: "EUR".into(), ..ReadOptions::default() };
        let ledger =
            load_ledger("fixtures/invoices.csv", Some("fixtures/payments.csv"), &options, &[], as_of)
                .unwrap();
        let buckets = Buckets::new(vec![30, 60, 90, 120]).unwrap();
        let mut checked = 0;
        for from in (ymd(2025, 1, 1).unwrap()..=as_of).step_by(5) {
            for to in (from..=as_of).step_by(9) {
                let params = StatementParams {
                    from,
                    to,
                    customer: None,
                    buckets: buckets.clone(),
                    rates: None,
                    disputes: Default::default(),
                };
                let statements = statements(&ledger, &params).unwrap();
                let aging_params = AgingParams {
                    as_of: to,
                    buckets: buckets.clone(),
                    basis: Basis::Due,
                    grouping: Grouping::Customer,
                };
                let rows = aging::aging(&ledger, &aging_params).unwrap();
                for s in &statements {
                    assert_eq!(s.opening + s.debits - s.credits, s.closing);
                    assert_eq!(s.lines[s.lines.len() - 2].balance, s.closing);
                    let customer = ledger.customers.get(s.customer);
                    let aged = rows.iter().find(|r| r.keys[0] == customer);
                    assert_eq!(
                        aged.map_or(Decimal::ZERO, |r| r.total_open),
                        s.closing,
                        "{customer} {from}..{to}"
                    );
                    checked += 1;
                }
                let open_customers = rows.iter().filter(|r| !r.total_open.is_zero()).count();
                assert!(statements.len() >= open_customers);
            }
        }
        assert!(checked > 1000, "{checked} statements checked");
    }
}
