#!/usr/bin/env python3
"""Independent reference implementation of `cobro promise` (SPEC section 4 `promise`).

Written from /work/shared/SPEC.md alone (sections 1, 3 and 4 `promise`), without reading
cobro's code, so that its numbers can be checked against a second reading of the SPEC.
Python 3 standard library only; money is exact (decimal.Decimal), rounded once on output.

Input files use the canonical headers (no aliases, ISO dates, plain amounts):
  invoices.csv  customer,customer_name,invoice,issue_date,due_date,amount,currency,disputed
  payments.csv  invoice,date,amount[,customer]
  promises.csv  promise_id,customer,created,promised_date,amount,currency,invoice,note
The data must be valid (no bad rows): this script checks numbers, not input errors.

Rerun:
  python3 tests/reference/promise.py INVOICES PAYMENTS PROMISES --as-of YYYY-MM-DD \
      [--tolerance N] [--currency EUR]
prints {"rows": [...], "totals": [...]} as `cobro promise -f json` should (numbers as JSON
numbers with the currency's digits). tests/reference/diff_pf.py compares it with cobro.
"""
import argparse
import datetime as dt
import json
import sys
from decimal import Decimal

import refcommon as rc

DAY = dt.timedelta(days=1)


class Promise:
    def __init__(self, row, line, invs, default_currency):
        self.id = (row.get("promise_id") or "").strip() or "P%d" % line
        self.customer = row["customer"].strip()
        self.created = rc.date(row["created"])
        self.promised = rc.date(row["promised_date"])
        self.amount = rc.amount(row["amount"])
        ids = rc.invoice_ids(row)  # a repeated id counts once
        self.invoices = ids
        cur = (row.get("currency") or "").strip()
        if not cur:
            cur = invs[ids[0]].currency if ids else default_currency
        self.currency = cur
        self.note = (row.get("note") or "").strip() or None
        self.paid = Decimal(0)
        self.held = {}  # invoice id -> money this promise holds from it
        self.kept_date = None
        self.deadline = None

    def fill_key(self):
        return (self.promised, self.created, self.id)

    def holds(self, inv_id):
        return not self.invoices or inv_id in self.invoices


def compute(invoices_path, payments_path, promises_path, as_of, tolerance=3,
            default_currency="EUR"):
    inv_list, invs, pays = rc.load(invoices_path, payments_path, default_currency)
    promises, by_cust, names = evaluate(inv_list, invs, pays, promises_path, as_of,
                                        tolerance, default_currency)
    return report(promises, by_cust, names)


def evaluate(inv_list, invs, pays, promises_path, as_of, tolerance=3,
             default_currency="EUR"):
    """Every promise created up to as_of, valued at as_of: each gets `deadline`, `paid`,
    `kept_date` and `status`. Returns (promises, promises by (customer, currency) in fill
    order, customer names). tests/reference/side_files.py uses it for kpi/segment/dunning."""
    # customer_name as the documents existing at the as-of date carry it (cobro's reading:
    # documents issued later are ignored, their names too)
    names = rc.customer_names([i for i in inv_list if i.exists(as_of)])
    promises = []
    for k, row in enumerate(rc.read_csv(promises_path)):
        p = Promise(row, k + 2, invs, default_currency)
        if p.created > as_of:  # promises created after the as-of date are ignored
            continue
        p.deadline = p.promised + dt.timedelta(days=tolerance)
        promises.append(p)
    by_cust = {}
    for p in promises:
        by_cust.setdefault((p.customer, p.currency), []).append(p)
    for lst in by_cust.values():
        lst.sort(key=Promise.fill_key)

    # Payments that can keep promises: dated, of invoices with amount > 0, on their
    # effective date max(date, issue), effective up to the as-of date; effective-date
    # order, then file order.
    events = rc.promise_events(pays, as_of)

    for eff, _, inv, a in events:
        plist = by_cust.get((inv.customer, inv.currency), [])
        if a > 0:
            left = a
            for p in plist:
                if left <= 0:
                    break
                if not (p.created <= eff <= p.deadline and p.holds(inv.id)):
                    continue
                take = min(left, p.amount - p.paid)
                if take <= 0:
                    continue
                before = p.paid
                p.paid += take
                p.held[inv.id] = p.held.get(inv.id, Decimal(0)) + take
                left -= take
                if before < p.amount <= p.paid:
                    p.kept_date = eff
        elif a < 0:
            back = -a
            for p in reversed(plist):
                if back <= 0:
                    break
                h = p.held.get(inv.id, Decimal(0))
                if h <= 0:
                    continue
                give = min(h, back)
                p.held[inv.id] = h - give
                p.paid -= give
                back -= give

    for p in promises:
        if p.paid >= p.amount:
            p.status = "kept"
        elif as_of <= p.deadline:
            p.status = "open"
        elif p.paid > 0:
            p.status = "partially_kept"
        else:
            p.status = "broken"
    return promises, by_cust, names


def report(promises, by_cust, names):
    rows = []
    for p in promises:
        bb = sum(1 for q in by_cust[(p.customer, p.currency)]
                 if q.deadline < p.created and q.status in ("broken", "partially_kept"))
        kept = p.status == "kept"
        cur = p.currency
        rows.append({
            "promise_id": p.id,
            "customer": p.customer,
            "customer_name": names.get(p.customer),
            "currency": cur,
            "created": rc.iso(p.created),
            "promised_date": rc.iso(p.promised),
            "deadline": rc.iso(p.deadline),
            "amount": rc.money(p.amount, cur),
            "paid": rc.money(p.paid, cur),
            "status": p.status,
            "kept_date": rc.iso(p.kept_date) if kept else None,
            "days_late": str(max(0, (p.kept_date - p.promised).days)) if kept else None,
            "broken_before": str(bb),
            "invoices": list(p.invoices),
            "note": p.note,
            "_key": (p.promised, p.customer, cur, p.id),
        })
    rows.sort(key=lambda r: r["_key"])
    for r in rows:
        del r["_key"]
    totals = []
    for cur in sorted({p.currency for p in promises}):
        ps = [p for p in promises if p.currency == cur]
        totals.append({
            "currency": cur,
            "promises": str(len(ps)),
            "amount": rc.money(sum((p.amount for p in ps), Decimal(0)), cur),
            "paid": rc.money(sum((p.paid for p in ps), Decimal(0)), cur),
            "kept": str(sum(p.status == "kept" for p in ps)),
            "partially_kept": str(sum(p.status == "partially_kept" for p in ps)),
            "broken": str(sum(p.status == "broken" for p in ps)),
            "open": str(sum(p.status == "open" for p in ps)),
        })
    return {"rows": rows, "totals": totals}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("invoices")
    ap.add_argument("payments")
    ap.add_argument("promises")
    ap.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
    ap.add_argument("--tolerance", type=int, default=3)
    ap.add_argument("--currency", default="EUR")
    a = ap.parse_args()
    out = compute(a.invoices, a.payments, a.promises, a.as_of, a.tolerance, a.currency)
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
