//! Risk segments per (customer, currency) at the as-of date (docs/segment.md):
//! the features, the first rule that matches, and the worklist
//! priority.

use super::disputes::Disputes;
use super::history::{Episodes, History};
use super::ledger::Ledger;
use super::promise::PromiseCounts;
use super::rules::Expr;
use crate::dates::Day;
use crate::money::percent;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// Feature names, in the order of [`Features::values`]. The last
/// [`PROMISE_FEATURES`] come from `--promises` (0 without it) and are
/// output columns only with it.
pub const FEATURES: [&str; 13] = [
    "open",
    "overdue",
    "overdue_pct",
    "max_days_past_due",
    "open_documents",
    "disputed_open",
    "settled_invoices",
    "avg_days_late",
    "late_share_pct",
    "episodes",
    "open_promises",
    "broken_promises",
    "kept_promises",
];

/// How many of [`FEATURES`], at the end, are the promise features.
pub const PROMISE_FEATURES: usize = 3;

/// One customer's features; rates are `None` without data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Features {
    pub customer: u32,
    pub currency: u32,
    pub open: Decimal,
    pub overdue: Decimal,
    pub max_days_past_due: i32,
    pub open_documents: u64,
    pub disputed_open: Decimal,
    pub settled_invoices: u64,
    late_days: i64,
    late_count: u64,
    pub episodes: u64,
    /// Promises open at the as-of date, broken (or partially kept) with
    /// their deadline in the lookback, kept in the lookback.
    pub promises: PromiseCounts,
    /// Whether the customer belongs on the list (open document, document
    /// issued or invoice settled in the lookback).
    active: bool,
}

impl Features {
    pub fn overdue_pct(&self) -> Option<Decimal> {
        if self.open <= Decimal::ZERO {
            None
        } else {
            percent(self.overdue, self.open)
        }
    }

    pub fn avg_days_late(&self) -> Option<Decimal> {
        (self.settled_invoices > 0)
            .then(|| Decimal::from(self.late_days) / Decimal::from(self.settled_invoices))
    }

    pub fn late_share_pct(&self) -> Option<Decimal> {
        (self.settled_invoices > 0)
            .then(|| percent(Decimal::from(self.late_count), Decimal::from(self.settled_invoices)))
            .flatten()
    }

    /// Values in [`FEATURES`] order, for rule evaluation.
    pub fn values(&self) -> [Option<Decimal>; 13] {
        [
            Some(self.open),
            Some(self.overdue),
            self.overdue_pct(),
            Some(Decimal::from(self.max_days_past_due)),
            Some(Decimal::from(self.open_documents)),
            Some(self.disputed_open),
            Some(Decimal::from(self.settled_invoices)),
            self.avg_days_late(),
            self.late_share_pct(),
            Some(Decimal::from(self.episodes)),
            Some(Decimal::from(self.promises.open)),
            Some(Decimal::from(self.promises.broken)),
            Some(Decimal::from(self.promises.kept)),
        ]
    }
}

#[derive(Clone, Copy, Debug)]
pub struct SegmentParams {
    pub as_of: Day,
    pub lookback: i32,
    pub grace: i32,
}

/// One rule: `name`, its parsed `when`, the `when` text and the action.
#[derive(Clone, Debug)]
pub struct Rule {
    pub name: String,
    pub when: String,
    pub expr: Expr,
    pub action: String,
}

/// A customer with its matched rule (index into the rules) and rank.
#[derive(Clone, Debug)]
pub struct Segmented {
    pub features: Features,
    pub rule: Option<usize>,
    pub priority: usize,
}

/// Features of every listed customer, in (customer, currency) handle order;
/// `disputes` says which documents are in dispute (for `disputed_open`).
pub fn features(ledger: &Ledger, params: &SegmentParams, disputes: &Disputes) -> Vec<Features> {
    let history = History::new(ledger);
    let episodes = Episodes::new(&history, params.grace, params.as_of);
    let start = params.as_of - params.lookback + 1;
    let pairs = &episodes.pairs;
    let mut rows: Vec<Features> = pairs
        .iter()
        .map(|(customer, currency)| Features { customer, currency, ..Features::default() })
        .collect();
    for (i, inv) in ledger.invoices.iter().enumerate() {
        let row = &mut rows[pairs.of(inv)];
        let open = history.open_at(i, params.as_of);
        if !open.is_zero() {
            row.active = true;
            row.open += open;
            row.open_documents += 1;
            if inv.due < params.as_of {
                row.overdue += open;
                if open > Decimal::ZERO {
                    row.max_days_past_due = row.max_days_past_due.max(params.as_of - inv.due);
                }
            }
            if disputes.in_dispute(i, params.as_of) {
                row.disputed_open += open;
            }
        }
        if inv.issue().is_some_and(|d| d >= start) {
            row.active = true;
        }
        if inv.amount <= Decimal::ZERO {
            continue;
        }
        if let Some(settle) = history.settle(i).filter(|d| *d >= start) {
            row.active = true;
            row.settled_invoices += 1;
            row.late_days += ((settle - inv.due) as i64).max(0);
            if settle > inv.due + params.grace {
                row.late_count += 1;
            }
        }
    }
    for (pair, list) in episodes.episodes.iter().enumerate() {
        rows[pair].episodes = list.iter().filter(|e| e.start >= start).count() as u64;
    }
    rows.retain(|r| r.active);
    rows
}

/// Applies the rules (first match wins) and ranks: by rule order, then
/// overdue descending, then customer and currency text; no match last.
pub fn segment(ledger: &Ledger, features: Vec<Features>, rules: &[Rule]) -> Vec<Segmented> {
    let mut rows: Vec<Segmented> = features
        .into_iter()
        .map(|f| {
            let values = f.values();
            let rule = rules.iter().position(|r| r.expr.eval(&values));
            Segmented { features: f, rule, priority: 0 }
        })
        .collect();
    rows.sort_by(|a, b| compare(ledger, a, b));
    for (rank, row) in rows.iter_mut().enumerate() {
        row.priority = rank + 1;
    }
    rows
}

fn compare(ledger: &Ledger, a: &Segmented, b: &Segmented) -> Ordering {
    let rule = |s: &Segmented| s.rule.unwrap_or(usize::MAX);
    rule(a)
        .cmp(&rule(b))
        .then_with(|| b.features.overdue.cmp(&a.features.overdue))
        .then_with(|| {
            ledger.customers.get(a.features.customer).cmp(ledger.customers.get(b.features.customer))
        })
        .then_with(|| {
            ledger.currencies.get(a.features.currency).cmp(ledger.currencies.get(b.features.currency))
        })
}
