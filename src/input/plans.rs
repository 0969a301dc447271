//! Reading `plan check` input: the plans file (one row per installment:
//! `plan_id`, `customer`, `n`, `due_date`, `installment`/`amount`; the CSV
//! of `plan schedule --plan-id .. --customer ..` is one) and the payments
//! toward plans (`plan_id` or only `customer`, `date`, `amount`).

use super::date::DateColumn;
use super::headers::{Col, FileKind, Layout};
use super::record::Cells;
use super::rejects::{BadRow, Rejects};
use super::source::Source;
use super::{
    bad, cell, check_shape, file_error, learn_date_orders, read_amount, typed_amount, typed_day, ReadOptions,
};
use crate::domain::plan_check::{Installment, Plan, PlanPayment, Target};
use anyhow::{bail, Result};
use csv::ByteRecord;
use std::collections::HashMap;

/// Reads both files; plans come back sorted by plan id.
pub fn load_plans(
    plans_path: &str,
    payments_path: &str,
    options: &ReadOptions,
) -> Result<(Vec<Plan>, Vec<PlanPayment>)> {
    let mut rejects = Rejects::new(options.skip_bad_rows, options.rejects.as_deref())?;
    let read = read(plans_path, payments_path, options, &mut rejects)?;
    rejects.finish()?;
    Ok(read)
}

/// Reads both files into `rejects` (shared with the other files of a run,
/// which finishes it).
pub fn read(
    plans_path: &str,
    payments_path: &str,
    options: &ReadOptions,
    rejects: &mut Rejects,
) -> Result<(Vec<Plan>, Vec<PlanPayment>)> {
    let plans = read_plans(plans_path, options, rejects)?;
    let payments = read_payments(payments_path, options, &plans, rejects)?;
    Ok((plans, payments))
}

fn open(path: &str, kind: FileKind, required: &[&str], options: &ReadOptions) -> Result<(Source, Layout)> {
    let source = Source::open(path, options.delimiter, &options.stdin)?;
    let layout =
        Layout::resolve(kind, &source.headers, &options.map, &[]).map_err(|e| file_error(&source, e))?;
    for field in required {
        layout.require(kind, field, "").map_err(|e| file_error(&source, e))?;
    }
    Ok((source, layout))
}

fn read_plans(path: &str, options: &ReadOptions, rejects: &mut Rejects) -> Result<Vec<Plan>> {
    let required = ["plan_id", "customer", "n", "due_date", "installment"];
    let (source, layout) = open(path, FileKind::Plans, &required, options)?;
    let cols: Vec<Col> = required.iter().map(|f| layout.column(f)).collect();
    let mut dates = DateColumn::new(options.date_format.clone());
    learn_date_orders(&source, &mut [(&cols[3], &mut dates)])?;
    let mut rows = source.rows()?;
    let mut plans: Vec<Plan> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut record = ByteRecord::new();
    while rows.next_row(&mut record)? {
        let cells = rows.cells(&record);
        let parsed = parse_installment(&cols, layout.headers.len(), &cells, &mut dates, options);
        let result = parsed.and_then(|row| add_installment(&mut plans, &mut by_id, row, &cols));
        if let Err(problem) = result {
            rejects.reject(rows.place(), &record, problem)?;
        }
    }
    if plans.is_empty() {
        bail!("{path}: no plans: the file has no valid installment rows");
    }
    for plan in &mut plans {
        plan.installments.sort_by_key(|i| (i.due, i.n));
    }
    plans.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(plans)
}

/// One row of the plans file, read.
struct InstallmentRow<'r> {
    plan_id: &'r str,
    customer: &'r str,
    /// The installment number as the cell has it (`01`), for messages.
    n_text: &'r str,
    installment: Installment,
}

fn parse_installment<'r>(
    cols: &'r [Col],
    width: usize,
    record: &'r dyn Cells,
    dates: &mut DateColumn,
    options: &ReadOptions,
) -> Result<InstallmentRow<'r>, BadRow> {
    check_shape(record, width)?;
    let text = |i: usize| cell(record, cols[i].index, &cols[i].header);
    let required = |i: usize, what: &str| -> Result<&'r str, BadRow> {
        let value = text(i)?;
        if value.is_empty() {
            return Err(bad(&cols[i].header, value, format!("the {what} is missing")));
        }
        Ok(value)
    };
    let id = required(0, "plan id")?;
    let customer = required(1, "customer")?;
    let n_text = required(2, "installment number")?;
    let n = n_text
        .parse::<u32>()
        .map_err(|_| bad(&cols[2].header, n_text, "the installment number is not a whole number"))?;
    let due = match typed_day(record, &cols[3]) {
        Some(day) => day,
        None => {
            let due_text = required(3, "due date")?;
            dates
                .read_now(due_text)
                .map_err(|why| bad(&cols[3].header, due_text, format!("cannot read it as a date: {why}")))?
        }
    };
    let amount = match typed_amount(record, &cols[4]) {
        Some(amount) => amount?,
        None => read_amount(required(4, "installment amount")?, &cols[4].header, options)?,
    };
    Ok(InstallmentRow { plan_id: id, customer, n_text, installment: Installment { n, due, amount } })
}

fn add_installment(
    plans: &mut Vec<Plan>,
    by_id: &mut HashMap<String, usize>,
    row: InstallmentRow<'_>,
    cols: &[Col],
) -> Result<(), BadRow> {
    let InstallmentRow { plan_id: id, customer, n_text, installment: inst } = row;
    let index = *by_id.entry(id.to_string()).or_insert_with(|| {
        plans.push(Plan { id: id.to_string(), customer: customer.to_string(), installments: Vec::new() });
        plans.len() - 1
    });
    let plan = &mut plans[index];
    if plan.customer != customer {
        return Err(bad(
            &cols[1].header,
            customer,
            format!("plan '{id}' belongs to customer '{}'", plan.customer),
        ));
    }
    if plan.installments.iter().any(|i| i.n == inst.n) {
        let why = format!("plan '{id}' already has installment {}", inst.n);
        return Err(bad(&cols[2].header, n_text, why));
    }
    plan.installments.push(inst);
    Ok(())
}

fn read_payments(
    path: &str,
    options: &ReadOptions,
    plans: &[Plan],
    rejects: &mut Rejects,
) -> Result<Vec<PlanPayment>> {
    let (source, layout) = open(path, FileKind::PlanPayments, &["date", "amount"], options)?;
    if !layout.has("plan_id") && !layout.has("customer") {
        bail!("{path}: payments toward plans need a plan_id or a customer column (--map plan_id=HEADER)");
    }
    let cols: Vec<Col> = ["plan_id", "customer", "date", "amount"].iter().map(|f| layout.column(f)).collect();
    let mut dates = DateColumn::new(options.date_format.clone());
    learn_date_orders(&source, &mut [(&cols[2], &mut dates)])?;
    let targets = Targets::new(plans);
    let mut payments = Vec::new();
    let mut record = ByteRecord::new();
    let mut rows = source.rows()?;
    while rows.next_row(&mut record)? {
        match parse_payment(&cols, layout.headers.len(), &rows.cells(&record), &mut dates, options, &targets)
        {
            Ok(payment) => payments.push(payment),
            Err(problem) => rejects.reject(rows.place(), &record, problem)?,
        }
    }
    Ok(payments)
}

/// Looks up the plan or the customer a payment is for.
struct Targets<'a> {
    plans: &'a [Plan],
    by_id: HashMap<&'a str, usize>,
    /// Each customer's plans, oldest (earliest first due date, then id) first.
    by_customer: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Targets<'a> {
    fn new(plans: &'a [Plan]) -> Self {
        let by_id = plans.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
        let mut by_customer: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in plans.iter().enumerate() {
            by_customer.entry(p.customer.as_str()).or_default().push(i);
        }
        for list in by_customer.values_mut() {
            list.sort_by_key(|&i| (plans[i].installments.first().map(|f| f.due), plans[i].id.as_str()));
        }
        Targets { plans, by_id, by_customer }
    }
}

fn parse_payment<'r>(
    cols: &'r [Col],
    width: usize,
    record: &'r dyn Cells,
    dates: &mut DateColumn,
    options: &ReadOptions,
    targets: &Targets,
) -> Result<PlanPayment, BadRow> {
    check_shape(record, width)?;
    let text = |i: usize| cell(record, cols[i].index, &cols[i].header);
    let (plan_id, customer) = (text(0)?, text(1)?);
    let target = match (plan_id, customer) {
        ("", "") => return Err(bad(&cols[0].header, "", "the payment has neither a plan id nor a customer")),
        ("", c) => match targets.by_customer.get(c) {
            Some(list) => Target::Customer(list.clone()),
            None => return Err(bad(&cols[1].header, c, "no plan for this customer in the plans file")),
        },
        (id, c) => match targets.by_id.get(id) {
            Some(&i) if c.is_empty() || targets.plans[i].customer == c => Target::Plan(i),
            Some(&i) => {
                let why = format!("plan '{id}' belongs to customer '{}'", targets.plans[i].customer);
                return Err(bad(&cols[1].header, c, why));
            }
            None => return Err(bad(&cols[0].header, id, "no plan with this id in the plans file")),
        },
    };
    let date = match typed_day(record, &cols[2]) {
        Some(day) => day,
        None => {
            let date_text = text(2)?;
            dates
                .read_now(date_text)
                .map_err(|why| bad(&cols[2].header, date_text, format!("cannot read it as a date: {why}")))?
        }
    };
    let amount = match typed_amount(record, &cols[3]) {
        Some(amount) => amount?,
        None => read_amount(text(3)?, &cols[3].header, options)?,
    };
    Ok(PlanPayment { target, date, amount })
}
