//! Roll rates and cure rates (SPEC §4 `roll`): where the open balance of
//! each aging bucket at one month end is at the next one — in a later
//! bucket, still in its bucket, or paid.
//!
//! Every invoice is read once: its payments (sorted by the shared
//! [`History`]) and the month ends are walked together, so a ledger costs
//! one pass over its payments however many months are asked for, and a
//! document stops being looked at once it is closed for good.

use super::aging::Buckets;
use super::history::History;
use super::ledger::Ledger;
use super::parts_of;
use crate::dates::{date_of, day_of, Day};
use crate::money;
use chrono::{Datelike, Months};
use rust_decimal::Decimal;
use std::ops::Range;

/// The month ends to compare and the buckets to age with.
#[derive(Clone, Debug)]
pub struct RollParams {
    /// Ascending; at least two.
    pub snapshots: Vec<Day>,
    pub buckets: Buckets,
}

/// The flows out of one bucket between two consecutive month ends, in one
/// currency (or summed over every pair of month ends, for a total).
#[derive(Clone, Debug, PartialEq)]
pub struct RollRow {
    pub from: Day,
    pub to: Day,
    pub currency: String,
    pub bucket: usize,
    /// Open at `from` in `bucket` (documents with amount > 0 and open > 0).
    pub balance: Decimal,
    /// Where that balance is at `to`: one amount per bucket, then `paid`.
    /// They add up to `balance`.
    pub flows: Vec<Decimal>,
}

impl RollRow {
    pub fn paid(&self) -> Decimal {
        self.flows[self.flows.len() - 1]
    }

    /// 100 x money gone to a later bucket / balance: 0 for the last bucket,
    /// `None` when the balance is 0.
    pub fn roll_pct(&self) -> Option<Decimal> {
        let later = &self.flows[self.bucket + 1..self.flows.len() - 1];
        money::percent(money::sum(later.iter().copied()), self.balance)
    }

    /// 100 x money gone to `current` or `paid` / balance, for an overdue
    /// bucket; `None` for `current` and when the balance is 0.
    pub fn cure_pct(&self) -> Option<Decimal> {
        if self.bucket == 0 {
            return None;
        }
        money::percent(self.flows[0] + self.paid(), self.balance)
    }
}

/// Every calendar month end in `[from, to]`, in order.
pub fn month_ends(from: Day, to: Day) -> Vec<Day> {
    let start = date_of(from);
    let mut month = start.with_day(1).unwrap_or(start);
    let mut ends = Vec::new();
    while let Some(next) = month.checked_add_months(Months::new(1)) {
        let end = day_of(next) - 1;
        if end > to {
            break;
        }
        if end >= from {
            ends.push(end);
        }
        month = next;
    }
    ends
}

/// The rows, ordered by `from` date, currency, bucket: one per pair of
/// consecutive month ends, currency with a document of amount > 0, and
/// bucket, empty ones included. Large ledgers are split between the cores
/// (money adds exactly, so the split changes no figure).
pub fn roll(ledger: &Ledger, params: &RollParams) -> Vec<RollRow> {
    let history = History::new(ledger);
    let currencies = Currencies::new(ledger);
    let layout = Layout::new(params, currencies.codes.len());
    let parts: Vec<Vec<Decimal>> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts_of(ledger.invoices.len())
            .into_iter()
            .map(|range| scope.spawn(|| tally(&history, params, &currencies, &layout, range)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    let mut sums = vec![Decimal::ZERO; layout.len()];
    for part in parts {
        for (sum, value) in sums.iter_mut().zip(part) {
            money::add(sum, value);
        }
    }
    layout.rows(&sums, params, &currencies.codes)
}

/// One row per (currency, bucket): balances and flows summed over every
/// pair, from the first month end to the last.
pub fn totals(rows: &[RollRow]) -> Vec<RollRow> {
    let mut totals: Vec<RollRow> = Vec::new();
    for row in rows {
        match totals.iter_mut().find(|t| t.currency == row.currency && t.bucket == row.bucket) {
            Some(total) => {
                total.to = total.to.max(row.to);
                money::add(&mut total.balance, row.balance);
                for (sum, flow) in total.flows.iter_mut().zip(&row.flows) {
                    money::add(sum, *flow);
                }
            }
            None => totals.push(row.clone()),
        }
    }
    totals.sort_by(|a, b| a.currency.cmp(&b.currency).then(a.bucket.cmp(&b.bucket)));
    totals
}

/// The currencies with a document of amount > 0, by code.
struct Currencies {
    codes: Vec<String>,
    /// By currency handle: its position in `codes`.
    slot: Vec<usize>,
}

impl Currencies {
    fn new(ledger: &Ledger) -> Currencies {
        let mut handles: Vec<u32> =
            ledger.invoices.iter().filter(|i| i.amount > Decimal::ZERO).map(|i| i.currency).collect();
        handles.sort_unstable();
        handles.dedup();
        handles.sort_by_key(|&h| ledger.currencies.get(h));
        let mut slot = vec![usize::MAX; ledger.currencies.len()];
        for (n, &h) in handles.iter().enumerate() {
            slot[h as usize] = n;
        }
        let codes = handles.iter().map(|&h| ledger.currencies.get(h).to_string()).collect();
        Currencies { codes, slot }
    }
}

/// Where each sum lives in one flat list: for each (pair, currency,
/// bucket) the balance, then the flow to each bucket, then to `paid`.
struct Layout {
    currencies: usize,
    buckets: usize,
    pairs: usize,
}

impl Layout {
    fn new(params: &RollParams, currencies: usize) -> Layout {
        Layout { currencies, buckets: params.buckets.count(), pairs: params.snapshots.len() - 1 }
    }

    /// Sums per (pair, currency, bucket).
    fn width(&self) -> usize {
        self.buckets + 2
    }

    fn len(&self) -> usize {
        self.pairs * self.currencies * self.buckets * self.width()
    }

    fn start(&self, pair: usize, currency: usize, bucket: usize) -> usize {
        ((pair * self.currencies + currency) * self.buckets + bucket) * self.width()
    }

    fn rows(&self, sums: &[Decimal], params: &RollParams, codes: &[String]) -> Vec<RollRow> {
        let mut rows = Vec::with_capacity(self.pairs * self.currencies * self.buckets);
        for pair in 0..self.pairs {
            for (c, code) in codes.iter().enumerate() {
                for bucket in 0..self.buckets {
                    let at = &sums[self.start(pair, c, bucket)..][..self.width()];
                    rows.push(RollRow {
                        from: params.snapshots[pair],
                        to: params.snapshots[pair + 1],
                        currency: code.clone(),
                        bucket,
                        balance: at[0],
                        flows: at[1..].to_vec(),
                    });
                }
            }
        }
        rows
    }
}

/// The sums of the invoices of `range`.
fn tally(
    history: &History,
    params: &RollParams,
    currencies: &Currencies,
    layout: &Layout,
    range: Range<usize>,
) -> Vec<Decimal> {
    let mut sums = vec![Decimal::ZERO; layout.len()];
    let snapshots = &params.snapshots;
    let paid = layout.buckets;
    for index in range {
        let invoice = &history.ledger.invoices[index];
        if invoice.amount <= Decimal::ZERO {
            continue;
        }
        let c = currencies.slot[invoice.currency as usize];
        // The first month end on which the document exists.
        let first = invoice.issue().map_or(0, |issue| snapshots.partition_point(|&t| t < issue));
        let mut walk = history.walk(index);
        let Some(&start) = snapshots.get(first) else { continue };
        let mut open = walk.open_at(start);
        for pair in first..snapshots.len() - 1 {
            let (t, next) = (snapshots[pair], snapshots[pair + 1]);
            if open <= Decimal::ZERO && walk.is_final() {
                break; // closed for good: nothing more to see
            }
            let open_next = walk.open_at(next);
            if open > Decimal::ZERO {
                let stay = open.min(open_next.max(Decimal::ZERO));
                let at = layout.start(pair, c, params.buckets.index(t - invoice.due));
                money::add(&mut sums[at], open);
                money::add(&mut sums[at + 1 + params.buckets.index(next - invoice.due)], stay);
                money::add(&mut sums[at + 1 + paid], open - stay);
            }
            open = open_next;
        }
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::ymd;

    fn day(y: i32, m: u32, d: u32) -> Day {
        ymd(y, m, d).unwrap()
    }

    #[test]
    fn month_ends_of_a_range() {
        // 2024 is a leap year: 29 February.
        assert_eq!(
            month_ends(day(2024, 1, 31), day(2024, 4, 15)),
            vec![day(2024, 1, 31), day(2024, 2, 29), day(2024, 3, 31)]
        );
        // A --from after its month's end starts at the next one; a --to that
        // is a month end is one.
        assert_eq!(month_ends(day(2025, 1, 15), day(2025, 2, 28)), vec![day(2025, 1, 31), day(2025, 2, 28)]);
        assert_eq!(month_ends(day(2025, 2, 1), day(2025, 2, 27)), Vec::<Day>::new());
        assert_eq!(
            month_ends(day(2025, 12, 31), day(2026, 1, 31)),
            vec![day(2025, 12, 31), day(2026, 1, 31)]
        );
    }

    mod properties {
        use super::super::*;
        use crate::domain::testing::ledger;
        use proptest::prelude::*;

        proptest! {
            /// The flows out of each bucket add up to its balance, to the
            /// cent; every balance is the open amount at the earlier month
            /// end of the documents with amount > 0 and open > 0 in it; and
            /// splitting the ledger in two parts changes nothing.
            #[test]
            fn flows_add_up_to_the_balance(
                docs in prop::collection::vec((1u32..3, prop::option::of(700_000i32..700_200), 700_000i32..700_200, -50_000i64..500_000), 1..40),
                pays in prop::collection::vec((0usize..1000, prop::option::of(699_990i32..700_250), -20_000i64..200_000), 0..80),
                bounds in prop::collection::btree_set(1i32..100, 1..4),
            ) {
                let ledger = ledger(&docs, &pays);
                // The eight or nine month ends among the days above.
                let snapshots = month_ends(699_990, 700_250);
                let params = RollParams { snapshots: snapshots.clone(), buckets: Buckets::new(bounds.into_iter().collect()).unwrap() };
                let rows = roll(&ledger, &params);
                let history = History::new(&ledger);
                for row in &rows {
                    prop_assert_eq!(row.flows.iter().copied().sum::<Decimal>(), row.balance);
                    prop_assert!(row.flows.iter().all(|f| *f >= Decimal::ZERO));
                    let cur = ledger.currencies.find_handle(&row.currency);
                    let expected: Decimal = (0..docs.len())
                        .filter(|&i| ledger.invoices[i].currency == cur && ledger.invoices[i].amount > Decimal::ZERO)
                        .map(|i| (i, history.open_at(i, row.from)))
                        .filter(|&(i, open)| open > Decimal::ZERO && params.buckets.index(row.from - ledger.invoices[i].due) == row.bucket)
                        .map(|(_, open)| open)
                        .sum();
                    prop_assert_eq!(row.balance, expected);
                }
                // What flows into a bucket at t' is at most its balance then
                // (growth and documents issued in between add to it, nothing else).
                for into in &rows {
                    let inflow: Decimal = rows
                        .iter()
                        .filter(|r| r.to == into.from && r.currency == into.currency)
                        .map(|r| r.flows[into.bucket])
                        .sum();
                    prop_assert!(inflow <= into.balance, "{} into {}: {} > {}", into.currency, into.bucket, inflow, into.balance);
                }
                let currencies = Currencies::new(&ledger);
                let layout = Layout::new(&params, currencies.codes.len());
                let cut = docs.len() / 2;
                let mut split = tally(&history, &params, &currencies, &layout, 0..cut);
                for (sum, value) in split.iter_mut().zip(tally(&history, &params, &currencies, &layout, cut..docs.len())) {
                    *sum += value;
                }
                prop_assert_eq!(layout.rows(&split, &params, &currencies.codes), rows);
            }
        }
    }
}
