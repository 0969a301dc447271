//! Reading money amounts as ERPs and spreadsheets write them: `1234.56`,
//! `1,234.56`, `(1,234.56)`, `1234.56-`, `-$5`, `EUR 12`, `1.234,56 €` (with
//! `--decimal-comma`). The result is an exact `Decimal`, never a float.
//!
//! Text next to the number is read only when it is a currency marker: a
//! known symbol (`$ € £ ¥ US$ R$ kr ...`) or an ISO 4217 code in capitals
//! (`EUR`, `usd` is not one). Anything else makes the cell a bad amount:
//! `10O`, `12.5kg` and `3 items` are typing errors, not 10, 12.5 and 3.
//! Amounts must be below [`AMOUNT_LIMIT`] (18 digits before the point) so
//! that no total can overflow.

use crate::money::{is_iso_currency, AMOUNT_LIMIT, AMOUNT_LIMIT_DIGITS};
use rust_decimal::Decimal;
use std::fmt;

/// Why a cell is not an amount.
#[derive(Clone, Debug, PartialEq)]
pub enum AmountError {
    /// It does not read as a number; the text is a short reason meant to
    /// follow "cannot read it as an amount: ".
    Unreadable(String),
    /// It reads, but is not below [`AMOUNT_LIMIT`] in magnitude.
    TooLarge,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::Unreadable(why) => f.write_str(why),
            AmountError::TooLarge => write!(
                f,
                "amount too large: cobro reads amounts below {AMOUNT_LIMIT} in magnitude \
                 (at most {AMOUNT_LIMIT_DIGITS} digits before the decimal point), so that no total can overflow"
            ),
        }
    }
}

impl From<String> for AmountError {
    fn from(why: String) -> AmountError {
        AmountError::Unreadable(why)
    }
}

impl From<&str> for AmountError {
    fn from(why: &str) -> AmountError {
        AmountError::Unreadable(why.to_string())
    }
}

/// Parses one amount cell.
pub fn parse_amount(raw: &str, decimal_comma: bool) -> Result<Decimal, AmountError> {
    if let Some(value) = parse_plain(raw.as_bytes(), if decimal_comma { b',' } else { b'.' }) {
        return Ok(value);
    }
    let core = strip_symbols(raw)?;
    let (negative, digits) = split_sign(&core)?;
    let (decimal, group) = if decimal_comma { (',', '.') } else { ('.', ',') };
    let (int_part, frac_part) = split_decimal(digits, decimal, group, decimal_comma)?;
    let int_digits = check_groups(int_part, group, decimal_comma)?;
    if !frac_part.chars().all(|c| c.is_ascii_digit()) {
        return Err(wrong_separator_hint(decimal_comma));
    }
    build_decimal(&int_digits, frac_part, negative)
}

/// The exact value of a TOML float literal (`1_000.5`, `+2.5`, `1e3`,
/// `2.5E-1`), read from its text so that no binary float rounds it;
/// `None` for `inf`, `nan` or a number Decimal cannot hold.
pub fn exact_float(literal: &str) -> Option<Decimal> {
    let digits: String = literal.trim().trim_start_matches('+').chars().filter(|c| *c != '_').collect();
    if digits.contains(['e', 'E']) {
        Decimal::from_scientific(&digits).ok()
    } else {
        digits.parse::<Decimal>().ok()
    }
}

/// Fast path for the common `-1234.56` shape (no separators, symbols or
/// spaces): `None` sends the cell to the general parser. At most 18
/// characters, so always below [`AMOUNT_LIMIT`].
fn parse_plain(bytes: &[u8], decimal: u8) -> Option<Decimal> {
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut scale: Option<u32> = None;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + (b - b'0') as i64;
                scale = scale.map(|s| s + 1);
            }
            _ if b == decimal && scale.is_none() => scale = Some(0),
            _ => return None,
        }
    }
    if scale == Some(0) && digits.len() == 1 {
        return None;
    }
    let value = Decimal::new(if negative { -mantissa } else { mantissa }, scale.unwrap_or(0));
    Some(value)
}

/// Removes white space and currency markers; they may stand before or
/// after the number but not between its digits (`12abc34` is an error),
/// and must be a currency symbol or an ISO code ([`is_currency_marker`]).
fn strip_symbols(raw: &str) -> Result<String, AmountError> {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace());
    if trimmed.is_empty() {
        return Err("the amount is empty".into());
    }
    let first_digit = trimmed.find(|c: char| c.is_ascii_digit());
    let last_digit = trimmed.rfind(|c: char| c.is_ascii_digit());
    let (Some(first), Some(last)) = (first_digit, last_digit) else {
        return Err("it has no digits".into());
    };
    let check_word = |start: usize, end: usize| -> Result<(), AmountError> {
        let word = &trimmed[start..end];
        if start > first && start < last {
            let c = word.chars().next().unwrap_or(' ');
            return Err(format!("unexpected character {c:?} inside the number").into());
        }
        if is_currency_marker(word) {
            return Ok(());
        }
        let side = if start < first { "before" } else { "after" };
        Err(format!(
            "{word:?} {side} the number is not a currency (only an ISO code in capitals such as EUR, \
             or a symbol such as € or $, may stand next to an amount)"
        )
        .into())
    };
    let mut core = String::with_capacity(trimmed.len());
    // Where the current run of other text (a currency marker?) started.
    let mut word: Option<usize> = None;
    for (pos, c) in trimmed.char_indices() {
        let numeric = matches!(c, '0'..='9' | '.' | ',' | '(' | ')' | '+' | '-');
        if numeric || c.is_whitespace() || c == '\'' {
            if let Some(start) = word.take() {
                check_word(start, pos)?;
            }
            if numeric {
                core.push(c);
            }
        } else if word.is_none() {
            word = Some(pos);
        }
    }
    if let Some(start) = word {
        check_word(start, trimmed.len())?;
    }
    Ok(core)
}

/// A currency symbol (`$`, `€`, `US$`, `kr`, ...) or an ISO 4217 code in
/// capitals (`EUR`): the only text that may stand next to an amount.
fn is_currency_marker(word: &str) -> bool {
    let mut chars = word.chars();
    let single = match (chars.next(), chars.next()) {
        (Some(c), None) => "$€£¥₹₽₩₺₪฿₫₱₦₴₲₵¢₡₸₾".contains(c),
        _ => false,
    };
    single || is_iso_currency(word) || SYMBOLS.contains(&word)
}

/// Currency symbols of more than one character, as exports print them.
const SYMBOLS: &[&str] = &[
    "US$", "U$S", "CA$", "C$", "A$", "AU$", "NZ$", "HK$", "S$", "NT$", "MX$", "R$", "RD$", "COL$", "CLP$",
    "kr", "Kr", "zł", "Kč", "Ft", "lei", "Rp", "RM", "Bs", "S/", "лв", "руб", "грн", "Fr",
];

/// Splits off the sign: `-x`, `+x`, `x-` and `(x)`; at most one of them.
fn split_sign(core: &str) -> Result<(bool, &str), AmountError> {
    let mut s = core;
    let mut signs = 0;
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        s = inner;
        negative = true;
        signs += 1;
    }
    if let Some(rest) = s.strip_prefix('-') {
        s = rest;
        negative = true;
        signs += 1;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
        signs += 1;
    }
    if let Some(rest) = s.strip_suffix('-') {
        s = rest;
        negative = true;
        signs += 1;
    }
    if signs > 1 || s.contains(['(', ')', '+', '-']) {
        return Err("its sign is not one of -X, X-, (X)".into());
    }
    Ok((negative, s))
}

fn split_decimal(
    digits: &str,
    decimal: char,
    group: char,
    decimal_comma: bool,
) -> Result<(&str, &str), AmountError> {
    let mut parts = digits.splitn(2, decimal);
    let int_part = parts.next().unwrap_or("");
    let frac_part = parts.next().unwrap_or("");
    if frac_part.contains(decimal) || frac_part.contains(group) {
        return Err(wrong_separator_hint(decimal_comma));
    }
    Ok((int_part, frac_part))
}

/// Checks thousands groups (`1,234,567`: 1-3 digits, then groups of 3) and
/// returns the integer digits without separators.
fn check_groups(int_part: &str, group: char, decimal_comma: bool) -> Result<String, AmountError> {
    let groups: Vec<&str> = int_part.split(group).collect();
    let grouped = groups.len() > 1;
    let first_ok = !grouped || (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    if !first_ok || !rest_ok || groups.iter().any(|g| !g.chars().all(|c| c.is_ascii_digit())) {
        return Err(wrong_separator_hint(decimal_comma));
    }
    Ok(groups.concat())
}

fn wrong_separator_hint(decimal_comma: bool) -> AmountError {
    if decimal_comma {
        "it does not read as 1.234,56; if it uses a decimal point, drop --decimal-comma".into()
    } else {
        "it looks like a decimal comma (1.234,56): try --decimal-comma".into()
    }
}

/// The most significant digits, and the most decimals, an amount may have.
pub const MAX_DIGITS: usize = 27;

fn build_decimal(int_digits: &str, frac: &str, negative: bool) -> Result<Decimal, AmountError> {
    if int_digits.is_empty() && frac.is_empty() {
        return Err("it has no digits".into());
    }
    if int_digits.trim_start_matches('0').len() > AMOUNT_LIMIT_DIGITS {
        return Err(AmountError::TooLarge);
    }
    let all = format!("{int_digits}{frac}");
    let significant = all.trim_start_matches('0');
    if significant.len() > MAX_DIGITS || frac.len() > MAX_DIGITS {
        return Err("it has too many digits".into());
    }
    let mantissa: i128 =
        if significant.is_empty() { 0 } else { significant.parse().map_err(|_| "it has too many digits")? };
    let value = Decimal::from_i128_with_scale(if negative { -mantissa } else { mantissa }, frac.len() as u32);
    debug_assert!(value.abs() < AMOUNT_LIMIT);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        parse_amount(s, false).unwrap().to_string()
    }
    fn ok_comma(s: &str) -> String {
        parse_amount(s, true).unwrap().to_string()
    }

    #[test]
    fn reads_the_spec_forms() {
        assert_eq!(ok("1234.56"), "1234.56");
        assert_eq!(ok("-1234.56"), "-1234.56");
        assert_eq!(ok("1,234.56"), "1234.56");
        assert_eq!(ok("(1,234.56)"), "-1234.56");
        assert_eq!(ok("1234.56-"), "-1234.56");
        assert_eq!(ok("+7"), "7");
        assert_eq!(ok("1,234,567"), "1234567");
        assert_eq!(ok(".5"), "0.5");
    }

    #[test]
    fn strips_currency_symbols_and_codes() {
        assert_eq!(ok("$1,234.56"), "1234.56");
        assert_eq!(ok("-$5.00"), "-5.00");
        assert_eq!(ok("EUR 12.30"), "12.30");
        assert_eq!(ok("(€1,000.00)"), "-1000.00");
        assert_eq!(ok_comma("1.234,56 €"), "1234.56");
        assert_eq!(ok_comma("-1.234,56"), "-1234.56");
        assert_eq!(ok_comma("1 234,56"), "1234.56");
    }

    #[test]
    fn decimal_comma_without_the_flag_is_an_error_with_a_hint() {
        let err = parse_amount("1.234,56", false).unwrap_err().to_string();
        assert!(err.contains("--decimal-comma"), "{err}");
        assert!(parse_amount("12,5", false).unwrap_err().to_string().contains("--decimal-comma"));
        assert!(parse_amount("1,234.56", true).is_err());
    }

    #[test]
    fn fast_path_agrees_with_the_general_parser() {
        for s in ["0", "12", "-12.5", "1234.56", "0.001", "12.", "-0.50"] {
            let fast = parse_plain(s.as_bytes(), b'.').unwrap();
            let general = build_decimal_for_test(s);
            assert_eq!(fast, general, "{s}");
            assert_eq!(fast.to_string(), general.to_string(), "{s}");
        }
        assert_eq!(parse_plain(b"-", b'.'), None);
        assert_eq!(parse_plain(b".", b'.'), None);
        assert_eq!(parse_plain(b"1,5", b'.'), None);
        assert_eq!(parse_amount("1,5", true).unwrap().to_string(), "1.5");
    }

    fn build_decimal_for_test(s: &str) -> Decimal {
        let core = strip_symbols(s).unwrap();
        let (negative, digits) = split_sign(&core).unwrap();
        let (int_part, frac) = split_decimal(digits, '.', ',', false).unwrap();
        build_decimal(&check_groups(int_part, ',', false).unwrap(), frac, negative).unwrap()
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_amount("", false).is_err());
        assert!(parse_amount("abc", false).is_err());
        assert!(parse_amount("12abc34", false).is_err());
        assert!(parse_amount("--5", false).is_err());
        assert!(parse_amount("(5)-", false).is_err());
        assert!(parse_amount("1.2.3", false).is_err());
        assert!(parse_amount("99999999999999999999999999999", false).is_err());
    }

    #[test]
    fn only_currency_codes_and_symbols_may_stand_next_to_the_number() {
        assert_eq!(ok("12 USD"), "12");
        assert_eq!(ok("USD12.50"), "12.50");
        assert_eq!(ok("US$ 1,000"), "1000");
        assert_eq!(ok("-R$5"), "-5");
        assert_eq!(ok("12.50 CHF"), "12.50");
        assert_eq!(ok_comma("1.234,56 kr"), "1234.56");
        for typo in
            ["10O", "12.5kg", "3 items", "12 ABC", "12 eur", "EURO 12", "x12", "12 EUR x", "100.00 CR"]
        {
            let err = parse_amount(typo, false).unwrap_err().to_string();
            assert!(err.contains("is not a currency"), "{typo}: {err}");
        }
        let err = parse_amount("10O", false).unwrap_err().to_string();
        assert!(err.starts_with("\"O\" after the number"), "{err}");
        assert!(parse_amount("12abc34", false).unwrap_err().to_string().contains("inside the number"));
        assert!(parse_amount("1e5", false).is_err());
    }

    /// 18 digits before the point read; 19 are "amount too large", on the
    /// fast path's shape and on the general parser's alike.
    #[test]
    fn amounts_must_be_below_the_limit() {
        assert_eq!(ok("999999999999999999"), "999999999999999999");
        assert_eq!(ok("-999,999,999,999,999,999.99"), "-999999999999999999.99");
        assert_eq!(ok("000000000000000000001.5"), "1.5");
        for big in [
            "1000000000000000000",
            "-1000000000000000000.00",
            "1,000,000,000,000,000,000",
            "999999999999999999999999999",
        ] {
            assert_eq!(parse_amount(big, false), Err(AmountError::TooLarge), "{big}");
        }
        assert!(AmountError::TooLarge.to_string().starts_with("amount too large"));
    }

    proptest::proptest! {
        /// No text makes the parser panic, and whatever it accepts is
        /// below the limit.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,40}", comma: bool) {
            if let Ok(value) = parse_amount(&text, comma) {
                proptest::prop_assert!(crate::money::within_limit(value));
            }
        }

        /// Amount-like text (digits, separators, signs, symbols) never panics.
        #[test]
        fn amount_like_text_never_panics(text in "[-+()0-9.,' $€A-Z]{0,40}", comma: bool) {
            let _ = parse_amount(&text, comma);
        }

        /// An amount printed the ways exports print it reads back exactly.
        #[test]
        fn printed_amounts_read_back(mantissa in -999_999_999_999_999_999_i128..=999_999_999_999_999_999_i128,
                                     scale in 0u32..=4, form in 0usize..6) {
            let value = Decimal::from_i128_with_scale(mantissa, scale);
            proptest::prop_assume!(crate::money::within_limit(value));
            let plain = value.to_string();
            let grouped = group_thousands(&value.abs().to_string());
            let negative = value.is_sign_negative() && !value.is_zero();
            let (text, comma) = match form {
                0 => (plain, false),
                1 => (if negative { format!("({grouped})") } else { grouped }, false),
                2 => (if negative { format!("{grouped}-") } else { format!("{grouped} EUR") }, false),
                3 => (format!("{}$ {}", if negative { "-" } else { "" }, grouped), false),
                4 => (plain.replace('.', ","), true),
                _ => (format!("{} €", grouped.replace(',', " ").replace('.', ",")), true),
            };
            let expected = if form == 5 { value.abs() } else { value };
            proptest::prop_assert_eq!(parse_amount(&text, comma), Ok(expected), "{}", text);
        }
    }

    /// `1234567.5` as `1,234,567.5`.
    fn group_thousands(plain: &str) -> String {
        let (int, frac) = plain.split_once('.').map_or((plain, None), |(i, f)| (i, Some(f)));
        let mut out = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if let Some(f) = frac {
            out.push('.');
            out.push_str(f);
        }
        out
    }
}
