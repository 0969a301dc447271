//! Input: turns receivables exports (invoices, optional payments) into the
//! canonical [`Ledger`]. Everything about files lives here — formats,
//! headers, cell parsing, bad rows — so the domain only sees typed values.

pub mod amount;
mod batch;
mod contain;
pub mod date;
pub mod disputes;
pub mod dunning_log;
mod engine;
mod framing;
pub mod fx;
pub mod headers;
mod invoices;
mod payments;
pub mod plans;
pub mod policy;
pub mod promises;
pub mod rate_calendar;
pub mod rates;
mod record;
pub mod rejects;
pub mod source;

use crate::dates::Day;
use crate::domain::ledger::{Folded, LaterPayments, Ledger, OpenLedger, Parts};
use anyhow::Result;
pub use engine::configure as configure_engine;
use headers::Col;
pub use headers::ColumnMap;
use record::Cells;
use rejects::{BadRow, Rejects};
pub use source::Framing;
use source::{NeedsExactFraming, Source, StdinCopy, MAX_FIELD_BYTES};

/// How to read the input files (the shared input flags, validated).
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub map: ColumnMap,
    pub delimiter: Option<u8>,
    pub date_format: Option<String>,
    pub decimal_comma: bool,
    /// Payment terms in days: a missing due date is the issue date plus this.
    pub terms: Option<i32>,
    /// Currency of rows without one.
    pub currency: String,
    pub skip_bad_rows: bool,
    pub rejects: Option<String>,
    /// `--fx RATES.csv --base CUR`: convert every amount into `CUR`.
    pub fx: Option<(String, String)>,
    /// Who frames the large files' rows: set to [`Framing::Exact`] when
    /// polars' rows turned out not to be the file's (see [`source`]).
    pub framing: Framing,
    /// Standard input's one copy, for every read of `-` in the run.
    pub stdin: StdinCopy,
}

/// Reads the invoice file and the optional payments file and returns the
/// ledger as it stood at the end of `as_of`. `extras` are the other
/// columns a command needs (`--by`).
#[allow(dead_code)] // for commands that read no side file
pub fn load_ledger(
    invoices: &str,
    payments: Option<&str>,
    options: &ReadOptions,
    extras: &[String],
    as_of: Day,
) -> Result<Ledger> {
    load_ledger_with(invoices, payments, options, extras, as_of, SideFiles::default())
        .map(|(ledger, _)| ledger)
}

/// The collector's files that name the invoice file's customers and
/// documents (`--promises`, `--disputes`).
#[derive(Clone, Copy, Debug, Default)]
pub struct SideFiles<'a> {
    pub promises: Option<&'a str>,
    pub disputes: Option<&'a str>,
    /// `dunning --plans FILE --plan-payments FILE`.
    pub plans: Option<(&'a str, &'a str)>,
}

/// What the [`SideFiles`] held, every row (whatever its dates) that passed.
#[derive(Debug, Default)]
pub struct SideData {
    pub promises: Vec<crate::domain::promise::Promise>,
    pub disputes: Vec<crate::domain::disputes::Dispute>,
    /// The plans and their payments, when [`SideFiles::plans`] names them.
    pub plans: Option<(Vec<crate::domain::plan_check::Plan>, Vec<crate::domain::plan_check::PlanPayment>)>,
}

/// [`load_ledger`], also reading the side files. They are judged against
/// the whole invoice file (before the as-of cut and `--fx`), with the same
/// bad-row handling (one rejects file for all: files read one after the
/// other with their own rejects would overwrite each other's).
pub fn load_ledger_with(
    invoices: &str,
    payments: Option<&str>,
    options: &ReadOptions,
    extras: &[String],
    as_of: Day,
    side: SideFiles,
) -> Result<(Ledger, SideData)> {
    let (ledger, data) = read_ledger(invoices, payments, options, extras, None, side)?;
    Ok((ledger.kept().restrict_to(as_of), data))
}

/// As [`load_ledger_with`], for a command that needs only each invoice's
/// open balance at `as_of` (`age`): the payments are folded into the
/// balances as they are read (see [`Folded`]), and cost no memory.
pub fn load_open_ledger(
    invoices: &str,
    payments: Option<&str>,
    options: &ReadOptions,
    extras: &[String],
    as_of: Day,
    side: SideFiles,
) -> Result<(OpenLedger, SideData)> {
    let (ledger, data) = read_ledger(invoices, payments, options, extras, Some(as_of), side)?;
    Ok((ledger.folded().restrict_to(as_of), data))
}

/// As [`load_ledger_with`], and also the payments dated after `as_of` (see
/// [`Ledger::restrict_keeping_later`]): for `forecast --backtest` only.
pub fn load_ledger_and_later(
    invoices: &str,
    payments: Option<&str>,
    options: &ReadOptions,
    as_of: Day,
    side: SideFiles,
) -> Result<(Ledger, LaterPayments, SideData)> {
    let (ledger, data) = read_ledger(invoices, payments, options, &[], None, side)?;
    let (ledger, later) = ledger.kept().restrict_keeping_later(as_of);
    Ok((ledger, later, data))
}

/// A ledger as read: its payments kept one by one, or folded into each
/// invoice's open amount at a day.
enum Read {
    Kept(Ledger),
    Folded(OpenLedger),
}

impl Read {
    fn ledger(&self) -> &Ledger {
        match self {
            Read::Kept(ledger) => ledger,
            Read::Folded(open) => open.ledger(),
        }
    }

    /// The ledger read without a folding day (the only way to a `Kept`).
    fn kept(self) -> Ledger {
        match self {
            Read::Kept(ledger) => ledger,
            Read::Folded(_) => unreachable!("read without a folding day"),
        }
    }

    /// The ledger read with a folding day (the only way to a `Folded`).
    fn folded(self) -> OpenLedger {
        match self {
            Read::Folded(open) => open,
            Read::Kept(_) => unreachable!("read with a folding day"),
        }
    }

    fn stop_id_lookups(&mut self) {
        match self {
            Read::Kept(ledger) => ledger.stop_id_lookups(),
            Read::Folded(open) => open.stop_id_lookups(),
        }
    }

    fn convert_to(
        &mut self,
        base: &str,
        rates: &std::collections::HashMap<String, rust_decimal::Decimal>,
    ) -> Result<(), String> {
        match self {
            Read::Kept(ledger) => ledger.convert_to(base, rates),
            Read::Folded(open) => open.convert_to(base, rates),
        }
    }
}

/// The whole input as a ledger with its side files, before it is
/// restricted to the as-of date; with `fold`, the payments are folded
/// into the balances at that day. When polars' rows of a CSV file are not
/// the file's rows, everything is read again with exact framing.
fn read_ledger(
    invoices: &str,
    payments: Option<&str>,
    options: &ReadOptions,
    extras: &[String],
    fold: Option<Day>,
    side: SideFiles,
) -> Result<(Read, SideData)> {
    match read_ledger_once(invoices, payments, options, extras, fold, side) {
        Err(e) if e.is::<NeedsExactFraming>() => {
            let exact = ReadOptions { framing: Framing::Exact, ..options.clone() };
            read_ledger_once(invoices, payments, &exact, extras, fold, side)
        }
        outcome => outcome,
    }
}

fn read_ledger_once(
    invoices: &str,
    payments: Option<&str>,
    options: &ReadOptions,
    extras: &[String],
    fold: Option<Day>,
    side: SideFiles,
) -> Result<(Read, SideData)> {
    let mut rejects = Rejects::new(options.skip_bad_rows, options.rejects.as_deref())?;
    let mut parts = Parts::default();
    let mut fixups = invoices::read(invoices, options, extras, &mut parts, &mut rejects)?;
    let mut folded = fold.map(|as_of| Folded::start(&parts.invoices, as_of));
    if let Some(path) = payments {
        payments::read(path, options, &mut parts, folded.as_mut(), &mut rejects, &mut fixups)?;
    }
    fixups.apply(&mut parts, options.terms, invoices, payments.unwrap_or("payments"))?;
    let mut read = match folded {
        Some(folded) => Read::Folded(OpenLedger::new(parts, folded)),
        None => Read::Kept(Ledger::new(parts)),
    };
    let mut data = SideData::default();
    if let Some(path) = side.promises {
        data.promises = promises::read(path, options, read.ledger(), &mut rejects)?;
    }
    if let Some(path) = side.disputes {
        data.disputes = disputes::read(path, options, read.ledger(), &mut rejects)?;
    }
    if let Some((plans_path, payments_path)) = side.plans {
        data.plans = Some(plans::read(plans_path, payments_path, options, &mut rejects)?);
    }
    rejects.finish()?;
    // Every id of the side files has been found: only their texts are needed now.
    read.stop_id_lookups();
    if let Some((rates_path, base)) = &options.fx {
        let rates = fx::load_rates(rates_path, base)?;
        read.convert_to(base, &rates).map_err(|why| anyhow::anyhow!("--fx {rates_path}: {why}"))?;
        convert_promises(&mut data.promises, read.ledger(), base, &rates)
            .map_err(|why| anyhow::anyhow!("--fx {rates_path}: {why}"))?;
    }
    Ok((read, data))
}

/// `--fx`: promised amounts in the base currency, like the invoices'.
/// Every promise's currency has a document, so [`Ledger::convert_to`] has
/// already checked its rate.
fn convert_promises(
    promises: &mut [crate::domain::promise::Promise],
    ledger: &Ledger,
    base: &str,
    rates: &std::collections::HashMap<String, rust_decimal::Decimal>,
) -> Result<(), String> {
    let base_handle = ledger.currencies.find(base).unwrap_or(0);
    for p in promises {
        if let Some(rate) = rates.get(ledger.currencies.get(p.currency)) {
            p.amount = p
                .amount
                .checked_mul(*rate)
                .filter(|a| a.abs() < crate::money::AMOUNT_LIMIT)
                .ok_or_else(|| format!("promise {} is too large once converted", p.id))?;
        }
        p.currency = base_handle;
    }
    Ok(())
}

/// The text of one cell, checked for UTF-8 and trimmed.
fn cell<'r>(
    record: &'r (impl Cells + ?Sized),
    index: Option<usize>,
    header: &str,
) -> Result<&'r str, BadRow> {
    let Some(text) = index.and_then(|i| record.text(i)) else {
        return Ok("");
    };
    text.map(trim).map_err(|raw| BadRow {
        column: Some(header.to_string()),
        value: Some(raw.to_vec()),
        reason: "it is not valid UTF-8: re-save the file as UTF-8".into(),
    })
}

/// `str::trim`, with a quick way out for the usual cell, which has no
/// white space at either end.
fn trim(text: &str) -> &str {
    let kept = |byte: Option<&u8>| byte.is_none_or(|&b| b > b' ' && b.is_ascii());
    let bytes = text.as_bytes();
    if kept(bytes.first()) && kept(bytes.last()) {
        text
    } else {
        text.trim()
    }
}

/// Row-shape checks done before any cell is read.
fn check_shape(record: &(impl Cells + ?Sized), width: usize) -> Result<(), BadRow> {
    if record.width() != width {
        return Err(BadRow {
            column: None,
            value: None,
            reason: format!(
                "the row has {} cells, the header has {width} (wrong --delimiter or a stray quote?)",
                record.width()
            ),
        });
    }
    let big_cell = || (0..width).filter_map(|i| record.bytes(i)).find(|f| f.len() > MAX_FIELD_BYTES);
    if let Some(big) = (record.total_bytes() > MAX_FIELD_BYTES).then(big_cell).flatten() {
        return Err(BadRow {
            column: None,
            value: Some(big[..200.min(big.len())].to_vec()),
            reason: format!(
                "a cell of {} bytes exceeds the {MAX_FIELD_BYTES}-byte limit (an unclosed quote?)",
                big.len()
            ),
        });
    }
    Ok(())
}

fn bad(column: &str, value: &str, reason: impl Into<String>) -> BadRow {
    BadRow { column: Some(column.to_string()), value: Some(value.as_bytes().to_vec()), reason: reason.into() }
}

/// Parses a non-empty amount cell.
fn read_amount(text: &str, header: &str, options: &ReadOptions) -> Result<rust_decimal::Decimal, BadRow> {
    amount::parse_amount(text, options.decimal_comma).map_err(|e| amount_error(e, text, header))
}

fn amount_error(error: amount::AmountError, text: &str, header: &str) -> BadRow {
    match error {
        amount::AmountError::TooLarge => bad(header, text, error.to_string()),
        amount::AmountError::Unreadable(why) => {
            bad(header, text, format!("cannot read it as an amount: {why}"))
        }
    }
}

/// An amount cell, `None` when it is empty: a number the file stores as
/// one ([`Cells::number`]) is taken as it is, a text is read by
/// [`read_amount`].
fn read_amount_cell(
    record: &(impl Cells + ?Sized),
    col: &Col,
    options: &ReadOptions,
) -> Result<Option<rust_decimal::Decimal>, BadRow> {
    if let Some(value) = typed_amount(record, col) {
        return value.map(Some);
    }
    let text = cell(record, col.index, &col.header)?;
    match text.is_empty() {
        true => Ok(None),
        false => read_amount(text, &col.header, options).map(Some),
    }
}

/// The amount of a cell the file stores as a number ([`Cells::number`]);
/// `None` for a text cell or an empty one.
fn typed_amount(record: &(impl Cells + ?Sized), col: &Col) -> Option<Result<rust_decimal::Decimal, BadRow>> {
    Some(match col.index.and_then(|i| record.number(i))? {
        Ok(value) => Ok(value),
        Err(error) => {
            cell(record, col.index, &col.header).and_then(|text| Err(amount_error(error, text, &col.header)))
        }
    })
}

/// A first pass over a small file (plans, promises, disputes) that tells
/// each of its date columns its day-month order ([`date::DateColumn::learn`]),
/// so that the reading pass, which judges each row at once, reads
/// `01/02/2025` on line 2 as a `13/03/2025` further down says (day first),
/// as the columns of an invoice file are read. What this pass cannot read
/// is left for the reading pass to report.
fn learn_date_orders(source: &Source, columns: &mut [(&Col, &mut date::DateColumn)]) -> Result<()> {
    let mut rows = source.rows()?;
    let mut record = csv::ByteRecord::new();
    while !columns.iter().all(|(_, dates)| dates.knows_order()) {
        let Ok(true) = rows.next_row(&mut record) else { break };
        let cells = rows.cells(&record);
        for (col, dates) in columns.iter_mut() {
            if let Ok(text) = cell(&cells, col.index, &col.header) {
                dates.learn(text);
            }
        }
    }
    Ok(())
}

/// The day of a cell the file stores as a date ([`Cells::day`]); `None`
/// for a text cell or an empty one.
fn typed_day(record: &(impl Cells + ?Sized), col: &Col) -> Option<Day> {
    col.index.and_then(|i| record.day(i))
}

/// A date cell, `None` when it is empty, with its text: a day the file
/// stores as a date ([`Cells::day`]) is final and comes with no text
/// (none is ever needed), a text is read by `dates`.
fn read_date_cell<'r>(
    record: &'r (impl Cells + ?Sized),
    col: &Col,
    dates: &date::DateColumn,
) -> Result<(Option<date::DateValue>, &'r str), BadRow> {
    if let Some(day) = typed_day(record, col) {
        return Ok((Some(date::DateValue::known(day)), ""));
    }
    let text = cell(record, col.index, &col.header)?;
    if text.is_empty() {
        return Ok((None, text));
    }
    match dates.read(text) {
        Ok(value) => Ok((Some(value), text)),
        Err(why) => Err(bad(&col.header, text, format!("cannot read it as a date: {why}"))),
    }
}

/// Amounts read with more decimals than their currency's minor unit
/// (`10.005` EUR, `100.5` JPY), counted per file. They are kept exact, as
/// every amount is, and rounded only when printed (SPEC §3); cobro says on
/// standard error how many there were, since `1.234` EUR is as often a
/// thousands separator read without `--decimal-comma`.
#[derive(Debug, Default)]
pub struct FineAmounts {
    pub invoices: usize,
    pub payments: usize,
}

impl FineAmounts {
    fn warn(&self, invoice_file: &str, payment_file: &str) {
        for (file, count) in [(invoice_file, self.invoices), (payment_file, self.payments)] {
            if count > 0 {
                eprintln!(
                    "cobro: warning: {file}: {count} amount(s) have more decimals than their currency's minor unit \
                     (such as 10.005 EUR): they are kept exact and rounded only when printed (if they are \
                     thousands, as 1.234 for 1234, give --decimal-comma)"
                );
            }
        }
    }
}

/// [`crate::money::minor_digits`] of the currency last asked for: the rows
/// of a block mostly share one currency, so most rows skip the look-up.
#[derive(Default)]
struct LastCurrency {
    code: Option<String>,
    digits: u32,
}

impl LastCurrency {
    fn digits(&mut self, currency: &str) -> u32 {
        if self.code.as_deref() != Some(currency) {
            self.digits = crate::money::minor_digits(currency);
            self.code = Some(currency.to_string());
        }
        self.digits
    }
}

fn file_error(source: &Source, message: String) -> anyhow::Error {
    anyhow::anyhow!("{}: {}", source.name, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_white_space_as_str_trim_does() {
        for text in ["", "a", " a", "a ", "\ta b\r", "\u{a0}x\u{2003}", "é", " é ", "ñ\u{3000}"] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn a_cell_that_is_not_utf8_is_a_bad_row_naming_its_column() {
        let record = csv::ByteRecord::from(vec![&b"ok"[..], &b"\xffbad"[..]]);
        assert_eq!(cell(&record, Some(0), "id").unwrap(), "ok");
        let bad = cell(&record, Some(1), "amount").unwrap_err();
        assert_eq!(bad.column.as_deref(), Some("amount"));
        assert_eq!(bad.value.as_deref(), Some(&b"\xffbad"[..]));
        assert_eq!(cell(&record, Some(2), "past the end").unwrap(), "");
        assert_eq!(cell(&record, None, "absent").unwrap(), "");
    }
}
