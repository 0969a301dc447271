#!/usr/bin/env python3
"""Independent reference of `cobro age -f json` and `cobro segment -f json`, written from
/work/shared/SPEC.md (sections 1-3, 4 `age`, `segment`, and the `promise` / `dispute`
rules that segment uses) and docs/ only (never cobro's source). Python 3 stdlib only;
money Decimal, ratios Fraction, one rounding half away from zero when printed
(refcommon.fmt_fixed; the helpers shared with the other references are in refcommon.py).

Input: canonical headers (customer, customer_name, invoice, issue_date, due_date, amount,
currency, disputed, any --by column, optional paid_date/paid_amount/open_amount), ISO
dates, `,` delimiter; amounts as SPEC section 2 allows (1,234.56, (1,234.56), 1234.56-,
a currency code or symbol). Payments: invoice,date,amount[,customer]. Disputes:
invoice,opened[,closed]. Promises: promise_id,customer,created,promised_date,amount,
currency,invoice.

Rerun by hand (from the repository root; prints the JSON object, numbers as their exact
text, or the message on stderr with the expected exit code):
    python3 tests/reference/age_segment.py age fixtures/invoices.csv \
        --payments fixtures/payments.csv --as-of 2025-06-30 [--buckets L] [--basis due|issue]
        [--by X] [--detail] [--disputes F] [--terms N] [--currency C] [--fx F --base C]
        [--skip-bad-rows]
    python3 tests/reference/age_segment.py segment fixtures/invoices.csv \
        --payments fixtures/payments.csv --as-of 2025-06-30 [--lookback N] [--grace N]
        [--rules TOML] [--segment NAME] [--top N] [--summary] [--promises F]
        [--tolerance N] [--disputes F] ...
The random differential test against the binary is tests/reference/diff_age_segment.py.

Readings that docs/ settles: `customer_name` is the customer's first non-empty name (among
the documents that exist at the as-of date), on every row of that customer, `age
--detail` included, also where the document's own cell is empty (docs/age.md); `segment
--top N` applies before `--summary`, which adds up the N rows listed (docs/segment.md).
"""
import argparse
import csv
import datetime as dt
import json
import re
import sys
import os
from decimal import Decimal, InvalidOperation
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refcommon as rc  # noqa: E402

D1 = dt.timedelta(days=1)
MINOR = rc.MINOR


class RefError(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code


Num = rc.Num  # a JSON number kept as its exact text
fmt = rc.num  # (x, digits) -> Num, rounded half away from zero


def money(x, cur):
    return Num(rc.money(Fraction(x), cur))


def pct(num, den):
    p = rc.pct(num, den)
    return None if p is None else Num(p)


def pdate(s):
    s = (s or "").strip()
    if not s:
        return None
    try:
        return dt.date.fromisoformat(s[:10])
    except ValueError:
        raise RefError(1, "bad date %r" % s)


LIMIT = Decimal(10) ** 18
AMT_RE = re.compile(r"^-?\d+(\.\d+)?$")


def pamount(s):
    """SPEC 2: 1234.56, -1234.56, 1,234.56, (1,234.56), 1234.56-, symbols/codes stripped."""
    t = (s or "").strip()
    if not t:
        raise RefError(1, "empty amount")
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1].strip()
    if t.endswith("-"):
        neg, t = not neg, t[:-1].strip()
    t = re.sub(r"^(?:[A-Z]{3}\s*|[$€£¥]\s*)", "", t)
    t = re.sub(r"(?:\s*[A-Z]{3}|\s*[$€£¥])$", "", t)
    if t.startswith("-"):
        neg, t = not neg, t[1:]
    t = t.replace(",", "")
    if not AMT_RE.match(t):
        raise RefError(1, "bad amount %r" % s)
    # docs/input.md: a decimal of more than 27 digits (the integer part without its
    # leading zeros, then every decimal) is refused ("too many digits"), since cobro
    # computes exactly within Decimal's 28 digits
    ip, _, fp = t.partition(".")
    if len(ip.lstrip("0")) + len(fp) > 27:
        raise RefError(1, "too many digits %r" % s)
    v = Decimal(t)
    if v >= LIMIT:
        raise RefError(1, "amount too large")
    return -v if neg else v


TRUE = {"true", "yes", "sí", "si", "1", "x"}
FALSE = {"false", "no", "0", ""}


def pflag(s):
    t = (s or "").strip().lower()
    if t in TRUE:
        return True
    if t in FALSE:
        return False
    raise RefError(1, "bad flag %r" % s)


read_csv = rc.read_csv


class Doc(rc.LedgerDoc):  # key, exists, settle
    def __init__(self, row, opts, rate):
        self.row = row
        self.customer = (row.get("customer") or "").strip()
        self.id = (row.get("invoice") or "").strip()
        if not self.customer or not self.id:
            raise RefError(1, "missing key")
        self.name = (row.get("customer_name") or "").strip()
        self.issue = pdate(row.get("issue_date"))
        self.due = pdate(row.get("due_date"))
        if self.due is None:
            if opts.terms is not None and self.issue is not None:
                self.due = self.issue + dt.timedelta(days=opts.terms)
            else:
                raise RefError(1, "missing due date")
        self.rate = rate
        self.amount = pamount(row.get("amount")) * rate
        self.currency = (row.get("currency") or "").strip() or opts.currency
        self.disputed_col = pflag(row.get("disputed"))
        self.disputes = None  # list of (opened, closed) when the disputes file names it
        self.pays = []  # (date or None, Decimal)

    def open_at(self, d):
        return self.amount - sum((a for (p, a) in self.pays if p is None or p <= d),
                                 Decimal(0))

    def in_dispute(self, d):
        if self.disputes is not None:
            return any(o <= d and (c is None or c > d) for (o, c) in self.disputes)
        return self.disputed_col and self.exists(d)


def load_fx(opts):
    if not opts.fx:
        return None
    rates = {}
    for row in read_csv(opts.fx):
        rates[row["currency"].strip()] = Decimal(row["rate"].strip())
    rates.setdefault(opts.base, Decimal(1))
    return rates


def load(opts):
    """The documents that exist at the as-of date, with their payments up to it."""
    rates = load_fx(opts)
    by_id = {}
    docs = []
    skipped = 0
    paylog = []  # (doc, date or None, amount) in file order: invoice file first
    opts.paylog = paylog
    opts.by_id = by_id
    opts.rates = rates

    def bad(e):
        nonlocal skipped
        if opts.skip_bad_rows:
            skipped += 1
            return
        raise e

    for row in read_csv(opts.invoices):
        try:
            cur = (row.get("currency") or "").strip() or opts.currency
            rate = Decimal(1)
            if rates is not None:
                if cur not in rates:
                    raise RefError(1, "no rate for %s" % cur)
                rate = rates[cur]
            d = Doc(row, opts, rate)
            d.orig_currency = d.currency
            if rates is not None:
                d.currency = opts.base
            if d.id in by_id:
                raise RefError(1, "duplicate invoice")
            sp = single_file(d, row)
        except RefError as e:
            if "no rate" in str(e):
                raise
            bad(e)
            continue
        by_id[d.id] = d
        docs.append(d)
        if sp is not None:
            d.pays.append((sp[0], sp[1] * d.rate))
            paylog.append((d, sp[0], sp[1] * d.rate))

    if opts.payments:
        for row in read_csv(opts.payments):
            try:
                iid = (row.get("invoice") or "").strip()
                p = pdate(row.get("date"))
                if p is None:
                    raise RefError(1, "missing payment date")
                a = pamount(row.get("amount"))
                if iid not in by_id:
                    raise RefError(1, "unknown invoice")
                d = by_id[iid]
                c = (row.get("customer") or "").strip()
                if c and c != d.customer:
                    raise RefError(1, "customer differs")
            except RefError as e:
                bad(e)
                continue
            d.pays.append((p, a * d.rate))
            paylog.append((d, p, a * d.rate))
    if opts.disputes:
        for row in read_csv(opts.disputes):
            iid = row["invoice"].strip()
            o = pdate(row["opened"])
            c = pdate(row.get("closed"))
            if iid not in by_id or (c is not None and c < o):
                bad(RefError(1, "bad dispute"))
                continue
            d = by_id[iid]
            if d.disputes is None:
                d.disputes = []
            far = dt.date.max
            if any(max(o, o2) < min(c or far, c2 or far) for (o2, c2) in d.disputes):
                bad(RefError(1, "overlapping disputes"))
                continue
            d.disputes.append((o, c))
    as_of = opts.as_of
    out = []
    for d in docs:
        d.pays = [(p, a) for (p, a) in d.pays if p is None or p <= as_of]
        # docs/input.md: a converted amount must stay below 10^18 (an error, exit 1):
        # every document's amount, issued after the as-of date or not, and every payment
        # up to the as-of date, also one of a document issued later (payments dated
        # after it are ignored, so never converted)
        if rates is not None and any(abs(x) >= LIMIT for x in
                                     [d.amount] + [a for (_, a) in d.pays]):
            raise RefError(1, "converted amount too large")
        if not d.exists(as_of):
            continue
        out.append(d)
    # first non-empty name per customer, among the documents that exist
    return out, docs, rc.customer_names(out)


def single_file(d, row):
    pdt = pdate(row.get("paid_date"))
    pa = (row.get("paid_amount") or "").strip()
    oa = (row.get("open_amount") or "").strip()
    if pdt is not None:
        return (pdt, pamount(pa) if pa else d.amount / d.rate)
    if oa:
        return (None, d.amount / d.rate - pamount(oa))
    if pa:
        return (None, pamount(pa))
    return None


bucket_names = rc.bucket_names
bucket_of = rc.bucket_of


def parse_buckets(s):
    try:
        parts = [p.strip() for p in s.split(",")]
        if not parts or any(not re.fullmatch(r"\d+", p) for p in parts):
            raise ValueError
        b = [int(p) for p in parts]
    except ValueError:
        raise RefError(2, "bad buckets")
    if b[0] <= 0 or any(b[i] >= b[i + 1] for i in range(len(b) - 1)):
        raise RefError(2, "bad buckets")
    return b


def header_of(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return next(csv.reader(f), [])


# ----------------------------------------------------------------------------- age

def age(opts):
    bounds = parse_buckets(opts.buckets)
    names = bucket_names(bounds)
    by = opts.by
    hdr = header_of(opts.invoices)
    if by == "customer":
        keys = ["customer"]
    elif by == "none":
        keys = []
    else:
        keys = [c.strip() for c in by.split(",")]
        if "currency" in keys:
            raise RefError(2, "--by currency")
        for k in keys:
            if k != "customer" and k not in hdr:
                raise RefError(1, "no column %s" % k)
    docs, alldocs, cnames = load(opts)
    as_of = opts.as_of
    if opts.basis == "issue":
        # "every document then needs an issue_date": cobro (and this reference) asks it
        # of every document that is aged (open != 0 at the as-of date)
        for d in docs:
            if d.issue is None and d.open_at(as_of) != 0:
                raise RefError(1, "basis issue needs issue date")
    has_names = "customer_name" in hdr

    def days_of(d):
        if opts.basis == "issue":
            return (as_of - d.issue).days
        return (as_of - d.due).days

    aged = []
    for d in docs:
        o = d.open_at(as_of)
        if o != 0:
            aged.append((d, o, days_of(d)))
    params = {"buckets": [Num(b) for b in bounds], "basis": opts.basis, "by": by,
              "detail": bool(opts.detail)}
    res = {"command": "age", "as_of": as_of.isoformat(), "params": params}
    if opts.detail:
        rows = []
        for (d, o, days) in sorted(aged, key=lambda x: (-x[2], x[0].customer,
                                                          x[0].currency, x[0].id)):
            rows.append({
                "customer": d.customer,
                # docs/age.md: the customer's name, also where the row's own cell is empty
                "customer_name": cnames.get(d.customer),
                "invoice": d.id, "currency": d.currency,
                "issue_date": d.issue.isoformat() if d.issue else None,
                "due_date": d.due.isoformat(),
                "amount": money(d.amount, d.currency), "open": money(o, d.currency),
                "days_past_due": Num(days), "bucket": bucket_of(days, bounds, names),
                "disputed": d.in_dispute(as_of)})
        res["rows"] = rows
        res["totals"] = []
        return res

    def keyvals(d):
        out = []
        for k in keys:
            if k == "customer":
                out.append(d.customer)
            else:
                out.append((d.row.get(k) or "").strip())
        return tuple(out)

    groups = {}
    for (d, o, days) in aged:
        g = (keyvals(d), d.currency)
        groups.setdefault(g, []).append((d, o, days))

    def agg(items, cur):
        b = {n: Decimal(0) for n in names}
        mx = 0
        for (d, o, days) in items:
            b[bucket_of(days, bounds, names)] += o
            if o > 0 and days > 0:
                mx = max(mx, days)
        total = sum(b.values(), Decimal(0))
        overdue = total - b["current"]
        out = {n: money(b[n], cur) for n in names}
        out["total_open"] = money(total, cur)
        out["overdue"] = money(overdue, cur)
        out["overdue_pct"] = pct(overdue, total)
        out["open_documents"] = Num(len(items))
        out["max_days_past_due"] = Num(mx)
        return out, overdue

    rows = []
    for (kv, cur), items in groups.items():
        row = {}
        for k, v in zip(keys, kv):
            row[k] = v
            if k == "customer" and by == "customer" and has_names:
                row["customer_name"] = cnames.get(v)
        row["currency"] = cur
        a, overdue = agg(items, cur)
        row.update(a)
        rows.append((overdue, kv, cur, row))
    rows.sort(key=lambda x: (-x[0], x[1], x[2]))
    res["rows"] = [r[3] for r in rows]
    totals = []
    for cur in sorted({d.currency for (d, _, _) in aged}):
        row = {}
        for k in keys:
            row[k] = None
            if k == "customer" and by == "customer" and has_names:
                row["customer_name"] = None
        row["currency"] = cur
        a, _ = agg([x for x in aged if x[0].currency == cur], cur)
        row.update(a)
        totals.append(row)
    res["totals"] = totals
    return res


# ------------------------------------------------------------------------- segment

DEFAULT_RULES = [
    ("critical", "max_days_past_due > 90 or (overdue_pct >= 50 and max_days_past_due > 60)",
     "escalate: final notice, then legal review"),
    ("high", "max_days_past_due > 30 or episodes >= 3 or avg_days_late > 30",
     "call this week, offer a payment plan"),
    ("medium", "max_days_past_due > 0 or late_share_pct >= 50 or avg_days_late > 10",
     "automated reminders, monitor"),
    ("low", "true", "standard terms"),
]

FEATURES = ["open", "overdue", "overdue_pct", "max_days_past_due", "open_documents",
            "disputed_open", "settled_invoices", "avg_days_late", "late_share_pct",
            "episodes", "open_promises", "broken_promises", "kept_promises"]

TOK = re.compile(r"\s*(?:(-?(?:\d+(?:\.\d+)?|\.\d+))|(<=|>=|==|!=|<|>)|([A-Za-z_][A-Za-z_0-9]*)|(\(|\)))")


def tokenize(s):
    pos = 0
    out = []
    s = s.rstrip()
    while pos < len(s):
        m = TOK.match(s, pos)
        if not m or m.end() == pos:
            raise RefError(1, "bad expression %r at %d" % (s, pos))
        if m.group(1):
            out.append(("num", Fraction(m.group(1))))
        elif m.group(2):
            out.append(("op", m.group(2)))
        elif m.group(3):
            w = m.group(3)
            if w in ("and", "or", "not", "true"):
                out.append((w, w))
            elif w in FEATURES:
                out.append(("feat", w))
            else:
                raise RefError(1, "unknown feature %r" % w)
        else:
            out.append((m.group(4), m.group(4)))
        pos = m.end()
    return out


def parse_expr(s):
    toks = tokenize(s)
    i = [0]

    def peek():
        return toks[i[0]][0] if i[0] < len(toks) else None

    def take():
        t = toks[i[0]]
        i[0] += 1
        return t

    def p_left(word, operand_of):  # operand (word operand)*, left-associative
        left = operand_of()
        while peek() == word:
            take()
            r = operand_of()
            left = (word, left, r)
        return left

    def p_or():
        return p_left("or", p_and)

    def p_and():
        return p_left("and", p_not)

    def p_not():
        if peek() == "not":
            take()
            return ("not", p_not())
        return p_atom()

    def operand():
        t = peek()
        if t == "num":
            return ("num", take()[1])
        if t == "feat":
            return ("feat", take()[1])
        raise RefError(1, "bad expression %r" % s)

    def p_atom():
        t = peek()
        if t == "(":
            take()
            e = p_or()
            if peek() != ")":
                raise RefError(1, "bad expression %r" % s)
            take()
            return e
        if t == "true":
            take()
            return ("true",)
        a = operand()
        if peek() != "op":
            raise RefError(1, "bad expression %r" % s)
        op = take()[1]
        b = operand()
        return ("cmp", op, a, b)

    e = p_or()
    if i[0] != len(toks):
        raise RefError(1, "bad expression %r" % s)
    return e


def evaluate(e, f):
    k = e[0]
    if k == "true":
        return True
    if k == "or":
        return evaluate(e[1], f) or evaluate(e[2], f)
    if k == "and":
        return evaluate(e[1], f) and evaluate(e[2], f)
    if k == "not":
        return not evaluate(e[1], f)
    _, op, a, b = e

    def val(x):
        return x[1] if x[0] == "num" else f[x[1]]

    x, y = val(a), val(b)
    if x is None or y is None:
        return False
    x, y = Fraction(x), Fraction(y)
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y,
            "!=": x != y}[op]


def load_rules(path):
    """Minimal reader of [[segment]] tables with name/when/action basic strings."""
    if path is None:
        return DEFAULT_RULES
    rules = []
    cur = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            if s == "[[segment]]":
                cur = {}
                rules.append(cur)
                continue
            m = re.match(r'^(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$', s)
            if not m or cur is None:
                raise RefError(1, "bad rules file line %r" % s)
            cur[m.group(1)] = json.loads('"' + m.group(2) + '"')
    return [(r["name"], r["when"], r.get("action", "")) for r in rules]


def delinquent_days(docs, as_of, grace):
    """Sorted list of the delinquent days (up to as_of) of one (customer, currency)."""
    pos = [d for d in docs if d.amount > 0]
    if not pos:
        return []
    g = dt.timedelta(days=grace)
    start = min(d.due for d in pos) + g + D1
    days = []
    day = start
    # open changes only at payment dates; but a day-by-day scan is simple and exact
    while day <= as_of:
        if any(day > d.due + g and d.exists(day) and d.open_at(day) > 0 for d in pos):
            days.append(day)
        day += D1
    return days


def episode_starts(days):
    out = []
    prev = None
    for d in days:
        if prev is None or d != prev + D1:
            out.append(d)
        prev = d
    return out


def load_promises(opts, alldocs):
    """SPEC 4 `promise`: the promises created up to the as-of date, with their status.
    -> {(customer, currency): [promise dict]}"""
    as_of = opts.as_of
    tol = dt.timedelta(days=opts.tolerance)
    by_id = opts.by_id
    custcur = {(d.customer, d.orig_currency) for d in alldocs}  # before any --fx
    proms = []
    seen = set()
    for line, row in enumerate(read_csv(opts.promises), start=2):
        try:
            cust = (row.get("customer") or "").strip()
            created = pdate(row.get("created"))
            promised = pdate(row.get("promised_date"))
            amount = pamount(row.get("amount"))
            if created is None or promised is None or not cust:
                raise RefError(1, "missing promise field")
            ids = rc.invoice_ids(row)
            cur = (row.get("currency") or "").strip()
            if not cur:
                cur = (by_id[ids[0]].orig_currency if ids and ids[0] in by_id
                       else opts.currency)
            pid = (row.get("promise_id") or "").strip() or "P%d" % line
            if (cust, cur) not in custcur:
                raise RefError(1, "unknown customer")
            for x in ids:
                if x not in by_id or by_id[x].customer != cust or \
                        by_id[x].orig_currency != cur:
                    raise RefError(1, "bad promise invoice")
            if opts.rates is not None:
                if cur not in opts.rates:
                    raise RefError(1, "no rate")
                amount = amount * opts.rates[cur]
                cur = opts.base
                if amount >= LIMIT:
                    raise RefError(1, "no rate: promise too large once converted")
            if ids and all(by_id[x].amount < 0 for x in ids):
                raise RefError(1, "only credit notes")
            if promised < created or amount <= 0 or pid in seen:
                raise RefError(1, "bad promise")
        except RefError as e:
            if opts.skip_bad_rows and "no rate" not in str(e):
                continue
            raise
        seen.add(pid)
        if created > as_of:
            continue
        proms.append({"id": pid, "key": (cust, cur), "created": created,
                      "promised": promised, "deadline": promised + tol, "amount": amount,
                      "scope": set(ids), "paid": Decimal(0), "held": {}, "kept": None})
    proms.sort(key=lambda p: (p["promised"], p["created"], p["id"]))  # fill order
    # effective-date order, then file order; only invoices (amount > 0), dated payments
    events = rc.promise_events(((d, pd, a, seq) for seq, (d, pd, a) in enumerate(opts.paylog)),
                               as_of)
    for (eff, _, d, a) in events:
        mine = [p for p in proms if p["key"] == d.key]
        if a > 0:
            left = a
            for p in mine:
                if left <= 0:
                    break
                if not (p["created"] <= eff <= p["deadline"]):
                    continue
                if p["scope"] and d.id not in p["scope"]:
                    continue
                take = min(left, p["amount"] - p["paid"])
                if take <= 0:
                    continue
                p["paid"] += take
                p["held"][d.id] = p["held"].get(d.id, Decimal(0)) + take
                left -= take
                if p["paid"] >= p["amount"]:
                    p["kept"] = eff
        elif a < 0:
            back = -a
            for p in reversed(mine):
                if back <= 0:
                    break
                h = p["held"].get(d.id, Decimal(0))
                take = min(back, h)
                if take <= 0:
                    continue
                p["held"][d.id] = h - take
                p["paid"] -= take
                back -= take
    out = {}
    for p in proms:
        if p["paid"] >= p["amount"]:
            p["status"] = "kept"
        elif as_of <= p["deadline"]:
            p["status"] = "open"
        elif p["paid"] > 0:
            p["status"] = "partially_kept"
        else:
            p["status"] = "broken"
        out.setdefault(p["key"], []).append(p)
    return out


def segment(opts):
    if opts.lookback < 1 or opts.grace < 0:
        raise RefError(2, "bad lookback/grace")
    if opts.top is not None and opts.top < 0:
        raise RefError(2, "bad top")
    if opts.tolerance < 0:
        raise RefError(2, "bad tolerance")
    rules = load_rules(opts.rules)
    parsed = [parse_expr(w) for (_, w, _) in rules]
    docs, alldocs, cnames = load(opts)
    proms = load_promises(opts, alldocs) if opts.promises else {}
    hdr = header_of(opts.invoices)
    has_names = "customer_name" in hdr
    as_of = opts.as_of
    lb0 = as_of - dt.timedelta(days=opts.lookback - 1)
    keys = {}
    for d in docs:
        keys.setdefault(d.key, []).append(d)
    rows = []
    for key, ds in keys.items():
        cust, cur = key
        opn = Decimal(0)
        overdue = Decimal(0)
        disputed_open = Decimal(0)
        ndocs = 0
        mx = 0
        include = False
        settled = []
        for d in ds:
            o = d.open_at(as_of)
            opn += o
            if d.due < as_of:
                overdue += o
            if o > 0 and d.due < as_of:
                mx = max(mx, (as_of - d.due).days)
            if o != 0:
                ndocs += 1
                include = True
            if d.in_dispute(as_of):
                disputed_open += o
            if d.issue is not None and lb0 <= d.issue <= as_of:
                include = True
            if d.amount > 0:
                s = d.settle(as_of)
                if s is not None and lb0 <= s <= as_of:
                    settled.append((d, s))
                    include = True
        if not include:
            continue
        eps = [s for s in episode_starts(delinquent_days(ds, as_of, opts.grace))
               if lb0 <= s <= as_of]
        n = len(settled)
        if n:
            avg = Fraction(sum(max(0, (s - d.due).days) for (d, s) in settled), n)
            late = Fraction(100 * sum(1 for (d, s) in settled
                                      if (s - d.due).days > opts.grace), n)
        else:
            avg = late = None
        ovp = Fraction(100) * Fraction(overdue) / Fraction(opn) if opn > 0 else None
        feats = {"open": opn, "overdue": overdue, "overdue_pct": ovp,
                 "max_days_past_due": mx, "open_documents": ndocs,
                 "disputed_open": disputed_open, "settled_invoices": n,
                 "avg_days_late": avg, "late_share_pct": late, "episodes": len(eps)}
        ps = proms.get(key, [])
        pf = {"open_promises": sum(1 for p in ps if p["status"] == "open"),
              "broken_promises": sum(1 for p in ps if p["status"] in
                                     ("broken", "partially_kept")
                                     and lb0 <= p["deadline"] <= as_of),
              "kept_promises": sum(1 for p in ps if p["status"] == "kept"
                                   and lb0 <= p["kept"] <= as_of)}
        feats.update(pf)
        ri = None
        for i, e in enumerate(parsed):
            if evaluate(e, feats):
                ri = i
                break
        row = {"customer": cust}
        if has_names:
            row["customer_name"] = cnames.get(cust)
        row["currency"] = cur
        if ri is None:
            row.update({"segment": None, "rule": None, "action": None})
        else:
            row.update({"segment": rules[ri][0], "rule": rules[ri][1],
                        "action": rules[ri][2]})
        row.update({
            "open": money(opn, cur), "overdue": money(overdue, cur),
            "overdue_pct": None if ovp is None else fmt(ovp, 2),
            "max_days_past_due": Num(mx), "open_documents": Num(ndocs),
            "disputed_open": money(disputed_open, cur),
            "settled_invoices": Num(n),
            "avg_days_late": None if avg is None else fmt(avg, 2),
            "late_share_pct": None if late is None else fmt(late, 2),
            "episodes": Num(len(eps))})
        if opts.promises:
            row.update({k: Num(v) for k, v in pf.items()})
        rows.append(((len(parsed) if ri is None else ri), -overdue, cust, cur, row,
                     overdue, opn))
    rows.sort(key=lambda x: x[:4])
    for i, r in enumerate(rows):
        r[4]["priority"] = Num(i + 1)
    if opts.segment is not None:
        rows = [r for r in rows if r[4]["segment"] == opts.segment]
    if opts.top is not None:  # docs/segment.md: --summary adds up the rows --top lists
        rows = rows[:opts.top]
    params = {"lookback": Num(opts.lookback), "grace": Num(opts.grace),
              "rules": opts.rules, "segment": opts.segment,
              "top": None if opts.top is None else Num(opts.top)}
    if opts.promises:
        params["promises"] = opts.promises
        params["tolerance"] = Num(opts.tolerance)
    res = {"command": "segment", "as_of": as_of.isoformat(), "params": params}
    if opts.summary:
        agg = {}
        curov = {}
        for (ri, _, _, cur, row, ov, opn) in rows:
            a = agg.setdefault((ri, cur), [row["segment"], 0, Decimal(0), Decimal(0)])
            a[1] += 1
            a[2] += opn
            a[3] += ov
            curov[cur] = curov.get(cur, Decimal(0)) + ov
        out = []
        for (ri, cur) in sorted(agg):
            seg, n, opn, ov = agg[(ri, cur)]
            out.append({"segment": seg, "currency": cur, "customers": Num(n),
                        "open": money(opn, cur), "overdue": money(ov, cur),
                        "overdue_share_pct": pct(ov, curov[cur])})
        res["rows"] = out
    else:
        res["rows"] = [r[4] for r in rows]
    res["totals"] = []
    return res


# ----------------------------------------------------------------------------- CLI

def dumps(obj):
    return rc.dumps(obj, ensure_ascii=False)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise RefError(2, "usage: " + message)


def parser():
    ap = _Parser()
    ap.add_argument("command", choices=["age", "segment"])
    ap.add_argument("invoices")
    ap.add_argument("--payments")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--disputes")
    ap.add_argument("--terms", type=int)
    ap.add_argument("--currency", default="EUR")
    ap.add_argument("--fx")
    ap.add_argument("--base")
    ap.add_argument("--skip-bad-rows", action="store_true")
    ap.add_argument("--buckets", default="30,60,90,120")
    ap.add_argument("--basis", default="due")
    ap.add_argument("--by", default="customer")
    ap.add_argument("--detail", action="store_true")
    ap.add_argument("--lookback", type=int, default=365)
    ap.add_argument("--grace", type=int, default=0)
    ap.add_argument("--rules")
    ap.add_argument("--segment")
    ap.add_argument("--top", type=int)
    ap.add_argument("--summary", action="store_true")
    ap.add_argument("--promises")
    ap.add_argument("--tolerance", type=int, default=3)
    return ap


def run(argv):
    """-> (exit code, JSON text or message)"""
    try:
        opts = parser().parse_args(argv)
    except RefError as e:
        return e.code, str(e)
    try:
        opts.as_of = pdate(opts.as_of)
        res = age(opts) if opts.command == "age" else segment(opts)
    except RefError as e:
        return e.code, str(e)
    return 0, dumps(res)


def main():
    code, out = run(sys.argv[1:])
    if code:
        print(out, file=sys.stderr)
    else:
        print(out)
    sys.exit(code)


if __name__ == "__main__":
    main()
