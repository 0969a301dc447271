#!/usr/bin/env python3
"""Independent reference of what the side files (--promises, --disputes) add to `kpi`,
`segment`, `dunning` and `age --detail` (SPEC section 1 "in dispute", section 4 `kpi`,
`segment`, `dunning`, `promise`: the kpi bullet, the segment bullet and the Disputes
bullet).

Written from /work/shared/SPEC.md and docs/promise.md alone, without reading cobro's
code. Python 3 standard library only; money is exact (Decimal, Fraction for ratios),
rounded once, half away from zero, when formatted (refcommon). The promises are valued by
tests/reference/promise.py (`evaluate`), already cross-checked against `cobro promise`.

Computed fields (everything else of those commands is checked elsewhere):
- kpi: period_start, period_end, the --by keys, currency, ar_end; with --promises
  promises_due, promises_kept, promise_kept_rate_pct, promised_amount, promised_paid,
  promise_amount_kept_pct; with --disputes disputes_opened, disputes_resolved,
  avg_days_to_resolve, disputes_open_end, disputed_open_end, disputed_pct. Rows and
  totals (one per currency, the whole range as one period).
- segment: which (customer, currency) get a row; disputed_open; with --promises
  open_promises, broken_promises, kept_promises.
- dunning: which (customer, currency) get a row (no log: level 1 when the oldest listed
  invoice has reached level 1's days), its invoices and overdue.
- age --detail: the rows (open documents) in order, and `disputed`.

Input files use the canonical headers (as in promise.py); the data must be valid.
tests/reference/diff_side.py runs it against cobro:
  python3 tests/reference/diff_side.py --cases 2000
"""
import calendar
import datetime as dt
from decimal import Decimal
from fractions import Fraction

import refcommon as rc
import promise as ref_promise

DAY = dt.timedelta(days=1)


# ------------------------------------------------------------------ loading
class Disputes:
    """The dated dispute log. SPEC section 1: a document is in dispute on d when the file
    has a dispute of it with opened <= d and no closed date or closed > d; for the
    documents the file names (any row, even one opened after the as-of date) the
    `disputed` column is ignored; for the others the column reads "in dispute from its
    issue date on". Disputes opened after the as-of date are ignored; a closing after
    the as-of date is not known yet."""

    def __init__(self, path, as_of):
        self.named = set()
        self.rows = []  # (invoice, opened, closed or None)
        if path is None:
            return
        for row in rc.read_csv(path):
            inv = row["invoice"].strip()
            self.named.add(inv)
            opened = rc.date(row["opened"])
            closed = rc.date(row.get("closed"))
            if opened > as_of:
                continue
            if closed is not None and closed > as_of:
                closed = None
            self.rows.append((inv, opened, closed))

    @staticmethod
    def open_on(opened, closed, d):
        return opened <= d and (closed is None or closed > d)

    def in_dispute(self, inv, d):
        if inv.id in self.named:
            return any(i == inv.id and self.open_on(o, c, d) for (i, o, c) in self.rows)
        return inv.disputed and inv.exists(d)


class Data:
    def __init__(self, invoices, payments, as_of, promises=None, disputes=None,
                 tolerance=3, currency="EUR"):
        self.as_of = as_of
        inv_list, invs, pays = rc.load(invoices, payments, currency)
        self.all = inv_list
        self.invs = invs
        # documents issued after the as-of date are ignored (SPEC section 1)
        self.docs = [i for i in inv_list if i.exists(as_of)]
        self.disputes = Disputes(disputes, as_of)
        self.has_promises = promises is not None
        self.has_disputes = disputes is not None
        self.promises = []
        if promises is not None:
            self.promises, _, _ = ref_promise.evaluate(inv_list, invs, pays, promises,
                                                       as_of, tolerance, currency)

    def open_at(self, inv, d):
        """open_i(d), 0 before the document exists."""
        return inv.open_at(d) if inv.exists(d) else Decimal(0)


def settle(inv, as_of):
    """settle_i (SPEC section 1): the earliest day on or after issue_i from which open_i
    stays <= 0 up to the as-of date; None if still open (or only undated payments)."""
    if inv.amount <= 0 or inv.open_at(as_of) > 0:
        return None
    days = [inv.issue] + sorted({pd for (pd, _, _) in inv.payments
                                 if pd is not None and pd <= as_of
                                 and (inv.issue is None or pd > inv.issue)})
    for k in range(len(days) - 1, -1, -1):
        d = days[k]
        o = inv.amount - sum((a for (pd, a, _) in inv.payments if pd is None), Decimal(0)) \
            if d is None else inv.open_at(d)
        if o > 0:
            return days[k + 1]
    return days[0]


# ------------------------------------------------------------------ kpi
def month_end(d):
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def period_end(s, every):
    if every == "month":
        return month_end(s)
    if every == "quarter":
        m = ((s.month - 1) // 3) * 3 + 3
        return month_end(dt.date(s.year, m, 1))
    if every == "year":
        return dt.date(s.year, 12, 31)
    raise ValueError(every)


def periods(frm, to, every):
    if every is None:
        return [(frm, to)]
    out = []
    s = frm
    while s <= to:
        e = min(period_end(s, every), to)
        out.append((s, e))
        s = e + DAY
    return out


def avg2(values):
    if not values:
        return None
    return rc.fmt_fixed(Fraction(sum(values), len(values)), 2)


def kpi_fields(data, docs, promises, disputes_rows, S, E, cur):
    """The side-file fields of one period and group (docs/promises/disputes already
    restricted to the group and currency)."""
    ar_end = sum((data.open_at(i, E) for i in docs), Decimal(0))
    out = {"ar_end": rc.money(ar_end, cur)}
    if data.has_promises:
        due = [p for p in promises if S <= p.deadline <= E]
        kept = sum(1 for p in due if p.status == "kept")
        amount = sum((p.amount for p in due), Decimal(0))
        paid = sum((p.paid for p in due), Decimal(0))
        out.update({
            "promises_due": str(len(due)),
            "promises_kept": str(kept),
            "promise_kept_rate_pct": rc.pct(kept, len(due)),
            "promised_amount": rc.money(amount, cur),
            "promised_paid": rc.money(paid, cur),
            "promise_amount_kept_pct": rc.pct(paid, amount),
        })
    if data.has_disputes:
        opened = [r for r in disputes_rows if S <= r[1] <= E]
        resolved = [r for r in disputes_rows if r[2] is not None and S <= r[2] <= E]
        open_end = [r for r in disputes_rows if Disputes.open_on(r[1], r[2], E)]
        disputed = sum((data.open_at(i, E) for i in docs
                        if i.exists(E) and data.disputes.in_dispute(i, E)), Decimal(0))
        out.update({
            "disputes_opened": str(len(opened)),
            "disputes_resolved": str(len(resolved)),
            "avg_days_to_resolve": avg2([(c - o).days for (_, o, c) in resolved]),
            "disputes_open_end": str(len(open_end)),
            "disputed_open_end": rc.money(disputed, cur),
            "disputed_pct": rc.pct(disputed, ar_end),
        })
    return out


def kpi(data, frm, to, every, by=()):
    """Rows and totals of kpi's side-file fields. `by`: column names whose values are
    read from the invoice file (constant per customer)."""
    group_of = {}
    if by:
        for inv, row in zip(data.all, data._rows):
            group_of[inv.customer] = tuple((row.get(c) or "").strip() for c in by)
    key = (lambda cust: group_of.get(cust, ())) if by else (lambda cust: ())
    groups = sorted({(key(i.customer), i.currency) for i in data.docs})
    pairs = {(i.customer, i.currency) for i in data.docs}

    def select(g, cur, with_group):
        docs = [i for i in data.docs if i.currency == cur
                and (not with_group or key(i.customer) == g)]
        # docs/promise.md: with --by, a promise of a customer without a document in its
        # currency at the as-of date has no known group and is left out of the group
        # rows; rows per currency only (no --by, and the totals) count it.
        pr = [p for p in data.promises if p.currency == cur
              and (not with_group or not by
                   or ((p.customer, cur) in pairs and key(p.customer) == g))]
        # docs/promise.md: a dispute of a document issued after the as-of date is
        # ignored with its document (one issued later than the dispute's opening day
        # but by the as-of date counts)
        dsp = [r for r in data.disputes.rows if r[0] in data.invs
               and data.invs[r[0]].exists(data.as_of)
               and data.invs[r[0]].currency == cur
               and (not with_group or key(data.invs[r[0]].customer) == g)]
        return docs, pr, dsp

    rows = []
    for (S, E) in periods(frm, to, every):
        for g, cur in groups:
            row = {"period_start": S.isoformat(), "period_end": E.isoformat()}
            for c, v in zip(by, g):
                row[c] = v
            row["currency"] = cur
            docs, pr, dsp = select(g, cur, True)
            row.update(kpi_fields(data, docs, pr, dsp, S, E, cur))
            rows.append(row)
    totals = []
    for cur in sorted({cur for (_, cur) in groups}):
        row = {"period_start": frm.isoformat(), "period_end": to.isoformat()}
        for c in by:
            row[c] = None
        row["currency"] = cur
        docs, pr, dsp = select(None, cur, False)
        row.update(kpi_fields(data, docs, pr, dsp, frm, to, cur))
        totals.append(row)
    return {"rows": rows, "totals": totals}


# ------------------------------------------------------------------ segment
def segment(data, lookback):
    """{(customer, currency): features} for the side-file features, over the rows
    segment prints: a document with open != 0, a document issued in the lookback, or an
    invoice settled in it."""
    as_of = data.as_of
    lo = as_of - dt.timedelta(days=lookback - 1)
    keys = set()
    for i in data.docs:
        k = (i.customer, i.currency)
        if i.open_at(as_of) != 0:
            keys.add(k)
        elif i.issue is not None and lo <= i.issue <= as_of:
            keys.add(k)
        else:
            s = settle(i, as_of)
            if s is not None and lo <= s <= as_of:
                keys.add(k)
    out = {}
    for k in keys:
        cur = k[1]
        docs = [i for i in data.docs if (i.customer, i.currency) == k]
        disputed = sum((i.open_at(as_of) for i in docs
                        if data.disputes.in_dispute(i, as_of)), Decimal(0))
        f = {"customer": k[0], "currency": cur, "disputed_open": rc.money(disputed, cur)}
        if data.has_promises:
            ps = [p for p in data.promises if (p.customer, p.currency) == k]
            f["open_promises"] = str(sum(1 for p in ps if p.status == "open"))
            f["broken_promises"] = str(sum(
                1 for p in ps if p.status in ("broken", "partially_kept")
                and lo <= p.deadline <= as_of))
            f["kept_promises"] = str(sum(
                1 for p in ps if p.status == "kept" and lo <= p.kept_date <= as_of))
        out[k] = f
    return out


# ------------------------------------------------------------------ dunning
def dunning(data, level1_days, min_amount, exclude_disputed):
    """{(customer, currency): {"invoices": [...], "overdue": text}} of the rows dunning
    prints without a log: the listed invoices (overdue at the as-of date: open > 0, past
    due; disputed ones left out when exclude_disputed) not empty, overdue >= min_amount,
    the oldest listed invoice at least level1_days past due, and no promise of the
    (customer, currency) open at the as-of date."""
    as_of = data.as_of
    paused = {(p.customer, p.currency) for p in data.promises if p.status == "open"}
    out = {}
    for k in sorted({(i.customer, i.currency) for i in data.docs}):
        if k in paused:
            continue
        listed = [i for i in data.docs if (i.customer, i.currency) == k
                  and i.open_at(as_of) > 0 and i.due < as_of
                  and not (exclude_disputed and data.disputes.in_dispute(i, as_of))]
        if not listed:
            continue
        overdue = sum((i.open_at(as_of) for i in listed), Decimal(0))
        if overdue < min_amount:
            continue
        if max((as_of - i.due).days for i in listed) < level1_days:
            continue
        listed.sort(key=lambda i: (i.due, i.id))
        out[k] = {"invoices": [i.id for i in listed], "overdue": rc.money(overdue, k[1])}
    return out


# ------------------------------------------------------------------ age --detail
def age_detail(data):
    """[(invoice, disputed)] of age --detail's rows in its order: every document with
    open != 0, by days past due descending, then customer, currency, invoice."""
    as_of = data.as_of
    docs = [i for i in data.docs if i.open_at(as_of) != 0]
    docs.sort(key=lambda i: (-(as_of - i.due).days, i.customer, i.currency, i.id))
    return [(i.id, data.disputes.in_dispute(i, as_of)) for i in docs]


def load(invoices, payments, as_of, promises=None, disputes=None, tolerance=3,
         currency="EUR"):
    data = Data(invoices, payments, as_of, promises, disputes, tolerance, currency)
    data._rows = rc.read_csv(invoices)  # raw rows, for --by columns
    return data
