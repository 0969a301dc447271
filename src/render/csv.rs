//! CSV: one header row, one row per result row; totals only with
//! `--totals` (their first column reads `TOTAL`), and only when they have
//! the rows' columns (`plan schedule`'s totals are in JSON and the table). Text cells that a
//! spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first)
//! get a leading `'`; numeric cells are never altered (with
//! `--out-decimal-comma` their decimal mark is `,`, never a thousands
//! separator).

use super::number::{cell_text, NumberStyle};
use super::{Cell, OutputOptions, Report};
use anyhow::Result;
use std::io::Write;

pub fn write(report: &Report, options: &OutputOptions, out: &mut dyn Write) -> Result<()> {
    if options.bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut writer = csv::WriterBuilder::new().delimiter(options.out_delimiter).from_writer(out);
    let style = options.number_style(false);
    writer.write_record(&report.columns)?;
    for row in &report.rows {
        writer.write_record(row.iter().map(|c| csv_cell(c, style)))?;
    }
    if options.totals && report.totals_columns.is_none() {
        for row in &report.totals {
            writer.write_record(total_row(row).iter().map(|c| csv_cell(c, style)))?;
        }
    } else if options.totals && !report.totals.is_empty() {
        eprintln!(
            "cobro: warning: --totals: the totals of `{}` have other columns than its rows, which one CSV cannot hold; they are in -f table, json and xlsx",
            report.command
        );
    }
    writer.flush()?;
    Ok(())
}

/// A totals row with `TOTAL` in its first column when that one is empty.
pub fn total_row(row: &[Cell]) -> Vec<Cell> {
    let mut row = row.to_vec();
    if let Some(first @ Cell::Null) = row.first_mut() {
        *first = Cell::text("TOTAL");
    }
    row
}

fn csv_cell(cell: &Cell, style: NumberStyle) -> String {
    let text = cell_text(cell, style);
    match cell {
        Cell::Text(_) | Cell::List(_) => guard_formula(text),
        _ => text,
    }
}

/// Prefixes `'` to text that a spreadsheet would evaluate.
pub fn guard_formula(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::guard_formula;

    #[test]
    fn formula_injection_is_defused() {
        assert_eq!(guard_formula("=HYPERLINK(\"x\")".into()), "'=HYPERLINK(\"x\")");
        assert_eq!(guard_formula("-5".into()), "'-5");
        assert_eq!(guard_formula("ACME".into()), "ACME");
    }
}
