//! `provision --rates FILE`: a given provision matrix. CSV with a header
//! `bucket,loss_rate_pct` (`,` `;` or tab), one row per bucket of
//! `--buckets` (each exactly once, any order), the rate a percentage in
//! [0, 100] (`0.3`, or `0,3` with `--decimal-comma`; a trailing `%` is
//! allowed). Anything else is an error naming the file and line.

use super::amount::parse_amount;
use super::headers::normalize;
use anyhow::{anyhow, bail, Context, Result};
use rust_decimal::Decimal;

/// The loss rate (a percentage) of each bucket, in bucket order.
pub fn load_loss_rates(path: &str, names: &[String], decimal_comma: bool) -> Result<Vec<Decimal>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read --rates {path}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text.lines().next().unwrap_or("")))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().with_context(|| format!("{path}: cannot read the header"))?.clone();
    let find = |name: &str| {
        headers.iter().position(|h| normalize(h) == normalize(name)).ok_or_else(|| {
            anyhow!(
                "{path}: no '{name}' column (the header must be bucket,loss_rate_pct; found: {})",
                headers.iter().collect::<Vec<_>>().join(",")
            )
        })
    };
    let (bucket_col, rate_col) = (find("bucket")?, find("loss_rate_pct")?);
    let mut rates: Vec<Option<Decimal>> = vec![None; names.len()];
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.with_context(|| format!("{path}:{line}: cannot read the row"))?;
        let bucket = record.get(bucket_col).unwrap_or("");
        let k = names.iter().position(|b| b == bucket).ok_or_else(|| {
            anyhow!("{path}:{line}: column \"bucket\": value \"{bucket}\": not a bucket of --buckets (expected one of {})", names.join(", "))
        })?;
        if rates[k].is_some() {
            bail!("{path}:{line}: column \"bucket\": value \"{bucket}\": the bucket is given twice (give each bucket once)");
        }
        rates[k] = Some(rate(record.get(rate_col).unwrap_or(""), decimal_comma).map_err(|why| {
            anyhow!(
                "{path}:{line}: column \"loss_rate_pct\": value \"{}\": {why}",
                record.get(rate_col).unwrap_or("")
            )
        })?);
    }
    let missing: Vec<&str> =
        names.iter().zip(&rates).filter(|(_, r)| r.is_none()).map(|(n, _)| n.as_str()).collect();
    if !missing.is_empty() {
        bail!("{path}: no loss rate for {} (give every bucket of --buckets once)", missing.join(", "));
    }
    Ok(rates.into_iter().flatten().collect())
}

/// `;` or tab when the header has one, else `,`.
fn delimiter(header: &str) -> u8 {
    if header.contains(';') {
        b';'
    } else if header.contains('\t') {
        b'\t'
    } else {
        b','
    }
}

/// A percentage in [0, 100].
fn rate(text: &str, decimal_comma: bool) -> Result<Decimal, String> {
    let number = text.strip_suffix('%').unwrap_or(text).trim();
    let value =
        parse_amount(number, decimal_comma).map_err(|e| format!("cannot read it as a percentage: {e}"))?;
    if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
        return Err("a loss rate is a percentage between 0 and 100".into());
    }
    Ok(value)
}
