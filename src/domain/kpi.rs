//! Collection measures per period (docs/kpi.md): recovery rate, days to
//! collect / late / to settle, reoffending rate, DSO, best possible DSO,
//! ADD, CEI and the balances behind them. Every figure is kept exact; rates
//! and averages are `None` when their denominator is empty.

use super::history::{Episodes, History};
use super::ledger::Ledger;
use crate::dates::{date_of, day_of, Day, MaybeDay};
use crate::money;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// How the range is split (`--every`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    Month,
    Quarter,
    Year,
}

/// Calendar periods covering `[from, to]`, the first and last clipped.
pub fn periods(from: Day, to: Day, every: Option<Every>) -> Vec<(Day, Day)> {
    let Some(every) = every else { return vec![(from, to)] };
    let months = match every {
        Every::Month => 1,
        Every::Quarter => 3,
        Every::Year => 12,
    };
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let d = date_of(start);
        let first_month0 = (d.month0() / months) * months;
        let period_first = NaiveDate::from_ymd_opt(d.year(), first_month0 + 1, 1).expect("valid month start");
        let next = period_first.checked_add_months(chrono::Months::new(months)).expect("date in range");
        let end = (day_of(next) - 1).min(to);
        out.push((start, end));
        start = end + 1;
    }
    out
}

#[derive(Clone, Copy, Debug)]
pub struct KpiParams {
    pub as_of: Day,
    pub grace: i32,
    pub window: i32,
}

/// The sums behind one row (one period, one group, one currency).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KpiSums {
    pub overdue_owed: Decimal,
    pub recovered: Decimal,
    pub collected_invoices: u64,
    collect_days: i64,
    pub settled_invoices: u64,
    late_days: i64,
    settle_days: i64,
    settle_days_count: u64,
    pub cured_customers: u64,
    pub reoffended_customers: u64,
    pub pending_customers: u64,
    pub ar_begin: Decimal,
    pub ar_end: Decimal,
    pub current_end: Decimal,
    pub sales: Decimal,
    /// Days in the period.
    pub days: i64,
}

fn ratio(sum: i64, count: u64) -> Option<Decimal> {
    (count > 0).then(|| Decimal::from(sum) / Decimal::from(count))
}

fn pct(part: Decimal, whole: Decimal) -> Option<Decimal> {
    crate::money::percent(part, whole)
}

impl KpiSums {
    pub fn recovery_rate_pct(&self) -> Option<Decimal> {
        pct(self.recovered, self.overdue_owed)
    }
    pub fn avg_days_to_collect(&self) -> Option<Decimal> {
        ratio(self.collect_days, self.collected_invoices)
    }
    pub fn avg_days_late(&self) -> Option<Decimal> {
        ratio(self.late_days, self.settled_invoices)
    }
    pub fn avg_days_to_settle(&self) -> Option<Decimal> {
        ratio(self.settle_days, self.settle_days_count)
    }
    pub fn reoffending_rate_pct(&self) -> Option<Decimal> {
        let judged = self.cured_customers - self.pending_customers;
        pct(Decimal::from(self.reoffended_customers), Decimal::from(judged))
    }
    /// `value / sales x days`; `None` without sales, or when the ratio is
    /// beyond `Decimal`'s range (a few cents of sales against a huge balance).
    /// Multiplied first and divided once, so a result with an exact decimal
    /// form is exact: 10015 x 30 / 30000 = 10.015, a tie that prints 10.02,
    /// where 10015 / 30000 cut at 28 digits, times 30, is 10.01499.. (10.01).
    fn per_sales_days(&self, value: Decimal) -> Option<Decimal> {
        if self.sales <= Decimal::ZERO {
            return None;
        }
        let days = Decimal::from(self.days);
        match value.checked_mul(days) {
            Some(product) => product.checked_div(self.sales),
            None => value.checked_div(self.sales)?.checked_mul(days),
        }
    }
    pub fn dso(&self) -> Option<Decimal> {
        self.per_sales_days(self.ar_end)
    }
    pub fn best_possible_dso(&self) -> Option<Decimal> {
        self.per_sales_days(self.current_end)
    }
    /// `dso - best_possible_dso`, as one ratio: `overdue_end / sales x days`.
    pub fn add(&self) -> Option<Decimal> {
        self.per_sales_days(self.overdue_end())
    }
    pub fn cei_pct(&self) -> Option<Decimal> {
        let denominator = self.ar_begin + self.sales - self.current_end;
        (denominator > Decimal::ZERO)
            .then(|| pct(self.ar_begin + self.sales - self.ar_end, denominator))
            .flatten()
    }
    pub fn overdue_end(&self) -> Decimal {
        self.ar_end - self.current_end
    }
    pub fn overdue_pct(&self) -> Option<Decimal> {
        pct(self.overdue_end(), self.ar_end)
    }
}

/// Invoice-level facts computed once for all periods.
pub struct Facts<'a> {
    pub history: History<'a>,
    /// Each invoice's settlement day (4 bytes each: ten million of them).
    settle: Vec<MaybeDay>,
    episodes: Episodes,
}

impl<'a> Facts<'a> {
    pub fn new(ledger: &'a Ledger, params: &KpiParams) -> Facts<'a> {
        let history = History::new(ledger);
        let settle = (0..ledger.invoices.len())
            .map(|i| if ledger.invoices[i].amount > Decimal::ZERO { history.settle(i) } else { None }.into())
            .collect();
        let episodes = Episodes::new(&history, params.grace, params.as_of);
        Facts { history, settle, episodes }
    }

    /// Invoices with amount > 0 settled without an issue date (left out of
    /// `avg_days_to_settle`).
    pub fn settled_without_issue_date(&self) -> usize {
        let invoices = &self.history.ledger.invoices;
        (0..invoices.len())
            .filter(|&i| self.settle[i].get().is_some() && invoices[i].issue().is_none())
            .count()
    }

    /// Sums for every (period, group): `group_of` gives each invoice's group
    /// (groups must be constant per customer and currency), `groups` their number.
    pub fn measure(
        &self,
        periods: &[(Day, Day)],
        groups: usize,
        group_of: impl Fn(usize) -> usize,
        params: &KpiParams,
    ) -> Vec<Vec<KpiSums>> {
        let mut sums = vec![vec![KpiSums::default(); groups]; periods.len()];
        for (p, &(s, e)) in periods.iter().enumerate() {
            for row in &mut sums[p] {
                row.days = (e - s + 1) as i64;
            }
        }
        let ledger = self.history.ledger;
        for i in 0..ledger.invoices.len() {
            let g = group_of(i);
            for (p, &(s, e)) in periods.iter().enumerate() {
                self.add_invoice(&mut sums[p][g], i, s, e);
            }
        }
        for (pair, episodes) in self.episodes.episodes.iter().enumerate() {
            let g = group_of(self.episodes.first_invoice[pair]);
            for (p, &(s, e)) in periods.iter().enumerate() {
                add_reoffending(&mut sums[p][g], episodes, s, e, params);
            }
        }
        sums
    }

    fn add_invoice(&self, sums: &mut KpiSums, i: usize, s: Day, e: Day) {
        let h = &self.history;
        let inv = &h.ledger.invoices[i];
        money::add(&mut sums.ar_begin, h.open_at(i, s - 1));
        let open_end = h.open_at(i, e);
        money::add(&mut sums.ar_end, open_end);
        if inv.due >= e {
            money::add(&mut sums.current_end, open_end);
        }
        if inv.issue().is_some_and(|issue| s <= issue && issue <= e) {
            money::add(&mut sums.sales, inv.amount);
        }
        if inv.amount <= Decimal::ZERO {
            return;
        }
        self.add_recovery(sums, i, s, e);
        if let Some(settle) = self.settle[i].get().filter(|d| s <= *d && *d <= e) {
            let late = (settle - inv.due) as i64;
            sums.settled_invoices += 1;
            sums.late_days += late.max(0);
            if late > 0 {
                sums.collected_invoices += 1;
                sums.collect_days += late;
            }
            if let Some(issue) = inv.issue() {
                sums.settle_days += (settle - issue) as i64;
                sums.settle_days_count += 1;
            }
        }
    }

    /// Recovery base: open at the end of its due date, due before `e`; owed
    /// = open at max(S-1, due), counted if > 0; recovered = its payments in
    /// [max(S, due+1), E], capped to [0, owed].
    fn add_recovery(&self, sums: &mut KpiSums, i: usize, s: Day, e: Day) {
        let h = &self.history;
        let due = h.ledger.invoices[i].due;
        if due >= e || h.open_at(i, due) <= Decimal::ZERO {
            return;
        }
        let owed = h.open_at(i, (s - 1).max(due));
        if owed <= Decimal::ZERO {
            return;
        }
        let paid = h.paid_between(i, s.max(due + 1), e);
        money::add(&mut sums.overdue_owed, owed);
        money::add(&mut sums.recovered, paid.max(Decimal::ZERO).min(owed));
    }
}

/// The cohort of one customer: its first cure date in `[s, e]`; did a new
/// episode start within the window after it, or is it too early to tell?
fn add_reoffending(
    sums: &mut KpiSums,
    episodes: &[super::history::Episode],
    s: Day,
    e: Day,
    params: &KpiParams,
) {
    let Some(cure) = episodes.iter().filter_map(|ep| ep.cure).find(|c| s <= *c && *c <= e) else { return };
    sums.cured_customers += 1;
    let limit = cure + params.window;
    if episodes.iter().any(|ep| ep.start > cure && ep.start <= limit) {
        sums.reoffended_customers += 1;
    } else if limit > params.as_of {
        sums.pending_customers += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::{iso, ymd};

    /// DSO of 550 open on 300 of sales over 31 days: 550 / 300 x 31 = 56.83;
    /// a ratio beyond Decimal's range (a cent of sales against 10^27 open)
    /// is no value rather than a panic.
    #[test]
    fn dso_is_exact_and_none_beyond_range() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let sums = KpiSums {
            ar_end: d("550"),
            current_end: d("0"),
            sales: d("300"),
            days: 31,
            ..Default::default()
        };
        assert_eq!(crate::money::round(sums.dso().unwrap(), 2), d("56.83"));
        assert_eq!(crate::money::round(sums.add().unwrap(), 2), d("56.83"));
        let huge = KpiSums {
            ar_end: d("1e27"),
            current_end: d("-1e27"),
            sales: d("0.01"),
            days: 31,
            ..Default::default()
        };
        assert_eq!(huge.dso(), None);
        assert_eq!(huge.best_possible_dso(), None);
        assert_eq!(huge.add(), None);
    }

    /// Exact ties round up, as every printed figure is rounded from the
    /// exact value: April (30 days), 10015 open of 30000 of sales is
    /// 10015 x 30 / 30000 = 10.015 -> 10.02 (dso, and add with nothing
    /// current); March (31 days), 305 of 31000 is 9455 / 31000 = 0.305 -> 0.31.
    #[test]
    fn dso_ties_round_up_from_the_exact_ratio() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let sums = |ar_end: &str, sales: &str, days| KpiSums {
            ar_end: d(ar_end),
            sales: d(sales),
            days,
            ..Default::default()
        };
        let april = sums("10015", "30000", 30);
        assert_eq!(crate::money::round(april.dso().unwrap(), 2), d("10.02"));
        assert_eq!(crate::money::round(april.add().unwrap(), 2), d("10.02"));
        let march = sums("305", "31000", 31);
        assert_eq!(crate::money::round(march.dso().unwrap(), 2), d("0.31"));
        let best = KpiSums { current_end: d("305"), ..march };
        assert_eq!(crate::money::round(best.best_possible_dso().unwrap(), 2), d("0.31"));
        assert_eq!(best.add(), Some(Decimal::ZERO));
    }

    #[test]
    fn calendar_periods_are_clipped_to_the_range() {
        let p = periods(ymd(2025, 1, 15).unwrap(), ymd(2025, 3, 10).unwrap(), Some(Every::Month));
        let text: Vec<(String, String)> = p.iter().map(|(s, e)| (iso(*s), iso(*e))).collect();
        assert_eq!(
            text,
            vec![
                ("2025-01-15".into(), "2025-01-31".into()),
                ("2025-02-01".into(), "2025-02-28".into()),
                ("2025-03-01".into(), "2025-03-10".into()),
            ]
        );
        let q = periods(ymd(2024, 11, 1).unwrap(), ymd(2025, 6, 30).unwrap(), Some(Every::Quarter));
        assert_eq!(q.len(), 3);
        assert_eq!(iso(q[0].1), "2024-12-31");
        assert_eq!(iso(q[1].0), "2025-01-01");
        assert_eq!(periods(5, 9, None), vec![(5, 9)]);
    }

    mod properties {
        use super::super::*;
        use crate::domain::testing::ledger;
        use proptest::prelude::*;

        proptest! {
            /// 0 <= recovered <= overdue_owed in every period, and monthly
            /// sales, settled and collected invoices add up to the range's.
            #[test]
            fn recovery_is_bounded_and_monthly_counts_add_up(
                docs in prop::collection::vec((1u32..3, prop::option::of(738_000i32..738_300), 738_000i32..738_300, -50_000i64..500_000), 1..40),
                pays in prop::collection::vec((0usize..1000, prop::option::of(737_990i32..738_400), -20_000i64..200_000), 0..60),
            ) {
                let as_of = 738_400;
                let ledger = ledger(&docs, &pays).restrict_to(as_of);
                let params = KpiParams { as_of, grace: 0, window: 30 };
                let facts = Facts::new(&ledger, &params);
                let (from, to) = (738_000, 738_399);
                let group = |i: usize| ledger.invoices[i].currency as usize - 1;
                let months = facts.measure(&periods(from, to, Some(Every::Month)), 2, group, &params);
                let whole = facts.measure(&[(from, to)], 2, group, &params);
                for g in 0..2 {
                    for month in &months {
                        prop_assert!(month[g].recovered >= Decimal::ZERO);
                        prop_assert!(month[g].recovered <= month[g].overdue_owed);
                    }
                    let sales: Decimal = months.iter().map(|m| m[g].sales).sum();
                    prop_assert_eq!(sales, whole[0][g].sales);
                    let settled: u64 = months.iter().map(|m| m[g].settled_invoices).sum();
                    prop_assert_eq!(settled, whole[0][g].settled_invoices);
                    let collected: u64 = months.iter().map(|m| m[g].collected_invoices).sum();
                    prop_assert_eq!(collected, whole[0][g].collected_invoices);
                }
            }
        }
    }
}
