//! "In dispute on day d" at its boundaries (SPEC §1).

use super::*;
use crate::domain::ledger::Invoice;

/// Documents (id, issue, disputed column), amount 100, due day 30.
fn ledger(docs: &[(&str, Option<Day>, bool)]) -> Ledger {
    let mut l = Ledger::default();
    l.currencies.intern("EUR");
    let customer = l.customers.intern("C");
    for &(id, issue, disputed) in docs {
        let id = l.ids.insert(id).unwrap();
        l.invoices.push(Invoice {
            id,
            customer,
            currency: 1,
            issue: issue.into(),
            due: 30,
            amount: Decimal::from(100),
            disputed,
            name: 0,
        });
    }
    l
}

fn dispute(invoice: u32, opened: Day, closed: Option<Day>) -> Dispute {
    Dispute {
        id: format!("D{opened}"),
        invoice,
        opened,
        closed,
        reason: String::new(),
        outcome: String::new(),
    }
}

#[test]
fn a_dispute_is_open_from_its_opening_day_up_to_the_day_before_it_closes() {
    let l = ledger(&[("A", Some(1), false)]);
    let d = Disputes::new(&l, &[dispute(0, 10, Some(20))], 50);
    let days: Vec<bool> = [9, 10, 19, 20].iter().map(|&day| d.in_dispute(0, day)).collect();
    assert_eq!(days, vec![false, true, true, false]);
    // Closed on the as-of date: no longer in dispute that day.
    let d = Disputes::new(&l, &[dispute(0, 10, Some(20))], 20);
    assert!(!d.in_dispute(0, 20));
    // Closing after the as-of date is not known yet: open at the as-of date.
    let d = Disputes::new(&l, &[dispute(0, 10, Some(21))], 20);
    assert_eq!(d.log[0].closed, None);
    assert!(d.in_dispute(0, 20));
}

#[test]
fn an_invoice_disputed_twice_and_one_closed_the_day_it_opened() {
    let l = ledger(&[("A", Some(1), false)]);
    // [10, 15) then reopened [18, open); and a same-day one on day 40.
    let d =
        Disputes::new(&l, &[dispute(0, 10, Some(15)), dispute(0, 18, None), dispute(0, 40, Some(40))], 50);
    let days: Vec<bool> = [10, 14, 15, 17, 18, 39, 40, 50].iter().map(|&day| d.in_dispute(0, day)).collect();
    assert_eq!(days, vec![true, true, false, false, true, true, true, true]);
    let same_day = Disputes::new(&l, &[dispute(0, 40, Some(40))], 50);
    assert!(!same_day.in_dispute(0, 40));
    assert!(!same_day.in_dispute(0, 39));
}

#[test]
fn the_disputed_column_counts_from_the_issue_date_for_documents_the_file_does_not_name() {
    // A flagged, issued day 5; B flagged without issue date; C flagged but
    // named by the file (closed day 20): its dated history wins.
    let l = ledger(&[("A", Some(5), true), ("B", None, true), ("C", Some(1), true), ("D", Some(1), false)]);
    let d = Disputes::new(&l, &[dispute(2, 10, Some(20))], 50);
    assert_eq!((d.in_dispute(0, 4), d.in_dispute(0, 5)), (false, true));
    assert!(d.in_dispute(1, -1000));
    assert_eq!((d.in_dispute(2, 5), d.in_dispute(2, 10), d.in_dispute(2, 25)), (false, true, false));
    assert!(!d.in_dispute(3, 25));
    // A dispute opened after the as-of date: C is named, so the column is
    // ignored, and nothing is open yet.
    let later = Disputes::new(&l, &[dispute(2, 60, None)], 50);
    assert!(!later.in_dispute(2, 50));
    assert!(later.log.is_empty());
    // Without a file, the column alone.
    let column = Disputes::new(&l, &[], 50);
    assert_eq!((column.in_dispute(2, 25), column.in_dispute(3, 25)), (true, false));
}
