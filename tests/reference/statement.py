#!/usr/bin/env python3
"""Independent reference implementation of `cobro statement` (SPEC §1, §3, §4).

Written from /work/shared/SPEC.md alone (not from src/domain), python3 stdlib only,
money in decimal.Decimal / fractions.Fraction (never floats); dates, CSV reading and the
age buckets' names come from refcommon.py. It computes:

  * the JSON `rows` and `totals` of
      cobro statement INVOICES [--payments FILE] --from F [--to T] [--as-of A]
            [--customer C] [--interest RATES.csv] [--disputes FILE] [--buckets 30,60,...]
  * `age --as-of T`'s `total_open` per (customer, currency) (the reconciliation);
  * `dunning`'s per-customer `interest` with a rate calendar (`[interest] rates = FILE`).

Rerun by hand (prints the statement JSON, money as exact JSON numbers):
    python3 tests/reference/statement.py statement fixtures/invoices.csv \
        --payments fixtures/payments.csv --from 2025-04-01 --to 2025-06-30 \
        --as-of 2025-06-30 [--interest examples/rates_es.csv] [--disputes FILE]
    python3 tests/reference/statement.py age INVOICES [--payments FILE] --as-of T
The random differential test against the binary is tests/reference/diff_statement.py.

Input it reads: canonical headers only (customer, customer_name, invoice, issue_date,
due_date, amount, currency, disputed, paid_date, paid_amount, open_amount; payments:
invoice, date, amount[, customer]), ISO dates, plain `1234.56` amounts, `,` delimiter.
"""

import datetime as dt
import json
import os
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refcommon as rc  # noqa: E402

# ISO 4217 minor units (SPEC §3: JPY 0, KWD 3, most 2).
ZERO_DIGIT = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
              "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"}
THREE_DIGIT = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}


class RefError(Exception):
    """A data error the SPEC says must stop the command (exit 1). `keys` are the ids any
    of which the message may name (every invoice whose interest cannot be computed)."""

    def __init__(self, message, keys=()):
        super().__init__(message)
        self.keys = list(keys)


def minor_digits(currency):
    if currency in ZERO_DIGIT:
        return 0
    if currency in THREE_DIGIT:
        return 3
    return 2


def round_money(value, currency):
    """Round an exact value (Decimal or Fraction) half away from zero to the currency's
    minor unit, once (SPEC §3). Returns a Decimal with exactly that many digits."""
    digits = minor_digits(currency)
    if isinstance(value, Fraction):
        scaled = value * (10 ** digits)
        sign = -1 if scaled < 0 else 1
        n = abs(scaled)
        whole = n.numerator // n.denominator
        if (n - whole) * 2 >= 1:
            whole += 1
        return (Decimal(sign * whole).scaleb(-digits)).quantize(Decimal(1).scaleb(-digits))
    q = Decimal(1).scaleb(-digits)
    r = value.quantize(q, rounding=ROUND_HALF_UP)
    if r == 0:
        r = abs(r)  # never print -0.00
    return r


def fmt_money(value, currency):
    """The JSON number text of a money value."""
    return format(round_money(value, currency), "f")


parse_date = rc.date  # ISO date (a time part after it ignored); None when empty


def parse_amount(text):
    text = (text or "").strip()
    if not text:
        return None
    return Decimal(text)


is_true = rc.truthy  # true, yes, sí, si, 1, x (any case)


class Doc:
    def __init__(self, row, line, default_currency, terms=None):
        self.line = line
        self.customer = row["customer"].strip()
        self.customer_name = (row.get("customer_name") or "").strip() or None
        self.invoice = row["invoice"].strip()
        self.issue = parse_date(row.get("issue_date"))
        self.due = parse_date(row.get("due_date"))
        if self.due is None and terms is not None and self.issue is not None:
            self.due = self.issue + dt.timedelta(days=terms)  # SPEC §1: issue + --terms
        self.amount = parse_amount(row["amount"])
        self.currency = (row.get("currency") or "").strip() or default_currency
        self.disputed_col = is_true(row.get("disputed"))
        self.payments = []

    def exists(self, d):
        """SPEC §1: before its issue_date a document does not exist; without one it
        exists from the beginning of time."""
        return self.issue is None or self.issue <= d

    def open_at(self, d):
        """open_i(d) = amount minus every payment dated on or before d (payments dated
        before the issue date included); undated payments always count."""
        total = self.amount
        for p in self.payments:
            if p.date is None or p.date <= d:
                total -= p.amount
        return total


class Payment:
    def __init__(self, doc, date, amount, order):
        self.doc = doc
        self.date = date  # None: undated (single-file open_amount)
        self.amount = amount
        self.order = order  # position in the input

    def statement_date(self):
        """The later of its own date and its document's issue date; an undated payment
        takes its document's issue date (None: the beginning of time)."""
        if self.date is None:
            return self.doc.issue
        if self.doc.issue is None:
            return self.date
        return max(self.date, self.doc.issue)


read_csv = rc.read_csv


def load(invoices_path, payments_path=None, default_currency="EUR", terms=None):
    docs = []
    by_id = {}
    order = 0
    pays = []
    for i, row in enumerate(read_csv(invoices_path)):
        doc = Doc(row, i + 2, default_currency, terms)
        docs.append(doc)
        by_id[doc.invoice] = doc
        paid_date = parse_date(row.get("paid_date"))
        paid_amount = parse_amount(row.get("paid_amount"))
        open_amount = parse_amount(row.get("open_amount"))
        # SPEC §1; what it leaves open is README's "Single-file exports" choice:
        # paid_amount without paid_date is an undated payment, paid_date wins over
        # open_amount. These payments come before the --payments file's in file order.
        if paid_date is not None:
            amt = paid_amount if paid_amount is not None else doc.amount
            pays.append(Payment(doc, paid_date, amt, order))
            order += 1
        elif paid_amount is not None:
            pays.append(Payment(doc, None, paid_amount, order))
            order += 1
        elif open_amount is not None:
            pays.append(Payment(doc, None, doc.amount - open_amount, order))
            order += 1
    if payments_path:
        for row in read_csv(payments_path):
            doc = by_id[row["invoice"].strip()]
            pays.append(Payment(doc, parse_date(row["date"]), parse_amount(row["amount"]),
                                order))
            order += 1
    for p in pays:
        p.doc.payments.append(p)
    return docs, pays


def load_calendar(path):
    """Rate calendar: from,annual_rate_pct[,source]; an empty rate = no rate known from
    that day (docs/statement.md). Returns [(from, Decimal rate or None)] sorted."""
    rows = []
    for row in read_csv(path):
        frm = parse_date(row["from"])
        text = (row.get("annual_rate_pct") or "").strip().rstrip("%").strip()
        rows.append((frm, Decimal(text) if text else None))
    rows.sort(key=lambda r: r[0])
    return rows


def load_disputes(path):
    """{invoice: [(opened, closed or None)]}."""
    out = {}
    for row in read_csv(path):
        out.setdefault(row["invoice"].strip(), []).append(
            (parse_date(row["opened"]), parse_date(row.get("closed"))))
    return out


def in_dispute(doc, d, disputes):
    """SPEC §1: the disputed column reads "in dispute from its issue date on"; with a
    disputes file, the documents it names follow their dated history only."""
    if disputes is not None and doc.invoice in disputes:
        return any(o <= d and (c is None or c > d) for o, c in disputes[doc.invoice])
    return doc.disputed_col and doc.exists(d)


def interest_of(doc, open_amount, as_of, calendar):
    """SPEC §4 dunning, rate calendar: open x sum over the rate segments of the days
    (due, as_of] of rate/100 x days/365, exact, rounded once per invoice."""
    first_day = doc.due + dt.timedelta(days=1)
    if not calendar or first_day < calendar[0][0]:
        raise RefError(f"invoice {doc.invoice}: delay starts {first_day} before the first rate",
                       [doc.invoice])
    numerator = Fraction(0)
    for k, (frm, rate) in enumerate(calendar):
        seg_end = calendar[k + 1][0] - dt.timedelta(days=1) if k + 1 < len(calendar) else as_of
        lo = max(frm, first_day)
        hi = min(seg_end, as_of)
        if hi < lo:
            continue
        if rate is None:
            raise RefError(f"invoice {doc.invoice}: no rate known on {lo}", [doc.invoice])
        numerator += Fraction(rate) * ((hi - lo).days + 1)
    exact = Fraction(open_amount) * numerator / 36500
    return round_money(exact, doc.currency)


bucket_names = rc.bucket_names
bucket_of = rc.bucket_of


def age_at(docs, as_of, bounds, customer=None):
    """Per (customer, currency): {bucket: Decimal, ..., 'total_open': Decimal} over the
    documents with issue <= as_of and open != 0 (SPEC §4 age)."""
    names = bucket_names(bounds)
    out = {}
    for doc in docs:
        if customer is not None and doc.customer != customer:
            continue
        if not doc.exists(as_of):
            continue
        o = doc.open_at(as_of)
        if o == 0:
            continue
        acc = out.setdefault((doc.customer, doc.currency),
                             {**{n: Decimal(0) for n in names}, "total_open": Decimal(0)})
        acc[bucket_of((as_of - doc.due).days, bounds, names)] += o
        acc["total_open"] += o
    return out


def statement(docs, pays, frm, to, customer=None, calendar=None, disputes=None,
              bounds=(30, 60, 90, 120)):
    """Returns (rows, totals) as lists of dicts whose money values are JSON number text,
    dates ISO text, nulls None, in the SPEC's order."""
    before = frm - dt.timedelta(days=1)
    groups = {}
    if customer is not None and not any(d.customer == customer for d in docs):
        raise RefError(f"--customer {customer}: no document of this customer", [customer])

    def group(doc):
        return groups.setdefault((doc.customer, doc.currency),
                                 {"name": None, "docs": [], "moves": []})

    # A customer's name is the customer's (its first non-empty customer_name), whatever
    # the currency of the row it is on.
    name_of = {}
    for doc in docs:
        if doc.customer_name and doc.customer not in name_of:
            name_of[doc.customer] = doc.customer_name
    for doc in docs:
        if customer is not None and doc.customer != customer:
            continue
        g = group(doc)
        g["docs"].append(doc)
        g["name"] = name_of.get(doc.customer)
        if doc.issue is not None and frm <= doc.issue <= to and doc.amount != 0:
            if doc.amount > 0:
                mv = ("invoice", doc.amount, None)
            else:
                mv = ("credit_note", None, -doc.amount)
            g["moves"].append(((doc.issue, 0, doc.invoice, 0), doc.issue, mv[0], doc,
                               mv[1], mv[2]))
    for p in pays:
        doc = p.doc
        if customer is not None and doc.customer != customer:
            continue
        sd = p.statement_date()
        if sd is None or not (frm <= sd <= to) or p.amount == 0:
            continue
        if p.amount > 0:
            typ, debit, credit = "payment", None, p.amount
        elif doc.amount < 0:
            typ, debit, credit = "credit_applied", -p.amount, None
        else:
            typ, debit, credit = "reversal", -p.amount, None
        groups_entry = group(doc)
        groups_entry["moves"].append(((sd, 1, doc.invoice, p.order), sd, typ, doc, debit,
                                      credit))

    rows, totals, errors = [], [], []
    age = age_at(docs, to, list(bounds), customer)
    names = bucket_names(list(bounds))
    for key in sorted(groups):
        g = groups[key]
        cust, cur = key
        opening = sum((d.open_at(before) for d in g["docs"] if d.exists(before)), Decimal(0))
        closing = sum((d.open_at(to) for d in g["docs"] if d.exists(to)), Decimal(0))
        if opening == 0 and not g["moves"]:
            continue
        base = {"customer": cust, "customer_name": g["name"], "currency": cur}
        rows.append({**base, "date": before.isoformat(), "type": "opening", "document": None,
                     "due_date": None, "debit": None, "credit": None,
                     "balance": fmt_money(opening, cur)})
        bal = opening
        debits = credits = Decimal(0)
        for _k, date, typ, doc, debit, credit in sorted(g["moves"], key=lambda m: m[0]):
            bal = bal + (debit or 0) - (credit or 0)
            debits += debit or 0
            credits += credit or 0
            is_doc = typ in ("invoice", "credit_note")
            rows.append({**base, "date": date.isoformat(), "type": typ,
                         "document": doc.invoice,
                         "due_date": doc.due.isoformat() if is_doc else None,
                         "debit": None if debit is None else fmt_money(debit, cur),
                         "credit": None if credit is None else fmt_money(credit, cur),
                         "balance": fmt_money(bal, cur)})
        assert bal == closing, (key, bal, closing)
        rows.append({**base, "date": to.isoformat(), "type": "closing", "document": None,
                     "due_date": None, "debit": None, "credit": None,
                     "balance": fmt_money(closing, cur)})
        tot = {**base, "opening": fmt_money(opening, cur), "debits": fmt_money(debits, cur),
               "credits": fmt_money(credits, cur), "closing": fmt_money(closing, cur)}
        ages = age.get(key, {})
        for n in names:
            tot[n] = fmt_money(ages.get(n, Decimal(0)), cur)
        if calendar is not None:
            tot["interest"] = fmt_money(
                customer_interest(g["docs"], to, calendar, disputes, True, errors), cur)
        totals.append(tot)
    raise_all(errors)
    return rows, totals


def listed_invoices(docs, as_of, disputes, exclude_disputed):
    """Documents overdue at as_of (SPEC §1: exist, open > 0, as_of > due -- whatever the
    sign of the amount: a credit note refunded beyond its amount is a receivable too), the
    ones in dispute left out when exclude_disputed."""
    out = []
    for d in docs:
        if not d.exists(as_of):
            continue
        o = d.open_at(as_of)
        if o <= 0 or not as_of > d.due:
            continue
        if exclude_disputed and in_dispute(d, as_of, disputes):
            continue
        out.append((d, o))
    return out


def sum_interest(listed, as_of, calendar, errors):
    """The sum of the listed invoices' interest; the invoices that fail go to errors."""
    total = Decimal(0)
    for d, o in listed:
        try:
            total += interest_of(d, o, as_of, calendar)
        except RefError as e:
            errors.append(e)
    return total


def raise_all(errors):
    if errors:
        raise RefError(str(errors[0]), [k for e in errors for k in e.keys])


def customer_interest(docs, as_of, calendar, disputes, exclude_disputed=True, errors=None):
    return sum_interest(listed_invoices(docs, as_of, disputes, exclude_disputed), as_of,
                        calendar, errors if errors is not None else [])


def dunning_interest(docs, as_of, calendar, disputes, exclude_disputed=True):
    """Per (customer, currency) with a listed invoice: {'interest', 'overdue',
    'invoices'} as `dunning` with one level reached on day 1, min_amount 0, no log."""
    per = {}
    for d in docs:
        per.setdefault((d.customer, d.currency), []).append(d)
    out, errors = {}, []
    for key, ds in per.items():
        listed = listed_invoices(ds, as_of, disputes, exclude_disputed)
        if not listed:
            continue
        cur = key[1]
        out[key] = {
            "interest": fmt_money(sum_interest(listed, as_of, calendar, errors), cur),
            "overdue": fmt_money(sum((o for _d, o in listed), Decimal(0)), cur),
            "invoices": sorted(d.invoice for d, _o in listed),
        }
    raise_all(errors)
    return out


# ---------------------------------------------------------------- command line

class _Num(str):
    """Money text emitted as a bare JSON number."""


def _to_json(value, indent=0):
    pad = "  " * indent
    if isinstance(value, _Num):
        return str(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f'{pad}  {json.dumps(k)}: {_to_json(v, indent + 1)}' for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [f"{pad}  {_to_json(v, indent + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


MONEY_FIELDS = {"debit", "credit", "balance", "opening", "debits", "credits", "closing",
                "interest", "total_open"}


def _numbers(rows, bucket_fields):
    out = []
    for r in rows:
        out.append({k: _Num(v) if v is not None and (k in MONEY_FIELDS or k in bucket_fields)
                    else v for k, v in r.items()})
    return out


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["statement", "age"])
    ap.add_argument("invoices")
    ap.add_argument("--payments")
    ap.add_argument("--from", dest="frm")
    ap.add_argument("--to")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--customer")
    ap.add_argument("--interest")
    ap.add_argument("--disputes")
    ap.add_argument("--buckets", default="30,60,90,120")
    ap.add_argument("--currency", default="EUR")
    ap.add_argument("--terms", type=int)
    a = ap.parse_args(argv)
    docs_all, pays_all = load(a.invoices, a.payments, a.currency, a.terms)
    as_of = parse_date(a.as_of)
    # SPEC §1: documents issued and payments dated after the as-of date are ignored.
    docs = [d for d in docs_all if d.exists(as_of)]
    for d in docs:
        d.payments = [p for p in d.payments if p.date is None or p.date <= as_of]
    pays = [p for p in pays_all if p.doc in docs and (p.date is None or p.date <= as_of)]
    bounds = [int(x) for x in a.buckets.split(",")]
    names = bucket_names(bounds)
    try:
        if a.command == "age":
            age = age_at(docs, as_of, bounds)
            rows = [{"customer": c, "currency": cur, "total_open": fmt_money(v["total_open"], cur)}
                    for (c, cur), v in sorted(age.items())]
            print(_to_json({"command": "age", "as_of": a.as_of, "rows": _numbers(rows, names)}))
            return 0
        frm = parse_date(a.frm)
        to = parse_date(a.to) if a.to else as_of
        if frm > to or to > as_of:
            print("usage error: --from after --to or --to after --as-of", file=sys.stderr)
            return 2
        cal = load_calendar(a.interest) if a.interest else None
        disputes = load_disputes(a.disputes) if a.disputes else None
        rows, totals = statement(docs, pays, frm, to, a.customer, cal, disputes, bounds)
    except RefError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(_to_json({"command": "statement", "as_of": a.as_of,
                    "rows": _numbers(rows, names), "totals": _numbers(totals, names)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
