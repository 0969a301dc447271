//! Which format a report is written in, and the CSV delimiter, from the
//! flags: `-f` always wins; without it the `-o` file's extension decides
//! (`.csv`, `.tsv` = CSV with tabs, `.json`, `.ndjson`/`.jsonl`, `.xlsx`;
//! `.html` is `cobro report`'s alone; any other name, or stdout, gets
//! `table`). Usage errors here exit 2.

use super::Format;
use crate::error::usage;
use anyhow::Result;
use std::path::Path;

/// What a file name says about its format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameFormat {
    Format(Format),
    /// `.tsv`: CSV with a tab delimiter.
    Tsv,
    /// `.html`/`.htm`: only `cobro report` writes it.
    Html,
    /// Any other name.
    Unknown,
}

/// The format a file name's extension (any case) asks for.
pub fn from_file_name(path: &str) -> NameFormat {
    let extension = Path::new(path).extension().map(|e| e.to_string_lossy().to_lowercase());
    match extension.as_deref() {
        Some("csv") => NameFormat::Format(Format::Csv),
        Some("tsv") => NameFormat::Tsv,
        Some("json") => NameFormat::Format(Format::Json),
        Some("ndjson" | "jsonl") => NameFormat::Format(Format::Ndjson),
        Some("xlsx") => NameFormat::Format(Format::Xlsx),
        Some("html" | "htm") => NameFormat::Html,
        _ => NameFormat::Unknown,
    }
}

/// `-o` as a file path (`-` and no `-o` are standard output).
fn file_target(output: Option<&str>) -> Option<&str> {
    output.filter(|path| *path != "-")
}

/// The effective format: `-f`, else the `-o` extension, else `table`.
pub fn resolve(format: Option<Format>, output: Option<&str>) -> Result<Format> {
    let named = file_target(output).map_or(NameFormat::Unknown, from_file_name);
    let format = match (format, named) {
        (Some(format), _) => format,
        (None, NameFormat::Format(format)) => format,
        (None, NameFormat::Tsv) => Format::Csv,
        (None, NameFormat::Html) => return Err(usage(
            "-o FILE.html: only `cobro report` writes HTML; name the file .csv, .json, .xlsx, ... or give -f",
        )),
        (None, NameFormat::Unknown) => Format::Table,
    };
    if format == Format::Xlsx && file_target(output).is_none() {
        return Err(usage("-f xlsx writes a workbook, which needs a file: add -o FILE.xlsx"));
    }
    Ok(format)
}

/// The CSV delimiter: `--out-delimiter`, else tab for a `.tsv` file, else
/// `;` with `--out-decimal-comma`, else `,`. A `,` delimiter with decimal
/// commas would split every number in two: a usage error.
pub fn delimiter(explicit: Option<u8>, output: Option<&str>, decimal_comma: bool) -> Result<u8> {
    let tsv = file_target(output).is_some_and(|path| from_file_name(path) == NameFormat::Tsv);
    match explicit {
        Some(b',') if decimal_comma => Err(usage(
            "--out-delimiter , cannot go with --out-decimal-comma (numbers like 1234,56 would split): \
             drop --out-delimiter to get ;",
        )),
        Some(delimiter) => Ok(delimiter),
        None if tsv => Ok(b'\t'),
        None if decimal_comma => Ok(b';'),
        None => Ok(b','),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_picks_the_format_and_f_wins() {
        assert_eq!(resolve(None, Some("out/aging.CSV")).unwrap(), Format::Csv);
        assert_eq!(resolve(None, Some("a.tsv")).unwrap(), Format::Csv);
        assert_eq!(resolve(None, Some("a.json")).unwrap(), Format::Json);
        assert_eq!(resolve(None, Some("a.jsonl")).unwrap(), Format::Ndjson);
        assert_eq!(resolve(None, Some("a.ndjson")).unwrap(), Format::Ndjson);
        assert_eq!(resolve(None, Some("a.xlsx")).unwrap(), Format::Xlsx);
        assert_eq!(resolve(None, Some("a.txt")).unwrap(), Format::Table);
        assert_eq!(resolve(None, Some("noext")).unwrap(), Format::Table);
        assert_eq!(resolve(None, None).unwrap(), Format::Table);
        assert_eq!(resolve(Some(Format::Json), Some("a.csv")).unwrap(), Format::Json);
        assert_eq!(resolve(Some(Format::Table), Some("a.html")).unwrap(), Format::Table);
        assert!(resolve(None, Some("a.html")).is_err());
        assert!(resolve(Some(Format::Xlsx), None).is_err());
        assert!(resolve(Some(Format::Xlsx), Some("-")).is_err());
    }

    #[test]
    fn delimiter_defaults() {
        assert_eq!(delimiter(None, None, false).unwrap(), b',');
        assert_eq!(delimiter(None, None, true).unwrap(), b';');
        assert_eq!(delimiter(None, Some("a.tsv"), true).unwrap(), b'\t');
        assert_eq!(delimiter(Some(b'|'), Some("a.tsv"), false).unwrap(), b'|');
        assert_eq!(delimiter(Some(b';'), None, true).unwrap(), b';');
        assert!(delimiter(Some(b','), None, true).is_err());
    }
}
