//! "In dispute" (SPEC §1): the one place every command asks whether a
//! document is in dispute on a day.
//!
//! A document is in dispute on day d when the disputes file (`--disputes`)
//! has a dispute of it with `opened <= d` and no `closed` date or
//! `closed > d` (so one closed the day it opened never is); for documents
//! the file does not name, when the invoice file's `disputed` column is
//! true, read as "in dispute from its issue date on". Build a [`Disputes`]
//! once per command with [`Disputes::new`] (an empty list of disputes
//! without a disputes file: the column alone) and call
//! [`Disputes::in_dispute`]. A command reads the file with
//! `input::load_ledger_with(.., SideFiles { disputes: Some(path), .. })`.

use super::history::History;
use super::ledger::Ledger;
use crate::dates::Day;
use crate::money;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// One row of the disputes file.
#[derive(Clone, Debug, PartialEq)]
pub struct Dispute {
    pub id: String,
    /// Id handle ([`Ledger::ids`]) of the disputed document.
    pub invoice: u32,
    pub opened: Day,
    pub closed: Option<Day>,
    pub reason: String,
    pub outcome: String,
}

/// A dispute as seen at the as-of date, on a ledger index (a closing
/// after the as-of date is not known yet).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dated {
    pub invoice: usize,
    pub opened: Day,
    pub closed: Option<Day>,
}

impl Dated {
    /// Open at the end of day `d`: `opened <= d` and not closed by then.
    pub fn open_on(&self, d: Day) -> bool {
        self.opened <= d && self.closed.is_none_or(|c| c > d)
    }
}

/// Which documents are in dispute on which days.
#[derive(Clone, Debug, Default)]
pub struct Disputes {
    /// Each document the disputes file names (ledger index) -> its disputes
    /// (indexes into `log`).
    named: HashMap<usize, Vec<usize>>,
    /// Documents with the `disputed` column true that the file does not
    /// name -> in dispute from this day (None: from the beginning of time,
    /// a document without issue date).
    flagged: HashMap<usize, Option<Day>>,
    /// The disputes of the file opened by the as-of date, in file order.
    pub log: Vec<Dated>,
}

impl Disputes {
    /// With the disputes file's rows (none: the `disputed` column alone);
    /// `ledger` is restricted to the as-of date. Disputes opened after it, or of documents issued after it,
    /// are left out; closings after it are not known yet.
    pub fn new(ledger: &Ledger, disputes: &[Dispute], as_of: Day) -> Disputes {
        let index_of = ledger.indexes_of(disputes.iter().map(|d| d.invoice));
        let mut out = Disputes::default();
        for d in disputes {
            let Some(&invoice) = index_of.get(&d.invoice) else { continue };
            out.named.entry(invoice).or_default();
            if d.opened > as_of {
                continue;
            }
            let closed = d.closed.filter(|&c| c <= as_of);
            out.named.entry(invoice).or_default().push(out.log.len());
            out.log.push(Dated { invoice, opened: d.opened, closed });
        }
        for (i, inv) in ledger.invoices.iter().enumerate() {
            if inv.disputed && !out.named.contains_key(&i) {
                out.flagged.insert(i, inv.issue());
            }
        }
        out
    }

    /// Whether the document at ledger index `invoice` is in dispute at the
    /// end of day `day` (SPEC §1).
    pub fn in_dispute(&self, invoice: usize, day: Day) -> bool {
        match self.named.get(&invoice) {
            Some(list) => list.iter().any(|&k| self.log[k].open_on(day)),
            None => self.flagged.get(&invoice).is_some_and(|from| from.is_none_or(|f| f <= day)),
        }
    }
}

/// The dispute measures of one `kpi` row (one period, group, currency).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DisputeSums {
    /// Disputes opened in `[S, E]`.
    pub opened: u64,
    /// Disputes closed in `[S, E]`.
    pub resolved: u64,
    /// Sum of `closed - opened` over those resolved.
    resolve_days: i64,
    /// Disputes open at the end of E.
    pub open_end: u64,
    /// Sum of `open_i(E)` of the documents in dispute at E (the column too).
    pub disputed_open_end: Decimal,
}

impl DisputeSums {
    pub fn avg_days_to_resolve(&self) -> Option<Decimal> {
        (self.resolved > 0).then(|| Decimal::from(self.resolve_days) / Decimal::from(self.resolved))
    }
}

impl Disputes {
    /// The dispute measures of every (period, group): `group_of` gives each
    /// invoice's group, `groups` their number.
    pub fn measure(
        &self,
        history: &History,
        periods: &[(Day, Day)],
        groups: usize,
        group_of: impl Fn(usize) -> usize,
    ) -> Vec<Vec<DisputeSums>> {
        let mut sums = vec![vec![DisputeSums::default(); groups]; periods.len()];
        for (p, &(s, e)) in periods.iter().enumerate() {
            for d in &self.log {
                let row = &mut sums[p][group_of(d.invoice)];
                row.opened += u64::from(s <= d.opened && d.opened <= e);
                if let Some(closed) = d.closed.filter(|&c| s <= c && c <= e) {
                    row.resolved += 1;
                    row.resolve_days += (closed - d.opened) as i64;
                }
                row.open_end += u64::from(d.open_on(e));
            }
            let disputed = self.named.keys().chain(self.flagged.keys());
            for &i in disputed.filter(|&&i| self.in_dispute(i, e)) {
                money::add(&mut sums[p][group_of(i)].disputed_open_end, history.open_at(i, e));
            }
        }
        sums
    }
}

#[cfg(test)]
mod tests;
