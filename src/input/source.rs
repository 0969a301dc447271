//! Opening one input: a CSV file or standard input (`-`), UTF-8 with or
//! without BOM, its delimiter given or detected from the header line; or a
//! Parquet file (by extension), whose rows are turned into text cells so
//! that every format goes through the same cell readers.
//!
//! After the header, the rows come either one at a time ([`Source::rows`],
//! for small files) or as [`Block`]s of whole records that can be parsed on
//! several cores at once ([`Source::blocks`]).

use super::record::Record;
use anyhow::{bail, Context, Result};
use csv::ByteRecord;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Cursor, Read};

/// Cells longer than this are refused: no real export has them, and an
/// unclosed quote that swallows the rest of a file looks exactly like this.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// Size of the text blocks handed to the parsing threads.
const BLOCK_BYTES: usize = 2 << 20;

/// A record longer than this (an unclosed quote) stops the read.
const MAX_RECORD_BYTES: usize = 64 << 20;

/// How far the header may reach into the file.
const HEAD_BYTES: u64 = 64 * 1024;

pub struct Source {
    /// The path as the user gave it, for messages.
    pub name: String,
    pub headers: Vec<String>,
    pub delimiter: u8,
    body: Body,
    /// Line number of the first byte of `body` (1 + newlines before it).
    body_line: u64,
    estimated_rows: usize,
}

/// What follows the header.
enum Body {
    Text(Box<dyn Read + Send>),
    Records(Vec<ByteRecord>),
}

/// Where a row came from, for messages and the rejects file.
#[derive(Clone, Copy)]
pub struct RowPlace<'a> {
    pub file: &'a str,
    /// Line where the row starts (the header is line 1).
    pub line: u64,
    pub delimiter: u8,
}

impl Source {
    pub fn open(path: &str, delimiter: Option<u8>) -> Result<Source> {
        if path.to_ascii_lowercase().ends_with(".parquet") {
            return open_parquet(path);
        }
        let reader: Box<dyn Read + Send> = if path == "-" {
            Box::new(io::stdin())
        } else {
            Box::new(File::open(path).with_context(|| format!("cannot open {path}"))?)
        };
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        open_csv(path, reader, delimiter, size)
    }

    /// A guess of the number of data rows (from the file size and the
    /// first lines), to size tables once; 0 when unknown.
    pub fn estimated_rows(&self) -> usize {
        self.estimated_rows
    }

    /// The data rows one at a time (read block by block, so with the same
    /// records and line numbers as [`Source::blocks`]).
    pub fn rows(self) -> Rows {
        let name = self.name.clone();
        Rows { name, delimiter: self.delimiter, blocks: self.blocks(), waiting: VecDeque::new(), line: 0 }
    }

    /// The data rows in blocks of whole records, read on the caller's thread.
    pub fn blocks(self) -> Blocks {
        let body = match self.body {
            Body::Text(reader) => BlocksBody::Text { reader, carry: Vec::new(), done: false },
            Body::Records(records) => BlocksBody::Records(records.into_iter()),
        };
        Blocks { delimiter: self.delimiter, body, next_line: self.body_line }
    }
}

fn csv_reader<R: Read>(reader: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .buffer_capacity(1 << 16)
        .from_reader(reader)
}

/// The rows of a [`Source`], one at a time.
pub struct Rows {
    pub name: String,
    delimiter: u8,
    blocks: Blocks,
    /// The rest of the current block's records, with their lines.
    waiting: VecDeque<(u64, ByteRecord)>,
    /// Line of the row last read.
    line: u64,
}

impl Rows {
    /// Reads the next row into `record`; `false` at the end.
    pub fn next_row(&mut self, record: &mut ByteRecord) -> Result<bool> {
        while self.waiting.is_empty() {
            let Some(block) = self.blocks.next() else { return Ok(false) };
            let block = block.map_err(|e| anyhow::anyhow!("{}: {e:#}", self.name))?;
            block.for_each_record(|line, _, cells| self.waiting.push_back((line, cells.to_byte_record())));
        }
        if let Some((line, next)) = self.waiting.pop_front() {
            (self.line, *record) = (line, next);
        }
        Ok(true)
    }

    /// Where the row last read came from.
    pub fn place(&self) -> RowPlace<'_> {
        RowPlace { file: &self.name, line: self.line, delimiter: self.delimiter }
    }
}

/// Whole records, as text (CSV) or as cells (Parquet), and the line of the first.
pub struct Block {
    pub first_line: u64,
    /// How many lines the block spans (the next block's first line is
    /// this one's plus this).
    pub lines: usize,
    data: BlockData,
    delimiter: u8,
}

enum BlockData {
    Text(Vec<u8>),
    Records(Vec<ByteRecord>),
}

impl Block {
    /// Calls `each(line, at, record)` for every record; `at` finds the
    /// record again with [`Block::record_at`].
    pub fn for_each_record(&self, mut each: impl FnMut(u64, u32, &Record)) {
        match &self.data {
            BlockData::Text(bytes) if is_plain(bytes, self.delimiter) => {
                split_plain(bytes, self.delimiter, |line, at, record| {
                    each(self.first_line + line, at, record)
                })
            }
            BlockData::Text(bytes) => {
                parse_csv(bytes, self.delimiter, |line, at, record| each(self.first_line + line, at, record))
            }
            BlockData::Records(records) => {
                let mut bounds = Vec::new();
                for (i, record) in records.iter().enumerate() {
                    each(self.first_line + i as u64, i as u32, &Record::of(record, &mut bounds));
                }
            }
        }
    }

    /// At least the number of records (the last may have no line end).
    pub fn max_records(&self) -> usize {
        self.lines + 1
    }

    /// The record that [`Block::for_each_record`] gave with this `at`.
    pub fn record_at(&self, at: u32) -> ByteRecord {
        let mut record = ByteRecord::new();
        match &self.data {
            BlockData::Text(bytes) => {
                let mut reader = csv_reader(&bytes[at as usize..], self.delimiter);
                let _ = reader.read_byte_record(&mut record);
            }
            BlockData::Records(records) => record = records[at as usize].clone(),
        }
        record
    }

    pub fn place<'a>(&self, file: &'a str, line: u64) -> RowPlace<'a> {
        RowPlace { file, line, delimiter: self.delimiter }
    }
}

/// Calls `each(line, at, record)` for every record of CSV text, `line`
/// counted from 0 and `at` the record's first byte.
fn parse_csv(bytes: &[u8], delimiter: u8, mut each: impl FnMut(u64, u32, &Record)) {
    let (mut record, mut bounds) = (ByteRecord::new(), Vec::new());
    let mut reader = csv_reader(bytes, delimiter);
    // Line ends are counted here, not by the parser, which counts only
    // "\n" (a file with "\r" line ends would be all line 1).
    let (mut line, mut counted) = (0u64, 0usize);
    // Reading a byte slice cannot fail: with `flexible` and byte records
    // the CSV parser has no error of its own.
    while reader.read_byte_record(&mut record).unwrap_or(false) {
        let mut at = record.position().map_or(0, |p| p.byte() as usize);
        // The parser reports a record where the previous one ended, which
        // is before the "\n" of a "\r\n" and before skipped blank lines.
        while bytes.get(at).is_some_and(|&b| b == b'\r' || b == b'\n') {
            at += 1;
        }
        line += count_line_ends(bytes, counted..at) as u64;
        counted = at;
        each(line, at as u32, &Record::of(&record, &mut bounds));
    }
}

/// The line ends in `bytes[range]`: each `\n`, and each `\r` that no `\n`
/// follows (old Mac files end lines with `\r` alone; the CSV parser reads
/// those as record ends too). A `\r` at the very end of `bytes` counts.
fn count_line_ends(bytes: &[u8], range: std::ops::Range<usize>) -> usize {
    let start = range.start;
    memchr::memchr2_iter(b'\n', b'\r', &bytes[range])
        .filter(|&i| bytes[start + i] == b'\n' || bytes.get(start + i + 1) != Some(&b'\n'))
        .count()
}

/// Whether CSV text has no quotes and no line break but `\n` and `\r\n`:
/// then every line is a record and every delimiter ends a cell, which
/// [`split_plain`] reads several times faster than the full CSV parser.
fn is_plain(bytes: &[u8], delimiter: u8) -> bool {
    !matches!(delimiter, b'"' | b'\r' | b'\n')
        && memchr::memchr(b'"', bytes).is_none()
        && memchr::memchr_iter(b'\r', bytes).all(|at| bytes.get(at + 1) == Some(&b'\n'))
}

/// [`parse_csv`] for [`is_plain`] text, with the same records, lines and
/// offsets (blank lines are skipped, as the CSV parser does). One pass
/// finds every delimiter and line end; the cells are not copied, and the
/// text is checked for UTF-8 once.
fn split_plain(bytes: &[u8], delimiter: u8, mut each: impl FnMut(u64, u32, &Record)) {
    let text = std::str::from_utf8(bytes).ok().filter(|_| delimiter.is_ascii());
    let mut bounds: Vec<(u32, u32)> = Vec::with_capacity(16);
    // The current line's first byte, the current cell's, and the line number.
    let (mut start, mut cell, mut line) = (0usize, 0usize, 0u64);
    let mut end_record = |start: usize, cell: usize, end: usize, line: u64, bounds: &mut Vec<(u32, u32)>| {
        if end > start || !bounds.is_empty() {
            bounds.push((cell as u32, end as u32));
            each(line, start as u32, &Record::new(bytes, text, bounds));
        }
        bounds.clear();
    };
    for_each_separator(bytes, delimiter, |at| {
        if bytes[at] == delimiter {
            bounds.push((cell as u32, at as u32));
            cell = at + 1;
            return;
        }
        let end = if at > cell && bytes[at - 1] == b'\r' { at - 1 } else { at };
        end_record(start, cell, end, line, &mut bounds);
        line += 1;
        (start, cell) = (at + 1, at + 1);
    });
    if start < bytes.len() {
        end_record(start, cell, bytes.len(), line, &mut bounds);
    }
}

/// Calls `hit` with the position of every `delimiter` and `\n` in `bytes`,
/// in order. Cells are short, so hits are a few bytes apart: rather than
/// search for each one, this tests eight bytes at a time with integer bit
/// tricks (no unsafe code) and walks the matches of each word.
fn for_each_separator(bytes: &[u8], delimiter: u8, mut hit: impl FnMut(usize)) {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // The high bit of exactly each zero byte of `x` (no carries between bytes).
    let zero_bytes = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
    let (delimiters, newlines) = (u64::from_ne_bytes([delimiter; 8]), u64::from_ne_bytes([b'\n'; 8]));
    let (words, rest) = bytes.as_chunks::<8>();
    for (w, word) in words.iter().enumerate() {
        let x = u64::from_le_bytes(*word);
        let mut matches = zero_bytes(x ^ delimiters) | zero_bytes(x ^ newlines);
        while matches != 0 {
            hit(w * 8 + matches.trailing_zeros() as usize / 8);
            matches &= matches - 1;
        }
    }
    let done = words.len() * 8;
    for (i, &b) in rest.iter().enumerate() {
        if b == delimiter || b == b'\n' {
            hit(done + i);
        }
    }
}

/// The blocks of a [`Source`].
pub struct Blocks {
    delimiter: u8,
    body: BlocksBody,
    next_line: u64,
}

enum BlocksBody {
    Text { reader: Box<dyn Read + Send>, carry: Vec<u8>, done: bool },
    Records(std::vec::IntoIter<ByteRecord>),
}

impl Iterator for Blocks {
    type Item = Result<Block>;

    fn next(&mut self) -> Option<Result<Block>> {
        let first_line = self.next_line;
        let (data, lines) = match &mut self.body {
            BlocksBody::Text { reader, carry, done } => {
                let bytes = match next_text_block(reader, carry, done, self.delimiter) {
                    Ok(Some(bytes)) => bytes,
                    Ok(None) => return None,
                    Err(e) => return Some(Err(e.context(format!("line {first_line} onwards")))),
                };
                let lines = count_line_ends(&bytes, 0..bytes.len());
                (BlockData::Text(bytes), lines)
            }
            BlocksBody::Records(records) => {
                let chunk: Vec<ByteRecord> = records.take(BLOCK_BYTES / 64).collect();
                if chunk.is_empty() {
                    return None;
                }
                let lines = chunk.len();
                (BlockData::Records(chunk), lines)
            }
        };
        self.next_line += lines as u64;
        Some(Ok(Block { first_line, lines, data, delimiter: self.delimiter }))
    }
}

/// Reads on until the text holds at least one whole record and returns
/// the text up to the end of its last whole record; the rest is carried
/// into the next block.
fn next_text_block(
    reader: &mut dyn Read,
    carry: &mut Vec<u8>,
    done: &mut bool,
    delimiter: u8,
) -> Result<Option<Vec<u8>>> {
    let mut bytes = std::mem::take(carry);
    loop {
        if *done {
            return Ok((!bytes.is_empty()).then_some(bytes));
        }
        let start = bytes.len();
        let want = BLOCK_BYTES.max(start);
        bytes.reserve_exact(want);
        let got = read_full(reader, &mut bytes, want)?;
        if got < want {
            *done = true;
            continue;
        }
        if let Some(end) = last_record_end(&bytes, delimiter) {
            *carry = bytes.split_off(end);
            return Ok(Some(bytes));
        }
        if bytes.len() > MAX_RECORD_BYTES {
            bail!("a record longer than {} MiB: an unclosed quote?", MAX_RECORD_BYTES >> 20);
        }
    }
}

/// Appends up to `want` bytes to `buf`, fewer only at the end of the
/// input; returns how many. (Through `take`, std fills the spare capacity
/// without zeroing it first.)
fn read_full(reader: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<usize> {
    let mut filled = 0;
    while filled < want {
        match reader.take((want - filled) as u64).read_to_end(buf) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The position just after the last record-ending line end of `text`,
/// which starts at a record boundary; `None` if no record ends in it. A
/// line end is `\n`, or a `\r` that is followed by something else than
/// `\n` (a `\r` at the very end may be half of a `\r\n`: not yet).
/// Without quotes every line end ends a record; with quotes, a small CSV
/// state machine (the same rules as the `csv` crate) skips line ends
/// inside quoted cells.
fn last_record_end(text: &[u8], delimiter: u8) -> Option<usize> {
    let lone_cr_end = |i: usize| text.get(i + 1).is_some_and(|&next| next != b'\n');
    if memchr::memchr(b'"', text).is_none() {
        let newline = memchr::memrchr(b'\n', text).map(|i| i + 1);
        // Only a `\r` after the last `\n` can end a later record.
        let after = newline.unwrap_or(0);
        let cr = memchr::memrchr_iter(b'\r', &text[after..]).map(|i| after + i).find(|&i| lone_cr_end(i));
        return cr.map(|i| i + 1).or(newline);
    }
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut last = None;
    for (i, &b) in text.iter().enumerate() {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::FieldStart, b'"') => State::Quoted,
            (_, b'\n') => {
                last = Some(i + 1);
                State::FieldStart
            }
            (_, b'\r') => {
                if lone_cr_end(i) {
                    last = Some(i + 1);
                }
                State::FieldStart
            }
            (_, b) if b == delimiter => State::FieldStart,
            _ => State::Unquoted,
        };
    }
    last
}

fn open_csv(
    path: &str,
    mut reader: Box<dyn Read + Send>,
    delimiter: Option<u8>,
    size: u64,
) -> Result<Source> {
    let mut head = Vec::new();
    reader.by_ref().take(HEAD_BYTES).read_to_end(&mut head).with_context(|| format!("cannot read {path}"))?;
    let bom_len = if head.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let body = &head[bom_len..];
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        bail!("{path}: the file is empty: expected a header row and data rows");
    }
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(body));
    let lines_in_head = count_line_ends(body, 0..body.len()).max(1);
    let estimated_rows = (size as usize / (body.len() / lines_in_head).max(1)).min(1 << 30);
    let mut header_reader = csv_reader(body, delimiter);
    let mut raw_headers = ByteRecord::new();
    header_reader
        .read_byte_record(&mut raw_headers)
        .map_err(|e| anyhow::anyhow!("{path}:1: cannot read the header row: {e}"))?;
    let header_end = header_reader.position().byte() as usize;
    if header_end >= body.len() && head.len() as u64 == HEAD_BYTES {
        bail!("{path}:1: the header row is longer than {} KiB: is this a CSV file?", HEAD_BYTES >> 10);
    }
    let headers = decode_headers(path, &raw_headers)?;
    let body_line = 1 + count_line_ends(body, 0..header_end) as u64;
    let rest = Cursor::new(body[header_end..].to_vec());
    Ok(Source {
        name: path.to_string(),
        headers,
        delimiter,
        body: Body::Text(Box::new(rest.chain(reader))),
        body_line,
        estimated_rows,
    })
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

/// Reads a whole Parquet file into records. A damaged file is an error
/// naming it, also where the Parquet crate panics on it (the panic is
/// contained: see [`super::contain`]).
fn open_parquet(path: &str) -> Result<Source> {
    let file = File::open(path).with_context(|| format!("cannot open {path}"))?;
    match super::contain::catch_quietly(|| read_parquet(path, file)) {
        Ok(source) => source,
        Err(why) => bail!("{path}: not a readable Parquet file: it is damaged or truncated ({why})"),
    }
}

fn read_parquet(path: &str, file: File) -> Result<Source> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(file)
        .map_err(|e| anyhow::anyhow!("{path}: not a readable Parquet file: {e}"))?;
    let headers: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let mut rows = Vec::new();
    for row in reader.into_iter() {
        let row = row.map_err(|e| anyhow::anyhow!("{path}: not a readable Parquet file: {e}"))?;
        let mut record = ByteRecord::new();
        for (_, field) in row.get_column_iter() {
            record.push_field(parquet_cell(field).as_bytes());
        }
        rows.push(record);
    }
    Ok(Source {
        name: path.to_string(),
        headers,
        delimiter: b',',
        estimated_rows: rows.len(),
        body: Body::Records(rows),
        body_line: 2,
    })
}

/// The text a CSV export would have for a Parquet value.
fn parquet_cell(field: &parquet::record::Field) -> String {
    use parquet::record::Field;
    match field {
        Field::Null => String::new(),
        Field::Str(s) => s.clone(),
        Field::Date(days) => unix_day_text(i64::from(*days)),
        Field::TimestampMillis(ms) => unix_day_text(ms.div_euclid(86_400_000)),
        Field::TimestampMicros(us) => unix_day_text(us.div_euclid(86_400_000_000)),
        Field::Decimal(d) => decimal_text(d),
        other => other.to_string(),
    }
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01. A day beyond the
/// calendar prints as a year no date reader accepts, so the row is a bad
/// row naming the value (never an overflow).
fn unix_day_text(days: i64) -> String {
    let day = days.saturating_add(719_163).clamp(i64::from(i32::MIN), i64::from(i32::MAX));
    crate::dates::iso(day as i32)
}

/// A Parquet decimal (big-endian two's complement unscaled value) as text,
/// exactly: the amount reader then applies its limits (a value beyond
/// them is "amount too large", never a wrapped number).
fn decimal_text(d: &parquet::data_type::Decimal) -> String {
    let bytes = d.data();
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    // Leading bytes that only repeat the sign carry no digits.
    let fill = if negative { 0xFF } else { 0 };
    let skip = bytes.iter().take_while(|&&b| b == fill).count().min(bytes.len().saturating_sub(16));
    let bytes = &bytes[skip..];
    if bytes.len() > 16 {
        // At least 2^127 in magnitude: far past any limit.
        return format!("{}{}", if negative { "-" } else { "" }, "9".repeat(40));
    }
    let unscaled = bytes.iter().fold(if negative { -1i128 } else { 0 }, |acc, b| (acc << 8) | *b as i128);
    let digits = unscaled.unsigned_abs().to_string();
    let scale = usize::try_from(d.scale().max(0)).unwrap_or(0);
    let sign = if unscaled < 0 { "-" } else { "" };
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::record::Cells;

    fn records_of(read: impl Fn(&mut dyn FnMut(u64, u32, &Record))) -> Vec<(u64, u32, Vec<Vec<u8>>)> {
        let mut seen = Vec::new();
        read(&mut |line, at, record| seen.push((line, at, record.to_vecs())));
        seen
    }

    #[test]
    fn plain_splitting_reads_what_the_csv_parser_reads() {
        let texts: [&[u8]; 7] = [
            b"a,b\nc,d\n",
            b"a,b\r\nc,d\r\n",
            b"a,b\n\n\nc,,d\ne",
            b"\r\n\na;b;c\r\n;;\r\n x ; y\n",
            b",\n,\n",
            b"\n\n",
            "ñ,é\n".as_bytes(),
        ];
        for text in texts {
            for delimiter in [b',', b';'] {
                assert!(is_plain(text, delimiter));
                let plain = records_of(|each| split_plain(text, delimiter, each));
                let csv = records_of(|each| parse_csv(text, delimiter, each));
                assert_eq!(plain, csv, "{:?}", String::from_utf8_lossy(text));
            }
        }
        // Quoted text goes to the parser, whose lines and offsets must hold for "\r\n" too.
        let quoted = records_of(|each| parse_csv(b"a,\"b\"\r\n\r\nc,d\r\n", b',', each));
        let places: Vec<(u64, u32)> = quoted.iter().map(|r| (r.0, r.1)).collect();
        assert_eq!(places, [(0, 0), (2, 9)]);
        assert!(!is_plain(b"a,\"b\"\n", b','));
        assert!(!is_plain(b"a,b\rc,d\n", b','));
    }

    /// A block that is not all UTF-8 still gives its good cells as text.
    #[test]
    fn plain_splitting_checks_utf8_per_cell_when_the_block_is_not_utf8() {
        let mut cells = Vec::new();
        split_plain(b"a,\xff\nb,c\n", b',', |_, _, record| {
            let text = |i| record.text(i).unwrap().map(str::to_string).map_err(<[u8]>::to_vec);
            cells.extend((0..record.width()).map(text))
        });
        let ok = |s: &str| Ok(s.to_string());
        assert_eq!(cells, [ok("a"), Err(b"\xff".to_vec()), ok("b"), ok("c")]);
    }

    /// Every delimiter and line end, whatever its place in an 8-byte word,
    /// and bytes that differ from them only in the high bit are not hits.
    #[test]
    fn separators_are_found_exactly() {
        let text: Vec<u8> =
            b"a,\nb\xac,,\x8a\n;x,yz0123456789,\n,".iter().copied().cycle().take(200).collect();
        for delimiter in [b',', b';', b'\t'] {
            let mut hits = Vec::new();
            for_each_separator(&text, delimiter, |at| hits.push(at));
            let expected: Vec<usize> =
                (0..text.len()).filter(|&i| text[i] == delimiter || text[i] == b'\n').collect();
            assert_eq!(hits, expected);
        }
    }

    #[test]
    fn parquet_decimals_print_exactly() {
        use parquet::data_type::Decimal as Pq;
        let text = |bytes: &[u8], scale: i32| decimal_text(&Pq::from_bytes(bytes.to_vec().into(), 38, scale));
        assert_eq!(text(&[0x30, 0x39], 2), "123.45");
        assert_eq!(text(&[0xCF, 0xC7], 2), "-123.45");
        assert_eq!(text(&[0x05], 3), "0.005");
        assert_eq!(text(&[0xFF, 0xFB], 3), "-0.005");
        assert_eq!(text(&[0x00], 0), "0");
        // 2^120 with scale 2: 31 digits, which the amount reader calls too large.
        let mut big = vec![0x01];
        big.extend([0u8; 15]);
        assert_eq!(text(&big, 2), "13292279957849158729038070602803445.76");
        let mut huge = vec![0x01];
        huge.extend([0u8; 20]);
        assert!(text(&huge, 0).len() >= 40);
        let mut sign_extended = vec![0xFF; 20];
        sign_extended.push(0x85);
        assert_eq!(text(&sign_extended, 0), "-123");
    }

    #[test]
    fn detects_the_header_delimiter() {
        assert_eq!(detect_delimiter(b"a;b;c\n1,5;2;3"), b';');
        assert_eq!(detect_delimiter(b"a,b,c\n"), b',');
        assert_eq!(detect_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(detect_delimiter(b"\"x;y\",b\n"), b',');
    }

    #[test]
    fn record_ends_skip_newlines_inside_quotes() {
        assert_eq!(last_record_end(b"a,b\nc,d\ne,f", b','), Some(8));
        assert_eq!(last_record_end(b"a,b", b','), None);
        // The second newline is inside a quoted cell, the first ends a record.
        assert_eq!(last_record_end(b"a,b\n\"c\nd\",e", b','), Some(4));
        // An escaped quote ("") does not close the cell.
        assert_eq!(last_record_end(b"\"x\"\"\ny\",1\nz", b','), Some(10));
        // A quote inside an unquoted cell is just a character.
        assert_eq!(last_record_end(b"5\" disk,1\nz", b','), Some(10));
        // Only the file's delimiter starts a cell: here `,"` is inside one.
        assert_eq!(last_record_end(b"a,\"b;c\nd", b';'), Some(7));
    }

    #[test]
    fn line_ends_are_lf_crlf_or_a_lone_cr() {
        let count = |text: &[u8]| count_line_ends(text, 0..text.len());
        assert_eq!(count(b"a\nb\r\nc\rd\r"), 4);
        assert_eq!(count(b"\r\n\r\n"), 2);
        assert_eq!(count(b"\r\r\n\n"), 3);
        assert_eq!(count(b"no line end"), 0);
        // A range looks one byte past its end: this "\r" is half of a "\r\n".
        assert_eq!(count_line_ends(b"a\r\nb", 0..2), 0);
        assert_eq!(count_line_ends(b"a\rb", 0..2), 1);
    }

    #[test]
    fn a_lone_cr_ends_a_record_but_not_at_the_end_of_the_text() {
        assert_eq!(last_record_end(b"a,b\rc,d\re", b','), Some(8));
        assert_eq!(last_record_end(b"a,b\rc,d\r", b','), Some(4));
        assert_eq!(last_record_end(b"a,b\nc,d\rx", b','), Some(8));
        assert_eq!(last_record_end(b"a,b\r\nc", b','), Some(5));
        assert_eq!(last_record_end(b"\"a\rb\",c\rd", b','), Some(8));
        assert_eq!(last_record_end(b"\"a\rb\",c\r", b','), None);
    }

    /// Every kind of line end, several blocks long, quoted or not: each
    /// record's line is its real line (a file with "\r" alone used to be
    /// all line 1).
    #[test]
    fn line_numbers_hold_for_every_line_end() {
        for end in ["\r", "\r\n", "\n"] {
            for quoted in [false, true] {
                let mut text = format!("id,note{end}");
                for i in 0..150_000 {
                    let note = if quoted { "\"a note\"" } else { "a longer note" };
                    text.push_str(&format!("{i},{note}{end}"));
                    if i % 1000 == 0 {
                        text.push_str(end); // a blank line: skipped, but it is a line
                    }
                }
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("t.csv");
                std::fs::write(&path, &text).unwrap();
                let source = Source::open(path.to_str().unwrap(), None).unwrap();
                let (mut rows, mut blocks) = (0u64, 0);
                for block in source.blocks() {
                    blocks += 1;
                    block.unwrap().for_each_record(|line, _, record| {
                        // Row i is on line 2 + i, plus the blank lines before it.
                        let expected = 2 + rows + rows.div_ceil(1000);
                        assert_eq!(line, expected, "{end:?} quoted {quoted}: row {rows}");
                        assert_eq!(record.bytes(0).unwrap(), rows.to_string().as_bytes());
                        rows += 1;
                    });
                }
                assert_eq!(rows, 150_000, "{end:?} quoted {quoted}");
                assert!(blocks > 1, "{end:?} quoted {quoted}: the file is larger than one block");
            }
        }
    }

    /// Blocks cut at record ends, line numbers carried across them.
    #[test]
    fn blocks_keep_records_whole_and_count_lines() {
        let mut text = String::from("id,note\n");
        for i in 0..200_000 {
            text.push_str(&format!("{i},\"two\nlines\"\n"));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, &text).unwrap();
        let source = Source::open(path.to_str().unwrap(), None).unwrap();
        let (mut rows, mut blocks) = (0u64, 0);
        for block in source.blocks() {
            let block = block.unwrap();
            blocks += 1;
            block.for_each_record(|line, _, record| {
                assert_eq!(line, 2 + 2 * rows, "row {rows}");
                assert_eq!(record.bytes(0).unwrap(), rows.to_string().as_bytes());
                assert_eq!(record.bytes(1).unwrap(), b"two\nlines");
                rows += 1;
            });
        }
        assert_eq!(rows, 200_000);
        assert!(blocks > 1, "the file is larger than one block");
    }
}
