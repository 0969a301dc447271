//! The human table: numbers right-aligned, a `TOTAL` row per currency.
//! A cell shows at most [`MAX_CELL_CHARS`] characters, cut with `…`: the
//! table is for reading (CSV and JSON keep every character), and the table
//! library slows to seconds per row once a cell passes 65,535 columns.

use super::csv::total_row;
use super::{Cell, Report};
use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, CellAlignment, Table};
use std::io::Write;

pub fn write(report: &Report, out: &mut dyn Write) -> Result<()> {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(&report.columns);
    for row in &report.rows {
        table.add_row(row.iter().map(table_cell));
    }
    if report.totals_columns.is_none() {
        for row in &report.totals {
            table.add_row(total_row(row).iter().map(table_cell));
        }
    }
    writeln!(out, "{table}")?;
    if report.totals_columns.is_some() && !report.totals.is_empty() {
        let mut totals = Table::new();
        totals.load_preset(UTF8_FULL_CONDENSED);
        totals.set_header(report.totals_columns());
        for row in &report.totals {
            totals.add_row(row.iter().map(table_cell));
        }
        writeln!(out, "{totals}")?;
    }
    Ok(())
}

/// Most characters a table cell shows.
pub const MAX_CELL_CHARS: usize = 1000;

fn table_cell(cell: &Cell) -> comfy_table::Cell {
    let c = comfy_table::Cell::new(shown(cell.display()));
    if cell.is_numeric() {
        c.set_alignment(CellAlignment::Right)
    } else {
        c
    }
}

/// `text`, cut to [`MAX_CELL_CHARS`] characters (the last one `…`).
fn shown(mut text: String) -> String {
    if let Some((end, _)) = text.char_indices().nth(MAX_CELL_CHARS - 1) {
        if text[end..].chars().nth(1).is_some() {
            text.truncate(end);
            text.push('…');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(cell: &str) -> Report {
        Report {
            command: "segment".into(),
            as_of: 0,
            params: Default::default(),
            columns: vec!["customer".into(), "action".into()],
            rows: vec![vec![Cell::text("C1"), Cell::text(cell)]; 20],
            totals_columns: None,
            totals: Vec::new(),
        }
    }

    fn render(report: &Report) -> String {
        let mut out = Vec::new();
        write(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Twenty rows of a 100,000-character cell (seconds per row before):
    /// each row shows the first 999 characters and `…`.
    #[test]
    fn huge_cells_are_cut_in_the_table() {
        let text = render(&report(&"x".repeat(100_000)));
        let rows: Vec<&str> = text.lines().filter(|l| l.contains("C1")).collect();
        assert_eq!(rows.len(), 20);
        let expected = format!("│ C1       ┆ {}… │", "x".repeat(MAX_CELL_CHARS - 1));
        assert!(rows.iter().all(|r| *r == expected), "{}", &rows[0][..80]);
    }

    /// Up to the limit nothing is cut, counting characters, not bytes.
    #[test]
    fn cells_up_to_the_limit_are_whole() {
        let whole = "é".repeat(MAX_CELL_CHARS);
        assert_eq!(shown(whole.clone()), whole);
        let longer = shown("é".repeat(MAX_CELL_CHARS + 1));
        assert_eq!(longer.chars().count(), MAX_CELL_CHARS);
        assert!(longer.ends_with("é…"));
        assert_eq!(shown(String::new()), "");
    }
}
