"""Shared helpers of the differential scripts tests/reference/diff*.py (what only they
share; the references' helpers are in refcommon.py).

Python 3 standard library only. A script imports it as the references are imported,
after putting its own folder first on sys.path, so it runs from any directory.

- the binary: default_bin, run, json_text;
- the command line of diff_age_segment.py, diff_kpi.py and diff_plan.py: case_parser and
  case_numbers (--cases --start --seed --cobro --keep --one);
- CSV files: csv_line and write_rows (cells quoted by hand, as diff_pf.py, diff_side.py
  and diff_statement.py write them), csv_writer and write_csv (the csv module, with a
  delimiter, BOM or CRLF);
- random ledgers: threshold_choice; month_keys, day_picker, doc_dates, doc_amount,
  positive_payments, zero_payments and single_file_cells (diff_age_segment.py,
  diff_kpi.py); fmt, rand_amount, gen_customers, single_file_columns, promise_pair,
  promise_scope, promise_id, keeping_pool and number_disputes (diff_pf.py, diff_side.py);
- differences: compare_parts (the rows and totals of two JSON documents), formula_guard
  (a CSV text cell), keep_case (a failing case's files), note_failure and print_kinds
  (the summary).
"""
import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refcommon as rc  # noqa: E402

D = dt.timedelta


# ---------------------------------------------------------------- the binary

def default_bin(env_var=None):
    """$env_var if set (and env_var given), else $CARGO_TARGET_DIR/debug/cobro, else
    target/debug/cobro."""
    if env_var and os.environ.get(env_var):
        return os.environ[env_var]
    return os.path.join(os.environ.get("CARGO_TARGET_DIR") or "target", "debug", "cobro")


def run(argv, nice=True, **kw):
    """subprocess.run(argv) (the binary first) with its output captured as text, under
    `nice -n 19` when nice; kw (cwd, timeout) as subprocess.run takes them."""
    return subprocess.run((["nice", "-n", "19"] if nice else []) + list(argv),
                          capture_output=True, text=True, **kw)


def json_text(text):
    """json.loads with every JSON number kept as its text (1000.00 is not 1000.0)."""
    return json.loads(text, parse_float=str, parse_int=str)


# ---------------------------------------------------------------- command line

def case_parser(description, keep, cobro, bin_alias=True):
    """The options of a script whose case k is random.Random(seed * 1000003 + k):
    --cases (500) --start (0) --seed (1) --cobro (also --bin when bin_alias) --keep --one."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(*(("--cobro", "--bin") if bin_alias else ("--cobro",)), dest="cobro",
                    default=cobro)
    ap.add_argument("--keep", default=keep)
    ap.add_argument("--one", type=int)
    return ap


def case_numbers(a):
    """The case numbers of case_parser's options: --one, else --start .. --start+--cases-1."""
    return [a.one] if a.one is not None else range(a.start, a.start + a.cases)


# ---------------------------------------------------------------- CSV files

def csv_line(values):
    """One CSV line ending in "\\n": None is empty, anything else str(); a cell holding
    , " or a newline is quoted, its " doubled."""
    out = []
    for v in values:
        v = "" if v is None else str(v)
        if any(c in v for c in ',"\n'):
            v = '"' + v.replace('"', '""') + '"'
        out.append(v)
    return ",".join(out) + "\n"


def write_rows(path, header, rows):
    """A UTF-8 CSV file: the header as is, then one csv_line a dict row (a missing cell
    empty, keys outside the header ignored)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(csv_line([row.get(h, "") for h in header]))


@contextlib.contextmanager
def csv_writer(path, delimiter=",", bom=False, crlf=False):
    """A csv.writer on a new UTF-8 file (with a BOM when bom), lines ending in \\n (\\r\\n
    when crlf)."""
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        yield csv.writer(fh, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")


def write_csv(path, header, rows, delimiter=",", bom=False, crlf=False, extra="raise"):
    """A CSV file (csv module quoting, see csv_writer) of the header and the rows: lists
    as they are, dicts by the header (a missing cell empty; a key outside the header an
    error as in csv.DictWriter, or ignored when extra="ignore")."""
    with csv_writer(path, delimiter, bom, crlf) as w:
        w.writerow(header)
        for row in rows:
            if isinstance(row, dict):
                if extra == "raise":
                    wrong = [k for k in row if k not in header]
                    if wrong:
                        raise ValueError("dict contains fields not in the header: %s"
                                         % ", ".join(map(repr, wrong)))
                row = [row.get(h, "") for h in header]
            w.writerow(row)


# ---------------------------------------------------------------- random ledgers

def threshold_choice(x, table, otherwise):
    """The value of the first (threshold, value) of table with x < threshold, else
    otherwise (one random number picks among cumulative probabilities)."""
    for t, v in table:
        if x < t:
            return v
    return otherwise


def month_keys(keys, start, end):
    """Adds to the set keys every first of a month from start's month on up to end, and
    the day before each."""
    d = start.replace(day=1)
    while d <= end:
        keys.add(d)
        keys.add(d - D(1))
        d = rc.month_end(d) + D(1)


def day_picker(r, keys, as_of):
    """pick_day(base=None): a key day (35 %), base -40..+60 days when there is a base
    (35 %), else as_of -450..+20 days."""
    def pick_day(base=None):
        x = r.random()
        if x < 0.35:
            return r.choice(keys)
        if base is not None and x < 0.7:
            return base + D(r.randint(-40, 60))
        return as_of - D(r.randint(-20, 450))
    return pick_day


def doc_dates(r, as_of, keys, pick_day, p_after, p_key_due, p_due_before):
    """(issue, due, due put before issue) of a random document: issued on pick_day(),
    or (p_after) 1-20 days after as_of; due 0-60 days later, or (p_key_due) on a key day
    from the issue on, or (p_due_before) 1-20 days before the issue."""
    issue = pick_day()
    if r.random() < p_after:
        issue = as_of + D(r.randint(1, 20))  # after the as-of date
    tdays = r.choice([0, 0, 1, 10, 14, 30, 30, 45, 60])
    due = issue + D(tdays)
    if r.random() < p_key_due:  # due date on a key day (period end, month end...)
        cand = [k for k in keys if k >= issue]
        if cand:
            due = r.choice(cand)
    before = r.random() < p_due_before
    if before:
        due = issue - D(r.randint(1, 20))
    return issue, due, before


def doc_amount(r, cur, amt, p_credit, p_zero):
    """A random document's amount: x = r.random(); a credit note of amt(5..500) when
    x < p_credit, 0 when x < p_zero, else an invoice of amt(5..1000)."""
    x = r.random()
    if x < p_credit:
        return -amt(r, cur, 5, 500)
    if x < p_zero:
        return Decimal(0)
    return amt(r, cur, 5, 1000)


def positive_payments(r, pat, a, cur, due, issue, pick_day, amt, quantum, on_time=()):
    """[(date, amount)] of an invoice of amount a > 0 by the pattern number pat: unpaid,
    paid once (on due, due +-1, the days on_time or pick_day(due)), partial(s) (rounded
    to quantum), overpaid, paid-reversed-maybe-repaid, paid before the issue date, many
    small random, a zero payment then the whole."""
    plist = []
    if pat < 0.15:
        pass  # unpaid
    elif pat < 0.35:
        plist.append((r.choice([due, due + D(1), due - D(1)] + list(on_time) + [pick_day(due)]),
                      a))
    elif pat < 0.5:  # partial(s)
        p1 = (a * Decimal(r.choice([1, 2, 3, 5])) / 10).quantize(quantum)
        plist.append((pick_day(due), p1))
        if r.random() < 0.6:
            plist.append((pick_day(due), a - p1))
    elif pat < 0.6:  # overpayment
        plist.append((pick_day(due), a + amt(r, cur, 1, 50)))
    elif pat < 0.75:  # payment, reversal, maybe re-payment
        d1 = pick_day(due)
        d2 = d1 + D(r.randint(0, 60))
        plist.append((d1, a))
        plist.append((d2, -a))
        if r.random() < 0.6:
            plist.append((d2 + D(r.randint(0, 40)), a))
    elif pat < 0.82:  # payment before issue
        plist.append((issue - D(r.randint(1, 30)), a))
    elif pat < 0.9:  # many small random
        for _ in range(r.randint(1, 4)):
            plist.append((pick_day(due), amt(r, cur, -50, 400)))
    else:
        plist.append((pick_day(due), Decimal(0).scaleb(-r.choice([0, 2, 3]))))
        plist.append((pick_day(due), a))
    return plist


def zero_payments(r, pat, cur, due, pick_day, amt):
    """[(date, amount)] of a document of amount 0 by the pattern number pat: a stray
    payment, a zero payment, or none."""
    if pat < 0.3:
        return [(pick_day(due), amt(r, cur, 1, 50))]
    if pat < 0.5:
        return [(pick_day(due), Decimal(0).scaleb(-r.choice([0, 2, 3])))]
    return []


def single_file_cells(r, row, a, cur, due, pick_day, amt, quantum, fmt, more=False):
    """Fills at random the single-file export cells of the invoice row (amount a): a
    paid_date (maybe with a paid_amount), or only an open_amount; with more (diff_kpi.py)
    also an open_amount beside a paid_date, and a paid_amount alone. True when the row
    got one of them."""
    y = r.random()
    if y < 0.25:
        row["paid_date"] = pick_day(due).isoformat()
        if r.random() < 0.5:
            row["paid_amount"] = fmt((a * r.choice([1, 3, 5, 10, 12]) / 10).quantize(quantum))
        if more and r.random() < 0.1:
            row["open_amount"] = fmt(a / 2 if cur != "JPY" else a)
    elif y < 0.45:
        row["open_amount"] = fmt(r.choice([a, Decimal(0), (a / 4).quantize(quantum),
                                           -amt(r, cur, 1, 20)]))
    elif more and y < 0.5:
        row["paid_amount"] = fmt(a)
    return y < (0.5 if more else 0.45)


def fmt(x):
    """A Decimal as plain text (never an exponent)."""
    return format(x, "f")


def rand_amount(r, cur, lo=1, hi=3000, tiny=False):
    """lo..hi in the currency's minor units (tiny: 1..7 minor units)."""
    digits = rc.minor(cur)
    if tiny:
        units = r.randint(1, 7)
    else:
        units = r.randint(lo * 10 ** digits, hi * 10 ** digits)
    return Decimal(units).scaleb(-digits)


CURS = ["EUR", "USD", "JPY", "KWD"]
PAY_H = ["invoice", "date", "amount"]
PRO_H = ["promise_id", "customer", "created", "promised_date", "amount", "currency",
         "invoice", "note"]


def gen_customers(r, k):
    """{customer: (currencies, name)} of k customers with ids in awkward text order."""
    pool = ["C1", "C2", "C10", "C9", "b-co", "A7", "Z", "+C5"]
    r.shuffle(pool)
    custs = pool[:k]
    out = {}
    for c in custs:
        curs = r.sample(CURS, r.choice([1, 1, 1, 2]))
        name = r.choice(["", "Acme " + c, "Name, " + c])
        out[c] = (curs, name)
    return out


def single_file_columns(r, invoices, as_of):
    """Sometimes turn a few rows into single-file export rows (SPEC section 1): a
    paid_date (with or without paid_amount) or only an open_amount. Returns the extra
    header columns."""
    if r.random() < 0.75:
        return []
    for inv in invoices:
        x = r.random()
        amt = Decimal(inv["amount"])
        if x < 0.15:
            due = dt.date.fromisoformat(inv["due_date"])
            inv["paid_date"] = (due + D(days=r.randint(-20, 40))).isoformat()
            if r.random() < 0.5:
                inv["paid_amount"] = fmt((amt / 2).quantize(amt) if r.random() < 0.5 else amt)
        elif x < 0.3:
            inv["open_amount"] = fmt(r.choice([Decimal(0), (amt / 3).quantize(amt), amt]))
    return ["paid_date", "paid_amount", "open_amount"]


def promise_pair(r, invoices, cur_key):
    """A random invoice's customer and currency (the row's cur_key), and the invoices
    of that pair."""
    inv0 = r.choice(invoices)
    c, cur = inv0["customer"], inv0[cur_key]
    mine = [i for i in invoices if i["customer"] == c and i[cur_key] == cur]
    return c, cur, mine


def promise_scope(r, mine, p_list, p_repeat=0.0):
    """A promise's invoice cell: "" (account level), or, with probability p_list when
    the pair has an invoice > 0, 1-3 of its documents (one > 0 at least), the first
    repeated at the end with probability p_repeat (a repeated id counts once)."""
    pos = [i for i in mine if i["_amt"] > 0]
    if not (pos and r.random() < p_list):
        return ""
    lst = r.sample(mine, r.randint(1, min(3, len(mine))))
    if not any(i["_amt"] > 0 for i in lst):
        lst.append(r.choice(pos))
    ids = [i["invoice"] for i in lst]
    if p_repeat and r.random() < p_repeat:
        ids.append(ids[0])  # repeated id counts once
    return " ".join(ids)


def promise_id(r, pool, line, used):
    """The promise_id of the promise on file line `line`: one of pool, "" (cobro then
    calls it P<line>) or Q<line>, never one of used (which it joins)."""
    pid = r.choice(pool)
    if pid in used or pid == "":
        pid = "" if ("P%d" % line) not in used and r.random() < 0.5 else "Q%d" % line
    used.add(pid if pid else "P%d" % line)
    return pid


def keeping_pool(invoices, p, cur_key):
    """The invoices (amount > 0) a payment of which can keep the promise p: its customer
    and currency (the row's cur_key), and its invoice list when it has one."""
    ids = p["invoice"].split()
    return [i for i in invoices if i["customer"] == p["customer"]
            and i[cur_key] == p["_cur"] and i["_amt"] > 0
            and (not ids or i["invoice"] in ids)]


def number_disputes(r, rows):
    """Shuffles the dispute rows and gives half of them a dispute_id DS<k>."""
    r.shuffle(rows)
    for k, row in enumerate(rows):
        row["dispute_id"] = "" if r.random() < 0.5 else "DS%d" % k


# ---------------------------------------------------------------- differences

def compare_parts(want, got, ident, count_info=None, label=None):
    """The differences of the `rows` and `totals` of two JSON documents (values as
    text): a part's row count (part, "count", n_want, n_got), followed by
    count_info(want_rows, got_rows) and with those rows not compared when count_info is
    given; a row's keys or their order (part, i, "keys", want_keys, got_keys); each
    field (part, i) + ident(want_row) + (label(field, want, got) or field, want, got)."""
    diffs = []
    for part in ("rows", "totals"):
        w, g = want[part], got.get(part, [])
        if len(w) != len(g):
            if count_info is not None:
                diffs.append((part, "count", len(w), len(g)) + count_info(w, g))
                continue
            diffs.append((part, "count", len(w), len(g)))
        for i, (wr, gr) in enumerate(zip(w, g)):
            if list(wr.keys()) != list(gr.keys()):
                diffs.append((part, i, "keys", list(wr.keys()), list(gr.keys())))
            for k, v in wr.items():
                gv = gr.get(k, "<missing>")
                if v != gv:
                    diffs.append((part, i) + ident(wr) + (label(k, v, gv) if label else k,
                                                          v, gv))
    return diffs


def formula_guard(text):
    """A CSV text cell as cobro writes it: text starting with = + - @ tab or CR gets a
    leading ' (numbers never do)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def keep_case(d, cmdline, diffs, stdout, stderr, ref_text):
    """Writes d/cmd.txt; with differences also d/diffs.txt (one repr a line, then
    cobro's stderr), d/cobro.json (its stdout) and d/ref.json (ref_text, or what it
    returns when it is a function); without, removes d."""
    with open(os.path.join(d, "cmd.txt"), "w") as fh:
        fh.write(cmdline)
    if diffs:
        with open(os.path.join(d, "diffs.txt"), "w") as fh:
            for x in diffs:
                fh.write(repr(x) + "\n")
            fh.write("stderr: " + stderr + "\n")
        with open(os.path.join(d, "cobro.json"), "w") as fh:
            fh.write(stdout)
        with open(os.path.join(d, "ref.json"), "w") as fh:
            fh.write(ref_text() if callable(ref_text) else ref_text)
    else:
        shutil.rmtree(d)


def note_failure(kinds, k, fields, line):
    """Counts case k under each of its fields in kinds and prints line at once."""
    for fl in fields:
        kinds.setdefault(fl, []).append(k)
    print(line)
    sys.stdout.flush()


def print_kinds(kinds):
    """One line a field of note_failure's kinds: how many cases, the first eight."""
    for fl, v in sorted(kinds.items(), key=lambda x: str(x[0])):
        print("  %s: %d cases, e.g. %s" % (fl, len(v), v[:8]))
