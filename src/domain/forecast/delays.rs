//! The histories of `forecast`: the delays (`settle - due`) of the invoices
//! settled in the lookback, sorted once per (customer, currency) and per
//! currency, and an invoice's sample — the delays above its days past due,
//! found by one binary search.

use super::{on_parts, Basis, ForecastParams};
use crate::domain::history::History;
use rust_decimal::Decimal;
use std::ops::Range;

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
        let settled_in = |range: Range<usize>| -> Vec<(u32, u32, i32)> {
            range
                .filter(|&i| ledger.invoices[i].amount > Decimal::ZERO)
                .filter_map(|i| {
                    let settle = history.settle(i).filter(|&d| d >= first_day && d <= params.as_of)?;
                    let inv = &ledger.invoices[i];
                    Some((inv.customer, inv.currency, settle - inv.due))
                })
                .collect()
        };
        let settled = on_parts(ledger.invoices.len(), settled_in).concat();
        let mut portfolio = vec![Vec::new(); ledger.currencies.len()];
        for &(_, currency, delay) in &settled {
            portfolio[currency as usize].push(delay);
        }
        portfolio.iter_mut().for_each(|list| list.sort_unstable());
        let (offsets, pairs) = group_by_customer(&settled, ledger.customers.len());
        drop(settled); // before the two lists below are built: a lower peak
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
pub(super) fn above(sorted: &[i32], p: i32) -> &[i32] {
    &sorted[sorted.partition_point(|&d| d <= p)..]
}

/// The nearest-rank quantile `num/den` of a sorted sample: its
/// ceil(num/den × n)-th smallest value (at least the first).
pub fn nearest_rank(sample: &[i32], num: usize, den: usize) -> Option<i32> {
    let rank = (num * sample.len()).div_ceil(den).max(1);
    sample.get(rank - 1).copied()
}
