//! Reading date cells. ISO dates (`2024-03-31`, a time part ignored) are
//! always accepted; `--date-format` fixes one strftime format; otherwise each
//! column detects its format among `%d/%m/%Y %m/%d/%Y %d.%m.%Y %Y/%m/%d
//! %d-%m-%Y`. Day-first and month-first slashes are told apart by a value
//! that only one of them reads (a day above 12); if every value of a column
//! reads both ways with different results, that is an error asking for
//! `--date-format` — cobro never guesses.

use crate::dates::{ymd, Day};
use chrono::NaiveDate;

/// One cell read: the date (day-first for a slashed cell read both ways) and
/// what the cell tells about the column's order.
/// (Plain aligned fields: ten million of these are copied between
/// threads, and an enum with a payload made the copies stall.)
#[derive(Clone, Copy, Debug)]
pub struct DateValue {
    pub day: Day,
    /// The month-first reading, when `hint` is `Ambiguous`.
    month_first: Day,
    hint: OrderHint,
}

#[derive(Clone, Copy, Debug)]
enum OrderHint {
    /// Not a `a/b/yyyy` cell, or the column's order was already known.
    None,
    /// Reads both ways (the month-first reading is `DateValue::month_first`).
    Ambiguous,
    /// Only this order reads it.
    Decides(SlashOrder),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum SlashOrder {
    DayFirst,
    MonthFirst,
}

impl DateValue {
    fn new(day: Day, hint: OrderHint) -> DateValue {
        DateValue { day, month_first: day, hint }
    }

    /// A day the file stores as a date: final, with no text to read.
    pub fn known(day: Day) -> DateValue {
        DateValue::new(day, OrderHint::None)
    }

    /// Whether the cell's text may still be needed: for an error or the
    /// column's ambiguity message, once the column's order is known.
    pub fn may_need_text(&self) -> bool {
        !self.is_final()
    }

    /// Whether the day stands whatever the column's order turns out to be.
    pub fn is_final(&self) -> bool {
        matches!(self.hint, OrderHint::None)
    }
}

/// Format detection state of one date column of one file.
#[derive(Debug, Default)]
pub struct DateColumn {
    explicit: Option<String>,
    order: Option<SlashOrder>,
    /// Accepted rows whose `a/b/yyyy` value reads both ways: (slot, month-first day).
    pending: Vec<(usize, Day)>,
    first_ambiguous: Option<String>,
}

impl DateColumn {
    pub fn new(explicit: Option<String>) -> Self {
        DateColumn { explicit, ..Default::default() }
    }

    /// Reads one non-empty cell; the error is a reason.
    pub fn read(&self, raw: &str) -> Result<DateValue, String> {
        // The usual cell, a bare `YYYY-MM-DD`, before looking for a time part.
        if let Some(day) = parse_iso(raw) {
            return Ok(DateValue::new(day, OrderHint::None));
        }
        let text = date_part(raw);
        if let Some(day) = parse_iso(text) {
            return Ok(DateValue::new(day, OrderHint::None));
        }
        if let Some(fmt) = &self.explicit {
            return NaiveDate::parse_and_remainder(raw.trim(), fmt)
                .map(|(d, _)| DateValue::new(crate::dates::day_of(d), OrderHint::None))
                .map_err(|_| format!("it does not match --date-format {fmt}"));
        }
        if let Some(value) = parse_fixed_shapes(text) {
            return Ok(DateValue::new(value, OrderHint::None));
        }
        self.read_slashed(text)
    }

    fn read_slashed(&self, text: &str) -> Result<DateValue, String> {
        let Some((a, b, y)) =
            split3(text, '/').filter(|_| text.rsplit('/').next().is_some_and(|y| y.len() == 4))
        else {
            return Err("it is not a date (expected YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY, YYYY/MM/DD or DD-MM-YYYY; or give --date-format)".into());
        };
        let day_first = ymd(y as i32, b, a);
        let month_first = ymd(y as i32, a, b);
        match (self.order, day_first, month_first) {
            (Some(SlashOrder::DayFirst), Some(d), _) => Ok(DateValue::new(d, OrderHint::None)),
            (Some(SlashOrder::MonthFirst), _, Some(m)) => Ok(DateValue::new(m, OrderHint::None)),
            (Some(order), _, _) => Err(not_in_column_order(order)),
            (None, Some(d), Some(m)) => Ok(DateValue { day: d, month_first: m, hint: OrderHint::Ambiguous }),
            (None, Some(d), None) => Ok(DateValue::new(d, OrderHint::Decides(SlashOrder::DayFirst))),
            (None, None, Some(m)) => Ok(DateValue::new(m, OrderHint::Decides(SlashOrder::MonthFirst))),
            (None, None, None) => Err("it is not a valid date in DD/MM/YYYY nor MM/DD/YYYY".into()),
        }
    }

    /// A value that [`DateColumn::read`] gave on a copy of this column that
    /// did not know the order yet (a parsing thread's), turned into what
    /// this column, which may know it by now, would have read.
    pub fn reconcile(&self, value: DateValue) -> Result<DateValue, String> {
        let Some(order) = self.order else { return Ok(value) };
        let settled = |day| Ok(DateValue::new(day, OrderHint::None));
        match value.hint {
            OrderHint::None => Ok(value),
            OrderHint::Ambiguous if order == SlashOrder::MonthFirst => settled(value.month_first),
            OrderHint::Ambiguous => settled(value.day),
            OrderHint::Decides(decided) if decided == order => settled(value.day),
            OrderHint::Decides(_) => Err(not_in_column_order(order)),
        }
    }

    /// Learns the column's day-month order from one of its cells, in a
    /// first pass over a small file ([`super::learn_date_orders`]): the
    /// first value that only one order reads decides it. A cell that is not
    /// a date is left for the reading pass to report.
    pub fn learn(&mut self, raw: &str) {
        if self.knows_order() || raw.is_empty() {
            return;
        }
        if let Ok(DateValue { hint: OrderHint::Decides(order), .. }) = self.read(raw) {
            self.order = Some(order);
        }
    }

    /// Whether the column's day-month order is settled: by `--date-format`,
    /// or by a value that only one order reads.
    pub fn knows_order(&self) -> bool {
        self.explicit.is_some() || self.order.is_some()
    }

    /// Reads a cell and learns the column's order from it at once, refusing
    /// a value that still reads both ways (for small files such as plans,
    /// where rows are not corrected afterwards: [`DateColumn::learn`] has
    /// seen the whole column first).
    pub fn read_now(&mut self, raw: &str) -> Result<Day, String> {
        let value = self.read(raw)?;
        match value.hint {
            OrderHint::Ambiguous if value.month_first != value.day => {
                Err("it reads both as DD/MM/YYYY and as MM/DD/YYYY: give --date-format %d/%m/%Y or %m/%d/%Y"
                    .into())
            }
            OrderHint::Decides(order) => {
                self.order = Some(order);
                Ok(value.day)
            }
            _ => Ok(value.day),
        }
    }

    /// Records a value of a row that was kept, at `slot` in the caller's
    /// store. `false` when the day may still be corrected by [`DateColumn::finish`]
    /// (it reads both ways and the column's order is not known yet).
    pub fn accept(&mut self, slot: usize, value: &DateValue, raw: &str) -> bool {
        if self.order.is_some() {
            return true;
        }
        match value.hint {
            OrderHint::Decides(order) => self.order = Some(order),
            OrderHint::Ambiguous if value.month_first != value.day => {
                self.first_ambiguous.get_or_insert_with(|| raw.to_string());
                self.pending.push((slot, value.month_first));
                return false;
            }
            _ => {}
        }
        true
    }

    /// Ends the column: the corrections to apply (slot, day) when it turned
    /// out month-first, or an error when day and month could not be told apart.
    pub fn finish(self) -> Result<Vec<(usize, Day)>, String> {
        match (self.order, self.first_ambiguous) {
            (Some(SlashOrder::MonthFirst), _) => Ok(self.pending),
            (Some(SlashOrder::DayFirst), _) | (None, None) => Ok(Vec::new()),
            (None, Some(example)) => Err(format!(
                "every date reads both as DD/MM/YYYY and as MM/DD/YYYY (e.g. '{example}'): \
                 give --date-format %d/%m/%Y or --date-format %m/%d/%Y"
            )),
        }
    }
}

fn not_in_column_order(order: SlashOrder) -> String {
    format!(
        "it is not a valid {} date, the format of the rest of this column",
        if order == SlashOrder::DayFirst { "DD/MM/YYYY" } else { "MM/DD/YYYY" }
    )
}

/// Checks a `--date-format` before any file is read (a usage error
/// otherwise): it must be a valid strftime format that reads back a full
/// date. The probe 2031-11-25 13:45:56 +01:00 has a day above 12, so a
/// format that swaps or drops day, month or year does not read it back.
/// Errors are reasons meant to follow "--date-format 'FMT': ".
pub fn check_format(format: &str) -> Result<(), String> {
    use chrono::{FixedOffset, TimeZone};
    use std::fmt::Write;
    if format.trim().is_empty() {
        return Err("the format is empty; give one such as %d/%m/%Y".into());
    }
    let offset = FixedOffset::east_opt(3600).ok_or("no offset")?;
    let probe = offset.with_ymd_and_hms(2031, 11, 25, 13, 45, 56).single().ok_or("no probe")?;
    let mut printed = String::new();
    // Formatting reports an invalid specifier (`%Q`, a lone `%`) as an error, not a panic.
    if write!(printed, "{}", probe.format(format)).is_err() {
        return Err("it is not a valid strftime format (e.g. %d/%m/%Y, %m/%d/%Y, %d.%m.%Y, %Y%m%d)".into());
    }
    match NaiveDate::parse_and_remainder(&printed, format) {
        Ok((day, _)) if day == probe.date_naive() => Ok(()),
        _ => Err(format!(
            "it does not read a whole date back ({printed:?} for 2031-11-25): it needs a year, a month \
             and a day (e.g. %d/%m/%Y)"
        )),
    }
}

/// The date part of a cell: up to the first space or `T` (a time part is ignored).
fn date_part(raw: &str) -> &str {
    let t = raw.trim();
    let end = t.find([' ', 'T']).unwrap_or(t.len());
    &t[..end]
}

/// Fast path for `YYYY-MM-DD`.
pub fn parse_iso(text: &str) -> Option<Day> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32))
    };
    ymd(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// The unambiguous non-ISO shapes: `YYYY/MM/DD`, `DD.MM.YYYY`, `DD-MM-YYYY`.
fn parse_fixed_shapes(text: &str) -> Option<Day> {
    if let Some((y, m, d)) = split3(text, '/').filter(|(y, _, _)| *y > 999 && text.find('/') == Some(4)) {
        return ymd(y as i32, m, d);
    }
    for sep in ['.', '-'] {
        if let Some((d, m, y)) = split3(text, sep).filter(|_| text.rfind(sep) == Some(text.len() - 5)) {
            return ymd(y as i32, m, d);
        }
    }
    None
}

/// Splits `a?b?c` into three numbers of 1-4 digits.
fn split3(text: &str, sep: char) -> Option<(u32, u32, u32)> {
    let mut it = text.split(sep);
    let mut next = || -> Option<u32> {
        let p = it.next()?;
        (!p.is_empty() && p.len() <= 4 && p.bytes().all(|c| c.is_ascii_digit())).then(|| p.parse().ok())?
    };
    let r = (next()?, next()?, next()?);
    it.next().is_none().then_some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::iso;

    fn read_all(values: &[&str]) -> Result<Vec<String>, String> {
        let mut col = DateColumn::new(None);
        let mut days = Vec::new();
        for (slot, raw) in values.iter().enumerate() {
            let v = col.read(raw)?;
            col.accept(slot, &v, raw);
            days.push(v.day);
        }
        for (slot, day) in col.finish()? {
            days[slot] = day;
        }
        Ok(days.into_iter().map(iso).collect())
    }

    #[test]
    fn iso_with_and_without_time() {
        assert_eq!(
            read_all(&["2024-02-29", "2024-03-01T10:00:00", "2024-03-02 08:00"]).unwrap(),
            vec!["2024-02-29", "2024-03-01", "2024-03-02"]
        );
        assert!(read_all(&["2023-02-29"]).is_err());
    }

    #[test]
    fn day_first_detected_from_a_day_above_12_even_after_ambiguous_rows() {
        assert_eq!(read_all(&["01/02/2024", "25/12/2024"]).unwrap(), vec!["2024-02-01", "2024-12-25"]);
    }

    #[test]
    fn month_first_detected_and_earlier_rows_corrected() {
        assert_eq!(read_all(&["01/02/2024", "12/25/2024"]).unwrap(), vec!["2024-01-02", "2024-12-25"]);
    }

    #[test]
    fn ambiguous_column_is_an_error_asking_for_date_format() {
        let err = read_all(&["01/02/2024", "03/04/2024"]).unwrap_err();
        assert!(err.contains("--date-format"), "{err}");
        // Same date both ways is no guess.
        assert_eq!(read_all(&["05/05/2024"]).unwrap(), vec!["2024-05-05"]);
    }

    #[test]
    fn contradicting_value_after_resolution_is_a_bad_cell() {
        let mut col = DateColumn::new(None);
        let v = col.read("25/12/2024").unwrap();
        col.accept(0, &v, "25/12/2024");
        assert!(col.read("12/25/2024").is_err());
    }

    /// Reading without the order and reconciling later gives what reading
    /// with the order known gives, errors included.
    #[test]
    fn reconcile_equals_reading_with_the_order_known() {
        let unknown = DateColumn::new(None);
        for decider in ["25/12/2024", "12/25/2024"] {
            let mut known = DateColumn::new(None);
            let v = known.read(decider).unwrap();
            known.accept(0, &v, decider);
            for raw in ["01/02/2024", "13/02/2024", "02/13/2024", "2024-05-06", "31.01.2024", "5/5/2024"] {
                let direct = known.read(raw).map(|v| v.day);
                let later = unknown.read(raw).and_then(|v| known.reconcile(v)).map(|v| v.day);
                assert_eq!(direct, later, "{decider} then {raw}");
            }
        }
    }

    #[test]
    fn other_shapes_and_explicit_format() {
        assert_eq!(
            read_all(&["2024/03/31", "31.03.2024", "31-03-2024"]).unwrap(),
            vec!["2024-03-31", "2024-03-31", "2024-03-31"]
        );
        let col = DateColumn::new(Some("%d %b %Y".into()));
        assert_eq!(iso(col.read("05 Mar 2024").unwrap().day), "2024-03-05");
        assert!(col.read("garbage").is_err());
    }

    #[test]
    fn date_formats_are_checked_before_reading() {
        for good in
            ["%d/%m/%Y", "%m/%d/%Y", "%Y%m%d", "%d %b %Y", "%d.%m.%y", "%Y-%j", "%d/%m/%Y %H:%M", "%e-%b-%Y"]
        {
            assert_eq!(check_format(good), Ok(()), "{good}");
        }
        for bad in ["%Q", "", " ", "%", "%E", "%d/%m", "%H:%M", "%Y", "hello", "%m/%Y"] {
            assert!(check_format(bad).is_err(), "{bad:?}");
        }
        assert!(check_format("%Q").unwrap_err().contains("not a valid strftime format"));
        assert!(check_format("%d/%m").unwrap_err().contains("needs a year, a month and a day"));
    }

    proptest::proptest! {
        /// No text makes the date reader panic, with or without a format.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,30}", format in proptest::option::of("[%a-zA-Z/.: -]{0,10}")) {
            if let Some(f) = &format {
                let _ = check_format(f);
            }
            let column = DateColumn::new(format.filter(|f| check_format(f).is_ok()));
            let _ = column.read(&text);
            let _ = DateColumn::new(None).read_now(&text);
        }

        /// Date-like text never panics either.
        #[test]
        fn date_like_text_never_panics(text in "[0-9]{0,5}[-/. T]?[0-9]{0,5}[-/. ]?[0-9]{0,5}( [0-9:]{0,8})?") {
            let _ = DateColumn::new(None).read(&text);
        }

        /// A day printed in every shape cobro reads comes back as that day
        /// (years 1000-9999: `YYYY/MM/DD` needs four digits to be told apart).
        #[test]
        fn printed_dates_read_back(day in crate::dates::ymd(1000, 1, 1).unwrap()..=crate::dates::ymd(9999, 12, 31).unwrap(), shape in 0usize..6) {
            let date = crate::dates::date_of(day);
            let (text, format) = match shape {
                0 => (date.format("%Y-%m-%d").to_string(), None),
                1 => (date.and_hms_opt(10, 30, 0).unwrap().format("%Y-%m-%dT%H:%M:%S").to_string(), None),
                2 => (date.format("%d.%m.%Y").to_string(), None),
                3 => (date.format("%Y/%m/%d").to_string(), None),
                4 => (date.format("%d-%m-%Y").to_string(), None),
                _ => (date.format("%d %b %Y").to_string(), Some("%d %b %Y".to_string())),
            };
            let read = DateColumn::new(format).read(&text).map(|v| v.day);
            proptest::prop_assert_eq!(read, Ok(day), "{}", text);
        }

        /// Slashed dates with a day above 12 decide the order and read back.
        #[test]
        fn slashed_dates_read_back_either_order(day in crate::dates::ymd(1000, 1, 1).unwrap()..=crate::dates::ymd(9999, 12, 31).unwrap(), month_first: bool) {
            let date = crate::dates::date_of(day);
            proptest::prop_assume!(chrono::Datelike::day(&date) > 12);
            let text = date.format(if month_first { "%m/%d/%Y" } else { "%d/%m/%Y" }).to_string();
            proptest::prop_assert_eq!(DateColumn::new(None).read_now(&text), Ok(day), "{}", text);
        }
    }
}
