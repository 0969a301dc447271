"""Shared helpers of the independent reference implementations (tests/reference/*.py).

Python 3 standard library only. Money is exact: amounts are read as decimal.Decimal and
every computation that divides is done with fractions.Fraction; a number is rounded
once, half away from zero, when it is formatted (SPEC section 3).
"""
import csv
import datetime as dt
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
