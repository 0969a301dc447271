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
use crate::dates::iso;
use anyhow::Result;
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
