//! `forecast` (SPEC §4): when the open invoices will be paid, week by week,
//! drawn from each customer's own history of payment delays, and how good
//! that forecast was on past data (`--backtest`).
//!
//! One pass, O(n log n): the delays of the invoices settled in the lookback
//! are sorted once per (customer, currency) and once per currency (the
//! portfolio). An invoice `p` days past due takes the suffix of a sorted
//! history above `p` (one binary search: no rescan of the history), and
//! the suffix is cut into weeks with one binary search per non-empty week.
//!
//! Exactness: each of the n sample values puts `open / n` on a day, so an
//! invoice gives a week `open × count / n`. Division is the only inexact
//! step, so it is done once per (currency, sample size n, week) over the
//! exact sums `Σ open × count` of that size's invoices; an invoice whose
//! whole sample falls in one week (or `later`) adds its open amount, with
//! no division at all. A row is then exact up to Decimal's 28 significant
//! digits, and the rows add up to the total open to the cent.

mod backtest;
mod delays;
mod weeks;

pub use backtest::After;
pub use delays::{nearest_rank, Delays};
pub use weeks::{bucket, split_by_week};

use super::disputes::Disputes;
use super::history::History;
use super::ledger::Ledger;
use super::parts_of;
use crate::dates::Day;
use crate::money::percent;
use delays::above;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::ops::Range;
use weeks::Sums;

/// The validated flags of `forecast`.
#[derive(Clone, Copy, Debug)]
pub struct ForecastParams {
    pub as_of: Day,
    /// Weeks in the horizon (at least 1).
    pub weeks: u32,
    /// Days of settlement history, ending on the as-of date (at least 1).
    pub lookback: i32,
    /// Fewest sample values a history must give to be used (at least 1).
    pub min_history: usize,
}

/// Where an invoice's sample came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    Customer,
    Portfolio,
    /// No history gave enough values: the open amount goes to `later`.
    None,
    /// In dispute at the as-of date: the row `disputed`.
    Disputed,
}

impl Basis {
    pub fn name(self) -> &'static str {
        match self {
            Basis::Customer => "customer",
            Basis::Portfolio => "portfolio",
            Basis::None => "none",
            Basis::Disputed => "disputed",
        }
    }
}

/// One forecast or disputed invoice at the as-of date.
pub struct Placement<'a> {
    pub index: usize,
    pub open: Decimal,
    /// `as_of - due` (negative when not yet due).
    pub days_past_due: i32,
    pub basis: Basis,
    /// Sorted sample (empty for `none` and `disputed`).
    pub sample: &'a [i32],
}

/// Which row of a currency: a week (1-based), `later` or `disputed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Week(u32),
    Later,
    Disputed,
}

/// One weekly row (SPEC §4 `forecast`); `actual` and `naive` with `--backtest`.
#[derive(Clone, Debug, PartialEq)]
pub struct WeekRow {
    pub currency: u32,
    pub period: Period,
    /// The week's first and last day (`None` for `later` and `disputed`).
    pub week: Option<(Day, Day)>,
    pub expected: Decimal,
    /// Running sum of `expected` over the weeks (`None` for the last two rows).
    pub cumulative: Option<Decimal>,
    /// Invoices with a non-zero amount in the row.
    pub invoices: u64,
    pub actual: Option<Decimal>,
    pub naive: Option<Decimal>,
}

/// The backtest's totals of a currency.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub actual: Decimal,
    pub naive: Decimal,
    pub wape_pct: Option<Decimal>,
    pub naive_wape_pct: Option<Decimal>,
}

/// A currency's totals: the open amount of its invoices with amount > 0
/// and open > 0 (disputed ones included) and their number.
#[derive(Clone, Debug, PartialEq)]
pub struct Totals {
    pub currency: u32,
    pub expected: Decimal,
    pub invoices: u64,
    pub score: Option<Score>,
}

/// The weekly report: rows per currency (alphabetical), then totals.
pub struct Weekly {
    pub rows: Vec<WeekRow>,
    pub totals: Vec<Totals>,
}

/// One `--detail` row.
#[derive(Clone, Debug, PartialEq)]
pub struct DetailRow {
    pub index: usize,
    pub open: Decimal,
    pub days_past_due: i32,
    pub basis: Basis,
    pub sample_size: usize,
    pub expected_date: Option<Day>,
    pub p10_date: Option<Day>,
    pub p90_date: Option<Day>,
    pub in_horizon_pct: Option<Decimal>,
    /// With `--backtest`: what the invoice received after the as-of date.
    pub actual: Option<Decimal>,
}

/// The forecast at one as-of date: the ledger's history, the sorted delays
/// and, for a backtest, the payments that came after.
pub struct Forecaster<'a> {
    history: &'a History<'a>,
    delays: Delays,
    params: ForecastParams,
    after: Option<&'a After>,
    /// Which invoices are in dispute (SPEC §1); the `disputed` column alone
    /// unless [`Forecaster::with_disputes`] gives the dated disputes.
    disputes: Disputes,
}

impl<'a> Forecaster<'a> {
    pub fn new(history: &'a History<'a>, params: ForecastParams, after: Option<&'a After>) -> Forecaster<'a> {
        let disputes = Disputes::new(history.ledger, &[], params.as_of);
        Forecaster { history, delays: Delays::new(history, &params), params, after, disputes }
    }

    /// The same forecast with the dated disputes of `--disputes`.
    pub fn with_disputes(self, disputes: Disputes) -> Forecaster<'a> {
        Forecaster { disputes, ..self }
    }

    /// Every invoice with amount > 0 and open > 0 at the as-of date, with its sample.
    pub fn placements(&self) -> impl Iterator<Item = Placement<'_>> + '_ {
        self.placements_in(0..self.history.ledger.invoices.len())
    }

    /// [`Forecaster::placements`] of the invoices in `range`.
    fn placements_in(&self, range: Range<usize>) -> impl Iterator<Item = Placement<'_>> + '_ {
        let ledger = self.history.ledger;
        let as_of = self.params.as_of;
        range.map(move |index| (index, &ledger.invoices[index])).filter_map(move |(index, inv)| {
            if inv.amount <= Decimal::ZERO {
                return None;
            }
            let open = self.history.open_at(index, as_of);
            if open <= Decimal::ZERO {
                return None;
            }
            let days_past_due = as_of - inv.due;
            let (basis, sample) = if self.disputes.in_dispute(index, as_of) {
                (Basis::Disputed, &[][..])
            } else {
                self.delays.sample(inv.customer, inv.currency, days_past_due, self.params.min_history)
            };
            Some(Placement { index, open, days_past_due, basis, sample })
        })
    }

    /// Expected cash per week and currency, `later` and `disputed`. Large
    /// ledgers are summed on every core and the parts merged: the sums are
    /// exact, so the split changes no figure.
    pub fn weekly(&self) -> Weekly {
        let ledger = self.history.ledger;
        let parts = on_parts(ledger.invoices.len(), |range| self.tally(range));
        let sums = parts.into_iter().reduce(merge).unwrap_or_default();
        let mut present: Vec<(u32, Sums)> =
            sums.into_iter().enumerate().filter_map(|(c, s)| Some((c as u32, s?))).collect();
        present.sort_by(|a, b| ledger.currencies.get(a.0).cmp(ledger.currencies.get(b.0)));
        let mut weekly = Weekly { rows: Vec::new(), totals: Vec::new() };
        for (currency, sum) in present {
            let digits = crate::money::minor_digits(ledger.currencies.get(currency));
            let (rows, totals) = sum.finish(currency, digits, &self.params, self.after.is_some());
            weekly.rows.extend(rows);
            weekly.totals.push(totals);
        }
        weekly
    }

    /// The sums of each currency (by handle) over the invoices in `range`.
    fn tally(&self, range: Range<usize>) -> Vec<Option<Sums>> {
        let ledger = self.history.ledger;
        let mut sums: Vec<Option<Sums>> = (0..ledger.currencies.len()).map(|_| None).collect();
        for placement in self.placements_in(range) {
            let currency = ledger.invoices[placement.index].currency as usize;
            let sum = sums[currency].get_or_insert_with(|| Sums::new(self.params.weeks));
            self.add(sum, &placement);
        }
        sums
    }

    fn add(&self, sum: &mut Sums, placement: &Placement) {
        let Placement { index, open, days_past_due: p, basis, sample } = *placement;
        let weeks = self.params.weeks;
        let (later, disputed) = (weeks as usize, weeks as usize + 1);
        sum.add_open(open);
        match basis {
            Basis::Disputed => sum.add_whole(disputed, open),
            Basis::None => sum.add_whole(later, open),
            Basis::Customer | Basis::Portfolio => {
                let n = sample.len();
                split_by_week(sample, p, weeks, |b, count| sum.add_share(b, open, count, n));
            }
        }
        let Some(after) = self.after else { return };
        if basis == Basis::Disputed {
            sum.add_actual(disputed, after.received(index, open));
            return;
        }
        let as_of = self.params.as_of;
        let naive_day = self.history.ledger.invoices[index].due.max(as_of + 1);
        sum.add_naive(bucket(naive_day - as_of, weeks), open);
        for (day, change) in after.steps(index, open) {
            sum.add_actual(bucket(day.saturating_sub(as_of), weeks), change);
        }
    }

    /// One row per forecast or disputed invoice, by days past due
    /// (descending), then customer, currency and invoice.
    pub fn detail(&self) -> Vec<DetailRow> {
        let horizon = 7 * self.params.weeks as i32;
        let mut rows: Vec<DetailRow> = self
            .placements()
            .map(|pl| {
                let p = pl.days_past_due;
                // Delay δ falls on `due + δ` = `as_of - p + δ`.
                let date = |q: Option<i32>| q.map(|delay| self.params.as_of - p + delay);
                let n = pl.sample.len();
                let beyond = above(pl.sample, p + horizon).len();
                DetailRow {
                    index: pl.index,
                    open: pl.open,
                    days_past_due: p,
                    basis: pl.basis,
                    sample_size: n,
                    expected_date: date(nearest_rank(pl.sample, 1, 2)),
                    p10_date: date(nearest_rank(pl.sample, 1, 10)),
                    p90_date: date(nearest_rank(pl.sample, 9, 10)),
                    in_horizon_pct: percent(Decimal::from(n - beyond), Decimal::from(n)),
                    actual: self.after.map(|a| a.received(pl.index, pl.open)),
                }
            })
            .collect();
        let ledger = self.history.ledger;
        rows.sort_by(|a, b| compare_detail(ledger, a, b));
        rows
    }
}

/// Per-currency sums of two parts of the ledger, added.
fn merge(mut into: Vec<Option<Sums>>, from: Vec<Option<Sums>>) -> Vec<Option<Sums>> {
    for (slot, other) in into.iter_mut().zip(from) {
        match (slot.as_mut(), other) {
            (Some(sum), Some(other)) => sum.absorb(other),
            (None, other) => *slot = other,
            (Some(_), None) => {}
        }
    }
    into
}

/// `work` run on consecutive ranges of `0..count`, one per core for a
/// large ledger (the split of `age`), results in range order.
fn on_parts<T: Send>(count: usize, work: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            parts_of(count).into_iter().map(|range| scope.spawn(move || work(range))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    })
}

fn compare_detail(ledger: &Ledger, a: &DetailRow, b: &DetailRow) -> Ordering {
    let (x, y) = (&ledger.invoices[a.index], &ledger.invoices[b.index]);
    b.days_past_due
        .cmp(&a.days_past_due)
        .then_with(|| ledger.customer(x).cmp(ledger.customer(y)))
        .then_with(|| ledger.currency(x).cmp(ledger.currency(y)))
        .then_with(|| ledger.compare_ids(a.index, b.index))
}

#[cfg(test)]
mod tests;
