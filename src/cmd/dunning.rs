//! `cobro dunning`: today's reminders, with interest, fees, letters and a log.

use crate::cli::{InputArgs, OutputArgs};
use crate::dates::{iso, Day};
use crate::domain::dunning::{self, Notice, Policy, FIELDS};
use crate::domain::ledger::Ledger;
use crate::domain::plan_check::{self, CheckParams, Status};
use crate::input::load_ledger;
use crate::input::plans::load_plans;
use crate::input::policy::{load_log, load_policy, log_row};
use crate::money::{minor_digits, round};
use crate::render::letter::{file_name, fill, write_letter};
use crate::render::output::AtomicFile;
use crate::render::{output, Cell, Report};
use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;
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
    let names = ledger.customer_names();
    let rows: Vec<Vec<Cell>> = notices.iter().map(|n| cells(&ledger, &names, &policy, n)).collect();
    if let Some(dir) = &args.render {
        for (notice, row) in notices.iter().zip(&rows) {
            render_letter(Path::new(dir), &ledger, &policy, notice, row, as_of)?;
        }
    }
    let report = Report {
        command: "dunning".into(),
        as_of,
        params: json!({"policy": args.policy, "log": args.log, "record": args.record})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        columns: FIELDS.map(String::from).to_vec(),
        rows,
        totals_columns: None,
        totals: Vec::new(),
    };
    output::emit(&report, &output_options)?;
    if let (true, Some(path)) = (args.record, &args.log) {
        record(path, &ledger, &notices, as_of)?;
    }
    Ok(())
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

/// One row of the report; `names` is [`Ledger::customer_names`], computed
/// once for all notices (per notice it was a pass over every invoice).
fn cells(ledger: &Ledger, names: &[u32], policy: &Policy, n: &Notice) -> Vec<Cell> {
    let currency = ledger.currencies.get(n.currency);
    let digits = minor_digits(currency);
    let level = &policy.levels[n.level - 1];
    let name = ledger.texts.get(names[n.customer as usize]);
    let text_or_null = |t: &str| if t.is_empty() { Cell::Null } else { Cell::text(t) };
    vec![
        Cell::text(ledger.customers.get(n.customer)),
        text_or_null(name),
        text_or_null(ledger.email(n.customer)),
        Cell::text(currency),
        Cell::Int(n.level as i64),
        Cell::text(&level.name),
        Cell::text(&level.action),
        Cell::List(n.invoices.iter().map(|&i| ledger.id(i).to_string()).collect()),
        Cell::Money(n.overdue, digits),
        Cell::Money(n.interest, digits),
        Cell::Money(n.fees, digits),
        Cell::Money(n.total_due(), digits),
        Cell::Int(n.max_days_past_due as i64),
    ]
}

fn render_letter(
    dir: &Path,
    ledger: &Ledger,
    policy: &Policy,
    n: &Notice,
    row: &[Cell],
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
            other => FIELDS.iter().position(|c| *c == other).map(|i| row[i].display()).unwrap_or_default(),
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
