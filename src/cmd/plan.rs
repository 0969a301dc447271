//! `cobro plan schedule|offer|check`: payment agreements.

use crate::cli::{check_days, CommonArgs, InputArgs, OutputArgs};
use crate::dates::{day_of, parse_iso_flag, Day};
use crate::domain::plan_check::{self, CheckParams, Plan, PlanPayment, PlanStatus};
use crate::domain::schedule::{
    self, Frequency, OfferOption, PlanTerms, ScheduleRow, ScheduleTotals, MAX_AMOUNT, MAX_ANNUAL_RATE,
    MAX_INSTALLMENTS,
};
use crate::error::{excerpt, usage};
use crate::files::paths::Paths;
use crate::input::amount::parse_amount;
use crate::input::plans::load_plans;
use crate::render::fields::{self, Field};
use crate::render::{json, output, Cell, Report};
use anyhow::Result;
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use serde::Serialize;

/// Payment agreements: schedules, settlement offers, and keeping track.
#[derive(Subcommand, Debug)]
pub enum PlanCommand {
    Schedule(ScheduleArgs),
    Offer(OfferArgs),
    Check(CheckArgs),
}

pub fn run(command: &PlanCommand) -> Result<()> {
    match command {
        PlanCommand::Schedule(args) => run_schedule(args),
        PlanCommand::Offer(args) => run_offer(args),
        PlanCommand::Check(args) => run_check(args),
    }
}

/// An installment schedule with exact amortization.
///
/// French amortization with --annual-rate (installment P*r/(1-(1+r)^-n) in
/// cents, the last one absorbing the rounding); equal installments rounded
/// down to cents without it. A down payment is due on --start (row n = 0);
/// installment k falls due k periods after --start.
///
/// Example:
///   cobro plan schedule --amount 12000 --installments 12 --start 2025-01-31 --annual-rate 9.5
///   cobro plan schedule --amount 5000 --max-installment 450 --start 2025-03-01 \
///       --down-payment 500 --plan-id AG-7 --customer C042 -f csv -o plan.csv
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
#[command(group = clap::ArgGroup::new("count").required(true).args(["installments", "max_installment"]))]
pub struct ScheduleArgs {
    /// The debt to settle
    #[arg(long, value_name = "X")]
    pub amount: String,

    /// Number of installments (after the down payment), 1 to 10000
    #[arg(long, value_name = "N")]
    pub installments: Option<u32>,

    /// Use the fewest installments that keep every one at most M
    #[arg(long, value_name = "M")]
    pub max_installment: Option<String>,

    /// Agreement date (YYYY-MM-DD): the down payment is due on it
    #[arg(long, value_name = "DATE")]
    pub start: String,

    /// Installment frequency
    #[arg(long, value_parser = crate::cli::choice::<Frequency>(), default_value = "month")]
    pub every: Frequency,

    /// Annual interest rate in percent (0: no interest)
    #[arg(long, value_name = "PCT", default_value = "0")]
    pub annual_rate: String,

    /// Paid on the agreement date, not financed
    #[arg(long, value_name = "X", default_value = "0")]
    pub down_payment: String,

    /// One-off fee, financed with the rest
    #[arg(long, value_name = "X", default_value = "0")]
    pub fee: String,

    /// Plan id to lead each row (with --customer): the CSV is then valid `plan check` input
    #[arg(long, value_name = "ID", requires = "customer")]
    pub plan_id: Option<String>,

    /// Customer to lead each row (with --plan-id)
    #[arg(long, value_name = "C", requires = "plan_id")]
    pub customer: Option<String>,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// What a collector can offer on the phone: lump sum or installments.
///
/// The discount ("quita") applies to the lump sum only; each option finances
/// the whole amount monthly at --annual-rate, as `plan schedule` would.
///
/// Example:
///   cobro plan offer --amount 4800 --discount 15 --annual-rate 6 --options 3,6,12
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct OfferArgs {
    /// The debt to settle
    #[arg(long, value_name = "X")]
    pub amount: String,

    /// Discount on the lump sum, in percent
    #[arg(long, value_name = "PCT", default_value = "0")]
    pub discount: String,

    /// Annual interest rate of the installment options, in percent
    #[arg(long, value_name = "PCT", default_value = "0")]
    pub annual_rate: String,

    /// Installment counts to offer (at most 100 options, each 1 to 10000)
    #[arg(long, value_name = "N,...", default_value = "3,6,12")]
    pub options: String,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Are debtors keeping their agreements?
///
/// PLANS has plan_id, customer, n, due_date and installment (or amount) —
/// the CSV of `plan schedule --plan-id .. --customer ..` is one. Payments
/// carry plan_id (or only customer), date and amount; money fills the oldest
/// unpaid installment first.
///
/// Example:
///   cobro plan check examples/plans.csv --payments examples/plan_payments.csv --as-of 2025-06-30
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct CheckArgs {
    /// Plans file: one row per installment
    #[arg(value_name = "PLANS")]
    pub plans: String,

    /// Days after a due date before an unpaid installment is overdue
    #[arg(long, value_name = "DAYS", default_value_t = 5)]
    pub grace: i32,

    /// Overdue installments that make a plan broken
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub broken_after: u32,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Most options one `plan offer` lists (a phone offer, not a table of
/// every count).
const MAX_OFFER_OPTIONS: usize = 100;

/// A money or percentage flag, exact.
fn decimal_flag(name: &str, text: &str) -> Result<Decimal> {
    parse_amount(text, false).map_err(|why| usage(format!("--{name} '{text}': {why}")))
}

/// A money flag, at most [`MAX_AMOUNT`].
fn amount_flag(name: &str, text: &str) -> Result<Decimal> {
    let value = decimal_flag(name, text)?;
    if value.abs() > MAX_AMOUNT {
        return Err(usage(format!("--{name} '{text}': at most {MAX_AMOUNT} in a plan")));
    }
    Ok(value)
}

/// `--annual-rate`: 0 to [`MAX_ANNUAL_RATE`] percent.
fn rate_flag(text: &str) -> Result<Decimal> {
    let rate = decimal_flag("annual-rate", text)?;
    if rate < Decimal::ZERO || rate > MAX_ANNUAL_RATE {
        return Err(usage(format!(
            "--annual-rate '{text}': expected 0 to {MAX_ANNUAL_RATE} (percent a year)"
        )));
    }
    Ok(rate)
}

fn date_flag(name: &str, text: &str) -> Result<Day> {
    parse_iso_flag(text).map(day_of).map_err(|e| usage(format!("--{name}: {e}")))
}

fn plan_terms(args: &ScheduleArgs) -> Result<PlanTerms> {
    let terms = PlanTerms {
        amount: amount_flag("amount", &args.amount)?,
        down_payment: amount_flag("down-payment", &args.down_payment)?,
        fee: amount_flag("fee", &args.fee)?,
        annual_rate: rate_flag(&args.annual_rate)?,
        every: args.every,
        start: date_flag("start", &args.start)?,
    };
    if terms.amount <= Decimal::ZERO || terms.down_payment < Decimal::ZERO || terms.fee < Decimal::ZERO {
        return Err(usage("--amount must be positive; --down-payment and --fee cannot be negative"));
    }
    if terms.financed() <= Decimal::ZERO {
        return Err(usage("nothing to finance: the down payment covers the amount and fee"));
    }
    Ok(terms)
}

fn run_schedule(args: &ScheduleArgs) -> Result<()> {
    let output_options = args.output.options()?;
    Paths::new().common(&args.common).output_args(&args.output).check()?;
    let as_of = args.common.as_of()?;
    let terms = plan_terms(args)?;
    let n = match (args.installments, &args.max_installment) {
        (Some(n), _) if n == 0 || n > MAX_INSTALLMENTS => {
            return Err(usage(format!("--installments must be between 1 and {MAX_INSTALLMENTS}")))
        }
        (Some(n), _) => n,
        (None, Some(max)) => {
            let max = amount_flag("max-installment", max)?;
            if max <= Decimal::ZERO {
                return Err(usage("--max-installment must be positive"));
            }
            schedule::installments_for_max(&terms, max).map_err(usage)?
        }
        (None, None) => return Err(usage("give --installments N or --max-installment M")),
    };
    let rows = schedule::schedule(&terms, n);
    let sums = schedule::totals(&rows);
    let lead = args.plan_id.clone().zip(args.customer.clone());
    let mut columns: Vec<String> = Vec::new();
    if lead.is_some() {
        columns.extend(["plan_id".to_string(), "customer".to_string()]);
    }
    columns.extend(fields::names(SCHEDULE));
    let params = json::params(&ScheduleParamsJson {
        amount: terms.amount,
        installments: n,
        start: terms.start,
        every: flag_name(args.every),
        annual_rate: terms.annual_rate,
        down_payment: terms.down_payment,
        fee: terms.fee,
    });
    let report = Report {
        command: "plan schedule".into(),
        as_of,
        params,
        columns,
        rows: rows.iter().map(|r| schedule_cells(r, lead.as_ref())).collect(),
        totals_columns: Some(fields::names(SCHEDULE_TOTALS).collect()),
        totals: vec![fields::cells(SCHEDULE_TOTALS, &sums).collect()],
    };
    output::emit(&report, &output_options)
}

fn money(value: Decimal) -> Cell {
    Cell::Money(value, 2)
}

/// `plan schedule`'s parameters, echoed in JSON `params`.
#[derive(Serialize)]
struct ScheduleParamsJson {
    #[serde(serialize_with = "json::exact_decimal")]
    amount: Decimal,
    installments: u32,
    #[serde(serialize_with = "json::iso_date")]
    start: Day,
    every: String,
    #[serde(serialize_with = "json::exact_decimal")]
    annual_rate: Decimal,
    #[serde(serialize_with = "json::exact_decimal")]
    down_payment: Decimal,
    #[serde(serialize_with = "json::exact_decimal")]
    fee: Decimal,
}

/// `plan offer`'s parameters.
#[derive(Serialize)]
struct OfferParamsJson {
    #[serde(serialize_with = "json::exact_decimal")]
    amount: Decimal,
    #[serde(serialize_with = "json::exact_decimal")]
    discount: Decimal,
    #[serde(serialize_with = "json::exact_decimal")]
    annual_rate: Decimal,
    options: Vec<u32>,
}

/// `plan check`'s parameters.
#[derive(Serialize)]
struct CheckParamsJson {
    grace: i32,
    broken_after: u32,
}

/// A frequency as the flag spells it (`2weeks`, not `TwoWeeks`).
fn flag_name(every: Frequency) -> String {
    crate::cli::choice_name(every).to_string()
}

/// The schedule's fields (after `plan_id`, `customer` when given).
const SCHEDULE: &[Field<ScheduleRow>] = &[
    Field::new("n", |r| Cell::Int(r.n as i64)),
    Field::new("due_date", |r| Cell::Date(r.due_date)),
    Field::new("installment", |r| money(r.installment)),
    Field::new("interest", |r| money(r.interest)),
    Field::new("principal", |r| money(r.principal)),
    Field::new("balance", |r| money(r.balance)),
];

/// The schedule's totals, fields of their own.
const SCHEDULE_TOTALS: &[Field<ScheduleTotals>] = &[
    Field::new("installments", |t| Cell::Int(t.installments as i64)),
    Field::new("total_paid", |t| money(t.total_paid)),
    Field::new("interest", |t| money(t.interest)),
    Field::new("principal", |t| money(t.principal)),
];

fn schedule_cells(row: &ScheduleRow, lead: Option<&(String, String)>) -> Vec<Cell> {
    let mut cells = Vec::new();
    if let Some((plan, customer)) = lead {
        cells.extend([Cell::text(plan), Cell::text(customer)]);
    }
    cells.extend(fields::cells(SCHEDULE, row));
    cells
}

fn run_offer(args: &OfferArgs) -> Result<()> {
    let output_options = args.output.options()?;
    Paths::new().common(&args.common).output_args(&args.output).check()?;
    let as_of = args.common.as_of()?;
    let amount = amount_flag("amount", &args.amount)?;
    let discount = decimal_flag("discount", &args.discount)?;
    let rate = rate_flag(&args.annual_rate)?;
    if amount <= Decimal::ZERO || !(Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&discount) {
        return Err(usage("--amount must be positive and --discount between 0 and 100"));
    }
    let counts = offer_counts(&args.options)?;
    let options = schedule::offer(amount, discount, rate, &counts);
    let params =
        json::params(&OfferParamsJson { amount, discount, annual_rate: rate, options: counts.clone() });
    let report = Report {
        command: "plan offer".into(),
        as_of,
        params,
        columns: fields::names(OFFER).collect(),
        rows: options.iter().map(|o| fields::cells(OFFER, o).collect()).collect(),
        totals_columns: None,
        totals: Vec::new(),
    };
    output::emit(&report, &output_options)
}

/// An offer's fields.
const OFFER: &[Field<OfferOption>] = &[
    Field::new("option", |o| Cell::text(&o.option)),
    Field::new("installments", |o| Cell::Int(o.installments as i64)),
    Field::new("installment", |o| money(o.installment)),
    Field::new("last_installment", |o| money(o.last_installment)),
    Field::new("total_paid", |o| money(o.total_paid)),
    Field::new("interest", |o| money(o.interest)),
    Field::new("cost_vs_lump_sum", |o| money(o.cost_vs_lump_sum)),
];

/// `--options N,...`: at most [`MAX_OFFER_OPTIONS`] counts, each 1 to
/// [`MAX_INSTALLMENTS`].
fn offer_counts(text: &str) -> Result<Vec<u32>> {
    let counts = text
        .split(',')
        .map(|c| c.trim().parse::<u32>().ok().filter(|n| (1..=MAX_INSTALLMENTS).contains(n)))
        .collect::<Option<Vec<u32>>>()
        .ok_or_else(|| {
            usage(format!(
                "--options '{}': expected installment counts from 1 to {MAX_INSTALLMENTS}, like 3,6,12",
                excerpt(text, 40)
            ))
        })?;
    if counts.len() > MAX_OFFER_OPTIONS {
        return Err(usage(format!(
            "--options: {} counts given, at most {MAX_OFFER_OPTIONS} options in one offer",
            counts.len()
        )));
    }
    Ok(counts)
}

fn run_check(args: &CheckArgs) -> Result<()> {
    let output_options = args.output.options()?;
    output::emit(&check_report(args)?, &output_options)
}

/// Plan statuses as `plan check` prints them (`cobro report` composes them too).
pub fn check_report(args: &CheckArgs) -> Result<Report> {
    Paths::new()
        .input("PLANS", Some(&args.plans))
        .input_args(&args.input)
        .output_args(&args.output)
        .check()?;
    let as_of = args.input.as_of()?;
    let read_options = args.input.read_options()?;
    let Some(payments_path) = &args.input.payments else {
        return Err(usage("plan check needs --payments FILE (payments toward the plans)"));
    };
    check_days("grace", args.grace, 0)?;
    if args.broken_after == 0 {
        return Err(usage("--broken-after must be at least 1"));
    }
    let (plans, payments) = load_plans(&args.plans, payments_path, &read_options)?;
    Ok(check_report_on(args, as_of, &plans, &payments))
}

/// [`check_report`] on plans and payments already read (`cobro report`
/// reads them with its other input, into one rejects file).
pub fn check_report_on(args: &CheckArgs, as_of: Day, plans: &[Plan], payments: &[PlanPayment]) -> Report {
    let params = CheckParams { as_of, grace: args.grace, broken_after: args.broken_after };
    let statuses = plan_check::check(plans, payments, params);
    let check = check_fields();
    let rows = plans
        .iter()
        .zip(&statuses)
        .map(|(p, status)| {
            fields::cells(&check, &CheckRow { plan_id: &p.id, customer: &p.customer, status }).collect()
        })
        .collect();
    Report {
        command: "plan check".into(),
        as_of,
        params: json::params(&CheckParamsJson { grace: args.grace, broken_after: args.broken_after }),
        columns: fields::names(&check).collect(),
        rows,
        totals_columns: None,
        totals: Vec::new(),
    }
}

/// One plan's status at the as-of date, with its id and customer.
struct CheckRow<'a> {
    plan_id: &'a str,
    customer: &'a str,
    status: &'a PlanStatus,
}

/// `plan check`'s fields (a function so the rows can borrow).
fn check_fields<'a>() -> [Field<CheckRow<'a>>; 12] {
    [
        Field::new("plan_id", |r| Cell::text(r.plan_id)),
        Field::new("customer", |r| Cell::text(r.customer)),
        Field::new("status", |r| Cell::text(r.status.status.name())),
        Field::new("installments", |r| Cell::Int(r.status.installments as i64)),
        Field::new("paid_installments", |r| Cell::Int(r.status.paid_installments as i64)),
        Field::new("paid_amount", |r| money(r.status.paid_amount)),
        Field::new("remaining", |r| money(r.status.remaining)),
        Field::new("overdue_amount", |r| money(r.status.overdue_amount)),
        Field::new("installments_overdue", |r| Cell::Int(r.status.installments_overdue as i64)),
        Field::new("next_due_date", |r| Cell::opt_date(r.status.next_due_date)),
        Field::new("next_amount", |r| r.status.next_amount.map_or(Cell::Null, money)),
        Field::new("max_days_late", |r| Cell::Int(r.status.max_days_late as i64)),
    ]
}
