//! Calendar days as plain integers. Every date in cobro's domain is a `Day`
//! (days since 0001-01-01 CE), so "days past due" is a subtraction.

use chrono::{Datelike, NaiveDate};

/// A calendar day: days from the common era (chrono's `num_days_from_ce`).
pub type Day = i32;

/// An optional [`Day`] in four bytes rather than eight, for the ten million
/// rows of a large ledger: `None` is `i32::MIN`, a day no input can give
/// (chrono's dates stay within about ±95 million days).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaybeDay(i32);

impl MaybeDay {
    pub const NONE: MaybeDay = MaybeDay(i32::MIN);

    pub fn get(self) -> Option<Day> {
        (self != MaybeDay::NONE).then_some(self.0)
    }
}

impl From<Option<Day>> for MaybeDay {
    fn from(day: Option<Day>) -> Self {
        day.map_or(MaybeDay::NONE, MaybeDay)
    }
}

pub fn day_of(date: NaiveDate) -> Day {
    date.num_days_from_ce()
}

/// The day of a calendar date, `None` if there is no such date. Years
/// 1-9999 (every real export, read ten million times) are computed
/// directly; others go through chrono, which gives the same days.
pub fn ymd(year: i32, month: u32, day: u32) -> Option<Day> {
    if !(1..=9999).contains(&year) {
        return NaiveDate::from_ymd_opt(year, month, day).map(day_of);
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // Days from 0000-03-01 in a calendar whose years start in March, so
    // that 29 February is the last day of its year.
    let (y, m) = if month <= 2 { (year - 1, month + 9) } else { (year, month - 3) };
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let days = 365 * y + y / 4 - y / 100 + y / 400 + day_of_year as i32;
    Some(days - 305) // 0001-01-01 is day 1 of the common era, as in chrono
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The date of a day (clamped to chrono's range, which input never leaves).
pub fn date_of(day: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(if day < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

/// `YYYY-MM-DD` text of a day.
pub fn iso(day: Day) -> String {
    use chrono::Datelike;
    let date = date_of(day);
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// Parses a strict `YYYY-MM-DD` (flag values such as `--as-of`).
pub fn parse_iso_flag(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a date in the form YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every date of years 1 to 9999, and invalid ones, as chrono reads them.
    #[test]
    fn ymd_agrees_with_chrono() {
        for year in (1..=9999).step_by(7).chain([1, 1600, 1700, 1900, 2000, 2024, 2100, 9999]) {
            for month in 0..=13 {
                for day in 0..=32 {
                    let chrono = NaiveDate::from_ymd_opt(year, month, day).map(day_of);
                    assert_eq!(ymd(year, month, day), chrono, "{year}-{month}-{day}");
                }
            }
        }
    }
}
