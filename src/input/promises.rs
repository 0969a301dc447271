//! Reading the promises file (SPEC §4 `promise`): `customer`, `created`,
//! `promised_date`, `amount`, optional `currency`, `invoice` (ids separated
//! by spaces; empty = the whole account), `promise_id` (default `P` and the
//! line number), `note`. Rows are judged against the whole invoice file,
//! whatever the as-of date: the ledger given is the one read, not yet
//! restricted to the as-of date or converted by `--fx`.

use super::date::DateColumn;
use super::headers::{Col, FileKind, Layout};
use super::record::Cells;
use super::rejects::{BadRow, Rejects};
use super::source::Source;
use super::{
    bad, cell, check_shape, file_error, learn_date_orders, read_amount, typed_amount, typed_day, ReadOptions,
};
use crate::domain::ledger::Ledger;
use crate::domain::promise::Promise;
use anyhow::Result;
use csv::ByteRecord;
use rust_decimal::Decimal;
use std::collections::HashSet;

const FIELDS: [&str; 8] =
    ["customer", "created", "promised_date", "amount", "currency", "invoice", "promise_id", "note"];
const REQUIRED: usize = 4;

/// Reads every valid promise, in file order; bad rows go to `rejects`.
pub fn read(
    path: &str,
    options: &ReadOptions,
    ledger: &Ledger,
    rejects: &mut Rejects,
) -> Result<Vec<Promise>> {
    let source = Source::open(path, options.delimiter, &options.stdin)?;
    let layout = Layout::resolve(FileKind::Promises, &source.headers, &options.map, &[])
        .map_err(|e| file_error(&source, e))?;
    for field in &FIELDS[..REQUIRED] {
        layout.require(FileKind::Promises, field, "").map_err(|e| file_error(&source, e))?;
    }
    let mut reader = Reader {
        cols: FIELDS.map(|f| layout.column(f)),
        width: layout.headers.len(),
        options,
        ledger,
        pairs: ledger.invoices.iter().map(|i| (i.customer, i.currency)).collect(),
        created: DateColumn::new(options.date_format.clone()),
        promised: DateColumn::new(options.date_format.clone()),
        ids: HashSet::new(),
    };
    let (created, promised) = (&reader.cols[1], &reader.cols[2]);
    learn_date_orders(&source, &mut [(created, &mut reader.created), (promised, &mut reader.promised)])?;
    let mut rows = source.rows()?;
    let mut record = ByteRecord::new();
    let mut promises = Vec::new();
    while rows.next_row(&mut record)? {
        match reader.parse(&rows.cells(&record), rows.place().line) {
            Ok(promise) => promises.push(promise),
            Err(problem) => rejects.reject(rows.place(), &record, problem)?,
        }
    }
    Ok(promises)
}

struct Reader<'a> {
    /// The columns of [`FIELDS`], in that order.
    cols: [Col; 8],
    width: usize,
    options: &'a ReadOptions,
    ledger: &'a Ledger,
    /// Every (customer, currency) with a document in the invoice file.
    pairs: HashSet<(u32, u32)>,
    created: DateColumn,
    promised: DateColumn,
    /// Promise ids already taken.
    ids: HashSet<String>,
}

impl Reader<'_> {
    fn text<'r>(&self, record: &'r dyn Cells, field: usize) -> Result<&'r str, BadRow> {
        cell(record, self.cols[field].index, &self.cols[field].header)
    }

    fn required<'r>(&self, record: &'r dyn Cells, field: usize) -> Result<&'r str, BadRow> {
        let value = self.text(record, field)?;
        if value.is_empty() {
            return Err(bad(&self.cols[field].header, value, format!("the {} is missing", FIELDS[field])));
        }
        Ok(value)
    }

    fn parse(&mut self, record: &dyn Cells, line: u64) -> Result<Promise, BadRow> {
        check_shape(record, self.width)?;
        let customer_text = self.required(record, 0)?;
        let created = self.date(record, 1)?;
        let promised = self.date(record, 2)?;
        if promised < created {
            let why = "the promised date is before the day the promise was made (created): swap them or fix the date";
            return Err(bad(&self.cols[2].header, self.text(record, 2)?, why));
        }
        let amount = self.amount(record)?;
        let (invoices, currency) = self.scope(record, customer_text)?;
        let customer = self.ledger.customers.find(customer_text);
        let customer = customer.filter(|&c| self.pairs.contains(&(c, currency.unwrap_or(0))));
        let (Some(customer), Some(currency)) = (customer, currency) else {
            let code = self.currency_code(record)?;
            let why = format!("no document of this customer in {code} in the invoice file (a typo in the id, or the wrong currency?)");
            return Err(bad(&self.cols[0].header, customer_text, why));
        };
        let id = match self.text(record, 6)? {
            "" => format!("P{line}"),
            given => given.to_string(),
        };
        if !self.ids.insert(id.clone()) {
            return Err(bad(
                &self.cols[6].header,
                &id,
                "duplicate promise id: it is already on an earlier row",
            ));
        }
        let note = self.text(record, 7)?.to_string();
        Ok(Promise { id, customer, currency, created, promised, amount, invoices, note })
    }

    fn date(&mut self, record: &dyn Cells, field: usize) -> Result<i32, BadRow> {
        if let Some(day) = typed_day(record, &self.cols[field]) {
            return Ok(day);
        }
        let text = self.required(record, field)?;
        let column = if field == 1 { &mut self.created } else { &mut self.promised };
        column
            .read_now(text)
            .map_err(|why| bad(&self.cols[field].header, text, format!("cannot read it as a date: {why}")))
    }

    fn amount(&self, record: &dyn Cells) -> Result<Decimal, BadRow> {
        let amount = match typed_amount(record, &self.cols[3]) {
            Some(amount) => amount?,
            None => read_amount(self.required(record, 3)?, &self.cols[3].header, self.options)?,
        };
        if amount <= Decimal::ZERO {
            return Err(bad(
                &self.cols[3].header,
                self.text(record, 3)?,
                "a promised amount must be above 0",
            ));
        }
        Ok(amount)
    }

    /// The `currency` cell upper-cased, or empty.
    fn given_currency(&self, record: &dyn Cells) -> Result<String, BadRow> {
        Ok(self.text(record, 4)?.to_uppercase())
    }

    /// The currency as the row gives it, else `--currency` (for messages).
    fn currency_code(&self, record: &dyn Cells) -> Result<String, BadRow> {
        let given = self.given_currency(record)?;
        Ok(if given.is_empty() { self.options.currency.clone() } else { given })
    }

    /// The invoices (id handles, no repeats) and the currency handle (None
    /// when no document is in it). Every listed invoice must be in the
    /// invoice file, of this customer and currency, and one at least must
    /// be no credit note (a document of 0.00 is none).
    fn scope(&self, record: &dyn Cells, customer: &str) -> Result<(Vec<u32>, Option<u32>), BadRow> {
        let col = &self.cols[5];
        let list = self.text(record, 5)?;
        let given = self.given_currency(record)?;
        let mut currency = (!given.is_empty()).then(|| self.ledger.currencies.find(&given));
        let mut handles: Vec<u32> = Vec::new();
        for id in list.split_whitespace() {
            let Some(handle) = self.ledger.ids.find(id) else {
                return Err(bad(&col.header, id, "no invoice with this id in the invoice file"));
            };
            // Before the as-of cut, an invoice's index is its id handle.
            let inv = &self.ledger.invoices[handle as usize];
            let owner = self.ledger.customer(inv);
            if owner != customer {
                return Err(bad(&col.header, id, format!("the invoice belongs to customer '{owner}'")));
            }
            match currency {
                None => currency = Some(Some(inv.currency)),
                Some(c) if c != Some(inv.currency) => {
                    let why = format!(
                        "the invoice is in {}, the promise in {}",
                        self.ledger.currency(inv),
                        self.currency_of(c, &given)
                    );
                    return Err(bad(&col.header, id, why));
                }
                Some(_) => {}
            }
            if !handles.contains(&handle) {
                handles.push(handle);
            }
        }
        let credit_note = |&h: &u32| self.ledger.invoices[h as usize].amount < Decimal::ZERO;
        if !handles.is_empty() && handles.iter().all(credit_note) {
            return Err(bad(
                &col.header,
                list,
                "the list holds only credit notes: a promise is to pay an invoice",
            ));
        }
        let currency = currency.unwrap_or_else(|| self.ledger.currencies.find(&self.options.currency));
        Ok((handles, currency))
    }

    fn currency_of(&self, handle: Option<u32>, given: &str) -> String {
        handle.map_or_else(|| given.to_string(), |h| self.ledger.currencies.get(h).to_string())
    }
}
