//! The `csv` crate's reading of a CSV file, record by record with each
//! record's real line: the reference framing. It reads the small side
//! files, re-reads a large file to find the lines and the verbatim rows of
//! its bad rows, and checks the rows' widths while polars reads the cells
//! (see [`super::engine`]). Polars is the fast path; this is the exact one,
//! and the one every message comes from.

use csv::ByteRecord;
use std::io::{self, Read};

/// A CSV reader of records (the header row is a record too) whose cells
/// may number differently from row to row.
pub fn csv_reader<R: Read>(reader: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .buffer_capacity(1 << 16)
        .from_reader(reader)
}

/// The records of a CSV text with the line each starts on (the first is
/// line 1): blank lines are skipped, as the parser does, but counted; a
/// line ends with `\n`, `\r\n` or a lone `\r` (old Mac files), also inside
/// a quoted cell. Reads as it goes: memory stays at one record and the
/// parser's buffer.
pub struct CsvRecords<R: Read> {
    reader: csv::Reader<Seen<R>>,
    record: ByteRecord,
    /// Line of the record last read.
    line: u64,
    /// Stream position up to which line ends are counted.
    counted: u64,
}

/// How many bytes before the current record [`Seen`] may keep.
const DRAIN_BYTES: usize = 1 << 20;

/// A reader that keeps the bytes handed to the parser since (about)
/// the record last read began, to count the line ends between records.
struct Seen<R> {
    inner: R,
    bytes: Vec<u8>,
    /// Stream position of `bytes[0]`.
    start: u64,
}

impl<R: Read> Read for Seen<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl<R: Read> CsvRecords<R> {
    pub fn new(reader: R, delimiter: u8) -> CsvRecords<R> {
        let seen = Seen { inner: reader, bytes: Vec::new(), start: 0 };
        CsvRecords { reader: csv_reader(seen, delimiter), record: ByteRecord::new(), line: 1, counted: 0 }
    }

    /// The next record and its line; `None` at the end.
    pub fn next_record(&mut self) -> io::Result<Option<(u64, &ByteRecord)>> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => return Err(io::Error::other(e)),
        }
        let seen = self.reader.get_mut();
        let mut at = self.record.position().map_or(0, |p| p.byte());
        // The parser reports a record where the previous one ended, which
        // is before the "\n" of a "\r\n" and before skipped blank lines.
        let offset = |at: u64| (at - seen.start) as usize;
        while seen.bytes.get(offset(at)).is_some_and(|&b| b == b'\r' || b == b'\n') {
            at += 1;
        }
        let ends = count_line_ends(&seen.bytes, offset(self.counted)..offset(at));
        self.line += ends as u64;
        self.counted = at;
        // Bytes before the record are no longer needed; they go in
        // batches, not at every record, which would move the buffer each time.
        if offset(at) > DRAIN_BYTES {
            seen.bytes.drain(..offset(at));
            seen.start = at;
        }
        Ok(Some((self.line, &self.record)))
    }
}

/// The line ends in `bytes[range]`: each `\n`, and each `\r` that no `\n`
/// follows. A `\r` at the very end of `bytes` counts.
pub fn count_line_ends(bytes: &[u8], range: std::ops::Range<usize>) -> usize {
    let start = range.start;
    memchr::memchr2_iter(b'\n', b'\r', &bytes[range])
        .filter(|&i| bytes[start + i] == b'\n' || bytes.get(start + i + 1) != Some(&b'\n'))
        .count()
}

/// What the reference framing says of a file's data rows: how many there
/// are, and whether each has the header's number of cells.
#[derive(Debug, PartialEq)]
pub struct Shape {
    pub rows: u64,
    pub all_full_width: bool,
}

/// Reads `reader` (the whole file, header included) and returns its
/// [`Shape`]; stops early at the first row of another width.
pub fn shape(reader: impl Read, delimiter: u8, width: usize) -> io::Result<Shape> {
    let mut reader = csv_reader(reader, delimiter);
    let mut record = ByteRecord::new();
    let mut records = 0u64;
    while reader.read_byte_record(&mut record).map_err(io::Error::other)? {
        if records > 0 && record.len() != width {
            return Ok(Shape { rows: records - 1, all_full_width: false });
        }
        records += 1;
    }
    Ok(Shape { rows: records.saturating_sub(1), all_full_width: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &[u8]) -> Vec<(u64, Vec<String>)> {
        let mut records = CsvRecords::new(text, b',');
        let mut seen = Vec::new();
        while let Some((line, record)) = records.next_record().unwrap() {
            seen.push((line, record.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect()));
        }
        seen
    }

    #[test]
    fn lines_count_every_kind_of_line_end_blank_lines_and_quoted_breaks() {
        let cells = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(lines_of(b"a,b\nc,d\n"), [(1, cells(&["a", "b"])), (2, cells(&["c", "d"]))]);
        assert_eq!(lines_of(b"a,b\r\n\r\nc,d\r\n"), [(1, cells(&["a", "b"])), (3, cells(&["c", "d"]))]);
        assert_eq!(lines_of(b"a\rb\r\rc"), [(1, cells(&["a"])), (2, cells(&["b"])), (4, cells(&["c"]))]);
        assert_eq!(
            lines_of(b"h\n\"x\ny\"\nz\n"),
            [(1, cells(&["h"])), (2, cells(&["x\ny"])), (4, cells(&["z"]))]
        );
        assert_eq!(lines_of(b"\n\nh\n"), [(3, cells(&["h"]))]);
    }

    /// Larger than the parser's buffer, so records straddle its refills.
    #[test]
    fn lines_hold_across_buffer_refills() {
        for end in ["\r", "\r\n", "\n"] {
            let mut text = format!("id,note{end}");
            for i in 0..50_000 {
                text.push_str(&format!("{i},\"a{end}note\"{end}"));
            }
            let mut records = CsvRecords::new(text.as_bytes(), b',');
            records.next_record().unwrap();
            let mut i = 0u64;
            while let Some((line, record)) = records.next_record().unwrap() {
                assert_eq!(line, 2 + 2 * i, "{end:?} row {i}");
                assert_eq!(record.get(0).unwrap(), i.to_string().as_bytes());
                i += 1;
            }
            assert_eq!(i, 50_000);
        }
    }

    #[test]
    fn shape_counts_rows_and_finds_a_short_one() {
        assert_eq!(shape(&b"a,b\n1,2\n\n3,4\n"[..], b',', 2).unwrap(), Shape { rows: 2, all_full_width: true });
        assert_eq!(shape(&b"a,b\n1,2\n3\n"[..], b',', 2).unwrap().all_full_width, false);
        assert_eq!(shape(&b"a,b\n1,2,3\n"[..], b',', 2).unwrap().all_full_width, false);
    }

    #[test]
    fn line_ends_are_lf_crlf_or_a_lone_cr() {
        let count = |text: &[u8]| count_line_ends(text, 0..text.len());
        assert_eq!(count(b"a\nb\r\nc\rd\r"), 4);
        assert_eq!(count(b"\r\n\r\n"), 2);
        assert_eq!(count(b"\r\r\n\n"), 3);
        assert_eq!(count_line_ends(b"a\r\nb", 0..2), 0);
        assert_eq!(count_line_ends(b"a\rb", 0..2), 1);
    }
}
