#!/usr/bin/env python3
"""Differential test: `cobro statement`, `age` and `dunning` (rate calendar) against the
independent reference tests/reference/statement.py, on seeded random small data sets.

Rerun:
    export CARGO_TARGET_DIR=/work/wt/qa-st-target   # or your own
    cargo build
    python3 tests/reference/diff_statement.py [--cases 3000] [--seed 1] \
        [--bin $CARGO_TARGET_DIR/debug/cobro] [--keep /tmp/statement-failures]
Every failing case is written to --keep/<seed>/ (the input files, the command line,
cobro's and the reference's JSON), so it can be rerun by hand with
`python3 tests/reference/statement.py statement ...` and the same flags.
Exit status 0 when every case agrees.

What each case exercises (at random): payments dated before their invoice's issue
date (inside and outside the range), reversals, negative payments on credit notes
(credit_applied), credit notes, zero amounts, documents without issue date, undated
payments (single-file open_amount), paid_date/paid_amount single-file rows,
documents issued after --to, --from/--to on month ends, one-day periods, a period
before any document, EUR/USD/JPY/KWD, amounts with one digit more than the currency
(rounding once), rate calendars with changes inside the delay, several changes, due
dates on rate-change days, empty-rate rows, a delay before the first rate (an error),
disputes open/closed at --to, --customer, --buckets, usage errors.
JSON numbers are compared as text: every field, key order and row order exactly.
"""

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import tempfile
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import statement as ref  # noqa: E402
import diffcommon as dc  # noqa: E402

CURRENCIES = ["EUR", "USD", "JPY", "KWD"]
SCALE = {"EUR": 1, "USD": 1, "JPY": 150, "KWD": Decimal("0.3")}
DAY0 = dt.date(2023, 11, 1)


def day(n):
    return DAY0 + dt.timedelta(days=n)


HUGE = [1]  # set per case: 10**11 multiplies every amount (precision of big ledgers)


def money(rng, cur, lo, hi, extra_digit_p, huge=True):
    digits = ref.minor_digits(cur) + (1 if rng.random() < extra_digit_p else 0)
    units = rng.randint(int(lo * 10 ** digits), int(hi * (HUGE[0] if huge else 1) * 10 ** digits))
    return (Decimal(units) * SCALE[cur]).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def month_end(d):
    nxt = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


class Case:
    """One random data set and one set of flags."""

    def __init__(self, seed):
        rng = random.Random(seed)
        self.seed = seed
        self.single_file = rng.random() < 0.25
        # a single-file export that also comes with a payments file
        self.also_payments = self.single_file and rng.random() < 0.2
        extra_p = 0.0  # cobro refuses amounts with more digits than the currency
        HUGE[0] = 10 ** 11 if rng.random() < 0.05 else 1
        n_cust = rng.randint(1, 4)
        custs = [f"C{rng.randint(1, 9)}{k}" for k in range(n_cust)]
        if rng.random() < 0.2:  # ids whose text order is not the obvious one
            custs = rng.sample(["c2", "C10", "C9", "Ñu", "b3", "Z9", "a-1", "A 1"], n_cust)
        names = {c: rng.choice(["", "Acme", "Bodegas Sol", "Ceres, S.A.", '=cmd']) for c in custs}
        cur_of = {c: rng.sample(CURRENCIES, rng.choice([1, 1, 2])) for c in custs}
        span = rng.choice([6, 60, 200, 450])  # 6: many documents and payments on one day
        self.docs = []  # dicts of the invoice file
        self.pays = []  # dicts of the payment file
        ids = set()
        for k in range(rng.randint(1, 12)):
            c = rng.choice(custs)
            cur = rng.choice(cur_of[c])
            inv = rng.choice([f"INV{k:03d}", f"A{rng.randint(1, 20)}", f"cn-{k}", f"Z{k}"])
            if inv in ids:
                inv = f"{inv}x{k}"
            ids.add(inv)
            r = rng.random()
            if r < 0.68:
                amount = money(rng, cur, 1, 5000, extra_p)
            elif r < 0.93:
                amount = -money(rng, cur, 1, 2000, extra_p)
            else:
                amount = Decimal(0)
            issue = None if rng.random() < 0.15 else day(rng.randint(0, span))
            if issue is None:
                due = day(rng.randint(0, span))
            elif rng.random() < 0.05:
                due = issue - dt.timedelta(days=rng.randint(1, 10))
            else:
                due = issue + dt.timedelta(days=rng.choice([0, 15, 30, 30, 45, 60, rng.randint(0, 90)]))
            disputed = (rng.choice(["yes", "x", "1", "true", "Sí", "TRUE"])
                        if rng.random() < 0.12 else rng.choice(["", "", "no", "0"]))
            name = names[c] if rng.random() < 0.85 else ""  # a name on some rows only
            doc = {"customer": c, "customer_name": name, "invoice": inv,
                   "issue_date": issue, "due_date": due, "amount": amount, "currency": cur,
                   "disputed": disputed}
            self.docs.append(doc)
            self._payments(rng, doc, extra_p)
        rng.shuffle(self.pays)
        self._dates(rng)
        self._calendar(rng)
        self._disputes(rng)
        self.customer = rng.choice(custs) if rng.random() < 0.15 else None
        self.other_formats = rng.random() < 0.2
        # --terms for documents without due date, --currency for rows without currency
        self.terms = rng.choice([None, None, None, 0, 30])
        self.currency = rng.choice([None, None, None, "USD", "JPY", "KWD"])
        for doc in self.docs:
            if (self.terms is not None and doc["issue_date"] is not None
                    and rng.random() < 0.5):
                doc["due_date"] = doc["issue_date"] + dt.timedelta(days=self.terms)
                doc["omit_due"] = True
            if (self.currency is not None and doc["currency"] == self.currency
                    and rng.random() < 0.5):
                doc["omit_currency"] = True
        if rng.random() < 0.01:
            self.customer = "NOBODY"
        self.buckets = (rng.choice(["15,45", "1,2,3", "30", "10,20,30,40,50,60,70,80,90"])
                        if rng.random() < 0.2 else None)

    def _payments(self, rng, doc, extra_p):
        cur = doc["currency"]
        anchor = doc["issue_date"] or doc["due_date"]
        amount = doc["amount"]
        if self.single_file:
            r = rng.random()
            if r < 0.35:
                doc["paid_date"] = anchor + dt.timedelta(days=rng.randint(-20, 90))
                if rng.random() < 0.5:
                    doc["paid_amount"] = (amount * Decimal(rng.choice(["0.5", "1", "0.25"]))
                                          ).quantize(Decimal(1).scaleb(-ref.minor_digits(cur)))
            elif r < 0.45:  # paid_amount without paid_date: an undated payment
                doc["paid_amount"] = (amount * Decimal(rng.choice(["0.5", "1"]))
                                      ).quantize(Decimal(1).scaleb(-ref.minor_digits(cur)))
            elif r < 0.75:
                if rng.random() < 0.15:  # paid_date wins over open_amount
                    doc["paid_date"] = anchor + dt.timedelta(days=rng.randint(-20, 90))
                doc["open_amount"] = rng.choice([
                    Decimal(0), amount,
                    (amount * Decimal(rng.choice(["0.5", "0.3"]))).quantize(
                        Decimal(1).scaleb(-ref.minor_digits(cur)))])
            if not self.also_payments:
                return
        made = []
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
            date = anchor + dt.timedelta(days=rng.randint(-30, 100))
            r = rng.random()
            if amount > 0:
                if made and r < 0.2:
                    amt = -rng.choice(made)  # a reversal of an earlier payment
                elif r < 0.5:
                    amt = amount - sum(made)
                elif r < 0.97:
                    amt = money(rng, cur, 1, max(1, int(abs(amount) / SCALE[cur])), extra_p,
                                huge=False)
                else:
                    amt = Decimal(0)
            elif amount < 0:
                if r < 0.6:
                    amt = amount - sum(made)  # credit applied / refunded
                elif r < 0.9:
                    amt = -money(rng, cur, 1, max(1, int(abs(amount) / SCALE[cur])), extra_p,
                                huge=False)
                else:
                    amt = money(rng, cur, 1, 50, extra_p)  # positive payment of a credit note
            else:  # a zero document: a stray payment or its reversal
                amt = rng.choice([Decimal(1), Decimal(-1)]) * money(rng, cur, 1, 50, extra_p)
            if amt == 0 and rng.random() < 0.7:
                continue
            made.append(amt)
            self.pays.append({"invoice": doc["invoice"], "customer": doc["customer"],
                              "date": date, "amount": amt})
            if rng.random() < 0.08:  # a second row of the same day
                self.pays.append({"invoice": doc["invoice"], "customer": doc["customer"],
                                  "date": date, "amount": amt})

    def _dates(self, rng):
        points = [d["issue_date"] for d in self.docs if d["issue_date"]]
        points += [d["due_date"] for d in self.docs]
        points += [p["date"] for p in self.pays]
        points += [d.get("paid_date") for d in self.docs if d.get("paid_date")]
        if not points:
            points = [day(30)]
        r = rng.random()
        if r < 0.35:
            to = rng.choice(points) + dt.timedelta(days=rng.choice([-1, 0, 0, 1]))
        elif r < 0.55:
            to = month_end(rng.choice(points))
        elif r < 0.65:
            to = min(points) - dt.timedelta(days=rng.randint(1, 20))  # before any document
        else:
            to = day(rng.randint(0, 480))
        r = rng.random()
        if r < 0.15:
            frm = to  # one-day period
        elif r < 0.4:
            frm = to.replace(day=1)
        elif r < 0.6:
            frm = rng.choice(points) + dt.timedelta(days=rng.choice([0, 1]))
        else:
            frm = to - dt.timedelta(days=rng.randint(0, 200))
        if frm > to:
            frm = to - dt.timedelta(days=rng.randint(0, 40))
        self.frm, self.to = frm, to
        self.as_of = to + dt.timedelta(days=rng.choice([0, 0, 0, 1, 30]))
        self.omit_to = self.as_of == to and rng.random() < 0.5
        self.usage_error = None
        if rng.random() < 0.02:
            self.usage_error = rng.choice(["from_after_to", "to_after_as_of", "from_after_as_of"])

    def _calendar(self, rng):
        self.calendar = None
        if rng.random() < 0.5:
            return
        dues = [d["due_date"] for d in self.docs] or [day(10)]
        first = min(dues) + dt.timedelta(days=1)
        if rng.random() < 0.92:
            first -= dt.timedelta(days=rng.choice([0, 0, 1, 30, 400]))
        else:
            first += dt.timedelta(days=rng.randint(1, 100))  # some delays start before it
        rows = [first]
        for _ in range(rng.randint(0, 6)):
            pick = rng.random()
            if pick < 0.3:
                rows.append(rng.choice(dues))  # a due date on a rate-change day
            elif pick < 0.45:
                rows.append(rng.choice(dues) + dt.timedelta(days=1))
            else:
                rows.append(first + dt.timedelta(days=rng.randint(1, 500)))
        rows = sorted(set(rows))
        cal = []
        for k, frm in enumerate(rows):
            if k > 0 and rng.random() < 0.04:
                rate = ""
            else:
                places = rng.choice([0, 1, 2, 2, 3, 4])
                rate = str(Decimal(rng.randint(0, 30 * 10 ** places)).scaleb(-places))
                if rng.random() < 0.1:
                    rate += "%"
            cal.append((frm, rate))
        rng.shuffle(cal)
        self.calendar = cal
        self.exclude_disputed = rng.random() < 0.8
        self.fixed_rate = (str(Decimal(rng.randint(0, 2000)).scaleb(-2))
                           if rng.random() < 0.2 else None)

    def _disputes(self, rng):
        self.disputes = None
        if not self.docs or rng.random() < 0.65:
            return
        out = []
        for doc in rng.sample(self.docs, rng.randint(1, len(self.docs))):
            start = (doc["issue_date"] or doc["due_date"]) + dt.timedelta(days=rng.randint(-5, 60))
            for _ in range(rng.choice([1, 1, 2])):
                r = rng.random()
                if r < 0.2:
                    closed = start  # closed the day it opened: never in dispute
                elif r < 0.45:
                    closed = None
                elif r < 0.6:
                    closed = self.to  # closed on --to: not in dispute at --to
                else:
                    closed = start + dt.timedelta(days=rng.randint(1, 90))
                if closed is not None and closed < start:
                    closed = start
                out.append((doc["invoice"], start, closed))
                if closed is None:
                    break
                start = closed + dt.timedelta(days=rng.choice([0, 0, 3]))
            if rng.random() < 0.1:
                out.append((doc["invoice"], self.to, None))  # opened on --to
                if any(i == doc["invoice"] and (c is None or c > self.to)
                       for i, s, c in out[:-1]):
                    out.pop()
        self.disputes = out

    # ---------------------------------------------------------------- files

    def write(self, wd):
        cols = ["customer", "customer_name", "invoice", "issue_date", "due_date", "amount",
                "currency", "disputed"]
        if self.single_file:
            cols += ["paid_date", "paid_amount", "open_amount"]
        with open(os.path.join(wd, "invoices.csv"), "w", encoding="utf-8") as f:
            f.write(dc.csv_line(cols))
            for d in self.docs:
                cells = dict(d)
                if d.get("omit_due"):
                    cells["due_date"] = None
                if d.get("omit_currency"):
                    cells["currency"] = None
                f.write(dc.csv_line([cells.get(c) for c in cols]))
        if not self.single_file or self.also_payments:
            with open(os.path.join(wd, "payments.csv"), "w", encoding="utf-8") as f:
                f.write("invoice,customer,date,amount\n")
                for p in self.pays:
                    f.write(dc.csv_line([p["invoice"], p["customer"], p["date"], p["amount"]]))
        if self.calendar is not None:
            with open(os.path.join(wd, "rates.csv"), "w", encoding="utf-8") as f:
                f.write("from,annual_rate_pct,source\n")
                for frm, rate in self.calendar:
                    f.write(dc.csv_line([frm, rate, "test"]))
            with open(os.path.join(wd, "policy.toml"), "w", encoding="utf-8") as f:
                interest = (f'annual_rate_pct = {self.fixed_rate}' if self.fixed_rate is not None
                            else 'rates = "rates.csv"')
                f.write(f'min_amount = 0\nmin_interval_days = 0\n'
                        f'exclude_disputed = {str(self.exclude_disputed).lower()}\n\n'
                        f'[interest]\n{interest}\n\n[[level]]\nname = "first"\ndays = 1\n'
                        'template = "x"\n')
        if self.disputes is not None:
            with open(os.path.join(wd, "disputes.csv"), "w", encoding="utf-8") as f:
                f.write("dispute_id,invoice,opened,closed,reason\n")
                for k, (inv, o, c) in enumerate(self.disputes):
                    f.write(dc.csv_line([f"D{k}", inv, o, c, "price"]))

    def inputs(self, wd):
        args = [os.path.join(wd, "invoices.csv")]
        if self.terms is not None:
            args += ["--terms", str(self.terms)]
        if self.currency is not None:
            args += ["--currency", self.currency]
        if not self.single_file or self.also_payments:
            args += ["--payments", os.path.join(wd, "payments.csv")]
        return args

    def statement_args(self, wd):
        frm, to, as_of = self.frm, self.to, self.as_of
        if self.usage_error == "from_after_to":
            frm = to + dt.timedelta(days=1)
        elif self.usage_error == "to_after_as_of":
            as_of = to - dt.timedelta(days=1)
        elif self.usage_error == "from_after_as_of":  # no --to: it is the as-of date
            frm = as_of + dt.timedelta(days=1)
        args = ["statement"] + self.inputs(wd) + ["--from", frm.isoformat(),
                                                  "--as-of", as_of.isoformat()]
        if self.usage_error == "from_after_as_of":
            pass
        elif not self.omit_to or self.usage_error:
            args += ["--to", to.isoformat()]
        if self.customer:
            args += ["--customer", self.customer]
        if self.calendar is not None:
            args += ["--interest", os.path.join(wd, "rates.csv")]
        if self.disputes is not None:
            args += ["--disputes", os.path.join(wd, "disputes.csv")]
        if self.buckets:
            args += ["--buckets", self.buckets]
        return args + ["-f", "json"]


def run(binary, args):
    p = dc.run([binary] + args, nice=False)
    return p.returncode, p.stdout, p.stderr


as_text = dc.json_text


def same(a, b):
    """Equal values and equal key order, recursively."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def first_difference(a, b, where="rows"):
    for k, (x, y) in enumerate(zip(a, b)):
        if not same(x, y):
            return f"{where}[{k}]:\n  cobro:     {json.dumps(x)}\n  reference: {json.dumps(y)}"
    if len(a) != len(b):
        extra = a[len(b):] or b[len(a):]
        return (f"{where}: cobro {len(a)}, reference {len(b)}; first extra: "
                f"{json.dumps(extra[0])}")
    return None


def error_matches(want_err, stderr):
    """cobro's message names one of the invoices (or the customer) the reference fails on."""
    return any(f"'{k}'" in stderr for k in want_err.keys)


def reference(compute):
    """(compute(), None), or (None, the ref.RefError it raised)."""
    try:
        return compute(), None
    except ref.RefError as e:
        return None, e


def exit_problems(what, want_err, rc, err, stats):
    """None when neither the reference (want_err: its RefError or None) nor cobro (exit
    code rc, stderr err) failed; else the problems of the failure (none when cobro
    exits 1 naming what the reference fails on). Counts the reference's errors in
    stats[what + "_errors"]."""
    if want_err is not None:
        stats[what + "_errors"] = stats.get(what + "_errors", 0) + 1
        if rc != 1:
            return [f"{what}: reference error ({want_err}), cobro exit {rc}"]
        if not error_matches(want_err, err):
            return [f"{what}: reference error ({want_err}), cobro: {err.strip()}"]
        return []
    if rc != 0:
        return [f"{what}: cobro exit {rc}: {err.strip()}"]
    return None


def xlsx_sheets(path):
    """{sheet name: [[cell value or None, ...], ...]} of a workbook (stdlib only): shared
    strings as text, numbers as their XML text, booleans as 'TRUE'/'FALSE'."""
    import re
    import xml.etree.ElementTree as ET
    import zipfile
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    with zipfile.ZipFile(path) as z:
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
                strings.append("".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")))
        rels = {r.get("Id"): r.get("Target") for r in
                ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        out = {}
        for sh in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", ns):
            target = rels[sh.get(f"{{{ns['r']}}}id")].lstrip("/")
            target = target if target.startswith("xl/") else "xl/" + target
            rows = []
            for row in ET.fromstring(z.read(target)).iter(f"{{{ns['m']}}}row"):
                cells = {}
                for c in row.findall("m:c", ns):
                    col = re.match(r"[A-Z]+", c.get("r")).group(0)
                    idx = 0
                    for ch in col:
                        idx = idx * 26 + ord(ch) - 64
                    v = c.find("m:v", ns)
                    t = c.get("t")
                    if t == "inlineStr":
                        val = "".join(x.text or "" for x in c.iter(f"{{{ns['m']}}}t"))
                    elif v is None:
                        val = None
                    elif t == "s":
                        val = strings[int(v.text)]
                    elif t == "b":
                        val = "TRUE" if v.text == "1" else "FALSE"
                    else:
                        val = v.text
                    cells[idx - 1] = val
                width = max(cells) + 1 if cells else 0
                rows.append([cells.get(k) for k in range(width)])
            out[sh.get("name")] = rows
        return out


DATE_FIELDS = {"date", "due_date"}


def xlsx_matches(sheet, json_rows, where):
    """The sheet's header and cells hold the JSON rows' values: numbers equal as the
    nearest binary numbers, dates as Excel serials, null as an empty cell, text as text."""
    if not json_rows:
        return None
    fields = list(json_rows[0])
    if not sheet or sheet[0][:len(fields)] != fields:
        return f"xlsx {where} header {sheet[0] if sheet else None} != {fields}"
    if len(sheet) - 1 != len(json_rows):
        return f"xlsx {where}: {len(sheet) - 1} rows, json {len(json_rows)}"
    for k, (line, want) in enumerate(zip(sheet[1:], json_rows)):
        line = line + [None] * (len(fields) - len(line))
        for f, got, v in zip(fields, line, want.values()):
            if v is None:
                ok = got in (None, "")
            elif f in DATE_FIELDS:
                ok = got is not None and (dt.date(1899, 12, 30) + dt.timedelta(
                    days=int(Decimal(got)))).isoformat() == v
            elif isinstance(v, str) and got is not None and _is_number(v) and _is_number(got) \
                    and f not in ("customer", "customer_name", "document", "currency", "type"):
                # docs/output.md: the cell is the binary number nearest to the printed
                # decimal (what a JSON reader gets); beyond ~15 significant digits (the
                # 10^11-scale ledgers) Excel cannot hold the cents exactly.
                ok = float(got) == float(v)
            else:
                ok = got == v
            if not ok:
                return f"xlsx {where} row {k} field {f}: {got!r} != {v!r}"
    return None


def _is_number(text):
    try:
        Decimal(text)
        return True
    except Exception:
        return False


def other_formats(binary, args, json_rows, json_totals=None, wd=None):
    """The CSV and NDJSON rows of the same command hold the JSON rows' values."""
    import csv
    import io
    problems = []
    base = [a for a in args if a not in ("-f", "json")]
    rc, out, err = run(binary, base + ["-f", "csv"])
    if rc != 0:
        return [f"csv: exit {rc}: {err.strip()}"]
    rows = list(csv.reader(io.StringIO(out)))
    fields = list(json_rows[0]) if json_rows else None
    if fields and rows[0] != fields:
        problems.append(f"csv header {rows[0]} != {fields}")
    money = {"debit", "credit", "balance"}
    for k, (line, want) in enumerate(zip(rows[1:], json_rows)):
        expect = []
        for f, v in want.items():
            v = "" if v is None else v
            if f not in money:
                v = dc.formula_guard(v)
            expect.append(v)
        if line != expect:
            problems.append(f"csv row {k}: {line} != {expect}")
            break
    if len(rows) - 1 != len(json_rows):
        problems.append(f"csv: {len(rows) - 1} rows, json {len(json_rows)}")
    rc, out, err = run(binary, base + ["-f", "ndjson"])
    if rc != 0:
        return problems + [f"ndjson: exit {rc}: {err.strip()}"]
    nd = [as_text(line) for line in out.splitlines() if line.strip()]
    d = first_difference(nd, json_rows, "ndjson")
    if d:
        problems.append(d)
    if wd is not None:
        book = os.path.join(wd, "out.xlsx")
        rc, out, err = run(binary, base + ["-o", book])
        if rc != 0:
            return problems + [f"xlsx: exit {rc}: {err.strip()}"]
        sheets = xlsx_sheets(book)
        for where, rows in (("statement", json_rows), ("totals", json_totals or [])):
            d = xlsx_matches(sheets.get(where), rows, where)
            if d:
                problems.append(d)
    return problems


def check(case, binary, wd, stats):
    """Returns a list of problems (empty when cobro and the reference agree)."""
    problems = []
    docs, pays = ref.load(os.path.join(wd, "invoices.csv"),
                          None if case.single_file and not case.also_payments
                          else os.path.join(wd, "payments.csv"),
                          case.currency or "EUR", case.terms)
    cal = ref.load_calendar(os.path.join(wd, "rates.csv")) if case.calendar is not None else None
    disputes = (ref.load_disputes(os.path.join(wd, "disputes.csv"))
                if case.disputes is not None else None)
    bounds = [int(x) for x in (case.buckets or "30,60,90,120").split(",")]

    # statement
    args = case.statement_args(wd)
    rc, out, err = run(binary, args)
    if case.usage_error:
        if rc != 2:
            problems.append(f"usage error {case.usage_error}: exit {rc}, expected 2\n{err}")
        return problems, args
    # SPEC §1: documents issued after the as-of date are ignored (so is a --customer
    # whose documents all are: cobro says it has no document, exit 1).
    docs_asof = [d for d in docs if d.exists(case.as_of)]
    pays_asof = [p for p in pays if p.doc.exists(case.as_of)]
    want, want_err = reference(lambda: ref.statement(docs_asof, pays_asof, case.frm, case.to,
                                                     case.customer, cal, disputes, bounds))
    failed = exit_problems("statement", want_err, rc, err, stats)
    if failed is not None:
        problems += failed
    else:
        want_rows, want_totals = want
        got = as_text(out)
        for r in got["rows"]:
            stats[r["type"]] = stats.get(r["type"], 0) + 1
        for t in got["totals"]:
            if t.get("interest") not in (None, "0", "0.00", "0.000"):
                stats["interest>0"] = stats.get("interest>0", 0) + 1
        if got.get("command") != "statement" or got.get("as_of") != case.as_of.isoformat():
            problems.append(f"statement header: {got.get('command')} {got.get('as_of')}")
        d = first_difference(got["rows"], want_rows, "rows")
        if d:
            problems.append("statement " + d)
        d = first_difference(got["totals"], want_totals, "totals")
        if d:
            problems.append("statement " + d)
        if case.other_formats:
            problems += other_formats(binary, args, got["rows"], got["totals"], wd)
        # reconciliation with cobro age --as-of TO
        rc2, out2, err2 = run(binary, ["age"] + case.inputs(wd) + ["--as-of", case.to.isoformat(),
                                                                     "-f", "json"])
        if rc2 != 0:
            problems.append(f"age: exit {rc2}: {err2.strip()}")
        else:
            age_rows = {(r["customer"], r["currency"]): r["total_open"]
                        for r in as_text(out2)["rows"]}
            want_age = {k: ref.fmt_money(v["total_open"], k[1])
                        for k, v in ref.age_at(docs, case.to, [30, 60, 90, 120]).items()}
            if age_rows != want_age:
                problems.append(f"age total_open: cobro {age_rows} reference {want_age}")
            for t in got["totals"]:
                key = (t["customer"], t["currency"])
                zero = ref.fmt_money(Decimal(0), key[1])
                if age_rows.get(key, zero) != t["closing"]:
                    problems.append(f"closing {key} {t['closing']} != age total_open "
                                    f"{age_rows.get(key)}")

    # dunning with the same calendar, as of the statement's as-of date
    if cal is not None:
        dargs = (["dunning"] + case.inputs(wd) +
                 ["--policy", os.path.join(wd, "policy.toml"), "--as-of", case.as_of.isoformat(),
                  "-f", "json"])
        if disputes is not None:
            dargs += ["--disputes", os.path.join(wd, "disputes.csv")]
        rc3, out3, err3 = run(binary, dargs)
        dcal = cal if case.fixed_rate is None else [(dt.date.min, Decimal(case.fixed_rate))]
        want, want_err = reference(lambda: ref.dunning_interest(
            docs_asof, case.as_of, dcal, disputes, case.exclude_disputed))
        failed = exit_problems("dunning", want_err, rc3, err3, stats)
        if failed is not None:
            problems += failed
        else:
            got = {}
            for r in as_text(out3)["rows"]:
                got[(r["customer"], r["currency"])] = {
                    "interest": r["interest"], "overdue": r["overdue"],
                    "invoices": sorted(r["invoices"])}
            stats["dunning_rows"] = stats.get("dunning_rows", 0) + len(got)
            if got != want:
                problems.append(f"dunning: cobro {got}\n  reference {want}")
    return problems, args


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bin", default=dc.default_bin())
    ap.add_argument("--keep", default=os.path.join(tempfile.gettempdir(), "statement-failures"))
    ap.add_argument("--max-failures", type=int, default=10)
    a = ap.parse_args()
    wd = tempfile.mkdtemp(prefix="diff_statement_")
    failures = 0
    stats = {"with_calendar": 0, "with_disputes": 0, "single_file": 0, "usage": 0}
    for k in range(a.cases):
        seed = a.seed * 1_000_003 + k
        case = Case(seed)
        for name in os.listdir(wd):
            os.remove(os.path.join(wd, name))
        case.write(wd)
        problems, args = check(case, a.bin, wd, stats)
        stats["with_calendar"] += case.calendar is not None
        stats["with_disputes"] += case.disputes is not None
        stats["single_file"] += case.single_file
        stats["usage"] += case.usage_error is not None
        if problems:
            failures += 1
            keep = os.path.join(a.keep, str(seed))
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(wd, keep)
            with open(os.path.join(keep, "PROBLEMS.txt"), "w") as f:
                f.write("cobro " + " ".join(args).replace(wd, ".") + "\n\n")
                f.write("\n\n".join(problems).replace(wd, ".") + "\n")
            print(f"case {seed}: {len(problems)} problem(s), kept in {keep}")
            print("  " + problems[0].replace(wd, ".")[:1500])
            if failures >= a.max_failures:
                break
    shutil.rmtree(wd, ignore_errors=True)
    done = k + 1 if a.cases else 0
    print(f"{done - failures}/{done} cases agree; {stats}")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
