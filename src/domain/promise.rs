//! Promises to pay (SPEC §4 `promise`): which payments keep which promise,
//! and each promise's status at the as-of date.
//!
//! A positive payment, on its *effective date* (the later of its date and
//! its invoice's issue date), fills the promises of its (customer, currency)
//! that are eligible on that day (`created <= d <= deadline`, scope holding
//! its invoice) in *fill order* (`promised_date`, `created`, `promise_id`);
//! a reversal takes back what the promises hold from its invoice, in the
//! reverse of the fill order. Everything here is pure: the ledger comes in
//! restricted to the as-of date, so every payment it holds is known then.

use super::ledger::Ledger;
use crate::dates::Day;
use crate::money;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// One promise as recorded by a collector (a row of the promises file).
#[derive(Clone, Debug, PartialEq)]
pub struct Promise {
    pub id: String,
    /// Handle into [`Ledger::customers`].
    pub customer: u32,
    /// Handle into [`Ledger::currencies`].
    pub currency: u32,
    /// The day the promise was made.
    pub created: Day,
    pub promised: Day,
    /// What was promised (> 0).
    pub amount: Decimal,
    /// Id handles ([`Ledger::ids`]) of the documents it covers, without
    /// repeats; empty for the whole account.
    pub invoices: Vec<u32>,
    pub note: String,
}

/// A promise's state at the as-of date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Open,
    Kept,
    PartiallyKept,
    Broken,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Kept => "kept",
            Status::PartiallyKept => "partially_kept",
            Status::Broken => "broken",
        }
    }

    /// `broken` or `partially_kept`: the deadline passed without the money.
    pub fn is_broken(self) -> bool {
        matches!(self, Status::Broken | Status::PartiallyKept)
    }
}

/// How promises are judged: the as-of date and `--tolerance` days.
#[derive(Clone, Copy, Debug)]
pub struct PromiseParams {
    pub as_of: Day,
    pub tolerance: i32,
}

/// One promise valued at the as-of date.
#[derive(Clone, Debug, PartialEq)]
pub struct Valued {
    pub deadline: Day,
    /// What the promise holds.
    pub paid: Decimal,
    pub status: Status,
    /// Effective date of the payment that last brought `paid` up to the
    /// amount (only when kept).
    pub kept_date: Option<Day>,
    /// `max(0, kept_date - promised)` (only when kept).
    pub days_late: Option<i32>,
    /// Promises of the same (customer, currency) with a deadline before
    /// this one was made that are `broken` or `partially_kept`.
    pub broken_before: u64,
}

/// The promises made by the as-of date, each with its value.
pub struct Book {
    pub promises: Vec<Promise>,
    pub values: Vec<Valued>,
}

impl Book {
    /// Values `promises` at the as-of date; those created after it are
    /// left out. `ledger` is restricted to the as-of date.
    pub fn new(ledger: &Ledger, mut promises: Vec<Promise>, params: PromiseParams) -> Book {
        promises.retain(|p| p.created <= params.as_of);
        let held = allocate(ledger, &promises, params.tolerance);
        let mut values: Vec<Valued> =
            promises.iter().zip(held).map(|(p, h)| status_of(p, h, params)).collect();
        count_broken_before(&promises, &mut values);
        Book { promises, values }
    }

    /// The (customer, currency) pairs with a promise `open` at the as-of
    /// date (`dunning` pauses them).
    pub fn open_pairs(&self) -> HashSet<(u32, u32)> {
        self.iter().filter(|(_, v)| v.status == Status::Open).map(|(p, _)| (p.customer, p.currency)).collect()
    }

    /// `segment`'s promise features of every (customer, currency) that has
    /// promises; the lookback is `[start, as_of]`.
    pub fn counts(&self, start: Day) -> HashMap<(u32, u32), PromiseCounts> {
        let mut counts: HashMap<(u32, u32), PromiseCounts> = HashMap::new();
        for (p, v) in self.iter() {
            let c = counts.entry((p.customer, p.currency)).or_default();
            match v.status {
                Status::Open => c.open += 1,
                s if s.is_broken() && v.deadline >= start => c.broken += 1,
                Status::Kept if v.kept_date.is_some_and(|k| k >= start) => c.kept += 1,
                _ => {}
            }
        }
        counts
    }

    /// `kpi`'s promise measures of every (period, group), over the promises
    /// whose deadline is in the period; `group_of` gives a (customer,
    /// currency)'s group (None: it has no document at the as-of date).
    pub fn measure(
        &self,
        periods: &[(Day, Day)],
        groups: usize,
        group_of: impl Fn(u32, u32) -> Option<usize>,
    ) -> Vec<Vec<PromiseSums>> {
        let mut sums = vec![vec![PromiseSums::default(); groups]; periods.len()];
        for (p, v) in self.iter() {
            let Some(g) = group_of(p.customer, p.currency) else { continue };
            for (k, &(s, e)) in periods.iter().enumerate() {
                if s <= v.deadline && v.deadline <= e {
                    let row = &mut sums[k][g];
                    row.due += 1;
                    row.kept += u64::from(v.status == Status::Kept);
                    money::add(&mut row.amount, p.amount);
                    money::add(&mut row.paid, v.paid);
                }
            }
        }
        sums
    }

    /// Every promise with its value.
    pub fn iter(&self) -> impl Iterator<Item = (&Promise, &Valued)> {
        self.promises.iter().zip(&self.values)
    }
}

/// A (customer, currency)'s promise features in `segment`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PromiseCounts {
    /// Open at the as-of date.
    pub open: u64,
    /// `broken` or `partially_kept` with the deadline in the lookback.
    pub broken: u64,
    /// `kept` with the kept date in the lookback.
    pub kept: u64,
}

/// The promise measures of one `kpi` row: promises whose deadline is in the period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PromiseSums {
    pub due: u64,
    /// Of them, `kept` at the as-of date.
    pub kept: u64,
    pub amount: Decimal,
    pub paid: Decimal,
}

impl PromiseSums {
    pub fn kept_rate_pct(&self) -> Option<Decimal> {
        money::percent(Decimal::from(self.kept), Decimal::from(self.due))
    }

    pub fn amount_kept_pct(&self) -> Option<Decimal> {
        money::percent(self.paid, self.amount)
    }
}

/// What one promise holds while payments are applied.
#[derive(Clone, Debug, Default)]
struct Held {
    paid: Decimal,
    /// Money held from each invoice (ledger index), for reversals.
    by_invoice: Vec<(usize, Decimal)>,
    kept_date: Option<Day>,
}

impl Held {
    fn take(&mut self, invoice: usize, amount: Decimal, promised: Decimal, day: Day) {
        money::add(&mut self.paid, amount);
        match self.by_invoice.iter_mut().find(|(i, _)| *i == invoice) {
            Some((_, held)) => money::add(held, amount),
            None => self.by_invoice.push((invoice, amount)),
        }
        if self.paid >= promised {
            self.kept_date = Some(day);
        }
    }

    /// Gives back up to `wanted` of what came from `invoice`; returns how much.
    fn give_back(&mut self, invoice: usize, wanted: Decimal, promised: Decimal) -> Decimal {
        let Some((_, held)) = self.by_invoice.iter_mut().find(|(i, _)| *i == invoice) else {
            return Decimal::ZERO;
        };
        let back = wanted.min(*held);
        money::subtract(held, back);
        money::subtract(&mut self.paid, back);
        if self.paid < promised {
            self.kept_date = None;
        }
        back
    }
}

/// A promise's scope, resolved to ledger indexes.
struct Scope {
    /// None: the whole account.
    invoices: Option<Vec<usize>>,
    deadline: Day,
}

impl Scope {
    fn holds(&self, invoice: usize) -> bool {
        self.invoices.as_ref().is_none_or(|list| list.contains(&invoice))
    }
}

/// Applies every dated payment of a positive invoice, in effective-date
/// then file order, to the promises of its (customer, currency).
fn allocate(ledger: &Ledger, promises: &[Promise], tolerance: i32) -> Vec<Held> {
    let mut held = vec![Held::default(); promises.len()];
    if promises.is_empty() {
        return held;
    }
    let by_pair = fill_order(promises);
    let index_of = ledger.indexes_of(promises.iter().flat_map(|p| p.invoices.iter().copied()));
    let scopes: Vec<Scope> = promises
        .iter()
        .map(|p| Scope {
            invoices: (!p.invoices.is_empty())
                .then(|| p.invoices.iter().filter_map(|&h| index_of.get(&h).copied()).collect()),
            deadline: p.promised + tolerance,
        })
        .collect();
    for (day, invoice, amount) in effective_payments(ledger, &by_pair) {
        let inv = &ledger.invoices[invoice];
        let order = &by_pair[&(inv.customer, inv.currency)];
        if amount > Decimal::ZERO {
            let mut left = amount;
            for &p in order {
                let (promise, scope) = (&promises[p], &scopes[p]);
                if left.is_zero() {
                    break;
                }
                if promise.created <= day && day <= scope.deadline && scope.holds(invoice) {
                    let room = promise.amount - held[p].paid;
                    let take = left.min(room);
                    if take > Decimal::ZERO {
                        held[p].take(invoice, take, promise.amount, day);
                        money::subtract(&mut left, take);
                    }
                }
            }
        } else {
            let mut left = -amount;
            for &p in order.iter().rev() {
                if left.is_zero() {
                    break;
                }
                let back = held[p].give_back(invoice, left, promises[p].amount);
                money::subtract(&mut left, back);
            }
        }
    }
    held
}

/// Each (customer, currency)'s promises in fill order: promised date,
/// created, promise id as text.
fn fill_order(promises: &[Promise]) -> HashMap<(u32, u32), Vec<usize>> {
    let mut by_pair: HashMap<(u32, u32), Vec<usize>> = HashMap::new();
    for (i, p) in promises.iter().enumerate() {
        by_pair.entry((p.customer, p.currency)).or_default().push(i);
    }
    for list in by_pair.values_mut() {
        list.sort_by(|&a, &b| {
            let (pa, pb) = (&promises[a], &promises[b]);
            (pa.promised, pa.created, &pa.id).cmp(&(pb.promised, pb.created, &pb.id))
        });
    }
    by_pair
}

/// The dated payments of invoices with amount > 0 whose (customer,
/// currency) has promises: (effective date, invoice, amount), in
/// effective-date order then file order.
fn effective_payments(
    ledger: &Ledger,
    by_pair: &HashMap<(u32, u32), Vec<usize>>,
) -> Vec<(Day, usize, Decimal)> {
    let mut list: Vec<(Day, usize, Decimal)> = ledger
        .payments
        .iter()
        .filter_map(|p| {
            let index = p.invoice as usize;
            let inv = &ledger.invoices[index];
            let date = p.date()?;
            let wanted = inv.amount > Decimal::ZERO && by_pair.contains_key(&(inv.customer, inv.currency));
            wanted.then(|| (inv.issue().map_or(date, |issue| date.max(issue)), index, p.amount))
        })
        .collect();
    list.sort_by_key(|e| e.0); // stable: file order within a day
    list
}

fn status_of(promise: &Promise, held: Held, params: PromiseParams) -> Valued {
    let deadline = promise.promised + params.tolerance;
    let status = if held.paid >= promise.amount {
        Status::Kept
    } else if params.as_of <= deadline {
        Status::Open
    } else if held.paid > Decimal::ZERO {
        Status::PartiallyKept
    } else {
        Status::Broken
    };
    let kept_date = if status == Status::Kept { held.kept_date } else { None };
    Valued {
        deadline,
        paid: held.paid,
        status,
        kept_date,
        days_late: kept_date.map(|k| (k - promise.promised).max(0)),
        broken_before: 0,
    }
}

/// `broken_before` of every promise, counted within its (customer, currency).
fn count_broken_before(promises: &[Promise], values: &mut [Valued]) {
    for list in fill_order(promises).values() {
        for &p in list {
            let created = promises[p].created;
            let count =
                list.iter().filter(|&&q| values[q].deadline < created && values[q].status.is_broken());
            values[p].broken_before = count.count() as u64;
        }
    }
}

#[cfg(test)]
mod tests;
