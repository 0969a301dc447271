//! Reading the invoice file, single-file exports included: a row with
//! `paid_date` becomes a payment of `paid_amount` (default: the whole
//! amount) on that date; a row with only `open_amount` becomes an undated
//! payment of `amount - open_amount`.

use super::batch::{Part, Span, Texts};
use super::date::{DateColumn, DateValue};
use super::headers::{Col, FileKind, Layout};
use super::record::Cells;
use super::rejects::{BadRow, Rejects};
use super::source::{BadRows, Source, StopReading};
use super::{
    bad, cell, check_shape, file_error, read_amount_cell, read_date_cell, FineAmounts, LastCurrency,
    ReadOptions,
};
use crate::dates::Day;
use crate::domain::ledger::{note_email, ExtraColumn, Invoice, Parts, Payment};
use crate::domain::text::{Interner, KeyHasher, KeyIndex};
use crate::money::finer_than_minor_unit;
use anyhow::{bail, Result};
use rust_decimal::Decimal;
use std::borrow::Cow;

/// Date columns whose format is only known at the end of the file, and the
/// corrections they owe to rows already stored.
pub struct Fixups {
    issue: DateColumn,
    due: DateColumn,
    paid: DateColumn,
    pub payment_date: DateColumn,
    /// Invoices whose due date is issue date + `--terms`.
    derived_due: Vec<u32>,
    pub fine_amounts: FineAmounts,
}

impl Fixups {
    /// Applies month-first corrections; errors on columns that stayed ambiguous.
    pub fn apply(
        self,
        ledger: &mut Parts,
        terms: Option<i32>,
        invoice_file: &str,
        payment_file: &str,
    ) -> Result<()> {
        self.fine_amounts.warn(invoice_file, payment_file);
        let fail = |file: &str, what: &str, e: String| anyhow::anyhow!("{file}: column {what}: {e}");
        let fail_inv = |what: &str, e: String| fail(invoice_file, what, e);
        for (slot, day) in self.issue.finish().map_err(|e| fail_inv("issue_date", e))? {
            ledger.invoices[slot].issue = Some(day).into();
        }
        for (slot, day) in self.due.finish().map_err(|e| fail_inv("due_date", e))? {
            ledger.invoices[slot].due = day;
        }
        for (slot, day) in self.paid.finish().map_err(|e| fail_inv("paid_date", e))? {
            ledger.payments[slot].date = Some(day).into();
        }
        for (slot, day) in self.payment_date.finish().map_err(|e| fail(payment_file, "date", e))? {
            ledger.payments[slot].date = Some(day).into();
        }
        for i in self.derived_due {
            let inv = &mut ledger.invoices[i as usize];
            if let (Some(issue), Some(t)) = (inv.issue(), terms) {
                inv.due = issue + t;
            }
        }
        Ok(())
    }
}

/// The payment a single-file export's row stands for: its date, if the
/// row gives one, and its amount.
type Settlement = (Option<DateValue>, Decimal);

/// One invoice row, parsed on a worker thread but not yet stored; its
/// texts are in the part's [`Texts`].
struct Row {
    id: Span,
    customer: Span,
    /// The id's, the customer's and the currency's hashes for the tables
    /// they go to (the currency as stored: upper case, the default if none).
    id_hash: u64,
    customer_hash: u64,
    currency_hash: u64,
    currency: Span,
    issue: Option<DateValue>,
    due: Option<DateValue>,
    amount: Decimal,
    disputed: bool,
    name: Span,
    email: Span,
    settlement: Option<Settlement>,
    /// Whether the amount or the payment the row stands for has more
    /// decimals than the currency's minor unit (see [`FineAmounts`]).
    finer_amounts: bool,
    /// The date cells' texts, when they may be needed (see [`keep_date_text`]).
    raw_dates: [Span; 3],
    /// Where this row's `--by` values start in [`Parsed::extras`].
    extras: usize,
}

/// The rows of one part of a batch, by row number: each parsed, or why not.
struct Parsed {
    texts: Texts,
    extras: Vec<Span>,
    rows: Vec<(u64, Result<Row, BadRow>)>,
}

/// The invoice file's columns, resolved once.
struct Columns {
    customer: Col,
    invoice: Col,
    amount: Col,
    issue_date: Col,
    due_date: Col,
    currency: Col,
    customer_name: Col,
    email: Col,
    disputed: Col,
    paid_date: Col,
    paid_amount: Col,
    open_amount: Col,
}

impl Columns {
    fn new(layout: &Layout) -> Columns {
        Columns {
            customer: layout.column("customer"),
            invoice: layout.column("invoice"),
            amount: layout.column("amount"),
            issue_date: layout.column("issue_date"),
            due_date: layout.column("due_date"),
            currency: layout.column("currency"),
            customer_name: layout.column("customer_name"),
            email: layout.column("email"),
            disputed: layout.column("disputed"),
            paid_date: layout.column("paid_date"),
            paid_amount: layout.column("paid_amount"),
            open_amount: layout.column("open_amount"),
        }
    }
}

struct Reader<'a> {
    layout: Layout,
    cols: Columns,
    options: &'a ReadOptions,
    /// Reads dates on the worker threads, without the column's order;
    /// [`Fixups`] settles them when the rows are stored.
    dates: DateColumn,
    id_hasher: KeyHasher,
    customer_hasher: KeyHasher,
    currency_hasher: KeyHasher,
}

pub fn read(
    path: &str,
    options: &ReadOptions,
    extras: &[String],
    ledger: &mut Parts,
    rejects: &mut Rejects,
) -> Result<Fixups> {
    let source = Source::open(path, options.delimiter, &options.stdin)?;
    let layout = Layout::resolve(FileKind::Invoices, &source.headers, &options.map, extras)
        .map_err(|e| file_error(&source, e))?;
    check_required(&layout, options).map_err(|e| file_error(&source, e))?;
    if let Some(header) = layout.unused_currency_header() {
        eprintln!(
            "cobro: warning: {}: no column is the currency, so every row is in {}; if '{header}' is the \
             documents' currency, give --map currency='{header}'",
            source.name, options.currency
        );
    }
    ledger.present.customer_name = layout.has("customer_name");
    ledger.present.issue_date = layout.has("issue_date");
    ledger.extras = extras.iter().map(|_| ExtraColumn { values: Vec::new() }).collect();
    let mut fixups = Fixups {
        issue: DateColumn::new(options.date_format.clone()),
        due: DateColumn::new(options.date_format.clone()),
        paid: DateColumn::new(options.date_format.clone()),
        payment_date: DateColumn::new(options.date_format.clone()),
        derived_due: Vec::new(),
        fine_amounts: FineAmounts::default(),
    };
    let dates = DateColumn::new(options.date_format.clone());
    let reader = Reader {
        cols: Columns::new(&layout),
        layout,
        options,
        dates,
        id_hasher: ledger.ids.hasher(),
        customer_hasher: ledger.customers.hasher(),
        currency_hasher: ledger.currencies.hasher(),
    };
    ledger.ids.reserve(source.estimated_rows());
    ledger.invoices.reserve_exact(source.estimated_rows());
    let (rows_seen, bad) = store_rows(&source, &reader, ledger, &mut fixups)?;
    source.report(bad, rejects)?;
    if rows_seen == 0 {
        bail!("{}: the file has a header row but no data rows", source.name);
    }
    Ok(fixups)
}

/// Reads the file's rows and stores them in file order ([`Reader::store`])
/// while another thread interns the stored rows' texts ([`RowTexts`]);
/// gives the number of rows read and the bad rows.
fn store_rows(
    source: &Source,
    reader: &Reader,
    ledger: &mut Parts,
    fixups: &mut Fixups,
) -> Result<(usize, BadRows)> {
    let mut bad = BadRows::new(reader.options.skip_bad_rows);
    let mut rows_seen = 0usize;
    let Parts { invoices, payments, ids, customers, currencies, texts, extras, emails, .. } = ledger;
    let mut documents = Documents { invoices, payments, ids, customers, currencies };
    let mut row_texts = RowTexts { texts, emails, extras, names: Vec::new() };
    std::thread::scope(|scope| -> Result<()> {
        let (to_texts, stored_parts) = std::sync::mpsc::sync_channel::<(Parsed, Vec<Option<u32>>)>(2);
        let row_texts = &mut row_texts;
        let interning = scope.spawn(move || {
            stored_parts.into_iter().for_each(|(parsed, stored)| row_texts.add(&parsed, &stored))
        });
        let store = |parts: Vec<Parsed>| {
            for parsed in parts {
                rows_seen += parsed.rows.len();
                let mut stored = Vec::with_capacity(parsed.rows.len());
                for (row, result) in &parsed.rows {
                    let outcome = match result {
                        Ok(invoice) => reader.store(invoice, &parsed, &mut documents, fixups),
                        Err(problem) => Err(problem.clone()),
                    };
                    stored.push(outcome.as_ref().ok().copied());
                    if let Err(problem) = outcome {
                        bad.push(*row, problem);
                    }
                }
                // Fails only if the interning thread panicked: its join
                // below raises that panic.
                let _ = to_texts.send((parsed, stored));
                if bad.is_final() {
                    return Err(StopReading.into());
                }
            }
            Ok(())
        };
        let read = source.read_parsed(
            &reader.layout.positions(),
            reader.options.framing,
            |part| reader.parse_part(part),
            store,
        );
        drop(to_texts);
        interning.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        read
    })?;
    for (invoice, name) in documents.invoices.iter_mut().zip(std::mem::take(&mut row_texts.names)) {
        invoice.name = name;
    }
    Ok((rows_seen, bad))
}

fn check_required(layout: &Layout, options: &ReadOptions) -> Result<(), String> {
    let kind = FileKind::Invoices;
    layout.require(kind, "customer", "")?;
    layout.require(kind, "invoice", "")?;
    layout.require(kind, "amount", "")?;
    if options.terms.is_some() {
        layout.require(kind, "issue_date", " (--terms needs an issue date)")?;
    } else {
        layout.require(kind, "due_date", ", or give --terms DAYS to use the issue date plus terms")?;
    }
    Ok(())
}

impl Reader<'_> {
    /// Worker side: parses every row of the part.
    fn parse_part(&self, part: Part) -> Parsed {
        let mut texts = Texts::default();
        let mut extras = Vec::with_capacity(part.len() * self.layout.extras.len());
        let mut rows = Vec::with_capacity(part.len());
        let mut last = LastCurrency::default();
        part.for_each(|row, record| {
            rows.push((row, self.parse(record, &mut texts, &mut extras, &mut last)));
        });
        Parsed { texts, extras, rows }
    }

    fn text<'r>(&self, record: &'r dyn Cells, col: &Col) -> Result<&'r str, BadRow> {
        cell(record, col.index, &col.header)
    }

    fn parse(
        &self,
        record: &dyn Cells,
        texts: &mut Texts,
        extras: &mut Vec<Span>,
        last: &mut LastCurrency,
    ) -> Result<Row, BadRow> {
        let c = &self.cols;
        check_shape(record, self.layout.headers.len())?;
        let customer = self.required(record, &c.customer, "customer")?;
        let id = self.required(record, &c.invoice, "invoice")?;
        let amount = read_amount_cell(record, &c.amount, self.options)?
            .ok_or_else(|| bad(&c.amount.header, "", "the amount is missing"))?;
        let currency = self.currency(record)?;
        let digits = last.digits(&currency);
        let (issue, issue_text) = self.date(record, &c.issue_date)?;
        let (due, due_text) = self.date(record, &c.due_date)?;
        if due.is_none() && (issue.is_none() || self.options.terms.is_none()) {
            return Err(bad(
                &c.due_date.header,
                "",
                "the due date is missing (give --terms DAYS to use issue date + terms)",
            ));
        }
        let disputed_text = self.text(record, &c.disputed)?;
        let disputed = parse_flag(disputed_text).ok_or_else(|| {
            bad(&c.disputed.header, disputed_text, "expected true/false, yes/no, sí/no, 1/0 or x/blank")
        })?;
        let (settlement, paid_text) = self.settlement(record, amount)?;
        let paid_finer = settlement.is_some_and(|(_, paid)| finer_than_minor_unit(paid, digits));
        let finer_amounts = finer_than_minor_unit(amount, digits) || paid_finer;
        let (name, email) = (self.text(record, &c.customer_name)?, self.text(record, &c.email)?);
        let extras_start = extras.len();
        for &position in &self.layout.extras {
            let value = cell(record, Some(position), &self.layout.headers[position])?;
            extras.push(texts.keep(value));
        }
        Ok(Row {
            id: texts.keep(id),
            customer: texts.keep(customer),
            id_hash: self.id_hasher.hash(id),
            customer_hash: self.customer_hasher.hash(customer),
            currency_hash: self.currency_hasher.hash(&currency),
            currency: texts.keep(&currency),
            issue,
            due,
            amount,
            disputed,
            name: texts.keep(name),
            email: texts.keep(email),
            settlement,
            finer_amounts,
            raw_dates: [
                keep_date_text(texts, issue_text, issue.as_ref()),
                keep_date_text(texts, due_text, due.as_ref()),
                keep_date_text(texts, paid_text, settlement.as_ref().and_then(|s| s.0.as_ref())),
            ],
            extras: extras_start,
        })
    }

    /// The currency as stored: upper case; the `--currency` default when empty.
    fn currency<'r>(&'r self, record: &'r dyn Cells) -> Result<Cow<'r, str>, BadRow> {
        Ok(match self.text(record, &self.cols.currency)? {
            "" => Cow::Borrowed(self.options.currency.as_str()),
            code if code.chars().any(char::is_lowercase) => Cow::Owned(code.to_uppercase()),
            code => Cow::Borrowed(code),
        })
    }

    fn required<'r>(&self, record: &'r dyn Cells, col: &Col, field: &str) -> Result<&'r str, BadRow> {
        let value = self.text(record, col)?;
        if value.is_empty() {
            return Err(bad(&col.header, value, format!("the {field} is missing")));
        }
        Ok(value)
    }

    /// A date cell and its text (see [`read_date_cell`]).
    fn date<'r>(&self, record: &'r dyn Cells, col: &Col) -> Result<(Option<DateValue>, &'r str), BadRow> {
        read_date_cell(record, col, &self.dates)
    }

    /// The payment a single-file export's row stands for, if any, and the
    /// `paid_date` cell's text. Every amount cell present is read and
    /// checked, even one that a `paid_date` makes unused (`open_amount`).
    fn settlement<'r>(
        &self,
        record: &'r dyn Cells,
        amount: Decimal,
    ) -> Result<(Option<Settlement>, &'r str), BadRow> {
        let c = &self.cols;
        let paid_amount = self.optional_amount(record, &c.paid_amount)?;
        let (paid_date, paid_text) = self.date(record, &c.paid_date)?;
        let open = self.optional_amount(record, &c.open_amount)?;
        if let Some(date) = paid_date {
            return Ok((Some((Some(date), paid_amount.unwrap_or(amount))), paid_text));
        }
        // Without a paid date, an open amount says what is still owed: it
        // also counts the credit notes and write-offs that a paid amount
        // leaves out (ERPNext's Paid Amount beside its Outstanding Amount).
        if let Some(open) = open {
            // Both are below the amount limit, so their difference is within Decimal's range.
            return Ok(((open != amount).then_some((None, amount - open)), paid_text));
        }
        Ok((paid_amount.map(|paid| (None, paid)), paid_text))
    }

    /// An amount cell that may be empty (`None`).
    fn optional_amount(&self, record: &dyn Cells, col: &Col) -> Result<Option<Decimal>, BadRow> {
        read_amount_cell(record, col, self.options)
    }

    /// Storing side, in file order: settles the dates, checks the id is
    /// new, and adds the invoice (and its single-file payment); gives its
    /// customer's handle. Its texts are [`RowTexts`]' to intern, and its
    /// name handle is set once they are.
    fn store(
        &self,
        row: &Row,
        parsed: &Parsed,
        ledger: &mut Documents,
        fixups: &mut Fixups,
    ) -> Result<u32, BadRow> {
        let texts = &parsed.texts;
        let c = &self.cols;
        let settle = |column: &DateColumn, value: &Option<DateValue>, raw: Span, col: &Col| match value {
            Some(v) if !v.is_final() => column
                .reconcile(*v)
                .map(Some)
                .map_err(|why| bad(&col.header, texts.get(raw), format!("cannot read it as a date: {why}"))),
            _ => Ok(*value),
        };
        let issue_value = settle(&fixups.issue, &row.issue, row.raw_dates[0], &c.issue_date)?;
        let due_value = settle(&fixups.due, &row.due, row.raw_dates[1], &c.due_date)?;
        let settlement = match row.settlement {
            Some((date, paid)) => Some((settle(&fixups.paid, &date, row.raw_dates[2], &c.paid_date)?, paid)),
            None => None,
        };
        let id = texts.get(row.id);
        let Ok(index) = ledger.ids.insert_hashed(id, row.id_hash) else {
            return Err(bad(&c.invoice.header, id, "duplicate invoice id: it is already on an earlier row"));
        };
        let slot = index as usize;
        let issue = issue_value.map(|d| d.day);
        let due: Day = match due_value {
            Some(d) => d.day,
            None => {
                fixups.derived_due.push(index);
                issue.unwrap_or_default() + self.options.terms.unwrap_or_default()
            }
        };
        let currency = ledger.currencies.intern_hashed(texts.get(row.currency), row.currency_hash);
        let customer = ledger.customers.intern_hashed(texts.get(row.customer), row.customer_hash);
        ledger.invoices.push(Invoice {
            id: index,
            customer,
            currency,
            issue: issue.into(),
            due,
            amount: row.amount,
            disputed: row.disputed,
            name: 0,
        });
        if row.finer_amounts {
            fixups.fine_amounts.invoices += 1;
        }
        if let Some(d) = &issue_value {
            fixups.issue.accept(slot, d, texts.get(row.raw_dates[0]));
        }
        if let Some(d) = &due_value {
            fixups.due.accept(slot, d, texts.get(row.raw_dates[1]));
        }
        if let Some((date, amount)) = settlement {
            if let Some(d) = &date {
                fixups.paid.accept(ledger.payments.len(), d, texts.get(row.raw_dates[2]));
            }
            ledger.payments.push(Payment { invoice: index, date: date.map(|d| d.day).into(), amount });
        }
        Ok(customer)
    }
}

/// What [`Reader::store`] fills: the ledger's parts other than its texts.
struct Documents<'a> {
    invoices: &'a mut Vec<Invoice>,
    payments: &'a mut Vec<Payment>,
    ids: &'a mut KeyIndex,
    customers: &'a mut Interner,
    currencies: &'a mut Interner,
}

/// The texts of the stored rows (a customer's first e-mail, each
/// invoice's name and `--by` values), interned into the ledger's `texts`
/// on a thread of their own while the next rows are stored. The rows come
/// in file order and each row's texts in the order a row stored at once
/// would intern them, so every handle is the one that gives.
struct RowTexts<'a> {
    texts: &'a mut Interner,
    emails: &'a mut Vec<u32>,
    extras: &'a mut Vec<ExtraColumn>,
    /// Each stored invoice's name handle, in storing order.
    names: Vec<u32>,
}

impl RowTexts<'_> {
    /// The texts of the rows of `parsed` that were stored: `stored` holds,
    /// row by row, the customer handle of a stored row (`None`: not stored).
    fn add(&mut self, parsed: &Parsed, stored: &[Option<u32>]) {
        let texts = &parsed.texts;
        for ((_, row), customer) in parsed.rows.iter().zip(stored) {
            let (Ok(row), Some(customer)) = (row, customer) else { continue };
            note_email(self.emails, self.texts, *customer, texts.get(row.email));
            self.names.push(self.texts.intern(texts.get(row.name)));
            let values = &parsed.extras[row.extras..row.extras + self.extras.len()];
            for (column, &span) in self.extras.iter_mut().zip(values) {
                column.values.push(self.texts.intern(texts.get(span)));
            }
        }
    }
}

/// Keeps a date cell's text only when [`DateValue::may_need_text`]: most
/// dates (ISO ones) never need it again.
fn keep_date_text(texts: &mut Texts, text: &str, value: Option<&DateValue>) -> Span {
    match value {
        Some(value) if value.may_need_text() => texts.keep(text),
        _ => Span::default(),
    }
}

/// true/false, yes/no, sí/no, 1/0, x/blank, case-insensitive.
pub fn parse_flag(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "true" | "yes" | "y" | "sí" | "si" | "s" | "1" | "x" | "t" => Some(true),
        "false" | "no" | "n" | "0" | "" | "f" => Some(false),
        _ => None,
    }
}
