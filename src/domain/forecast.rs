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

use super::history::History;
use super::ledger::{Ledger, Payment};
use crate::dates::Day;
use crate::money::{self, percent};
use hashbrown::HashMap;
use rust_decimal::Decimal;
use std::cmp::Ordering;

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

/// Whether the document is in dispute at the as-of date (SPEC §1). For now
/// its `disputed` column, read as "in dispute from its issue date on"; the
/// dated disputes file (`--disputes`) replaces this one function.
pub fn in_dispute(ledger: &Ledger, index: usize, as_of: Day) -> bool {
    let invoice = &ledger.invoices[index];
    invoice.disputed && Ledger::exists_at(invoice, as_of)
}

/// The sorted delays (`settle - due`) of the invoices with amount > 0
/// settled in the lookback, per (customer, currency) and per currency.
pub struct Delays {
    /// Per customer handle, where its values start in the two lists below
    /// (one more entry than customers).
    offsets: Vec<usize>,
    /// Currency of each value: a customer's values sorted by (currency, delay).
    currency: Vec<u32>,
    delay: Vec<i32>,
    /// Per currency handle, all its customers' delays, sorted.
    portfolio: Vec<Vec<i32>>,
}

impl Delays {
    pub fn new(history: &History, params: &ForecastParams) -> Delays {
        let ledger = history.ledger;
        let first_day = params.as_of.saturating_sub(params.lookback - 1);
        let settled: Vec<(u32, u32, i32)> = (0..ledger.invoices.len())
            .filter(|&i| ledger.invoices[i].amount > Decimal::ZERO)
            .filter_map(|i| {
                let settle = history.settle(i).filter(|&d| d >= first_day && d <= params.as_of)?;
                let inv = &ledger.invoices[i];
                Some((inv.customer, inv.currency, settle - inv.due))
            })
            .collect();
        let mut portfolio = vec![Vec::new(); ledger.currencies.len()];
        for &(_, currency, delay) in &settled {
            portfolio[currency as usize].push(delay);
        }
        portfolio.iter_mut().for_each(|list| list.sort_unstable());
        let (offsets, pairs) = group_by_customer(&settled, ledger.customers.len());
        let (currency, delay) = pairs.into_iter().unzip();
        Delays { offsets, currency, delay, portfolio }
    }

    /// The (customer, currency)'s history, sorted.
    pub fn customer(&self, customer: u32, currency: u32) -> &[i32] {
        let c = customer as usize;
        let (Some(&start), Some(&end)) = (self.offsets.get(c), self.offsets.get(c + 1)) else {
            return &[];
        };
        let currencies = &self.currency[start..end];
        let from = currencies.partition_point(|&x| x < currency);
        let to = currencies.partition_point(|&x| x <= currency);
        &self.delay[start + from..start + to]
    }

    /// The currency's portfolio history, sorted.
    pub fn portfolio(&self, currency: u32) -> &[i32] {
        self.portfolio.get(currency as usize).map_or(&[], Vec::as_slice)
    }

    /// The sample of an invoice `p` days past due: its customer's delays
    /// above `p` when there are at least `min` of them, else the
    /// portfolio's, else none.
    pub fn sample(&self, customer: u32, currency: u32, p: i32, min: usize) -> (Basis, &[i32]) {
        let own = above(self.customer(customer, currency), p);
        if own.len() >= min {
            return (Basis::Customer, own);
        }
        let all = above(self.portfolio(currency), p);
        if all.len() >= min {
            return (Basis::Portfolio, all);
        }
        (Basis::None, &[])
    }
}

/// Counting sort of (customer, currency, delay) by customer, then each
/// customer's (currency, delay) values sorted: the offsets and the values.
fn group_by_customer(settled: &[(u32, u32, i32)], customers: usize) -> (Vec<usize>, Vec<(u32, i32)>) {
    let mut offsets = vec![0usize; customers + 1];
    for &(customer, _, _) in settled {
        offsets[customer as usize + 1] += 1;
    }
    for c in 0..customers {
        offsets[c + 1] += offsets[c];
    }
    let mut next = offsets.clone();
    let mut pairs = vec![(0u32, 0i32); settled.len()];
    for &(customer, currency, delay) in settled {
        let slot = &mut next[customer as usize];
        pairs[*slot] = (currency, delay);
        *slot += 1;
    }
    for c in 0..customers {
        pairs[offsets[c]..offsets[c + 1]].sort_unstable();
    }
    (offsets, pairs)
}

/// The values of a sorted list above `p`: the invoice is known not to have
/// been paid `p` days after its due date.
fn above(sorted: &[i32], p: i32) -> &[i32] {
    &sorted[sorted.partition_point(|&d| d <= p)..]
}

/// The bucket of a day `offset` days after the as-of date (at least 1):
/// `k - 1` for week k, `weeks` for `later`.
pub fn bucket(offset: i32, weeks: u32) -> usize {
    let week = (offset.max(1) as u32).div_ceil(7);
    week.min(weeks + 1) as usize - 1
}

/// Cuts a sorted sample, every value above `p`, into (bucket, count) runs
/// in bucket order (see [`bucket`]; value δ falls on day `due + δ`, that is
/// `δ - p` days after the as-of date). One binary search per non-empty week.
pub fn split_by_week(sample: &[i32], p: i32, weeks: u32, mut each: impl FnMut(usize, usize)) {
    let mut rest = sample;
    while let (Some(&first), Some(&last)) = (rest.first(), rest.last()) {
        let b = bucket(first - p, weeks);
        if b == weeks as usize {
            each(b, rest.len());
            return;
        }
        let bound = p + 7 * (b as i32 + 1);
        let count = if last <= bound { rest.len() } else { rest.partition_point(|&d| d <= bound) };
        each(b, count);
        rest = &rest[count..];
    }
}

/// The nearest-rank quantile `num/den` of a sorted sample: its
/// ceil(num/den × n)-th smallest value (at least the first).
pub fn nearest_rank(sample: &[i32], num: usize, den: usize) -> Option<i32> {
    let rank = (num * sample.len()).div_ceil(den).max(1);
    sample.get(rank - 1).copied()
}

/// Payments dated after the as-of date, per invoice in date order
/// (`--backtest`).
pub struct After {
    offsets: Vec<usize>,
    events: Vec<(Day, Decimal)>,
}

impl After {
    /// `payments` index the ledger's invoices (`invoices` of them).
    pub fn new(invoices: usize, payments: &[Payment]) -> After {
        let mut offsets = vec![0usize; invoices + 1];
        for p in payments {
            offsets[p.invoice as usize + 1] += 1;
        }
        for i in 0..invoices {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut events = vec![(0, Decimal::ZERO); payments.len()];
        for p in payments {
            let slot = &mut next[p.invoice as usize];
            events[*slot] = (p.date().unwrap_or(Day::MAX), p.amount);
            *slot += 1;
        }
        for i in 0..invoices {
            events[offsets[i]..offsets[i + 1]].sort_by_key(|e| e.0);
        }
        After { offsets, events }
    }

    /// The changes of `c(d)` — the invoice's net payments dated in
    /// `(as_of, d]`, clipped to `[0, open]` — at each payment date, in
    /// order: they add up to `c` after the last payment.
    pub fn steps(&self, invoice: usize, open: Decimal) -> impl Iterator<Item = (Day, Decimal)> + '_ {
        let events =
            self.offsets.get(invoice + 1).map_or(&[][..], |&end| &self.events[self.offsets[invoice]..end]);
        let mut net = Decimal::ZERO;
        let mut clipped = Decimal::ZERO;
        events.iter().map(move |&(day, amount)| {
            money::add(&mut net, amount);
            let now = net.clamp(Decimal::ZERO, open);
            let change = now - clipped;
            clipped = now;
            (day, change)
        })
    }

    /// `c` after the last payment: what the invoice received after the as-of date.
    pub fn received(&self, invoice: usize, open: Decimal) -> Decimal {
        money::sum(self.steps(invoice, open).map(|s| s.1))
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
}

impl<'a> Forecaster<'a> {
    pub fn new(history: &'a History<'a>, params: ForecastParams, after: Option<&'a After>) -> Forecaster<'a> {
        Forecaster { history, delays: Delays::new(history, &params), params, after }
    }

    /// Every invoice with amount > 0 and open > 0 at the as-of date, with its sample.
    pub fn placements(&self) -> impl Iterator<Item = Placement<'_>> + '_ {
        let ledger = self.history.ledger;
        let as_of = self.params.as_of;
        ledger.invoices.iter().enumerate().filter_map(move |(index, inv)| {
            if inv.amount <= Decimal::ZERO {
                return None;
            }
            let open = self.history.open_at(index, as_of);
            if open <= Decimal::ZERO {
                return None;
            }
            let days_past_due = as_of - inv.due;
            let (basis, sample) = if in_dispute(ledger, index, as_of) {
                (Basis::Disputed, &[][..])
            } else {
                self.delays.sample(inv.customer, inv.currency, days_past_due, self.params.min_history)
            };
            Some(Placement { index, open, days_past_due, basis, sample })
        })
    }

    /// Expected cash per week and currency, `later` and `disputed`.
    pub fn weekly(&self) -> Weekly {
        let ledger = self.history.ledger;
        let mut sums: Vec<Option<Sums>> = (0..ledger.currencies.len()).map(|_| None).collect();
        for placement in self.placements() {
            let currency = ledger.invoices[placement.index].currency as usize;
            let sum = sums[currency].get_or_insert_with(|| Sums::new(self.params.weeks));
            self.add(sum, &placement);
        }
        let mut present: Vec<(u32, Sums)> =
            sums.into_iter().enumerate().filter_map(|(c, s)| Some((c as u32, s?))).collect();
        present.sort_by(|a, b| ledger.currencies.get(a.0).cmp(ledger.currencies.get(b.0)));
        let mut weekly = Weekly { rows: Vec::new(), totals: Vec::new() };
        for (currency, sum) in present {
            let (rows, totals) = sum.finish(currency, &self.params, self.after.is_some());
            weekly.rows.extend(rows);
            weekly.totals.push(totals);
        }
        weekly
    }

    fn add(&self, sum: &mut Sums, placement: &Placement) {
        let Placement { index, open, days_past_due: p, basis, sample } = *placement;
        let weeks = self.params.weeks;
        let (later, disputed) = (weeks as usize, weeks as usize + 1);
        money::add(&mut sum.total, open);
        sum.total_invoices += 1;
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
            money::add(&mut sum.actual[disputed], after.received(index, open));
            return;
        }
        let as_of = self.params.as_of;
        let naive_day = self.history.ledger.invoices[index].due.max(as_of + 1);
        money::add(&mut sum.naive[bucket(naive_day - as_of, weeks)], open);
        for (day, change) in after.steps(index, open) {
            money::add(&mut sum.actual[bucket(day.saturating_sub(as_of), weeks)], change);
        }
    }

    /// One row per forecast or disputed invoice, by days past due
    /// (descending), then customer, currency and invoice.
    pub fn detail(&self) -> Vec<DetailRow> {
        let horizon = 7 * self.params.weeks as i32;
        let mut rows: Vec<DetailRow> = self
            .placements()
            .map(|pl| {
                let due = pl.days_past_due;
                let date = |q: Option<i32>| q.map(|delay| self.params.as_of - due + delay);
                let n = pl.sample.len();
                let in_horizon = above(pl.sample, due + horizon).len();
                DetailRow {
                    index: pl.index,
                    open: pl.open,
                    days_past_due: due,
                    basis: pl.basis,
                    sample_size: n,
                    expected_date: date(nearest_rank(pl.sample, 1, 2)),
                    p10_date: date(nearest_rank(pl.sample, 1, 10)),
                    p90_date: date(nearest_rank(pl.sample, 9, 10)),
                    in_horizon_pct: percent(Decimal::from(n - in_horizon), Decimal::from(n)),
                    actual: self.after.map(|a| a.received(pl.index, pl.open)),
                }
            })
            .collect();
        let ledger = self.history.ledger;
        rows.sort_by(|a, b| compare_detail(ledger, a, b));
        rows
    }
}

fn compare_detail(ledger: &Ledger, a: &DetailRow, b: &DetailRow) -> Ordering {
    let (x, y) = (&ledger.invoices[a.index], &ledger.invoices[b.index]);
    b.days_past_due
        .cmp(&a.days_past_due)
        .then_with(|| ledger.customer(x).cmp(ledger.customer(y)))
        .then_with(|| ledger.currency(x).cmp(ledger.currency(y)))
        .then_with(|| ledger.id(a.index).cmp(ledger.id(b.index)))
}

/// What one currency's rows add up, exactly, before the one division per
/// sample size. Buckets: the weeks, then `later`, then `disputed`.
struct Sums {
    /// Open amounts of invoices whose whole sample fell in the bucket.
    whole: Vec<Decimal>,
    /// Per (sample size n, bucket): Σ open × count, divided by n at the end.
    parts: HashMap<(usize, usize), Decimal>,
    invoices: Vec<u64>,
    total: Decimal,
    total_invoices: u64,
    naive: Vec<Decimal>,
    actual: Vec<Decimal>,
}

impl Sums {
    fn new(weeks: u32) -> Sums {
        let buckets = weeks as usize + 2;
        Sums {
            whole: vec![Decimal::ZERO; buckets],
            parts: HashMap::new(),
            invoices: vec![0; buckets],
            total: Decimal::ZERO,
            total_invoices: 0,
            naive: vec![Decimal::ZERO; buckets],
            actual: vec![Decimal::ZERO; buckets],
        }
    }

    fn add_whole(&mut self, bucket: usize, open: Decimal) {
        money::add(&mut self.whole[bucket], open);
        self.invoices[bucket] += 1;
    }

    /// `count` of the invoice's `n` sample values fall in the bucket.
    fn add_share(&mut self, bucket: usize, open: Decimal, count: usize, n: usize) {
        if count == n {
            return self.add_whole(bucket, open);
        }
        let part = self.parts.entry((n, bucket)).or_insert(Decimal::ZERO);
        money::add(part, open * Decimal::from(count));
        self.invoices[bucket] += 1;
    }

    /// Each bucket's expected amount: the whole amounts plus, per sample
    /// size (in increasing order, so the result does not depend on hashing),
    /// the exact sum divided once.
    fn expected(&self) -> Vec<Decimal> {
        let mut expected = self.whole.clone();
        let mut parts: Vec<(&(usize, usize), &Decimal)> = self.parts.iter().collect();
        parts.sort_unstable_by_key(|p| *p.0);
        for (&(n, bucket), &sum) in parts {
            money::add(&mut expected[bucket], sum / Decimal::from(n));
        }
        expected
    }

    fn finish(self, currency: u32, params: &ForecastParams, backtest: bool) -> (Vec<WeekRow>, Totals) {
        let weeks = params.weeks as usize;
        let expected = self.expected();
        let mut naive = self.naive.clone();
        naive[weeks + 1] = expected[weeks + 1];
        let mut cumulative = Decimal::ZERO;
        let rows = (0..weeks + 2)
            .map(|b| {
                let (period, week) = match b {
                    b if b < weeks => {
                        let start = params.as_of + 7 * b as i32 + 1;
                        (Period::Week(b as u32 + 1), Some((start, start + 6)))
                    }
                    b if b == weeks => (Period::Later, None),
                    _ => (Period::Disputed, None),
                };
                let running = week.map(|_| {
                    money::add(&mut cumulative, expected[b]);
                    cumulative
                });
                WeekRow {
                    currency,
                    period,
                    week,
                    expected: expected[b],
                    cumulative: running,
                    invoices: self.invoices[b],
                    actual: backtest.then_some(self.actual[b]),
                    naive: backtest.then_some(naive[b]),
                }
            })
            .collect();
        let score = backtest.then(|| Score {
            actual: money::sum(self.actual.iter().copied()),
            naive: money::sum(naive.iter().copied()),
            wape_pct: wape(&expected[..weeks], &self.actual[..weeks]),
            naive_wape_pct: wape(&naive[..weeks], &self.actual[..weeks]),
        });
        (rows, Totals { currency, expected: self.total, invoices: self.total_invoices, score })
    }
}

/// `100 × Σ |forecast - actual| / Σ actual` over the weeks; `None` when the
/// actuals sum to 0 or less.
pub fn wape(forecast: &[Decimal], actual: &[Decimal]) -> Option<Decimal> {
    let paid = money::sum(actual.iter().copied());
    if paid <= Decimal::ZERO {
        return None;
    }
    let error = money::sum(forecast.iter().zip(actual).map(|(f, a)| (*f - *a).abs()));
    percent(error, paid)
}

#[cfg(test)]
mod tests;
