//! `-f xlsx`: the report as an Excel workbook, built in memory (the bytes
//! go to the `-o` file through the same atomic writer as every format).
//!
//! Sheets: one named after the command (`age`, `plan schedule`) holding the
//! rows as an Excel table (header row = the field names, autofilter, header
//! frozen, columns sized to their content up to 60 characters); `totals`
//! with the totals rows when there are any; `params` (`param`, `value`:
//! `command`, `as_of`, then each JSON param as JSON text).
//!
//! Cells are typed, and every number is the JSON's value: money is a number
//! formatted `#,##0.00` with the currency's minor digits (`#,##0` for JPY,
//! `#,##0.000` for KWD); percentages, averages, `dso`, `add` are `0.00`;
//! counts and days `0`; dates are Excel dates `yyyy-mm-dd`; booleans are
//! TRUE/FALSE; lists are text joined with spaces; null is an empty cell;
//! text is always a string cell — never a formula, so it needs no `'`.

use super::number::{cell_text, NumberStyle};
use super::{Cell, Report};
use crate::dates::{date_of, iso, Day};
use crate::money;
use anyhow::{Context, Result};
use chrono::Datelike;
use rust_xlsxwriter::{ExcelDateTime, Format, Table, TableColumn, Workbook, Worksheet, XlsxError};
use std::collections::HashMap;
use std::io::Write;

/// Excel's rows per sheet, the header included.
pub const MAX_ROWS: u32 = 1_048_576;

/// The widest a column is made, in characters.
pub const MAX_COLUMN_WIDTH: usize = 60;

/// Writes the report's workbook into `out`.
pub fn write(report: &Report, out: &mut dyn Write) -> Result<()> {
    out.write_all(&workbook_bytes(report)?)?;
    Ok(())
}

/// The report's workbook, as the bytes of an `.xlsx` file.
pub fn workbook_bytes(report: &Report) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    add_sheet(&mut workbook, &sheet_name(&report.command), &report.columns, &report.rows)?;
    if !report.totals.is_empty() {
        add_sheet(&mut workbook, "totals", report.totals_columns(), &report.totals)?;
    }
    let (columns, rows) = params_rows(report);
    add_sheet(&mut workbook, "params", &columns, &rows)?;
    workbook.save_to_buffer().context("cannot build the xlsx workbook")
}

/// A sheet holding `rows` under a header of `columns`, as an Excel table
/// (a header row alone gets an autofilter instead: a table needs a row).
/// Public so a composed workbook (`cobro report`) can add one per section.
pub fn add_sheet(workbook: &mut Workbook, name: &str, columns: &[String], rows: &[Vec<Cell>]) -> Result<()> {
    if rows.len() >= MAX_ROWS as usize {
        anyhow::bail!(
            "an Excel sheet holds at most {} rows under its header; '{name}' has {}: write it with -f csv",
            MAX_ROWS - 1,
            rows.len()
        );
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name(name).with_context(|| format!("xlsx sheet name '{name}'"))?;
    fill_sheet(sheet, columns, rows).with_context(|| format!("cannot write xlsx sheet '{name}'"))
}

fn fill_sheet(sheet: &mut Worksheet, columns: &[String], rows: &[Vec<Cell>]) -> Result<(), XlsxError> {
    if columns.is_empty() {
        return Ok(());
    }
    let mut formats = Formats::default();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            write_cell(sheet, r as u32 + 1, c as u16, cell, &mut formats)?;
        }
    }
    let last_col = columns.len() as u16 - 1;
    if rows.is_empty() {
        for (c, name) in columns.iter().enumerate() {
            sheet.write_string(0, c as u16, name)?;
        }
        sheet.autofilter(0, 0, 0, last_col)?;
    } else {
        let headers: Vec<TableColumn> = columns.iter().map(|n| TableColumn::new().set_header(n)).collect();
        let table = Table::new().set_columns(&headers);
        sheet.add_table(0, 0, rows.len() as u32, last_col, &table)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (c, width) in column_widths(columns, rows).into_iter().enumerate() {
        sheet.set_column_width(c as u16, width as f64)?;
    }
    Ok(())
}

/// The number formats, one per kind (money: one per number of digits).
struct Formats {
    money: HashMap<u32, Format>,
    fixed2: Format,
    count: Format,
    date: Format,
}

impl Default for Formats {
    fn default() -> Formats {
        Formats {
            money: HashMap::new(),
            fixed2: Format::new().set_num_format("0.00"),
            count: Format::new().set_num_format("0"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
        }
    }
}

impl Formats {
    fn money(&mut self, digits: u32) -> &Format {
        self.money.entry(digits).or_insert_with(|| Format::new().set_num_format(money_format(digits)))
    }
}

/// `#,##0` and as many decimals as the currency's minor digits.
pub fn money_format(digits: u32) -> String {
    match digits {
        0 => "#,##0".to_string(),
        d => format!("#,##0.{}", "0".repeat(d as usize)),
    }
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    formats: &mut Formats,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Null => {}
        Cell::Text(text) => {
            sheet.write_string(row, col, text)?;
        }
        Cell::List(items) => {
            sheet.write_string(row, col, items.join(" "))?;
        }
        Cell::Bool(value) => {
            sheet.write_boolean(row, col, *value)?;
        }
        Cell::Int(n) => {
            sheet.write_number_with_format(row, col, *n as f64, &formats.count)?;
        }
        Cell::Money(value, digits) => {
            let number = number_value(&money::round(*value, *digits).to_string());
            sheet.write_number_with_format(row, col, number, formats.money(*digits))?;
        }
        Cell::Fixed2(value) => {
            let number = number_value(&money::round(*value, 2).to_string());
            sheet.write_number_with_format(row, col, number, &formats.fixed2)?;
        }
        Cell::Date(day) => match excel_date(*day) {
            Some(date) => {
                sheet.write_datetime_with_format(row, col, &date, &formats.date)?;
            }
            // Outside Excel's calendar (before 1900): the ISO text.
            None => {
                sheet.write_string(row, col, iso(*day))?;
            }
        },
    }
    Ok(())
}

/// The f64 nearest to the printed decimal: the number a JSON reader gets.
fn number_value(printed: &str) -> f64 {
    printed.parse().unwrap_or(f64::NAN)
}

fn excel_date(day: Day) -> Option<ExcelDateTime> {
    let date = date_of(day);
    let year = u16::try_from(date.year()).ok()?;
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok()
}

/// Each column's width: its longest text (header included, numbers as
/// Excel shows them, grouped) plus room for the filter button, at most 60.
fn column_widths(columns: &[String], rows: &[Vec<Cell>]) -> Vec<usize> {
    let style = NumberStyle { decimal_comma: false, group_money: true };
    columns
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let longest = rows
                .iter()
                .filter_map(|row| row.get(c))
                .map(|cell| cell_text(cell, style).chars().count())
                .fold(name.chars().count(), usize::max);
            (longest + 3).min(MAX_COLUMN_WIDTH)
        })
        .collect()
}

/// The `params` sheet: `command`, `as_of`, then each JSON param with its
/// value as JSON text (`"due"`, `[30,60,90,120]`, `null`).
fn params_rows(report: &Report) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut rows = vec![
        vec![Cell::text("command"), Cell::text(&report.command)],
        vec![Cell::text("as_of"), Cell::Date(report.as_of)],
    ];
    for (name, value) in &report.params {
        rows.push(vec![Cell::text(name), Cell::text(value.to_string())]);
    }
    (vec!["param".to_string(), "value".to_string()], rows)
}

/// The command as a sheet name: Excel refuses `[]:*?/\`, a leading or
/// trailing `'`, and more than 31 characters.
pub fn sheet_name(command: &str) -> String {
    let name: String =
        command.chars().map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).take(31).collect();
    let name = name.trim_matches('\'');
    if name.is_empty() {
        "report".to_string()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_made_valid() {
        assert_eq!(sheet_name("plan schedule"), "plan schedule");
        assert_eq!(sheet_name("a/b:c"), "a_b_c");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
        assert_eq!(sheet_name("'q'"), "q");
    }

    #[test]
    fn money_formats_follow_minor_digits() {
        assert_eq!(money_format(0), "#,##0");
        assert_eq!(money_format(2), "#,##0.00");
        assert_eq!(money_format(3), "#,##0.000");
    }

    #[test]
    fn widths_are_capped() {
        let columns = vec!["note".to_string()];
        let rows = vec![vec![Cell::text("y".repeat(100))]];
        assert_eq!(column_widths(&columns, &rows), [MAX_COLUMN_WIDTH]);
        let rows = vec![vec![Cell::Money(rust_decimal::Decimal::new(123456789, 2), 2)]];
        assert_eq!(column_widths(&columns, &rows), ["1,234,567.89".len() + 3]);
    }
}
