//! Opening one input: a CSV file or standard input (`-`), UTF-8 with or
//! without BOM, its delimiter given or detected from the header line; or a
//! Parquet file (by extension).
//!
//! After the header, a large file's rows come in [`Batch`]es read by
//! polars ([`super::engine`]) and parsed on every core; the small side
//! files are read a row at a time ([`Source::rows`]). Bad rows are found
//! by row number and placed afterwards, at their real line, by the `csv`
//! crate's reading ([`super::framing`]), which also checks that polars'
//! rows are the file's rows: where they are not (a short row, a blank
//! line, a stray quote, bytes that are not UTF-8) the read starts over
//! with that reading alone ([`Framing::Exact`]).

use super::batch::{Batch, BatchRows, Part};
use super::engine::{self, CsvFormat};
use super::framing::{self, CsvRecords, RecordBlock, RecordBlocks};
use super::record::Cells;
use super::rejects::{BadRow, Rejects};
use anyhow::{bail, Context, Result};
use csv::ByteRecord;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::sync::{Arc, Mutex, PoisonError};
use tempfile::TempPath;

/// Cells longer than this are refused: no real export has them, and an
/// unclosed quote that swallows the rest of a file looks exactly like this.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// How far the header may reach into the file.
const HEAD_BYTES: u64 = 64 * 1024;

/// Records per batch when the `csv` crate frames a file.
const RECORD_BATCH: usize = 1 << 16;

pub struct Source {
    /// The path as the user gave it, for messages.
    pub name: String,
    pub headers: Vec<String>,
    pub delimiter: u8,
    format: Format,
    estimated_rows: usize,
}

enum Format {
    Csv {
        /// The file read (standard input is first copied to a temporary file).
        path: String,
        /// Line end: `\n` (also ending `\r\n` lines) or `\r`.
        eol: u8,
        _stdin: Option<Arc<TempPath>>,
    },
    Parquet,
}

/// Where a row came from, for messages and the rejects file.
#[derive(Clone, Copy)]
pub struct RowPlace<'a> {
    pub file: &'a str,
    /// Line where the row starts (the header is line 1).
    pub line: u64,
    pub delimiter: u8,
}

/// Who frames a large CSV file's rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Framing {
    /// Polars, checked against the `csv` crate's reading.
    #[default]
    Engine,
    /// The `csv` crate alone: for files whose rows polars does not see as
    /// the `csv` crate does.
    Exact,
}

/// Polars' rows of a CSV file are not the file's rows as the `csv` crate
/// reads them: the read must start over with [`Framing::Exact`].
#[derive(Debug)]
pub struct NeedsExactFraming;

impl std::fmt::Display for NeedsExactFraming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the file's rows must be read with exact framing")
    }
}

impl std::error::Error for NeedsExactFraming {}

/// The bad rows of one file by row number (0 = the first data row), until
/// their lines are known; in strict mode only the first is kept.
pub struct BadRows {
    rows: Vec<(u64, BadRow)>,
    keep_all: bool,
}

impl BadRows {
    pub fn new(skip_bad_rows: bool) -> BadRows {
        BadRows { rows: Vec::new(), keep_all: skip_bad_rows }
    }

    pub fn push(&mut self, row: u64, problem: BadRow) {
        if self.keep_all || self.rows.is_empty() {
            self.rows.push((row, problem));
        }
    }

    /// Whether the rest of the file can make no difference: a strict read
    /// has its first bad row. (A store then returns [`StopReading`].)
    pub fn is_final(&self) -> bool {
        !self.keep_all && !self.rows.is_empty()
    }
}

/// What a `store` of [`Source::read_parsed`] returns to end the read
/// early, with no error: the rest of the file is not needed.
#[derive(Debug)]
pub struct StopReading;

impl std::fmt::Display for StopReading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the read stopped early")
    }
}

impl std::error::Error for StopReading {}

/// Standard input, copied to a temporary file by the first reader that
/// opens `-`, so that every later open of `-` in the run reads the same
/// bytes: the ledger is read again from the start when polars' rows turn
/// out not to be the file's ([`Framing::Exact`]). Clones share the one
/// copy; it is deleted with the last of them.
#[derive(Clone, Debug, Default)]
pub struct StdinCopy(Arc<Mutex<Option<Arc<TempPath>>>>);

impl StdinCopy {
    /// The copy, made on the first call.
    fn path(&self) -> Result<Arc<TempPath>> {
        let mut copy = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(path) = copy.as_ref() {
            return Ok(Arc::clone(path));
        }
        let mut file = tempfile::NamedTempFile::new().context("cannot copy standard input")?;
        io::copy(&mut io::stdin().lock(), &mut file).context("cannot read standard input")?;
        let path = Arc::new(file.into_temp_path());
        *copy = Some(Arc::clone(&path));
        Ok(path)
    }
}

impl Source {
    /// Opens `path`; `-` is standard input, through `stdin`'s one copy.
    pub fn open(path: &str, delimiter: Option<u8>, stdin: &StdinCopy) -> Result<Source> {
        if path.to_ascii_lowercase().ends_with(".parquet") {
            return open_parquet(path);
        }
        if path == "-" {
            let copy = stdin.path()?;
            let real = copy.to_str().context("cannot copy standard input")?.to_string();
            return open_csv(path, &real, delimiter, Some(copy));
        }
        open_csv(path, path, delimiter, None)
    }

    /// A guess of the number of data rows (from the file size and the
    /// first lines), to size tables once; 0 when unknown.
    pub fn estimated_rows(&self) -> usize {
        self.estimated_rows
    }

    /// The data rows one at a time, for small files.
    pub fn rows(&self) -> Result<Rows> {
        let inner = match &self.format {
            Format::Csv { path, .. } => {
                let mut records = CsvRecords::new(open_body(path)?, self.delimiter);
                records.next_record().with_context(|| format!("cannot read {}", self.name))?;
                RowsInner::Csv(records)
            }
            Format::Parquet => {
                let all: Vec<usize> = (0..self.headers.len()).collect();
                let table =
                    contained(&self.name, || engine::collect(engine::scan_parquet(&self.name, &all)?))?;
                RowsInner::Table { table, next: 0, width: self.headers.len() }
            }
        };
        Ok(Rows { name: self.name.clone(), delimiter: self.delimiter, inner, line: 0 })
    }

    /// Reads the columns at `positions` of every data row in batches,
    /// runs `parse` over each batch on every core ([`Batch::map_parts`])
    /// and hands the results to `store` in file order. Reading, parsing
    /// and storing go on at once, each on its own thread, one batch apart.
    /// With [`Framing::Engine`] a CSV file whose rows polars does not read
    /// as the `csv` crate does ends in [`NeedsExactFraming`] (what `store`
    /// did must be undone). A `store` that returns [`StopReading`] ends the
    /// read there: every batch it was given was checked first, so the row
    /// numbers it saw are the file's.
    pub fn read_parsed<P: Send>(
        &self,
        positions: &[usize],
        framing: Framing,
        parse: impl Fn(Part<'_>) -> P + Sync,
        store: impl FnMut(Vec<P>) -> Result<()> + Send,
    ) -> Result<()> {
        std::thread::scope(|scope| {
            let (to_parse, parse_queue) = std::sync::mpsc::sync_channel::<Batch>(0);
            let (to_store, store_queue) = std::sync::mpsc::sync_channel::<Vec<P>>(0);
            let parse = &parse;
            scope.spawn(move || {
                for batch in parse_queue {
                    if to_store.send(batch.map_parts(parse)).is_err() {
                        break;
                    }
                }
            });
            let storing = scope.spawn(move || store_queue.into_iter().try_for_each(store));
            let read = self.read_batches(positions, framing, |batch| {
                to_parse.send(batch).map_err(|_| anyhow::anyhow!("the rows' store stopped"))
            });
            drop(to_parse);
            let stored = storing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            match stored {
                Err(stop) if stop.is::<StopReading>() => Ok(()),
                // The store's own error first: it is why the reading stopped.
                stored => stored.and(read),
            }
        })
    }

    /// Reads the columns at `positions` of every data row, in batches
    /// handed to `take` in file order. With [`Framing::Engine`] a CSV file
    /// whose rows polars does not read as the `csv` crate does ends in
    /// [`NeedsExactFraming`] (what `take` did must be undone).
    fn read_batches(
        &self,
        positions: &[usize],
        framing: Framing,
        take: impl FnMut(Batch) -> Result<()>,
    ) -> Result<()> {
        match (&self.format, framing) {
            (Format::Parquet, _) => self.read_parquet(positions, take),
            (Format::Csv { path, eol, .. }, Framing::Engine) => {
                self.read_csv_by_polars(path, *eol, positions, take)
            }
            (Format::Csv { path, .. }, Framing::Exact) => self.read_csv_exactly(path, take),
        }
    }

    /// Polars' streaming scan of the Parquet file.
    fn read_parquet(&self, positions: &[usize], mut take: impl FnMut(Batch) -> Result<()>) -> Result<()> {
        let scan = contained(&self.name, || engine::scan_parquet(&self.name, positions))?;
        let mut first = 0;
        for batch in engine::Batches::start(scan)? {
            let batch = batch.map_err(|e| unreadable_parquet(&self.name, e))?;
            let rows = batch.rows() as u64;
            take(Batch::new(first, self.headers.len(), BatchRows::Frame(batch)))?;
            first += rows;
        }
        Ok(())
    }

    /// The CSV file in blocks cut by csv-core, each parsed by polars (its
    /// parts at once, [`engine::read_csv_block`]) on a thread of its own,
    /// one block ahead of `take`.
    fn read_csv_by_polars(
        &self,
        path: &str,
        eol: u8,
        positions: &[usize],
        mut take: impl FnMut(Batch) -> Result<()>,
    ) -> Result<()> {
        let width = self.headers.len();
        let format = CsvFormat { delimiter: self.delimiter, eol, width };
        let blocks = RecordBlocks::new(open_body(path)?, self.delimiter, width, rayon::current_num_threads());
        std::thread::scope(|scope| {
            let (sender, receiver) = std::sync::mpsc::sync_channel(0);
            scope.spawn(move || {
                for block in blocks {
                    let parsed = self.parse_block(block, &format, positions);
                    let failed = parsed.is_err();
                    if sender.send(parsed).is_err() || failed {
                        break;
                    }
                }
            });
            let mut first = 0;
            for batch in receiver {
                let batch = batch?;
                let rows = batch.rows() as u64;
                take(Batch::new(first, width, BatchRows::Frame(batch)))?;
                first += rows;
            }
            Ok(())
        })
    }

    /// The CSV file record by record, by the `csv` crate alone.
    fn read_csv_exactly(&self, path: &str, mut take: impl FnMut(Batch) -> Result<()>) -> Result<()> {
        let mut records = CsvRecords::new(open_body(path)?, self.delimiter);
        let read_error = |e: io::Error| anyhow::anyhow!("cannot read {}: {e}", self.name);
        records.next_record().map_err(read_error)?;
        let (mut first, mut chunk) = (0, Vec::with_capacity(RECORD_BATCH));
        loop {
            let record = records.next_record().map_err(read_error)?;
            if let Some((_, record)) = record {
                chunk.push(record.clone());
            }
            if chunk.len() == RECORD_BATCH || (record.is_none() && !chunk.is_empty()) {
                let rows = chunk.len() as u64;
                let records = std::mem::replace(&mut chunk, Vec::with_capacity(RECORD_BATCH));
                take(Batch::new(first, self.headers.len(), BatchRows::Records(records)))?;
                first += rows;
            }
            if record.is_none() {
                return Ok(());
            }
        }
    }

    /// Hands the bad rows to `rejects` at their lines, with their cells as
    /// read (the strict mode's error is the first).
    pub fn report(&self, bad: BadRows, rejects: &mut Rejects) -> Result<()> {
        if bad.rows.is_empty() {
            return Ok(());
        }
        let wanted: Vec<u64> = bad.rows.iter().map(|(row, _)| *row).collect();
        let found = self.locate(&wanted)?;
        for ((_, problem), (line, record)) in bad.rows.into_iter().zip(found) {
            rejects.reject(
                RowPlace { file: &self.name, line, delimiter: self.delimiter },
                &record,
                problem,
            )?;
        }
        Ok(())
    }

    /// The line and the cells of each of the data rows `wanted` (in order).
    fn locate(&self, wanted: &[u64]) -> Result<Vec<(u64, ByteRecord)>> {
        let mut found = Vec::with_capacity(wanted.len());
        match &self.format {
            Format::Parquet => {
                let all: Vec<usize> = (0..self.headers.len()).collect();
                for &row in wanted {
                    let table = contained(&self.name, || {
                        engine::collect(engine::scan_parquet(&self.name, &all)?.slice(row as i64, 1))
                    })?;
                    found.push((row + 2, table.record(0, self.headers.len())));
                }
            }
            Format::Csv { path, .. } => {
                let mut records = CsvRecords::new(open_body(path)?, self.delimiter);
                let read_error = |e: io::Error| anyhow::anyhow!("cannot read {}: {e}", self.name);
                records.next_record().map_err(read_error)?;
                let mut row = 0u64;
                for &want in wanted {
                    loop {
                        let Some((line, record)) = records.next_record().map_err(read_error)? else {
                            bail!(
                                "{}: row {} is not in the file any more: was it changed while read?",
                                self.name,
                                want + 1
                            );
                        };
                        row += 1;
                        if row - 1 == want {
                            found.push((line, record.clone()));
                            break;
                        }
                    }
                }
            }
        }
        Ok(found)
    }

    /// Polars' parsing of one block, when its rows are the block's
    /// records as the `csv` crate counts them (else [`NeedsExactFraming`]).
    fn parse_block(
        &self,
        block: io::Result<RecordBlock>,
        format: &CsvFormat,
        positions: &[usize],
    ) -> Result<engine::ColumnBatch> {
        let block = block.with_context(|| format!("cannot read {}", self.name))?;
        if !block.all_regular {
            return Err(NeedsExactFraming.into());
        }
        let records = block.records;
        match engine::read_csv_block(&block.bytes, &block.parts, format, positions) {
            Ok(batch) if batch.rows() as u64 == records => Ok(batch),
            _ => Err(NeedsExactFraming.into()),
        }
    }
}

/// The rows of a [`Source`], one at a time.
pub struct Rows {
    pub name: String,
    delimiter: u8,
    inner: RowsInner,
    /// Line of the row last read.
    line: u64,
}

enum RowsInner {
    Csv(CsvRecords<Box<dyn Read + Send>>),
    Table { table: engine::ColumnBatch, next: usize, width: usize },
}

impl Rows {
    /// Reads the next row into `record`; `false` at the end.
    pub fn next_row(&mut self, record: &mut ByteRecord) -> Result<bool> {
        match &mut self.inner {
            RowsInner::Csv(records) => {
                let next = records.next_record().with_context(|| format!("cannot read {}", self.name))?;
                let Some((line, next)) = next else { return Ok(false) };
                (self.line, *record) = (line, next.clone());
            }
            RowsInner::Table { table, next, width } => {
                if *next >= table.rows() {
                    return Ok(false);
                }
                (self.line, *record) = (*next as u64 + 2, table.record(*next, *width));
                *next += 1;
            }
        }
        Ok(true)
    }

    /// Where the row last read came from.
    pub fn place(&self) -> RowPlace<'_> {
        RowPlace { file: &self.name, line: self.line, delimiter: self.delimiter }
    }

    /// The cells of the row last read into `record`: the record itself,
    /// or for a Parquet file its row, whose dates and numbers are values.
    pub fn cells<'a>(&'a self, record: &'a ByteRecord) -> RowCells<'a> {
        match &self.inner {
            RowsInner::Csv(_) => RowCells::Record(record),
            RowsInner::Table { table, next, width } => RowCells::Frame(table.row(next - 1, *width)),
        }
    }
}

/// One row of a small file, by position (see [`Rows::cells`]).
pub enum RowCells<'a> {
    Record(&'a ByteRecord),
    Frame(engine::FrameRow<'a>),
}

impl RowCells<'_> {
    fn cells(&self) -> &dyn Cells {
        match self {
            RowCells::Record(record) => *record,
            RowCells::Frame(row) => row,
        }
    }
}

impl Cells for RowCells<'_> {
    fn width(&self) -> usize {
        self.cells().width()
    }

    fn bytes(&self, i: usize) -> Option<&[u8]> {
        self.cells().bytes(i)
    }

    fn total_bytes(&self) -> usize {
        self.cells().total_bytes()
    }

    fn text(&self, i: usize) -> Option<Result<&str, &[u8]>> {
        self.cells().text(i)
    }

    fn day(&self, i: usize) -> Option<crate::dates::Day> {
        self.cells().day(i)
    }

    fn number(&self, i: usize) -> Option<Result<rust_decimal::Decimal, super::amount::AmountError>> {
        self.cells().number(i)
    }
}

/// The file from its first byte after the BOM, if it has one.
fn open_body(path: &str) -> Result<Box<dyn Read + Send>> {
    let mut file = File::open(path).with_context(|| format!("cannot open {path}"))?;
    let mut bom = [0u8; 3];
    let got = file.read(&mut bom).with_context(|| format!("cannot read {path}"))?;
    if !(got == 3 && bom == *b"\xEF\xBB\xBF") {
        file.rewind().with_context(|| format!("cannot read {path}"))?;
    }
    Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
}

fn open_csv(name: &str, path: &str, delimiter: Option<u8>, stdin: Option<Arc<TempPath>>) -> Result<Source> {
    let mut file = File::open(path).with_context(|| format!("cannot open {name}"))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = Vec::new();
    file.by_ref().take(HEAD_BYTES).read_to_end(&mut head).with_context(|| format!("cannot read {name}"))?;
    let bom_len = if head.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let body = &head[bom_len..];
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        bail!("{name}: the file is empty: expected a header row and data rows");
    }
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(body));
    let lines_in_head = framing::count_line_ends(body, 0..body.len()).max(1);
    let estimated_rows = (size as usize / (body.len() / lines_in_head).max(1)).min(1 << 30);
    let mut header_reader = framing::csv_reader(body, delimiter);
    let mut raw_headers = ByteRecord::new();
    header_reader
        .read_byte_record(&mut raw_headers)
        .map_err(|e| anyhow::anyhow!("{name}:1: cannot read the header row: {e}"))?;
    let header_end = header_reader.position().byte() as usize;
    if header_end >= body.len() && head.len() as u64 == HEAD_BYTES {
        bail!("{name}:1: the header row is longer than {} KiB: is this a CSV file?", HEAD_BYTES >> 10);
    }
    let headers = decode_headers(name, &raw_headers)?;
    let eol = line_end(body);
    let format = Format::Csv { path: path.to_string(), eol, _stdin: stdin };
    Ok(Source { name: name.to_string(), headers, delimiter, format, estimated_rows })
}

/// `\r` when the first line ends with a lone `\r` (an old Mac file), else `\n`.
fn line_end(body: &[u8]) -> u8 {
    match memchr::memchr2(b'\n', b'\r', body) {
        Some(at) if body[at] == b'\r' && body.get(at + 1).is_some_and(|&b| b != b'\n') => b'\r',
        _ => b'\n',
    }
}

fn decode_headers(path: &str, raw: &ByteRecord) -> Result<Vec<String>> {
    raw.iter()
        .enumerate()
        .map(|(i, h)| {
            std::str::from_utf8(h).map(|s| s.trim().to_string()).map_err(|_| {
                anyhow::anyhow!(
                    "{path}:1: header {} is not valid UTF-8: re-save the file as UTF-8 (cobro does not read Latin-1 or UTF-16)",
                    i + 1
                )
            })
        })
        .collect()
}

/// The most frequent of `,` `;` and tab on the first line, outside quotes.
fn detect_delimiter(body: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for &b in body {
        match b {
            b'\n' if !in_quotes => break,
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => counts[0] += 1,
            b';' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    candidates[best]
}

/// Opens a Parquet file: its column names are its headers.
fn open_parquet(path: &str) -> Result<Source> {
    File::open(path).with_context(|| format!("cannot open {path}"))?;
    let headers = contained(path, || engine::parquet_columns(path))?;
    let estimated_rows = contained(path, || engine::parquet_rows(path))?;
    Ok(Source { name: path.to_string(), headers, delimiter: b',', format: Format::Parquet, estimated_rows })
}

/// Runs a read of a Parquet file: an error, or a panic of the reader on
/// a damaged file (contained: see [`super::contain`]), names the file.
fn contained<T>(path: &str, read: impl FnOnce() -> Result<T>) -> Result<T> {
    match super::contain::catch_quietly(read) {
        Ok(outcome) => outcome.map_err(|e| unreadable_parquet(path, e)),
        Err(why) => Err(unreadable_parquet(path, why)),
    }
}

fn unreadable_parquet(path: &str, why: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{path}: not a readable Parquet file: it is damaged or truncated ({why})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_header_delimiter() {
        assert_eq!(detect_delimiter(b"a;b;c\n1,5;2;3"), b';');
        assert_eq!(detect_delimiter(b"a,b,c\n"), b',');
        assert_eq!(detect_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(detect_delimiter(b"\"x;y\",b\n"), b',');
    }

    #[test]
    fn the_line_end_is_a_lone_cr_only_when_the_first_line_ends_so() {
        assert_eq!(line_end(b"a,b\rc,d\r"), b'\r');
        assert_eq!(line_end(b"a,b\r\nc,d\r\n"), b'\n');
        assert_eq!(line_end(b"a,b\nc,d"), b'\n');
        assert_eq!(line_end(b"a,b"), b'\n');
    }
}
