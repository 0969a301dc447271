//! Reading a late-interest rate calendar (CSV `from,annual_rate_pct[,source]`):
//! each rate is in force from its `from` day (a date as in every input
//! file: ISO `YYYY-MM-DD`, or a detected format) until the
//! next row's. Rows may come in any order; they are sorted by `from`. The
//! `source` column (which resolution published the rate) is for people and
//! is not used. An empty rate says "no rate known from this day": a delay
//! that reaches it is an error, never a claim at the previous rate. A calendar is never read in part: a bad row, two rows with
//! the same `from`, or no row at all stops the command, as a skipped rate
//! would change every claim.

use super::date::DateColumn;
use super::headers::normalize;
use crate::dates::iso;
use crate::domain::interest::{RateCalendar, RatePeriod};
use anyhow::{anyhow, bail, Context, Result};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Header names accepted for each column (after [`normalize`]).
const FROM: [&str; 5] = ["from", "desde", "validfrom", "fechadesde", "date"];
const RATE: [&str; 6] = ["annualratepct", "ratepct", "rate", "tipo", "tipoanual", "interes"];

/// Reads the calendar at `path`; `what` names it in errors (`--interest FILE`,
/// or the policy's `rates`).
pub fn load_calendar(path: &str, what: &str) -> Result<RateCalendar> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {what} {path}"))?;
    let text =
        String::from_utf8(bytes).map_err(|_| anyhow!("{path}: not UTF-8 text: re-save it as UTF-8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter_of(text)).from_reader(text.as_bytes());
    let headers = reader.headers().with_context(|| format!("{path}: cannot read the header"))?.clone();
    let find = |names: &[&str], name: &str| {
        headers.iter().position(|h| names.contains(&normalize(h).as_str())).ok_or_else(|| {
            let found: Vec<&str> = headers.iter().collect();
            anyhow!(
                "{path}: no '{name}' column (expected from,annual_rate_pct[,source]; found {})",
                found.join(",")
            )
        })
    };
    let (from_col, rate_col) = (find(&FROM, "from")?, find(&RATE, "annual_rate_pct")?);
    let mut records = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 2;
        records.push((line, record.with_context(|| format!("{path}:{line}: cannot read the row"))?));
    }
    // Dates are read as in every input file (SPEC §2): a time part is
    // ignored, and a slashed column's day-month order is told by any row.
    let mut dates = DateColumn::new(None);
    for (_, record) in &records {
        dates.learn(record.get(from_col).unwrap_or("").trim());
    }
    let mut rows: Vec<(u64, RatePeriod)> = Vec::new();
    for (line, record) in records {
        let cell = |col: usize| record.get(col).unwrap_or("").trim().to_string();
        let from_text = cell(from_col);
        let from = dates.read_now(&from_text).map_err(|why| {
            anyhow!(
                "{path}:{line}: column \"{}\": value \"{from_text}\": cannot read it as a date: {why}",
                &headers[from_col]
            )
        })?;
        let rate_text = cell(rate_col);
        let rate = (!rate_text.is_empty()).then(|| parse_rate(&rate_text)).transpose().map_err(|why| {
            anyhow!("{path}:{line}: column \"{}\": value \"{rate_text}\": {why}", &headers[rate_col])
        })?;
        rows.push((line, RatePeriod { from, annual_rate_pct: rate }));
    }
    if rows.is_empty() {
        bail!("{path}: the rate calendar has no rows (expected from,annual_rate_pct[,source])");
    }
    rows.sort_by_key(|(line, row)| (row.from, *line));
    if let Some(pair) = rows.windows(2).find(|w| w[0].1.from == w[1].1.from) {
        bail!(
            "{path}:{}: a second rate from {} (line {} has one): keep one row per date",
            pair[1].0,
            iso(pair[1].1.from),
            pair[0].0
        );
    }
    let calendar = RateCalendar::new(rows.into_iter().map(|(_, row)| row).collect())
        .map_err(|day| anyhow!("{path}: two rates from {}", iso(day)))?;
    Ok(calendar.with_origin(path))
}

/// `;` or tab when the header line has one and no comma, else `,`.
fn delimiter_of(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    if header.contains(',') {
        b','
    } else if header.contains(';') {
        b';'
    } else if header.contains('\t') {
        b'\t'
    } else {
        b','
    }
}

/// A percentage such as `12.50` or `12.50%`: digits with a decimal point,
/// from 0 up to (not including) 1000.
fn parse_rate(text: &str) -> Result<Decimal, String> {
    let number = text.strip_suffix('%').unwrap_or(text).trim();
    if number.contains(',') {
        return Err("write the rate with a decimal point, e.g. 12.50".into());
    }
    let plain = !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.');
    let rate = Decimal::from_str(number)
        .ok()
        .filter(|_| plain)
        .ok_or_else(|| "not an annual rate in percent such as 12.50 (0 or more)".to_string())?;
    if rate >= Decimal::from(1000) {
        return Err("an annual rate of 1000 % or more is surely a typo".into());
    }
    Ok(rate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::ymd;

    fn load(content: &str) -> Result<RateCalendar> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rates.csv");
        std::fs::write(&path, content).unwrap();
        load_calendar(path.to_str().unwrap(), "--interest")
    }

    #[test]
    fn reads_sorts_and_ignores_the_source() {
        let calendar =
            load("\u{feff}from;annual_rate_pct;source\n2024-07-01;12.25;BOE b\n2024-01-01;12.50%;BOE a\n")
                .unwrap();
        let froms: Vec<_> =
            calendar.periods().iter().map(|p| (p.from, p.annual_rate_pct.unwrap().to_string())).collect();
        assert_eq!(
            froms,
            [
                (ymd(2024, 1, 1).unwrap(), "12.50".to_string()),
                (ymd(2024, 7, 1).unwrap(), "12.25".to_string())
            ]
        );
    }

    /// `from` is read as every input file's dates are: a time part is
    /// ignored, and `01/07/2024` (1 July or 7 January) is told day first by
    /// `15/01/2025` on another row.
    #[test]
    fn dates_with_a_time_part_or_day_first_are_read() {
        let calendar =
            load("from,annual_rate_pct\n2023-07-01 00:00:00,12\n01/07/2024,12.25\n15/01/2025,12.5\n")
                .unwrap();
        let froms: Vec<_> = calendar.periods().iter().map(|p| p.from).collect();
        assert_eq!(froms, [ymd(2023, 7, 1).unwrap(), ymd(2024, 7, 1).unwrap(), ymd(2025, 1, 15).unwrap()]);
    }

    #[test]
    fn bad_rows_name_the_line_the_column_and_the_value() {
        let err = |content: &str| format!("{:#}", load(content).unwrap_err());
        let e = err("from,annual_rate_pct\n2024-01-01,12.50\n01/07/2024,12.25\n");
        assert!(e.contains("rates.csv:3: column \"from\": value \"01/07/2024\""), "{e}");
        let e = err("from,annual_rate_pct\n2024-01-01,\"12,50\"\n");
        assert!(
            e.contains(
                ":2: column \"annual_rate_pct\": value \"12,50\": write the rate with a decimal point"
            ),
            "{e}"
        );
        let e = err("from,annual_rate_pct\n2024-01-01,-1\n");
        assert!(e.contains(":2:") && e.contains("\"-1\""), "{e}");
        let e = err("from,annual_rate_pct\n2024-01-01,12.5\n2024-01-01,12.25\n");
        assert!(e.contains(":3: a second rate from 2024-01-01 (line 2"), "{e}");
        let e = err("from,annual_rate_pct\n");
        assert!(e.contains("no rows"), "{e}");
        let e = err("desde,tasa\n2024-01-01,1\n");
        assert!(e.contains("no 'annual_rate_pct' column") && e.contains("found desde,tasa"), "{e}");
    }
}
