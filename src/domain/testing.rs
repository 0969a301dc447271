//! Random ledgers for property tests.

use super::ledger::{Invoice, Ledger, Payment};
use rust_decimal::Decimal;

/// (currency 1 or 2, issue day, due day, amount in cents) per document.
pub type Docs = Vec<(u32, Option<i32>, i32, i64)>;
/// (invoice pick, date or undated, amount in cents) per payment.
pub type Pays = Vec<(usize, Option<i32>, i64)>;

/// A ledger of EUR (1) and USD (2) documents over five customers.
pub fn ledger(docs: &Docs, pays: &Pays) -> Ledger {
    let mut ledger = Ledger::default();
    ledger.currencies.intern("EUR");
    ledger.currencies.intern("USD");
    for (i, (currency, issue, due, cents)) in docs.iter().enumerate() {
        let id = ledger.ids.insert(&format!("F{i}")).expect("unique ids");
        let customer = ledger.customers.intern(&format!("C{}", i % 5));
        ledger.invoices.push(Invoice {
            id,
            customer,
            currency: *currency,
            issue: (*issue).into(),
            due: *due,
            amount: Decimal::new(*cents, 2),
            disputed: false,
            name: 0,
        });
    }
    for (pick, date, cents) in pays {
        let invoice = (pick % docs.len()) as u32;
        ledger.payments.push(Payment { invoice, date: (*date).into(), amount: Decimal::new(*cents, 2) });
    }
    ledger
}
