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
use crate::render::fields::{self, Field};
use crate::render::letter::{check_placeholders, fill, tagged_file_name, LetterFolder};
use crate::render::{json, output, Cell, Report};
use anyhow::{anyhow, Context, Result};
use clap::Args;
use rust_decimal::Decimal;
use serde::Serialize;
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
    let accounts: Vec<Account> = statements.iter().map(|s| Account::new(&ledger, &names, s)).collect();
    let bucket_names = params.buckets.names();
    if let (Some(dir), Some(template)) = (&args.render, &template) {
        let letters = statements
            .iter()
            .zip(&accounts)
            .map(|(s, &account)| letter(&ledger, account, s, &bucket_names, template, &params, as_of));
        write_letters(dir, letters)?;
    }
    let (columns, rows) = line_table(&ledger, &statements, &accounts);
    let (totals_columns, totals) =
        totals_table(&statements, &accounts, &bucket_names, params.rates.is_some());
    let report = Report {
        command: "statement".into(),
        as_of,
        params: params_json(args, &params),
        columns,
        rows,
        totals_columns: Some(totals_columns),
        totals,
    };
    output::emit(&report, &output_options)
}

/// Writes every letter into `dir`, all staged before any appears: a
/// failure leaves none.
fn write_letters(dir: &str, letters: impl Iterator<Item = (String, String)>) -> Result<()> {
    let folder = LetterFolder::create(Path::new(dir))?;
    let mut staged = Vec::new();
    for (name, text) in letters {
        staged.push(folder.stage(&name, &text)?);
    }
    for letter in staged {
        letter.commit()?;
    }
    folder.keep();
    Ok(())
}

/// The report's columns and rows: every statement's lines.
fn line_table(
    ledger: &Ledger,
    statements: &[Statement],
    accounts: &[Account],
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let fields = line_fields();
    let rows = statements
        .iter()
        .zip(accounts)
        .flat_map(|(s, &account)| line_rows(ledger, account, s))
        .map(|row| fields::cells(&fields, &row).collect())
        .collect();
    (fields::names(&fields).collect(), rows)
}

/// The report's totals columns and rows: every statement's balances, its
/// aging buckets at `to` (named after them) and, with --interest, its late
/// interest.
fn totals_table(
    statements: &[Statement],
    accounts: &[Account],
    bucket_names: &[String],
    with_interest: bool,
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let balances = balance_fields();
    let interest = with_interest.then(interest_field);
    let mut columns: Vec<String> = fields::names(&balances).collect();
    columns.extend(bucket_names.iter().cloned());
    columns.extend(fields::names(interest.as_slice()));
    let totals = statements
        .iter()
        .zip(accounts)
        .map(|(s, &account)| {
            let total = TotalRow::new(account, s);
            let mut cells: Vec<Cell> = fields::cells(&balances, &total).collect();
            cells.extend(total.buckets.iter().map(|b| Cell::Money(*b, account.digits)));
            cells.extend(fields::cells(interest.as_slice(), &total));
            cells
        })
        .collect();
    (columns, totals)
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

/// The run's parameters, echoed in JSON `params`.
#[derive(Serialize)]
struct StatementParamsJson<'a> {
    #[serde(serialize_with = "json::iso_date")]
    from: Day,
    #[serde(serialize_with = "json::iso_date")]
    to: Day,
    customer: Option<&'a str>,
    interest: Option<&'a str>,
    buckets: Vec<i64>,
}

fn params_json(args: &StatementArgs, params: &StatementParams) -> serde_json::Map<String, serde_json::Value> {
    json::params(&StatementParamsJson {
        from: params.from,
        to: params.to,
        customer: args.customer.as_deref(),
        interest: args.interest.as_deref(),
        buckets: args.buckets.split(',').map(|b| b.trim().parse::<i64>().unwrap_or_default()).collect(),
    })
}

fn text_or_null(text: &str) -> Cell {
    if text.is_empty() {
        Cell::Null
    } else {
        Cell::text(text)
    }
}

/// Whose statement it is: the texts each of its rows repeats, borrowed
/// from the ledger.
#[derive(Clone, Copy)]
struct Account<'a> {
    customer: &'a str,
    /// Empty when none was given.
    customer_name: &'a str,
    currency: &'a str,
    digits: u32,
}

impl<'a> Account<'a> {
    fn new(ledger: &'a Ledger, names: &[u32], s: &Statement) -> Account<'a> {
        let currency = ledger.currencies.get(s.currency);
        Account {
            customer: ledger.customers.get(s.customer),
            customer_name: ledger.texts.get(names[s.customer as usize]),
            currency,
            digits: minor_digits(currency),
        }
    }
}

/// One line of a statement (opening, movement or closing), as reported.
struct LineRow<'a> {
    account: Account<'a>,
    date: Day,
    kind: &'static str,
    /// The document the line is about (none on opening and closing lines).
    document: Option<std::borrow::Cow<'a, str>>,
    /// A document line's due date; none on payment, opening and closing lines.
    due_date: Option<Day>,
    debit: Option<Decimal>,
    credit: Option<Decimal>,
    balance: Decimal,
}

/// The lines of one statement as rows.
fn line_rows<'a>(
    ledger: &'a Ledger,
    account: Account<'a>,
    s: &'a Statement,
) -> impl Iterator<Item = LineRow<'a>> {
    s.lines.iter().map(move |line| LineRow {
        account,
        date: line.date,
        kind: line.kind.name(),
        document: line.document.map(|i| ledger.id(i)),
        due_date: due_date(ledger, line),
        debit: line.debit,
        credit: line.credit,
        balance: line.balance,
    })
}

/// A document line's due date; none on payment, opening and closing lines.
fn due_date(ledger: &Ledger, line: &Line) -> Option<Day> {
    use crate::domain::statement::Kind;
    match (line.kind, line.document) {
        (Kind::Invoice | Kind::CreditNote, Some(i)) => Some(ledger.invoices[i].due),
        _ => None,
    }
}

fn money(value: Option<Decimal>, digits: u32) -> Cell {
    value.map_or(Cell::Null, |v| Cell::Money(v, digits))
}

/// The fields of a statement line, in output order, each with its value
/// and kind (a function, not a constant, so the rows can borrow).
fn line_fields<'a>() -> [Field<LineRow<'a>>; 10] {
    [
        Field::new("customer", |r| Cell::text(r.account.customer)),
        Field::new("customer_name", |r| text_or_null(r.account.customer_name)),
        Field::new("currency", |r| Cell::text(r.account.currency)),
        Field::new("date", |r| Cell::Date(r.date)),
        Field::new("type", |r| Cell::text(r.kind)),
        Field::new("document", |r| r.document.as_deref().map_or(Cell::Null, Cell::text)),
        Field::new("due_date", |r| Cell::opt_date(r.due_date)),
        Field::new("debit", |r| money(r.debit, r.account.digits)),
        Field::new("credit", |r| money(r.credit, r.account.digits)),
        Field::new("balance", |r| Cell::Money(r.balance, r.account.digits)),
    ]
}

/// One statement's totals row (JSON totals, `--totals`) and its letter's values.
struct TotalRow<'a> {
    account: Account<'a>,
    opening: Decimal,
    debits: Decimal,
    credits: Decimal,
    closing: Decimal,
    /// The aging buckets at `to`.
    buckets: &'a [Decimal],
    /// Late interest at `to` (with --interest).
    interest: Option<Decimal>,
}

impl<'a> TotalRow<'a> {
    fn new(account: Account<'a>, s: &'a Statement) -> TotalRow<'a> {
        TotalRow {
            account,
            opening: s.opening,
            debits: s.debits,
            credits: s.credits,
            closing: s.closing,
            buckets: &s.buckets,
            interest: s.interest,
        }
    }
}

/// The totals fields before the buckets, in output order.
fn balance_fields<'a>() -> [Field<TotalRow<'a>>; 7] {
    [
        Field::new("customer", |t| Cell::text(t.account.customer)),
        Field::new("customer_name", |t| text_or_null(t.account.customer_name)),
        Field::new("currency", |t| Cell::text(t.account.currency)),
        Field::new("opening", |t| Cell::Money(t.opening, t.account.digits)),
        Field::new("debits", |t| Cell::Money(t.debits, t.account.digits)),
        Field::new("credits", |t| Cell::Money(t.credits, t.account.digits)),
        Field::new("closing", |t| Cell::Money(t.closing, t.account.digits)),
    ]
}

/// The totals field after the buckets, with --interest.
fn interest_field<'a>() -> Field<TotalRow<'a>> {
    Field::new("interest", |t| money(t.interest, t.account.digits))
}

/// One statement letter: its file name (`SAFEID_CUR_statement_HASH.txt`)
/// and its text, values inserted as text; placeholders named after a
/// totals field take that field's value.
fn letter(
    ledger: &Ledger,
    account: Account,
    s: &Statement,
    bucket_names: &[String],
    template: &str,
    params: &StatementParams,
    as_of: Day,
) -> (String, String) {
    let total = TotalRow::new(account, s);
    let (balances, interest) = (balance_fields(), [interest_field()]);
    let value = |name: &str| -> String {
        match name {
            "email" => ledger.email(s.customer).to_string(),
            "from" => iso(params.from),
            "to" => iso(params.to),
            "statement_table" => statement_table(ledger, account, s),
            "aging_table" => aging_table(bucket_names, &s.buckets, account.digits),
            "as_of" => iso(as_of),
            field => fields::value_of(&balances, &total, field)
                .or_else(|| fields::value_of(&interest, &total, field))
                .map(|c| c.display())
                .unwrap_or_default(),
        }
    };
    (tagged_file_name(account.customer, account.currency, "statement"), fill(template, &value))
}

/// The statement's lines as fixed-width text, their values those of the
/// report's line fields.
fn statement_table(ledger: &Ledger, account: Account, s: &Statement) -> String {
    let fields = line_fields();
    let mut out = format!(
        "  {:<10}  {:<14}  {:<20}  {:<10}  {:>14}  {:>14}  {:>14}\n",
        "date", "type", "document", "due", "debit", "credit", "balance"
    );
    for row in line_rows(ledger, account, s) {
        let v = |name: &str| fields::value_of(&fields, &row, name).map(|c| c.display()).unwrap_or_default();
        out.push_str(&format!(
            "  {:<10}  {:<14}  {:<20}  {:<10}  {:>14}  {:>14}  {:>14}\n",
            v("date"),
            v("type"),
            v("document"),
            v("due_date"),
            v("debit"),
            v("credit"),
            v("balance")
        ));
    }
    out
}

/// The aging buckets at `to`, one per line.
fn aging_table(names: &[String], buckets: &[Decimal], digits: u32) -> String {
    names
        .iter()
        .zip(buckets)
        .map(|(name, value)| format!("  {name:<16} {:>14}\n", round(*value, digits)))
        .collect()
}

/// The statement domain on the bundled fixtures, read as the command reads them.
#[cfg(test)]
mod tests {
    /// A letter placeholder is a totals field (its value read by name) or
    /// one of the letter's own values.
    #[test]
    fn placeholders_are_totals_fields_or_the_letters_own() {
        let own = ["email", "from", "to", "statement_table", "aging_table", "as_of"];
        let fields: Vec<&str> =
            super::balance_fields().iter().map(|f| f.name).chain([super::interest_field().name]).collect();
        for name in super::PLACEHOLDERS {
            assert!(fields.contains(&name) != own.contains(&name), "{name}");
        }
        // customer, customer_name, currency, opening, closing, interest
        assert_eq!(fields.iter().filter(|f| super::PLACEHOLDERS.contains(f)).count(), 6, "{fields:?}");
    }

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
                let rows = aging::aging(&ledger, &ledger.open_at(aging_params.as_of), &aging_params).unwrap();
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
