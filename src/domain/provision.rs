//! Expected credit loss with a provision matrix (SPEC §4 `provision`,
//! IFRS 9 simplified approach): a loss rate per aging bucket, learned from
//! the company's own history (the cohort method) or given, applied to the
//! open receivables of each bucket at the as-of date.
//!
//! The cohort method: of every document old enough to know its fate
//! (`due + default_after <= as_of`), what *reached* each bucket (the amount
//! for `current`, the balance still open on the day before the bucket's
//! first day past due for the others) and what was *lost* (still open
//! `default_after` days past due). A bucket's loss rate is lost / reached.
//! Rates are kept as exact fractions, so an ECL is rounded once, from the
//! exact rate.

use super::aging::Buckets;
use super::history::History;
use super::ledger::Ledger;
use crate::dates::Day;
use crate::group::KeyedSums;
use crate::money;
use anyhow::Result;
use rust_decimal::Decimal;

#[derive(Clone, Debug)]
pub struct ProvisionParams {
    pub as_of: Day,
    pub buckets: Buckets,
    /// First issue date of the history.
    pub history_from: Day,
    /// Days past due after which what is still open is lost.
    pub default_after: i32,
    /// `--adjust PCT`: forward-looking change of every rate (more than -100).
    pub adjust: Decimal,
    /// `--rates`: the loss rate (a percentage) of each bucket, instead of the history.
    pub given: Option<Vec<Decimal>>,
    /// Leading `Ledger::extras` to group by (`--by`).
    pub by: usize,
}

/// An exact rate `num / den` (`den > 0`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    num: Decimal,
    den: Decimal,
}

impl Rate {
    pub const ONE: Rate = Rate { num: Decimal::ONE, den: Decimal::ONE };

    /// `num / den`; `None` when `den` is 0.
    pub fn new(num: Decimal, den: Decimal) -> Option<Rate> {
        (!den.is_zero()).then_some(Rate { num, den })
    }

    /// The rate as a percentage (exact up to 28 digits).
    pub fn pct(self) -> Decimal {
        money::percent(self.num, self.den).unwrap_or_default()
    }

    /// `min(1, rate x (1 + pct / 100))`, still exact.
    pub fn adjusted(self, pct: Decimal) -> Rate {
        let num = self.num * (Decimal::ONE_HUNDRED + pct);
        let den = self.den * Decimal::ONE_HUNDRED;
        if num >= den {
            Rate::ONE
        } else {
            Rate { num, den }
        }
    }

    /// `amount x rate`, multiplied before dividing so that the result is
    /// exact whenever it has at most 28 digits.
    pub fn of(self, amount: Decimal) -> Decimal {
        amount
            .checked_mul(self.num)
            .and_then(|p| p.checked_div(self.den))
            .unwrap_or_else(|| amount * (self.num / self.den))
    }
}

/// One bucket of one group and currency.
#[derive(Clone, Debug, PartialEq)]
pub struct ProvisionRow {
    /// The `--by` values.
    pub keys: Vec<String>,
    pub currency: String,
    pub bucket: usize,
    /// Open at the as-of date of the documents with amount > 0 and open > 0 in the bucket.
    pub gross: Decimal,
    /// What reached the bucket and what was lost from it (`None` with `--rates`).
    pub reached: Option<Decimal>,
    pub lost: Option<Decimal>,
    /// `None` when nothing reached the bucket.
    pub loss_rate: Option<Rate>,
    pub applied: Option<Rate>,
    /// `gross x applied`, rounded to the currency's minor unit.
    pub ecl: Option<Decimal>,
}

/// One currency's total: the ECL is the sum of the rounded bucket ECLs.
#[derive(Clone, Debug, PartialEq)]
pub struct ProvisionTotal {
    pub currency: String,
    pub gross: Decimal,
    pub ecl: Decimal,
}

/// The sums of one (group, currency), by bucket.
struct Group {
    /// The `--by` values' handles, then the currency's.
    handles: Vec<u32>,
    gross: Vec<Decimal>,
    reached: Vec<Decimal>,
    lost: Vec<Decimal>,
}

/// What a sum of [`provision`] measures: the last handle of its key, after
/// the group's handles and the bucket.
mod measure {
    pub const GROSS: u32 = 0;
    pub const REACHED: u32 = 1;
    pub const LOST: u32 = 2;
}

/// The sums of every group and bucket, added up by polars ([`KeyedSums`]).
struct Sums<'a> {
    ledger: &'a Ledger,
    by: usize,
    sums: KeyedSums,
    key: Vec<u32>,
}

impl<'a> Sums<'a> {
    fn new(ledger: &'a Ledger, by: usize) -> Sums<'a> {
        Sums { ledger, by, sums: KeyedSums::new(by + 3), key: Vec::with_capacity(by + 3) }
    }

    /// Adds `amount` to `measure` of invoice `i`'s group in `bucket`.
    fn add(&mut self, i: usize, bucket: usize, measure: u32, amount: Decimal) -> Result<()> {
        let ledger = self.ledger;
        self.key.clear();
        self.key.extend(ledger.extras[..self.by].iter().map(|c| c.values[i]));
        self.key.extend([ledger.invoices[i].currency, bucket as u32, measure]);
        self.sums.push(&self.key, amount, None)
    }

    /// The groups that have a sum, ordered by key texts, then currency.
    fn into_groups(self, buckets: usize) -> Result<Vec<Group>> {
        let mut groups: Vec<Group> = Vec::new();
        self.sums.finish()?.for_each(|sum| {
            let [.., bucket, measure] = sum.key[..] else {
                unreachable!("a key ends with bucket and measure")
            };
            let handles = &sum.key[..sum.key.len() - 2];
            if groups.last().is_none_or(|group| group.handles != handles) {
                let zeros = vec![Decimal::ZERO; buckets];
                groups.push(Group {
                    handles: handles.to_vec(),
                    gross: zeros.clone(),
                    reached: zeros.clone(),
                    lost: zeros,
                });
            }
            let group = groups.last_mut().expect("a group for the sum");
            let sums = match measure {
                measure::GROSS => &mut group.gross,
                measure::REACHED => &mut group.reached,
                _ => &mut group.lost,
            };
            sums[bucket as usize] = sum.sum;
        })?;
        let ledger = self.ledger;
        groups.sort_by_cached_key(|group| {
            let (currency, values) = group.handles.split_last().expect("a group has its currency");
            let keys: Vec<&str> = values.iter().map(|&value| ledger.texts.get(value)).collect();
            (keys, ledger.currencies.get(*currency))
        });
        Ok(groups)
    }
}

/// Rows per (`--by` keys, currency, bucket) for each group with history or
/// gross, ordered by keys, currency, bucket.
pub fn provision(ledger: &Ledger, params: &ProvisionParams) -> Result<Vec<ProvisionRow>> {
    let history = History::new(ledger);
    let mut sums = Sums::new(ledger, params.by);
    for (i, invoice) in ledger.invoices.iter().enumerate() {
        if invoice.amount <= Decimal::ZERO {
            continue;
        }
        let open = history.open_at(i, params.as_of);
        if open > Decimal::ZERO {
            sums.add(i, params.buckets.index(params.as_of - invoice.due), measure::GROSS, open)?;
        }
        if params.given.is_none() && in_history(ledger, i, params) {
            add_history(&history, i, params, &mut sums)?;
        }
    }
    let groups = sums.into_groups(params.buckets.count())?;
    Ok(groups.iter().flat_map(|group| rows_of(ledger, group, params)).collect())
}

/// Whether the invoice is in the history: issued on or after
/// `history_from` and `default_after` days past due by the as-of date.
fn in_history(ledger: &Ledger, i: usize, params: &ProvisionParams) -> bool {
    let invoice = &ledger.invoices[i];
    invoice.issue().is_some_and(|issue| issue >= params.history_from)
        && invoice.due.saturating_add(params.default_after) <= params.as_of
}

/// Adds what the invoice brought to each bucket (`reached`) and what was
/// lost from it (`min(lost_i, reached)`). A zero adds nothing and is not
/// handed over; what reached `current` (the amount, above 0) always is,
/// so every document of the history makes its group appear.
fn add_history(history: &History, i: usize, params: &ProvisionParams, sums: &mut Sums) -> Result<()> {
    let invoice = &history.ledger.invoices[i];
    let lost = history.open_at(i, invoice.due.saturating_add(params.default_after)).max(Decimal::ZERO);
    let mut walk = history.walk(i);
    for k in 0..params.buckets.count() {
        let reached = match params.buckets.first_day(k) {
            None => invoice.amount,
            Some(lo) => walk.open_at(invoice.due.saturating_add(lo - 1)).max(Decimal::ZERO),
        };
        if !reached.is_zero() {
            sums.add(i, k, measure::REACHED, reached)?;
        }
        let lost_here = lost.min(reached);
        if !lost_here.is_zero() {
            sums.add(i, k, measure::LOST, lost_here)?;
        }
    }
    Ok(())
}

fn rows_of(ledger: &Ledger, group: &Group, params: &ProvisionParams) -> Vec<ProvisionRow> {
    let (&currency, values) = group.handles.split_last().expect("a group has its currency");
    let keys: Vec<String> = values.iter().map(|&value| ledger.texts.get(value).to_string()).collect();
    let currency = ledger.currencies.get(currency).to_string();
    let digits = money::minor_digits(&currency);
    (0..params.buckets.count())
        .map(|k| {
            let loss_rate = loss_rate(group, k, params);
            let applied = loss_rate.map(|r| r.adjusted(params.adjust));
            let from_history = params.given.is_none();
            ProvisionRow {
                keys: keys.clone(),
                currency: currency.clone(),
                bucket: k,
                gross: group.gross[k],
                reached: from_history.then_some(group.reached[k]),
                lost: from_history.then_some(group.lost[k]),
                loss_rate,
                applied,
                ecl: applied.map(|r| money::round(r.of(group.gross[k]), digits)),
            }
        })
        .collect()
}

/// The given rate; else 1 past `default_after`; else lost / reached.
fn loss_rate(group: &Group, k: usize, params: &ProvisionParams) -> Option<Rate> {
    if let Some(given) = &params.given {
        return Rate::new(given[k], Decimal::ONE_HUNDRED);
    }
    if params.buckets.first_day(k).is_some_and(|lo| lo > params.default_after) {
        return Some(Rate::ONE);
    }
    Rate::new(group.lost[k], group.reached[k])
}

/// One total per currency, in currency order: gross, and the sum of the
/// bucket ECLs that have a rate.
pub fn totals(rows: &[ProvisionRow]) -> Vec<ProvisionTotal> {
    let mut totals: Vec<ProvisionTotal> = Vec::new();
    for row in rows {
        let total = match totals.iter().position(|t| t.currency == row.currency) {
            Some(at) => &mut totals[at],
            None => {
                totals.push(ProvisionTotal {
                    currency: row.currency.clone(),
                    gross: Decimal::ZERO,
                    ecl: Decimal::ZERO,
                });
                totals.last_mut().expect("just pushed")
            }
        };
        money::add(&mut total.gross, row.gross);
        if let Some(ecl) = row.ecl {
            money::add(&mut total.ecl, ecl);
        }
    }
    totals.sort_by(|a, b| a.currency.cmp(&b.currency));
    totals
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn rates_are_exact_fractions() {
        // 60,000 x 2,000 / 23,000 = 5,217.3913..; 0.045 x 1/3 = 0.015 exactly (rounds up to 0.02,
        // where 0.045 x 0.3333.. would give 0.01499.. and round down).
        let r = Rate::new(d("2000"), d("23000")).unwrap();
        assert_eq!(money::round(r.of(d("60000")), 2), d("5217.39"));
        assert_eq!(money::round(Rate::new(d("1"), d("3")).unwrap().of(d("0.045")), 2), d("0.02"));
        assert_eq!(money::round(r.pct(), 4), d("8.6957"));
        // +50 %: 2/23 x 1.5 = 3/23; 25 % x 5 = 125 % is capped at 1.
        assert_eq!(r.adjusted(d("50")).of(d("23")), d("3"));
        assert_eq!(Rate::new(d("1"), d("4")).unwrap().adjusted(d("400")), Rate::ONE);
        assert_eq!(Rate::new(d("1"), d("0")), None);
    }

    mod properties {
        use super::super::*;
        use crate::domain::testing::ledger;
        use proptest::prelude::*;

        proptest! {
            /// Whatever the payments (reversals, overpayments, payments before
            /// issue), nothing is lost that did not reach a bucket: every rate
            /// is in [0, 100] %, every ECL between 0 and its gross, and the
            /// gross per currency is the sum of the positive open balances.
            #[test]
            fn rates_stay_between_0_and_1(
                docs in prop::collection::vec((1u32..3, prop::option::of(0i32..400), 0i32..400, -50_000i64..500_000), 1..40),
                pays in prop::collection::vec((0usize..1000, prop::option::of(0i32..500), -20_000i64..200_000), 0..80),
                default_after in 0i32..200,
                bounds in prop::collection::btree_set(1i32..150, 1..4),
            ) {
                let ledger = ledger(&docs, &pays);
                let params = ProvisionParams {
                    as_of: 500,
                    buckets: Buckets::new(bounds.into_iter().collect()).unwrap(),
                    history_from: 0,
                    default_after,
                    adjust: Decimal::ZERO,
                    given: None,
                    by: 0,
                };
                let rows = provision(&ledger, &params).unwrap();
                let history = History::new(&ledger);
                for row in &rows {
                    let (reached, lost) = (row.reached.unwrap(), row.lost.unwrap());
                    prop_assert!(Decimal::ZERO <= lost && lost <= reached);
                    if let Some(rate) = row.applied {
                        prop_assert!(rate.pct() >= Decimal::ZERO && rate.pct() <= Decimal::ONE_HUNDRED);
                        let ecl = row.ecl.unwrap();
                        prop_assert!(Decimal::ZERO <= ecl && ecl <= row.gross);
                    }
                }
                for total in totals(&rows) {
                    let cur = ledger.currencies.find_handle(&total.currency);
                    let gross: Decimal = (0..docs.len())
                        .filter(|&i| ledger.invoices[i].currency == cur && ledger.invoices[i].amount > Decimal::ZERO)
                        .map(|i| history.open_at(i, 500).max(Decimal::ZERO))
                        .sum();
                    prop_assert_eq!(total.gross, gross);
                }
            }
        }
    }
}
