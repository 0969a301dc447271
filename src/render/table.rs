//! The human table: numbers right-aligned, a `TOTAL` row per currency.

use super::csv::total_row;
use super::number::{cell_text, NumberStyle};
use super::{Cell, OutputOptions, Report};
use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, CellAlignment, Table};
use std::io::Write;

pub fn write(report: &Report, options: &OutputOptions, out: &mut dyn Write) -> Result<()> {
    let style = options.number_style(false);
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(&report.columns);
    for row in &report.rows {
        table.add_row(row.iter().map(|c| table_cell(c, style)));
    }
    if report.totals_columns.is_none() {
        for row in &report.totals {
            table.add_row(total_row(row).iter().map(|c| table_cell(c, style)));
        }
    }
    writeln!(out, "{table}")?;
    if report.totals_columns.is_some() && !report.totals.is_empty() {
        let mut totals = Table::new();
        totals.load_preset(UTF8_FULL_CONDENSED);
        totals.set_header(report.totals_columns());
        for row in &report.totals {
            totals.add_row(row.iter().map(|c| table_cell(c, style)));
        }
        writeln!(out, "{totals}")?;
    }
    Ok(())
}

fn table_cell(cell: &Cell, style: NumberStyle) -> comfy_table::Cell {
    let text = cell_text(cell, style);
    let c = comfy_table::Cell::new(text);
    if cell.is_numeric() {
        c.set_alignment(CellAlignment::Right)
    } else {
        c
    }
}
