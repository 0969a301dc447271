//! The canonical receivables model every command works on: invoices (credit
//! notes are invoices with a negative amount) and the payments applied to
//! them (a reversal is a negative payment). Built by `input`, read by the
//! domain computations; it holds no file or format details.

use super::balances::Balances;
use super::text::{Interner, KeyIndex};
use crate::dates::{Day, MaybeDay};
use crate::money;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// One receivable document.
#[derive(Clone, Debug)]
pub struct Invoice {
    /// Handle into [`Ledger::ids`]: the document number.
    pub id: u32,
    /// Handle into [`Ledger::customers`].
    pub customer: u32,
    /// Handle into [`Ledger::currencies`].
    pub currency: u32,
    /// None: the document exists from the beginning of time. Read it with
    /// [`Invoice::issue`].
    pub issue: MaybeDay,
    pub due: Day,
    /// Signed original amount: a credit note is negative.
    pub amount: Decimal,
    pub disputed: bool,
    /// Customer name, a handle into [`Ledger::texts`] (0 = not given).
    pub name: u32,
}

/// One receipt applied to an invoice.
#[derive(Clone, Debug)]
pub struct Payment {
    /// Index into [`Ledger::invoices`].
    pub invoice: u32,
    /// None for the undated payment of a single-file export's `open_amount`:
    /// it counts for balances but not for measures that need a date. Read
    /// it with [`Payment::date`].
    pub date: MaybeDay,
    pub amount: Decimal,
}

impl Invoice {
    pub fn issue(&self) -> Option<Day> {
        self.issue.get()
    }
}

impl Payment {
    pub fn date(&self) -> Option<Day> {
        self.date.get()
    }
}

/// An extra input column kept for `--by`: one text handle per invoice.
#[derive(Debug)]
pub struct ExtraColumn {
    pub values: Vec<u32>,
}

/// Which optional invoice columns the input had.
#[derive(Debug, Default, Clone, Copy)]
pub struct Present {
    pub customer_name: bool,
    pub issue_date: bool,
}

/// What a [`Ledger`] is made of: `input` fills it as it reads a file (and
/// tests write it by hand); [`Ledger::new`] then makes the ledger, the one
/// way there is. A ledger's parts are read through it (`Deref`) and changed
/// only by its own methods.
#[derive(Default)]
pub struct Parts {
    pub invoices: Vec<Invoice>,
    pub payments: Vec<Payment>,
    /// Invoice ids (document numbers); an invoice holds its handle. After
    /// [`Ledger::restrict_to`] it may also hold ids of dropped documents.
    pub ids: KeyIndex,
    pub customers: Interner,
    pub currencies: Interner,
    /// Customer names and extra column values.
    pub texts: Interner,
    pub extras: Vec<ExtraColumn>,
    pub present: Present,
    /// First e-mail given for each customer handle (a handle into `texts`, 0 = none).
    pub emails: Vec<u32>,
}

/// The receivables as read: documents, payments, and their texts.
pub struct Ledger {
    parts: Parts,
}

impl std::ops::Deref for Ledger {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.parts
    }
}

/// Tests write ledgers by hand: for them only, a ledger's parts can be
/// changed in place.
#[cfg(test)]
impl std::ops::DerefMut for Ledger {
    fn deref_mut(&mut self) -> &mut Parts {
        &mut self.parts
    }
}

#[cfg(test)]
impl Default for Ledger {
    fn default() -> Ledger {
        Ledger::new(Parts::default())
    }
}

/// A ledger's texts alone, its documents, payments and ids dropped: what
/// a report of millions of documents is written with once they are summed.
pub struct Texts {
    pub customers: Interner,
    pub currencies: Interner,
    pub texts: Interner,
}

/// Payments folded away while reading, for a command that needs only each
/// invoice's open balance at the as-of date (`age`): each invoice's amount
/// minus its payments dated on or before that date. Ten million payments
/// then cost no memory.
pub struct Folded {
    /// By invoice index.
    open: Balances,
    at: Day,
}

impl Folded {
    /// Starts keeping, instead of payments, each invoice's open amount at
    /// the end of `as_of`. Call once the invoices are read.
    pub fn start(invoices: &[Invoice], as_of: Day) -> Folded {
        Folded { open: invoices.iter().map(|i| i.amount).collect(), at: as_of }
    }

    /// Takes a payment off its invoice's open amount, or drops it if it is
    /// dated after the as-of date. Only for payments whose date is settled.
    pub fn fold(&mut self, payment: &Payment) {
        if payment.date().is_none_or(|d| d <= self.at) {
            let index = payment.invoice as usize;
            let mut open = self.open.get(index);
            money::subtract(&mut open, payment.amount);
            self.open.set(index, open);
        }
    }

    /// Folds payments kept one by one (their dates now settled).
    pub fn fold_all(&mut self, payments: Vec<Payment>) {
        for p in &payments {
            self.fold(p);
        }
    }
}

/// A ledger read for one day's balances (`age`): its documents (it has no
/// payments) and each one's open amount at the end of the as-of date, the
/// payments folded into it as they were read (see [`Folded`]).
pub struct OpenLedger {
    ledger: Ledger,
    /// By invoice index.
    open: Balances,
}

impl OpenLedger {
    /// The documents of `parts` (their payments, if any, are folded too)
    /// with their open amounts.
    pub fn new(mut parts: Parts, mut folded: Folded) -> OpenLedger {
        folded.fold_all(std::mem::take(&mut parts.payments));
        OpenLedger { ledger: Ledger::new(parts), open: folded.open }
    }

    /// The documents; the ledger has no payments.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Each document's open amount at the end of the as-of date, by index.
    pub fn open(&self) -> &Balances {
        &self.open
    }

    /// [`Ledger::convert_to`], the open amounts too.
    pub fn convert_to(&mut self, base: &str, rates: &HashMap<String, Decimal>) -> Result<(), String> {
        self.ledger.convert(base, rates, &mut self.open)
    }

    /// [`Ledger::stop_id_lookups`].
    pub fn stop_id_lookups(&mut self) {
        self.ledger.stop_id_lookups();
    }

    /// [`Ledger::into_texts`]; the open amounts go too.
    pub fn into_texts(self) -> Texts {
        self.ledger.into_texts()
    }

    /// [`Ledger::restrict_to`] (the documents that exist at the as-of date).
    pub fn restrict_to(self, as_of: Day) -> OpenLedger {
        let OpenLedger { ledger, mut open } = self;
        let ledger = ledger.restrict(as_of, &mut open);
        OpenLedger { ledger, open }
    }
}

/// Keeps the first non-empty e-mail of a customer: `emails` holds, by
/// customer handle, a handle into `texts` ([`Parts::emails`]).
pub fn note_email(emails: &mut Vec<u32>, texts: &mut Interner, customer: u32, email: &str) {
    let slot = customer as usize;
    if emails.len() <= slot {
        emails.resize(slot + 1, 0);
    }
    if emails[slot] == 0 && !email.is_empty() {
        emails[slot] = texts.intern(email);
    }
}

impl Ledger {
    /// The ledger of `parts`.
    pub fn new(parts: Parts) -> Ledger {
        Ledger { parts }
    }

    pub fn customer(&self, invoice: &Invoice) -> &str {
        self.customers.get(invoice.customer)
    }

    pub fn currency(&self, invoice: &Invoice) -> &str {
        self.currencies.get(invoice.currency)
    }

    /// The ledger's texts; everything else is dropped.
    pub fn into_texts(self) -> Texts {
        let Parts { customers, currencies, texts, .. } = self.parts;
        Texts { customers, currencies, texts }
    }

    /// Frees the id look-up table once the input is read (see
    /// [`KeyIndex::stop_lookups`]): ids are then only written out.
    pub fn stop_id_lookups(&mut self) {
        self.parts.ids.stop_lookups();
    }

    /// The document number of the invoice at `index`.
    pub fn id(&self, index: usize) -> std::borrow::Cow<'_, str> {
        self.ids.get(self.invoices[index].id)
    }

    /// Orders the invoices at `a` and `b` by document number, as their
    /// texts order (without writing either out: for sorts).
    pub fn compare_ids(&self, a: usize, b: usize) -> std::cmp::Ordering {
        self.ids.compare(self.invoices[a].id, self.invoices[b].id)
    }

    /// Open amount of every invoice at the end of day `d`: the amount minus
    /// the payments dated on or before `d` (undated ones always count).
    pub fn open_at(&self, d: Day) -> Vec<Decimal> {
        let mut open: Vec<Decimal> = self.invoices.iter().map(|i| i.amount).collect();
        for p in &self.payments {
            if p.date().is_none_or(|pd| pd <= d) {
                open[p.invoice as usize] -= p.amount;
            }
        }
        open
    }

    /// The ledger index of each of `handles` (id handles, [`Invoice::id`]);
    /// after [`Ledger::restrict_to`] the handles of dropped documents are
    /// absent. For side files (promises, disputes) that name documents by id.
    pub fn indexes_of(
        &self,
        handles: impl IntoIterator<Item = u32>,
    ) -> std::collections::HashMap<u32, usize> {
        let wanted: std::collections::HashSet<u32> = handles.into_iter().collect();
        self.invoices
            .iter()
            .enumerate()
            .filter(|(_, inv)| wanted.contains(&inv.id))
            .map(|(i, inv)| (inv.id, i))
            .collect()
    }

    /// Payments without a date (a single-file export's `open_amount`): they
    /// count for every balance, on every day.
    pub fn undated_payments(&self) -> usize {
        self.payments.iter().filter(|p| p.date().is_none()).count()
    }

    /// Whether the document exists at the end of day `d`.
    pub fn exists_at(invoice: &Invoice, d: Day) -> bool {
        invoice.issue().is_none_or(|issue| issue <= d)
    }

    /// The customer's e-mail, empty when none was given.
    pub fn email(&self, customer: u32) -> &str {
        self.emails.get(customer as usize).map_or("", |&e| self.texts.get(e))
    }

    /// [`Ledger::customer_names`] when the input has a name column.
    pub fn customer_names_if_given(&self) -> Option<Vec<u32>> {
        self.present.customer_name.then(|| self.customer_names())
    }

    /// The first customer name given for each customer handle (0 if none).
    pub fn customer_names(&self) -> Vec<u32> {
        let mut names = vec![0u32; self.customers.len()];
        for inv in &self.invoices {
            let slot = &mut names[inv.customer as usize];
            if *slot == 0 {
                *slot = inv.name;
            }
        }
        names
    }

    /// Converts every amount into `base` with `rates` (value of one unit of
    /// each currency in `base`). The error names a currency without a rate,
    /// or an amount whose converted value is not below
    /// [`money::AMOUNT_LIMIT`] (the bound every total relies on).
    pub fn convert_to(&mut self, base: &str, rates: &HashMap<String, Decimal>) -> Result<(), String> {
        self.convert(base, rates, &mut Balances::default())
    }

    /// [`Ledger::convert_to`], also converting `open` (an [`OpenLedger`]'s
    /// open amounts, by invoice index).
    fn convert(
        &mut self,
        base: &str,
        rates: &HashMap<String, Decimal>,
        open: &mut Balances,
    ) -> Result<(), String> {
        let mut factors = Vec::with_capacity(self.currencies.len());
        for handle in 0..self.currencies.len() as u32 {
            let code = self.currencies.get(handle);
            match rates.get(code) {
                Some(rate) => factors.push(*rate),
                None if code.is_empty() => factors.push(Decimal::ONE), // the interner's empty slot
                None => return Err(format!("no rate for {code}")),
            }
        }
        // A first pass checks every product, so that a failure leaves the ledger as it was.
        let check = |value: Decimal, invoice: usize, what: &str| -> Result<(), String> {
            let currency = self.invoices[invoice].currency;
            let rate = factors[currency as usize];
            match value.checked_mul(rate) {
                Some(converted) if money::within_limit(converted) => Ok(()),
                _ => Err(format!(
                    "invoice {}: {what} {value} {} at rate {rate} is not below {} {base} (amount too large)",
                    self.id(invoice),
                    self.currencies.get(currency),
                    money::AMOUNT_LIMIT
                )),
            }
        };
        for p in &self.payments {
            check(p.amount, p.invoice as usize, "payment of")?;
        }
        for i in 0..open.len() {
            check(open.get(i), i, "open amount")?;
        }
        for (i, inv) in self.invoices.iter().enumerate() {
            check(inv.amount, i, "amount")?;
        }
        let Parts { invoices, payments, currencies, .. } = &mut self.parts;
        let base_handle = currencies.intern(base);
        for p in payments.iter_mut() {
            p.amount *= factors[invoices[p.invoice as usize].currency as usize];
        }
        for (i, inv) in invoices.iter().enumerate().take(open.len()) {
            open.set(i, open.get(i) * factors[inv.currency as usize]);
        }
        for inv in invoices.iter_mut() {
            inv.amount *= factors[inv.currency as usize];
            inv.currency = base_handle;
        }
        Ok(())
    }

    /// Drops what did not exist at the end of the as-of date: documents
    /// issued after it (with their payments) and payments dated after it.
    /// Filters in place: no copy of the ledger is made.
    pub fn restrict_to(self, as_of: Day) -> Ledger {
        self.restrict(as_of, &mut Balances::default())
    }

    /// [`Ledger::restrict_to`], also filtering `open` (an [`OpenLedger`]'s
    /// open amounts, by invoice index).
    fn restrict(mut self, as_of: Day, open: &mut Balances) -> Ledger {
        let keep: Vec<bool> = self.invoices.iter().map(|i| Ledger::exists_at(i, as_of)).collect();
        if !self.payments.is_empty() {
            let new_index = new_positions(&keep);
            self.parts.payments.retain_mut(|p| {
                p.invoice = new_index[p.invoice as usize];
                p.invoice != u32::MAX && p.date().is_none_or(|d| d <= as_of)
            });
        }
        retain_kept(&mut self.parts.invoices, &keep);
        if !open.is_empty() {
            open.retain_kept(&keep);
        }
        for column in &mut self.parts.extras {
            retain_kept(&mut column.values, &keep);
        }
        self
    }
}

/// Payments dated after the as-of date, kept apart by
/// [`Ledger::restrict_keeping_later`] (`forecast --backtest`).
#[derive(Debug, Default)]
pub struct LaterPayments {
    /// Those of documents that exist at the as-of date, their `invoice`
    /// indexing the restricted ledger.
    pub payments: Vec<Payment>,
    /// How many payments of the input, of any document, are dated after it.
    pub in_input: usize,
}

impl Ledger {
    /// [`Ledger::restrict_to`], keeping apart the payments dated after
    /// `as_of` of the documents that exist at it: the one reader of what
    /// happened after the as-of date is `forecast --backtest`.
    pub fn restrict_keeping_later(self, as_of: Day) -> (Ledger, LaterPayments) {
        let after = |p: &Payment| p.date().is_some_and(|d| d > as_of);
        let keep: Vec<bool> = self.invoices.iter().map(|i| Ledger::exists_at(i, as_of)).collect();
        let new_index = new_positions(&keep);
        let payments = (self.payments.iter())
            .filter(|p| after(p) && keep[p.invoice as usize])
            .map(|p| Payment { invoice: new_index[p.invoice as usize], ..p.clone() })
            .collect();
        let in_input = self.payments.iter().filter(|p| after(p)).count();
        (self.restrict_to(as_of), LaterPayments { payments, in_input })
    }
}

/// Where each kept position goes once the others are dropped (`u32::MAX`: dropped).
fn new_positions(keep: &[bool]) -> Vec<u32> {
    let mut next = 0u32;
    keep.iter()
        .map(|&kept| {
            if !kept {
                return u32::MAX;
            }
            next += 1;
            next - 1
        })
        .collect()
}

/// Keeps the values whose position is marked in `keep` (an empty list stays empty).
fn retain_kept<T>(values: &mut Vec<T>, keep: &[bool]) {
    let mut position = 0;
    values.retain(|_| {
        position += 1;
        keep[position - 1]
    });
}
