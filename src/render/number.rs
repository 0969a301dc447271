//! How numbers look in the formats people read: the decimal mark (`.` or,
//! with `--out-decimal-comma`, `,`) and, in `table` only, thousands
//! separators on money (`1,234,567.89`, or `1.234.567,89` with a decimal
//! comma). CSV never groups digits; JSON and xlsx never see this module.

use super::Cell;

/// The look of numbers in one output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NumberStyle {
    /// Write `1234,56` instead of `1234.56`.
    pub decimal_comma: bool,
    /// Group the integer digits of money in threes (`table`).
    pub group_money: bool,
}

/// The printed text of a cell in this style: like [`Cell::display`], with
/// the decimal mark and grouping applied to numbers only.
pub fn cell_text(cell: &Cell, style: NumberStyle) -> String {
    let text = cell.display();
    match cell {
        Cell::Money(..) => styled(&text, style.decimal_comma, style.group_money),
        Cell::Fixed2(_) => styled(&text, style.decimal_comma, false),
        _ => text,
    }
}

/// Rewrites a plain decimal (`-1234567.89`) with the chosen decimal mark,
/// and its integer digits grouped in threes when `group` is set.
pub fn styled(plain: &str, decimal_comma: bool, group: bool) -> String {
    let (sign, digits) = plain.strip_prefix('-').map_or(("", plain), |rest| ("-", rest));
    let (int, frac) = digits.split_once('.').map_or((digits, None), |(i, f)| (i, Some(f)));
    let (mark, separator) = if decimal_comma { (',', '.') } else { ('.', ',') };
    let mut out = String::with_capacity(plain.len() + plain.len() / 3 + 1);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if group && i > 0 && (int.len() - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        out.push(mark);
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    #[test]
    fn grouping_and_decimal_mark() {
        assert_eq!(styled("1234567.89", false, true), "1,234,567.89");
        assert_eq!(styled("1234567.89", true, true), "1.234.567,89");
        assert_eq!(styled("-1234567.89", true, false), "-1234567,89");
        assert_eq!(styled("-123456", false, true), "-123,456");
        assert_eq!(styled("999.5", false, true), "999.5");
        assert_eq!(styled("1000", false, true), "1,000");
        assert_eq!(styled("0.30", true, true), "0,30");
    }

    #[test]
    fn only_numbers_are_styled() {
        let style = NumberStyle { decimal_comma: true, group_money: true };
        let money = Cell::Money(Decimal::from_str("15923.5").unwrap(), 2);
        assert_eq!(cell_text(&money, style), "15.923,50");
        assert_eq!(cell_text(&Cell::Fixed2(Decimal::from_str("1234.567").unwrap()), style), "1234,57");
        assert_eq!(cell_text(&Cell::Int(12345), style), "12345");
        assert_eq!(cell_text(&Cell::text("1.5"), style), "1.5");
        assert_eq!(cell_text(&Cell::Date(739_000), style), crate::dates::iso(739_000));
    }
}
