//! `--columns F1,F2,...`: keeps only these fields, in this order, in the
//! rows and the totals alike, before any renderer sees the report, so every
//! format (and every command) gets the same selection. A field that is in
//! neither the rows nor the totals is a usage error listing the report's
//! fields.

use super::{Cell, Report};
use crate::error::usage;
use anyhow::Result;

/// The report restricted to `fields`.
pub fn select(report: &Report, fields: &[String]) -> Result<Report> {
    check(report, fields)?;
    let row_picks = picks(&report.columns, fields);
    let mut selected = Report {
        columns: row_picks.iter().map(|&i| report.columns[i].clone()).collect(),
        rows: report.rows.iter().map(|row| pick(row, &row_picks)).collect(),
        ..report.clone()
    };
    match &report.totals_columns {
        None => selected.totals = report.totals.iter().map(|row| pick(row, &row_picks)).collect(),
        Some(names) => {
            let total_picks = picks(names, fields);
            selected.totals_columns = Some(total_picks.iter().map(|&i| names[i].clone()).collect());
            selected.totals = report.totals.iter().map(|row| pick(row, &total_picks)).collect();
            if total_picks.is_empty() {
                selected.totals.clear();
            }
        }
    }
    Ok(selected)
}

/// Every field of the report: the rows' columns, then those only the
/// totals have.
pub fn fields(report: &Report) -> Vec<&str> {
    let mut all: Vec<&str> = report.columns.iter().map(String::as_str).collect();
    for name in report.totals_columns() {
        if !all.contains(&name.as_str()) {
            all.push(name);
        }
    }
    all
}

fn check(report: &Report, fields: &[String]) -> Result<()> {
    let known = self::fields(report);
    for (i, field) in fields.iter().enumerate() {
        if !known.contains(&field.as_str()) {
            return Err(usage(format!(
                "--columns: `{}` has no field '{field}'; its fields are: {}",
                report.command,
                known.join(",")
            )));
        }
        if fields[..i].contains(field) {
            return Err(usage(format!("--columns: field '{field}' is given twice")));
        }
    }
    Ok(())
}

/// Positions in `columns` of the wanted fields it has, in the wanted order.
fn picks(columns: &[String], fields: &[String]) -> Vec<usize> {
    fields.iter().filter_map(|f| columns.iter().position(|c| c == f)).collect()
}

fn pick(row: &[Cell], picks: &[usize]) -> Vec<Cell> {
    picks.iter().map(|&i| row[i].clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UsageError;

    fn report(totals_columns: Option<Vec<String>>) -> Report {
        Report {
            command: "age".into(),
            as_of: 0,
            params: Default::default(),
            columns: ["customer", "currency", "overdue"].map(String::from).to_vec(),
            rows: vec![vec![Cell::text("A"), Cell::text("EUR"), Cell::Int(5)]],
            totals: match totals_columns {
                None => vec![vec![Cell::Null, Cell::text("EUR"), Cell::Int(5)]],
                Some(_) => vec![vec![Cell::Int(1), Cell::Int(9)]],
            },
            totals_columns,
        }
    }

    #[test]
    fn rows_and_totals_follow_the_order_given() {
        let fields = vec!["overdue".to_string(), "customer".to_string()];
        let selected = select(&report(None), &fields).unwrap();
        assert_eq!(selected.columns, fields);
        assert_eq!(selected.rows, vec![vec![Cell::Int(5), Cell::text("A")]]);
        assert_eq!(selected.totals, vec![vec![Cell::Int(5), Cell::Null]]);
    }

    #[test]
    fn separate_totals_keep_their_own_fields() {
        let totals = Some(vec!["installments".to_string(), "overdue".to_string()]);
        let fields = vec!["overdue".to_string(), "installments".to_string(), "customer".to_string()];
        let selected = select(&report(totals), &fields).unwrap();
        assert_eq!(selected.columns, ["overdue", "customer"]);
        assert_eq!(selected.totals_columns.as_deref().unwrap(), ["overdue", "installments"]);
        assert_eq!(selected.totals, vec![vec![Cell::Int(9), Cell::Int(1)]]);
    }

    #[test]
    fn unknown_or_repeated_fields_are_usage_errors() {
        let err = select(&report(None), &["overdeu".to_string()]).unwrap_err();
        assert!(err.downcast_ref::<UsageError>().is_some());
        assert!(err.to_string().contains("customer,currency,overdue"), "{err}");
        let twice = vec!["customer".to_string(), "customer".to_string()];
        assert!(select(&report(None), &twice).is_err());
    }
}
