//! Reading the payments file: one receipt per row applied to an invoice of
//! the invoice file (`invoice`, `date`, signed `amount`, optional
//! `customer`). A payment of an unknown invoice, or whose customer or
//! currency differs from its invoice's, is a bad row.

use super::batch::{Part, Span, Texts};
use super::date::{DateColumn, DateValue};
use super::headers::{Col, FileKind, Layout};
use super::invoices::Fixups;
use super::record::Cells as RowCells;
use super::rejects::{BadRow, Rejects};
use super::source::{BadRows, Source, StopReading};
use super::{bad, cell, check_shape, file_error, read_amount_cell, read_date_cell, ReadOptions};
use crate::domain::ledger::{Folded, Invoice, Parts, Payment};
use crate::domain::text::{Interner, KeyIndex};
use crate::money::{finer_than_minor_unit, minor_digits};
use anyhow::Result;
use rust_decimal::Decimal;

pub fn read(
    path: &str,
    options: &ReadOptions,
    ledger: &mut Parts,
    mut folded: Option<&mut Folded>,
    rejects: &mut Rejects,
    fixups: &mut Fixups,
) -> Result<()> {
    let source = Source::open(path, options.delimiter, &options.stdin)?;
    let layout = Layout::resolve(FileKind::Payments, &source.headers, &options.map, &[])
        .map_err(|e| file_error(&source, e))?;
    for field in ["invoice", "date", "amount"] {
        layout.require(FileKind::Payments, field, "").map_err(|e| file_error(&source, e))?;
    }
    let Parts { ids, invoices, customers, currencies, payments, .. } = ledger;
    // Amounts with no more decimals than every currency allows need no
    // look-up of their invoice's currency.
    let min_digits = (0..currencies.len() as u32).map(|h| minor_digits(currencies.get(h))).min().unwrap_or(0);
    let reader = Reader {
        min_digits,
        cols: Columns::new(&layout),
        width: layout.headers.len(),
        options,
        dates: DateColumn::new(options.date_format.clone()),
        known: Known { ids, invoices, customers, currencies },
    };
    let mut bad_rows = BadRows::new(options.skip_bad_rows);
    let store = |parts: Vec<(Texts, Vec<(u64, Parsed)>)>| {
        for (texts, rows) in parts {
            for (row, parsed) in rows {
                let settled = parsed.and_then(|read| {
                    let Read { payment, date, raw, finer } = read;
                    if date.is_final() {
                        return Ok((payment, date, raw, finer));
                    }
                    let date = fixups.payment_date.reconcile(date).map_err(|why| {
                        bad(
                            &reader.cols.date.header,
                            texts.get(raw),
                            format!("cannot read it as a date: {why}"),
                        )
                    })?;
                    Ok((Payment { date: Some(date.day).into(), ..payment }, date, raw, finer))
                });
                match settled {
                    Ok((payment, date, raw, finer)) => {
                        if finer {
                            fixups.fine_amounts.payments += 1;
                        }
                        let settled = fixups.payment_date.accept(payments.len(), &date, texts.get(raw));
                        match folded.as_deref_mut() {
                            Some(folded) if settled => folded.fold(&payment),
                            _ => payments.push(payment),
                        }
                    }
                    Err(problem) => bad_rows.push(row, *problem),
                }
            }
            if bad_rows.is_final() {
                return Err(StopReading.into());
            }
        }
        Ok(())
    };
    source.read_parsed(&layout.positions(), options.framing, |part| reader.parse_part(part), store)?;
    source.report(bad_rows, rejects)
}

/// The invoices already read, for the worker threads to match payments to.
struct Known<'a> {
    ids: &'a KeyIndex,
    invoices: &'a [Invoice],
    customers: &'a Interner,
    currencies: &'a Interner,
}

/// The payments file's columns, resolved once.
struct Columns {
    invoice: Col,
    date: Col,
    amount: Col,
    customer: Col,
    currency: Col,
}

impl Columns {
    fn new(layout: &Layout) -> Columns {
        Columns {
            invoice: layout.column("invoice"),
            date: layout.column("date"),
            amount: layout.column("amount"),
            customer: layout.column("customer"),
            currency: layout.column("currency"),
        }
    }
}

/// A payment read on a worker thread, its date not yet settled (see
/// [`DateColumn::reconcile`]), and the date's text.
/// (The error is boxed: it is rare, and the rows of a block wait in memory.)
type Parsed = Result<Read, Box<BadRow>>;

/// A payment read on a worker thread (see [`Parsed`]).
struct Read {
    payment: Payment,
    date: DateValue,
    /// The date's text, when it may be needed ([`DateValue::may_need_text`]).
    raw: Span,
    /// Whether its amount is finer than its invoice's currency (see
    /// [`FineAmounts`](super::FineAmounts)), told where the invoice was
    /// just read rather than on the thread that stores the rows.
    finer: bool,
}

struct Reader<'a> {
    /// The fewest minor digits of the invoices' currencies.
    min_digits: u32,
    cols: Columns,
    width: usize,
    options: &'a ReadOptions,
    dates: DateColumn,
    known: Known<'a>,
}

/// A row's cells read on a worker thread, before its invoice is looked
/// up: the ids of a whole part are looked up together, in one pass (see
/// [`KeyIndex::find_each`]). Errors in the date or amount wait in `rest`,
/// so a row is still judged in the order of its checks: invoice first.
struct Cells {
    id: Span,
    customer: Span,
    currency: Span,
    rest: Result<(DateValue, Decimal, Span), Box<BadRow>>,
}

impl Reader<'_> {
    /// Whether the payment has more decimals than its invoice's currency's
    /// minor unit (see [`FineAmounts`](super::FineAmounts)).
    fn finer_than_its_currency(&self, payment: &Payment) -> bool {
        payment.amount.scale() > self.min_digits && {
            let currency = self.known.currencies.get(self.known.invoices[payment.invoice as usize].currency);
            finer_than_minor_unit(payment.amount, minor_digits(currency))
        }
    }

    /// Worker side: reads every row of the part and finds its invoice.
    fn parse_part(&self, part: Part) -> (Texts, Vec<(u64, Parsed)>) {
        let mut texts = Texts::default();
        let mut read = Vec::with_capacity(part.len());
        part.for_each(|row, record| read.push((row, self.read_cells(record, &mut texts))));
        let ids: Vec<&str> =
            read.iter().flat_map(|(_, cells)| cells.as_ref().ok()).map(|c| texts.get(c.id)).collect();
        let mut found = Vec::with_capacity(ids.len());
        self.known.ids.find_each(&ids, &mut found);
        let mut found = found.into_iter();
        let rows = read
            .into_iter()
            .map(|(row, cells)| {
                let parsed = cells.and_then(|cells| self.check(cells, found.next().flatten(), &texts));
                (row, parsed)
            })
            .collect();
        (texts, rows)
    }

    fn read_cells(&self, record: &dyn RowCells, texts: &mut Texts) -> Result<Cells, Box<BadRow>> {
        let cols = &self.cols;
        check_shape(record, self.width)?;
        let text = |col: &Col| cell(record, col.index, &col.header);
        let id = text(&cols.invoice)?;
        if id.is_empty() {
            return Err(bad(&cols.invoice.header, id, "the invoice is missing").into());
        }
        let (customer, currency) = (text(&cols.customer)?, text(&cols.currency)?);
        let rest = self.read_date_and_amount(record, texts).map_err(Box::new);
        let (id, customer, currency) = (texts.keep(id), texts.keep(customer), texts.keep(currency));
        Ok(Cells { id, customer, currency, rest })
    }

    fn read_date_and_amount(
        &self,
        record: &dyn RowCells,
        texts: &mut Texts,
    ) -> Result<(DateValue, Decimal, Span), BadRow> {
        let cols = &self.cols;
        let (date, date_text) = read_date_cell(record, &cols.date, &self.dates)?;
        let date = date.ok_or_else(|| bad(&cols.date.header, "", "the payment date is missing"))?;
        let amount = read_amount_cell(record, &cols.amount, self.options)?
            .ok_or_else(|| bad(&cols.amount.header, "", "the amount is missing"))?;
        let raw = if date.may_need_text() { texts.keep(date_text) } else { Span::default() };
        Ok((date, amount, raw))
    }

    /// Matches a row to its invoice (`index`, if the id was found).
    fn check(&self, cells: Cells, index: Option<u32>, texts: &Texts) -> Parsed {
        let cols = &self.cols;
        let Some(index) = index else {
            let why = "no invoice with this id in the invoice file";
            return Err(bad(&cols.invoice.header, texts.get(cells.id), why).into());
        };
        // Before `restrict_to`, an invoice's index is its id handle. It is
        // only read when the row names a customer or currency to compare:
        // on ten million rows, each read is a wait for memory.
        let invoice = || &self.known.invoices[index as usize];
        let customer = texts.get(cells.customer);
        if !customer.is_empty() {
            let invoice_customer = self.known.customers.get(invoice().customer);
            if customer != invoice_customer {
                let why = format!("the invoice belongs to customer '{invoice_customer}'");
                return Err(bad(&cols.customer.header, customer, why).into());
            }
        }
        let currency = texts.get(cells.currency);
        if !currency.is_empty() {
            let invoice_currency = self.known.currencies.get(invoice().currency);
            if !currency.eq_ignore_ascii_case(invoice_currency) {
                let why = format!("the invoice is in {invoice_currency}");
                return Err(bad(&cols.currency.header, currency, why).into());
            }
        }
        let (date, amount, raw) = cells.rest?;
        let payment = Payment { invoice: index, date: Some(date.day).into(), amount };
        let finer = self.finer_than_its_currency(&payment);
        Ok(Read { payment, date, raw, finer })
    }
}
