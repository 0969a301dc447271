//! Late-payment interest (SPEC §4 `dunning`, and `statement --interest`):
//! simple interest, actual/365 (365 in leap years too), on an invoice's open
//! amount for the days `(due, as_of]`, at a fixed annual rate or at the
//! rates of a calendar, each in force from its `from` day until the next
//! one's. The delay is split at every rate change; the sum over the
//! segments is exact and rounded once per invoice to the currency's minor
//! unit. A fixed rate is a calendar of one rate in force since forever, so
//! both go through [`RateCalendar::interest`].

use super::ledger::Ledger;
use crate::dates::{iso, Day};
use crate::money;
use rust_decimal::Decimal;
use std::fmt;

/// One row of a calendar: `annual_rate_pct` in force from `from` on;
/// `None` says that no rate is known from `from` on (the end of the
/// rates someone has checked), so a delay reaching it is an error rather
/// than a claim at a stale rate.
#[derive(Clone, Debug, PartialEq)]
pub struct RatePeriod {
    pub from: Day,
    pub annual_rate_pct: Option<Decimal>,
}

/// Annual rates in force from given days, in increasing `from` order.
#[derive(Clone, Debug, PartialEq)]
pub struct RateCalendar {
    periods: Vec<RatePeriod>,
    /// Where the rates come from (a file name), for error messages.
    origin: Option<String>,
}

/// Why interest could not be computed for an invoice.
#[derive(Clone, Debug, PartialEq)]
pub enum InterestError {
    /// A day of the delay falls before the calendar's first rate.
    BeforeFirstRate { day: Day, first: Day },
    /// A day of the delay falls in a row without rate.
    NoRate { day: Day, from: Day },
    /// The amount or the rates are too large for exact arithmetic.
    Overflow,
}

impl fmt::Display for InterestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterestError::BeforeFirstRate { day, first } => write!(
                f,
                "its delay starts on {}, before the first rate of the calendar ({}): add the rate in force then",
                iso(*day),
                iso(*first)
            ),
            InterestError::NoRate { day, from } => write!(
                f,
                "its delay reaches {}, and the rate calendar has no rate from {}: add the rate in force then",
                iso(*day),
                iso(*from)
            ),
            InterestError::Overflow => f.write_str("the interest is too large to compute exactly"),
        }
    }
}

impl RateCalendar {
    /// One rate for every day.
    pub fn fixed(annual_rate_pct: Decimal) -> RateCalendar {
        let periods = vec![RatePeriod { from: Day::MIN, annual_rate_pct: Some(annual_rate_pct) }];
        RateCalendar { periods, origin: None }
    }

    /// A calendar from its rows; `Err` names the first `from` that is not
    /// after the one before it (the reader sorts and checks rows first).
    pub fn new(periods: Vec<RatePeriod>) -> Result<RateCalendar, Day> {
        if periods.is_empty() {
            return Err(Day::MIN);
        }
        if let Some(pair) = periods.windows(2).find(|w| w[0].from >= w[1].from) {
            return Err(pair[1].from);
        }
        Ok(RateCalendar { periods, origin: None })
    }

    /// Names where the rates come from in error messages.
    pub fn with_origin(self, origin: impl Into<String>) -> RateCalendar {
        RateCalendar { origin: Some(origin.into()), ..self }
    }

    #[cfg(test)]
    pub fn periods(&self) -> &[RatePeriod] {
        &self.periods
    }

    /// The sum over the days `(due, as_of]` of each day's annual rate in
    /// percent (`rate x days` per segment), exact; 0 when `as_of <= due`.
    pub fn rate_days(&self, due: Day, as_of: Day) -> Result<Decimal, InterestError> {
        if as_of <= due {
            return Ok(Decimal::ZERO);
        }
        let first_day = due + 1;
        let first = self.periods[0].from;
        if first_day < first {
            return Err(InterestError::BeforeFirstRate { day: first_day, first });
        }
        let mut total = Decimal::ZERO;
        for (k, period) in self.periods.iter().enumerate() {
            let next = self.periods.get(k + 1).map_or(Day::MAX, |p| p.from);
            let (start, end) = (period.from.max(first_day), next.saturating_sub(1).min(as_of));
            if start <= end {
                let rate =
                    period.annual_rate_pct.ok_or(InterestError::NoRate { day: start, from: period.from })?;
                let days = Decimal::from(i64::from(end) - i64::from(start) + 1);
                let part = rate.checked_mul(days).ok_or(InterestError::Overflow)?;
                total = total.checked_add(part).ok_or(InterestError::Overflow)?;
            }
        }
        Ok(total)
    }

    /// `open x` the sum over the rate segments of `(due, as_of]` of
    /// `rate / 100 x days / 365`, rounded once to `digits` decimals.
    pub fn interest(
        &self,
        open: Decimal,
        due: Day,
        as_of: Day,
        digits: u32,
    ) -> Result<Decimal, InterestError> {
        let rate_days = self.rate_days(due, as_of)?;
        let exact = open
            .checked_mul(rate_days)
            .and_then(|v| v.checked_div(Decimal::from(36_500)))
            .ok_or(InterestError::Overflow)?;
        Ok(money::round(exact, digits))
    }
}

/// The late interest of invoice `index` of the ledger, whose open amount
/// at `as_of` is `open`, rounded to its currency's minor unit; the error
/// names the invoice, its customer and due date.
pub fn invoice_interest(
    ledger: &Ledger,
    rates: &RateCalendar,
    index: usize,
    open: Decimal,
    as_of: Day,
) -> anyhow::Result<Decimal> {
    let invoice = &ledger.invoices[index];
    let digits = money::minor_digits(ledger.currency(invoice));
    rates.interest(open, invoice.due, as_of, digits).map_err(|why| {
        let origin = rates.origin.as_ref().map(|o| format!(" (rate calendar {o})")).unwrap_or_default();
        anyhow::anyhow!(
            "late interest of invoice '{}' (customer '{}', due {}): {why}{origin}",
            ledger.id(index),
            ledger.customer(invoice),
            iso(invoice.due)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::ymd;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn day(y: i32, m: u32, dd: u32) -> Day {
        ymd(y, m, dd).unwrap()
    }

    fn calendar(rows: &[((i32, u32, u32), &str)]) -> RateCalendar {
        RateCalendar::new(
            rows.iter()
                .map(|&((y, m, dd), rate)| RatePeriod {
                    from: day(y, m, dd),
                    annual_rate_pct: (!rate.is_empty()).then(|| d(rate)),
                })
                .collect(),
        )
        .unwrap()
    }

    /// SPEC's example: 10,000.00 due 2024-05-15, as of 2024-08-14, 12.50
    /// from 2024-01-01 and 12.25 from 2024-07-01: May 16 - June 30 is 46
    /// days at 12.50 (157.5342), July 1 - August 14 is 45 days at 12.25
    /// (151.0274); 10000 x (12.50 x 46 + 12.25 x 45) / 36500 =
    /// 10000 x 1126.25 / 36500 = 308.5616... -> 308.56.
    #[test]
    fn the_spec_example_splits_at_the_rate_change() {
        let rates = calendar(&[((2024, 1, 1), "12.50"), ((2024, 7, 1), "12.25")]);
        let (due, as_of) = (day(2024, 5, 15), day(2024, 8, 14));
        assert_eq!(rates.rate_days(due, as_of).unwrap(), d("1126.25"));
        assert_eq!(rates.interest(d("10000.00"), due, as_of, 2).unwrap(), d("308.56"));
    }

    /// Three periods: 1,000.00 due 2023-12-20, as of 2024-07-10 with 12.00
    /// from 2023-07-01, 12.50 from 2024-01-01, 12.25 from 2024-07-01:
    /// Dec 21-31 = 11 days x 12.00 = 132; Jan 1 - Jun 30 2024 = 182 days x
    /// 12.50 = 2275; Jul 1-10 = 10 days x 12.25 = 122.5; total 2529.5;
    /// 1000 x 2529.5 / 36500 = 69.3013... -> 69.30. Rounded once: the
    /// segments rounded apart (3.62 + 62.33 + 3.36) would give 69.31.
    #[test]
    fn three_periods_are_summed_exactly_and_rounded_once() {
        let rates = calendar(&[((2023, 7, 1), "12.00"), ((2024, 1, 1), "12.50"), ((2024, 7, 1), "12.25")]);
        let (due, as_of) = (day(2023, 12, 20), day(2024, 7, 10));
        assert_eq!(rates.rate_days(due, as_of).unwrap(), d("2529.5"));
        assert_eq!(rates.interest(d("1000.00"), due, as_of, 2).unwrap(), d("69.30"));
    }

    /// The first overdue day is the day after the due date: due the day
    /// before the first `from` is fine, due two days before is an error.
    #[test]
    fn a_day_before_the_first_rate_is_an_error() {
        let rates = calendar(&[((2024, 1, 1), "12.50")]);
        assert_eq!(rates.rate_days(day(2023, 12, 31), day(2024, 1, 1)).unwrap(), d("12.50"));
        assert_eq!(
            rates.rate_days(day(2023, 12, 30), day(2024, 1, 1)),
            Err(InterestError::BeforeFirstRate { day: day(2023, 12, 31), first: day(2024, 1, 1) })
        );
        // Not yet overdue: no interest, no error, whatever the calendar.
        assert_eq!(rates.rate_days(day(2023, 6, 1), day(2023, 6, 1)).unwrap(), Decimal::ZERO);
    }

    /// A row without rate ends what is known: a delay up to the day before
    /// it is fine, one that reaches it is an error naming that day.
    #[test]
    fn a_row_without_rate_ends_the_calendar() {
        let rates = calendar(&[((2024, 1, 1), "12.50"), ((2024, 7, 1), "")]);
        // Jun 1-30 = 30 days x 12.50.
        assert_eq!(rates.rate_days(day(2024, 5, 31), day(2024, 6, 30)).unwrap(), d("375.00"));
        assert_eq!(
            rates.rate_days(day(2024, 5, 31), day(2024, 7, 2)),
            Err(InterestError::NoRate { day: day(2024, 7, 1), from: day(2024, 7, 1) })
        );
    }

    /// A fixed rate is the old dunning formula: 1000 x 10 % x 60 / 365 = 16.438 -> 16.44;
    /// JPY rounds to whole yen: 12345 x 8 % x 100 / 365 = 270.58 -> 271.
    #[test]
    fn a_fixed_rate_is_open_times_rate_times_days_over_365() {
        let fixed = RateCalendar::fixed(d("10"));
        assert_eq!(fixed.interest(d("1000"), 0, 60, 2).unwrap(), d("16.44"));
        assert_eq!(RateCalendar::fixed(d("8")).interest(d("12345"), 0, 100, 0).unwrap(), d("271"));
        // In a leap year the divisor stays 365: 366 days at 10 % is 10.03 % of the amount.
        let (due, as_of) = (day(2023, 12, 31), day(2024, 12, 31));
        assert_eq!(fixed.interest(d("100.00"), due, as_of, 2).unwrap(), d("10.03"));
    }

    #[test]
    fn calendars_must_increase() {
        let row = |from, rate: &str| RatePeriod { from, annual_rate_pct: Some(d(rate)) };
        assert_eq!(RateCalendar::new(vec![row(10, "1"), row(10, "2")]), Err(10));
        assert!(RateCalendar::new(Vec::new()).is_err());
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            /// Splitting the delay at a rate change gives what the two parts
            /// give separately, and a calendar whose rates are all equal gives
            /// the fixed rate's interest.
            #[test]
            fn segments_add_up(due in -50i32..400, len in 0i32..400, cut in 0i32..400, cents in 0i64..10_000_000, rate in 0i64..2000) {
                let pct = Decimal::new(rate, 2);
                let as_of = due + len;
                let calendar = RateCalendar::new(vec![
                    RatePeriod { from: -100, annual_rate_pct: Some(pct) },
                    RatePeriod { from: cut, annual_rate_pct: Some(pct) },
                ]).unwrap();
                let open = Decimal::new(cents, 2);
                prop_assert_eq!(
                    calendar.interest(open, due, as_of, 2).unwrap(),
                    RateCalendar::fixed(pct).interest(open, due, as_of, 2).unwrap()
                );
                let whole = calendar.rate_days(due, as_of).unwrap();
                prop_assert_eq!(whole, pct * Decimal::from(len.max(0)));
            }

            /// A fixed rate gives, to the cent, what dunning's formula gave
            /// before the calendar existed: round(open x rate/100 x days / 365).
            #[test]
            fn a_fixed_rate_keeps_the_old_dunning_figures(cents in -10_000_000i64..100_000_000, rate in 0i64..5000, days in 0i32..4000, digits in 0u32..4) {
                let (open, pct) = (Decimal::new(cents, 2), Decimal::new(rate, 2));
                let old = money::round(open * (pct / Decimal::ONE_HUNDRED) * Decimal::from(days) / Decimal::from(365), digits);
                prop_assert_eq!(RateCalendar::fixed(pct).interest(open, 0, days, digits).unwrap(), old);
            }
        }
    }
}
