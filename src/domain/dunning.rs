//! Who gets which reminder today (SPEC §4 `dunning`): listed invoices,
//! interest and fees, and the level ladder driven by the log of what was
//! sent (no skipping, reset by a new delinquency episode, spaced by
//! `min_interval_days`). Dunning uses no grace.

use super::history::{Episodes, History};
use super::ledger::Ledger;
use crate::dates::Day;
use crate::money::{minor_digits, round};
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
    pub template: String,
}

#[derive(Clone, Debug)]
pub struct Policy {
    pub levels: Vec<Level>,
    pub min_amount: Decimal,
    pub min_interval_days: i32,
    pub exclude_disputed: bool,
    pub annual_rate_pct: Decimal,
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

/// The notices due today, sorted by customer then currency; customers in
/// `skip` (on an on-track payment plan) get none.
pub fn notices(
    ledger: &Ledger,
    policy: &Policy,
    log: &[Sent],
    skip: &dyn Fn(&str) -> bool,
    as_of: Day,
) -> Vec<Notice> {
    let history = History::new(ledger);
    let episodes = Episodes::new(&history, 0, as_of);
    let mut listed: HashMap<(u32, u32), Vec<usize>> = HashMap::new();
    for (i, inv) in ledger.invoices.iter().enumerate() {
        let open = history.open_at(i, as_of);
        if open > Decimal::ZERO && inv.due < as_of && !(policy.exclude_disputed && inv.disputed) {
            listed.entry((inv.customer, inv.currency)).or_default().push(i);
        }
    }
    let mut pairs: Vec<(u32, u32)> = ledger.invoices.iter().map(|i| (i.customer, i.currency)).collect();
    pairs.sort_unstable();
    pairs.dedup();
    // The log by (customer, currency), once: filtering all of it per pair
    // was quadratic in a long-running log.
    let mut logged: HashMap<(&str, &str), Vec<&Sent>> = HashMap::new();
    for s in log {
        logged.entry((s.customer.as_str(), s.currency.as_str())).or_default().push(s);
    }
    let mut out = Vec::new();
    for (pair, &(customer, currency)) in pairs.iter().enumerate() {
        let Some(mut invoices) = listed.remove(&(customer, currency)) else { continue };
        if skip(ledger.customers.get(customer)) {
            continue;
        }
        invoices.sort_by_key(|&i| (ledger.invoices[i].due, ledger.id(i).to_string()));
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
        if let Some(notice) = decide(ledger, &history, policy, &sent, customer, currency, invoices, as_of) {
            out.push(notice);
        }
    }
    out.sort_by(|a, b| {
        (ledger.customers.get(a.customer), ledger.currencies.get(a.currency))
            .cmp(&(ledger.customers.get(b.customer), ledger.currencies.get(b.currency)))
    });
    out
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
) -> Option<Notice> {
    let digits = minor_digits(ledger.currencies.get(currency));
    let open: Vec<Decimal> = invoices.iter().map(|&i| history.open_at(i, as_of)).collect();
    let overdue: Decimal = open.iter().sum();
    if overdue < policy.min_amount {
        return None;
    }
    let oldest = as_of - ledger.invoices[invoices[0]].due;
    let last = sent.iter().max_by_key(|s| (s.date, s.level));
    let last_level = last.map_or(0, |s| s.level);
    if let Some(last) = last {
        if last.date == as_of || as_of - last.date < policy.min_interval_days {
            return None;
        }
    }
    let reached = policy.levels.iter().rposition(|l| l.days <= oldest).map(|i| i + 1)?;
    let level = reached.min(last_level + 1);
    if level <= last_level {
        return None;
    }
    let rate = policy.annual_rate_pct / Decimal::ONE_HUNDRED;
    let interest = invoices
        .iter()
        .zip(&open)
        .map(|(&i, &o)| {
            round(o * rate * Decimal::from(as_of - ledger.invoices[i].due) / Decimal::from(365), digits)
        })
        .sum();
    let rung = &policy.levels[level - 1];
    let fees = rung.fee + rung.fee_per_invoice * Decimal::from(invoices.len());
    Some(Notice {
        customer,
        currency,
        level,
        max_days_past_due: oldest,
        invoices,
        open,
        overdue,
        interest,
        fees,
    })
}
