//! Statements of account (SPEC §4 `statement`): per (customer, currency),
//! the opening balance at `from - 1`, every movement in `[from, to]` with
//! a running balance, and the closing balance at `to` — which is `age
//! --as-of TO`'s `total_open` for that customer — with the aging buckets
//! at `to` and, given a rate calendar, the late interest then.
//!
//! A movement is a document issued in the range (`invoice`, `credit_note`)
//! or a payment whose *statement date* — the later of its own date and its
//! document's issue date — is in it (`payment`; a negative one is a
//! `reversal` on an invoice, `credit_applied` on a credit note). Documents
//! without issue date and undated payments belong to the opening balance,
//! or to their document's issue date when that is in the range.

use super::aging::{self, AgingParams, Basis, Buckets, Grouping};
use super::disputes::Disputes;
use super::interest::{invoice_interest, RateCalendar};
use super::ledger::{Invoice, Ledger};
use super::pairs::Pairs;
use crate::dates::Day;
use crate::money;
use anyhow::{bail, Result};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct StatementParams {
    pub from: Day,
    /// Not after the ledger's as-of date.
    pub to: Day,
    /// Only this customer id.
    pub customer: Option<String>,
    pub buckets: Buckets,
    /// Late interest at `to` from this calendar (`--interest FILE`).
    pub rates: Option<RateCalendar>,
    /// Which documents are in dispute (no interest is claimed on them).
    pub disputes: Disputes,
}

/// What a statement line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Opening,
    Invoice,
    CreditNote,
    Payment,
    Reversal,
    CreditApplied,
    Closing,
}

impl Kind {
    /// The `type` field.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Opening => "opening",
            Kind::Invoice => "invoice",
            Kind::CreditNote => "credit_note",
            Kind::Payment => "payment",
            Kind::Reversal => "reversal",
            Kind::CreditApplied => "credit_applied",
            Kind::Closing => "closing",
        }
    }
}

/// One line of a statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub date: Day,
    pub kind: Kind,
    /// Invoice index of the document the line is about (none for opening and closing).
    pub document: Option<usize>,
    /// Invoices, reversals and applied credit; `None` on other lines.
    pub debit: Option<Decimal>,
    /// Credit notes and payments, as positive numbers; `None` on other lines.
    pub credit: Option<Decimal>,
    /// Running balance after this line.
    pub balance: Decimal,
}

/// The statement of one (customer, currency).
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// Handles into the ledger's customers and currencies.
    pub customer: u32,
    pub currency: u32,
    /// Opening line, movements in order, closing line.
    pub lines: Vec<Line>,
    pub opening: Decimal,
    pub debits: Decimal,
    pub credits: Decimal,
    pub closing: Decimal,
    /// Open amount at `to` per aging bucket (as `age --as-of TO`).
    pub buckets: Vec<Decimal>,
    /// Late interest at `to` of the overdue invoices not in dispute (with a calendar).
    pub interest: Option<Decimal>,
}

/// A movement before it gets its running balance, with its sort key.
struct Movement {
    date: Day,
    /// 0 for a document, 1 for a payment.
    class: u8,
    document: usize,
    /// Position in the invoice or payment file.
    order: usize,
    kind: Kind,
    /// Signed: debit positive, credit negative.
    amount: Decimal,
}

/// The statements, sorted by customer then currency. `ledger` is the data
/// at an as-of date on or after `params.to`.
pub fn statements(ledger: &Ledger, params: &StatementParams) -> Result<Vec<Statement>> {
    let pairs = Pairs::new(ledger);
    let wanted = wanted_customer(ledger, params)?;
    let mut documents = documents_by_pair(ledger, &pairs, wanted);
    let mut movements = movements(ledger, &pairs, wanted, params);
    let opening_open = ledger.open_at(params.from - 1);
    let closing_open = ledger.open_at(params.to);
    let mut aged = aged_buckets(ledger, &closing_open, params)?;
    let mut out = Vec::new();
    for (position, (customer, currency)) in in_text_order(ledger, &pairs) {
        let documents = std::mem::take(&mut documents[position]);
        if documents.is_empty() {
            continue;
        }
        let sum_at = |open: &[Decimal], d: Day| {
            money::sum(
                documents
                    .iter()
                    .map(|&i| i as usize)
                    .filter(|&i| Ledger::exists_at(&ledger.invoices[i], d))
                    .map(|i| open[i]),
            )
        };
        let opening = sum_at(&opening_open, params.from - 1);
        let mut moves = std::mem::take(&mut movements[position]);
        if opening.is_zero() && moves.is_empty() {
            continue;
        }
        moves.sort_by(|a, b| compare(ledger, a, b));
        let closing = sum_at(&closing_open, params.to);
        let interest = match &params.rates {
            Some(rates) => {
                Some(interest_at(ledger, rates, &documents, &closing_open, &params.disputes, params.to)?)
            }
            None => None,
        };
        let key = (ledger.customers.get(customer).to_string(), ledger.currencies.get(currency).to_string());
        let buckets = aged.remove(&key).unwrap_or_else(|| vec![Decimal::ZERO; params.buckets.count()]);
        out.push(statement(customer, currency, opening, moves, closing, buckets, interest, params));
    }
    Ok(out)
}

/// The handle of `params.customer`, when given (`None`: every customer).
fn wanted_customer(ledger: &Ledger, params: &StatementParams) -> Result<Option<u32>> {
    let Some(wanted) = &params.customer else { return Ok(None) };
    match ledger.customers.find(wanted) {
        Some(handle) if ledger.invoices.iter().any(|inv| inv.customer == handle) => Ok(Some(handle)),
        _ => bail!("--customer '{wanted}': no document of this customer (ids are matched exactly)"),
    }
}

/// Each pair's position and handles, in customer then currency order (by
/// their text).
fn in_text_order(ledger: &Ledger, pairs: &Pairs) -> Vec<(usize, (u32, u32))> {
    let mut order: Vec<(usize, (u32, u32))> = pairs.iter().enumerate().collect();
    order.sort_by(|(_, (customer_a, currency_a)), (_, (customer_b, currency_b))| {
        let text =
            |customer: u32, currency: u32| (ledger.customers.get(customer), ledger.currencies.get(currency));
        text(*customer_a, *currency_a).cmp(&text(*customer_b, *currency_b))
    });
    order
}

/// The documents (invoice indexes) of each pair, by its position in `pairs`;
/// only the `wanted` customer's when given.
fn documents_by_pair(ledger: &Ledger, pairs: &Pairs, wanted: Option<u32>) -> Vec<Vec<u32>> {
    let mut documents = vec![Vec::new(); pairs.len()];
    for (i, inv) in ledger.invoices.iter().enumerate() {
        if wanted.is_none_or(|customer| customer == inv.customer) {
            documents[pairs.of(inv)].push(i as u32);
        }
    }
    documents
}

/// Every movement in `[from, to]`, by the position of its pair in `pairs`;
/// only the `wanted` customer's when given.
fn movements(
    ledger: &Ledger,
    pairs: &Pairs,
    wanted: Option<u32>,
    params: &StatementParams,
) -> Vec<Vec<Movement>> {
    let in_range = |d: Day| params.from <= d && d <= params.to;
    let is_wanted = |inv: &Invoice| wanted.is_none_or(|customer| customer == inv.customer);
    let mut out: Vec<Vec<Movement>> = (0..pairs.len()).map(|_| Vec::new()).collect();
    for (i, inv) in ledger.invoices.iter().enumerate() {
        let Some(issue) = inv.issue().filter(|&d| in_range(d)) else { continue };
        if inv.amount.is_zero() || !is_wanted(inv) {
            continue;
        }
        let kind = if inv.amount > Decimal::ZERO { Kind::Invoice } else { Kind::CreditNote };
        let movement = Movement { date: issue, class: 0, document: i, order: i, kind, amount: inv.amount };
        out[pairs.of(inv)].push(movement);
    }
    for (order, p) in ledger.payments.iter().enumerate() {
        let document = p.invoice as usize;
        let inv = &ledger.invoices[document];
        let Some(date) = statement_date(p.date(), inv.issue()).filter(|&d| in_range(d)) else { continue };
        if p.amount.is_zero() || !is_wanted(inv) {
            continue;
        }
        let kind = match (p.amount > Decimal::ZERO, inv.amount < Decimal::ZERO) {
            (true, _) => Kind::Payment,
            (false, false) => Kind::Reversal,
            (false, true) => Kind::CreditApplied,
        };
        let movement = Movement { date, class: 1, document, order, kind, amount: -p.amount };
        out[pairs.of(inv)].push(movement);
    }
    out
}

/// The later of a payment's date and its document's issue date; `None`
/// when neither is known (an undated payment of a document without issue
/// date: it is in every balance, the opening one included).
fn statement_date(paid: Option<Day>, issue: Option<Day>) -> Option<Day> {
    match (paid, issue) {
        (Some(p), Some(i)) => Some(p.max(i)),
        (p, i) => p.or(i),
    }
}

/// Date, documents before payments, document id, file order.
fn compare(ledger: &Ledger, a: &Movement, b: &Movement) -> Ordering {
    (a.date, a.class)
        .cmp(&(b.date, b.class))
        .then_with(|| ledger.compare_ids(a.document, b.document))
        .then_with(|| a.order.cmp(&b.order))
}

/// The aging buckets at `to` of every (customer, currency), as `age --as-of TO`,
/// from each document's open amount at `to` (`closing_open`, by index).
/// Keyed by customer id and currency code.
fn aged_buckets(
    ledger: &Ledger,
    closing_open: &[Decimal],
    params: &StatementParams,
) -> Result<HashMap<(String, String), Vec<Decimal>>> {
    let aging_params = AgingParams {
        as_of: params.to,
        buckets: params.buckets.clone(),
        basis: Basis::Due,
        grouping: Grouping::Customer,
    };
    let rows = aging::aging(ledger, closing_open, &aging_params)?;
    Ok(rows.into_iter().map(|mut row| ((row.keys.swap_remove(0), row.currency), row.buckets)).collect())
}

/// Late interest at `to` of the documents that are overdue then (open > 0,
/// past due) and not in dispute, as `dunning` computes it with as-of `to`.
fn interest_at(
    ledger: &Ledger,
    rates: &RateCalendar,
    documents: &[u32],
    open: &[Decimal],
    disputes: &Disputes,
    to: Day,
) -> Result<Decimal> {
    let mut total = Decimal::ZERO;
    for i in documents.iter().map(|&i| i as usize) {
        let inv = &ledger.invoices[i];
        if Ledger::exists_at(inv, to)
            && open[i] > Decimal::ZERO
            && inv.due < to
            && !disputes.in_dispute(i, to)
        {
            total += invoice_interest(ledger, rates, i, open[i], to)?;
        }
    }
    Ok(total)
}

/// Opening line, movements with their running balance, closing line.
#[allow(clippy::too_many_arguments)]
fn statement(
    customer: u32,
    currency: u32,
    opening: Decimal,
    moves: Vec<Movement>,
    closing: Decimal,
    buckets: Vec<Decimal>,
    interest: Option<Decimal>,
    params: &StatementParams,
) -> Statement {
    let mut lines = Vec::with_capacity(moves.len() + 2);
    let bare = |date, kind, balance| Line { date, kind, document: None, debit: None, credit: None, balance };
    lines.push(bare(params.from - 1, Kind::Opening, opening));
    let (mut balance, mut debits, mut credits) = (opening, Decimal::ZERO, Decimal::ZERO);
    for m in moves {
        balance += m.amount;
        let (debit, credit) =
            if m.amount > Decimal::ZERO { (Some(m.amount), None) } else { (None, Some(-m.amount)) };
        debits += debit.unwrap_or_default();
        credits += credit.unwrap_or_default();
        lines.push(Line { date: m.date, kind: m.kind, document: Some(m.document), debit, credit, balance });
    }
    lines.push(bare(params.to, Kind::Closing, closing));
    Statement { customer, currency, lines, opening, debits, credits, closing, buckets, interest }
}

#[cfg(test)]
mod tests {
    mod properties {
        use super::super::*;
        use crate::domain::testing::ledger;
        use proptest::prelude::*;

        proptest! {
            /// For every customer and any range: opening + debits - credits =
            /// closing = the last running balance, and closing is the aging's
            /// `total_open` at `to` for that customer (0 when it has no row),
            /// to the cent; a customer with something open at `to` has a statement.
            #[test]
            fn statements_reconcile_with_the_aging(
                docs in prop::collection::vec((1u32..3, prop::option::of(0i32..300), 0i32..300, -50_000i64..500_000), 1..50),
                pays in prop::collection::vec((0usize..1000, prop::option::of(0i32..300), -20_000i64..200_000), 0..70),
                from in 0i32..320,
                len in 0i32..120,
                after in 0i32..30,
            ) {
                let to = from + len;
                let ledger = ledger(&docs, &pays).restrict_to(to + after);
                let buckets = Buckets::new(vec![30, 60, 90, 120]).unwrap();
                let params = StatementParams {
                    from,
                    to,
                    customer: None,
                    buckets: buckets.clone(),
                    rates: None,
                    disputes: Disputes::default(),
                };
                let statements = statements(&ledger, &params).unwrap();
                let aging_params = AgingParams { as_of: to, buckets, basis: Basis::Due, grouping: Grouping::Customer };
                let rows = aging::aging(&ledger, &ledger.open_at(to), &aging_params).unwrap();
                for s in &statements {
                    prop_assert_eq!(s.opening + s.debits - s.credits, s.closing);
                    prop_assert_eq!(s.lines.last().unwrap().balance, s.closing);
                    prop_assert_eq!(s.lines[s.lines.len() - 2].balance, s.closing);
                    prop_assert!(s.lines.windows(2).all(|w| w[0].date <= w[1].date));
                    let (customer, currency) = (ledger.customers.get(s.customer), ledger.currencies.get(s.currency));
                    let aged = rows.iter().find(|r| r.keys[0] == customer && r.currency == currency);
                    prop_assert_eq!(aged.map_or(Decimal::ZERO, |r| r.total_open), s.closing);
                    prop_assert_eq!(s.buckets.iter().copied().sum::<Decimal>(), s.closing);
                }
                for row in rows.iter().filter(|r| !r.total_open.is_zero()) {
                    let listed = statements.iter().any(|s| {
                        ledger.customers.get(s.customer) == row.keys[0] && ledger.currencies.get(s.currency) == row.currency
                    });
                    prop_assert!(listed, "{} {} has no statement", row.keys[0], row.currency);
                }
            }
        }
    }
}
