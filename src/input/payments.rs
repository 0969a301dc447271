//! Reading the payments file: one receipt per row applied to an invoice of
//! the invoice file (`invoice`, `date`, signed `amount`, optional
//! `customer`). A payment of an unknown invoice, or whose customer or
//! currency differs from its invoice's, is a bad row.

use super::date::DateValue;
use super::headers::{FileKind, Layout};
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
        layout
            .require(FileKind::Payments, field, "")
            .map_err(|e| file_error(&source, e))?;
    }
    let mut record = ByteRecord::new();
    while source.next_row(&mut record)? {
        match parse(&layout, &record, options, ledger, fixups) {
            Ok((payment, date, date_text)) => {
                fixups
                    .payment_date
                    .accept(ledger.payments.len(), &date, date_text);
                ledger.payments.push(payment);
            }
            Err(problem) => rejects.reject(&source, &record, problem)?,
        }
    }
    Ok(())
}

fn parse<'r>(
    layout: &'r Layout,
    record: &'r ByteRecord,
    options: &ReadOptions,
    ledger: &Ledger,
    fixups: &Fixups,
) -> Result<(Payment, DateValue, &'r str), BadRow<'r>> {
    check_shape(record, layout.headers.len())?;
    let text = |field: &'static str| cell(record, layout.get(field), layout.header_of(field));
    let header = |field: &'r str| layout.header_of(field);
    let id = text("invoice")?;
    if id.is_empty() {
        return Err(bad(header("invoice"), id, "the invoice is missing"));
    }
    let Some(index) = ledger.ids.find(id) else {
        return Err(bad(
            header("invoice"),
            id,
            "no invoice with this id in the invoice file",
        ));
    };
    let invoice = &ledger.invoices[index as usize];
    let customer = text("customer")?;
    if !customer.is_empty() && customer != ledger.customer(invoice) {
        let why = format!(
            "the invoice belongs to customer '{}'",
            ledger.customer(invoice)
        );
        return Err(bad(header("customer"), customer, why));
    }
    let currency = text("currency")?;
    if !currency.is_empty() && !currency.eq_ignore_ascii_case(ledger.currency(invoice)) {
        let why = format!("the invoice is in {}", ledger.currency(invoice));
        return Err(bad(header("currency"), currency, why));
    }
    let date_text = text("date")?;
    if date_text.is_empty() {
        return Err(bad(
            header("date"),
            date_text,
            "the payment date is missing",
        ));
    }
    let date = fixups.payment_date.read(date_text).map_err(|why| {
        bad(
            header("date"),
            date_text,
            format!("cannot read it as a date: {why}"),
        )
    })?;
    let amount_text = text("amount")?;
    if amount_text.is_empty() {
        return Err(bad(header("amount"), amount_text, "the amount is missing"));
    }
    let amount = read_amount(amount_text, header("amount"), options)?;
    Ok((
        Payment {
            invoice: index,
            date: Some(date.day),
            amount,
        },
        date,
        date_text,
    ))
}
