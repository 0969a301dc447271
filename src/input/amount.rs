//! Reading money amounts as ERPs and spreadsheets write them: `1234.56`,
//! `1,234.56`, `(1,234.56)`, `1234.56-`, `-$5`, `EUR 12`, `1.234,56 €` (with
//! `--decimal-comma`). The result is an exact `Decimal`, never a float.

use rust_decimal::Decimal;

/// Parses one amount cell. The error is a short reason meant to follow
/// "cannot read VALUE as an amount: ".
pub fn parse_amount(raw: &str, decimal_comma: bool) -> Result<Decimal, String> {
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

/// Fast path for the common `-1234.56` shape (no separators, symbols or
/// spaces): `None` sends the cell to the general parser.
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

/// Removes currency symbols, codes and spaces; they may stand before or
/// after the number but not between its digits (`12abc34` is an error).
fn strip_symbols(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace());
    if trimmed.is_empty() {
        return Err("the amount is empty".into());
    }
    let first_digit = trimmed.find(|c: char| c.is_ascii_digit());
    let last_digit = trimmed.rfind(|c: char| c.is_ascii_digit());
    let (Some(first), Some(last)) = (first_digit, last_digit) else {
        return Err("it has no digits".into());
    };
    let mut core = String::with_capacity(trimmed.len());
    for (pos, c) in trimmed.char_indices() {
        match c {
            '0'..='9' | '.' | ',' | '(' | ')' | '+' | '-' => core.push(c),
            c if c.is_whitespace() || c == '\'' => {}
            c if (c.is_alphabetic() || is_currency_symbol(c)) && (pos < first || pos > last) => {}
            _ => return Err(format!("unexpected character {c:?}")),
        }
    }
    Ok(core)
}

fn is_currency_symbol(c: char) -> bool {
    "$€£¥₹₽₩₺₪฿₫₱₦₴₲₵¢₡₸₾".contains(c)
}

/// Splits off the sign: `-x`, `+x`, `x-` and `(x)`; at most one of them.
fn split_sign(core: &str) -> Result<(bool, &str), String> {
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
) -> Result<(&str, &str), String> {
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
fn check_groups(int_part: &str, group: char, decimal_comma: bool) -> Result<String, String> {
    let groups: Vec<&str> = int_part.split(group).collect();
    let grouped = groups.len() > 1;
    let first_ok = !grouped || (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    if !first_ok || !rest_ok || groups.iter().any(|g| !g.chars().all(|c| c.is_ascii_digit())) {
        return Err(wrong_separator_hint(decimal_comma));
    }
    Ok(groups.concat())
}

fn wrong_separator_hint(decimal_comma: bool) -> String {
    if decimal_comma {
        "it does not read as 1.234,56; if it uses a decimal point, drop --decimal-comma".into()
    } else {
        "it looks like a decimal comma (1.234,56): try --decimal-comma".into()
    }
}

fn build_decimal(int_digits: &str, frac: &str, negative: bool) -> Result<Decimal, String> {
    if int_digits.is_empty() && frac.is_empty() {
        return Err("it has no digits".into());
    }
    let all = format!("{int_digits}{frac}");
    let significant = all.trim_start_matches('0');
    if significant.len() > 27 || frac.len() > 27 {
        return Err("it has too many digits".into());
    }
    let mantissa: i128 = if significant.is_empty() {
        0
    } else {
        significant.parse().map_err(|_| "it has too many digits".to_string())?
    };
    let value = Decimal::from_i128_with_scale(if negative { -mantissa } else { mantissa }, frac.len() as u32);
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
        let err = parse_amount("1.234,56", false).unwrap_err();
        assert!(err.contains("--decimal-comma"), "{err}");
        assert!(parse_amount("12,5", false).unwrap_err().contains("--decimal-comma"));
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
}
