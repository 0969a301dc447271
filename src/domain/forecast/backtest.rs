//! `--backtest`: the payments dated after the as-of date, as the clipped
//! steps of what each invoice received, and the WAPE of a forecast.

use crate::dates::Day;
use crate::domain::ledger::Payment;
use crate::money::{self, percent};
use rust_decimal::Decimal;

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
