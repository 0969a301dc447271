//! Exact money: currency minor units (ISO 4217) and the one rounding rule of
//! cobro — half away from zero, applied once, when a value is printed.

use rust_decimal::{Decimal, RoundingStrategy};

/// Number of minor-unit digits of an ISO 4217 currency code (2 when unknown).
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI"
        | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

/// Rounds half away from zero to `digits` decimals and pads to exactly that
/// many, so `0.3` with 2 digits becomes `0.30`.
pub fn round(value: Decimal, digits: u32) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(digits);
    rounded
}

/// `total += value`, exactly as `+=` does it, but quicker for the usual
/// case (ten million amounts of one currency, all with the same scale):
/// their integer mantissas are added.
pub fn add(total: &mut Decimal, value: Decimal) {
    // Adding a zero of no more decimals changes nothing, not even the scale.
    if value.is_zero() && value.scale() <= total.scale() {
        return;
    }
    if total.is_zero() && total.scale() <= value.scale() {
        *total = value;
        return;
    }
    if total.scale() == value.scale() {
        // Each mantissa is below 2^96, so their i128 sum cannot overflow.
        if let Ok(sum) = Decimal::try_from_i128_with_scale(total.mantissa() + value.mantissa(), value.scale())
        {
            *total = sum;
            return;
        }
    }
    *total += value;
}

/// The sum of `values`, as `Iterator::sum` gives it, added with [`add`].
pub fn sum(values: impl IntoIterator<Item = Decimal>) -> Decimal {
    let mut total = Decimal::ZERO;
    for value in values {
        add(&mut total, value);
    }
    total
}

/// `total -= value`, as [`add`].
pub fn subtract(total: &mut Decimal, value: Decimal) {
    add(total, -value);
}

/// `100 * part / whole`, exact (up to 28 significant digits); `None` when
/// `whole` is zero.
pub fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        None
    } else {
        part.checked_mul(Decimal::ONE_HUNDRED).and_then(|p| p.checked_div(whole))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// The quick sum agrees with `+=` to the printed text (value, scale and
    /// the sign of a zero) on equal and unequal scales, signs, zeros, and at
    /// the edge of Decimal's range (where it falls back to `+=`).
    #[test]
    fn quick_addition_is_exact() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        let cases = [
            ("1.10", "2.25"),
            ("1.10", "-2.25"),
            ("-0.01", "0.01"),
            ("1.1", "2.25"),
            ("5", "0.001"),
            ("79228162514264337593543950334", "-1"),
            ("39614081257132168796771975168", "39614081257132168796771975167"),
            ("0", "2.50"),
            ("0.000", "2.50"),
            ("2.50", "0"),
            ("2.50", "0.000"),
            ("-2.50", "-0.00"),
            ("0.00", "-0.00"),
        ];
        for (a, b) in cases {
            let (mut quick, mut slow) = (d(a), d(a));
            add(&mut quick, d(b));
            slow += d(b);
            assert_eq!(quick.to_string(), slow.to_string(), "{a} + {b}");
            let (mut quick, mut slow) = (d(a), d(a));
            subtract(&mut quick, d(b));
            slow -= d(b);
            assert_eq!(quick.to_string(), slow.to_string(), "{a} - {b}");
        }
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn rounds_half_away_from_zero_and_pads() {
        assert_eq!(round(d("2.345"), 2).to_string(), "2.35");
        assert_eq!(round(d("-2.345"), 2).to_string(), "-2.35");
        assert_eq!(round(d("0.3"), 2).to_string(), "0.30");
        assert_eq!(round(d("1234.5"), 0).to_string(), "1235");
        assert_eq!(round(d("1.2"), 3).to_string(), "1.200");
    }

    #[test]
    fn minor_digits_follow_iso_4217() {
        assert_eq!(minor_digits("EUR"), 2);
        assert_eq!(minor_digits("JPY"), 0);
        assert_eq!(minor_digits("KWD"), 3);
    }

    #[test]
    fn percent_of_zero_is_none() {
        assert_eq!(percent(d("1"), Decimal::ZERO), None);
        assert_eq!(round(percent(d("1"), d("3")).unwrap(), 2).to_string(), "33.33");
    }
}
