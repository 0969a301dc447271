//! Reading the dated dispute log (`--disputes FILE`, SPEC §4 `promise`,
//! Disputes): `invoice`, `opened`; optional `closed`, `reason`,
//! `dispute_id` (default `D` and the line number), `outcome`. Rows are
//! judged against the whole invoice file whatever the as-of date: an
//! unknown invoice, `closed < opened`, a duplicate id, or a second dispute
//! of one invoice open on a day the first is, are bad rows.

use super::date::DateColumn;
use super::headers::{Col, FileKind, Layout};
use super::record::Cells;
use super::rejects::{BadRow, Rejects};
use super::source::Source;
use super::{bad, cell, check_shape, file_error, learn_date_orders, typed_day, ReadOptions};
use crate::dates::{iso, Day};
use crate::domain::disputes::Dispute;
use crate::domain::ledger::Ledger;
use anyhow::Result;
use csv::ByteRecord;
use std::collections::{HashMap, HashSet};

const FIELDS: [&str; 6] = ["invoice", "opened", "closed", "reason", "dispute_id", "outcome"];

/// Reads every valid dispute, in file order; bad rows go to `rejects`.
pub fn read(
    path: &str,
    options: &ReadOptions,
    ledger: &Ledger,
    rejects: &mut Rejects,
) -> Result<Vec<Dispute>> {
    let source = Source::open(path, options.delimiter, &options.stdin)?;
    let layout = Layout::resolve(FileKind::Disputes, &source.headers, &options.map, &[])
        .map_err(|e| file_error(&source, e))?;
    for field in &FIELDS[..2] {
        layout.require(FileKind::Disputes, field, "").map_err(|e| file_error(&source, e))?;
    }
    let mut reader = Reader {
        cols: FIELDS.map(|f| layout.column(f)),
        width: layout.headers.len(),
        ledger,
        opened: DateColumn::new(options.date_format.clone()),
        closed: DateColumn::new(options.date_format.clone()),
        ids: HashSet::new(),
        spans: HashMap::new(),
    };
    let (opened, closed) = (&reader.cols[1], &reader.cols[2]);
    learn_date_orders(&source, &mut [(opened, &mut reader.opened), (closed, &mut reader.closed)])?;
    let mut rows = source.rows()?;
    let mut record = ByteRecord::new();
    let mut disputes = Vec::new();
    while rows.next_row(&mut record)? {
        match reader.parse(&rows.cells(&record), rows.place().line) {
            Ok(dispute) => disputes.push(dispute),
            Err(problem) => rejects.reject(rows.place(), &record, problem)?,
        }
    }
    Ok(disputes)
}

struct Reader<'a> {
    /// The columns of [`FIELDS`], in that order.
    cols: [Col; 6],
    width: usize,
    ledger: &'a Ledger,
    opened: DateColumn,
    closed: DateColumn,
    ids: HashSet<String>,
    /// Each invoice's accepted disputes: (opened, closed, id).
    spans: HashMap<u32, Vec<(Day, Option<Day>, String)>>,
}

impl Reader<'_> {
    fn text<'r>(&self, record: &'r dyn Cells, field: usize) -> Result<&'r str, BadRow> {
        cell(record, self.cols[field].index, &self.cols[field].header)
    }

    fn parse(&mut self, record: &dyn Cells, line: u64) -> Result<Dispute, BadRow> {
        check_shape(record, self.width)?;
        let id_text = self.text(record, 0)?;
        if id_text.is_empty() {
            return Err(bad(&self.cols[0].header, id_text, "the invoice is missing"));
        }
        let Some(invoice) = self.ledger.ids.find(id_text) else {
            return Err(bad(&self.cols[0].header, id_text, "no invoice with this id in the invoice file"));
        };
        let opened = self
            .date(record, 1)?
            .ok_or_else(|| bad(&self.cols[1].header, "", "the opened date is missing"))?;
        let closed = self.date(record, 2)?;
        if closed.is_some_and(|c| c < opened) {
            let why = "the dispute closes before it opened: swap the dates or fix one";
            return Err(bad(&self.cols[2].header, self.text(record, 2)?, why));
        }
        let id = match self.text(record, 4)? {
            "" => format!("D{line}"),
            given => given.to_string(),
        };
        if self.ids.contains(&id) {
            return Err(bad(
                &self.cols[4].header,
                &id,
                "duplicate dispute id: it is already on an earlier row",
            ));
        }
        self.check_overlap(invoice, opened, closed, id_text)?;
        self.ids.insert(id.clone());
        self.spans.entry(invoice).or_default().push((opened, closed, id.clone()));
        let (reason, outcome) = (self.text(record, 3)?.to_string(), self.text(record, 5)?.to_string());
        Ok(Dispute { id, invoice, opened, closed, reason, outcome })
    }

    fn date(&mut self, record: &dyn Cells, field: usize) -> Result<Option<Day>, BadRow> {
        if let Some(day) = typed_day(record, &self.cols[field]) {
            return Ok(Some(day));
        }
        let text = self.text(record, field)?;
        if text.is_empty() {
            return Ok(None);
        }
        let column = if field == 1 { &mut self.opened } else { &mut self.closed };
        column
            .read_now(text)
            .map(Some)
            .map_err(|why| bad(&self.cols[field].header, text, format!("cannot read it as a date: {why}")))
    }

    /// Two disputes of one invoice may not be open on the same day; one
    /// closed the day it opened is open on no day.
    fn check_overlap(
        &self,
        invoice: u32,
        opened: Day,
        closed: Option<Day>,
        id_text: &str,
    ) -> Result<(), BadRow> {
        let empty = |o: Day, c: Option<Day>| c == Some(o);
        if empty(opened, closed) {
            return Ok(());
        }
        let before = |a: Day, end: Option<Day>| end.is_none_or(|e| a < e);
        let clash = self
            .spans
            .get(&invoice)
            .into_iter()
            .flatten()
            .find(|(o, c, _)| !empty(*o, *c) && before(opened, *c) && before(*o, closed));
        match clash {
            Some((o, c, other)) => {
                let until = c.map_or("still open".to_string(), |c| format!("closed {}", iso(c)));
                let why = format!(
                    "invoice {id_text} is already in dispute then (dispute {other}, opened {}, {until}): close one before the other opens",
                    iso(*o)
                );
                Err(bad(&self.cols[1].header, &iso(opened), why))
            }
            None => Ok(()),
        }
    }
}
