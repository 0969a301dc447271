//! Reading the payments file: one receipt per row applied to an invoice of
//! the invoice file (`invoice`, `date`, signed `amount`, optional
//! `customer`). A payment of an unknown invoice, or whose customer or
//! currency differs from its invoice's, is a bad row.

use super::date::DateValue;
use super::headers::{Col, FileKind, Layout};
use super::invoices::Fixups;
use super::rejects::{BadRow, Rejects};
use super::source::Source;
use super::{bad, cell, check_shape, file_error, read_amount, ReadOptions};
use crate::domain::ledger::{Ledger, Payment};
use anyhow::Result;
use csv::ByteRecord;

pub fn read(
    path: &str,
    options: &ReadOptions,
    ledger: &mut Ledger,
    rejects: &mut Rejects,
    fixups: &mut Fixups,
) -> Result<()> {
    let mut source = Source::open(path, options.delimiter)?;
    let layout = Layout::resolve(FileKind::Payments, &source.headers, &options.map, &[])
        .map_err(|e| file_error(&source, e))?;
    for field in ["invoice", "date", "amount"] {
        layout.require(FileKind::Payments, field, "").map_err(|e| file_error(&source, e))?;
    }
    let cols = Columns::new(&layout);
    let width = layout.headers.len();
    ledger.payments.reserve_exact(source.estimated_rows());
    let mut record = ByteRecord::new();
    while source.next_row(&mut record)? {
        match parse(&cols, width, &record, options, ledger, fixups) {
            Ok((payment, date, date_text)) => {
                fixups.payment_date.accept(ledger.payments.len(), &date, date_text);
                ledger.payments.push(payment);
            }
            Err(problem) => rejects.reject(&source, &record, problem)?,
        }
    }
    Ok(())
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

fn parse<'r>(
    cols: &'r Columns,
    width: usize,
    record: &'r ByteRecord,
    options: &ReadOptions,
    ledger: &Ledger,
    fixups: &Fixups,
) -> Result<(Payment, DateValue, &'r str), BadRow<'r>> {
    check_shape(record, width)?;
    let text = |col: &'r Col| cell(record, col.index, &col.header);
    let id = text(&cols.invoice)?;
    if id.is_empty() {
        return Err(bad(&cols.invoice.header, id, "the invoice is missing"));
    }
    let Some(index) = ledger.find(id) else {
        return Err(bad(&cols.invoice.header, id, "no invoice with this id in the invoice file"));
    };
    let invoice = &ledger.invoices[index as usize];
    let customer = text(&cols.customer)?;
    if !customer.is_empty() && customer != ledger.customer(invoice) {
        let why = format!("the invoice belongs to customer '{}'", ledger.customer(invoice));
        return Err(bad(&cols.customer.header, customer, why));
    }
    let currency = text(&cols.currency)?;
    if !currency.is_empty() && !currency.eq_ignore_ascii_case(ledger.currency(invoice)) {
        let why = format!("the invoice is in {}", ledger.currency(invoice));
        return Err(bad(&cols.currency.header, currency, why));
    }
    let date_text = text(&cols.date)?;
    if date_text.is_empty() {
        return Err(bad(&cols.date.header, date_text, "the payment date is missing"));
    }
    let date = fixups
        .payment_date
        .read(date_text)
        .map_err(|why| bad(&cols.date.header, date_text, format!("cannot read it as a date: {why}")))?;
    let amount_text = text(&cols.amount)?;
    if amount_text.is_empty() {
        return Err(bad(&cols.amount.header, amount_text, "the amount is missing"));
    }
    let amount = read_amount(amount_text, &cols.amount.header, options)?;
    Ok((Payment { invoice: index, date: Some(date.day), amount }, date, date_text))
}
