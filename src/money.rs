//! Exact money: currency minor units (ISO 4217) and the one rounding rule of
//! cobro — half away from zero, applied once, when a value is printed.

use rust_decimal::{Decimal, RoundingStrategy};

/// Every amount cobro reads is below this in magnitude: 10^18, that is at
/// most 18 digits before the decimal point (a quintillion: ample for any
/// invoice in any currency, Iranian rials and Vietnamese dong included).
///
/// Why this makes sums safe: a `Decimal` holds magnitudes up to
/// 2^96 - 1 ≈ 7.9·10^28. Every total cobro forms (an open balance, a
/// bucket, a customer's or a currency's total, a KPI sum) adds input
/// amounts, each below 10^18, so a total of n of them is below n·10^18 and
/// cannot overflow unless n exceeds 7.9·10^10: 79 billion rows, a CSV file
/// of several terabytes (and invoices are numbered with `u32`, at most
/// 4.3·10^9). A sum may round past its 28th significant digit (it never
/// panics); with up to 4 decimals that starts above 10^24.
///
/// Products (interest, `--fx` conversion, ratios) are not bounded this way:
/// they use checked arithmetic and turn an overflow into an error (or, for a
/// KPI ratio, no value). A converted amount must stay below the limit too.
pub const AMOUNT_LIMIT: Decimal = Decimal::from_parts(0xA764_0000, 0x0DE0_B6B3, 0, false, 0);

/// The number of digits an amount may have before its decimal point.
pub const AMOUNT_LIMIT_DIGITS: usize = 18;

/// Whether `value` is below [`AMOUNT_LIMIT`] in magnitude.
pub fn within_limit(value: Decimal) -> bool {
    value.abs() < AMOUNT_LIMIT
}

/// Whether `amount` has more significant decimals than a minor unit of
/// `digits` (`10.005` EUR, `100.5` JPY). Trailing zeros do not count:
/// `12.500` EUR is 12.50. Such an amount is kept exact, as every amount
/// is, and rounded only when printed (SPEC §3).
pub fn finer_than_minor_unit(amount: Decimal, digits: u32) -> bool {
    amount.scale() > digits && amount.normalize().scale() > digits
}

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

/// Whether `code` is an ISO 4217 currency code (upper case), current or
/// recently replaced (HRK, SLL, ZWL, VES's predecessor VEF, ...).
pub fn is_iso_currency(code: &str) -> bool {
    code.len() == 3 && ISO_4217.binary_search(&code).is_ok()
}

/// ISO 4217 codes, sorted (a test checks it).
#[rustfmt::skip]
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN",
    "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BYR", "BZD", "CAD",
    "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNH", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE",
    "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR", "ILS", "INR", "IQD",
    "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT",
    "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRO",
    "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD",
    "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR",
    "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STD", "STN", "SVC",
    "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD",
    "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VEF", "VES", "VND", "VUV", "WST", "XAF", "XAG", "XAU",
    "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XTS", "XUA",
    "XXX", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
];

/// Rounds half away from zero to `digits` decimals and pads to exactly that
/// many, so `0.3` with 2 digits becomes `0.30`. A zero has no sign: a sum
/// such as `0 - 0.00`, or `-0.004` rounded to cents, is `0.00`, not `-0.00`.
pub fn round(value: Decimal, digits: u32) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(digits);
    if rounded.is_zero() {
        rounded.set_sign_positive(true);
    }
    rounded
}

/// `total += value`, exactly as `+=` does it, but quicker for the usual
/// case (ten million amounts of one currency, all with the same scale):
/// their integer mantissas are added. It cannot overflow on cobro's totals
/// (see [`AMOUNT_LIMIT`]).
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

    /// `0 - 0.00` is a negative zero in rust_decimal, and `-0.004` rounds
    /// to one: both print as plain zeros.
    #[test]
    fn a_rounded_zero_has_no_sign() {
        assert_eq!(round(d("0") - d("0.00"), 2).to_string(), "0.00");
        assert_eq!(round(d("-0.004"), 2).to_string(), "0.00");
        assert_eq!(round(d("-0.000"), 3).to_string(), "0.000");
        assert_eq!(round(d("-0.005"), 2).to_string(), "-0.01");
    }

    #[test]
    fn the_iso_list_is_sorted_and_knows_the_usual_codes() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
        for code in ["EUR", "USD", "JPY", "KWD", "CLF", "MXN", "GBP", "CHF", "AED", "ZWG"] {
            assert!(is_iso_currency(code), "{code}");
        }
        for code in ["eur", "EU", "EURO", "KGM", "ABC", "O", ""] {
            assert!(!is_iso_currency(code), "{code}");
        }
    }

    #[test]
    fn minor_digits_follow_iso_4217() {
        assert_eq!(minor_digits("EUR"), 2);
        assert_eq!(minor_digits("JPY"), 0);
        assert_eq!(minor_digits("KWD"), 3);
    }

    #[test]
    fn the_amount_limit_is_ten_to_the_eighteenth() {
        assert_eq!(AMOUNT_LIMIT, Decimal::from(10i64.pow(AMOUNT_LIMIT_DIGITS as u32)));
        assert!(within_limit(d("999999999999999999.99")));
        assert!(within_limit(d("-999999999999999999")));
        assert!(!within_limit(d("1000000000000000000")));
        assert!(!within_limit(d("-1000000000000000000.00")));
        // The bound's promise: 7.9·10^10 amounts just below the limit still add.
        let max = AMOUNT_LIMIT - Decimal::ONE;
        assert!(max.checked_mul(Decimal::from(79_000_000_000u64)).is_some());
    }

    #[test]
    fn amounts_finer_than_the_minor_unit_are_told_apart() {
        let finer = |amount: &str, currency: &str| finer_than_minor_unit(d(amount), minor_digits(currency));
        assert!(!finer("12.34", "EUR") && !finer("12.500", "EUR") && !finer("100.00", "JPY"));
        assert!(!finer("1.234", "KWD"));
        assert!(finer("0.0000001", "EUR") && finer("10.005", "EUR") && finer("-0.001", "USD"));
        assert!(finer("100.5", "JPY") && finer("1.2345", "KWD"));
    }

    #[test]
    fn percent_of_zero_is_none() {
        assert_eq!(percent(d("1"), Decimal::ZERO), None);
        assert_eq!(round(percent(d("1"), d("3")).unwrap(), 2).to_string(), "33.33");
    }
}
