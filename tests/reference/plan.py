#!/usr/bin/env python3
"""Independent reference of `cobro plan schedule|offer|check -f json`, written from
/work/shared/SPEC.md (sections 1-3 and 4 `cobro plan`) and docs/plan.md only (never
cobro's source). Python 3 stdlib only; money is exact (Decimal in, Fraction inside), every
printed number rounded once, half away from zero (refcommon.fmt_fixed).

Rerun by hand (from the repository root; prints the JSON document, numbers as cobro
prints them, and exits 0, or prints an error on stderr and exits 1 (data) / 2 (usage)):
    python3 tests/reference/plan.py plan schedule --amount 10000 --installments 12 \
        --start 2025-01-31 --annual-rate 12
    python3 tests/reference/plan.py plan offer --amount 4800 --discount 15 --annual-rate 6
    python3 tests/reference/plan.py plan check examples/plans.csv \
        --payments examples/plan_payments.csv --as-of 2025-06-30
As a module: run(argv) -> (exit_code, doc_or_None, message); the document of `plan check`
carries the bad rows in "_bad" as (path, line, reason, detail) where detail is
(column, value, cobro's reason) when the reference knows cobro's exact words.
The random differential test against the binary is tests/reference/diff_plan.py.

Readings where the SPEC is silent (docs/plan.md decides the first two):
- The lump sum of `plan offer` is rounded to cents before `cost_vs_lump_sum` is taken.
- Money taken back beyond what was paid leaves a negative surplus: the plan owes it, and
  later positive money makes it good first, before it fills an installment. A
  customer-only payment passes through the customer's plans oldest first; each plan
  first makes good its own negative surplus, then fills its installments.
- An installment of 0 or less counts as paid from the start.
- Installments are ordered by (due_date, n); payments are applied by (date, file order).
- A date column where nothing tells day-first from month-first: a value that reads the
  same both ways is accepted, one that reads two ways is a bad row.
"""
import calendar
import csv
import datetime as dt
import io
import json
import re
import sys
import unicodedata
import os
from decimal import Decimal, InvalidOperation
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refcommon as rc  # noqa: E402

LIMIT = Decimal(10) ** 15
MAXN = 10000


Num = rc.Num  # a JSON number kept as its exact text


class Fail(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code
        self.msg = msg


# ---------------------------------------------------------------- numbers, dates

def rnd(x, digits=2):
    """Fraction -> Fraction rounded half away from zero to `digits` decimals."""
    x = Fraction(x)
    s = 10 ** digits
    neg = x < 0
    a = -x if neg else x
    q, r = divmod(a.numerator * s, a.denominator)
    if 2 * r >= a.denominator:
        q += 1
    return Fraction(-q if neg else q, s)


def floor_cents(x):
    x = Fraction(x)
    return Fraction((x.numerator * 100) // x.denominator, 100)


def fmt(x, digits=2):
    return Num(rc.fmt_fixed(Fraction(x), digits))


def money(x):
    return fmt(x, 2)  # `plan` always uses 2 decimals (SPEC section 3)


def param_num(d):
    """A flag's decimal value as cobro echoes it in params (normalized)."""
    d = Decimal(d)
    if d == 0:
        return Num("0")
    s = format(d.normalize(), "f")
    return Num(s)


def add_months(d, k):
    m = d.month - 1 + k
    y = d.year + m // 12
    m = m % 12 + 1
    day = min(d.day, calendar.monthrange(y, m)[1])
    return dt.date(y, m, day)


def due_k(start, every, k):
    if every == "month":
        return add_months(start, k)
    if every == "quarter":
        return add_months(start, 3 * k)
    if every == "week":
        return start + dt.timedelta(days=7 * k)
    if every == "2weeks":
        return start + dt.timedelta(days=14 * k)
    raise ValueError(every)


PER_YEAR = {"month": 12, "quarter": 4, "2weeks": 26, "week": 52}


# ---------------------------------------------------------------- schedules

def schedule_rows(P, n, r):
    """[(installment, interest, principal, balance)] for k = 1..n, exact Fractions."""
    P = Fraction(P)
    rows = []
    if r == 0:
        inst = floor_cents(P / n)
        bal = P
        for k in range(1, n + 1):
            prin = inst if k < n else bal
            bal = bal - prin
            rows.append((prin, Fraction(0), prin, bal))
        return rows
    r = Fraction(r)
    A = rnd(P * r / (1 - (1 + r) ** (-n)))
    bal = P
    for k in range(1, n + 1):
        i = rnd(bal * r)
        if k < n:
            prin = A - i
            inst = A
        else:
            prin = bal
            inst = prin + i
        bal = bal - prin
        rows.append((inst, i, prin, bal))
    return rows


def dec_flag(s, name, allow_neg=False):
    try:
        d = Decimal(s.strip())
    except (InvalidOperation, AttributeError):
        raise Fail(2, "%s: not a number: %r" % (name, s))
    if not d.is_finite():
        raise Fail(2, "%s: not a number" % name)
    return d


def int_flag(s, name):
    if not re.fullmatch(r"\+?[0-9]+", s.strip()):
        raise Fail(2, "%s: not a whole number: %r" % (name, s))
    return int(s)


def iso_flag(s, name):
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            raise ValueError
        return dt.date.fromisoformat(s)
    except ValueError:
        raise Fail(2, "%s: not a date YYYY-MM-DD: %r" % (name, s))


def parse_flags(argv, spec):
    """spec: {flag: kind} kind 'val' or 'bool'. Returns dict, positional list."""
    out, pos = {}, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--") and "=" in a:
            a, v = a.split("=", 1)
            argv = argv[:i] + [a, v] + argv[i + 1:]
        if a in ("-f",):
            a = "--format"
        if a in ("-o",):
            a = "--output"
        if a.startswith("-") and a != "-" and not re.fullmatch(r"-[0-9.]+", a):
            if a not in spec:
                raise Fail(2, "unexpected argument %s" % a)
            if spec[a] == "bool":
                out[a] = True
                i += 1
                continue
            if i + 1 >= len(argv):
                raise Fail(2, "%s needs a value" % a)
            v = argv[i + 1]
            if v.startswith("-") and not (spec[a] == "val-neg"):
                raise Fail(2, "unexpected argument %s" % v)
            if a in out and spec[a] != "multi":
                raise Fail(2, "%s given twice" % a)
            if spec[a] == "multi":
                out.setdefault(a, []).append(v)
            else:
                out[a] = v
            i += 2
            continue
        pos.append(a)
        i += 1
    return out, pos


COMMON = {"--config": "val", "--as-of": "val", "--format": "val", "--output": "val",
          "--columns": "val", "--totals": "bool", "--bom": "bool",
          "--out-delimiter": "val", "--out-decimal-comma": "bool"}


def as_of_of(f):
    if "--as-of" in f:
        return iso_flag(f["--as-of"], "--as-of")
    return dt.date.today()


def check_money_flag(d, name, positive=True):
    if positive and d <= 0:
        raise Fail(2, "%s must be positive" % name)
    if d < 0:
        raise Fail(2, "%s must not be negative" % name)
    if d > LIMIT:
        raise Fail(2, "%s must be at most 1000000000000000" % name)


def rate_flag(f, name="--annual-rate"):
    r = dec_flag(f.get(name, "0"), name)
    if r < 0 or r > 1000:
        raise Fail(2, "%s must be 0 to 1000" % name)
    return r


def cmd_schedule(argv):
    spec = dict(COMMON)
    spec.update({k: "val" for k in ("--amount", "--installments", "--max-installment",
                                     "--start", "--every", "--annual-rate",
                                     "--down-payment", "--fee", "--plan-id",
                                     "--customer")})
    f, pos = parse_flags(argv, spec)
    if pos:
        raise Fail(2, "unexpected argument %s" % pos[0])
    for req in ("--amount", "--start"):
        if req not in f:
            raise Fail(2, "missing %s" % req)
    if ("--installments" in f) == ("--max-installment" in f):
        raise Fail(2, "give one of --installments N or --max-installment M")
    if ("--plan-id" in f) != ("--customer" in f):
        raise Fail(2, "--plan-id and --customer go together")
    every = f.get("--every", "month")
    if every not in PER_YEAR:
        raise Fail(2, "--every: month, 2weeks, week or quarter")
    as_of = as_of_of(f)
    start = iso_flag(f["--start"], "--start")
    amount = dec_flag(f["--amount"], "--amount")
    check_money_flag(amount, "--amount")
    rate = rate_flag(f)
    down = dec_flag(f.get("--down-payment", "0"), "--down-payment")
    check_money_flag(down, "--down-payment", positive=False)
    fee = dec_flag(f.get("--fee", "0"), "--fee")
    check_money_flag(fee, "--fee", positive=False)
    P = Fraction(amount) - Fraction(down) + Fraction(fee)
    if P <= 0:
        raise Fail(2, "nothing to finance")
    r = Fraction(rate) / 100 / PER_YEAR[every]
    if "--installments" in f:
        n = int_flag(f["--installments"], "--installments")
        if not 1 <= n <= MAXN:
            raise Fail(2, "--installments must be between 1 and 10000")
        rows = schedule_rows(P, n, r)
    else:
        M = dec_flag(f["--max-installment"], "--max-installment")
        check_money_flag(M, "--max-installment")
        M = Fraction(M)
        if r > 0 and rnd(P * r) >= M:
            raise Fail(2, "one period's interest already reaches --max-installment")
        n = max(1, -(-P // M))
        rows = None
        while n <= MAXN:
            cand = schedule_rows(P, n, r)
            if max(x[0] for x in cand) <= M:
                rows = cand
                break
            n += 1
        if rows is None:
            raise Fail(2, "no schedule up to 10000 installments")
    lead = {}
    if "--plan-id" in f:
        lead = {"plan_id": f["--plan-id"], "customer": f["--customer"]}
    out = []
    tot_paid = Fraction(0)
    tot_int = Fraction(0)
    tot_prin = Fraction(0)
    if down > 0:
        row = dict(lead)
        row.update({"n": Num("0"), "due_date": start.isoformat(),
                    "installment": money(down), "interest": money(0),
                    "principal": money(down), "balance": money(P)})
        out.append(row)
        tot_paid += Fraction(down)
        tot_prin += Fraction(down)
    for k, (inst, i, prin, bal) in enumerate(rows, 1):
        row = dict(lead)
        row.update({"n": Num(str(k)), "due_date": due_k(start, every, k).isoformat(),
                    "installment": money(inst), "interest": money(i),
                    "principal": money(prin), "balance": money(bal)})
        out.append(row)
        tot_paid += inst
        tot_int += i
        tot_prin += prin
    params = {"amount": param_num(amount), "installments": Num(str(n)),
              "start": start.isoformat(), "every": every, "annual_rate": param_num(rate),
              "down_payment": param_num(down), "fee": param_num(fee)}
    totals = [{"installments": Num(str(n)), "total_paid": money(tot_paid),
               "interest": money(tot_int), "principal": money(tot_prin)}]
    return {"command": "plan schedule", "as_of": as_of.isoformat(), "params": params,
            "rows": out, "totals": totals}


def cmd_offer(argv):
    spec = dict(COMMON)
    spec.update({k: "val" for k in ("--amount", "--discount", "--annual-rate",
                                     "--options")})
    f, pos = parse_flags(argv, spec)
    if pos:
        raise Fail(2, "unexpected argument %s" % pos[0])
    if "--amount" not in f:
        raise Fail(2, "missing --amount")
    as_of = as_of_of(f)
    amount = dec_flag(f["--amount"], "--amount")
    check_money_flag(amount, "--amount")
    disc = dec_flag(f.get("--discount", "0"), "--discount")
    if disc < 0 or disc > 100:
        raise Fail(2, "--discount must be 0 to 100")
    rate = rate_flag(f)
    opts_s = f.get("--options", "3,6,12")
    opts = []
    for part in opts_s.split(","):
        if not re.fullmatch(r"\s*\+?[0-9]+\s*", part):
            raise Fail(2, "--options: not a whole number %r" % part)
        v = int(part)
        if not 1 <= v <= MAXN:
            raise Fail(2, "--options: each count from 1 to 10000")
        opts.append(v)
    if len(opts) > 100:
        raise Fail(2, "--options: at most 100 options")
    A = Fraction(amount)
    # docs/plan.md: the lump sum is money to be paid, rounded to cents before
    # `cost_vs_lump_sum` is taken, so the rows add up as printed.
    lump = rnd(A * (100 - Fraction(disc)) / 100)
    rows = [{"option": "lump_sum", "installments": Num("1"), "installment": money(lump),
             "last_installment": money(lump), "total_paid": money(lump),
             "interest": money(0), "cost_vs_lump_sum": money(0)}]
    r = Fraction(rate) / 100 / 12
    for n in opts:
        sch = schedule_rows(A, n, r)
        tp = sum((x[0] for x in sch), Fraction(0))
        ti = sum((x[1] for x in sch), Fraction(0))
        rows.append({"option": "%d_installments" % n, "installments": Num(str(n)),
                     "installment": money(sch[0][0]), "last_installment": money(sch[-1][0]),
                     "total_paid": money(tp), "interest": money(ti),
                     "cost_vs_lump_sum": money(tp - lump)})
    params = {"amount": param_num(amount), "discount": param_num(disc),
              "annual_rate": param_num(rate), "options": [Num(str(o)) for o in opts]}
    return {"command": "plan offer", "as_of": as_of.isoformat(), "params": params,
            "rows": rows, "totals": []}


# ---------------------------------------------------------------- reading files

def norm_header(h):
    h = unicodedata.normalize("NFKD", h.strip().lstrip("\ufeff"))
    h = "".join(c for c in h if not unicodedata.combining(c)).lower()
    return re.sub(r"[\s_\-.]+", "_", h).strip("_")


PLAN_FIELDS = {
    "plan_id": ["plan_id", "plan"],
    "customer": ["customer", "cliente"],
    "n": ["n"],
    "due_date": ["due_date", "vencimiento"],
    "installment": ["installment", "amount", "importe"],
}
PAY_FIELDS = {
    "plan_id": ["plan_id", "plan"],
    "customer": ["customer", "cliente"],
    "date": ["date", "fecha"],
    "amount": ["amount", "importe"],
}

DATE_FMTS = ["%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y"]
ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")


def read_table(path, delimiter=None):
    with open(path, "rb") as fh:
        raw = fh.read()
    text = raw.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise Fail(1, "%s: the file is empty" % path)
    first = text.splitlines()[0]
    if delimiter is None:
        counts = {d: first.count(d) for d in (",", ";", "\t")}
        delimiter = max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","
    rd = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    header = None
    for rec in rd:
        line = rd.line_num
        if header is None:
            header = rec
            continue
        if not rec or all(c == "" for c in rec) and len(rec) <= 1:
            continue  # blank line
        rows.append((line, rec))
    return header, rows


def find_cols(path, header, fields, required, maps=()):
    idx = {}
    nh = [norm_header(h) for h in header]
    for m in maps:  # --map FIELD=HEADER: the first mapped header the file has
        fld, _, hd = m.partition("=")
        if fld in fields and fld not in idx and norm_header(hd) in nh:
            idx[fld] = nh.index(norm_header(hd))
    for fld, aliases in fields.items():
        if fld in idx:
            continue
        for al in aliases:
            if al in nh:
                idx[fld] = nh.index(al)
                break
    for r in required:
        if r not in idx:
            raise Fail(1, "%s: missing column %s; headers found: %s" % (path, r, header))
    return idx


def parse_amount(s, decimal_comma=False):
    t = s.strip()
    if not t:
        raise ValueError("empty amount")
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg = True
        t = t[1:-1].strip()
    t = re.sub(r"^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$", "", t)
    t = t.strip().strip("€$£¥").strip()
    if t.endswith("-"):
        neg = not neg
        t = t[:-1].strip()
    if t.startswith("-"):
        neg = not neg
        t = t[1:]
    elif t.startswith("+"):
        t = t[1:]
    t = t.strip("€$£¥").strip()
    if decimal_comma:
        if not re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?|\d+(,\d+)?", t):
            raise ValueError("bad amount")
        t = t.replace(".", "").replace(",", ".")
    else:
        if not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+", t):
            raise ValueError("bad amount")
        t = t.replace(",", "")
    d = Decimal(t)
    return -d if neg else d


def parse_iso(v):
    m = ISO_RE.match(v.strip())
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def try_fmt(v, fm):
    try:
        return dt.datetime.strptime(v.strip(), fm).date()
    except ValueError:
        return None


def date_column(path, col, values, date_format):
    """values: [(line, text)] -> ({line: date or None}, error or None).
    ISO always reads; otherwise one format per column (SPEC section 2)."""
    nonempty = [(ln, v) for ln, v in values if v.strip()]
    if date_format:
        fms = [date_format]
    else:
        # ISO-shaped values (valid or not) take no part in telling the column's format
        others = [(ln, v) for ln, v in nonempty
                  if parse_iso(v) is None and not re.match(r"^\d{4}-\d{1,2}-\d{1,2}", v.strip())]
        fms = []
        if others:
            cands = [fm for fm in DATE_FMTS if all(try_fmt(v, fm) for _, v in others)]
            if "%d/%m/%Y" in cands and "%m/%d/%Y" in cands:
                # nothing tells the order: a value that reads the same both ways is
                # fine, one that reads two ways is a bad row (never a guess)
                out = {}
                for ln, v in values:
                    d = parse_iso(v) if v.strip() else None
                    if d is None and v.strip():
                        a, b = try_fmt(v, "%d/%m/%Y"), try_fmt(v, "%m/%d/%Y")
                        d = a if a == b else None
                    out[ln] = d
                return out
            if cands:
                fms = [cands[0]]
            else:
                # the format that reads the most values
                best = max(DATE_FMTS, key=lambda fm: sum(1 for _, v in others if try_fmt(v, fm)))
                if any(try_fmt(v, best) for _, v in others):
                    fms = [best]
    out = {}
    for ln, v in values:
        d = parse_iso(v) if v.strip() else None
        if d is None and v.strip():
            for fm in fms:
                d = try_fmt(v, fm)
                if d:
                    break
        out[ln] = d
    return out


def bad_message(b):
    """The error of a bad row: cobro's exact words when `detail` is known
    (FILE:LINE: column "C": value "V": REASON), else the reference's own reason."""
    path, line, why, detail = b
    if detail is None:
        return "%s:%d: %s" % (path, line, why)
    return '%s:%d: column "%s": value "%s": %s' % ((path, line) + detail)


def cmd_check(argv):
    spec = dict(COMMON)
    spec.update({k: "val" for k in ("--grace", "--broken-after", "--payments",
                                     "--delimiter", "--date-format", "--terms",
                                     "--currency", "--rejects", "--fx", "--base")})
    spec["--map"] = "multi"
    spec["--skip-bad-rows"] = "bool"
    spec["--decimal-comma"] = "bool"
    f, pos = parse_flags(argv, spec)
    if len(pos) != 1:
        raise Fail(2, "plan check needs one PLANS file")
    if "--payments" not in f:
        raise Fail(2, "plan check needs --payments FILE")
    as_of = as_of_of(f)
    grace = int_flag(f.get("--grace", "5"), "--grace")
    if grace > 36500:
        raise Fail(2, "--grace up to 36500")
    broken_after = int_flag(f.get("--broken-after", "2"), "--broken-after")
    if broken_after < 1:
        raise Fail(2, "--broken-after at least 1")
    skip = f.get("--skip-bad-rows", False)
    dcomma = f.get("--decimal-comma", False)
    delim = f.get("--delimiter")
    if delim == "tab":
        delim = "\t"
    datefmt = f.get("--date-format")
    bad = []  # (path, line, reason)

    # --- plans
    ppath = pos[0]
    header, rows = read_table(ppath, delim)
    ci = find_cols(ppath, header, PLAN_FIELDS, ["plan_id", "customer", "n", "due_date",
                                                "installment"], f.get("--map", []))

    def cell(rec, c):
        i = ci.get(c)
        return rec[i] if i is not None and i < len(rec) else ""
    dates = date_column(ppath, "due_date", [(ln, cell(rec, "due_date")) for ln, rec in rows],
                        datefmt)
    plans = {}  # id -> {"customer", "inst": [(due, n, amount)]}
    seen = set()
    for ln, rec in rows:
        pid, cust = cell(rec, "plan_id").strip(), cell(rec, "customer").strip()
        nn, amt_s = cell(rec, "n").strip(), cell(rec, "installment")
        why = None
        if not pid:
            why = "missing plan_id"
        elif not cust:
            why = "missing customer"
        elif not re.fullmatch(r"[0-9]+", nn):
            why = "the installment number is not a whole number"
        elif dates[ln] is None:
            why = "bad due_date"
        else:
            try:
                a = parse_amount(amt_s, dcomma)
            except (ValueError, InvalidOperation):
                why = "bad installment amount"
        detail = None
        # a row of another customer than the plan's is no installment of that plan, so
        # this is checked before a repeated number (both can hold: only the reason differs)
        if why is None and pid in plans and plans[pid]["customer"] != cust:
            why = "plan of another customer"
        if why is None and (pid, int(nn)) in seen:
            why = "duplicate installment"
            # the column as the file's header names it (e.g. "N"), the value as written
            detail = (header[ci["n"]].strip(), nn,
                      "plan '%s' already has installment %d" % (pid, int(nn)))
        if why:
            bad.append((ppath, ln, why, detail))
            continue
        seen.add((pid, int(nn)))
        pl = plans.setdefault(pid, {"customer": cust, "inst": []})
        pl["inst"].append((dates[ln], int(nn), Fraction(a)))
    if bad and not skip:
        raise Fail(1, bad_message(bad[0]))
    if not plans:
        raise Fail(1, "%s: no plans" % ppath)

    # --- payments
    ypath = f["--payments"]
    yheader, yrows = read_table(ypath, delim)
    yi = find_cols(ypath, yheader, PAY_FIELDS, ["date", "amount"], f.get("--map", []))
    if "plan_id" not in yi and "customer" not in yi:
        raise Fail(1, "%s: payments need plan_id or customer" % ypath)

    def ycell(rec, c):
        i = yi.get(c)
        return rec[i] if i is not None and i < len(rec) else ""
    ydates = date_column(ypath, "date", [(ln, ycell(rec, "date")) for ln, rec in yrows],
                         datefmt)
    cust_plans = {}
    for pid, pl in plans.items():
        cust_plans.setdefault(pl["customer"], []).append(pid)
    pays = []
    nbad_plans = len(bad)
    for k, (ln, rec) in enumerate(yrows):
        pid, cust = ycell(rec, "plan_id").strip(), ycell(rec, "customer").strip()
        why = None
        a = None
        if not pid and not cust:
            why = "missing plan_id and customer"
        elif ydates[ln] is None:
            why = "bad date"
        else:
            try:
                a = parse_amount(ycell(rec, "amount"), dcomma)
            except (ValueError, InvalidOperation):
                why = "bad amount"
        if why is None:
            if pid and pid not in plans:
                why = "no plan with this id"
            elif pid and cust and plans[pid]["customer"] != cust:
                why = "plan belongs to another customer"
            elif not pid and cust not in cust_plans:
                why = "no plan of this customer"
        if why:
            bad.append((ypath, ln, why, None))
            continue
        pays.append((ydates[ln], k, pid, cust, Fraction(a)))
    if len(bad) > nbad_plans and not skip:
        raise Fail(1, bad_message(bad[nbad_plans]))

    # --- state
    st = {}
    for pid, pl in plans.items():
        inst = sorted(pl["inst"], key=lambda x: (x[0], x[1]))
        st[pid] = {"due": [x[0] for x in inst], "amt": [x[2] for x in inst],
                   "paid": [Fraction(0)] * len(inst),
                   # a zero (or negative) installment is paid from the start
                   "full": [None] * len(inst), "surplus": Fraction(0)}
        s = st[pid]
        for i, a in enumerate(s["amt"]):
            if a <= 0:
                s["full"][i] = dt.date.min

    def fill(s, x, d, keep_rest):
        # docs/plan.md: money taken back beyond what was paid (a negative surplus) is
        # owed by the plan; later money makes it good before it pays an installment
        if s["surplus"] < 0 and x > 0:
            t = min(-s["surplus"], x)
            s["surplus"] += t
            x -= t
        for i in range(len(s["amt"])):
            if x <= 0:
                break
            need = s["amt"][i] - s["paid"][i]
            if need > 0:
                t = min(need, x)
                s["paid"][i] += t
                x -= t
                if s["paid"][i] >= s["amt"][i]:
                    s["full"][i] = d
        if keep_rest:
            s["surplus"] += x
            return Fraction(0)
        return x

    def take(s, y, keep_rest):
        if s["surplus"] > 0:
            t = min(s["surplus"], y)
            s["surplus"] -= t
            y -= t
        for i in range(len(s["amt"]) - 1, -1, -1):
            if y <= 0:
                break
            if s["paid"][i] > 0:
                t = min(s["paid"][i], y)
                s["paid"][i] -= t
                y -= t
                if s["paid"][i] < s["amt"][i]:
                    s["full"][i] = None
        if keep_rest:
            s["surplus"] -= y
            return Fraction(0)
        return y

    def plan_key(pid):
        return (min(st[pid]["due"]), pid)

    for (d, k, pid, cust, a) in sorted(pays, key=lambda p: (p[0], p[1])):
        if d > as_of or a == 0:
            continue
        if pid:
            if a > 0:
                fill(st[pid], a, d, True)
            else:
                take(st[pid], -a, True)
        else:
            order = sorted(cust_plans[cust], key=plan_key)
            if a > 0:
                x = a
                for j, p in enumerate(order):
                    x = fill(st[p], x, d, j == len(order) - 1)
            else:
                y = -a
                rev = order[::-1]
                for j, p in enumerate(rev):
                    y = take(st[p], y, j == len(rev) - 1)

    out = []
    for pid in sorted(plans):
        s = st[pid]
        n = len(s["amt"])
        unpaid = [i for i in range(n) if s["paid"][i] < s["amt"][i]]
        overdue = [i for i in unpaid if (as_of - s["due"][i]).days > grace]
        late = 0
        for i in range(n):
            if i not in unpaid:
                fd = s["full"][i]
                if fd is not None and fd != dt.date.min:
                    late = max(late, (fd - s["due"][i]).days)
            elif as_of > s["due"][i]:
                late = max(late, (as_of - s["due"][i]).days)
        if not unpaid:
            status = "completed"
        elif len(overdue) >= broken_after:
            status = "broken"
        elif overdue:
            status = "late"
        else:
            status = "on_track"
        paid_amount = sum(s["paid"], Fraction(0)) + s["surplus"]
        remaining = sum((s["amt"][i] - s["paid"][i] for i in unpaid), Fraction(0))
        nx = unpaid[0] if unpaid else None
        out.append({
            "plan_id": pid, "customer": plans[pid]["customer"], "status": status,
            "installments": Num(str(n)), "paid_installments": Num(str(n - len(unpaid))),
            "paid_amount": money(paid_amount), "remaining": money(remaining),
            "overdue_amount": money(sum((s["amt"][i] - s["paid"][i] for i in overdue),
                                        Fraction(0))),
            "installments_overdue": Num(str(len(overdue))),
            "next_due_date": s["due"][nx].isoformat() if nx is not None else None,
            "next_amount": money(s["amt"][nx] - s["paid"][nx]) if nx is not None else None,
            "max_days_late": Num(str(late)),
        })
    params = {"grace": Num(str(grace)), "broken_after": Num(str(broken_after))}
    return {"command": "plan check", "as_of": as_of.isoformat(), "params": params,
            "rows": out, "totals": [], "_bad": bad}


def run(argv):
    try:
        if len(argv) < 2 or argv[0] != "plan":
            raise Fail(2, "usage: plan schedule|offer|check ...")
        sub = argv[1]
        fn = {"schedule": cmd_schedule, "offer": cmd_offer, "check": cmd_check}.get(sub)
        if fn is None:
            raise Fail(2, "unknown subcommand %s" % sub)
        return 0, fn(argv[2:]), ""
    except Fail as e:
        return e.code, None, e.msg


def dumps(doc):
    """JSON text with Num values unquoted."""
    def enc(v):
        if isinstance(v, Num):
            return str(v)
        if isinstance(v, dict):
            return "{" + ", ".join(json.dumps(k) + ": " + enc(x) for k, x in v.items()
                                   if not k.startswith("_")) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(enc(x) for x in v) + "]"
        return json.dumps(v, ensure_ascii=False)
    return enc(doc)


if __name__ == "__main__":
    code, doc, msg = run(sys.argv[1:])
    if code:
        print("ref: " + msg, file=sys.stderr)
        sys.exit(code)
    print(dumps(doc))
