//! Opening one input: a CSV file or standard input (`-`), UTF-8 with or
//! without BOM, its delimiter given or detected from the header line; or a
//! Parquet file (by extension), whose rows are turned into text cells so
//! that every format goes through the same cell readers.

use anyhow::{bail, Context, Result};
use csv::ByteRecord;
use std::fs::File;
use std::io::{self, Cursor, Read};

/// Cells longer than this are refused: no real export has them, and an
/// unclosed quote that swallows the rest of a file looks exactly like this.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

pub struct Source {
    /// The path as the user gave it, for messages.
    pub name: String,
    pub headers: Vec<String>,
    pub delimiter: u8,
    rows: Rows,
    line: u64,
    estimated_rows: usize,
}

enum Rows {
    Csv(csv::Reader<Box<dyn Read>>),
    Parquet(std::vec::IntoIter<ByteRecord>),
}

impl Source {
    pub fn open(path: &str, delimiter: Option<u8>) -> Result<Source> {
        if path.to_ascii_lowercase().ends_with(".parquet") {
            return open_parquet(path);
        }
        let reader: Box<dyn Read> = if path == "-" {
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

    /// Reads the next row into `record`; `false` at the end.
    pub fn next_row(&mut self, record: &mut ByteRecord) -> Result<bool> {
        let more = match &mut self.rows {
            Rows::Csv(reader) => reader.read_byte_record(record).map_err(|e| self.csv_error(e))?,
            Rows::Parquet(rows) => match rows.next() {
                Some(row) => {
                    *record = row;
                    true
                }
                None => false,
            },
        };
        self.line = match (&self.rows, record.position()) {
            (Rows::Csv(_), Some(pos)) => pos.line(),
            _ => self.line + 1,
        };
        Ok(more)
    }

    /// Line of the row last read (the header is line 1).
    pub fn line(&self) -> u64 {
        self.line
    }

    fn csv_error(&self, err: csv::Error) -> anyhow::Error {
        let line = err.position().map(|p| p.line()).unwrap_or(self.line + 1);
        anyhow::anyhow!("{}:{}: cannot read the CSV: {}", self.name, line, err)
    }
}

fn open_csv(path: &str, mut reader: Box<dyn Read>, delimiter: Option<u8>, size: u64) -> Result<Source> {
    let mut head = Vec::new();
    reader.by_ref().take(64 * 1024).read_to_end(&mut head).with_context(|| format!("cannot read {path}"))?;
    let bom_len = if head.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let body = &head[bom_len..];
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        bail!("{path}: the file is empty: expected a header row and data rows");
    }
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(body));
    let lines_in_head = body.iter().filter(|&&b| b == b'\n').count().max(1);
    let estimated_rows = (size as usize / (body.len() / lines_in_head).max(1)).min(1 << 30);
    let start = Cursor::new(head[bom_len..].to_vec());
    let chained: Box<dyn Read> = Box::new(start.chain(reader));
    let mut csv_reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .buffer_capacity(1 << 20)
        .from_reader(chained);
    let raw_headers = csv_reader
        .byte_headers()
        .map_err(|e| anyhow::anyhow!("{path}:1: cannot read the header row: {e}"))?
        .clone();
    let headers = decode_headers(path, &raw_headers)?;
    Ok(Source {
        name: path.to_string(),
        headers,
        delimiter,
        rows: Rows::Csv(csv_reader),
        line: 1,
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

fn open_parquet(path: &str) -> Result<Source> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file = File::open(path).with_context(|| format!("cannot open {path}"))?;
    let reader =
        SerializedFileReader::new(file).with_context(|| format!("{path}: not a readable Parquet file"))?;
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
        let row = row.with_context(|| format!("{path}: cannot read a Parquet row"))?;
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
        rows: Rows::Parquet(rows.into_iter()),
        line: 1,
    })
}

/// The text a CSV export would have for a Parquet value.
fn parquet_cell(field: &parquet::record::Field) -> String {
    use parquet::record::Field;
    match field {
        Field::Null => String::new(),
        Field::Str(s) => s.clone(),
        Field::Date(days) => crate::dates::iso(*days + 719_163),
        Field::TimestampMillis(ms) => crate::dates::iso((ms.div_euclid(86_400_000)) as i32 + 719_163),
        Field::TimestampMicros(us) => crate::dates::iso((us.div_euclid(86_400_000_000)) as i32 + 719_163),
        Field::Decimal(d) => decimal_text(d),
        other => other.to_string(),
    }
}

/// A Parquet decimal (big-endian two's complement unscaled value) as text.
fn decimal_text(d: &parquet::data_type::Decimal) -> String {
    let bytes = d.data();
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let unscaled = bytes.iter().fold(if negative { -1i128 } else { 0 }, |acc, b| (acc << 8) | *b as i128);
    rust_decimal::Decimal::try_from_i128_with_scale(unscaled, d.scale().max(0) as u32)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::detect_delimiter;

    #[test]
    fn detects_the_header_delimiter() {
        assert_eq!(detect_delimiter(b"a;b;c\n1,5;2;3"), b';');
        assert_eq!(detect_delimiter(b"a,b,c\n"), b',');
        assert_eq!(detect_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(detect_delimiter(b"\"x;y\",b\n"), b',');
    }
}
