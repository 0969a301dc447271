//! What happens to a bad row. Strict by default: the first one stops the
//! command with file, line, column, value and reason. With `--skip-bad-rows`
//! it is counted (the count goes to stderr) and, with `--rejects FILE`,
//! written there: `file,line,column,value,reason,row`, where `row` is the
//! row as read, its cells joined with the input's delimiter.

use super::source::RowPlace;
use crate::files::AtomicFile;
use anyhow::{bail, Context, Result};
use csv::ByteRecord;

/// One problem with one row.
#[derive(Clone, Debug)]
pub struct BadRow {
    /// Header of the offending column, if one column is at fault.
    pub column: Option<String>,
    pub value: Option<Vec<u8>>,
    pub reason: String,
}

pub struct Rejects {
    skip: bool,
    writer: Option<csv::Writer<AtomicFile>>,
    count: usize,
}

impl Rejects {
    pub fn new(skip: bool, path: Option<&str>) -> Result<Rejects> {
        let writer = match path {
            Some(p) => {
                let file = AtomicFile::create(p).with_context(|| format!("--rejects {p}"))?;
                let mut w = csv::Writer::from_writer(file);
                w.write_record(["file", "line", "column", "value", "reason", "row"])?;
                Some(w)
            }
            None => None,
        };
        Ok(Rejects { skip, writer, count: 0 })
    }

    /// Fails (strict mode) or records the row and goes on.
    pub fn reject(&mut self, place: RowPlace, record: &ByteRecord, bad: BadRow) -> Result<()> {
        if !self.skip {
            bail!("{}", describe(place, &bad));
        }
        self.count += 1;
        if let Some(w) = &mut self.writer {
            let line = place.line.to_string();
            let row = join_row(record, place.delimiter);
            w.write_record([
                place.file.as_bytes(),
                line.as_bytes(),
                bad.column.as_deref().unwrap_or("").as_bytes(),
                bad.value.as_deref().unwrap_or(b""),
                bad.reason.as_bytes(),
                &row,
            ])?;
        }
        Ok(())
    }

    /// Commits the rejects file and reports the count on stderr.
    pub fn finish(self) -> Result<usize> {
        if let Some(w) = self.writer {
            w.into_inner()
                .map_err(|e| anyhow::anyhow!("cannot write the rejects file: {}", e.error()))?
                .commit()?;
        }
        if self.skip && self.count > 0 {
            eprintln!("cobro: skipped {} bad row(s)", self.count);
        }
        Ok(self.count)
    }
}

/// `FILE:LINE: column "X": cannot use "VALUE": REASON`, the value shortened.
fn describe(place: RowPlace, bad: &BadRow) -> String {
    let mut msg = format!("{}:{}: ", place.file, place.line);
    if let Some(column) = &bad.column {
        msg.push_str(&format!("column \"{column}\": "));
    }
    if let Some(v) = &bad.value {
        msg.push_str(&format!("value \"{}\": ", shorten(&String::from_utf8_lossy(v))));
    }
    msg.push_str(&bad.reason);
    msg.push_str(" (use --skip-bad-rows --rejects FILE to set such rows aside)");
    msg
}

fn shorten(value: &str) -> String {
    if value.chars().count() <= 60 {
        value.to_string()
    } else {
        let head: String = value.chars().take(57).collect();
        format!("{head}... ({} bytes)", value.len())
    }
}

/// The cells of a row joined with the delimiter, quoted where needed.
fn join_row(record: &ByteRecord, delimiter: u8) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, field) in record.iter().enumerate() {
        if i > 0 {
            out.push(delimiter);
        }
        let needs_quotes = field.iter().any(|&b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r');
        if needs_quotes {
            out.push(b'"');
            for &b in field {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(field);
        }
    }
    out
}
