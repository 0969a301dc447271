//! `cobro plan schedule|offer|check`: payment agreements.

use crate::cli::{check_days, CommonArgs, InputArgs, OutputArgs};
use crate::dates::{day_of, parse_iso_flag, Day};
use crate::domain::plan_check::{self, CheckParams, PlanStatus};
use crate::domain::schedule::{
    self, Frequency, OfferOption, PlanTerms, ScheduleRow, MAX_AMOUNT, MAX_ANNUAL_RATE, MAX_INSTALLMENTS,
};
use crate::error::{excerpt, usage};
use crate::input::amount::parse_amount;
use crate::input::plans::load_plans;
use crate::render::{output, Cell, Report};
use anyhow::Result;
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use serde_json::json;

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
    #[arg(long, value_enum, default_value = "month")]
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
    columns.extend(["n", "due_date", "installment", "interest", "principal", "balance"].map(String::from));
    let params = json!({
        "amount": money_json(terms.amount), "installments": n, "start": crate::dates::iso(terms.start),
        "every": format!("{:?}", args.every).to_lowercase(), "annual_rate": money_json(terms.annual_rate),
        "down_payment": money_json(terms.down_payment), "fee": money_json(terms.fee),
    });
    let report = Report {
        command: "plan schedule".into(),
        as_of,
        params: params.as_object().cloned().unwrap_or_default(),
        columns,
        rows: rows.iter().map(|r| schedule_cells(r, lead.as_ref())).collect(),
        totals_columns: Some(
            ["installments", "total_paid", "interest", "principal"].map(String::from).to_vec(),
        ),
        totals: vec![vec![
            Cell::Int(sums.installments as i64),
            money(sums.total_paid),
            money(sums.interest),
            money(sums.principal),
        ]],
    };
    output::emit(&report, &output_options)
}

fn money(value: Decimal) -> Cell {
    Cell::Money(value, 2)
}

fn money_json(value: Decimal) -> serde_json::Value {
    crate::render::json::exact_number(&value.normalize().to_string())
}

fn schedule_cells(row: &ScheduleRow, lead: Option<&(String, String)>) -> Vec<Cell> {
    let mut cells = Vec::new();
    if let Some((plan, customer)) = lead {
        cells.extend([Cell::text(plan), Cell::text(customer)]);
    }
    cells.extend([
        Cell::Int(row.n as i64),
        Cell::Date(row.due_date),
        money(row.installment),
        money(row.interest),
        money(row.principal),
        money(row.balance),
    ]);
    cells
}

fn run_offer(args: &OfferArgs) -> Result<()> {
    let output_options = args.output.options()?;
    let as_of = args.common.as_of()?;
    let amount = amount_flag("amount", &args.amount)?;
    let discount = decimal_flag("discount", &args.discount)?;
    let rate = rate_flag(&args.annual_rate)?;
    if amount <= Decimal::ZERO || !(Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&discount) {
        return Err(usage("--amount must be positive and --discount between 0 and 100"));
    }
    let counts = offer_counts(&args.options)?;
    let options = schedule::offer(amount, discount, rate, &counts);
    let columns = [
        "option",
        "installments",
        "installment",
        "last_installment",
        "total_paid",
        "interest",
        "cost_vs_lump_sum",
    ];
    let params = json!({"amount": money_json(amount), "discount": money_json(discount), "annual_rate": money_json(rate), "options": counts});
    let report = Report {
        command: "plan offer".into(),
        as_of,
        params: params.as_object().cloned().unwrap_or_default(),
        columns: columns.map(String::from).to_vec(),
        rows: options.iter().map(offer_cells).collect(),
        totals_columns: None,
        totals: Vec::new(),
    };
    output::emit(&report, &output_options)
}

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

fn offer_cells(o: &OfferOption) -> Vec<Cell> {
    vec![
        Cell::text(&o.option),
        Cell::Int(o.installments as i64),
        money(o.installment),
        money(o.last_installment),
        money(o.total_paid),
        money(o.interest),
        money(o.cost_vs_lump_sum),
    ]
}

fn run_check(args: &CheckArgs) -> Result<()> {
    let output_options = args.output.options()?;
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
    let params = CheckParams { as_of, grace: args.grace, broken_after: args.broken_after };
    let statuses = plan_check::check(&plans, &payments, params);
    let columns = [
        "plan_id",
        "customer",
        "status",
        "installments",
        "paid_installments",
        "paid_amount",
        "remaining",
        "overdue_amount",
        "installments_overdue",
        "next_due_date",
        "next_amount",
        "max_days_late",
    ];
    let rows = plans.iter().zip(&statuses).map(|(p, s)| check_cells(&p.id, &p.customer, s)).collect();
    let report = Report {
        command: "plan check".into(),
        as_of,
        params: json!({"grace": args.grace, "broken_after": args.broken_after})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        columns: columns.map(String::from).to_vec(),
        rows,
        totals_columns: None,
        totals: Vec::new(),
    };
    output::emit(&report, &output_options)
}

fn check_cells(plan_id: &str, customer: &str, s: &PlanStatus) -> Vec<Cell> {
    vec![
        Cell::text(plan_id),
        Cell::text(customer),
        Cell::text(s.status.name()),
        Cell::Int(s.installments as i64),
        Cell::Int(s.paid_installments as i64),
        money(s.paid_amount),
        money(s.remaining),
        money(s.overdue_amount),
        Cell::Int(s.installments_overdue as i64),
        Cell::opt_date(s.next_due_date),
        s.next_amount.map_or(Cell::Null, money),
        Cell::Int(s.max_days_late as i64),
    ]
}
