//! Output: a command's result is a [`Report`] — named columns of typed
//! cells, result rows and per-currency totals — and one renderer per format
//! turns it into text. Commands never print; `output` decides between
//! stdout and an atomically written file.

pub mod chart;
pub mod csv;
pub mod fields;
pub mod forecast_chart;
pub mod format;
pub mod html;
pub mod json;
pub mod letter;
pub mod number;
pub mod output;
pub mod select;
pub mod table;
pub mod xlsx;

use crate::dates::{iso, Day};
use crate::money;
use rust_decimal::Decimal;

/// One typed value. Money and 2-decimal figures keep their exact value and
/// are rounded (half away from zero) only here, when printed.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Text(String),
    Int(i64),
    /// Money, printed with the currency's minor-unit digits.
    Money(Decimal, u32),
    /// Percentages, day averages, DSO: printed with 2 decimals.
    Fixed2(Decimal),
    Date(Day),
    Bool(bool),
    /// A list of text values (JSON array; joined with spaces in CSV/table),
    /// shared with the row it comes from rather than copied.
    List(std::sync::Arc<[String]>),
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    pub fn fixed2(value: Option<Decimal>) -> Cell {
        value.map_or(Cell::Null, Cell::Fixed2)
    }

    pub fn opt_date(value: Option<Day>) -> Cell {
        value.map_or(Cell::Null, Cell::Date)
    }

    /// The printed text of a cell (empty for null).
    pub fn display(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Money(v, digits) => money::round(*v, *digits).to_string(),
            Cell::Fixed2(v) => money::round(*v, 2).to_string(),
            Cell::Date(d) => iso(*d),
            Cell::Bool(b) => b.to_string(),
            Cell::List(items) => items.join(" "),
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Money(..) | Cell::Fixed2(_))
    }
}

/// A command's result, independent of the output format.
#[derive(Clone, Debug)]
pub struct Report {
    /// Full subcommand path, e.g. `age` or `plan schedule`.
    pub command: String,
    pub as_of: Day,
    /// The effective parameters, echoed in JSON output.
    pub params: serde_json::Map<String, serde_json::Value>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Column names of the totals when they differ from `columns`.
    pub totals_columns: Option<Vec<String>>,
    /// Total rows (one per currency), same columns unless `totals_columns`;
    /// key columns are null.
    pub totals: Vec<Vec<Cell>>,
}

impl Report {
    /// The names of the totals' columns.
    pub fn totals_columns(&self) -> &[String] {
        self.totals_columns.as_deref().unwrap_or(&self.columns)
    }
}

/// Output format (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    Ndjson,
    /// An Excel workbook (needs `-o FILE`).
    Xlsx,
}

/// The output flags, validated.
#[derive(Clone, Debug)]
pub struct OutputOptions {
    pub format: Format,
    pub output: Option<String>,
    pub totals: bool,
    pub bom: bool,
    pub out_delimiter: u8,
    /// CSV and table: numbers with a decimal comma (`1234,56`).
    pub decimal_comma: bool,
    /// `--columns`: only these fields, in this order (rows and totals).
    pub columns: Option<Vec<String>>,
}

impl OutputOptions {
    /// How numbers look in CSV (never grouped) and in the table.
    pub fn number_style(&self, group_money: bool) -> number::NumberStyle {
        number::NumberStyle { decimal_comma: self.decimal_comma, group_money }
    }
}

/// Renders a report in the chosen format into `out`.
/// `--columns` is applied first, so every format shows the same fields.
pub fn render(report: &Report, options: &OutputOptions, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let selected;
    let report = match &options.columns {
        Some(fields) => {
            selected = select::select(report, fields)?;
            &selected
        }
        None => report,
    };
    match options.format {
        Format::Table => table::write(report, options, out),
        Format::Csv => csv::write(report, options, out),
        Format::Json => json::write(report, out),
        Format::Ndjson => json::write_ndjson(report, out),
        Format::Xlsx => xlsx::write(report, out),
    }
}
