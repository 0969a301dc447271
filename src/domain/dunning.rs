//! Who gets which reminder today (docs/dunning.md): listed invoices,
//! interest and fees, and the level ladder driven by the log of what was
//! sent (no skipping, reset by a new delinquency episode, spaced by
//! `min_interval_days`). Dunning uses no grace.

use super::disputes::Disputes;
use super::history::{Episodes, History};
use super::interest::{invoice_interest, RateCalendar};
use super::ledger::Ledger;
use crate::dates::Day;
use anyhow::{Context, Result};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// The fields of a notice, in output order; a letter template may use each
/// of them, plus `invoice_table` and `as_of`, as a placeholder.
pub const FIELDS: [&str; 13] = [
    "customer",
    "customer_name",
    "email",
    "currency",
    "level",
    "level_name",
    "action",
    "invoices",
    "overdue",
    "interest",
    "fees",
    "total_due",
    "max_days_past_due",
];

/// One rung of the ladder (level numbers start at 1).
#[derive(Clone, Debug)]
pub struct Level {
    pub name: String,
    /// Days past due of the oldest listed invoice that reach this level.
    pub days: i32,
    pub fee: Decimal,
    pub fee_per_invoice: Decimal,
    /// `letter` or `escalate`.
    pub action: String,
    /// The letter's text; `None` for an `escalate` level that writes no letter.
    pub template: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Policy {
    pub levels: Vec<Level>,
    pub min_amount: Decimal,
    pub min_interval_days: i32,
    pub exclude_disputed: bool,
    /// `[interest]`: a fixed `annual_rate_pct` or a calendar of rates.
    pub rates: RateCalendar,
}

/// One action already taken (a log row).
#[derive(Clone, Debug, PartialEq)]
pub struct Sent {
    pub date: Day,
    pub customer: String,
    pub currency: String,
    /// Level number (1-based).
    pub level: usize,
}

/// Today's action for one (customer, currency).
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub customer: u32,
    pub currency: u32,
    /// 1-based level number.
    pub level: usize,
    /// Listed invoice indexes, oldest due date first.
    pub invoices: Vec<usize>,
    /// Their open amounts.
    pub open: Vec<Decimal>,
    pub overdue: Decimal,
    pub interest: Decimal,
    pub fees: Decimal,
    pub max_days_past_due: i32,
}

impl Notice {
    pub fn total_due(&self) -> Decimal {
        self.overdue + self.interest + self.fees
    }
}

/// The notices due today, sorted by customer then currency; a (customer,
/// currency) handle pair that `skip` names (an on-track payment plan, an
/// open promise) gets none. `disputes` says which invoices are in dispute.
/// The error names a customer with an invoice whose delay has a day the
/// rate calendar gives no rate for, or whose interest, fees or total
/// overflow `Decimal` (only for absurd policies or amounts: see
/// [`crate::money::AMOUNT_LIMIT`]).
pub fn notices(
    ledger: &Ledger,
    policy: &Policy,
    log: &[Sent],
    skip: &dyn Fn(u32, u32) -> bool,
    disputes: &Disputes,
    as_of: Day,
) -> Result<Vec<Notice>> {
    let history = History::new(ledger);
    let episodes = Episodes::new(&history, 0, as_of);
    let pairs = &episodes.pairs;
    // The overdue documents of each pair, in file order.
    let mut listed: Vec<Vec<usize>> = vec![Vec::new(); pairs.len()];
    for (i, inv) in ledger.invoices.iter().enumerate() {
        let open = history.open_at(i, as_of);
        if open > Decimal::ZERO
            && inv.due < as_of
            && !(policy.exclude_disputed && disputes.in_dispute(i, as_of))
        {
            listed[pairs.of(inv)].push(i);
        }
    }
    // The log by (customer, currency), once: filtering all of it per pair
    // was quadratic in a long-running log.
    let mut logged: HashMap<(&str, &str), Vec<&Sent>> = HashMap::new();
    for s in log {
        logged.entry((s.customer.as_str(), s.currency.as_str())).or_default().push(s);
    }
    let mut out = Vec::new();
    for (pair, (customer, currency)) in pairs.iter().enumerate() {
        let mut invoices = std::mem::take(&mut listed[pair]);
        if invoices.is_empty() || skip(customer, currency) {
            continue;
        }
        invoices.sort_by(|&a, &b| {
            ledger.invoices[a].due.cmp(&ledger.invoices[b].due).then(ledger.compare_ids(a, b))
        });
        let episode_start =
            episodes.episodes[pair].iter().rev().find(|e| e.cure.is_none()).map_or(as_of, |e| e.start);
        let key = (ledger.customers.get(customer), ledger.currencies.get(currency));
        let sent: Vec<&Sent> = logged
            .get(&key)
            .into_iter()
            .flatten()
            .copied()
            .filter(|s| s.date >= episode_start && s.date <= as_of)
            .collect();
        let decided = decide(ledger, &history, policy, &sent, customer, currency, invoices, as_of);
        let name =
            || format!("customer {} ({})", ledger.customers.get(customer), ledger.currencies.get(currency));
        if let Some(notice) = decided.with_context(name)? {
            out.push(notice);
        }
    }
    out.sort_by(|a, b| {
        (ledger.customers.get(a.customer), ledger.currencies.get(a.currency))
            .cmp(&(ledger.customers.get(b.customer), ledger.currencies.get(b.currency)))
    });
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn decide(
    ledger: &Ledger,
    history: &History,
    policy: &Policy,
    sent: &[&Sent],
    customer: u32,
    currency: u32,
    invoices: Vec<usize>,
    as_of: Day,
) -> Result<Option<Notice>> {
    let open: Vec<Decimal> = invoices.iter().map(|&i| history.open_at(i, as_of)).collect();
    let overdue: Decimal = open.iter().sum();
    if overdue < policy.min_amount {
        return Ok(None);
    }
    let oldest = as_of - ledger.invoices[invoices[0]].due;
    let last = sent.iter().max_by_key(|s| (s.date, s.level));
    let last_level = last.map_or(0, |s| s.level);
    if let Some(last) = last {
        if last.date == as_of || as_of - last.date < policy.min_interval_days {
            return Ok(None);
        }
    }
    let Some(reached) = policy.levels.iter().rposition(|l| l.days <= oldest).map(|i| i + 1) else {
        return Ok(None);
    };
    let level = reached.min(last_level + 1);
    if level <= last_level {
        return Ok(None);
    }
    let mut interest = Decimal::ZERO;
    for (&i, &o) in invoices.iter().zip(&open) {
        let this = invoice_interest(ledger, &policy.rates, i, o, as_of)?;
        interest = interest.checked_add(this).ok_or_else(|| too_large("the interest".into()))?;
    }
    let rung = &policy.levels[level - 1];
    let fees = rung
        .fee_per_invoice
        .checked_mul(Decimal::from(invoices.len()))
        .and_then(|f| f.checked_add(rung.fee))
        .ok_or_else(|| too_large(format!("the fees of level {level} for {} invoices", invoices.len())))?;
    // So that `Notice::total_due` cannot overflow.
    overdue
        .checked_add(interest)
        .and_then(|t| t.checked_add(fees))
        .ok_or_else(|| too_large("the total due".into()))?;
    Ok(Some(Notice {
        customer,
        currency,
        level,
        max_days_past_due: oldest,
        invoices,
        open,
        overdue,
        interest,
        fees,
    }))
}

/// The error of a sum or product past `Decimal`'s range.
fn too_large(what: String) -> anyhow::Error {
    anyhow::anyhow!("{what} is too large to compute (amount too large)")
}
