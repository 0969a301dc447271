#!/usr/bin/env python3
"""Independent reference implementation of `cobro forecast` (SPEC section 4 `forecast`).

Written from /work/shared/SPEC.md alone (sections 1, 3 and 4 `forecast`), without reading
cobro's code. Python 3 standard library only; money is exact: amounts are Decimal, the
shares open/n are exact fractions (fractions.Fraction), and every printed number is
rounded once, half away from zero, to the currency's minor digits (pct: 2 decimals).

Input files use the canonical headers (no aliases, ISO dates, plain amounts):
  invoices.csv  customer,customer_name,invoice,issue_date,due_date,amount,currency,disputed
  payments.csv  invoice,date,amount[,customer]
"In dispute" is SPEC section 1's: the `disputed` column, or for the documents named by
--disputes FILE (invoice,opened[,closed,reason,dispute_id,outcome]) their dated disputes.

Rerun:
  python3 tests/reference/forecast.py INVOICES PAYMENTS --as-of YYYY-MM-DD [--weeks 13]
      [--lookback 365] [--min-history 5] [--detail] [--backtest] [--disputes FILE]
prints {"rows": [...], "totals": [...]} as `cobro forecast -f json` should.
tests/reference/diff_pf.py compares it with cobro on random data.
"""
import argparse
import datetime as dt
import json
import sys
from decimal import Decimal
from fractions import Fraction

import refcommon as rc


class NoLaterPayments(Exception):
    pass


def settle(inv, as_of):
    """settle_i (SPEC section 1) judged up to as_of, or None while open (amount > 0).

    Undated payments (single-file open_amount) count from the beginning of time, so an
    invoice they settle is settled on its issue date; without an issue date it has been
    settled "forever" and has no day to measure a delay from: None as well."""
    pays = sorted((d, a) for (d, a, _) in inv.payments if d is not None and d <= as_of)
    bal0 = inv.amount - sum((a for (d, a, _) in inv.payments if d is None), Decimal(0))
    bal = bal0
    by_day = []  # (day, balance at its end)
    for d, a in pays:
        bal -= a
        if by_day and by_day[-1][0] == d:
            by_day[-1] = (d, bal)
        else:
            by_day.append((d, bal))
    if bal > 0:
        return None
    s = None
    for i in range(len(by_day) - 1, -1, -1):
        if by_day[i][1] > 0:
            s = by_day[i + 1][0]
            break
    else:
        if bal0 > 0:
            s = by_day[0][0]
        else:
            return inv.issue
    if inv.issue is not None and inv.issue > s:
        s = inv.issue
    return s


def in_dispute_at(disputes_path, invs, as_of):
    """SPEC section 1 "in dispute" at as_of: for the documents the disputes file names,
    a dispute with opened <= as_of and no closed date or closed > as_of; for the others,
    the `disputed` column (true from the issue date on; the document exists at as_of)."""
    if not disputes_path:
        return lambda inv: inv.disputed
    named = {}
    for row in rc.read_csv(disputes_path):
        iid = row["invoice"].strip()
        opened = rc.date(row["opened"])
        closed = rc.date(row.get("closed"))
        on = opened <= as_of and (closed is None or closed > as_of)
        named[iid] = named.get(iid, False) or on
    return lambda inv: named[inv.id] if inv.id in named else inv.disputed


def compute(invoices_path, payments_path, as_of, weeks=13, lookback=365, min_history=5,
            detail=False, backtest=False, default_currency="EUR", disputes_path=None):
    inv_list, invs, pays = rc.load(invoices_path, payments_path, default_currency)
    disputed = in_dispute_at(disputes_path, invs, as_of)
    live = [i for i in inv_list if i.exists(as_of)]
    names = rc.customer_names(live)
    lb_start = as_of - dt.timedelta(days=lookback - 1)

    # histories
    hist = {}  # (customer, currency) -> [delay]
    port = {}  # currency -> [delay]
    for inv in live:
        if inv.amount <= 0:
            continue
        s = settle(inv, as_of)
        if s is None or not (lb_start <= s <= as_of):
            continue
        delay = (s - inv.due).days
        hist.setdefault((inv.customer, inv.currency), []).append(delay)
        port.setdefault(inv.currency, []).append(delay)

    end_w = as_of + dt.timedelta(days=7 * weeks)

    def slot(day):  # week index 1..weeks, or 'later'
        t = (day - as_of).days
        assert t >= 1
        k = (t - 1) // 7 + 1
        return k if k <= weeks else "later"

    later_pays = [(inv, d, a) for (inv, d, a, _) in pays if d is not None and d > as_of]
    if backtest and not later_pays:
        raise NoLaterPayments("no payment dated after the as-of date")

    def c_after(inv, opn, upto=None):
        """c(d): net payments dated in (as_of, d], clipped to [0, open]."""
        s = sum((a for (d, a, _) in inv.payments
                 if d is not None and d > as_of and (upto is None or d <= upto)), Decimal(0))
        return min(max(s, Decimal(0)), opn)

    cands = []
    for inv in live:
        if inv.amount <= 0:
            continue
        opn = inv.open_at(as_of)
        if opn <= 0:
            continue
        cands.append((inv, opn))

    currencies = sorted({inv.currency for inv, _ in cands})
    keys = ["W%02d" % k for k in range(1, weeks + 1)] + ["later", "disputed"]
    agg = {cur: {k: {"exp": Fraction(0), "n": set(), "act": Fraction(0), "naive": Fraction(0)}
                 for k in keys} for cur in currencies}
    tot = {cur: {"exp": Fraction(0), "n": 0, "act": Fraction(0)} for cur in currencies}
    det = []
    for inv, opn in cands:
        cur = inv.currency
        A = agg[cur]
        p = (as_of - inv.due).days
        tot[cur]["exp"] += Fraction(opn)
        tot[cur]["n"] += 1
        d = {"customer": inv.customer, "customer_name": names.get(inv.customer),
             "invoice": inv.id, "currency": cur, "due_date": inv.due.isoformat(),
             "open": rc.money(opn, cur), "days_past_due": str(p)}
        if disputed(inv):
            A["disputed"]["exp"] += Fraction(opn)
            A["disputed"]["naive"] += Fraction(opn)
            A["disputed"]["n"].add(inv.id)
            if backtest:
                A["disputed"]["act"] += Fraction(c_after(inv, opn))
            d.update(basis="disputed", sample_size="0", expected_date=None, p10_date=None,
                     p90_date=None, in_horizon_pct=None)
        else:
            own = sorted(x for x in hist.get((inv.customer, cur), []) if x > p)
            if len(own) >= min_history:
                basis, sample = "customer", own
            else:
                pf = sorted(x for x in port.get(cur, []) if x > p)
                if len(pf) >= min_history:
                    basis, sample = "portfolio", pf
                else:
                    basis, sample = "none", []
            n = len(sample)
            if n == 0:
                A["later"]["exp"] += Fraction(opn)
                A["later"]["n"].add(inv.id)
                d.update(basis=basis, sample_size="0", expected_date=None, p10_date=None,
                         p90_date=None, in_horizon_pct=None)
            else:
                share = Fraction(opn) / n
                inh = 0
                for delta in sample:
                    k = slot(inv.due + dt.timedelta(days=delta))
                    key = "later" if k == "later" else "W%02d" % k
                    A[key]["exp"] += share
                    A[key]["n"].add(inv.id)
                    if k != "later":
                        inh += 1

                def nth(r):
                    return (inv.due + dt.timedelta(days=sample[r - 1])).isoformat()
                d.update(basis=basis, sample_size=str(n), expected_date=nth((n + 1) // 2),
                         p10_date=nth((n + 9) // 10), p90_date=nth((9 * n + 9) // 10),
                         in_horizon_pct=rc.pct(inh, n))
            # naive: whole open on max(due, as_of + 1)
            nd = max(inv.due, as_of + dt.timedelta(days=1))
            k = slot(nd)
            A["later" if k == "later" else "W%02d" % k]["naive"] += Fraction(opn)
            if backtest:
                prev = Decimal(0)
                for k in range(1, weeks + 1):
                    ck = c_after(inv, opn, as_of + dt.timedelta(days=7 * k))
                    A["W%02d" % k]["act"] += Fraction(ck - prev)
                    prev = ck
                A["later"]["act"] += Fraction(c_after(inv, opn) - prev)
        if backtest:
            d["actual"] = rc.money(c_after(inv, opn), cur)
        det.append(d)

    if detail:
        det.sort(key=lambda r: (-int(r["days_past_due"]), r["customer"], r["currency"],
                                r["invoice"]))
        return {"rows": det, "totals": []}

    rows = []
    totals = []
    for cur in currencies:
        A = agg[cur]
        cum = Fraction(0)
        wabs = Fraction(0)
        nabs = Fraction(0)
        wact = Fraction(0)
        for i, key in enumerate(keys):
            r = {"period": key}
            if key.startswith("W"):
                k = i + 1
                r["week_start"] = (as_of + dt.timedelta(days=7 * (k - 1) + 1)).isoformat()
                r["week_end"] = (as_of + dt.timedelta(days=7 * k)).isoformat()
                cum += A[key]["exp"]
                wabs += abs(A[key]["exp"] - A[key]["act"])
                nabs += abs(A[key]["naive"] - A[key]["act"])
                wact += A[key]["act"]
            else:
                r["week_start"] = None
                r["week_end"] = None
            r["currency"] = cur
            r["expected"] = rc.money(A[key]["exp"], cur)
            r["cumulative"] = rc.money(cum, cur) if key.startswith("W") else None
            r["invoices"] = str(len(A[key]["n"]))
            if backtest:
                r["actual"] = rc.money(A[key]["act"], cur)
                r["naive"] = rc.money(A[key]["naive"], cur)
            rows.append(r)
        t = {"period": None, "week_start": None, "week_end": None, "currency": cur,
             "expected": rc.money(tot[cur]["exp"], cur), "cumulative": None,
             "invoices": str(tot[cur]["n"])}
        if backtest:
            t["actual"] = rc.money(sum((A[k]["act"] for k in keys), Fraction(0)), cur)
            t["naive"] = rc.money(sum((A[k]["naive"] for k in keys), Fraction(0)), cur)
            t["wape_pct"] = rc.pct(wabs, wact) if wact > 0 else None
            t["naive_wape_pct"] = rc.pct(nabs, wact) if wact > 0 else None
        totals.append(t)
    return {"rows": rows, "totals": totals}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("invoices")
    ap.add_argument("payments")
    ap.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
    ap.add_argument("--weeks", type=int, default=13)
    ap.add_argument("--lookback", type=int, default=365)
    ap.add_argument("--min-history", type=int, default=5)
    ap.add_argument("--detail", action="store_true")
    ap.add_argument("--backtest", action="store_true")
    ap.add_argument("--currency", default="EUR")
    ap.add_argument("--disputes", help="dispute log (invoice,opened[,closed,...])")
    a = ap.parse_args()
    out = compute(a.invoices, a.payments, a.as_of, a.weeks, a.lookback, a.min_history,
                  a.detail, a.backtest, a.currency, a.disputes)
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
