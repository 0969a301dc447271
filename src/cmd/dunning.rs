//! `cobro dunning`: today's reminders, with interest, fees, letters and a log.

use super::side::{DisputesArgs, PromisesArgs};
use crate::cli::{InputArgs, OutputArgs};
use crate::dates::{iso, Day};
use crate::domain::disputes::Disputes;
use crate::domain::dunning::{self, Notice, Policy, Sent};
use crate::domain::ledger::Ledger;
use crate::domain::plan_check::{self, CheckParams, Plan, PlanPayment, Status};
use crate::domain::promise::{Book, PromiseParams};
use crate::files::{self, lock::RunLock, paths::Paths};
use crate::input::dunning_log::{load_log, Action, DunningLog};
use crate::input::policy::load_policy;
use crate::input::{load_ledger_with, ReadOptions, SideData, SideFiles};
use crate::money::{minor_digits, round};
use crate::render::fields::{self, Field};
use crate::render::letter::{file_name, fill, LetterFolder};
use crate::render::{json, output, Cell, OutputOptions, Report};
use anyhow::{Context, Result};
use clap::Args;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

/// Who gets which reminder today, and what it says.
///
/// The policy (TOML) has ordered [[level]] tables; the log (CSV) says what
/// was already sent. A customer climbs one level at a time, never faster
/// than min_interval_days, and starts again after paying up. --record
/// appends today's actions to the log (a second run the same day adds
/// nothing); --render writes one letter per row. With --promises, a
/// customer with a promise open at the as-of date gets no action; with
/// --disputes, "disputed" (exclude_disputed) follows the dated log.
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

    /// Log of actions already taken (CSV: date,customer,currency,level,amount in any
    /// order; other columns are kept)
    #[arg(long, value_name = "FILE")]
    pub log: Option<String>,

    /// Append today's actions to --log (atomically, under a lock on .LOG.lock beside it;
    /// nothing twice on one day); letters and -o are written only once the log is
    /// recorded
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
    pub disputes: DisputesArgs,

    #[command(flatten)]
    pub promises: PromisesArgs,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &DunningArgs) -> Result<()> {
    let output_options = args.output.options()?;
    paths(args).check()?;
    // Held to the end of the run: two runs recording to one log take turns,
    // the second reading what the first recorded.
    let _lock = recorded_log(args).map(|log| RunLock::acquire(Path::new(log))).transpose()?;
    let settings = Settings::new(args)?;
    let (ledger, data) = load(args, &settings)?;
    let Today { notices, rows, report } = today(args, &settings, &ledger, data)?;
    let Settings { policy, log_file, .. } = settings;
    let letters = match &args.render {
        Some(_) => notices
            .iter()
            .zip(&rows)
            .filter_map(|(n, row)| letter(&ledger, &policy, n, row, report.as_of))
            .collect(),
        None => Vec::new(),
    };
    // Nothing to append to an existing log: it is left as it is.
    let log_bytes = match (recorded_log(args), &log_file) {
        (Some(_), Some(log)) if !notices.is_empty() || log.is_blank() => {
            Some(log.appended(&actions(&ledger, &notices, report.as_of))?)
        }
        _ => None,
    };
    publish(args, log_bytes.as_deref(), &letters, &report, &output_options)
}

/// Today's actions as `run` lists them, with no letter written and nothing
/// recorded, on a ledger already read at the as-of date of `settings`, with
/// `data`, its side files (`cobro report` reads its input once for all its
/// parts and composes them).
pub fn report_on(args: &DunningArgs, settings: Settings, ledger: &Ledger, data: SideData) -> Result<Report> {
    Ok(today(args, &settings, ledger, data)?.report)
}

/// What the flags ask for, the policy and the log read, before the input
/// is read.
pub struct Settings {
    read_options: ReadOptions,
    as_of: Day,
    policy: Policy,
    /// The notices the log records as sent.
    sent: Vec<Sent>,
    log_file: Option<DunningLog>,
    tolerance: i32,
}

impl Settings {
    pub fn new(args: &DunningArgs) -> Result<Settings> {
        let read_options = args.input.read_options()?;
        let as_of = args.input.as_of()?;
        let policy = load_policy(&args.policy)?;
        let (sent, log_file) = match &args.log {
            Some(path) => load_log(path, &policy).map(|(sent, file)| (sent, Some(file)))?,
            None => (Vec::new(), None),
        };
        let tolerance = args.promises.tolerance()?;
        Ok(Settings { read_options, as_of, policy, sent, log_file, tolerance })
    }
}

/// The invoices and payments, with the side files the flags name.
fn load(args: &DunningArgs, settings: &Settings) -> Result<(Ledger, SideData)> {
    let side = SideFiles {
        disputes: args.disputes.disputes.as_deref(),
        promises: args.promises.promises.as_deref(),
        plans: args.plans.as_deref().zip(args.plan_payments.as_deref()),
    };
    let payments = args.input.payments.as_deref();
    load_ledger_with(&args.invoices, payments, &settings.read_options, &[], settings.as_of, side)
}

/// What a dunning run decides before it writes anything.
struct Today {
    notices: Vec<Notice>,
    /// One row per notice, its texts resolved (the report's rows and the
    /// letters' placeholders).
    rows: Vec<NoticeRow>,
    report: Report,
}

fn today(args: &DunningArgs, settings: &Settings, ledger: &Ledger, data: SideData) -> Result<Today> {
    let Settings { as_of, ref policy, ref sent, tolerance, .. } = *settings;
    if ledger.undated_payments() > 0 {
        eprintln!(
            "cobro: warning: {} undated payment(s) (from open_amount) count for balances on every day: an invoice they pay off was never overdue",
            ledger.undated_payments()
        );
    }
    let on_track = on_track_customers(data.plans.as_ref(), as_of);
    let disputes = Disputes::new(ledger, &data.disputes, as_of);
    let promised = Book::new(ledger, data.promises, PromiseParams { as_of, tolerance }).open_pairs();
    let skip = |customer: u32, currency: u32| {
        on_track.contains(ledger.customers.get(customer)) || promised.contains(&(customer, currency))
    };
    let notices = dunning::notices(ledger, policy, sent, &skip, &disputes, as_of)?;
    // Names once for all notices (per notice it was quadratic).
    let names = ledger.customer_names();
    let rows: Vec<NoticeRow> = notices.iter().map(|n| NoticeRow::new(ledger, &names, policy, n)).collect();
    let mut report = Report {
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
    super::side::add_params(&mut report.params, Some(&args.promises), &args.disputes);
    Ok(Today { notices, rows, report })
}

/// The run's parameters, echoed in JSON `params`.
#[derive(Serialize)]
struct DunningParamsJson<'a> {
    policy: &'a str,
    log: Option<&'a str>,
    record: bool,
}

/// The files the run reads and writes (the log is written with --record).
fn paths(args: &DunningArgs) -> Paths<'_> {
    let paths = Paths::new()
        .input("INVOICES", Some(&args.invoices))
        .input("--policy", Some(&args.policy))
        .input("--plans", args.plans.as_deref())
        .input("--plan-payments", args.plan_payments.as_deref())
        .input("--disputes", args.disputes.disputes.as_deref())
        .input("--promises", args.promises.promises.as_deref())
        .input_args(&args.input)
        .output_args(&args.output)
        .output("--render", args.render.as_deref());
    match args.record {
        true => paths.output("--log", args.log.as_deref()),
        false => paths.input("--log", args.log.as_deref()),
    }
}

/// The log `--record` appends to.
fn recorded_log(args: &DunningArgs) -> Option<&str> {
    args.log.as_deref().filter(|_| args.record)
}

/// Writes the run's files so that no letter and no mail-merge file appears
/// unless the log is recorded: every file is staged first (a failure there
/// changes nothing), then the log is put in place, then the letters and
/// the report.
fn publish(
    args: &DunningArgs,
    log_bytes: Option<&[u8]>,
    letters: &[(String, String)],
    report: &Report,
    options: &OutputOptions,
) -> Result<()> {
    let log = recorded_log(args)
        .zip(log_bytes)
        .map(|(path, bytes)| {
            files::stage(path, bytes).with_context(|| format!("cannot record to --log {path}"))
        })
        .transpose()?;
    let folder = args.render.as_deref().map(|dir| LetterFolder::create(Path::new(dir))).transpose()?;
    let mut staged = Vec::new();
    if let Some(folder) = &folder {
        for (name, text) in letters {
            staged.push(folder.stage(name, text)?);
        }
    }
    let report_file = output::stage(report, options)?;
    let recorded = log.is_some();
    if let Some(log) = log {
        log.commit()?;
    }
    // From here on a failure is said to come after the log was recorded.
    let after_log = |result: Result<()>, what: &str| match recorded {
        true => result.with_context(|| format!("the log is recorded, but {what} could not be written")),
        false => result,
    };
    for letter in staged {
        after_log(letter.commit(), "not every letter")?;
    }
    if let Some(folder) = folder {
        folder.keep();
    }
    match report_file {
        Some(file) => after_log(file.commit(), "the report"),
        None => output::print(report, options),
    }
}

/// Today's actions, as log rows (amount: the total due, rounded to cents).
fn actions<'a>(ledger: &'a Ledger, notices: &[Notice], as_of: Day) -> Vec<Action<'a>> {
    notices
        .iter()
        .map(|n| {
            let currency = ledger.currencies.get(n.currency);
            Action {
                date: as_of,
                customer: ledger.customers.get(n.customer),
                currency,
                level: n.level,
                amount: round(n.total_due(), minor_digits(currency)).to_string(),
            }
        })
        .collect()
}

/// Customers with an `on_track` plan at the as-of date (none without `--plans`).
fn on_track_customers(plans: Option<&(Vec<Plan>, Vec<PlanPayment>)>, as_of: Day) -> HashSet<String> {
    let Some((plans, payments)) = plans else { return HashSet::new() };
    let statuses = plan_check::check(plans, payments, CheckParams { as_of, grace: 5, broken_after: 2 });
    plans
        .iter()
        .zip(statuses)
        .filter(|(_, s)| s.status == Status::OnTrack)
        .map(|(p, _)| p.customer.clone())
        .collect()
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
    invoices: std::sync::Arc<[String]>,
    overdue: Decimal,
    interest: Decimal,
    fees: Decimal,
    total_due: Decimal,
    max_days_past_due: i32,
    digits: u32,
}

impl NoticeRow {
    fn new(ledger: &Ledger, names: &[u32], policy: &Policy, n: &Notice) -> NoticeRow {
        let currency = ledger.currencies.get(n.currency);
        let level = &policy.levels[n.level - 1];
        NoticeRow {
            customer: ledger.customers.get(n.customer).to_string(),
            customer_name: ledger.texts.get(names[n.customer as usize]).to_string(),
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

/// One letter: its file name and its text (none for an escalate level
/// without a template).
fn letter(
    ledger: &Ledger,
    policy: &Policy,
    n: &Notice,
    row: &NoticeRow,
    as_of: Day,
) -> Option<(String, String)> {
    let template = policy.levels[n.level - 1].template.as_ref()?;
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
    let text = fill(template, &value);
    let customer = ledger.customers.get(n.customer);
    Some((file_name(customer, ledger.currencies.get(n.currency), n.level), text))
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
