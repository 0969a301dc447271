//! The dunning log (CSV): one row per action taken, with the columns
//! `date, customer, currency, level, amount` in any order, found by header
//! name (case and surrounding spaces ignored). Other columns — a `note` a
//! collector added — are kept as they are: new rows are appended in the
//! file's own column order, with empty cells in the columns cobro does not
//! fill, and the file's bytes before them are never rewritten.

use crate::dates::{iso, Day};
use crate::domain::dunning::{Policy, Sent};
use crate::input::date::parse_iso;
use anyhow::{anyhow, Context, Result};

/// The columns cobro writes, in the order of a new log.
const COLUMNS: [&str; 5] = ["date", "customer", "currency", "level", "amount"];

/// A log file as read: its bytes and its columns, to append to.
pub struct DunningLog {
    bytes: Vec<u8>,
    headers: Vec<String>,
    crlf: bool,
}

/// One action to append.
pub struct Action<'a> {
    pub date: Day,
    pub customer: &'a str,
    pub currency: &'a str,
    pub level: usize,
    pub amount: String,
}

/// Reads the log: its actions and the file; `level` is a number or a level
/// name. A missing or empty file is an empty log.
pub fn load_log(path: &str, policy: &Policy) -> Result<(Vec<Sent>, DunningLog)> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read --log {path}")),
    };
    let mut log = DunningLog {
        headers: COLUMNS.map(String::from).to_vec(),
        crlf: header_line(&bytes).ends_with(b"\r\n"),
        bytes,
    };
    let mut sent = Vec::new();
    if log.is_blank() {
        return Ok((sent, log));
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(log.bytes.as_slice());
    log.headers = reader
        .headers()
        .with_context(|| format!("{path}:1: cannot read the log's header"))?
        .iter()
        .map(String::from)
        .collect();
    let col = |name: &str| {
        position(&log.headers, name).ok_or_else(|| {
            anyhow!(
                "{path}: the log has no '{name}' column (it needs date, customer, currency, level; found {})",
                log.headers.join(", ")
            )
        })
    };
    let (d, c, cur, l) = (col("date")?, col("customer")?, col("currency")?, col("level")?);
    for record in reader.records() {
        let record = record.with_context(|| format!("{path}: cannot read the log"))?;
        let at = format!("{path}:{}", record.position().map_or(0, |p| p.line()));
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let date = parse_iso(cell(d)).ok_or_else(|| anyhow!("{at}: date '{}' is not YYYY-MM-DD", cell(d)))?;
        sent.push(Sent {
            date,
            customer: record.get(c).unwrap_or("").to_string(),
            currency: cell(cur).to_uppercase(),
            level: level_number(cell(l), policy).ok_or_else(|| {
                anyhow!("{at}: level '{}' is neither a level number nor a level name", cell(l))
            })?,
        });
    }
    Ok((sent, log))
}

impl DunningLog {
    /// Whether the file is missing or holds nothing but blanks.
    pub fn is_blank(&self) -> bool {
        self.bytes.iter().all(|b| b.is_ascii_whitespace())
    }

    /// The log's text with `actions` appended: the same bytes up to its
    /// end (a missing final newline added), then one row per action in the
    /// file's column order. A new log starts with the header.
    pub fn appended(&self, actions: &[Action]) -> Result<Vec<u8>> {
        let terminator = if self.crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
        let mut out = self.bytes.clone();
        let fresh = self.is_blank();
        if fresh {
            out.clear();
        } else if !out.ends_with(b"\n") {
            out.extend_from_slice(if self.crlf { b"\r\n" } else { b"\n" });
        }
        let mut writer = csv::WriterBuilder::new().terminator(terminator).from_writer(out);
        if fresh {
            writer.write_record(&self.headers)?;
        }
        for action in actions {
            writer.write_record(self.headers.iter().map(|h| action.cell(h)))?;
        }
        writer.into_inner().map_err(|e| anyhow!("cannot write the log: {}", e.error()))
    }
}

impl Action<'_> {
    /// The action's value for a log column (empty for other columns).
    fn cell(&self, header: &str) -> String {
        match COLUMNS.iter().position(|c| is_column(header, c)) {
            Some(0) => iso(self.date),
            Some(1) => self.customer.to_string(),
            Some(2) => self.currency.to_string(),
            Some(3) => self.level.to_string(),
            Some(4) => self.amount.clone(),
            _ => String::new(),
        }
    }
}

fn position(headers: &[String], name: &str) -> Option<usize> {
    headers.iter().position(|h| is_column(h, name))
}

/// Whether a header names column `name` (case, spaces and a BOM ignored).
fn is_column(header: &str, name: &str) -> bool {
    header.trim_start_matches('\u{feff}').trim().eq_ignore_ascii_case(name)
}

/// A level number (1-based) or the name of one of the policy's levels.
fn level_number(text: &str, policy: &Policy) -> Option<usize> {
    match text.parse::<usize>() {
        Ok(n) if (1..=policy.levels.len()).contains(&n) => Some(n),
        _ => policy.levels.iter().position(|lv| lv.name == text).map(|i| i + 1),
    }
}

/// The first line of `bytes`, with its line ending.
fn header_line(bytes: &[u8]) -> &[u8] {
    bytes.iter().position(|&b| b == b'\n').map_or(bytes, |end| &bytes[..=end])
}

#[cfg(test)]
mod tests_support {
    use super::*;
    use crate::dates::day_of;
    use crate::domain::dunning::Level;

    pub fn policy() -> Policy {
        let level = |name: &str, days| Level {
            name: name.into(),
            days,
            fee: Default::default(),
            fee_per_invoice: Default::default(),
            action: "letter".into(),
            template: Some(String::new()),
        };
        Policy {
            levels: vec![level("reminder", 7), level("final", 30)],
            min_amount: Default::default(),
            min_interval_days: 0,
            exclude_disputed: true,
            rates: crate::domain::interest::RateCalendar::fixed(Default::default()),
        }
    }

    pub fn log_of(text: &str) -> (tempfile::TempDir, Vec<Sent>, DunningLog) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.csv");
        std::fs::write(&path, text).unwrap();
        let (sent, log) = load_log(path.to_str().unwrap(), &policy()).unwrap();
        (dir, sent, log)
    }

    pub fn action(customer: &str) -> Action<'_> {
        let date = day_of(chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
        Action { date, customer, currency: "EUR", level: 2, amount: "12.50".into() }
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::*;
    use super::*;

    #[test]
    fn columns_are_found_by_name_and_rows_appended_in_the_files_order() {
        let (_dir, sent, log) =
            log_of("\u{feff}Currency, Level ,note,customer,date\nusd,final,\"a, b\",X,2025-02-01");
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].currency.as_str(), sent[0].level), ("USD", 2));
        let text = String::from_utf8(log.appended(&[action("Y, Z")]).unwrap()).unwrap();
        assert_eq!(
            text,
            "\u{feff}Currency, Level ,note,customer,date\nusd,final,\"a, b\",X,2025-02-01\nEUR,2,,\"Y, Z\",2025-03-01\n"
        );
    }

    #[test]
    fn a_blank_log_starts_with_the_header() {
        let (_dir, sent, log) = log_of("\n");
        assert!(sent.is_empty());
        assert!(log.is_blank());
        let text = String::from_utf8(log.appended(&[action("A")]).unwrap()).unwrap();
        assert_eq!(text, "date,customer,currency,level,amount\n2025-03-01,A,EUR,2,12.50\n");
    }

    #[test]
    fn a_short_row_is_an_error_naming_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.csv");
        std::fs::write(&path, "date,customer,currency,level\n2025-01-01,A,EUR,1\n2025-01-02,A\n").unwrap();
        let err = load_log(path.to_str().unwrap(), &policy()).err().unwrap().to_string();
        assert!(err.ends_with("log.csv:3: level '' is neither a level number nor a level name"), "{err}");
    }
}

#[cfg(test)]
mod properties {
    use super::tests_support::*;
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the column order and the extra columns, appending keeps
        /// the old bytes as they were and the actions read back are the old
        /// ones followed by the new ones.
        #[test]
        fn appending_keeps_the_file_and_reads_back(
            order in Just(vec![0usize, 1, 2, 3, 4]).prop_shuffle(),
            extras in proptest::collection::vec("[a-z]{1,6}", 0..3),
            customers in proptest::collection::vec("[A-Za-z0-9 ,\"]{1,8}", 1..5),
            crlf in any::<bool>(),
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut headers: Vec<String> = order.iter().map(|&i| COLUMNS[i].to_string()).collect();
            headers.extend(extras.iter().map(|e| format!("x_{e}")));
            let old = ["2025-01-02", "O,1", "eur", "1", "5.00"];
            let mut row: Vec<String> = order.iter().map(|&i| format!("\"{}\"", old[i])).collect();
            row.extend(extras.iter().map(|_| "kept".to_string()));
            let text = format!("{}{end}{}{end}", headers.join(","), row.join(","));
            let (dir, _, log) = log_of(&text);
            let actions: Vec<Action> = customers.iter().map(|c| action(c)).collect();
            let bytes = log.appended(&actions).unwrap();
            prop_assert!(bytes.starts_with(text.as_bytes()));
            let path = dir.path().join("log.csv");
            std::fs::write(&path, &bytes).unwrap();
            let (back, _) = load_log(path.to_str().unwrap(), &policy()).unwrap();
            prop_assert_eq!(back.len(), 1 + customers.len());
            prop_assert_eq!(back[0].customer.as_str(), "O,1");
            for (sent, customer) in back[1..].iter().zip(&customers) {
                prop_assert_eq!(&sent.customer, customer);
                prop_assert_eq!((sent.currency.as_str(), sent.level), ("EUR", 2));
            }
        }
    }
}
