//! The `csv` crate's reading of a CSV file: the reference framing.
//! [`CsvRecords`] gives record after record with each record's real line:
//! it reads the small side files, re-reads a large file to find the lines
//! and the verbatim rows of its bad rows, and reads a whole file whose rows
//! polars would see otherwise. [`RecordBlocks`] cuts a large file into
//! blocks of whole records for polars to parse (see [`super::engine`]),
//! counting each block's records and cells on the way, so that polars'
//! rows can be checked to be the file's.

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

/// Size of the blocks a large file is read in.
const BLOCK_BYTES: usize = 4 << 20;

/// A record longer than this (an unclosed quote) stops the read.
const MAX_RECORD_BYTES: usize = 64 << 20;

/// Whole data records of a CSV file, as text, and what the `csv` crate's
/// parser says of them: how many there are and whether each is regular
/// (see [`Cut::all_regular`]).
pub struct RecordBlock {
    pub bytes: Vec<u8>,
    pub records: u64,
    pub all_regular: bool,
    /// The block cut into parts of about equal size at record starts,
    /// one per core, to be parsed at once: where each part ends and how
    /// many records the block has up to there. The last part ends at
    /// `bytes.len()` with `records`.
    pub parts: Vec<PartEnd>,
}

/// Where a part of a [`RecordBlock`] ends: its byte and the records
/// before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartEnd {
    pub byte: usize,
    pub records: u64,
}

/// Reads a CSV file (from its first byte after the BOM) in blocks of
/// whole data records (the header record is left out), cut by the `csv`
/// crate's parser. A block starts at a record's first byte and ends with
/// a record's last byte (line ends between blocks are in none).
pub struct RecordBlocks<R> {
    reader: R,
    delimiter: u8,
    width: usize,
    /// How many parts each block is cut into ([`RecordBlock::parts`]).
    parts: usize,
    carry: Vec<u8>,
    done: bool,
    header_read: bool,
}

impl<R: Read> RecordBlocks<R> {
    pub fn new(reader: R, delimiter: u8, width: usize, parts: usize) -> RecordBlocks<R> {
        let parts = parts.max(1);
        RecordBlocks { reader, delimiter, width, parts, carry: Vec::new(), done: false, header_read: false }
    }

    fn next_block(&mut self) -> io::Result<Option<RecordBlock>> {
        loop {
            let mut bytes = std::mem::take(&mut self.carry);
            if !self.done {
                let want = BLOCK_BYTES.max(bytes.len());
                // Room for the whole block at once: grown as it is read, it
                // would be copied and its new pages faulted in several times.
                bytes.reserve_exact(want);
                let got = (&mut self.reader).take(want as u64).read_to_end(&mut bytes)?;
                self.done = got < want;
            }
            if bytes.is_empty() {
                return Ok(None);
            }
            let cut = cut_records(&bytes, self.delimiter, self.width, self.parts, self.done);
            if cut.end == 0 && !self.done {
                if bytes.len() > MAX_RECORD_BYTES {
                    let why =
                        format!("a record longer than {} MiB: an unclosed quote?", MAX_RECORD_BYTES >> 20);
                    return Err(io::Error::other(why));
                }
                self.carry = bytes;
                continue;
            }
            self.carry = bytes.split_off(cut.end);
            let (mut records, mut start, mut header) = (cut.records, 0, 0);
            if !self.header_read {
                self.header_read = true;
                start = cut.second_record.unwrap_or(bytes.len());
                (records, header) = (records.saturating_sub(1), 1);
            }
            if records == 0 {
                if self.done && self.carry.is_empty() {
                    return Ok(None);
                }
                continue;
            }
            // The line ends after the last record (and any blank lines)
            // end no record: they go, so that a block ends with a record.
            let content = bytes.iter().rposition(|&b| b != b'\r' && b != b'\n').map_or(0, |i| i + 1);
            bytes.truncate(content);
            bytes.drain(..start);
            let mut parts: Vec<PartEnd> = (cut.part_ends.iter())
                .filter(|end| end.byte > start && end.byte < content)
                .map(|end| PartEnd { byte: end.byte - start, records: end.records - header })
                .collect();
            parts.push(PartEnd { byte: bytes.len(), records });
            return Ok(Some(RecordBlock { bytes, records, all_regular: cut.all_regular, parts }));
        }
    }
}

impl<R: Read> Iterator for RecordBlocks<R> {
    type Item = io::Result<RecordBlock>;

    fn next(&mut self) -> Option<io::Result<RecordBlock>> {
        self.next_block().transpose()
    }
}

/// Where a block of text is cut after its last whole record.
struct Cut {
    /// The first byte of the record after the last whole one (past the
    /// line ends between them); 0 if none ends in the text.
    end: usize,
    /// Whole records before `end`.
    records: u64,
    /// Where the second record starts, if one does before `end`.
    second_record: Option<usize>,
    /// Whether every record before `end` but the first has `width` cells
    /// holding less than 64 KiB in all ([`super::source::MAX_FIELD_BYTES`]:
    /// a longer record may hold a cell too large, which is for the exact
    /// reader to judge, also in a column polars would not read).
    all_regular: bool,
    /// The first record start past each `k / parts` of `text` (k = 1 ..
    /// parts - 1) that is before `end`, with the records before it.
    part_ends: Vec<PartEnd>,
}

/// Parses `text` (which starts at a record's first byte) with csv-core,
/// counting records and cells, and finds where to cut it into `parts`.
/// The last record counts only when a byte of the next one follows it,
/// or at the end of the input (`eof`).
fn cut_records(text: &[u8], delimiter: u8, width: usize, parts: usize, eof: bool) -> Cut {
    let mut parser = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let (mut output, mut ends) = (vec![0u8; super::source::MAX_FIELD_BYTES], vec![0usize; 256]);
    let mut cut = Cut { end: 0, records: 0, second_record: None, all_regular: true, part_ends: Vec::new() };
    let part_goal = |cut: &Cut| text.len() * (cut.part_ends.len() + 1) / parts;
    let (mut at, mut cells, mut records, mut regular) = (0usize, 0usize, 0u64, true);
    let mut oversized = false;
    loop {
        let (result, read, _, fields) = parser.read_record(&text[at..], &mut output, &mut ends);
        at += read;
        cells += fields;
        match result {
            csv_core::ReadRecordResult::InputEmpty if !eof => return cut,
            csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::OutputEndsFull => {}
            csv_core::ReadRecordResult::OutputFull => oversized = true,
            csv_core::ReadRecordResult::Record => {
                regular &= records == 0 || (cells == width && !oversized);
                (records, cells, oversized) = (records + 1, 0, false);
                let next = at + text[at..].iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
                if next < text.len() || eof {
                    cut = Cut { end: next, records, all_regular: regular, ..cut };
                    if records == 1 {
                        cut.second_record = Some(next);
                    }
                    if cut.part_ends.len() + 1 < parts && next >= part_goal(&cut) {
                        cut.part_ends.push(PartEnd { byte: next, records });
                    }
                }
            }
            csv_core::ReadRecordResult::End => return cut,
        }
    }
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

    fn blocks_of(text: &[u8], width: usize) -> Vec<(String, u64, bool)> {
        RecordBlocks::new(text, b',', width, 1)
            .map(|b| b.unwrap())
            .map(|b| (String::from_utf8(b.bytes).unwrap(), b.records, b.all_regular))
            .collect()
    }

    #[test]
    fn blocks_leave_out_the_header_and_count_records_and_cells() {
        let block = |text: &str, records, full| (text.to_string(), records, full);
        assert_eq!(blocks_of(b"a,b\r\n1,2\r\n3,4\r\n", 2), [block("1,2\r\n3,4", 2, true)]);
        assert_eq!(blocks_of(b"a,b\n1,2\n3", 2), [block("1,2\n3", 2, false)]);
        assert_eq!(blocks_of(b"a,b\n1,2,3\n", 2), [block("1,2,3", 1, false)]);
        assert_eq!(blocks_of(b"a,b\n\n\n\"x\ny\",2\n", 2), [block("\"x\ny\",2", 1, true)]);
        // A blank line inside a block is no record.
        assert_eq!(blocks_of(b"a,b\n1,2\n\n3,4\n", 2), [block("1,2\n\n3,4", 2, true)]);
        assert!(blocks_of(b"a,b\n", 2).is_empty());
        // A record of 64 KiB or more is left to the exact reader.
        let long = format!("a,b\n1,{}\n2,3\n", "x".repeat(70_000));
        assert!(!blocks_of(long.as_bytes(), 2)[0].2);
        assert!(blocks_of(b"a,b", 2).is_empty());
    }

    /// Several blocks: each starts at a record, and together they hold
    /// every record once.
    #[test]
    fn blocks_are_cut_at_record_ends() {
        let mut text = String::from("id,note\r\n");
        for i in 0..400_000 {
            text.push_str(&format!("{i},\"a, \r\nquoted note\"\r\n"));
        }
        let blocks: Vec<RecordBlock> =
            RecordBlocks::new(text.as_bytes(), b',', 2, 3).map(|b| b.unwrap()).collect();
        assert!(blocks.len() > 1, "the text is larger than a block");
        let mut next = 0u64;
        for block in &blocks {
            assert!(block.all_regular);
            let text = std::str::from_utf8(&block.bytes).unwrap();
            assert!(text.starts_with(&format!("{next},")), "block starts at record {next}");
            // Three parts, each of a third of the block or so, each
            // starting at the record the count before it says.
            assert_eq!(block.parts.len(), 3);
            assert_eq!(
                *block.parts.last().unwrap(),
                PartEnd { byte: block.bytes.len(), records: block.records }
            );
            for end in &block.parts[..2] {
                let rest = &text[end.byte..];
                assert!(rest.starts_with(&format!("{},\"a, ", next + end.records)), "part at {}", end.byte);
                let third = block.bytes.len() as f64 / 3.0;
                assert!((end.byte as f64 / third - (end.byte as f64 / third).round()).abs() < 0.01);
            }
            next += block.records;
        }
        assert_eq!(next, 400_000);
    }

    /// The header is in no part, and a part ends before the line ends
    /// left out at the end of the block.
    #[test]
    fn parts_leave_out_the_header_and_the_last_line_ends() {
        let blocks: Vec<RecordBlock> =
            RecordBlocks::new(&b"id,n\n1,a\n2,b\n3,c\n4,d\n\n"[..], b',', 2, 2).map(|b| b.unwrap()).collect();
        assert_eq!(blocks.len(), 1);
        // The first record start at or past half of the 22 bytes read
        // (11) is "3,c", at 13; with the header's 5 bytes out, at 8, after
        // two records. The block ends at "4,d", 15 bytes, 4 records.
        assert_eq!(blocks[0].bytes, b"1,a\n2,b\n3,c\n4,d");
        assert_eq!(blocks[0].parts, [PartEnd { byte: 8, records: 2 }, PartEnd { byte: 15, records: 4 }]);
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
