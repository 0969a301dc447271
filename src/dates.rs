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

pub fn ymd(year: i32, month: u32, day: u32) -> Option<Day> {
    NaiveDate::from_ymd_opt(year, month, day).map(day_of)
}

/// The date of a day (clamped to chrono's range, which input never leaves).
pub fn date_of(day: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(if day < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

/// `YYYY-MM-DD` text of a day.
pub fn iso(day: Day) -> String {
    date_of(day).format("%Y-%m-%d").to_string()
}

/// Parses a strict `YYYY-MM-DD` (flag values such as `--as-of`).
pub fn parse_iso_flag(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a date in the form YYYY-MM-DD"))
}
