//! JSON and NDJSON.
//!
//! JSON schema: `{"command": "age", "as_of": "YYYY-MM-DD", "params": {...},
//! "rows": [{column: value, ...}], "totals": [{...}]}`; NDJSON writes one
//! row object per line (no totals). Money is a JSON number with exactly the
//! currency's minor-unit digits (`12.30`, `1500` for JPY), written from the
//! exact decimal (serde_json's arbitrary precision), never through `f64`.
//! Percentages and day figures have 2 decimals; a rate without a
//! denominator is `null`; dates are `YYYY-MM-DD` strings; lists
//! (dunning's `invoices`) are arrays.

use super::{Cell, Report};
use crate::dates::{iso, Day};
use anyhow::Result;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::{Map, Number, Value};
use std::io::Write;
use std::str::FromStr;

pub fn write(report: &Report, out: &mut dyn Write) -> Result<()> {
    let mut doc = Map::new();
    doc.insert("command".into(), Value::String(report.command.clone()));
    doc.insert("as_of".into(), Value::String(iso(report.as_of)));
    doc.insert("params".into(), Value::Object(report.params.clone()));
    doc.insert("rows".into(), rows_value(&report.columns, &report.rows));
    doc.insert("totals".into(), rows_value(report.totals_columns(), &report.totals));
    serde_json::to_writer_pretty(&mut *out, &Value::Object(doc))?;
    out.write_all(b"\n")?;
    Ok(())
}

pub fn write_ndjson(report: &Report, out: &mut dyn Write) -> Result<()> {
    for row in &report.rows {
        serde_json::to_writer(&mut *out, &row_object(&report.columns, row))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn rows_value(columns: &[String], rows: &[Vec<Cell>]) -> Value {
    Value::Array(rows.iter().map(|r| row_object(columns, r)).collect())
}

fn row_object(columns: &[String], row: &[Cell]) -> Value {
    let map: Map<String, Value> = columns.iter().cloned().zip(row.iter().map(cell_value)).collect();
    Value::Object(map)
}

/// The JSON value of a cell.
pub fn cell_value(cell: &Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Text(s) => Value::String(s.clone()),
        Cell::Bool(b) => Value::Bool(*b),
        Cell::Date(d) => Value::String(iso(*d)),
        Cell::List(items) => Value::Array(items.iter().cloned().map(Value::String).collect()),
        Cell::Int(_) | Cell::Money(..) | Cell::Fixed2(_) => exact_number(&cell.display()),
    }
}

/// A JSON number with exactly these digits.
pub fn exact_number(text: &str) -> Value {
    Number::from_str(text).map(Value::Number).unwrap_or(Value::Null)
}

/// A command's parameters (a `Serialize` struct naming each one) as the
/// JSON `params` object.
pub fn params(value: &impl Serialize) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// `#[serde(serialize_with)]` for a decimal parameter: an exact JSON
/// number with no trailing zeros (`12`, `0.5`).
pub fn exact_decimal<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    exact_number(&value.normalize().to_string()).serialize(serializer)
}

/// `#[serde(serialize_with)]` for a date parameter: `YYYY-MM-DD`.
pub fn iso_date<S: Serializer>(day: &Day, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&iso(*day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Example {
        #[serde(serialize_with = "exact_decimal")]
        amount: Decimal,
        #[serde(serialize_with = "iso_date")]
        start: Day,
        every: Option<&'static str>,
    }

    #[test]
    fn params_structs_become_the_params_object() {
        let value = Example { amount: Decimal::new(12_500, 3), start: 739_000, every: None };
        let map = params(&value);
        assert_eq!(
            Value::Object(map).to_string(),
            format!(r#"{{"amount":12.5,"start":"{}","every":null}}"#, iso(739_000))
        );
    }
}
