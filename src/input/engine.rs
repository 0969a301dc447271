//! Polars, the reading engine: parses CSV blocks and scans Parquet files
//! for only the columns a command needs, on every core, and hands the
//! rows over as batches of text columns in file order, a few at a time
//! (memory stays at the batches in flight, whatever the file's size). The
//! cells' meaning (dates, amounts, flags) is read by cobro's own cell
//! readers, so every format gives the same values and messages.

use anyhow::{anyhow, Result};
use polars::prelude::*;
use std::num::NonZeroUsize;
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::JoinHandle;

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

/// Parses a block of whole CSV records (no header) on every core, giving
/// the columns at `positions` as text: cells are not typed by polars, and
/// an empty cell is an empty text. A row with too few or too many cells
/// is not polars' to judge (it pads and cuts them): the caller has
/// counted them ([`super::framing::RecordBlocks`]).
pub fn read_csv_block(block: Vec<u8>, format: &CsvFormat, positions: &[usize]) -> Result<TextBatch> {
    let schema: Schema = (0..format.width).map(|i| Field::new(column_name(i), DataType::String)).collect();
    let source = ScanSources::Buffers(Arc::from(vec![block.into()]));
    let frame = LazyCsvReader::new_with_sources(source)
        .with_has_header(false)
        .with_schema(Some(Arc::new(schema)))
        .with_separator(format.delimiter)
        .with_eol_char(format.eol)
        .with_quote_char(Some(b'"'))
        .with_missing_is_null(false)
        .with_truncate_ragged_lines(true)
        .with_raise_if_empty(false)
        .finish()?;
    let columns: Vec<Expr> = positions.iter().map(|&i| col(column_name(i))).collect();
    TextBatch::of(frame.select(columns).collect()?)
}

/// The name of column `i` read as days since 1970-01-01 (a Parquet date).
fn day_column_name(i: usize) -> PlSmallStr {
    PlSmallStr::from(format!("d{i}"))
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

/// A lazy scan of the Parquet file giving the columns at `positions`, as
/// the text a CSV export would hold: dates as `YYYY-MM-DD` (a timestamp
/// gives its day), decimals with all their digits, missing values empty.
pub fn scan_parquet(path: &str, positions: &[usize]) -> Result<LazyFrame> {
    let mut frame = LazyFrame::scan_parquet(PlRefPath::new(path), ScanArgsParquet::default())?;
    let schema = frame.collect_schema()?;
    let mut columns = Vec::with_capacity(positions.len());
    for &i in positions {
        let (name, dtype) = schema.get_at_index(i).ok_or_else(|| anyhow!("no column {i}"))?;
        let value = col(name.clone());
        // Days are written by cobro (see `TextBatch::of`): polars' own
        // date-to-text goes through strftime, which parses its pattern
        // again for every value.
        columns.push(match dtype {
            DataType::Date => value.cast(DataType::Int32).alias(day_column_name(i)),
            DataType::Datetime(_, _) => {
                value.cast(DataType::Date).cast(DataType::Int32).alias(day_column_name(i))
            }
            _ => value.cast(DataType::String).alias(column_name(i)),
        });
    }
    Ok(frame.select(columns))
}

/// `YYYY-MM-DD` of each day counted from 1970-01-01 (a Parquet date). A
/// day beyond the calendar prints as a year no date reader accepts, so the
/// row is a bad row naming the value (never an overflow).
fn iso_days(column: &Column) -> Result<StringChunked> {
    let days = column.rechunk();
    let texts = days.i32()?.iter().map(|days| days.map(|d| crate::dates::iso(d.saturating_add(719_163))));
    Ok(texts.collect())
}

/// Runs a (small) scan at once: all its rows in one batch.
pub fn collect_text(frame: LazyFrame) -> Result<TextBatch> {
    TextBatch::of(frame.collect()?)
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
    type Item = Result<TextBatch>;

    fn next(&mut self) -> Option<Result<TextBatch>> {
        let batch = self.receiver.recv().ok()?;
        Some(batch.map_err(|e| anyhow!("{e}")).and_then(TextBatch::of))
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

/// One batch of rows: the needed columns as text, each in one piece.
pub struct TextBatch {
    columns: Vec<StringChunked>,
    /// For each file position, its column in `columns`, if scanned.
    slots: Vec<Option<usize>>,
    rows: usize,
}

impl TextBatch {
    fn of(frame: DataFrame) -> Result<TextBatch> {
        let rows = frame.height();
        let (mut columns, mut slots) = (Vec::with_capacity(frame.width()), Vec::new());
        for column in frame.columns() {
            let name = column.name().as_str();
            let position = name[1..].parse::<usize>()?;
            if slots.len() <= position {
                slots.resize(position + 1, None);
            }
            slots[position] = Some(columns.len());
            columns.push(match name.starts_with('d') {
                true => iso_days(column)?,
                false => column.rechunk().str()?.clone(),
            });
        }
        Ok(TextBatch { columns, slots, rows })
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

/// One row of a [`TextBatch`], by file position: the columns not scanned
/// read as empty.
pub struct FrameRow<'a> {
    batch: &'a TextBatch,
    row: usize,
    width: usize,
}

impl FrameRow<'_> {
    fn cell(&self, i: usize) -> Option<&str> {
        if i >= self.width {
            return None;
        }
        let slot = self.batch.slots.get(i).copied().flatten();
        Some(slot.map_or("", |s| self.batch.columns[s].downcast_as_array().value(self.row)))
    }
}

impl super::record::Cells for FrameRow<'_> {
    fn width(&self) -> usize {
        self.width
    }

    fn bytes(&self, i: usize) -> Option<&[u8]> {
        self.cell(i).map(str::as_bytes)
    }

    fn total_bytes(&self) -> usize {
        self.batch.columns.iter().map(|values| values.downcast_as_array().value(self.row).len()).sum()
    }

    fn text(&self, i: usize) -> Option<Result<&str, &[u8]>> {
        self.cell(i).map(Ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::record::Cells;

    /// Days since 1970-01-01 as a Parquet date column holds them; the last
    /// is far beyond the calendar and must print, not wrap.
    #[test]
    fn parquet_days_print_as_iso_dates() {
        let days = Column::new("d0".into(), &[Some(0i32), Some(19_996), Some(-1), None, Some(i32::MAX)]);
        let texts: Vec<Option<String>> =
            iso_days(&days).unwrap().iter().map(|t| t.map(str::to_string)).collect();
        assert_eq!(
            texts[..4],
            [Some("1970-01-01".into()), Some("2024-09-30".into()), Some("1969-12-31".into()), None]
        );
        assert!(texts[4].as_deref().is_some_and(|t| !t.starts_with("2024")));
    }

    /// A block's rows as polars parses them: only the scanned columns
    /// carry text, quoted cells lose their quotes, empty cells are empty.
    #[test]
    fn a_csv_block_gives_the_scanned_columns_as_text() {
        let format = CsvFormat { delimiter: b',', eol: b'\n', width: 3 };
        let block = b"a,\"x, y\",1\r\nb,,2".to_vec();
        let batch = read_csv_block(block, &format, &[0, 1]).unwrap();
        assert_eq!(batch.rows(), 2);
        let row = batch.row(0, 3);
        assert_eq!(
            (row.text(0), row.text(1), row.text(2), row.text(3)),
            (Some(Ok("a")), Some(Ok("x, y")), Some(Ok("")), None)
        );
        assert_eq!(batch.record(1, 3), csv::ByteRecord::from(vec!["b", "", ""]));
    }
}
