"""Shared helpers of the independent reference implementations (tests/reference/*.py).

Python 3 standard library only. Money is exact: amounts are read as decimal.Decimal and
every computation that divides is done with fractions.Fraction; a number is rounded
once, half away from zero, when it is formatted (SPEC section 3).

What is here: minor units, formatting (fmt_fixed, money, pct; Num, num and dumps for
JSON numbers kept as their text), dates (date, iso, month_end), reading CSV files and the
canonical invoice/payment files (Invoice, load, customer_names), the age buckets
(bucket_names, bucket_of), settle_i of a document (LedgerDoc), a promise's invoice list
(invoice_ids) and the payments that can keep promises (promise_events). The helpers
only the differential scripts share are in diffcommon.py.
"""
import csv
import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction

# ISO 4217 minor-unit digits (SPEC section 3: JPY 0, KWD 3, most 2).
MINOR = {
    "JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "PYG": 0, "UGX": 0, "XAF": 0,
    "XOF": 0, "HUF": 2,
    "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3,
}


def minor(cur):
    return MINOR.get(cur, 2)


def frac(x):
    """Decimal / int / Fraction -> Fraction (exact)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, Decimal):
        return Fraction(x)
    return Fraction(x)


def fmt_fixed(x, digits):
    """Round the exact value x half away from zero to `digits` decimals, as text."""
    x = frac(x)
    neg = x < 0
    a = -x if neg else x
    scale = 10 ** digits
    q, r = divmod(a.numerator * scale, a.denominator)
    if 2 * r >= a.denominator:
        q += 1
    if q == 0:
        neg = False
    s = str(q)
    if digits:
        s = s.rjust(digits + 1, "0")
        s = s[:-digits] + "." + s[-digits:]
    return ("-" if neg else "") + s


def money(x, cur):
    return fmt_fixed(x, minor(cur))


class Num(str):
    """A JSON number kept as its exact text."""


def num(x, digits):
    """fmt_fixed as a JSON number (Num)."""
    return Num(fmt_fixed(x, digits))


def dumps(obj, ensure_ascii=True):
    """JSON text of obj with Num values written as bare numbers, None as null, ", " and
    ": " between items. Text values are escaped to ASCII unless ensure_ascii is False;
    keys always are."""
    if isinstance(obj, Num):
        return str(obj)
    if obj is None:
        return "null"
    if isinstance(obj, bool):
        return "true" if obj else "false"
    if isinstance(obj, str):
        return json.dumps(obj, ensure_ascii=ensure_ascii)
    if isinstance(obj, list):
        return "[" + ", ".join(dumps(x, ensure_ascii) for x in obj) + "]"
    if isinstance(obj, dict):
        return "{" + ", ".join(json.dumps(k) + ": " + dumps(v, ensure_ascii)
                               for k, v in obj.items()) + "}"
    return json.dumps(obj)


def pct(num, den):
    """100 x num / den with 2 decimals; None (JSON null) when den is 0."""
    if den == 0:
        return None
    return fmt_fixed(Fraction(100) * frac(num) / frac(den), 2)


def date(s):
    s = (s or "").strip()
    if not s:
        return None
    return dt.date.fromisoformat(s[:10])


def iso(d):
    return None if d is None else d.isoformat()


def month_end(d):
    """The last day of d's month."""
    n = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return n - dt.timedelta(days=1)


def amount(s):
    return Decimal(s.strip())


TRUTHY = {"true", "yes", "si", "sí", "1", "x"}


def truthy(s):
    return (s or "").strip().lower() in TRUTHY


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


class Invoice:
    __slots__ = ("customer", "name", "id", "issue", "due", "amount", "currency",
                 "disputed", "payments")

    def __init__(self, row, default_currency="EUR"):
        self.customer = row["customer"].strip()
        self.name = (row.get("customer_name") or "").strip()
        self.id = row["invoice"].strip()
        self.issue = date(row.get("issue_date"))
        self.due = date(row["due_date"])
        self.amount = amount(row["amount"])
        self.currency = (row.get("currency") or "").strip() or default_currency
        self.disputed = truthy(row.get("disputed"))
        self.payments = []  # (date, Decimal, file_index)

    def exists(self, d):
        return self.issue is None or self.issue <= d

    def open_at(self, d):
        """open_i(d): amount minus every payment dated on or before d.
        Undated payments (single-file open_amount) count at every date."""
        return self.amount - sum((a for (pd, a, _) in self.payments
                                  if pd is None or pd <= d), Decimal(0))


def load(invoices_path, payments_path, default_currency="EUR"):
    invs = {}
    order = []
    pays = []
    k = -10 ** 9  # single-file payments come before the payments file's (file order)
    for row in read_csv(invoices_path):
        inv = Invoice(row, default_currency)
        invs[inv.id] = inv
        order.append(inv)
        # single-file exports (SPEC section 1): paid_date -> one payment of paid_amount
        # (default the whole amount); only open_amount -> an undated payment.
        pdate = date(row.get("paid_date"))
        if pdate is not None:
            pa = (row.get("paid_amount") or "").strip()
            p = (pdate, amount(pa) if pa else inv.amount, k)
        elif (row.get("open_amount") or "").strip():
            p = (None, inv.amount - amount(row["open_amount"]), k)
        else:
            p = None
        if p is not None:
            inv.payments.append(p)
            pays.append((inv, p[0], p[1], k))
        k += 1
    for k, row in enumerate(read_csv(payments_path)):
        inv = invs[row["invoice"].strip()]
        p = (date(row["date"]), amount(row["amount"]), k)
        inv.payments.append(p)
        pays.append((inv, p[0], p[1], k))
    return order, invs, pays


def customer_names(invoices):
    """First non-empty customer_name per customer id (as carried by the invoice file)."""
    names = {}
    for inv in invoices:
        if inv.name and inv.customer not in names:
            names[inv.customer] = inv.name
    return names


def bucket_names(bounds):
    """SPEC section 4 age: current, days_1_b1, days_(b1+1)_b2, ..., days_over_bn."""
    names = ["current"]
    lo = 1
    for b in bounds:
        names.append("days_%d_%d" % (lo, b))
        lo = b + 1
    names.append("days_over_%d" % bounds[-1])
    return names


def bucket_of(days, bounds, names):
    """The name (of bucket_names(bounds)) of the bucket of `days` past due."""
    if days <= 0:
        return names[0]
    for i, b in enumerate(bounds):
        if days <= b:
            return names[i + 1]
    return names[-1]


class LedgerDoc:
    """What the document classes of kpi.py and age_segment.py share. A subclass has
    customer, currency, issue (date or None), amount, pays (a list of (date or None,
    amount)) and open_at(d)."""

    @property
    def key(self):
        return (self.customer, self.currency)

    def exists(self, d):
        return self.issue is None or self.issue <= d

    def settle(self, as_of):
        """settle_i (amount > 0): earliest day >= issue from which open <= 0 up to as_of.
        None when still open, and for a document without issue date that no dated
        payment settles (paid off by undated payments: settled since the beginning of
        time, so in no period)."""
        if self.open_at(as_of) > 0:
            return None
        dates = sorted({p for (p, _) in self.pays if p is not None})
        undated = sum((a for (p, a) in self.pays if p is None), Decimal(0))
        # piecewise constant: interval 0 = before dates[0]; interval i = [dates[i-1], dates[i])
        vals = [self.amount - undated]
        for t in dates:
            vals.append(self.amount - undated - sum(
                (a for (p, a) in self.pays if p is not None and p <= t), Decimal(0)))
        last_pos = max((i for i, v in enumerate(vals) if v > 0), default=None)
        if last_pos is None:
            return self.issue  # None without issue date
        t = dates[last_pos]  # start of the interval after the last positive one
        if self.issue is not None and t < self.issue:
            t = self.issue
        return t


def invoice_ids(row):
    """The ids of a promise's `invoice` cell (space separated), in order; a repeated id
    counts once."""
    ids = []
    for tok in (row.get("invoice") or "").split():
        if tok not in ids:
            ids.append(tok)
    return ids


def promise_events(pays, as_of):
    """The payments that can keep promises (SPEC section 4 `promise`): dated ones of
    invoices with amount > 0, on their effective date max(date, issue), effective up to
    as_of; in effective-date order, then seq (file order).
    pays: (document, date or None, amount, seq) -> [(effective date, seq, document, amount)]"""
    events = []
    for doc, d, a, seq in pays:
        if d is None or doc.amount <= 0:
            continue
        eff = max(d, doc.issue) if doc.issue is not None else d
        if eff > as_of:
            continue
        events.append((eff, seq, doc, a))
    events.sort(key=lambda e: (e[0], e[1]))
    return events
