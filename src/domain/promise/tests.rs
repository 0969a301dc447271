//! Hand-computed allocations at each boundary of SPEC §4 `promise`.
//! Days are small integers; tolerance is 3 unless said otherwise.

use super::*;
use crate::domain::ledger::{Invoice, Payment};

/// Invoices (id, customer, issue, amount; due day 10) and payments
/// (invoice position, date or undated, amount), all EUR.
fn ledger(docs: &[(&str, &str, Option<Day>, i64)], pays: &[(usize, Option<Day>, i64)]) -> Ledger {
    let mut l = Ledger::default();
    l.currencies.intern("EUR");
    for &(id, customer, issue, amount) in docs {
        let id = l.ids.insert(id).unwrap();
        let customer = l.customers.intern(customer);
        l.invoices.push(Invoice {
            id,
            customer,
            currency: 1,
            issue: issue.into(),
            due: 10,
            amount: Decimal::from(amount),
            disputed: false,
            name: 0,
        });
    }
    for &(invoice, date, amount) in pays {
        l.payments.push(Payment {
            invoice: invoice as u32,
            date: date.into(),
            amount: Decimal::from(amount),
        });
    }
    l
}

/// A promise of customer `C` (EUR) over `invoices` (id handles; none = account).
fn promise(id: &str, created: Day, promised: Day, amount: i64, invoices: &[u32]) -> Promise {
    Promise {
        id: id.into(),
        customer: 1,
        currency: 1,
        created,
        promised,
        amount: Decimal::from(amount),
        invoices: invoices.to_vec(),
        note: String::new(),
    }
}

fn book(l: &Ledger, promises: Vec<Promise>, as_of: Day) -> Book {
    Book::new(l, promises, PromiseParams { as_of, tolerance: 3 })
}

fn d(v: i64) -> Decimal {
    Decimal::from(v)
}

#[test]
fn a_payment_on_the_deadline_keeps_the_day_after_does_not() {
    // Promised day 20, tolerance 3: deadline 23.
    let on = ledger(&[("A", "C", Some(1), 500)], &[(0, Some(23), 100)]);
    let b = book(&on, vec![promise("P1", 15, 20, 100, &[])], 30);
    let v = &b.values[0];
    assert_eq!((v.deadline, v.paid, v.status), (23, d(100), Status::Kept));
    assert_eq!((v.kept_date, v.days_late), (Some(23), Some(3)));
    let after = ledger(&[("A", "C", Some(1), 500)], &[(0, Some(24), 100)]);
    let b = book(&after, vec![promise("P1", 15, 20, 100, &[])], 30);
    assert_eq!((b.values[0].paid, b.values[0].status), (d(0), Status::Broken));
    assert_eq!((b.values[0].kept_date, b.values[0].days_late), (None, None));
    // As of the deadline itself, before the money: still open.
    let none = ledger(&[("A", "C", Some(1), 500)], &[]);
    assert_eq!(book(&none, vec![promise("P1", 15, 20, 100, &[])], 23).values[0].status, Status::Open);
    assert_eq!(book(&none, vec![promise("P1", 15, 20, 100, &[])], 24).values[0].status, Status::Broken);
}

#[test]
fn a_payment_before_created_keeps_nothing_unless_its_invoice_is_issued_later() {
    // Paid day 12, promise made day 15: the money came before the promise.
    let early = ledger(&[("A", "C", Some(1), 500)], &[(0, Some(12), 100)]);
    let b = book(&early, vec![promise("P1", 15, 20, 100, &[])], 30);
    assert_eq!((b.values[0].paid, b.values[0].status), (d(0), Status::Broken));
    // Invoice B issued day 16, paid (in advance) day 12: effective day 16,
    // inside [created 15, deadline 23]: kept on day 16, 0 days late.
    let advance = ledger(&[("B", "C", Some(16), 500)], &[(0, Some(12), 100)]);
    let b = book(&advance, vec![promise("P1", 15, 20, 100, &[])], 30);
    assert_eq!(
        (b.values[0].status, b.values[0].kept_date, b.values[0].days_late),
        (Status::Kept, Some(16), Some(0))
    );
}

#[test]
fn overlapping_promises_fill_by_promised_date_then_created_then_id() {
    // P2 promised day 25, P1 day 20, both 100, made day 15. 150 paid day 18:
    // P1 takes 100 (kept day 18), P2 the other 50; as of 40 P2 is partially kept.
    let l = ledger(&[("A", "C", Some(1), 500)], &[(0, Some(18), 150)]);
    let b = book(&l, vec![promise("P2", 15, 25, 100, &[]), promise("P1", 15, 20, 100, &[])], 40);
    assert_eq!((b.values[0].paid, b.values[0].status), (d(50), Status::PartiallyKept));
    assert_eq!(
        (b.values[1].paid, b.values[1].status, b.values[1].kept_date),
        (d(100), Status::Kept, Some(18))
    );
    // Same promised date: the earlier-made one first; same day made: by id as text.
    let l = ledger(&[("A", "C", Some(1), 500)], &[(0, Some(18), 100)]);
    let b = book(&l, vec![promise("B", 12, 20, 100, &[]), promise("A", 14, 20, 100, &[])], 18);
    assert_eq!((b.values[0].paid, b.values[1].paid), (d(100), d(0)));
    let b = book(&l, vec![promise("P10", 12, 20, 100, &[]), promise("P9", 12, 20, 100, &[])], 18);
    assert_eq!((b.values[0].paid, b.values[1].paid), (d(100), d(0)), "'P10' < 'P9' as text");
}

#[test]
fn an_invoice_level_promise_beside_an_account_level_one() {
    // Invoices A (handle 0) and B (handle 1). PA covers A only (promised 20),
    // ACC the account (promised 15), 100 each, made day 11.
    // Day 12: 80 on B -> only ACC may take it: ACC 80.
    // Day 13: 100 on A -> ACC first (promised 15) takes 20 (kept day 13), PA 80.
    let l = ledger(
        &[("A", "C", Some(1), 500), ("B", "C", Some(1), 500)],
        &[(1, Some(12), 80), (0, Some(13), 100)],
    );
    let b = book(&l, vec![promise("PA", 11, 20, 100, &[0]), promise("ACC", 11, 15, 100, &[])], 30);
    assert_eq!((b.values[0].paid, b.values[0].status), (d(80), Status::PartiallyKept));
    assert_eq!(
        (b.values[1].paid, b.values[1].status, b.values[1].kept_date),
        (d(100), Status::Kept, Some(13))
    );
    assert_eq!(b.values[1].days_late, Some(0));
}

#[test]
fn a_reversal_after_the_promise_was_kept_takes_it_back() {
    // 100 paid day 18 keeps P1 (deadline 23); returned day 26 (after the
    // deadline): P1 holds 0 -> broken as of 30, no kept date.
    let l = ledger(&[("A", "C", Some(1), 500)], &[(0, Some(18), 100), (0, Some(26), -100)]);
    let b = book(&l, vec![promise("P1", 15, 20, 100, &[])], 30);
    assert_eq!((b.values[0].paid, b.values[0].status, b.values[0].kept_date), (d(0), Status::Broken, None));
    // Returned only in part (-40): 60 held -> partially kept.
    let l = ledger(&[("A", "C", Some(1), 500)], &[(0, Some(18), 100), (0, Some(26), -40)]);
    let b = book(&l, vec![promise("P1", 15, 20, 100, &[])], 30);
    assert_eq!((b.values[0].paid, b.values[0].status), (d(60), Status::PartiallyKept));
    // Returned day 19 and paid again day 22: kept, on day 22 (2 days late).
    let l =
        ledger(&[("A", "C", Some(1), 500)], &[(0, Some(18), 100), (0, Some(19), -100), (0, Some(22), 100)]);
    let b = book(&l, vec![promise("P1", 15, 20, 100, &[])], 30);
    assert_eq!(
        (b.values[0].status, b.values[0].kept_date, b.values[0].days_late),
        (Status::Kept, Some(22), Some(2))
    );
}

#[test]
fn a_reversal_takes_back_in_reverse_fill_order_from_its_own_invoice_only() {
    // Day 18: 150 on A -> P1 (promised 20) 100, P2 (promised 25) 50.
    // Day 19: -80 on B -> neither holds money from B: nothing changes.
    // Day 21: -80 on A -> P2 gives back 50, P1 30: P1 70, P2 0.
    let l = ledger(
        &[("A", "C", Some(1), 500), ("B", "C", Some(1), 500)],
        &[(0, Some(18), 150), (1, Some(19), -80), (0, Some(21), -80)],
    );
    let b = book(&l, vec![promise("P1", 15, 20, 100, &[]), promise("P2", 15, 25, 100, &[])], 21);
    assert_eq!((b.values[0].paid, b.values[1].paid), (d(70), d(0)));
    assert_eq!((b.values[0].status, b.values[1].status), (Status::Open, Status::Open));
}

#[test]
fn credit_notes_and_undated_payments_keep_no_promise_and_money_left_over_counts_for_none() {
    // The credit note's payment (-50 applied on CN) and the undated 100 keep
    // nothing; 300 on day 18 fills P1's 100 and the other 200 counts for none.
    let l = ledger(
        &[("A", "C", Some(1), 500), ("CN", "C", Some(1), -50)],
        &[(1, Some(18), -50), (0, None, 100), (0, Some(18), 300)],
    );
    let b = book(&l, vec![promise("P1", 15, 20, 100, &[])], 30);
    assert_eq!((b.values[0].paid, b.values[0].status), (d(100), Status::Kept));
}

#[test]
fn broken_before_counts_earlier_deadlines_of_the_same_customer() {
    // P1 deadline 13 (broken), P2 deadline 23 (partially kept: 10 on day 20),
    // P3 kept (100 on day 27). P2, made day 15, sees P1 (13 < 15): 1; P3 made
    // day 25 sees P1 and P2 (23 < 25): 2; P4 made day 30 the same two, not
    // P3 (kept). P5 made day 13: P1's deadline 13 is not before 13 -> 0.
    // D's broken promise (another customer) counts for nobody of C.
    let l = ledger(
        &[("A", "C", Some(1), 500), ("X", "D", Some(1), 500)],
        &[(0, Some(20), 10), (0, Some(27), 100)],
    );
    let mut other = promise("Q1", 1, 5, 100, &[]);
    other.customer = 2;
    let list = vec![
        promise("P1", 5, 10, 100, &[]),
        promise("P2", 15, 20, 100, &[]),
        promise("P3", 25, 26, 100, &[]),
        promise("P4", 30, 40, 100, &[]),
        promise("P5", 13, 40, 100, &[]),
        other,
    ];
    let b = book(&l, list, 30);
    let statuses: Vec<Status> = b.values.iter().map(|v| v.status).collect();
    use Status::*;
    assert_eq!(statuses, vec![Broken, PartiallyKept, Kept, Open, Open, Broken]);
    let before: Vec<u64> = b.values.iter().map(|v| v.broken_before).collect();
    assert_eq!(before, vec![0, 1, 2, 2, 0, 0]);
}

#[test]
fn a_promise_created_after_the_as_of_date_is_ignored() {
    let l = ledger(&[("A", "C", Some(1), 500)], &[(0, Some(18), 100)]);
    let b = book(&l, vec![promise("P1", 15, 20, 100, &[]), promise("LATE", 19, 20, 100, &[])], 18);
    assert_eq!(b.promises.len(), 1);
    assert_eq!(b.promises[0].id, "P1");
    assert!(b.open_pairs().is_empty(), "P1 is kept, LATE does not exist yet");
    let b = book(&l, vec![promise("LATE", 19, 20, 100, &[])], 18);
    assert!(b.promises.is_empty());
}

#[test]
fn segment_counts_and_kpi_sums_use_the_lookback_and_the_deadline() {
    // As of 30: P1 (deadline 13) broken, P2 (deadline 23) partially kept (10
    // on day 20), P3 kept day 27, P4 open (deadline 43).
    let l = ledger(&[("A", "C", Some(1), 500)], &[(0, Some(20), 10), (0, Some(27), 100)]);
    let list = vec![
        promise("P1", 5, 10, 100, &[]),
        promise("P2", 15, 20, 100, &[]),
        promise("P3", 25, 26, 100, &[]),
        promise("P4", 28, 40, 50, &[]),
    ];
    let b = book(&l, list, 30);
    assert_eq!(b.open_pairs().into_iter().collect::<Vec<_>>(), vec![(1, 1)]);
    // Lookback from day 14: P1's deadline 13 is out; P2 in; P3 kept day 27 in.
    assert_eq!(b.counts(14)[&(1, 1)], PromiseCounts { open: 1, broken: 1, kept: 1 });
    assert_eq!(b.counts(13)[&(1, 1)], PromiseCounts { open: 1, broken: 2, kept: 1 });
    assert_eq!(b.counts(28)[&(1, 1)], PromiseCounts { open: 1, broken: 0, kept: 0 });
    // Periods [1, 20] and [21, 30]: deadlines 13 | 23, 29 (P4's 43 in neither).
    let sums = b.measure(&[(1, 20), (21, 30)], 1, |_, _| Some(0));
    assert_eq!((sums[0][0].due, sums[0][0].kept, sums[0][0].amount, sums[0][0].paid), (1, 0, d(100), d(0)));
    // P2 10 + P3 100 paid of 200: 55 %; kept 1 of 2: 50 %.
    assert_eq!((sums[1][0].due, sums[1][0].kept, sums[1][0].amount, sums[1][0].paid), (2, 1, d(200), d(110)));
    assert_eq!((sums[1][0].kept_rate_pct(), sums[1][0].amount_kept_pct()), (Some(d(50)), Some(d(55))));
    assert_eq!(sums[0][0].kept_rate_pct(), Some(d(0)));
}

mod properties {
    use super::super::*;
    use crate::domain::testing::ledger;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the payments (reversals, credit notes, undated ones):
        /// a promise holds between 0 and its amount; it is kept exactly when
        /// full, on a day between its creation and its deadline; and the
        /// promises of a (customer, currency) never hold more than its
        /// positive invoices received.
        #[test]
        fn promises_hold_what_was_paid_and_no_more(
            docs in prop::collection::vec((1u32..3, prop::option::of(0i32..60), 0i32..90, -5_000i64..50_000), 1..12),
            pays in prop::collection::vec((0usize..100, prop::option::of(0i32..100), -20_000i64..30_000), 0..30),
            made in prop::collection::vec((0u32..5, 1u32..3, 0i32..100, 0i32..20, 1i64..40_000, prop::option::of(0usize..12)), 0..10),
            as_of in 30i32..110,
        ) {
            let ledger = ledger(&docs, &pays).restrict_to(as_of);
            let promises: Vec<Promise> = made
                .iter()
                .enumerate()
                .map(|(n, &(c, k, created, wait, cents, invoice))| Promise {
                    id: format!("P{n}"),
                    customer: c + 1,
                    currency: k,
                    created,
                    promised: created + wait,
                    amount: Decimal::new(cents, 2),
                    invoices: invoice.filter(|&i| i < docs.len()).map(|i| vec![i as u32]).unwrap_or_default(),
                    note: String::new(),
                })
                .collect();
            let book = Book::new(&ledger, promises, PromiseParams { as_of, tolerance: 2 });
            for (p, v) in book.iter() {
                prop_assert!(p.created <= as_of);
                prop_assert!(v.paid >= Decimal::ZERO && v.paid <= p.amount);
                prop_assert_eq!(v.status == Status::Kept, v.paid == p.amount);
                prop_assert_eq!(v.kept_date.is_some(), v.status == Status::Kept);
                if let Some(k) = v.kept_date {
                    prop_assert!(p.created <= k && k <= v.deadline);
                }
                let pair = (p.customer, p.currency);
                let held: Decimal = book.iter().filter(|(q, _)| (q.customer, q.currency) == pair).map(|(_, w)| w.paid).sum();
                let received: Decimal = ledger
                    .payments
                    .iter()
                    .filter(|pay| {
                        let inv = &ledger.invoices[pay.invoice as usize];
                        (inv.customer, inv.currency) == pair && inv.amount > Decimal::ZERO && pay.date().is_some() && pay.amount > Decimal::ZERO
                    })
                    .map(|pay| pay.amount)
                    .sum();
                prop_assert!(held <= received, "held {} received {}", held, received);
            }
        }
    }
}
