//! `--fx RATES.csv --base CUR`: exchange rates to convert every amount into
//! one base currency before anything is added. The file has a `currency`
//! and a `rate` column: the value of one unit of that currency in the base
//! currency (the base itself is 1 and may be left out).

use super::amount::parse_amount;
use anyhow::{anyhow, bail, Context, Result};
use rust_decimal::Decimal;
use std::collections::HashMap;

pub fn load_rates(path: &str, base: &str) -> Result<HashMap<String, Decimal>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read --fx {path}"))?;
    let headers = reader.headers()?.clone();
    let find =
        |names: &[&str]| headers.iter().position(|h| names.contains(&super::headers::normalize(h).as_str()));
    let currency = find(&["currency", "moneda", "divisa", "code"])
        .ok_or_else(|| anyhow!("{path}: no 'currency' column (expected currency,rate)"))?;
    let rate = find(&["rate", "fx", "fxrate", "tipo", "tipodecambio", "tasa"])
        .ok_or_else(|| anyhow!("{path}: no 'rate' column (expected currency,rate)"))?;
    let mut rates = HashMap::from([(base.to_string(), Decimal::ONE)]);
    for (n, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{path}:{}: cannot read the row", n + 2))?;
        let code = record.get(currency).unwrap_or("").trim().to_uppercase();
        let text = record.get(rate).unwrap_or("").trim();
        let value =
            parse_amount(text, false).map_err(|e| anyhow!("{path}:{}: rate \"{text}\": {e}", n + 2))?;
        if value <= Decimal::ZERO {
            bail!("{path}:{}: the rate of {code} must be positive", n + 2);
        }
        if code == base && value != Decimal::ONE {
            bail!("{path}:{}: the base currency {base} must have rate 1", n + 2);
        }
        rates.insert(code, value);
    }
    Ok(rates)
}
