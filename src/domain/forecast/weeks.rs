//! Spreading samples over the weeks: which week a day falls in, a sorted
//! sample cut into weeks, and a currency's exact sums turned into rows.

use super::backtest::wape;
use super::{ForecastParams, Period, Score, Totals, WeekRow};
use crate::money;
use hashbrown::HashMap;
use rust_decimal::Decimal;

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

/// What one currency's rows add up, exactly, before the one division per
/// sample size. Buckets: the weeks, then `later`, then `disputed`.
pub(super) struct Sums {
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
    pub(super) fn new(weeks: u32) -> Sums {
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

    /// Adds the sums of another part of the ledger.
    pub(super) fn absorb(&mut self, other: Sums) {
        let add_all = |into: &mut [Decimal], from: &[Decimal]| {
            into.iter_mut().zip(from).for_each(|(a, b)| money::add(a, *b));
        };
        add_all(&mut self.whole, &other.whole);
        add_all(&mut self.naive, &other.naive);
        add_all(&mut self.actual, &other.actual);
        self.invoices.iter_mut().zip(&other.invoices).for_each(|(a, b)| *a += b);
        for (key, part) in other.parts {
            money::add(self.parts.entry(key).or_insert(Decimal::ZERO), part);
        }
        money::add(&mut self.total, other.total);
        self.total_invoices += other.total_invoices;
    }

    /// A forecast or disputed invoice's open amount, for the totals.
    pub(super) fn add_open(&mut self, open: Decimal) {
        money::add(&mut self.total, open);
        self.total_invoices += 1;
    }

    pub(super) fn add_naive(&mut self, bucket: usize, open: Decimal) {
        money::add(&mut self.naive[bucket], open);
    }

    pub(super) fn add_actual(&mut self, bucket: usize, received: Decimal) {
        money::add(&mut self.actual[bucket], received);
    }

    pub(super) fn add_whole(&mut self, bucket: usize, open: Decimal) {
        money::add(&mut self.whole[bucket], open);
        self.invoices[bucket] += 1;
    }

    /// `count` of the invoice's `n` sample values fall in the bucket.
    pub(super) fn add_share(&mut self, bucket: usize, open: Decimal, count: usize, n: usize) {
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

    pub(super) fn finish(
        self,
        currency: u32,
        params: &ForecastParams,
        backtest: bool,
    ) -> (Vec<WeekRow>, Totals) {
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
