//! Reading a dunning policy (TOML; the log is `dunning_log`). Policy errors
//! name the line: levels out of order, negative days, a template with an
//! unknown placeholder.

use crate::domain::dunning::{Level, Policy, FIELDS};
use crate::domain::interest::RateCalendar;
use crate::error::excerpt;
use crate::input::amount::{exact_float, parse_amount};
use crate::input::rate_calendar::load_calendar;
use anyhow::{anyhow, bail, Context, Result};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

/// Placeholders a letter template may use besides the notice's fields.
const EXTRA_PLACEHOLDERS: [&str; 2] = ["invoice_table", "as_of"];

#[derive(Deserialize)]
struct PolicyFile {
    #[serde(default)]
    min_amount: Option<Spanned<toml::Value>>,
    #[serde(default)]
    min_interval_days: Option<i32>,
    #[serde(default = "yes")]
    exclude_disputed: bool,
    #[serde(default)]
    interest: Option<InterestTable>,
    level: Vec<LevelEntry>,
}

fn yes() -> bool {
    true
}

/// `[interest]`: one fixed `annual_rate_pct`, or `rates`, a rate calendar
/// file (relative to the policy), never both.
#[derive(Deserialize)]
struct InterestTable {
    #[serde(default)]
    annual_rate_pct: Option<Spanned<toml::Value>>,
    #[serde(default)]
    rates: Option<String>,
}

#[derive(Deserialize)]
struct LevelEntry {
    name: String,
    days: Spanned<i64>,
    #[serde(default)]
    fee: Option<Spanned<toml::Value>>,
    #[serde(default)]
    fee_per_invoice: Option<Spanned<toml::Value>>,
    #[serde(default)]
    action: Option<Spanned<String>>,
    /// Required for a `letter` level; an `escalate` level without one writes no letter.
    #[serde(default)]
    template: Option<Spanned<String>>,
}

/// Most days a level may wait for (a hundred years).
const MAX_LEVEL_DAYS: i64 = 36_500;

/// Largest fee or `min_amount` (10^15), and highest `annual_rate_pct`:
/// with them a notice's fees and interest stay far inside Decimal's range.
const MAX_POLICY_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);
const MAX_POLICY_RATE: Decimal = Decimal::from_parts(1000, 0, 0, false, 0);

/// Reads and checks a policy; template paths are relative to the policy file.
pub fn load_policy(path: &str) -> Result<Policy> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read --policy {path}"))?;
    parse_policy(&text, path)
}

/// Checks the policy `text` read from `path`.
fn parse_policy(text: &str, path: &str) -> Result<Policy> {
    let file: PolicyFile = toml::from_str(text).map_err(|e| anyhow!("{path}: {e}"))?;
    let line = |span: std::ops::Range<usize>| text[..span.start.min(text.len())].matches('\n').count() + 1;
    if file.level.is_empty() {
        bail!("{path}: the policy has no [[level]]");
    }
    let base = Path::new(path).parent().unwrap_or(Path::new("."));
    let mut levels = Vec::new();
    let mut previous_days = -1i64;
    for (n, entry) in file.level.iter().enumerate() {
        let at = format!("{path}:{}: level {} '{}'", line(entry.days.span()), n + 1, entry.name);
        let days = *entry.days.get_ref();
        if days < 0 {
            bail!("{at}: days is negative ({days})");
        }
        if days > MAX_LEVEL_DAYS {
            bail!("{at}: days must be at most {MAX_LEVEL_DAYS} (a hundred years), not {days}");
        }
        if days <= previous_days {
            bail!(
                "{at}: levels must be in order of increasing days ({days} does not follow {previous_days})"
            );
        }
        previous_days = days;
        let action = entry.action.as_ref().map_or("letter".to_string(), |a| a.get_ref().clone());
        if action != "letter" && action != "escalate" {
            bail!("{at}: action must be letter or escalate, not '{action}'");
        }
        let template = match &entry.template {
            Some(spanned) => {
                let text = template_text(spanned.get_ref(), base)?;
                check_placeholders(&text)
                    .map_err(|e| anyhow!("{path}:{}: level '{}': {e}", line(spanned.span()), entry.name))?;
                Some(text)
            }
            None if action == "letter" => {
                bail!("{at}: a letter level needs a template (inline text or a file path)")
            }
            None => None,
        };
        levels.push(Level {
            name: entry.name.clone(),
            days: days as i32,
            fee: money(entry.fee.as_ref(), text, &at, "fee", MAX_POLICY_AMOUNT)?,
            fee_per_invoice: money(
                entry.fee_per_invoice.as_ref(),
                text,
                &at,
                "fee_per_invoice",
                MAX_POLICY_AMOUNT,
            )?,
            action,
            template,
        });
    }
    let min_amount = money(file.min_amount.as_ref(), text, path, "min_amount", MAX_POLICY_AMOUNT)?;
    let rates = interest_rates(file.interest.as_ref(), text, path, base)?;
    Ok(Policy {
        levels,
        min_amount,
        min_interval_days: file.min_interval_days.unwrap_or(0).max(0),
        exclude_disputed: file.exclude_disputed,
        rates,
    })
}

/// The policy's late-interest rates: its calendar file, its fixed rate, or 0.
fn interest_rates(
    table: Option<&InterestTable>,
    source: &str,
    path: &str,
    base: &Path,
) -> Result<RateCalendar> {
    match table {
        Some(InterestTable { annual_rate_pct: Some(_), rates: Some(_) }) => bail!(
            "{path}: [interest] has both annual_rate_pct and rates: keep one (a fixed rate or a rate calendar)"
        ),
        Some(InterestTable { rates: Some(file), .. }) => {
            let calendar = base.join(file);
            load_calendar(&calendar.to_string_lossy(), &format!("{path}: [interest] rates"))
        }
        Some(InterestTable { annual_rate_pct: rate, .. }) => {
            Ok(RateCalendar::fixed(money(rate.as_ref(), source, path, "annual_rate_pct", MAX_POLICY_RATE)?))
        }
        None => Ok(RateCalendar::fixed(Decimal::ZERO)),
    }
}

/// An inline template, or the contents of the file it names.
fn template_text(value: &str, base: &Path) -> Result<String> {
    let candidate = base.join(value);
    if !value.contains('\n') && !value.contains('{') && candidate.is_file() {
        return std::fs::read_to_string(&candidate)
            .with_context(|| format!("cannot read template {}", candidate.display()));
    }
    Ok(value.to_string())
}

/// Every `{name}` must be a known placeholder (`{{` and `}}` are literal braces).
pub fn check_placeholders(template: &str) -> Result<(), String> {
    let known: Vec<&str> = FIELDS.iter().chain(&EXTRA_PLACEHOLDERS).copied().collect();
    crate::render::letter::check_placeholders(template, &known).map_err(|(_, why)| why)
}

/// A non-negative number up to `max`, given as a TOML number or text.
/// A TOML float is read from its text in `source` (`100000000000000.01`
/// is not a binary float's nearest value), so policy money stays exact.
fn money(
    value: Option<&Spanned<toml::Value>>,
    source: &str,
    at: &str,
    what: &str,
    max: Decimal,
) -> Result<Decimal> {
    let Some(value) = value else { return Ok(Decimal::ZERO) };
    let amount = match value.get_ref() {
        toml::Value::String(s) => {
            parse_amount(s, false).map_err(|e| anyhow!("{at}: {what} '{}': {e}", excerpt(s, 40)))?
        }
        toml::Value::Integer(i) => Decimal::from(*i),
        toml::Value::Float(_) => exact_float(&source[value.span()]).ok_or_else(|| {
            anyhow!("{at}: {what} must be a finite number, not {}", excerpt(&source[value.span()], 40))
        })?,
        other => bail!("{at}: {what} must be a number, not {}", excerpt(&other.to_string(), 40)),
    };
    if amount < Decimal::ZERO {
        bail!("{at}: {what} cannot be negative");
    }
    if amount > max {
        bail!("{at}: {what} {amount} is more than the {max} a policy allows");
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EXAMPLE: &str = include_str!("../../examples/policy.toml");

    fn policy(levels: &[(&str, &str)], extra: &str) -> String {
        let mut text = extra.to_string();
        for (days, fee) in levels {
            text.push_str(&format!(
                "\n[[level]]\nname = \"l{days}\"\ndays = {days}\nfee = {fee}\ntemplate = \"x\"\n"
            ));
        }
        text
    }

    /// Past the bounds, a clear error naming the line or the field.
    #[test]
    fn days_fees_and_rates_past_the_bounds_are_errors() {
        let err = |text: &str| parse_policy(text, "p.toml").unwrap_err().to_string();
        assert!(err(&policy(&[("3000000000", "0")], ""))
            .contains("p.toml:4: level 1 'l3000000000': days must be at most 36500"));
        assert!(err(&policy(&[("-1", "0")], "")).contains("days is negative (-1)"));
        assert!(err(&policy(&[("7", "\"1e30\"")], "")).contains("fee"));
        assert!(err(&policy(&[("7", "1000000000000001")], "")).contains("more than the 1000000000000000"));
        assert!(err(&policy(&[("7", "0")], "[interest]\nannual_rate_pct = 1000.5\n"))
            .contains("annual_rate_pct 1000.5 is more than the 1000"));
        let at_the_bounds = policy(&[("36500", "1000000000000000")], "[interest]\nannual_rate_pct = 1000\n");
        assert_eq!(parse_policy(&at_the_bounds, "p.toml").unwrap().levels[0].days, 36_500);
    }

    /// A TOML float is read as written, not as the nearest binary float:
    /// 100000000000000.01 as an f64 is 100000000000000.015625, and
    /// 1000000000000000.01 is 1000000000000000.0 (SPEC §3: money is exact).
    #[test]
    fn float_money_is_read_as_written() {
        let parsed = parse_policy(
            &policy(
                &[("7", "1000000000000000.00"), ("30", "1_000.5e-1")],
                "min_amount = 100000000000000.01\n",
            ),
            "p.toml",
        )
        .unwrap();
        assert_eq!(parsed.min_amount.to_string(), "100000000000000.01");
        assert_eq!(parsed.levels[0].fee.to_string(), "1000000000000000.00");
        assert_eq!(parsed.levels[1].fee, Decimal::new(10005, 2)); // 1000.5e-1 = 100.05
        let fee = |value: &str| parse_policy(&policy(&[("7", value)], ""), "p.toml").map(|p| p.levels[0].fee);
        assert_eq!(fee("999999999999999.99").unwrap().to_string(), "999999999999999.99");
        assert_eq!(fee("+2.5").unwrap(), Decimal::new(25, 1));
        let rate =
            parse_policy(&policy(&[("7", "0")], "[interest]\nannual_rate_pct = 8.15\n"), "p.toml").unwrap();
        assert_eq!(rate.rates, RateCalendar::fixed(Decimal::new(815, 2)));
        let err = fee("inf").unwrap_err().to_string();
        assert!(err.contains("p.toml:4: level 1 'l7': fee must be a finite number, not inf"), "{err}");
        assert!(fee("-0.5").unwrap_err().to_string().contains("fee cannot be negative"));
    }

    /// One mutation of a text: a character replaced, a span deleted or
    /// repeated, or text inserted.
    fn mutate(text: &str, kind: u8, at: usize, len: usize, insert: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let at = at % (chars.len() + 1);
        let end = (at + len).min(chars.len());
        let (head, tail): (String, String) = (chars[..at].iter().collect(), chars[end..].iter().collect());
        let middle: String = chars[at..end].iter().collect();
        match kind % 4 {
            0 => format!("{head}{insert}{tail}"),
            1 => format!("{head}{tail}"),
            2 => format!("{head}{middle}{middle}{tail}"),
            _ => format!("{head}{insert}{middle}{tail}"),
        }
    }

    fn hostile() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            prop::sample::select(vec![
                "[[level]]",
                "days = ",
                "-1",
                "99999999999999999999",
                "1e400",
                "nan",
                "\"",
                "{",
                "{customer",
                "{nope}",
                "{{",
                "fee = \"(1,0)\"",
                "= [",
                "]]",
                "\n",
                "\r\n",
                "\u{0}",
                "é",
            ])
            .prop_map(String::from),
        ]
    }

    proptest! {
        /// The example policy mutated anyhow parses or fails with a
        /// message naming the file; it never panics.
        #[test]
        fn mutated_policies_never_panic(
            edits in prop::collection::vec((any::<u8>(), any::<usize>(), 0usize..40, hostile()), 1..4),
        ) {
            let mut text = EXAMPLE.to_string();
            for (kind, at, len, insert) in &edits {
                text = mutate(&text, *kind, *at, *len, insert);
            }
            if let Err(e) = parse_policy(&text, "p.toml") {
                prop_assert!(e.to_string().contains("p.toml") || e.to_string().contains("template"), "{e}");
            }
        }

        /// Levels with any days and fees: accepted exactly when days rise
        /// within the bounds and fees are within theirs, and then kept as given.
        #[test]
        fn generated_levels_parse_as_written(
            levels in prop::collection::vec((-10i64..50_000, 0i64..2_000_000_000_000_000), 1..6),
        ) {
            let texts: Vec<(String, String)> =
                levels.iter().map(|(d, f)| (d.to_string(), Decimal::new(*f, 2).to_string())).collect();
            let refs: Vec<(&str, &str)> = texts.iter().map(|(d, f)| (d.as_str(), f.as_str())).collect();
            let valid = levels.windows(2).all(|w| w[0].0 < w[1].0)
                && levels.iter().all(|(d, f)| (0..=MAX_LEVEL_DAYS).contains(d) && Decimal::new(*f, 2) <= MAX_POLICY_AMOUNT);
            let parsed = parse_policy(&policy(&refs, ""), "p.toml");
            prop_assert_eq!(parsed.is_ok(), valid, "{:?}", parsed.as_ref().err());
            if let Ok(p) = parsed {
                let got: Vec<(i64, Decimal)> = p.levels.iter().map(|l| (i64::from(l.days), l.fee)).collect();
                let want: Vec<(i64, Decimal)> = levels.iter().map(|(d, f)| (*d, Decimal::new(*f, 2))).collect();
                prop_assert_eq!(got, want);
            }
        }
    }
}
