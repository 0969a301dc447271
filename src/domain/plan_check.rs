//! Are debtors keeping their payment agreements? (docs/plan.md)
//!
//! Payments, in date order, fill the oldest unpaid installment first; a
//! payment with only a customer fills that customer's plans one after the
//! other (earliest first due date, then plan id); a negative payment takes
//! money back from the newest paid money (beyond what was paid, the plan
//! owes it, and later money makes that good first); money beyond the last
//! installment stays as a surplus. The status is judged at the as-of date.

use crate::dates::Day;
use rust_decimal::Decimal;

#[derive(Clone, Debug)]
pub struct Installment {
    pub n: u32,
    pub due: Day,
    pub amount: Decimal,
}

/// One agreement; installments sorted by due date, then `n`.
#[derive(Clone, Debug)]
pub struct Plan {
    pub id: String,
    pub customer: String,
    pub installments: Vec<Installment>,
}

/// Who a payment is for.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// Index into the plans.
    Plan(usize),
    /// Indexes of the customer's plans, oldest first.
    Customer(Vec<usize>),
}

#[derive(Clone, Debug)]
pub struct PlanPayment {
    pub target: Target,
    pub date: Day,
    pub amount: Decimal,
}

#[derive(Clone, Copy, Debug)]
pub struct CheckParams {
    pub as_of: Day,
    /// Days after the due date before an unpaid installment is overdue.
    pub grace: i32,
    /// Overdue installments that make a plan `broken`.
    pub broken_after: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Completed,
    Broken,
    Late,
    OnTrack,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Completed => "completed",
            Status::Broken => "broken",
            Status::Late => "late",
            Status::OnTrack => "on_track",
        }
    }
}

/// A plan's standing at the as-of date.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanStatus {
    pub status: Status,
    pub installments: u32,
    pub paid_installments: u32,
    /// All money applied, surplus included.
    pub paid_amount: Decimal,
    /// Unpaid remainder of every installment.
    pub remaining: Decimal,
    pub overdue_amount: Decimal,
    pub installments_overdue: u32,
    pub next_due_date: Option<Day>,
    pub next_amount: Option<Decimal>,
    pub max_days_late: i32,
}

/// Money applied to one installment so far.
#[derive(Clone, Debug, Default)]
struct Paid {
    amount: Decimal,
    /// The day it became fully paid (cleared if money is taken back).
    on: Option<Day>,
}

/// Running state of every plan.
struct Ledger<'a> {
    plans: &'a [Plan],
    paid: Vec<Vec<Paid>>,
    surplus: Vec<Decimal>,
}

impl<'a> Ledger<'a> {
    fn new(plans: &'a [Plan]) -> Self {
        let paid = plans.iter().map(|p| vec![Paid::default(); p.installments.len()]).collect();
        Ledger { plans, paid, surplus: vec![Decimal::ZERO; plans.len()] }
    }

    /// Fills unpaid installments of `plan`, oldest first; returns what is left.
    /// Money taken back beyond what was paid (a negative surplus) is made
    /// good first: only money the plan holds on balance pays an installment.
    fn fill(&mut self, plan: usize, mut money: Decimal, date: Day) -> Decimal {
        let deficit = (-self.surplus[plan]).max(Decimal::ZERO);
        let repaid = money.min(deficit).max(Decimal::ZERO);
        self.surplus[plan] += repaid;
        money -= repaid;
        for (inst, paid) in self.plans[plan].installments.iter().zip(&mut self.paid[plan]) {
            let missing = inst.amount - paid.amount;
            if money <= Decimal::ZERO || missing <= Decimal::ZERO {
                continue;
            }
            let take = money.min(missing);
            paid.amount += take;
            money -= take;
            if paid.amount >= inst.amount {
                paid.on = Some(date);
            }
        }
        money
    }

    /// Takes money back from `plan`, newest first (surplus, then the newest
    /// paid installment); returns what could not be taken.
    fn take_back(&mut self, plan: usize, mut money: Decimal) -> Decimal {
        let from_surplus = money.min(self.surplus[plan].max(Decimal::ZERO));
        self.surplus[plan] -= from_surplus;
        money -= from_surplus;
        for (inst, paid) in self.plans[plan].installments.iter().zip(&mut self.paid[plan]).rev() {
            if money <= Decimal::ZERO {
                break;
            }
            let take = money.min(paid.amount);
            paid.amount -= take;
            money -= take;
            if paid.amount < inst.amount {
                paid.on = None;
            }
        }
        money
    }

    fn apply(&mut self, payment: &PlanPayment) {
        let plans: Vec<usize> = match &payment.target {
            Target::Plan(p) => vec![*p],
            Target::Customer(list) => list.clone(),
        };
        let (Some(&first), Some(&last)) = (plans.first(), plans.last()) else { return };
        if payment.amount >= Decimal::ZERO {
            let left = plans.iter().fold(payment.amount, |m, &p| self.fill(p, m, payment.date));
            self.surplus[last] += left;
        } else {
            let left = plans.iter().rev().fold(-payment.amount, |m, &p| self.take_back(p, m));
            self.surplus[first] -= left;
        }
    }
}

/// The status of every plan at the as-of date (payments after it ignored).
pub fn check(plans: &[Plan], payments: &[PlanPayment], params: CheckParams) -> Vec<PlanStatus> {
    let mut ordered: Vec<&PlanPayment> = payments.iter().filter(|p| p.date <= params.as_of).collect();
    ordered.sort_by_key(|p| p.date);
    let mut ledger = Ledger::new(plans);
    for payment in ordered {
        ledger.apply(payment);
    }
    (0..plans.len()).map(|i| standing(&plans[i], &ledger.paid[i], ledger.surplus[i], params)).collect()
}

fn standing(plan: &Plan, paid: &[Paid], surplus: Decimal, params: CheckParams) -> PlanStatus {
    let mut s = PlanStatus {
        status: Status::OnTrack,
        installments: plan.installments.len() as u32,
        paid_installments: 0,
        paid_amount: paid.iter().map(|p| p.amount).sum::<Decimal>() + surplus,
        remaining: Decimal::ZERO,
        overdue_amount: Decimal::ZERO,
        installments_overdue: 0,
        next_due_date: None,
        next_amount: None,
        max_days_late: 0,
    };
    for (inst, p) in plan.installments.iter().zip(paid) {
        let unpaid = (inst.amount - p.amount).max(Decimal::ZERO);
        // An installment of 0.00 is never unpaid, so never late.
        let days_late = match p.on {
            _ if !unpaid.is_zero() => params.as_of - inst.due,
            Some(on) => on - inst.due,
            None => 0,
        };
        s.max_days_late = s.max_days_late.max(days_late);
        if unpaid.is_zero() {
            s.paid_installments += 1;
            continue;
        }
        s.remaining += unpaid;
        if s.next_due_date.is_none() {
            s.next_due_date = Some(inst.due);
            s.next_amount = Some(unpaid);
        }
        if params.as_of - inst.due > params.grace {
            s.installments_overdue += 1;
            s.overdue_amount += unpaid;
        }
    }
    s.status = if s.paid_installments == s.installments {
        Status::Completed
    } else if s.installments_overdue >= params.broken_after {
        Status::Broken
    } else if s.installments_overdue > 0 {
        Status::Late
    } else {
        Status::OnTrack
    };
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::ymd;

    fn day(m: u32, d: u32) -> Day {
        ymd(2025, m, d).unwrap()
    }

    /// Three monthly installments of 100.00 due Jan 10, Feb 10, Mar 10.
    fn plan(id: &str, customer: &str, first_month: u32) -> Plan {
        Plan {
            id: id.into(),
            customer: customer.into(),
            installments: (0..3)
                .map(|k| Installment {
                    n: k + 1,
                    due: day(first_month + k, 10),
                    amount: Decimal::new(10000, 2),
                })
                .collect(),
        }
    }

    fn pay(target: Target, m: u32, d: u32, cents: i64) -> PlanPayment {
        PlanPayment { target, date: day(m, d), amount: Decimal::new(cents, 2) }
    }

    fn params(m: u32, d: u32) -> CheckParams {
        CheckParams { as_of: day(m, d), grace: 5, broken_after: 2 }
    }

    #[test]
    fn grace_day_boundary_between_on_track_and_late() {
        let plans = [plan("P1", "A", 1)];
        // Jan 15 is exactly 5 days after Jan 10: still within grace.
        assert_eq!(check(&plans, &[], params(1, 15))[0].status, Status::OnTrack);
        let late = &check(&plans, &[], params(1, 16))[0];
        assert_eq!(late.status, Status::Late);
        assert_eq!(late.installments_overdue, 1);
        assert_eq!(late.overdue_amount, Decimal::new(10000, 2));
        assert_eq!(late.max_days_late, 6);
    }

    #[test]
    fn second_missed_installment_breaks_the_plan() {
        let plans = [plan("P1", "A", 1)];
        // Feb 15: second installment within grace -> late; Feb 16 -> broken.
        assert_eq!(check(&plans, &[], params(2, 15))[0].status, Status::Late);
        let broken = &check(&plans, &[], params(2, 16))[0];
        assert_eq!(broken.status, Status::Broken);
        assert_eq!(broken.overdue_amount, Decimal::new(20000, 2));
        assert_eq!(broken.next_due_date, Some(day(1, 10)));
    }

    #[test]
    fn overpayment_carries_to_the_next_installment_and_prepayment_counts() {
        let plans = [plan("P1", "A", 1)];
        // 150.00 on Jan 5 (before the first due date): installment 1 paid,
        // 50.00 toward installment 2.
        let s = &check(&plans, &[pay(Target::Plan(0), 1, 5, 15000)], params(2, 20))[0];
        assert_eq!(s.paid_installments, 1);
        assert_eq!(s.next_amount, Some(Decimal::new(5000, 2)));
        assert_eq!(s.remaining, Decimal::new(15000, 2));
        assert_eq!(s.status, Status::Late);
        assert_eq!(s.max_days_late, 10); // Feb 10 unpaid at Feb 20
    }

    #[test]
    fn surplus_reversal_and_completion() {
        let plans = [plan("P1", "A", 1)];
        let payments = [
            pay(Target::Plan(0), 1, 10, 10000),
            pay(Target::Plan(0), 2, 12, 25000), // pays 2 and 3, 50.00 surplus
            pay(Target::Plan(0), 2, 20, -7000), // takes the surplus, then 20.00 of installment 3
        ];
        let s = &check(&plans, &payments[..2], params(3, 31))[0];
        assert_eq!(s.status, Status::Completed);
        assert_eq!(s.paid_amount, Decimal::new(35000, 2));
        assert_eq!(s.next_due_date, None);
        assert_eq!(s.max_days_late, 2); // installment 2 paid on Feb 12
        let s = &check(&plans, &payments, params(3, 31))[0];
        assert_eq!(s.paid_installments, 2);
        assert_eq!(s.next_amount, Some(Decimal::new(2000, 2)));
        assert_eq!(s.max_days_late, 21); // installment 3 unpaid since Mar 10
    }

    /// 30.00 taken back before anything was paid, then 100.00 on Jan 10:
    /// the plan holds 70.00, so installment 1 (100.00) is 30.00 short, not
    /// paid. At Jan 31 it is 21 days past due (> grace 5): late, overdue
    /// 30.00, max_days_late 21; paid_amount 70.00 and remaining 230.00
    /// (30.00 + 100.00 + 100.00) add up to the plan's 300.00.
    #[test]
    fn money_taken_back_before_any_payment_is_made_good_first() {
        let plans = [plan("P1", "A", 1)];
        let payments = [pay(Target::Plan(0), 1, 2, -3000), pay(Target::Plan(0), 1, 10, 10000)];
        let s = &check(&plans, &payments, params(1, 31))[0];
        assert_eq!(s.status, Status::Late);
        assert_eq!(s.paid_amount, Decimal::new(7000, 2));
        assert_eq!(s.remaining, Decimal::new(23000, 2));
        assert_eq!(s.overdue_amount, Decimal::new(3000, 2));
        assert_eq!((s.paid_installments, s.max_days_late), (0, 21));
        assert_eq!(s.next_amount, Some(Decimal::new(3000, 2)));
        // 30.00 more on Jan 20 pays it: 10 days late, the plan on track.
        let more = [payments[0].clone(), payments[1].clone(), pay(Target::Plan(0), 1, 20, 3000)];
        let s = &check(&plans, &more, params(1, 31))[0];
        assert_eq!((s.status, s.paid_installments, s.max_days_late), (Status::OnTrack, 1, 10));
    }

    #[test]
    fn customer_payments_fill_the_oldest_plan_first() {
        let plans = [plan("P1", "A", 1), plan("P2", "A", 2)];
        let both = Target::Customer(vec![0, 1]);
        let s = check(&plans, &[pay(both, 1, 10, 35000)], params(1, 31));
        assert_eq!(s[0].status, Status::Completed);
        assert_eq!(s[1].paid_amount, Decimal::new(5000, 2));
    }

    /// A schedule of 0.02 in 3 writes 0.00, 0.00, 0.02 (due Jan 10, Feb 10,
    /// Mar 10). The two 0.00 installments are never unpaid, so never late:
    /// with the 0.02 paid on its due date, max_days_late is 0 on Jun 30
    /// (not Jun 30 - Jan 10 = 171).
    #[test]
    fn installments_of_nothing_are_never_late() {
        let mut zero = plan("Z", "A", 1);
        let cents = [0, 0, 2];
        for (inst, cents) in zero.installments.iter_mut().zip(cents) {
            inst.amount = Decimal::new(cents, 2);
        }
        let s = &check(&[zero], &[pay(Target::Plan(0), 3, 10, 2)], params(6, 30))[0];
        assert_eq!(s.status, Status::Completed);
        assert_eq!(s.max_days_late, 0);
    }
}
