#!/usr/bin/env python3
"""Independent reference implementation of SPEC §4 `roll` and `provision`.

Written from SPEC.md alone (§1 definitions, §3 JSON numbers, §4 age buckets, roll,
provision), without reading src/domain/roll.rs or src/domain/provision.rs, so that
`tests/reference/diff.py` can compare cobro against it on random ledgers.

Python 3 standard library only. Money is `decimal.Decimal` as read; every ratio is an
exact `fractions.Fraction`; a printed number is rounded half away from zero once, to
the currency's minor digits (money) or 2 decimals (`_pct`). No floats anywhere. The
minor-unit table, the Num type and the age buckets' names come from refcommon.py.

Inputs are CSV files with the canonical headers only:
  invoices: customer, invoice, issue_date, due_date, amount, currency [, other columns]
  payments: invoice, date, amount
  (or, without a payments file, a single-file export: paid_date, paid_amount, open_amount
  as further invoice columns; pass - as PAYMENTS)

Usage (prints the JSON `rows` and `totals` that cobro's `-f json` would have):
  python3 tests/reference/roll_provision.py roll INVOICES PAYMENTS --as-of D \
      --from F --to T [--buckets 30,60,90,120]
  python3 tests/reference/roll_provision.py provision INVOICES PAYMENTS --as-of D \
      [--buckets ...] [--history-from D] [--default-after N] [--adjust PCT] \
      [--rates FILE] [--by COL[,COL...]]
A usage error (what cobro exits 2 for) prints `usage: ...` to stderr and exits 2.

The choices the SPEC leaves open follow docs/roll.md and docs/provision.md
("Choices where the SPEC is silent"); each is marked READING below.
"""

import argparse
import calendar
import csv
import datetime
import os
import sys
from decimal import Decimal, getcontext
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refcommon as rc  # noqa: E402

getcontext().prec = 80  # sums and products of money stay exact

# ISO 4217 minor-unit digits (SPEC §3); a currency not in it has 2.
MINOR_DIGITS = rc.MINOR


class UsageError(Exception):
    """What cobro reports with exit code 2."""


Num = rc.Num  # a JSON number kept as its exact text (never a float)


# ---------------------------------------------------------------- numbers


def round_half_away(value, digits):
    """Round an exact value (Fraction/Decimal/int) half away from zero to `digits`."""
    f = Fraction(value) * (10 ** digits)
    sign = -1 if f < 0 else 1
    q, r = divmod(abs(f.numerator), f.denominator)
    if 2 * r >= f.denominator:
        q += 1
    q *= sign
    if q == 0:
        sign = 1
    text = str(abs(q)).rjust(digits + 1, "0")
    if digits:
        text = text[:-digits] + "." + text[-digits:]
    return Num(("-" if q < 0 else "") + text)


def money(value, currency):
    return round_half_away(value, MINOR_DIGITS.get(currency, 2))


def pct(fraction):
    """100 x fraction, 2 decimals; None stays None (null)."""
    return None if fraction is None else round_half_away(fraction * 100, 2)


# ---------------------------------------------------------------- dates and buckets


def parse_date(text):
    return datetime.date.fromisoformat(text.strip()[:10])


def days(n):
    return datetime.timedelta(days=n)


bucket_names = rc.bucket_names  # SPEC §4 age: current, days_1_b1, ..., days_over_bn


def bucket_lo(bounds, k):
    """First day past due of overdue bucket k (k >= 1)."""
    return 1 if k == 1 else bounds[k - 2] + 1


def bucket_of(bounds, days_past_due):
    if days_past_due <= 0:
        return 0
    for j, b in enumerate(bounds):
        if days_past_due <= b:
            return j + 1
    return len(bounds) + 1


def parse_buckets(text):
    try:
        bounds = [int(x) for x in text.split(",")]
    except ValueError:
        raise UsageError(f"--buckets {text}: not a list of integers")
    if not bounds or any(b <= 0 for b in bounds) or any(
        a >= b for a, b in zip(bounds, bounds[1:])
    ):
        raise UsageError(f"--buckets {text}: strictly increasing positive integers")
    return bounds


# ---------------------------------------------------------------- ledger


class Invoice:
    def __init__(self, row):
        self.row = row
        self.customer = row["customer"]
        self.invoice = row["invoice"]
        issue = row.get("issue_date", "").strip()
        self.issue = parse_date(issue) if issue else None
        self.due = parse_date(row["due_date"])
        self.amount = Decimal(row["amount"].strip())
        self.currency = (row.get("currency") or "").strip() or "EUR"
        self.payments = []  # (date, Decimal)

    def exists(self, d):
        """SPEC §1: before its issue date a document does not exist."""
        return self.issue is None or self.issue <= d

    def open_at(self, d):
        """open_i(d): amount minus every payment dated on or before d (payments
        dated before the issue date included).

        READING (cobro's shared history layer, docs/provision.md): before its issue
        date a document "is in no balance", so its open amount on such a day is 0.
        This matters only to provision's history when a document is issued after
        due + lo_k - 1 or after due + default_after (a due date before the issue
        date): what reached that bucket, or was lost, is then 0."""
        if not self.exists(d):
            return Decimal(0)
        return self.amount - sum((a for (pd, a) in self.payments if pd <= d), Decimal(0))


def load(invoices_path, payments_path, as_of):
    """The ledger as it stood at the end of `as_of` (SPEC §1): documents issued after
    it and payments dated after it are ignored."""
    with open(invoices_path, newline="", encoding="utf-8") as f:
        invoices = [Invoice(r) for r in csv.DictReader(f)]
    by_id = {i.invoice: i for i in invoices}
    for i in invoices:
        # Single-file exports (SPEC §1): paid_date -> one payment of paid_amount (default:
        # the whole amount); only open_amount -> an undated payment of amount - open_amount.
        # READING (docs/roll.md, docs/provision.md): an undated payment counts on every
        # day, as if paid before the beginning of time.
        paid_date = (i.row.get("paid_date") or "").strip()
        open_amount = (i.row.get("open_amount") or "").strip()
        if paid_date:
            d = parse_date(paid_date)
            paid = (i.row.get("paid_amount") or "").strip()
            if d <= as_of:
                i.payments.append((d, Decimal(paid) if paid else i.amount))
        elif open_amount:
            i.payments.append((datetime.date.min, i.amount - Decimal(open_amount)))
    if payments_path and payments_path != "-":
        with open(payments_path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                d = parse_date(r["date"])
                if d <= as_of:
                    by_id[r["invoice"]].payments.append((d, Decimal(r["amount"].strip())))
    return [i for i in invoices if i.exists(as_of)]


def convert(invoices, rates, base):
    """--fx RATES.csv --base CUR: every amount times its currency's rate (the value of
    one unit in the base currency; the base is 1), before anything is added."""
    for i in invoices:
        rate = Decimal(1) if i.currency == base else rates[i.currency]
        i.amount *= rate
        i.payments = [(d, a * rate) for (d, a) in i.payments]
        i.currency = base
    return invoices


# ---------------------------------------------------------------- roll


def month_ends(start, end):
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        d = datetime.date(y, m, calendar.monthrange(y, m)[1])
        if start <= d <= end:
            out.append(d)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def roll(invoices, as_of, start, end, bounds):
    """SPEC §4 roll: rows per (t, t', currency, bucket) and totals per (currency, bucket)."""
    if end > as_of:
        raise UsageError("--to after --as-of")
    if start >= end:
        raise UsageError("--from not before --to")
    snaps = month_ends(start, end)
    if len(snaps) < 2:
        raise UsageError("fewer than two month ends in [--from, --to]")
    names = bucket_names(bounds)
    nb = len(names)
    # READING (docs/roll.md): the currencies of the documents with amount > 0 in the
    # ledger as of --as-of.
    currencies = sorted({i.currency for i in invoices if i.amount > 0})
    receivables = [i for i in invoices if i.amount > 0]

    def zero():
        return {c: [[Decimal(0)] * (nb + 2) for _ in range(nb)] for c in currencies}

    # cell layout: [balance, to_bucket_0 .. to_bucket_(nb-1), to_paid]
    rows, totals = [], zero()
    for t, t2 in zip(snaps, snaps[1:]):
        cells = zero()
        for inv in receivables:
            if not inv.exists(t):
                continue
            o1 = inv.open_at(t)
            if o1 <= 0:
                continue
            b = bucket_of(bounds, (t - inv.due).days)
            b2 = bucket_of(bounds, (t2 - inv.due).days)
            stay = min(o1, max(inv.open_at(t2), Decimal(0)))
            cell = cells[inv.currency][b]
            cell[0] += o1
            cell[1 + b2] += stay
            cell[nb + 1] += o1 - stay
        for c in currencies:
            for b in range(nb):
                rows.append(roll_row(t, t2, c, names, b, cells[c][b]))
                for j in range(nb + 2):
                    totals[c][b][j] += cells[c][b][j]
    total_rows = [
        roll_row(snaps[0], snaps[-1], c, names, b, totals[c][b])
        for c in currencies
        for b in range(nb)
    ]
    return rows, total_rows, snaps


def roll_row(t, t2, currency, names, b, cell):
    nb = len(names)
    balance = cell[0]
    row = {
        "from_date": t.isoformat(),
        "to_date": t2.isoformat(),
        "currency": currency,
        "bucket": names[b],
        "balance": money(balance, currency),
    }
    for j in range(nb):
        row["to_" + names[j]] = money(cell[1 + j], currency)
    row["to_paid"] = money(cell[nb + 1], currency)
    if balance == 0:
        roll_pct = cure_pct = None
    else:
        rolled = sum(cell[1 + j] for j in range(b + 1, nb))  # 0 for the last bucket
        roll_pct = Fraction(rolled) / Fraction(balance)
        cure_pct = (
            None if b == 0
            else (Fraction(cell[1]) + Fraction(cell[nb + 1])) / Fraction(balance)
        )
    row["roll_pct"] = pct(roll_pct)
    row["cure_pct"] = pct(cure_pct)
    return row


# ---------------------------------------------------------------- provision


def default_history_from(as_of):
    """The as-of date three calendar years earlier, 29 February giving 28 February."""
    try:
        return as_of.replace(year=as_of.year - 3)
    except ValueError:
        return as_of.replace(year=as_of.year - 3, day=28)


def read_rates(path, names):
    """--rates FILE: CSV bucket,loss_rate_pct, every bucket once, each in [0, 100].
    A bad file is a data error (exit 1): returned as ValueError."""
    rates = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            name = r["bucket"].strip()
            text = r["loss_rate_pct"].strip().rstrip("%").strip()
            value = Fraction(Decimal(text))
            if name not in names or name in rates or not (0 <= value <= 100):
                raise ValueError(f"--rates {path}: bad row {r}")
            rates[name] = value / 100
    if set(rates) != set(names):
        raise ValueError(f"--rates {path}: missing buckets")
    return [rates[n] for n in names]


def provision(invoices, as_of, bounds, history_from=None, default_after=365,
              adjust=Fraction(0), rates=None, by=()):
    """SPEC §4 provision: rows per (--by keys, currency, bucket), totals per currency."""
    if adjust <= -100:
        raise UsageError("--adjust must be more than -100")
    if default_after < 0:
        raise UsageError("--default-after must be >= 0")
    names = bucket_names(bounds)
    nb = len(names)
    if history_from is None:
        history_from = default_history_from(as_of)

    def key(inv):
        return tuple(inv.row.get(col, "") for col in by) + (inv.currency,)

    groups = {}

    def group(k):
        if k not in groups:
            groups[k] = {
                "gross": [Decimal(0)] * nb,
                "reached": [Decimal(0)] * nb,
                "lost": [Decimal(0)] * nb,
            }
        return groups[k]

    receivables = [i for i in invoices if i.amount > 0]
    if rates is None:
        for inv in receivables:
            if inv.issue is None or inv.issue < history_from:
                continue
            if inv.due + days(default_after) > as_of:
                continue
            g = group(key(inv))
            lost_i = max(inv.open_at(inv.due + days(default_after)), Decimal(0))
            for k in range(nb):
                if k == 0:
                    reached = inv.amount
                else:
                    lo = bucket_lo(bounds, k)
                    reached = max(inv.open_at(inv.due + days(lo - 1)), Decimal(0))
                g["reached"][k] += reached
                g["lost"][k] += min(lost_i, reached)
    for inv in receivables:
        o = inv.open_at(as_of)
        if o <= 0:
            continue
        g = group(key(inv))
        g["gross"][bucket_of(bounds, (as_of - inv.due).days)] += o

    factor = 1 + Fraction(adjust) / 100
    rows = []
    totals = {}
    # READING: rows ordered by the --by keys, then currency, then bucket; totals by currency.
    for k in sorted(groups):
        g = groups[k]
        currency = k[-1]
        tot = totals.setdefault(currency, [Decimal(0), Decimal(0)])
        for b in range(nb):
            if rates is not None:
                rate = rates[b]
            elif b >= 1 and bucket_lo(bounds, b) > default_after:
                rate = Fraction(1)
            elif g["reached"][b] == 0:
                rate = None
            else:
                rate = Fraction(g["lost"][b]) / Fraction(g["reached"][b])
            applied = None if rate is None else min(Fraction(1), rate * factor)
            ecl = None if applied is None else money(Fraction(g["gross"][b]) * applied, currency)
            row = {col: k[i] for i, col in enumerate(by)}
            row.update({
                "currency": currency,
                "bucket": names[b],
                "gross": money(g["gross"][b], currency),
                "reached": None if rates is not None else money(g["reached"][b], currency),
                "lost": None if rates is not None else money(g["lost"][b], currency),
                "loss_rate_pct": pct(rate),
                "applied_rate_pct": pct(applied),
                "ecl": ecl,
            })
            rows.append(row)
            tot[0] += g["gross"][b]
            if ecl is not None:
                tot[1] += Decimal(ecl)
    total_rows = []
    for currency in sorted(totals):
        gross, ecl = totals[currency]
        total_rows.append({
            "currency": currency,
            "gross": money(gross, currency),
            "ecl": money(ecl, currency),
            "coverage_pct": None if gross == 0 else pct(Fraction(ecl) / Fraction(gross)),
        })
    return rows, total_rows, history_from


# ---------------------------------------------------------------- JSON text


def to_json(value):
    """JSON text with Num values written as bare numbers."""
    if value is None:
        return "null"
    if isinstance(value, Num):
        return str(value)
    if isinstance(value, str):
        import json
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(to_json(k) + ": " + to_json(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    raise TypeError(type(value))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["roll", "provision"])
    p.add_argument("invoices")
    p.add_argument("payments")
    p.add_argument("--as-of", required=True)
    p.add_argument("--buckets", default="30,60,90,120")
    p.add_argument("--from", dest="start")
    p.add_argument("--to", dest="end")
    p.add_argument("--history-from")
    p.add_argument("--default-after", type=int, default=365)
    p.add_argument("--adjust", default="0")
    p.add_argument("--rates")
    p.add_argument("--by", default="")
    p.add_argument("--fx", help="CSV currency,rate")
    p.add_argument("--base")
    a = p.parse_args(argv)
    try:
        as_of = parse_date(a.as_of)
        bounds = parse_buckets(a.buckets)
        invoices = load(a.invoices, a.payments, as_of)
        if a.fx:
            with open(a.fx, newline="", encoding="utf-8") as f:
                rates = {r["currency"].strip(): Decimal(r["rate"].strip()) for r in csv.DictReader(f)}
            invoices = convert(invoices, rates, a.base)
        if a.command == "roll":
            if not a.start or not a.end:
                raise UsageError("--from and --to are required")
            rows, totals, _ = roll(invoices, as_of, parse_date(a.start), parse_date(a.end), bounds)
        else:
            rates = read_rates(a.rates, bucket_names(bounds)) if a.rates else None
            rows, totals, _ = provision(
                invoices, as_of, bounds,
                history_from=parse_date(a.history_from) if a.history_from else None,
                default_after=a.default_after,
                adjust=Fraction(Decimal(a.adjust)),
                rates=rates,
                by=tuple(c for c in a.by.split(",") if c and a.by != "none"),
            )
    except UsageError as e:
        print(f"usage: {e}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(to_json({"rows": rows, "totals": totals}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
