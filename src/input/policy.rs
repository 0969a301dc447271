//! Reading a dunning policy (TOML; the log is `dunning_log`). Policy errors
//! name the line: levels out of order, negative days, a template with an
//! unknown placeholder.

use crate::domain::dunning::{Level, Policy, FIELDS};
use crate::domain::interest::RateCalendar;
use crate::input::amount::parse_amount;
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
    annual_rate_pct: Option<toml::Value>,
    #[serde(default)]
    rates: Option<String>,
}

#[derive(Deserialize)]
struct LevelEntry {
    name: String,
    days: Spanned<i64>,
    #[serde(default)]
    fee: Option<toml::Value>,
    #[serde(default)]
    fee_per_invoice: Option<toml::Value>,
    #[serde(default)]
    action: Option<Spanned<String>>,
    /// Required for a `letter` level; an `escalate` level without one writes no letter.
    #[serde(default)]
    template: Option<Spanned<String>>,
}

/// Reads and checks a policy; template paths are relative to the policy file.
pub fn load_policy(path: &str) -> Result<Policy> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read --policy {path}"))?;
    let file: PolicyFile = toml::from_str(&text).map_err(|e| anyhow!("{path}: {e}"))?;
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
            fee: money(entry.fee.as_ref(), &at, "fee")?,
            fee_per_invoice: money(entry.fee_per_invoice.as_ref(), &at, "fee_per_invoice")?,
            action,
            template,
        });
    }
    let min_amount = money(file.min_amount.as_ref().map(|s| s.get_ref()), path, "min_amount")?;
    let rates = interest_rates(file.interest.as_ref(), path, base)?;
    Ok(Policy {
        levels,
        min_amount,
        min_interval_days: file.min_interval_days.unwrap_or(0).max(0),
        exclude_disputed: file.exclude_disputed,
        rates,
    })
}

/// The policy's late-interest rates: its calendar file, its fixed rate, or 0.
fn interest_rates(table: Option<&InterestTable>, path: &str, base: &Path) -> Result<RateCalendar> {
    match table {
        Some(InterestTable { annual_rate_pct: Some(_), rates: Some(_) }) => bail!(
            "{path}: [interest] has both annual_rate_pct and rates: keep one (a fixed rate or a rate calendar)"
        ),
        Some(InterestTable { rates: Some(file), .. }) => {
            let calendar = base.join(file);
            load_calendar(&calendar.to_string_lossy(), &format!("{path}: [interest] rates"))
        }
        Some(InterestTable { annual_rate_pct: rate, .. }) => {
            Ok(RateCalendar::fixed(money(rate.as_ref(), path, "annual_rate_pct")?))
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

fn money(value: Option<&toml::Value>, at: &str, what: &str) -> Result<Decimal> {
    let text = match value {
        None => return Ok(Decimal::ZERO),
        Some(toml::Value::String(s)) => s.clone(),
        Some(toml::Value::Integer(i)) => i.to_string(),
        Some(toml::Value::Float(f)) => f.to_string(),
        Some(other) => bail!("{at}: {what} must be a number, not {other}"),
    };
    let amount = parse_amount(&text, false).map_err(|e| anyhow!("{at}: {what} '{text}': {e}"))?;
    if amount < Decimal::ZERO {
        bail!("{at}: {what} cannot be negative");
    }
    Ok(amount)
}
