#!/usr/bin/env python3
"""Independent reference of `cobro kpi -f json`, written from /work/shared/SPEC.md
(sections 1, 3, 4 `kpi`) only. Python 3 stdlib; money Decimal, ratios Fraction, one
rounding half away from zero when printed (refcommon.fmt_fixed; this reference keeps its
own table of minor units, MINOR).

Input: canonical headers. Invoices: customer,customer_name,invoice,issue_date,due_date,
amount,currency,disputed[,any --by column]. Payments: invoice,date,amount[,customer].

CLI: python3 tests/reference/kpi.py INVOICES PAYMENTS --as-of D [--from D] [--to D]
     [--every X] [--by COL] [--grace N] [--window N] [--terms N]
                                     -> prints the JSON object (numbers as in cobro)
"""
import argparse
import datetime as dt
import os
import sys
from decimal import Decimal
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refcommon as rc  # noqa: E402

D1 = dt.timedelta(days=1)
MINOR = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "KWD": 3, "BHD": 3,
         "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3}

Num = rc.Num  # a JSON number kept as its exact text
fmt = rc.num  # (x, digits) -> Num, rounded half away from zero


def money(x, cur):
    return fmt(x, MINOR.get(cur, 2))


def ratio(num, den, mult=1):
    if den == 0:
        return None
    return fmt(Fraction(mult) * Fraction(num) / Fraction(den), 2)


pdate = rc.date
read_csv = rc.read_csv


TERMS = [None]  # --terms DAYS


class Doc(rc.LedgerDoc):  # key, exists, settle
    def __init__(self, row):
        self.customer = row["customer"].strip()
        self.id = row["invoice"].strip()
        self.issue = pdate(row.get("issue_date"))
        self.due = pdate(row.get("due_date"))
        if self.due is None and TERMS[0] is not None:
            self.due = self.issue + dt.timedelta(days=TERMS[0])
        self.amount = Decimal(row["amount"].strip())
        self.currency = (row.get("currency") or "").strip() or "EUR"
        self.row = row
        self.pays = []  # (date, Decimal)

    def open_at(self, d):
        """open_i(d); None when the document does not exist at d."""
        if not self.exists(d):
            return None
        return self.amount - sum((a for (p, a) in self.pays if p is None or p <= d),
                                 Decimal(0))

    def open0(self, d):
        o = self.open_at(d)
        return Decimal(0) if o is None else o


def load(inv_path, pay_path, as_of):
    docs = []
    by_id = {}
    for row in read_csv(inv_path):
        d = Doc(row)
        by_id[d.id] = d
        sp = single_file(d, row)
        if sp is not None and (sp[0] is None or sp[0] <= as_of):
            d.pays.append(sp)
        if d.issue is not None and d.issue > as_of:
            continue  # issued after the as-of date: does not exist for the run
        docs.append(d)
    for row in read_csv(pay_path):
        d = by_id[row["invoice"].strip()]
        p = pdate(row["date"])
        if p > as_of:
            continue
        d.pays.append((p, Decimal(row["amount"].strip())))
    return docs


def single_file(d, row):
    """SPEC 1: paid_date -> one payment of paid_amount (default the whole amount) on it;
    only open_amount -> an undated payment of amount - open_amount; docs/input.md:
    paid_amount without paid_date is undated, open_amount wins over it."""
    pdt = pdate(row.get("paid_date"))
    pa = (row.get("paid_amount") or "").strip()
    oa = (row.get("open_amount") or "").strip()
    if pdt is not None:
        return (pdt, Decimal(pa) if pa else d.amount)
    if oa:
        return (None, d.amount - Decimal(oa))
    if pa:
        return (None, Decimal(pa))
    return None


def episodes(docs, as_of, grace):
    """{(customer,currency): [(start, cure or None), ...]} from day-by-day delinquency."""
    out = {}
    keys = sorted({d.key for d in docs})
    for k in keys:
        pos = [d for d in docs if d.key == k and d.amount > 0]
        if not pos:
            out[k] = []
            continue
        start = min(d.due for d in pos) + D1
        eps = []
        cur_start = None
        day = start
        while day <= as_of:
            delinquent = any(day > d.due + dt.timedelta(days=grace) and d.exists(day)
                             and d.open_at(day) > 0 for d in pos)
            if delinquent and cur_start is None:
                cur_start = day
            elif not delinquent and cur_start is not None:
                eps.append((cur_start, day))
                cur_start = None
            day += D1
        if cur_start is not None:
            eps.append((cur_start, None))
        out[k] = eps
    return out


def measures(docs, eps, S, E, as_of, window):
    pos = [d for d in docs if d.amount > 0]
    # recovery
    owed = Decimal(0)
    rec = Decimal(0)
    for d in pos:
        if not d.due < E:
            continue
        od = d.open_at(d.due)
        if od is None or not od > 0:
            continue
        o = d.open_at(max(S - D1, d.due))
        if o is None or not o > 0:
            continue
        lo = max(S, d.due + D1)
        r = sum((a for (p, a) in d.pays if p is not None and lo <= p <= E), Decimal(0))
        r = min(max(r, Decimal(0)), o)
        owed += o
        rec += r
    # settlement
    settled = []
    for d in pos:
        s = d.settle(as_of)
        if s is not None and S <= s <= E:
            settled.append((d, s))
    collected = [(s - d.due).days for (d, s) in settled if s > d.due]
    late = [max(0, (s - d.due).days) for (d, s) in settled]
    tosettle = [(s - d.issue).days for (d, s) in settled if d.issue is not None]

    def mean(xs):
        return None if not xs else fmt(Fraction(sum(xs), len(xs)), 2)

    # reoffending
    keys = sorted({d.key for d in docs})
    cured = reoff = pending = 0
    w = dt.timedelta(days=window)
    for k in keys:
        cs = [c for (_, c) in eps.get(k, []) if c is not None and S <= c <= E]
        if not cs:
            continue
        c = min(cs)
        cured += 1
        starts = [s for (s, _) in eps[k] if c < s <= c + w and s <= as_of]
        if starts:
            reoff += 1
        elif c + w > as_of:
            pending += 1
    # balances
    ar_begin = sum((d.open0(S - D1) for d in docs), Decimal(0))
    ar_end = sum((d.open0(E) for d in docs), Decimal(0))
    current_end = sum((d.open0(E) for d in docs if d.due >= E), Decimal(0))
    sales = sum((d.amount for d in docs if d.issue is not None and S <= d.issue <= E),
                Decimal(0))
    days = (E - S).days + 1
    if sales > 0:
        dso = Fraction(ar_end) / Fraction(sales) * days
        best = Fraction(current_end) / Fraction(sales) * days
        dso_s, best_s, add_s = fmt(dso, 2), fmt(best, 2), fmt(dso - best, 2)
    else:
        dso_s = best_s = add_s = None
    cden = ar_begin + sales - current_end
    cei = ratio(ar_begin + sales - ar_end, cden, 100) if cden > 0 else None
    overdue_end = ar_end - current_end
    return {
        "recovery_rate_pct": ratio(rec, owed, 100),
        "overdue_owed": owed, "recovered": rec,
        "avg_days_to_collect": mean(collected),
        "collected_invoices": Num(len(collected)),
        "avg_days_late": mean(late),
        "avg_days_to_settle": mean(tosettle),
        "settled_invoices": Num(len(settled)),
        "reoffending_rate_pct": ratio(reoff, cured - pending, 100),
        "cured_customers": Num(cured), "reoffended_customers": Num(reoff),
        "pending_customers": Num(pending),
        "dso": dso_s, "best_possible_dso": best_s, "add": add_s, "cei_pct": cei,
        "ar_begin": ar_begin, "ar_end": ar_end, "current_end": current_end,
        "sales": sales, "overdue_end": overdue_end,
        "overdue_pct": ratio(overdue_end, ar_end, 100),
    }


MONEY = ("overdue_owed", "recovered", "ar_begin", "ar_end", "current_end", "sales",
         "overdue_end")
FIELDS = ["recovery_rate_pct", "overdue_owed", "recovered", "avg_days_to_collect",
          "collected_invoices", "avg_days_late", "avg_days_to_settle", "settled_invoices",
          "reoffending_rate_pct", "cured_customers", "reoffended_customers",
          "pending_customers", "dso", "best_possible_dso", "add", "cei_pct", "ar_begin",
          "ar_end", "current_end", "sales", "overdue_end", "overdue_pct"]


month_end = rc.month_end


def periods(frm, to, every):
    if every in (None, "none"):
        return [(frm, to)]
    out = []
    s = frm
    while s <= to:
        if every == "month":
            e = month_end(s)
        elif every == "quarter":
            qm = ((s.month - 1) // 3) * 3 + 3
            e = month_end(dt.date(s.year, qm, 1))
        else:
            e = dt.date(s.year, 12, 31)
        e = min(e, to)
        out.append((s, e))
        s = e + D1
    return out


def kpi(inv_path, pay_path, as_of, frm=None, to=None, every=None, by=(), grace=0,
        window=90, to_reading="as_of_month", terms=None):
    TERMS[0] = terms
    docs = load(inv_path, pay_path, as_of)
    if to is None:
        to = as_of
    if frm is None:
        base = as_of if to_reading == "as_of_month" else to
        frm = base.replace(day=1)
    eps = episodes(docs, as_of, grace)
    bykey = {}
    for d in docs:
        bykey[d.key] = tuple((d.row.get(c) or "").strip() for c in by)
    groups = sorted({(bykey[d.key], d.currency) for d in docs})
    rows = []
    for (S, E) in periods(frm, to, every):
        for (g, cur) in groups:
            sub = [d for d in docs if d.currency == cur and bykey[d.key] == g]
            m = measures(sub, eps, S, E, as_of, window)
            row = {"period_start": S.isoformat(), "period_end": E.isoformat()}
            for c, v in zip(by, g):
                row[c] = v
            row["currency"] = cur
            for f in FIELDS:
                v = m[f]
                row[f] = money(v, cur) if f in MONEY else v
            rows.append(row)
    totals = []
    for cur in sorted({d.currency for d in docs}):
        sub = [d for d in docs if d.currency == cur]
        m = measures(sub, eps, frm, to, as_of, window)
        row = {"period_start": frm.isoformat(), "period_end": to.isoformat(),
               "currency": cur}
        for f in FIELDS:
            v = m[f]
            row[f] = money(v, cur) if f in MONEY else v
        totals.append(row)
    return {"command": "kpi", "as_of": as_of.isoformat(),
            "params": {"from": frm.isoformat(), "to": to.isoformat(),
                       "every": None if every in (None, "none") else every,
                       "by": list(by), "grace": Num(grace), "window": Num(window)},
            "rows": rows, "totals": totals}


def dumps(obj):
    return rc.dumps(obj, ensure_ascii=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("invoices")
    ap.add_argument("payments")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--from", dest="frm")
    ap.add_argument("--to")
    ap.add_argument("--every")
    ap.add_argument("--by", default="")
    ap.add_argument("--grace", type=int, default=0)
    ap.add_argument("--window", type=int, default=90)
    ap.add_argument("--terms", type=int)
    a = ap.parse_args()
    res = kpi(a.invoices, a.payments, pdate(a.as_of), pdate(a.frm), pdate(a.to), a.every,
              tuple(c for c in a.by.split(",") if c), a.grace, a.window,
              terms=a.terms)
    print(dumps(res))


if __name__ == "__main__":
    main()
