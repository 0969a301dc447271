//! Each document's balance over time, computed once and shared by the
//! measures that need dates (`kpi`, and later `segment` and `dunning`):
//! open amount on any day, settlement date, the intervals in which it was
//! open, and customers' delinquency episodes (interval arithmetic, never a
//! loop over calendar days).

use super::ledger::Ledger;
use super::pairs::Pairs;
use crate::dates::Day;
use crate::money;
use rust_decimal::Decimal;

/// Date of an undated payment (single-file `open_amount`): before every day,
/// so it counts for every balance.
const UNDATED: Day = Day::MIN;

/// The payments of every invoice, grouped by invoice and sorted by date
/// (same-day payments merged).
pub struct History<'a> {
    pub ledger: &'a Ledger,
    /// The events of invoice `i` are `events[offsets[i]..offsets[i + 1]]`
    /// (`u32`: invoices and payments are numbered with `u32`).
    offsets: Vec<u32>,
    events: Vec<(Day, Decimal)>,
    /// Number of undated payments (ignored by measures that need a date).
    pub undated_payments: usize,
}

impl<'a> History<'a> {
    pub fn new(ledger: &'a Ledger) -> History<'a> {
        let n = ledger.invoices.len();
        // Each invoice's payment count at `offsets[i + 2]`, summed into
        // where its events start at `offsets[i + 1]`: placing each payment
        // moves that cursor to where the invoice's events end, which is
        // then `offsets[i + 1]`, as it must be.
        let mut offsets = vec![0u32; n + 2];
        for p in &ledger.payments {
            offsets[p.invoice as usize + 2] += 1;
        }
        for i in 2..n + 2 {
            offsets[i] += offsets[i - 1];
        }
        let mut events = vec![(0, Decimal::ZERO); ledger.payments.len()];
        for p in &ledger.payments {
            let cursor = &mut offsets[p.invoice as usize + 1];
            events[*cursor as usize] = (p.date().unwrap_or(UNDATED), p.amount);
            *cursor += 1;
        }
        offsets.pop();
        let undated_payments = ledger.payments.iter().filter(|p| p.date().is_none()).count();
        let mut history = History { ledger, offsets, events, undated_payments };
        history.sort_and_merge();
        history
    }

    /// Sorts each invoice's events by date and merges same-day ones
    /// (compacting `events` and `offsets`).
    fn sort_and_merge(&mut self) {
        // Events only move down, and each offset is rewritten once its
        // invoice's events are merged, so both are compacted in place.
        let mut write = 0;
        let mut start = 0;
        for i in 0..self.offsets.len() - 1 {
            let end = self.offsets[i + 1] as usize;
            self.events[start..end].sort_by_key(|e| e.0);
            for k in start..end {
                let event = self.events[k];
                if write > self.offsets[i] as usize && self.events[write - 1].0 == event.0 {
                    self.events[write - 1].1 += event.1;
                } else {
                    self.events[write] = event;
                    write += 1;
                }
            }
            self.offsets[i + 1] = write as u32;
            start = end;
        }
        self.events.truncate(write);
    }

    /// The invoice's payments by date (undated ones first, dated `Day::MIN`).
    pub fn payments(&self, invoice: usize) -> &[(Day, Decimal)] {
        &self.events[self.offsets[invoice] as usize..self.offsets[invoice + 1] as usize]
    }

    /// `open_i(d)`: amount minus payments dated on or before `d`; 0 before the
    /// document's issue date (it does not exist yet).
    pub fn open_at(&self, invoice: usize, d: Day) -> Decimal {
        let inv = &self.ledger.invoices[invoice];
        if inv.issue().is_some_and(|issue| issue > d) {
            return Decimal::ZERO;
        }
        let paid = money::sum(self.payments(invoice).iter().take_while(|e| e.0 <= d).map(|e| e.1));
        let mut open = inv.amount;
        money::subtract(&mut open, paid);
        open
    }

    /// A walk forward in time over the invoice's balance: each
    /// [`Walk::open_at`] of a later day takes the payments in between, so
    /// measures that look at many days of each document (`roll`'s month
    /// ends, `provision`'s stages) read its payments once.
    pub fn walk(&self, invoice: usize) -> Walk<'_> {
        let inv = &self.ledger.invoices[invoice];
        Walk { payments: self.payments(invoice), next: 0, open: inv.amount, issue: inv.issue() }
    }

    /// Sum of the dated payments in `[from, to]`.
    pub fn paid_between(&self, invoice: usize, from: Day, to: Day) -> Decimal {
        money::sum(
            self.payments(invoice).iter().filter(|e| e.0 != UNDATED && e.0 >= from && e.0 <= to).map(|e| e.1),
        )
    }

    /// `settle_i` (invoices with amount > 0): the earliest day, on or after
    /// the issue date, from which the open amount stays at or below 0 up to
    /// the ledger's as-of date; `None` while open, or when only an undated
    /// payment settled a document without issue date.
    pub fn settle(&self, invoice: usize) -> Option<Day> {
        let inv = &self.ledger.invoices[invoice];
        let mut balance = inv.amount;
        let mut since: Option<Day> = (balance <= Decimal::ZERO).then_some(UNDATED);
        for &(date, amount) in self.payments(invoice) {
            balance -= amount;
            match (balance <= Decimal::ZERO, since) {
                (true, None) => since = Some(date),
                (false, _) => since = None,
                _ => {}
            }
        }
        let day = since?;
        match inv.issue() {
            Some(issue) => Some(day.max(issue)),
            None if day == UNDATED => None,
            None => Some(day),
        }
    }

    /// The days in `[from, to]` on which the document exists and its open
    /// amount is above 0, as closed intervals in order.
    pub fn open_intervals(&self, invoice: usize, from: Day, to: Day) -> Vec<(Day, Day)> {
        let inv = &self.ledger.invoices[invoice];
        let from = inv.issue().map_or(from, |issue| from.max(issue));
        let mut intervals: Vec<(Day, Day)> = Vec::new();
        let mut balance = inv.amount;
        let mut segment_start = UNDATED;
        for &(date, amount) in self.payments(invoice) {
            if date != UNDATED {
                push_positive(&mut intervals, balance, segment_start, date - 1, from, to);
            }
            balance -= amount;
            segment_start = date;
        }
        push_positive(&mut intervals, balance, segment_start, Day::MAX, from, to);
        intervals
    }
}

/// One invoice's balance, read on days in ascending order (see [`History::walk`]).
pub struct Walk<'h> {
    payments: &'h [(Day, Decimal)],
    next: usize,
    open: Decimal,
    issue: Option<Day>,
}

impl Walk<'_> {
    /// `open_i(d)`, for `d` on or after the day of the previous call.
    pub fn open_at(&mut self, d: Day) -> Decimal {
        while let Some(&(_, amount)) = self.payments.get(self.next).filter(|e| e.0 <= d) {
            money::subtract(&mut self.open, amount);
            self.next += 1;
        }
        if self.issue.is_some_and(|issue| issue > d) {
            Decimal::ZERO
        } else {
            self.open
        }
    }

    /// Whether no payment is left after the days read so far: the balance
    /// stays what it is from then on.
    pub fn is_final(&self) -> bool {
        self.next == self.payments.len()
    }
}

/// Adds `[start, end] ∩ [from, to]` when the balance is positive, merging
/// with the previous interval when they touch.
fn push_positive(
    intervals: &mut Vec<(Day, Day)>,
    balance: Decimal,
    start: Day,
    end: Day,
    from: Day,
    to: Day,
) {
    let (s, e) = (start.max(from), end.min(to));
    if balance <= Decimal::ZERO || s > e {
        return;
    }
    match intervals.last_mut() {
        Some(last) if last.1.saturating_add(1) >= s => last.1 = last.1.max(e),
        _ => intervals.push((s, e)),
    }
}

/// A maximal run of delinquent days of one customer; `cure` is the day
/// after it, `None` while it is still running at the as-of date.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Episode {
    pub start: Day,
    pub end: Day,
    pub cure: Option<Day>,
}

/// Delinquency episodes of every (customer, currency) pair, pairs in
/// (customer handle, currency handle) order: a customer is delinquent on day d when one of
/// its invoices with amount > 0 has `d > due + grace` and is open on d.
pub struct Episodes {
    /// The pairs, which the other per-customer figures share.
    pub pairs: Pairs,
    /// Episodes of each pair, in order.
    pub episodes: Vec<Vec<Episode>>,
    /// The first invoice of each pair (to find its group).
    pub first_invoice: Vec<usize>,
}

impl Episodes {
    pub fn new(history: &History, grace: i32, as_of: Day) -> Episodes {
        let ledger = history.ledger;
        let pairs = Pairs::new(ledger);
        let mut intervals: Vec<Vec<(Day, Day)>> = vec![Vec::new(); pairs.len()];
        let mut first_invoice = vec![usize::MAX; pairs.len()];
        for (index, inv) in ledger.invoices.iter().enumerate() {
            let pair = pairs.of(inv);
            first_invoice[pair] = first_invoice[pair].min(index);
            if inv.amount > Decimal::ZERO {
                intervals[pair].extend(history.open_intervals(
                    index,
                    inv.due.saturating_add(grace + 1),
                    as_of,
                ));
            }
        }
        let episodes = intervals.into_iter().map(|list| merge(list, as_of)).collect();
        Episodes { pairs, episodes, first_invoice }
    }
}

/// Unions intervals into episodes (touching intervals join).
fn merge(mut list: Vec<(Day, Day)>, as_of: Day) -> Vec<Episode> {
    list.sort_unstable();
    let mut merged: Vec<(Day, Day)> = Vec::new();
    for (s, e) in list {
        match merged.last_mut() {
            Some(last) if last.1.saturating_add(1) >= s => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
        .into_iter()
        .map(|(start, end)| Episode { start, end, cure: (end < as_of).then_some(end + 1) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ledger::{Invoice, Payment};

    fn ledger(amount: i64, issue: Option<Day>, due: Day, pays: &[(Option<Day>, i64)]) -> Ledger {
        let mut l = Ledger::default();
        l.currencies.intern("EUR");
        let id = l.ids.insert("F1").unwrap();
        let customer = l.customers.intern("C");
        l.invoices.push(Invoice {
            id,
            customer,
            currency: 1,
            issue: issue.into(),
            due,
            amount: Decimal::from(amount),
            disputed: false,
            name: 0,
        });
        for &(date, a) in pays {
            l.payments.push(Payment { invoice: 0, date: date.into(), amount: Decimal::from(a) });
        }
        l
    }

    #[test]
    fn settle_follows_reversals_and_issue_date() {
        // 100 due day 30: 100 paid day 40, reversed day 45, paid again day 60.
        let l = ledger(100, Some(10), 30, &[(Some(40), 100), (Some(45), -100), (Some(60), 100)]);
        let h = History::new(&l);
        assert_eq!(h.settle(0), Some(60));
        assert_eq!(h.open_at(0, 44), Decimal::ZERO);
        assert_eq!(h.open_at(0, 45), Decimal::from(100));
        assert_eq!(h.open_at(0, 5), Decimal::ZERO); // not issued yet
        assert_eq!(h.open_intervals(0, 31, 100), vec![(31, 39), (45, 59)]);
        // Paid before its issue date: settled on the issue date.
        let early = ledger(100, Some(10), 30, &[(Some(5), 100)]);
        assert_eq!(History::new(&early).settle(0), Some(10));
        // Still open.
        let open = ledger(100, Some(10), 30, &[(Some(40), 60)]);
        assert_eq!(History::new(&open).settle(0), None);
    }

    #[test]
    fn a_walk_agrees_with_open_at() {
        // 100 issued day 10: 30 undated, 20 paid day 5 (before issue), 100 day 40, -100 day 45.
        let l = ledger(100, Some(10), 30, &[(None, 30), (Some(5), 20), (Some(40), 100), (Some(45), -100)]);
        let h = History::new(&l);
        let days = [4, 9, 10, 39, 40, 44, 45, 100];
        let mut walk = h.walk(0);
        let walked: Vec<Decimal> = days.iter().map(|&d| walk.open_at(d)).collect();
        assert_eq!(walked, days.map(|d| h.open_at(0, d)));
        // Before issue 0; from issue 100 - 30 - 20 = 50; day 40: -50; day 45: 50.
        assert_eq!(walked, [0, 0, 50, 50, -50, -50, 50, 50].map(Decimal::from));
        assert!(walk.is_final());
        let mut early = h.walk(0);
        early.open_at(40);
        assert!(!early.is_final()); // the reversal of day 45 is still ahead
    }

    #[test]
    fn episodes_merge_and_cure() {
        let l = ledger(100, Some(10), 30, &[(Some(40), 100), (Some(45), -100), (Some(60), 100)]);
        let h = History::new(&l);
        let e = Episodes::new(&h, 0, 100);
        assert_eq!(
            e.episodes[0],
            vec![
                Episode { start: 31, end: 39, cure: Some(40) },
                Episode { start: 45, end: 59, cure: Some(60) }
            ]
        );
        // With 10 days of grace only the second run counts (from day 45).
        let e = Episodes::new(&h, 10, 100);
        assert_eq!(e.episodes[0], vec![Episode { start: 45, end: 59, cure: Some(60) }]);
        // Still running at the as-of date: no cure.
        let e = Episodes::new(&h, 0, 50);
        assert_eq!(e.episodes[0][1], Episode { start: 45, end: 50, cure: None });
    }
}
