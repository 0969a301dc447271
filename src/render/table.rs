//! The human table: numbers right-aligned, money with thousands separators
//! (`1,234,567.89`, or `1.234.567,89` with `--out-decimal-comma`), and a
//! `TOTAL` label on each totals row. A table wider than the terminal that
//! has at most [`MAX_TRANSPOSED`] rows (totals included) is printed
//! transposed: one line per field, one column per row, so a report of a
//! few rows and many fields (`kpi` for one month) fits the screen.
//! A cell shows at most [`MAX_CELL_CHARS`] characters, cut with `…`: the
//! table is for reading (CSV and JSON keep every character), and the table
//! library slows to seconds per row once a cell passes 65,535 columns.

use super::number::{cell_text, NumberStyle};
use super::{Cell, OutputOptions, Report};
use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, CellAlignment, Table};
use std::io::Write;

/// The most rows (totals included) a too-wide table may have to be
/// printed transposed; a longer one stays as it is (pipe it to `less -S`).
pub const MAX_TRANSPOSED: usize = 12;

/// The width assumed when neither `COLUMNS` nor the terminal tells.
pub const DEFAULT_WIDTH: usize = 120;

/// A grid of text cells ready to print: a header and rows, with each
/// cell's alignment.
struct Grid {
    header: Vec<String>,
    rows: Vec<Vec<(String, bool)>>,
}

pub fn write(report: &Report, options: &OutputOptions, out: &mut dyn Write) -> Result<()> {
    let style = options.number_style(true);
    let width = terminal_width();
    let shared_totals = if report.totals_columns.is_none() { &report.totals[..] } else { &[] };
    let main = labelled_grid(&report.columns, &report.rows, shared_totals, style);
    writeln!(out, "{}", fit(&main, width))?;
    if report.totals_columns.is_some() && !report.totals.is_empty() {
        let totals = labelled_grid(report.totals_columns(), &[], &report.totals, style);
        writeln!(out, "{}", fit(&totals, width))?;
    }
    Ok(())
}

/// `COLUMNS`, else the width of the terminal on standard output, else 120.
pub fn terminal_width() -> usize {
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok());
    columns.filter(|&c| c > 0).unwrap_or_else(|| {
        terminal_size::terminal_size().map_or(DEFAULT_WIDTH, |(terminal_size::Width(w), _)| w as usize)
    })
}

/// The rows, then the totals rows saying `TOTAL` in their first column:
/// in place of an empty first cell, or, when a total's first cell holds a
/// value (`kpi`'s `period_start`, `age --by none`'s `currency`), in a
/// leading label column that the result rows leave empty.
fn labelled_grid(columns: &[String], rows: &[Vec<Cell>], totals: &[Vec<Cell>], style: NumberStyle) -> Grid {
    let mut header = columns.to_vec();
    let mut body = text_rows(rows, style);
    let mut total_rows = text_rows(totals, style);
    let first_cells_empty = totals.iter().all(|t| matches!(t.first(), None | Some(Cell::Null)));
    if first_cells_empty {
        for row in &mut total_rows {
            if let Some(first) = row.first_mut() {
                *first = ("TOTAL".into(), false);
            }
        }
    } else {
        header.insert(0, String::new());
        body.iter_mut().for_each(|row| row.insert(0, (String::new(), false)));
        total_rows.iter_mut().for_each(|row| row.insert(0, ("TOTAL".into(), false)));
    }
    body.extend(total_rows);
    Grid { header, rows: body }
}

fn text_rows(rows: &[Vec<Cell>], style: NumberStyle) -> Vec<Vec<(String, bool)>> {
    rows.iter()
        .map(|row| row.iter().map(|c| (shown(cell_text(c, style)), c.is_numeric())).collect())
        .collect()
}

/// The grid as a table, transposed when it is wider than `width` and
/// short enough.
fn fit(grid: &Grid, width: usize) -> String {
    let plain = table(grid).to_string();
    if grid.rows.len() <= MAX_TRANSPOSED && display_width(&plain) > width {
        transposed(grid).to_string()
    } else {
        plain
    }
}

fn table(grid: &Grid) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(&grid.header);
    for row in &grid.rows {
        table.add_row(row.iter().map(table_cell));
    }
    table
}

/// One line per field (its name first), one column per row.
fn transposed(grid: &Grid) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    for (i, name) in grid.header.iter().enumerate() {
        let mut line = vec![comfy_table::Cell::new(name)];
        line.extend(
            grid.rows.iter().map(|row| row.get(i).map_or_else(|| comfy_table::Cell::new(""), table_cell)),
        );
        table.add_row(line);
    }
    table
}

/// The widest line, in characters (the box-drawing ones are one column each).
fn display_width(text: &str) -> usize {
    text.lines().map(|line| line.chars().count()).max().unwrap_or(0)
}

fn table_cell((text, numeric): &(String, bool)) -> comfy_table::Cell {
    let cell = comfy_table::Cell::new(text);
    if *numeric {
        cell.set_alignment(CellAlignment::Right)
    } else {
        cell
    }
}

/// Most characters a table cell shows.
pub const MAX_CELL_CHARS: usize = 1000;

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

    fn grid(rows: usize, fields: usize) -> Grid {
        Grid {
            header: (0..fields).map(|f| format!("field_{f}")).collect(),
            rows: (0..rows).map(|r| (0..fields).map(|f| (format!("{r}.{f}"), true)).collect()).collect(),
        }
    }

    #[test]
    fn wide_and_short_is_transposed_wide_and_long_is_not() {
        let short = fit(&grid(12, 20), 100);
        assert_eq!(short.lines().filter(|l| l.contains("field_")).count(), 20, "{short}");
        assert!(display_width(&short) <= 100, "{short}");
        let long = fit(&grid(13, 20), 100);
        assert_eq!(long.lines().filter(|l| l.contains("field_")).count(), 1);
        let narrow = fit(&grid(2, 3), 100);
        assert_eq!(narrow.lines().filter(|l| l.contains("field_")).count(), 1);
    }

    #[test]
    fn totals_are_labelled_in_the_first_column() {
        let style = NumberStyle { decimal_comma: false, group_money: true };
        let columns = ["customer".to_string(), "currency".to_string()];
        let rows = vec![vec![Cell::text("A"), Cell::text("EUR")]];
        let empty_first = labelled_grid(&columns, &rows, &[vec![Cell::Null, Cell::text("EUR")]], style);
        assert_eq!(empty_first.header, columns);
        assert_eq!(empty_first.rows[1][0].0, "TOTAL");
        let valued =
            labelled_grid(&columns[1..], &[vec![Cell::text("EUR")]], &[vec![Cell::text("EUR")]], style);
        assert_eq!(valued.header, ["", "currency"]);
        assert_eq!(valued.rows[0][0].0, "");
        assert_eq!(valued.rows[1][0].0, "TOTAL");
        assert_eq!(valued.rows[1][1].0, "EUR");
    }
}

#[cfg(test)]
mod cut_tests {
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
        let options = OutputOptions {
            format: crate::render::Format::Table,
            output: None,
            totals: false,
            bom: false,
            out_delimiter: b',',
            decimal_comma: false,
            columns: None,
        };
        let mut out = Vec::new();
        write(report, &options, &mut out).unwrap();
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
