//! Polars, the reading engine: parses CSV blocks and scans Parquet files
//! for only the columns a command needs, on every core, and hands the
//! rows over as batches of columns in file order, a few at a time (memory
//! stays at the batches in flight, whatever the file's size). A CSV cell
//! is text; a Parquet date or number is a value ([`BatchColumn`]). The
//! cells' meaning (dates, amounts, flags) is read by cobro's own cell
//! readers, so every format gives the same values and messages.

use super::amount::{parse_amount, AmountError, MAX_DIGITS};
use super::framing::PartEnd;
use super::record::Cells;
use crate::dates::Day;
use anyhow::{anyhow, Result};
use polars::prelude::*;
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::num::NonZeroUsize;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::OnceLock;
use std::thread::JoinHandle;

/// Sets how polars reads, before it reads its settings (at its first
/// use): a local Parquet file is read in byte ranges into buffers that
/// are freed once decoded, as polars reads a remote one, rather than
/// mapped into memory, where every page read stays counted in the
/// process's memory to the end. `age` on 100M invoices as Parquet peaks
/// at 8.4 GiB instead of 10.1 GiB, in the same time. A
/// `POLARS_FORCE_ASYNC` set by the user is kept.
pub fn configure() {
    const READ_IN_RANGES: &str = "POLARS_FORCE_ASYNC";
    if std::env::var_os(READ_IN_RANGES).is_none() {
        std::env::set_var(READ_IN_RANGES, "1");
    }
}

/// Rows per batch: large enough to keep every core busy, small enough
/// that the batches in flight cost little memory.
const BATCH_ROWS: usize = 1 << 17;

/// How a CSV file's records are written.
pub struct CsvFormat {
    pub delimiter: u8,
    /// `\n` (which also ends `\r\n` lines) or `\r` (old Mac files).
    pub eol: u8,
    /// Cells in the header row.
    pub width: usize,
}

/// The name polars knows column `i` by (the file's own names may repeat
/// or be empty; cobro resolves them itself).
fn column_name(i: usize) -> PlSmallStr {
    PlSmallStr::from(format!("c{i}"))
}

/// Parses a block of whole CSV records (no header), its `parts` at once,
/// each on a thread of its own, giving the columns at `positions` as
/// text: cells are not typed by polars, and an empty cell is an empty
/// text. A row with too few or too many cells is not polars' to judge
/// (it pads and cuts them): the caller has counted them
/// ([`super::framing::RecordBlocks`]). Each part must be the rows the
/// caller counted in it, or this is an error.
///
/// This is polars' own chunk parser (the one its streaming CSV source
/// runs after cutting the file into chunks at line ends): the records
/// are already cut, and cutting them again costs as much as parsing them.
pub fn read_csv_block(
    block: &[u8],
    parts: &[PartEnd],
    format: &CsvFormat,
    positions: &[usize],
) -> Result<ColumnBatch> {
    let schema: Schema = (0..format.width).map(|i| Field::new(column_name(i), DataType::String)).collect();
    let options = CsvParseOptions::default()
        .with_separator(format.delimiter)
        .with_eol_char(format.eol)
        .with_quote_char(Some(b'"'))
        .with_missing_is_null(false)
        .with_truncate_ragged_lines(true);
    let mut projection = positions.to_vec();
    projection.sort_unstable();
    projection.dedup();
    let (mut pieces, mut start) = (Vec::with_capacity(parts.len()), PartEnd { byte: 0, records: 0 });
    for &end in parts {
        pieces.push((&block[start.byte..end.byte], (end.records - start.records) as usize));
        start = end;
    }
    let parse = |(bytes, rows): (&[u8], usize)| parse_csv_part(bytes, rows, &options, &schema, &projection);
    let mut frames = pieces.into_par_iter().map(parse).collect::<Result<Vec<DataFrame>>>()?.into_iter();
    let mut frame = frames.next().ok_or_else(|| anyhow!("a block of no part"))?;
    for part in frames {
        frame.vstack_mut_owned(part)?;
    }
    ColumnBatch::of(frame)
}

/// One part of a block ([`read_csv_block`]), which must hold `rows` rows.
fn parse_csv_part(
    bytes: &[u8],
    rows: usize,
    options: &CsvParseOptions,
    schema: &Schema,
    projection: &[usize],
) -> Result<DataFrame> {
    use polars::io::csv::read::_csv_read_internal::{read_chunk, validate_utf8};
    if !validate_utf8(bytes) {
        return Err(anyhow!("the block is not UTF-8"));
    }
    // As polars' streaming CSV source calls it: no errors ignored, from
    // the first byte to the last, `rows` rows expected, no null values.
    let ignore_errors = false;
    let frame = read_chunk(
        bytes,
        options,
        schema,
        ignore_errors,
        projection,
        0,
        rows,
        None,
        usize::MAX,
        bytes.len(),
        Some(0),
    )?;
    if frame.height() != rows {
        return Err(anyhow!("polars read {} rows where the csv crate read {rows}", frame.height()));
    }
    Ok(frame)
}

/// The name of column `i` read as days since 1970-01-01 (a Parquet date).
fn day_column_name(i: usize) -> PlSmallStr {
    PlSmallStr::from(format!("d{i}"))
}

/// The name of column `i` read as a Parquet decimal.
fn decimal_column_name(i: usize) -> PlSmallStr {
    PlSmallStr::from(format!("m{i}"))
}

/// The name of column `i`, a Parquet integer or float, read as polars
/// writes it.
fn number_column_name(i: usize) -> PlSmallStr {
    PlSmallStr::from(format!("f{i}"))
}

/// The number of rows of a Parquet file, from its metadata.
pub fn parquet_rows(path: &str) -> Result<usize> {
    let count = LazyFrame::scan_parquet(PlRefPath::new(path), ScanArgsParquet::default())?
        .select([len()])
        .collect()?;
    let rows = count.columns().first().and_then(|c| c.get(0).ok()).and_then(|v| v.extract::<u64>());
    Ok(rows.unwrap_or(0) as usize)
}

/// The names of a Parquet file's columns, in order.
pub fn parquet_columns(path: &str) -> Result<Vec<String>> {
    let mut frame = LazyFrame::scan_parquet(PlRefPath::new(path), ScanArgsParquet::default())?;
    let schema = frame.collect_schema()?;
    Ok(schema.iter_names().map(|name| name.to_string()).collect())
}

/// A lazy scan of the Parquet file giving the columns at `positions`:
/// dates (a timestamp gives its day) as day numbers and decimals as they
/// are stored, for the readers to take as values ([`BatchColumn`]); other
/// numbers and everything else as text.
pub fn scan_parquet(path: &str, positions: &[usize]) -> Result<LazyFrame> {
    let mut frame = LazyFrame::scan_parquet(PlRefPath::new(path), ScanArgsParquet::default())?;
    let schema = frame.collect_schema()?;
    let mut columns = Vec::with_capacity(positions.len());
    for &i in positions {
        let (name, dtype) = schema.get_at_index(i).ok_or_else(|| anyhow!("no column {i}"))?;
        let value = col(name.clone());
        columns.push(match dtype {
            DataType::Date => value.cast(DataType::Int32).alias(day_column_name(i)),
            DataType::Datetime(_, _) => {
                value.cast(DataType::Date).cast(DataType::Int32).alias(day_column_name(i))
            }
            DataType::Decimal(_, _) => value.alias(decimal_column_name(i)),
            number if number.is_primitive_numeric() => {
                value.cast(DataType::String).alias(number_column_name(i))
            }
            _ => value.cast(DataType::String).alias(column_name(i)),
        });
    }
    Ok(frame.select(columns))
}

/// `YYYY-MM-DD` of each day counted from 1970-01-01 (a Parquet date). A
/// day beyond the calendar prints as a year no date reader accepts, so the
/// row is a bad row naming the value (never an overflow). (Days are
/// written by cobro: polars' own date-to-text goes through strftime, which
/// parses its pattern again for every value.)
fn iso_days(days: &Int32Chunked) -> StringChunked {
    days.iter().map(|days| days.map(|d| crate::dates::iso(d.saturating_add(DAYS_TO_1970)))).collect()
}

/// [`crate::dates::Day`] of 1970-01-01, the day Parquet counts from.
const DAYS_TO_1970: i32 = 719_163;

/// [`crate::dates::Day`] of 9999-12-31, the last day a date cell can
/// hold (`YYYY-MM-DD` has four digits for the year).
const LAST_DAY: i32 = 3_652_059;

/// The longest text of a day: a year of seven digits and a sign at most.
const LONGEST_DAY_TEXT: usize = 16;

/// The longest text of a decimal: 38 digits, a sign, a point and the zero
/// before it.
const LONGEST_DECIMAL_TEXT: usize = 41;

/// The text of a decimal with `scale` digits after the point, as polars
/// writes it (`-0.05`, `1250`).
fn decimal_text(mantissa: i128, scale: usize) -> String {
    let digits = mantissa.unsigned_abs().to_string();
    let sign = if mantissa < 0 { "-" } else { "" };
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    format!("{sign}{whole}.{fraction}")
}

/// Runs a (small) scan at once: all its rows in one batch.
pub fn collect(frame: LazyFrame) -> Result<ColumnBatch> {
    ColumnBatch::of(frame.collect()?)
}

/// Runs a Parquet scan on polars' streaming engine and hands its batches over in
/// file order. Dropping it stops the scan.
pub struct Batches {
    receiver: Receiver<PolarsResult<DataFrame>>,
    runner: Option<JoinHandle<()>>,
}

impl Batches {
    pub fn start(frame: LazyFrame) -> Result<Batches> {
        let (sender, receiver) = sync_channel::<PolarsResult<DataFrame>>(2);
        let failure = sender.clone();
        let callback = PlanCallback::new(move |batch: DataFrame| {
            // `true` stops the scan: nobody takes the batches any more.
            Ok(sender.send(Ok(batch)).is_err())
        });
        let sink = frame.sink_batches(callback, true, NonZeroUsize::new(BATCH_ROWS))?;
        let runner = std::thread::spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                sink.collect_with_engine(Engine::Streaming).map(|_| ())
            }));
            let error = match outcome {
                Ok(Ok(())) => return,
                Ok(Err(e)) => e,
                Err(_) => PolarsError::ComputeError("the reader stopped on a damaged file".into()),
            };
            let _ = failure.send(Err(error));
        });
        Ok(Batches { receiver, runner: Some(runner) })
    }
}

impl Iterator for Batches {
    type Item = Result<ColumnBatch>;

    fn next(&mut self) -> Option<Result<ColumnBatch>> {
        let batch = self.receiver.recv().ok()?;
        Some(batch.map_err(|e| anyhow!("{e}")).and_then(ColumnBatch::of))
    }
}

impl Drop for Batches {
    fn drop(&mut self) {
        // Closing the channel makes the callback stop the scan.
        let (_, closed) = sync_channel(0);
        drop(std::mem::replace(&mut self.receiver, closed));
        if let Some(runner) = self.runner.take() {
            let _ = runner.join();
        }
    }
}

/// One batch of rows: the needed columns, each in one piece.
pub struct ColumnBatch {
    columns: Vec<BatchColumn>,
    /// For each file position, its column in `columns`, if scanned.
    slots: Vec<Option<usize>>,
    rows: usize,
}

/// One column of a [`ColumnBatch`]. A date or a decimal that a Parquet
/// file stores as such is handed to the readers as a value
/// ([`Cells::day`], [`Cells::number`]); its text is only written when a
/// reader asks for it (a `--by` column, a message, a rejected row), once
/// for the whole column.
enum BatchColumn {
    /// Text: every CSV cell; a Parquet string or boolean.
    Text(StringChunked),
    /// A Parquet integer or float, as polars writes it (`12.5`): read as
    /// an amount with a decimal point, whatever `--decimal-comma` says.
    Number(StringChunked),
    /// A Parquet date (or a timestamp's day): days since 1970-01-01.
    Days { days: Int32Chunked, text: OnceLock<StringChunked> },
    /// A Parquet decimal: its mantissas and its one scale.
    Decimals { mantissas: Int128Chunked, scale: usize, text: OnceLock<StringChunked> },
}

impl BatchColumn {
    /// A scanned column, by the kind its name gives (see [`scan_parquet`]).
    fn of(column: &Column) -> Result<BatchColumn> {
        let column = column.rechunk();
        Ok(match column.name().as_bytes()[0] {
            b'd' => BatchColumn::Days { days: column.i32()?.clone(), text: OnceLock::new() },
            b'm' => {
                let decimals = column.decimal()?;
                let (mantissas, scale) = (decimals.physical().clone(), decimals.scale());
                BatchColumn::Decimals { mantissas, scale, text: OnceLock::new() }
            }
            b'f' => BatchColumn::Number(column.str()?.clone()),
            _ => BatchColumn::Text(column.str()?.clone()),
        })
    }

    /// Row `row`'s text: empty for a missing value.
    fn text(&self, row: usize) -> &str {
        let texts = match self {
            BatchColumn::Text(texts) | BatchColumn::Number(texts) => texts,
            BatchColumn::Days { days, text } => text.get_or_init(|| iso_days(days)),
            BatchColumn::Decimals { mantissas, scale, text } => {
                text.get_or_init(|| mantissas.iter().map(|m| m.map(|m| decimal_text(m, *scale))).collect())
            }
        };
        text_at(texts, row)
    }

    /// At least the length of row `row`'s text, without writing it.
    fn text_len(&self, row: usize) -> usize {
        match self {
            BatchColumn::Text(texts) | BatchColumn::Number(texts) => text_at(texts, row).len(),
            BatchColumn::Days { .. } => LONGEST_DAY_TEXT,
            BatchColumn::Decimals { .. } => LONGEST_DECIMAL_TEXT,
        }
    }

    fn day(&self, row: usize) -> Option<Day> {
        let BatchColumn::Days { days, .. } = self else { return None };
        let day = days.get(row)?.checked_add(DAYS_TO_1970)?;
        (1..=LAST_DAY).contains(&day).then_some(day)
    }

    fn number(&self, row: usize) -> Option<Result<Decimal, AmountError>> {
        match self {
            BatchColumn::Number(texts) => {
                let text = text_at(texts, row);
                (!text.is_empty()).then(|| parse_amount(text, false))
            }
            BatchColumn::Decimals { mantissas, scale, .. } => {
                let mantissa = mantissas.get(row)?;
                // Within the digits a text amount may have; a decimal
                // beyond them is read as its text, as a CSV cell is, for
                // the same message.
                let exact = (*scale <= MAX_DIGITS && mantissa.unsigned_abs() < 10u128.pow(MAX_DIGITS as u32))
                    .then(|| Decimal::try_from_i128_with_scale(mantissa, *scale as u32).ok())
                    .flatten();
                Some(match exact.filter(|&value| crate::money::within_limit(value)) {
                    Some(value) => Ok(value),
                    None => parse_amount(self.text(row), false),
                })
            }
            _ => None,
        }
    }
}

/// Row `row` of a text column: empty for a missing value, whatever bytes
/// lie under polars' validity mask (a missing float cast to text by the
/// in-memory engine reads `0.0` there).
fn text_at(texts: &StringChunked, row: usize) -> &str {
    texts.downcast_as_array().get(row).unwrap_or("")
}

impl ColumnBatch {
    fn of(frame: DataFrame) -> Result<ColumnBatch> {
        let rows = frame.height();
        let (mut columns, mut slots) = (Vec::with_capacity(frame.width()), Vec::new());
        for column in frame.columns() {
            let position = column.name()[1..].parse::<usize>()?;
            if slots.len() <= position {
                slots.resize(position + 1, None);
            }
            slots[position] = Some(columns.len());
            columns.push(BatchColumn::of(column)?);
        }
        Ok(ColumnBatch { columns, slots, rows })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Row `row`'s cells as a record (the columns not scanned empty).
    pub fn record(&self, row: usize, width: usize) -> csv::ByteRecord {
        let cells = self.row(row, width);
        (0..width).map(|i| cells.cell(i).unwrap_or("")).collect()
    }

    /// The cells of row `row`, for a file `width` cells wide.
    pub fn row(&self, row: usize, width: usize) -> FrameRow<'_> {
        FrameRow { batch: self, row, width }
    }
}

/// One row of a [`ColumnBatch`], by file position: the columns not
/// scanned read as empty.
pub struct FrameRow<'a> {
    batch: &'a ColumnBatch,
    row: usize,
    width: usize,
}

impl FrameRow<'_> {
    /// The scanned column at file position `i`; `Err(())` past the row's end.
    fn column(&self, i: usize) -> Result<Option<&BatchColumn>, ()> {
        if i >= self.width {
            return Err(());
        }
        Ok(self.batch.slots.get(i).copied().flatten().map(|slot| &self.batch.columns[slot]))
    }

    fn cell(&self, i: usize) -> Option<&str> {
        let column = self.column(i).ok()?;
        Some(column.map_or("", |column| column.text(self.row)))
    }
}

impl Cells for FrameRow<'_> {
    fn width(&self) -> usize {
        self.width
    }

    fn bytes(&self, i: usize) -> Option<&[u8]> {
        self.cell(i).map(str::as_bytes)
    }

    fn total_bytes(&self) -> usize {
        self.batch.columns.iter().map(|column| column.text_len(self.row)).sum()
    }

    fn text(&self, i: usize) -> Option<Result<&str, &[u8]>> {
        self.cell(i).map(Ok)
    }

    fn day(&self, i: usize) -> Option<Day> {
        self.column(i).ok().flatten()?.day(self.row)
    }

    fn number(&self, i: usize) -> Option<Result<Decimal, AmountError>> {
        self.column(i).ok().flatten()?.number(self.row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::ymd;

    /// Days since 1970-01-01 as a Parquet date column holds them; the last
    /// is far beyond the calendar and must print, not wrap.
    #[test]
    fn parquet_days_print_as_iso_dates() {
        let days =
            Int32Chunked::new("d0".into(), &[Some(0i32), Some(19_996), Some(-1), None, Some(i32::MAX)]);
        let texts: Vec<Option<String>> = iso_days(&days).iter().map(|t| t.map(str::to_string)).collect();
        assert_eq!(
            texts[..4],
            [Some("1970-01-01".into()), Some("2024-09-30".into()), Some("1969-12-31".into()), None]
        );
        assert!(texts[4].as_deref().is_some_and(|t| !t.starts_with("2024")));
    }

    /// A block's rows as polars parses them, in two parts: only the
    /// scanned columns carry text, quoted cells lose their quotes, empty
    /// cells are empty; the rows keep the block's order.
    #[test]
    fn a_csv_block_gives_the_scanned_columns_as_text() {
        let format = CsvFormat { delimiter: b',', eol: b'\n', width: 3 };
        let block = b"a,\"x, y\",1\r\nb,,2";
        // The first record and its line end are 12 bytes.
        let parts = [PartEnd { byte: 12, records: 1 }, PartEnd { byte: 16, records: 2 }];
        let batch = read_csv_block(block, &parts, &format, &[1, 0]).unwrap();
        assert_eq!(batch.rows(), 2);
        let row = batch.row(0, 3);
        assert_eq!(
            (row.text(0), row.text(1), row.text(2), row.text(3)),
            (Some(Ok("a")), Some(Ok("x, y")), Some(Ok("")), None)
        );
        assert_eq!(batch.record(1, 3), csv::ByteRecord::from(vec!["b", "", ""]));
        // A part whose rows are not the ones counted is refused.
        let miscounted = [PartEnd { byte: 12, records: 2 }, PartEnd { byte: 16, records: 3 }];
        assert!(read_csv_block(block, &miscounted, &format, &[0]).is_err());
        assert!(read_csv_block(b"a,\xff,1", &[PartEnd { byte: 5, records: 1 }], &format, &[0]).is_err());
    }

    /// Polars reads a blank line between records as a row (of empty
    /// cells), where csv-core counts no record: the block is refused, and
    /// the file is read by the `csv` crate alone (docs/input.md).
    #[test]
    fn a_blank_line_in_a_block_makes_polars_refuse_it() {
        let format = CsvFormat { delimiter: b',', eol: b'\n', width: 2 };
        for block in [&b"a,1\n\nb,2"[..], &b"a,1\r\n\r\nb,2"[..]] {
            let refused = read_csv_block(block, &[PartEnd { byte: block.len(), records: 2 }], &format, &[0]);
            let why = refused.err().map(|e| e.to_string());
            assert_eq!(why.as_deref(), Some("polars read 3 rows where the csv crate read 2"));
        }
    }

    /// The last day a date cell can hold is the one the constant names.
    #[test]
    fn the_calendar_ends_on_the_last_day() {
        assert_eq!(ymd(9999, 12, 31), Some(LAST_DAY));
        assert_eq!(ymd(1970, 1, 1), Some(DAYS_TO_1970));
    }

    /// Writes `frame` as a Parquet file and reads all its columns back as
    /// a scan gives them to the readers.
    fn through_parquet(mut frame: DataFrame) -> ColumnBatch {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("typed.parquet");
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut frame).unwrap();
        let positions: Vec<usize> = (0..frame.width()).collect();
        collect(scan_parquet(path.to_str().unwrap(), &positions).unwrap()).unwrap()
    }

    fn decimals(name: &str, mantissas: &[Option<i128>], scale: usize) -> Column {
        let values = Int128Chunked::new(name.into(), mantissas);
        values.into_decimal(38, scale).unwrap().into_series().into_column()
    }

    /// Dates, timestamps, decimals and floats reach the readers as values;
    /// their text, asked for, is what a CSV export of them would hold.
    /// Days: 20119 = 2025-01-31; 1740873599000 ms = 2025-03-01 23:59:59;
    /// 2932897 = 10000-01-01, past the calendar, so it is left to the date
    /// reader (which refuses it, naming that text).
    #[test]
    fn parquet_dates_and_numbers_reach_the_readers_as_values() {
        let frame = DataFrame::new_infer_height(vec![
            Int32Chunked::new("date".into(), &[Some(20_119), None, Some(2_932_897)])
                .into_date()
                .into_column(),
            Int64Chunked::new("stamp".into(), &[Some(1_740_873_599_000i64), None, Some(0)])
                .into_datetime(TimeUnit::Milliseconds, None)
                .into_column(),
            decimals("amount", &[Some(1250), Some(-5), Some(10i128.pow(22))], 2),
            Column::new("float".into(), &[Some(12.5f64), None, Some(0.1)]),
            Column::new("text".into(), &["a", "b", ""]),
        ])
        .unwrap();
        let batch = through_parquet(frame);
        let row = |i| batch.row(i, 5);
        let amount = |i: usize| row(i).number(2).map(|n| n.map(|d| d.to_string()));
        assert_eq!((row(0).day(0), row(0).day(1)), (ymd(2025, 1, 31), ymd(2025, 3, 1)));
        assert_eq!(amount(0), Some(Ok("12.50".to_string())));
        assert_eq!(row(0).number(3), Some(Ok(Decimal::new(125, 1))));
        assert_eq!((row(0).number(4), row(0).day(4)), (None, None));
        assert_eq!(row(1).day(0), None);
        assert_eq!(amount(1), Some(Ok("-0.05".to_string())));
        assert_eq!(row(1).number(3), None);
        assert_eq!(row(2).day(0), None);
        assert_eq!(row(2).day(1), ymd(1970, 1, 1));
        assert_eq!(row(2).number(2), Some(Err(AmountError::TooLarge)));
        assert_eq!(row(2).number(3), Some(Ok(Decimal::new(1, 1))));
        let texts = |i| (0..5).map(|c| row(i).text(c).unwrap().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(texts(0), ["2025-01-31", "2025-03-01", "12.50", "12.5", "a"]);
        assert_eq!(texts(1), ["", "", "-0.05", "", "b"]);
        assert_eq!(texts(2), ["10000-01-01", "1970-01-01", "100000000000000000000.00", "0.1", ""]);
        assert!(row(0).total_bytes() >= texts(0).iter().map(String::len).max().unwrap());
    }

    /// A decimal of more digits than an amount may have is read as its
    /// text, as a CSV cell is: the same refusal, not a silent rounding.
    #[test]
    fn a_decimal_beyond_an_amounts_digits_is_read_as_its_text() {
        let frame = DataFrame::new_infer_height(vec![decimals("amount", &[Some(1), Some(10)], 28)]).unwrap();
        let batch = through_parquet(frame);
        let expected = parse_amount("0.0000000000000000000000000001", false).map(|d| d.to_string());
        assert_eq!(batch.row(0, 1).number(0).map(|n| n.map(|d| d.to_string())), Some(expected));
        assert_eq!(batch.row(1, 1).text(0), Some(Ok("0.0000000000000000000000000010")));
    }

    /// cobro writes a decimal's text as polars does.
    #[test]
    fn decimal_text_is_polars_text() {
        let mantissas =
            [0, 5, -5, 1250, -123_456_789, 10i128.pow(37) - 1, -(10i128.pow(37)), 99_999_999_999_999_999];
        for scale in [0, 1, 2, 10, 37] {
            let column = decimals("m", &mantissas.map(Some), scale);
            let polars = column.cast(&DataType::String).unwrap();
            let polars: Vec<&str> = polars.str().unwrap().iter().map(Option::unwrap).collect();
            let ours: Vec<String> = mantissas.iter().map(|&m| decimal_text(m, scale)).collect();
            assert_eq!(ours, polars, "scale {scale}");
        }
        // The bounds `total_bytes` relies on.
        let widest = -(10i128.pow(38) - 1);
        for (mantissa, scale) in [(widest, 0), (widest, 38), (-1, 38)] {
            assert!(decimal_text(mantissa, scale).len() <= LONGEST_DECIMAL_TEXT, "{mantissa} {scale}");
        }
        let days = Int32Chunked::new("d".into(), &[i32::MAX, i32::MIN + DAYS_TO_1970]);
        assert!(iso_days(&days).iter().all(|t| t.unwrap().len() <= LONGEST_DAY_TEXT));
    }
}
