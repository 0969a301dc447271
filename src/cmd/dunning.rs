//! `cobro dunning`: today's reminders, with interest, fees, letters and a log.

use crate::cli::{InputArgs, OutputArgs};
use crate::dates::{iso, Day};
use crate::domain::dunning::{self, Notice, Policy};
use crate::domain::ledger::Ledger;
use crate::domain::plan_check::{self, CheckParams, Status};
use crate::input::load_ledger;
use crate::input::plans::load_plans;
use crate::input::policy::{load_log, load_policy, log_row};
use crate::money::{minor_digits, round};
use crate::render::fields::{self, Field};
use crate::render::letter::{file_name, fill, write_letter};
use crate::render::output::AtomicFile;
use crate::render::{json, output, Cell, Report};
use anyhow::{Context, Result};
use clap::Args;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

/// Who gets which reminder today, and what it says.
///
/// The policy (TOML) has ordered [[level]] tables; the log (CSV) says what
/// was already sent. A customer climbs one level at a time, never faster
/// than min_interval_days, and starts again after paying up. --record
/// appends today's actions to the log (a second run the same day adds
/// nothing); --render writes one letter per row.
///
/// Example:
///   cobro dunning fixtures/invoices.csv --payments fixtures/payments.csv \
///       --policy examples/policy.toml --log dunning-log.csv --as-of 2025-06-30
///   cobro dunning ar.csv --policy policy.toml --log log.csv --record --render letters/ -f csv -o mailmerge.csv
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct DunningArgs {
    /// Invoices file (CSV, or Parquet by extension; - for standard input)
    #[arg(value_name = "INVOICES")]
    pub invoices: String,

    /// Dunning policy (TOML): levels, fees, interest, templates
    #[arg(long, value_name = "FILE")]
    pub policy: String,

    /// Log of actions already taken (CSV: date,customer,currency,level,amount)
    #[arg(long, value_name = "FILE")]
    pub log: Option<String>,

    /// Append today's actions to --log (atomically; nothing twice on one day)
    #[arg(long, requires = "log")]
    pub record: bool,

    /// Write one letter per row into DIR
    #[arg(long, value_name = "DIR")]
    pub render: Option<String>,

    /// Payment plans (as `plan check` reads them): customers on track are skipped
    #[arg(long, value_name = "FILE", requires = "plan_payments")]
    pub plans: Option<String>,

    /// Payments toward the --plans
    #[arg(long, value_name = "FILE", requires = "plans")]
    pub plan_payments: Option<String>,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &DunningArgs) -> Result<()> {
    let output_options = args.output.options()?;
    let read_options = args.input.read_options()?;
    let as_of = args.input.as_of()?;
    let policy = load_policy(&args.policy)?;
    let log = match &args.log {
        Some(path) => load_log(path, &policy)?,
        None => Vec::new(),
    };
    let on_track = on_track_customers(args, &read_options, as_of)?;
    let ledger = load_ledger(&args.invoices, args.input.payments.as_deref(), &read_options, &[], as_of)?;
    let notices = dunning::notices(&ledger, &policy, &log, &|c| on_track.contains(c), as_of);
    let rows: Vec<NoticeRow> = notices.iter().map(|n| NoticeRow::new(&ledger, &policy, n)).collect();
    if let Some(dir) = &args.render {
        for (notice, row) in notices.iter().zip(&rows) {
            render_letter(Path::new(dir), &ledger, &policy, notice, row, as_of)?;
        }
    }
    let report = Report {
        command: "dunning".into(),
        as_of,
        params: json::params(&DunningParamsJson {
            policy: &args.policy,
            log: args.log.as_deref(),
            record: args.record,
        }),
        columns: fields::names(ROW).collect(),
        rows: rows.iter().map(|r| fields::cells(ROW, r).collect()).collect(),
        totals_columns: None,
        totals: Vec::new(),
    };
    output::emit(&report, &output_options)?;
    if let (true, Some(path)) = (args.record, &args.log) {
        record(path, &ledger, &notices, as_of)?;
    }
    Ok(())
}

/// The run's parameters, echoed in JSON `params`.
#[derive(Serialize)]
struct DunningParamsJson<'a> {
    policy: &'a str,
    log: Option<&'a str>,
    record: bool,
}

/// Customers with an `on_track` plan at the as-of date.
fn on_track_customers(
    args: &DunningArgs,
    options: &crate::input::ReadOptions,
    as_of: Day,
) -> Result<HashSet<String>> {
    let (Some(plans_path), Some(payments_path)) = (&args.plans, &args.plan_payments) else {
        return Ok(HashSet::new());
    };
    let (plans, payments) = load_plans(plans_path, payments_path, options)?;
    let statuses = plan_check::check(&plans, &payments, CheckParams { as_of, grace: 5, broken_after: 2 });
    Ok(plans
        .iter()
        .zip(statuses)
        .filter(|(_, s)| s.status == Status::OnTrack)
        .map(|(p, _)| p.customer.clone())
        .collect())
}

/// One row of today's list, its texts resolved from the ledger and policy.
struct NoticeRow {
    customer: String,
    customer_name: String,
    email: String,
    currency: String,
    level: usize,
    level_name: String,
    action: String,
    invoices: Vec<String>,
    overdue: Decimal,
    interest: Decimal,
    fees: Decimal,
    total_due: Decimal,
    max_days_past_due: i32,
    digits: u32,
}

impl NoticeRow {
    fn new(ledger: &Ledger, policy: &Policy, n: &Notice) -> NoticeRow {
        let currency = ledger.currencies.get(n.currency);
        let level = &policy.levels[n.level - 1];
        NoticeRow {
            customer: ledger.customers.get(n.customer).to_string(),
            customer_name: ledger.texts.get(ledger.customer_names()[n.customer as usize]).to_string(),
            email: ledger.email(n.customer).to_string(),
            currency: currency.to_string(),
            level: n.level,
            level_name: level.name.clone(),
            action: level.action.clone(),
            invoices: n.invoices.iter().map(|&i| ledger.id(i).to_string()).collect(),
            overdue: n.overdue,
            interest: n.interest,
            fees: n.fees,
            total_due: n.total_due(),
            max_days_past_due: n.max_days_past_due,
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

/// The fields of a dunning row, in output order, each with its value and
/// kind; also the letters' placeholders (names checked against
/// [`dunning::FIELDS`], which the policy reader validates templates with).
const ROW: &[Field<NoticeRow>] = &[
    Field::new("customer", |r| Cell::text(&r.customer)),
    Field::new("customer_name", |r| text_or_null(&r.customer_name)),
    Field::new("email", |r| text_or_null(&r.email)),
    Field::new("currency", |r| Cell::text(&r.currency)),
    Field::new("level", |r| Cell::Int(r.level as i64)),
    Field::new("level_name", |r| Cell::text(&r.level_name)),
    Field::new("action", |r| Cell::text(&r.action)),
    Field::new("invoices", |r| Cell::List(r.invoices.clone())),
    Field::new("overdue", |r| Cell::Money(r.overdue, r.digits)),
    Field::new("interest", |r| Cell::Money(r.interest, r.digits)),
    Field::new("fees", |r| Cell::Money(r.fees, r.digits)),
    Field::new("total_due", |r| Cell::Money(r.total_due, r.digits)),
    Field::new("max_days_past_due", |r| Cell::Int(r.max_days_past_due as i64)),
];

fn render_letter(
    dir: &Path,
    ledger: &Ledger,
    policy: &Policy,
    n: &Notice,
    row: &NoticeRow,
    as_of: Day,
) -> Result<()> {
    let digits = minor_digits(ledger.currencies.get(n.currency));
    let table: String = n
        .invoices
        .iter()
        .zip(&n.open)
        .map(|(&i, open)| {
            let due = ledger.invoices[i].due;
            format!("  {:<20} due {}  open {:>14}\n", ledger.id(i), iso(due), round(*open, digits))
        })
        .collect();
    let value = |name: &str| -> String {
        match name {
            "invoice_table" => table.clone(),
            "as_of" => iso(as_of),
            other => fields::value_of(ROW, row, other).map(|c| c.display()).unwrap_or_default(),
        }
    };
    let text = fill(&policy.levels[n.level - 1].template, &value);
    let customer = ledger.customers.get(n.customer);
    write_letter(dir, &file_name(customer, ledger.currencies.get(n.currency), n.level), &text)
}

/// Appends today's actions to the log: the whole log is rewritten to a
/// temporary file and renamed over it, so a crash leaves the old log whole.
/// Actions already logged for today are not added again.
fn record(path: &str, ledger: &Ledger, notices: &[Notice], as_of: Day) -> Result<()> {
    let existing = if Path::new(path).exists() {
        std::fs::read(path).with_context(|| format!("cannot read --log {path}"))?
    } else {
        Vec::new()
    };
    let mut file = AtomicFile::create(path)?;
    file.write_all(&existing)?;
    if !existing.is_empty() && !existing.ends_with(b"\n") {
        file.write_all(b"\n")?;
    }
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(file);
    if existing.is_empty() {
        writer.write_record(["date", "customer", "currency", "level", "amount"])?;
    }
    for n in notices {
        let currency = ledger.currencies.get(n.currency);
        let amount = round(n.total_due(), minor_digits(currency)).to_string();
        writer.write_record(log_row(as_of, ledger.customers.get(n.customer), currency, n.level, &amount))?;
    }
    let file =
        writer.into_inner().map_err(|e| anyhow::anyhow!("cannot write --log {path}: {}", e.error()))?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The policy reader validates placeholders with the domain's names:
    /// they must be the row's fields, in the same order.
    #[test]
    fn row_fields_are_the_placeholders() {
        assert_eq!(fields::names(ROW).collect::<Vec<_>>(), dunning::FIELDS);
    }
}
