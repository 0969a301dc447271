//! The command line: the subcommands and the flags every command shares
//! (defined once here and flattened into each command), and their
//! conversion into validated options. Usage errors found here exit with 2.

use crate::cmd;
use crate::dates::{day_of, parse_iso_flag, Day};
use crate::error::usage;
use crate::input::{ColumnMap, ReadOptions};
use crate::render::{format, Format, OutputOptions};
use anyhow::Result;
use clap::{Args, Parser, Subcommand};

/// cobro — accounts-receivable collections from ERP exports.
#[derive(Parser, Debug)]
#[command(name = "cobro", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)] // parsed once per run
pub enum Command {
    Age(cmd::age::AgeArgs),
    Kpi(cmd::kpi::KpiArgs),
    Segment(cmd::segment::SegmentArgs),
    Dunning(cmd::dunning::DunningArgs),
    Promise(cmd::promise::PromiseArgs),
    Forecast(cmd::forecast::ForecastArgs),
    Statement(cmd::statement::StatementArgs),
    #[command(subcommand)]
    Plan(cmd::plan::PlanCommand),
    Report(cmd::report::ReportArgs),
    Completions(cmd::completions::CompletionsArgs),
    Roll(cmd::roll::RollArgs),
    Provision(cmd::provision::ProvisionArgs),
}

/// Flags for reading receivables exports (shared by every data command).
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Payments file: one receipt per row (invoice, date, amount; a reversal is negative)
    #[arg(long, value_name = "FILE")]
    pub payments: Option<String>,

    /// Use HEADER for FIELD (repeatable; a file uses the first mapped header it has),
    /// e.g. --map amount=Importe --map due_date="Net due date"
    #[arg(long, value_name = "FIELD=HEADER")]
    pub map: Vec<String>,

    /// Input delimiter (one character, or 'tab'); detected among , ; and tab when not given
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,

    /// strftime format of date cells, e.g. %d/%m/%Y (ISO dates are always read)
    #[arg(long, value_name = "FMT")]
    pub date_format: Option<String>,

    /// Amounts use a decimal comma: 1.234,56 (text cells; Parquet numbers are values)
    #[arg(long)]
    pub decimal_comma: bool,

    /// Payment terms: a document without due date is due DAYS after its issue date
    #[arg(long, value_name = "DAYS")]
    pub terms: Option<i32>,

    /// Currency of rows that have none
    #[arg(long, value_name = "CODE", default_value = "EUR")]
    pub currency: String,

    /// Set bad rows aside instead of failing (their count goes to stderr)
    #[arg(long)]
    pub skip_bad_rows: bool,

    /// With --skip-bad-rows: write each skipped row, with its reason, to FILE (CSV)
    #[arg(long, value_name = "FILE", requires = "skip_bad_rows")]
    pub rejects: Option<String>,

    /// Exchange rates (CSV: currency,rate = value of one unit in --base): convert before adding
    #[arg(long, value_name = "RATES.csv", requires = "base")]
    pub fx: Option<String>,

    /// The currency --fx converts into
    #[arg(long, value_name = "CODE", requires = "fx")]
    pub base: Option<String>,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// Flags every command has: its config file and its "today".
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// TOML file with defaults for any flag (e.g. one ERP's column map)
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,

    /// The day the report is as of, YYYY-MM-DD (default: today)
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

impl CommonArgs {
    /// The effective as-of day: `--as-of`, else the local date.
    pub fn as_of(&self) -> Result<Day> {
        match &self.as_of {
            Some(text) => parse_iso_flag(text).map(day_of).map_err(|e| usage(format!("--as-of: {e}"))),
            None => Ok(day_of(chrono::Local::now().date_naive())),
        }
    }
}

impl InputArgs {
    pub fn read_options(&self) -> Result<ReadOptions> {
        if let Some(terms) = self.terms {
            check_days("terms", terms, 0)?;
        }
        if let Some(format) = &self.date_format {
            crate::input::date::check_format(format)
                .map_err(|why| usage(format!("--date-format '{format}': {why}")))?;
        }
        Ok(ReadOptions {
            map: ColumnMap::parse(&self.map).map_err(usage)?,
            delimiter: self.delimiter.as_deref().map(parse_delimiter).transpose()?,
            date_format: self.date_format.clone(),
            decimal_comma: self.decimal_comma,
            terms: self.terms,
            currency: self.currency.trim().to_uppercase(),
            skip_bad_rows: self.skip_bad_rows,
            rejects: self.rejects.clone(),
            fx: self.fx.clone().zip(self.base.as_ref().map(|b| b.trim().to_uppercase())),
            ..ReadOptions::default()
        })
    }

    pub fn as_of(&self) -> Result<Day> {
        self.common.as_of()
    }
}

/// One ASCII character, or `tab` / `\t`.
pub fn parse_delimiter(text: &str) -> Result<u8> {
    match text {
        "tab" | "TAB" | "\\t" | "\t" => Ok(b'\t'),
        t if t.len() == 1 && t.is_ascii() => Ok(t.as_bytes()[0]),
        t => Err(usage(format!("delimiter '{t}' must be one ASCII character or 'tab'"))),
    }
}

/// Flags for writing a report (shared by every command).
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output format [default: from the -o file's extension (.csv, .tsv, .json, .ndjson,
    /// .jsonl, .xlsx), else table]
    #[arg(short, long, value_enum)]
    pub format: Option<Format>,

    /// Write to FILE (atomically: a temporary file renamed over it when complete;
    /// symlinks followed, devices such as /dev/stdout written in place)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<String>,

    /// Only these fields, in this order, in rows and totals (every format),
    /// e.g. --columns customer,currency,overdue
    #[arg(long, value_name = "F1,F2,...")]
    pub columns: Option<String>,

    /// CSV: add the totals rows (one per currency)
    #[arg(long)]
    pub totals: bool,

    /// CSV: start with a UTF-8 byte order mark (for Excel)
    #[arg(long)]
    pub bom: bool,

    /// CSV output delimiter [default: , (tab for a .tsv file, ; with --out-decimal-comma)]
    #[arg(long, value_name = "CHAR")]
    pub out_delimiter: Option<String>,

    /// CSV and table: numbers with a decimal comma (1234,56), for spreadsheets in
    /// locales such as Spanish; the CSV delimiter becomes ; (dates stay ISO, JSON unchanged)
    #[arg(long)]
    pub out_decimal_comma: bool,
}

impl OutputArgs {
    pub fn options(&self) -> Result<OutputOptions> {
        let output = self.output.as_deref();
        let explicit = self.out_delimiter.as_deref().map(parse_delimiter).transpose()?;
        Ok(OutputOptions {
            format: format::resolve(self.format, output)?,
            output: self.output.clone(),
            totals: self.totals,
            bom: self.bom,
            out_delimiter: format::delimiter(explicit, output, self.out_decimal_comma)?,
            decimal_comma: self.out_decimal_comma,
            columns: self.columns.as_deref().map(parse_columns).transpose()?,
        })
    }
}

/// `--columns a,b,c`: field names, none empty.
fn parse_columns(text: &str) -> Result<Vec<String>> {
    let fields: Vec<String> = text.split(',').map(|f| f.trim().to_string()).collect();
    if fields.iter().any(String::is_empty) {
        return Err(usage(format!("--columns '{text}': expected field names separated by commas")));
    }
    Ok(fields)
}

/// The most days a day-count flag takes (`--terms`, `--grace`, `--window`,
/// `--lookback`, `--buckets`): a hundred years.
pub const MAX_DAYS: i32 = 36_500;

/// A usage error unless `value` is from `min` to [`MAX_DAYS`].
pub fn check_days(flag: &str, value: i32, min: i32) -> Result<()> {
    if !(min..=MAX_DAYS).contains(&value) {
        return Err(usage(format!("--{flag} must be between {min} and {MAX_DAYS} days, not {value}")));
    }
    Ok(())
}

/// `--by COL[,COL...]` (`none`: no grouping): the input columns to group by,
/// each once. Rows are already per currency, so `currency` is refused, as
/// is an empty name or a column given twice (both would print a field twice).
pub fn by_columns(text: &str) -> Result<Vec<String>> {
    if text.trim() == "none" {
        return Ok(Vec::new());
    }
    let mut columns: Vec<String> = Vec::new();
    for column in text.split(',').map(str::trim) {
        let key = crate::input::headers::normalize(column);
        if key.is_empty() {
            return Err(usage(format!("--by '{text}': an empty column name (give COL[,COL...])")));
        }
        if key == "currency" {
            return Err(usage("--by currency: the rows are already per currency (leave it out)"));
        }
        if columns.iter().any(|c| crate::input::headers::normalize(c) == key) {
            return Err(usage(format!("--by '{text}': the column '{column}' twice (give each once)")));
        }
        columns.push(column.to_string());
    }
    Ok(columns)
}

/// A choice of the domain's (an enum) as the command line names it: the
/// names and their help live here, so that the domain's types carry no
/// command-line library.
pub trait Choice: Copy + Send + Sync + 'static {
    /// Each name, its help (empty for none) and its value.
    const CHOICES: &'static [(&'static str, &'static str, Self)];
}

/// The value parser of a [`Choice`]: its names are the possible values.
pub fn choice<T: Choice>() -> impl clap::builder::TypedValueParser<Value = T> {
    let names = T::CHOICES.iter().map(|&(name, help, _)| {
        let value = clap::builder::PossibleValue::new(name);
        if help.is_empty() {
            value
        } else {
            value.help(help)
        }
    });
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(names).map(|name: String| {
        // The parser only lets the names through: the first is never used.
        T::CHOICES.iter().find(|c| c.0 == name).unwrap_or(&T::CHOICES[0]).2
    })
}

/// The name the command line gives a [`Choice`]'s value.
pub fn choice_name<T: Choice + PartialEq>(value: T) -> &'static str {
    T::CHOICES.iter().find(|c| c.2 == value).map_or("", |c| c.0)
}

impl Choice for crate::domain::aging::Basis {
    const CHOICES: &'static [(&'static str, &'static str, Self)] =
        &[("due", "Days past the due date", Self::Due), ("issue", "Days since the issue date", Self::Issue)];
}

impl Choice for crate::domain::kpi::Every {
    const CHOICES: &'static [(&'static str, &'static str, Self)] =
        &[("month", "", Self::Month), ("quarter", "", Self::Quarter), ("year", "", Self::Year)];
}

impl Choice for crate::domain::schedule::Frequency {
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        ("month", "", Self::Month),
        ("2weeks", "", Self::TwoWeeks),
        ("week", "", Self::Week),
        ("quarter", "", Self::Quarter),
    ];
}
