//! Payment-plan arithmetic (docs/plan.md): installment schedules with
//! French amortization or equal installments, and settlement offers. All
//! money is exact `Decimal`, rounded to cents half away from zero from the
//! exact value, with the last installment absorbing the rounding.

use crate::dates::{date_of, day_of, Day};
use crate::money::round;
use rust_decimal::{Decimal, RoundingStrategy};

/// How often installments fall due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frequency {
    Month,
    TwoWeeks,
    Week,
    Quarter,
}

impl Frequency {
    pub fn periods_per_year(self) -> u32 {
        match self {
            Frequency::Month => 12,
            Frequency::TwoWeeks => 26,
            Frequency::Week => 52,
            Frequency::Quarter => 4,
        }
    }

    /// The due date `k` periods after `start`, always computed from the
    /// start: months keep its day of month, clamped to the month's end.
    pub fn due_date(self, start: Day, k: u32) -> Day {
        let months = |m: u32| {
            date_of(start).checked_add_months(chrono::Months::new(m)).map(day_of).unwrap_or(Day::MAX)
        };
        match self {
            Frequency::Month => months(k),
            Frequency::Quarter => months(3 * k),
            Frequency::Week => start + 7 * k as i32,
            Frequency::TwoWeeks => start + 14 * k as i32,
        }
    }
}

/// What to finance and how.
#[derive(Clone, Debug)]
pub struct PlanTerms {
    pub amount: Decimal,
    pub down_payment: Decimal,
    pub fee: Decimal,
    /// Annual rate in percent (0 = no interest).
    pub annual_rate: Decimal,
    pub every: Frequency,
    pub start: Day,
}

impl PlanTerms {
    /// `amount - down_payment + fee`.
    pub fn financed(&self) -> Decimal {
        self.amount - self.down_payment + self.fee
    }

    /// The periodic rate `r` = annual rate / 100 / periods per year.
    pub fn period_rate(&self) -> PeriodRate {
        PeriodRate {
            annual_pct: self.annual_rate,
            divisor: Decimal::ONE_HUNDRED * Decimal::from(self.every.periods_per_year()),
        }
    }
}

/// The periodic rate `r` = annual rate / (100 * periods per year), kept as
/// that fraction: 10 % a month is 1/120, which has no exact decimal form.
/// A period's interest multiplies first and divides once, so a balance
/// whose interest is exactly half a cent (15.00 at 1/120 = 0.125) is that
/// tie and rounds up; `balance * r` with `r` cut to 28 digits would give
/// 0.12499.. and round down.
#[derive(Clone, Copy, Debug)]
pub struct PeriodRate {
    annual_pct: Decimal,
    divisor: Decimal,
}

impl PeriodRate {
    /// `r` as a decimal (cut at Decimal's 28 digits when it does not end):
    /// for the growth factor, never for a period's interest.
    fn approximate(&self) -> Decimal {
        self.annual_pct / self.divisor
    }

    fn is_zero(&self) -> bool {
        self.annual_pct.is_zero()
    }

    /// `balance * r`, exact whenever its decimal form ends.
    fn interest(&self, balance: Decimal) -> Decimal {
        balance * self.annual_pct / self.divisor
    }

    /// A period's interest on `balance`, rounded to cents.
    fn interest_cents(&self, balance: Decimal) -> Decimal {
        round(self.interest(balance), 2)
    }
}

/// One row of a schedule; `n` = 0 is the down payment.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleRow {
    pub n: u32,
    pub due_date: Day,
    pub installment: Decimal,
    pub interest: Decimal,
    pub principal: Decimal,
    pub balance: Decimal,
}

/// Most installments in one plan (`plan schedule --installments`, each
/// `plan offer --options` count, the `--max-installment` search).
pub const MAX_INSTALLMENTS: u32 = 10_000;

/// Largest amount, down payment or fee a plan takes (10^15, a thousand
/// billion): with [`MAX_ANNUAL_RATE`] and [`MAX_INSTALLMENTS`] every sum of a
/// schedule stays far inside Decimal's range (about 7.9e28).
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

/// Highest annual rate a plan takes, in percent.
pub const MAX_ANNUAL_RATE: Decimal = Decimal::from_parts(1000, 0, 0, false, 0);

/// The schedule for `n` installments (plus the down payment row when there
/// is one).
pub fn schedule(terms: &PlanTerms, n: u32) -> Vec<ScheduleRow> {
    let financed = terms.financed();
    let mut rows = Vec::with_capacity(n as usize + 1);
    if !terms.down_payment.is_zero() {
        rows.push(ScheduleRow {
            n: 0,
            due_date: terms.start,
            installment: terms.down_payment,
            interest: Decimal::ZERO,
            principal: terms.down_payment,
            balance: financed,
        });
    }
    let r = terms.period_rate();
    let regular = regular_installment(financed, r, n);
    let mut balance = financed;
    for k in 1..=n {
        let interest = r.interest_cents(balance);
        let principal = if k == n { balance } else { regular - interest };
        balance -= principal;
        rows.push(ScheduleRow {
            n: k,
            due_date: terms.every.due_date(terms.start, k),
            installment: principal + interest,
            interest,
            principal,
            balance,
        });
    }
    rows
}

/// The regular installment of `n` installments: French `P*r / (1 -
/// (1+r)^-n)` rounded to cents; without a rate, `P/n` rounded down to cents.
fn regular_installment(financed: Decimal, r: PeriodRate, n: u32) -> Decimal {
    let mut growth = Growth::new(r);
    for _ in 1..n {
        growth.step();
    }
    growth.installment(financed, n)
}

/// `e = (1+r)^n - 1`, stepped one period at a time (`e' = e*(1+r) + r`).
///
/// The French installment is written with it as `P*r + P*r/e`, which is
/// `P*r / (1 - (1+r)^-n)` exactly but needs no power that can overflow
/// (1.01^10000 is about 1.6e43, past Decimal's 7.9e28) and keeps its
/// precision for tiny rates, where `1 - (1+r)^-n` would cancel. Once `e`
/// passes 10^28 it stops growing: `P*r/e` is then below Decimal's last digit
/// of any installment (amounts are capped far below 10^28), so the
/// installment is `P*r` rounded, with ties still going up as the exact
/// value (a hair above `P*r`) does.
#[derive(Clone, Copy, Debug)]
struct Growth {
    rate: PeriodRate,
    /// `r` as a decimal, to step `e` with.
    r: Decimal,
    e: Decimal,
}

impl Growth {
    /// Where `e` stops growing.
    const CEILING: Decimal = Decimal::from_parts(0x1000_0000, 0x3E25_0261, 0x204F_CE5E, false, 0);

    /// `e` after one period: `(1+r)^1 - 1 = r`.
    fn new(rate: PeriodRate) -> Growth {
        let r = rate.approximate();
        Growth { rate, r, e: r }
    }

    /// From `n` periods to `n + 1`.
    fn step(&mut self) {
        if self.e >= Self::CEILING {
            return;
        }
        let grown = self.e.checked_mul(Decimal::ONE + self.r).and_then(|g| g.checked_add(self.r));
        self.e = grown.map_or(Self::CEILING, |e| e.min(Self::CEILING));
    }

    /// The regular installment over `n` periods (`n` = the periods stepped).
    fn installment(&self, financed: Decimal, n: u32) -> Decimal {
        if self.rate.is_zero() {
            return (financed / Decimal::from(n)).round_dp_with_strategy(2, RoundingStrategy::ToZero);
        }
        let interest = self.rate.interest(financed);
        round(interest + interest / self.e, 2)
    }
}

/// The fewest installments for which every installment, the last
/// included, is at most `max`; an error when one period's interest alone
/// reaches `max` (or no count up to [`MAX_INSTALLMENTS`] fits).
///
/// Rows 1..n-1 depend on the regular installment only, not on `n`: one
/// amortization path per regular installment serves every count that
/// shares it, so the search is linear rather than a schedule per count.
pub fn installments_for_max(terms: &PlanTerms, max: Decimal) -> Result<u32, String> {
    let financed = terms.financed();
    let r = terms.period_rate();
    let first_interest = r.interest_cents(financed);
    if first_interest >= max {
        return Err(format!(
            "one period's interest ({first_interest}) already reaches --max-installment {max}: no plan can pay it off"
        ));
    }
    let mut growth = Growth::new(r);
    // Balances after 0, 1, 2, .. rows paying `path_installment`.
    let mut path_installment = None;
    let mut path = vec![financed];
    for n in 1..=MAX_INSTALLMENTS {
        if n > 1 {
            growth.step();
        }
        let regular = growth.installment(financed, n);
        if regular > max {
            continue;
        }
        if path_installment != Some(regular) {
            path_installment = Some(regular);
            path.truncate(1);
        }
        while path.len() < n as usize {
            let balance = path[path.len() - 1];
            path.push(balance - (regular - r.interest_cents(balance)));
        }
        let before_last = path[n as usize - 1];
        if before_last + r.interest_cents(before_last) <= max {
            return Ok(n);
        }
    }
    Err(format!("no schedule up to {MAX_INSTALLMENTS} installments keeps every installment at most {max}"))
}

/// Sums of a schedule (down payment included).
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleTotals {
    /// Installments after the down payment.
    pub installments: u32,
    pub total_paid: Decimal,
    pub interest: Decimal,
    pub principal: Decimal,
}

pub fn totals(rows: &[ScheduleRow]) -> ScheduleTotals {
    ScheduleTotals {
        installments: rows.iter().filter(|r| r.n > 0).count() as u32,
        total_paid: rows.iter().map(|r| r.installment).sum(),
        interest: rows.iter().map(|r| r.interest).sum(),
        principal: rows.iter().map(|r| r.principal).sum(),
    }
}

/// One line of a settlement offer.
#[derive(Clone, Debug, PartialEq)]
pub struct OfferOption {
    /// `lump_sum` or `N_installments`.
    pub option: String,
    pub installments: u32,
    pub installment: Decimal,
    pub last_installment: Decimal,
    pub total_paid: Decimal,
    pub interest: Decimal,
    pub cost_vs_lump_sum: Decimal,
}

/// The lump sum with its discount ("quita"), then one monthly plan per
/// installment count over the whole amount at `annual_rate`.
pub fn offer(
    amount: Decimal,
    discount_pct: Decimal,
    annual_rate: Decimal,
    counts: &[u32],
) -> Vec<OfferOption> {
    let lump = round(amount * (Decimal::ONE - discount_pct / Decimal::ONE_HUNDRED), 2);
    let mut options = vec![OfferOption {
        option: "lump_sum".into(),
        installments: 1,
        installment: lump,
        last_installment: lump,
        total_paid: lump,
        interest: Decimal::ZERO,
        cost_vs_lump_sum: Decimal::ZERO,
    }];
    let terms = PlanTerms {
        amount,
        down_payment: Decimal::ZERO,
        fee: Decimal::ZERO,
        annual_rate,
        every: Frequency::Month,
        start: 0,
    };
    for &n in counts {
        let rows = schedule(&terms, n);
        let sums = totals(&rows);
        options.push(OfferOption {
            option: format!("{n}_installments"),
            installments: n,
            installment: rows[0].installment,
            last_installment: rows[rows.len() - 1].installment,
            total_paid: sums.total_paid,
            interest: sums.interest,
            cost_vs_lump_sum: sums.total_paid - lump,
        });
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::{iso, ymd};
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn terms(amount: &str, rate: &str, every: Frequency) -> PlanTerms {
        PlanTerms {
            amount: d(amount),
            down_payment: Decimal::ZERO,
            fee: Decimal::ZERO,
            annual_rate: d(rate),
            every,
            start: ymd(2025, 1, 31).unwrap(),
        }
    }

    /// Month steps come from the start date: Jan 31 -> Feb 28 -> Mar 31.
    #[test]
    fn month_end_dates_are_clamped_from_the_start() {
        let t = terms("300", "0", Frequency::Month);
        let dates: Vec<String> = schedule(&t, 3).iter().map(|r| iso(r.due_date)).collect();
        assert_eq!(dates, ["2025-02-28", "2025-03-31", "2025-04-30"]);
        let leap = Frequency::Month.due_date(ymd(2024, 1, 31).unwrap(), 1);
        assert_eq!(iso(leap), "2024-02-29");
        assert_eq!(iso(Frequency::Quarter.due_date(ymd(2024, 11, 30).unwrap(), 1)), "2025-02-28");
        assert_eq!(iso(Frequency::TwoWeeks.due_date(ymd(2025, 1, 31).unwrap(), 2)), "2025-02-28");
        assert_eq!(iso(Frequency::Week.due_date(ymd(2025, 1, 31).unwrap(), 1)), "2025-02-07");
    }

    /// 1000.00 in 3 without interest: 333.33, 333.33, 333.34.
    #[test]
    fn zero_rate_rounds_down_and_the_last_takes_the_rest() {
        let rows = schedule(&terms("1000", "0", Frequency::Month), 3);
        let inst: Vec<String> = rows.iter().map(|r| r.installment.to_string()).collect();
        assert_eq!(inst, ["333.33", "333.33", "333.34"]);
        assert_eq!(rows[2].balance, Decimal::ZERO);
    }

    /// Standard amortization table: 10,000 at 12% a year over 12 months
    /// (r = 1%) pays 888.49 a month (P*r/(1-(1+r)^-12) = 888.4879).
    /// Row 1: interest 100.00, principal 788.49, balance 9211.51; row 2:
    /// interest 92.12, principal 796.37. The last row pays what is left:
    /// principal 879.67 + interest 8.80 = 888.47; in all 10,661.86 paid,
    /// 661.86 of interest (the unrounded annuity gives 661.85).
    #[test]
    fn french_amortization_reproduces_the_textbook_table() {
        let rows = schedule(&terms("10000", "12", Frequency::Month), 12);
        assert_eq!(rows[0].installment.to_string(), "888.49");
        assert_eq!(rows[0].interest.to_string(), "100.00");
        assert_eq!(rows[0].principal.to_string(), "788.49");
        assert_eq!(rows[0].balance.to_string(), "9211.51");
        assert_eq!(rows[1].interest.to_string(), "92.12");
        let last = &rows[11];
        assert_eq!(last.balance, Decimal::ZERO);
        let sums = totals(&rows);
        assert_eq!(sums.principal.to_string(), "10000.00");
        assert_eq!(sums.total_paid, sums.principal + sums.interest);
        assert_eq!(last.installment.to_string(), "888.47");
        assert_eq!(sums.interest.to_string(), "661.86");
    }

    #[test]
    fn down_payment_and_fee() {
        let mut t = terms("1000", "0", Frequency::Month);
        t.down_payment = d("200");
        t.fee = d("10");
        let rows = schedule(&t, 2);
        assert_eq!(rows[0].n, 0);
        assert_eq!(rows[0].due_date, t.start);
        assert_eq!(rows[0].principal, d("200"));
        assert_eq!(rows[0].balance, d("810"));
        assert_eq!(rows[1].installment, d("405.00"));
        assert_eq!(rows[2].installment, d("405.00"));
        assert_eq!(totals(&rows).installments, 2);
    }

    #[test]
    fn max_installment_picks_the_fewest() {
        let t = terms("1000", "0", Frequency::Month);
        // 1000/3 = 333.33 + last 333.34 > 333.33, so 4 installments of 250.
        assert_eq!(installments_for_max(&t, d("333.33")), Ok(4));
        assert_eq!(installments_for_max(&t, d("333.34")), Ok(3));
        let costly = terms("1000", "120", Frequency::Month);
        // 10% a month: 100.00 of interest already reaches 100.
        assert!(installments_for_max(&costly, d("100")).unwrap_err().contains("interest"));
    }

    #[test]
    fn offer_lists_lump_sum_then_plans() {
        let options = offer(d("1200"), d("10"), d("0"), &[3, 12]);
        assert_eq!(options[0].option, "lump_sum");
        assert_eq!(options[0].total_paid, d("1080.00"));
        assert_eq!(options[1].option, "3_installments");
        assert_eq!(options[1].installment, d("400.00"));
        assert_eq!(options[1].cost_vs_lump_sum, d("120.00"));
        assert_eq!(options[2].installment, d("100.00"));
    }

    /// 10,000.00 at 12% a year in 10,000 monthly installments (r = 1%):
    /// (1.01)^10000 is about 1.6e43, past Decimal's range, and the exact
    /// installment 100 / (1 - 1.01^-10000) = 100.000..(41 zeros).. rounds to
    /// 100.00, which is exactly row 1's interest (10,000.00 * 1%): every
    /// row but the last pays interest only and the last pays the 10,000.00
    /// back with its 100.00 of interest. 9,999 * 100.00 + 10,100.00 =
    /// 1,010,000.00 paid, 1,000,000.00 of it interest.
    #[test]
    fn ten_thousand_installments_at_twelve_percent() {
        let rows = schedule(&terms("10000", "12", Frequency::Month), MAX_INSTALLMENTS);
        assert_eq!(rows.len(), 10_000);
        assert_eq!(
            (rows[0].installment, rows[0].interest, rows[0].principal),
            (d("100.00"), d("100.00"), d("0.00"))
        );
        assert_eq!(rows[9_998].balance, d("10000.00"));
        let last = &rows[9_999];
        assert_eq!(
            (last.installment, last.principal, last.balance),
            (d("10100.00"), d("10000.00"), d("0.00"))
        );
        // 10,000 months after 2025-01-31: 833 years 4 months, May 31st.
        assert_eq!(iso(last.due_date), "2858-05-31");
        let sums = totals(&rows);
        assert_eq!((sums.total_paid, sums.interest), (d("1010000.00"), d("1000000.00")));
    }

    /// 1,000.00 at 100% a year over 1,000 months (r = 1/12): the
    /// installment 83.333.. * (1 + (12/13)^1000) rounds to 83.33, again the
    /// interest of a full balance; the last pays 1,000.00 + 83.33. In all
    /// 999 * 83.33 + 1,083.33 = 84,330.00, 83,330.00 more than the lump sum.
    #[test]
    fn offer_at_the_highest_counts_and_rates_does_not_overflow() {
        let options = offer(d("1000"), d("0"), d("100"), &[1000]);
        let plan = &options[1];
        assert_eq!((plan.installment, plan.last_installment), (d("83.33"), d("1083.33")));
        assert_eq!((plan.total_paid, plan.cost_vs_lump_sum), (d("84330.00"), d("83330.00")));
        // The extremes: the highest rate, quarterly, the most installments.
        let mut t = terms("1000000000000000", "1000", Frequency::Quarter);
        t.fee = MAX_AMOUNT;
        let rows = schedule(&t, MAX_INSTALLMENTS);
        assert_eq!(rows[9_999].balance, Decimal::ZERO);
        // r = 2.5: P*r = 5,000,000,000,000,000.00 a quarter, interest only.
        assert_eq!(rows[0].installment, d("5000000000000000.00"));
    }

    /// 10 % a month is r = 1/120, which has no exact decimal form: a
    /// period's interest is `balance * 10 / 1200`, so exact ties stay ties.
    /// 15.00 / 120 = 0.125 -> 0.13 (not 0.12, as `r` cut to 28 digits gave),
    /// and the one installment is 15.00 + 0.125 = 15.125 -> 15.13.
    #[test]
    fn interest_ties_with_a_rate_that_does_not_end_round_up() {
        let rows = schedule(&terms("15", "10", Frequency::Month), 1);
        assert_eq!((rows[0].installment, rows[0].interest), (d("15.13"), d("0.13")));
    }

    /// 1000.20 in 3 at 10 % a month (r = 1/120), by hand:
    /// installment 1000.20 * r / (1 - (1+r)^-3) = 338.972.. -> 338.97;
    /// row 1: 1000.20 / 120 = 8.335 exactly -> 8.34, principal 330.63,
    /// balance 669.57; row 2: 669.57 / 120 = 5.57975 -> 5.58, principal
    /// 333.39, balance 336.18; row 3: 336.18 / 120 = 2.8015 -> 2.80, and
    /// the last installment 336.18 + 2.80 = 338.98. Paid 1016.92.
    #[test]
    fn a_half_cent_of_interest_mid_schedule_rounds_up() {
        let rows = schedule(&terms("1000.20", "10", Frequency::Month), 3);
        let interest: Vec<_> = rows.iter().map(|r| r.interest).collect();
        assert_eq!(interest, [d("8.34"), d("5.58"), d("2.80")]);
        assert_eq!(rows[0].balance, d("669.57"));
        assert_eq!(rows[2].installment, d("338.98"));
        assert_eq!(totals(&rows).total_paid, d("1016.92"));
    }

    /// Every two weeks at 10 % is r = 10 / 2600. 81.60 in 3, by hand: the
    /// installment 81.60 * r / (1 - (1+r)^-3) = 27.4095.. -> 27.41; row 1
    /// 81.60 / 260 = 0.3138.. -> 0.31, principal 27.10, balance 54.50; row 2
    /// 54.50 / 260 = 0.2096.. -> 0.21, principal 27.20, balance 27.30; row 3
    /// 27.30 / 260 = 0.105 exactly -> 0.11, so the last installment is 27.41.
    #[test]
    fn two_weekly_interest_ties_round_up() {
        let rows = schedule(&terms("81.60", "10", Frequency::TwoWeeks), 3);
        assert_eq!(rows[1].balance, d("27.30"));
        assert_eq!((rows[2].interest, rows[2].installment), (d("0.11"), d("27.41")));
    }

    /// `--max-installment` must refuse a cap that one period's interest
    /// reaches: 15.00 at 10 % a month is 0.125 -> 0.13 of interest.
    #[test]
    fn a_cap_that_the_rounded_tie_of_interest_reaches_is_refused() {
        let t = terms("15", "10", Frequency::Month);
        assert!(installments_for_max(&t, d("0.13")).is_err());
        assert!(installments_for_max(&t, d("0.14")).is_ok());
    }

    /// `plan offer` finances as `plan schedule` does: 100.20 in one at
    /// 10 % is 100.20 + 0.835 -> 101.04; in two, installment 50.73, row 1
    /// interest 0.835 -> 0.84, balance 100.20 - 49.89 = 50.31, row 2
    /// interest 0.41925 -> 0.42, last 50.73; paid 101.46, interest 1.26.
    /// The lump sum with 12.5 % off is 87.675 -> 87.68.
    #[test]
    fn offers_round_interest_ties_up() {
        let options = offer(d("100.20"), d("12.5"), d("10"), &[1, 2]);
        let one = &options[1];
        assert_eq!(
            (one.installment, one.interest, one.cost_vs_lump_sum),
            (d("101.04"), d("0.84"), d("13.36"))
        );
        let two = &options[2];
        assert_eq!(
            (two.installment, two.last_installment, two.total_paid, two.interest, two.cost_vs_lump_sum),
            (d("50.73"), d("50.73"), d("101.46"), d("1.26"), d("13.78"))
        );
    }

    /// A tie is rounded away from zero from the exact value: 0.50 at 12%
    /// in one installment is 0.50 * 1.01 = 0.505 exactly, so 0.51.
    #[test]
    fn one_installment_is_the_amount_with_one_period_of_interest() {
        let rows = schedule(&terms("0.50", "12", Frequency::Month), 1);
        assert_eq!(rows[0].installment, d("0.51"));
    }

    /// The search as SPEC words it: the first count whose schedule keeps
    /// every installment at most `max`.
    fn fewest_by_brute_force(t: &PlanTerms, max: Decimal, up_to: u32) -> Option<u32> {
        (1..=up_to).find(|&n| schedule(t, n).iter().all(|r| r.installment <= max))
    }

    proptest! {
        /// The regular installment is `P*r / (1 - (1+r)^-n)` to the cent,
        /// against a floating-point reference (tests only) over the whole
        /// range of counts and rates.
        #[test]
        fn installments_match_the_annuity_formula(
            cents in 100i64..100_000_000,
            rate_bp in 1i64..100_000,
            n in 1u32..=MAX_INSTALLMENTS,
            every in prop::sample::select(vec![Frequency::Month, Frequency::TwoWeeks, Frequency::Week, Frequency::Quarter]),
        ) {
            let t = PlanTerms { amount: Decimal::new(cents, 2), down_payment: Decimal::ZERO, fee: Decimal::ZERO, annual_rate: Decimal::new(rate_bp, 2), every, start: 0 };
            let p = cents as f64 / 100.0;
            let r = rate_bp as f64 / 10_000.0 / f64::from(every.periods_per_year());
            let reference = p * r / (1.0 - (1.0 + r).powf(-f64::from(n)));
            let got: f64 = regular_installment(t.financed(), t.period_rate(), n).to_string().parse().unwrap();
            prop_assert!((got - reference).abs() <= 0.005 + reference * 1e-9, "{got} vs {reference}");
        }

        /// The linear `--max-installment` search finds what trying every
        /// count finds.
        #[test]
        fn max_installment_search_agrees_with_trying_every_count(
            cents in 1_000i64..10_000_000,
            rate_bp in 0i64..5000,
            max_share in 1u32..100,
        ) {
            let t = PlanTerms { amount: Decimal::new(cents, 2), down_payment: Decimal::ZERO, fee: Decimal::ZERO, annual_rate: Decimal::new(rate_bp, 2), every: Frequency::Month, start: 0 };
            // A cap between 1/100 and all of the amount, so counts stay small.
            let max = round(t.amount * Decimal::from(max_share) / Decimal::ONE_HUNDRED, 2);
            let expected = fewest_by_brute_force(&t, max, 300);
            match installments_for_max(&t, max) {
                Ok(n) if n <= 300 => prop_assert_eq!(Some(n), expected),
                Ok(_) | Err(_) => prop_assert_eq!(expected, None),
            }
        }
    }

    proptest! {
        /// Principal sums to the amount financed, the balance ends at
        /// exactly 0.00, all installments but the last are equal, interest
        /// is never negative and dates increase.
        #[test]
        fn schedules_are_exact(
            cents in 100i64..100_000_000,
            rate_bp in 0i64..3000,
            n in 1u32..120,
            every in prop::sample::select(vec![Frequency::Month, Frequency::TwoWeeks, Frequency::Week, Frequency::Quarter]),
            start in 700_000i32..740_000,
        ) {
            let t = PlanTerms {
                amount: Decimal::new(cents, 2),
                down_payment: Decimal::ZERO,
                fee: Decimal::ZERO,
                annual_rate: Decimal::new(rate_bp, 2),
                every,
                start,
            };
            let rows = schedule(&t, n);
            prop_assert_eq!(rows.len() as u32, n);
            prop_assert_eq!(rows.iter().map(|r| r.principal).sum::<Decimal>(), t.financed());
            prop_assert_eq!(rows[rows.len() - 1].balance, Decimal::ZERO);
            prop_assert!(rows.iter().all(|r| r.interest >= Decimal::ZERO));
            prop_assert!(rows.windows(2).all(|w| w[0].due_date < w[1].due_date));
            prop_assert!(rows[..rows.len() - 1].iter().all(|r| r.installment == rows[0].installment));
            prop_assert!(rows.iter().all(|r| r.installment.scale() <= 2 || r.installment == round(r.installment, 2)));
        }
    }
}
