#!/usr/bin/env python3
"""Differential test of `cobro promise` and `cobro forecast` against the reference
implementations tests/reference/promise.py and tests/reference/forecast.py.

Generates small random seeded data sets full of edge cases, runs cobro with `-f json` and
compares every field of `rows` and `totals` exactly (JSON numbers compared as the text
cobro printed). Python 3 standard library only.

Promise edges: payments on the deadline and the day after, before `created`, overlapping
promises of one customer, invoice-level beside account-level, invoice lists with repeated
ids, reversals after a promise was kept and after its deadline, payments of credit notes,
payments before an invoice's issue date, promises created after the as-of date,
broken_before, ids P9/P10 (fill order as text), several currencies (JPY, KWD).
Forecast edges: customers above and below --min-history, portfolio fallback, no history,
invoices far past due, week boundaries (day 7/8), sample sizes 1,2,3,5,10 with tiny
amounts (open/n not exact in decimal), disputed invoices, JPY/KWD, --detail, --backtest
with reversals and payments after the last week, --disputes (closed on the as-of date,
closed the day opened, opened after the as-of date, reopened).

Rerun (from the repository root, after `cargo build`):
  python3 tests/reference/diff_pf.py --cases 2000 [--seed 1] [--only promise|forecast] \
      [--cobro target/debug/cobro] [--promise-bin B] [--forecast-bin B] [--keep DIR] [--csv]
The binary defaults to $COBRO, else $CARGO_TARGET_DIR/debug/cobro, else target/debug/cobro.
Each failing case is written to DIR/<command>-<seed>/ (CSV files, cmd.txt, both outputs).
The ledger helpers it shares with diff_side.py are in diffcommon.py.
"""
import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refcommon as rc  # noqa: E402
import promise as ref_promise  # noqa: E402
import forecast as ref_forecast  # noqa: E402
import diffcommon as dc  # noqa: E402
from diffcommon import (fmt, rand_amount, gen_customers, single_file_columns,  # noqa: E402
                        PAY_H, PRO_H)

D = dt.timedelta


def loosen(r, invoices, payments):
    """Sometimes leave EUR invoices' currency blank (the default --currency is EUR) and
    give the payments their (matching) customer column. Returns the payments header."""
    if r.random() < 0.2:
        for inv in invoices:
            if inv["currency"] == "EUR" and r.random() < 0.5:
                inv["currency"] = ""
    if r.random() < 0.2:
        cust = {inv["invoice"]: inv["customer"] for inv in invoices}
        for p in payments:
            p["customer"] = cust[p["invoice"]]
        return PAY_H + ["customer"]
    return PAY_H


INV_H = ["customer", "customer_name", "invoice", "issue_date", "due_date", "amount",
         "currency", "disputed"]


# ---------------------------------------------------------------- promise
def gen_promise(r, d):
    as_of = dt.date(2025, 6, 30) + D(days=r.randint(-20, 20))
    tol = r.choice([0, 1, 3, 3, 5, 10, 30])
    custs = gen_customers(r, r.randint(1, 3))
    invoices = []
    n = 0
    for c, (curs, name) in custs.items():
        for cur in curs:
            for _ in range(r.randint(1, 4)):
                n += 1
                issue = as_of - D(days=r.randint(-5, 60))
                due = issue + D(days=r.choice([0, 10, 30]))
                amt = rand_amount(r, cur, 10, 900)
                if r.random() < 0.15:
                    amt = -amt
                invoices.append({"customer": c, "customer_name": name,
                                 "invoice": "F%d" % n,
                                 "issue_date": "" if r.random() < 0.15 else issue.isoformat(),
                                 "due_date": due.isoformat(), "amount": fmt(amt),
                                 "currency": cur, "disputed": r.choice(["", "", "yes"]),
                                 "_issue": issue, "_amt": amt})
    # promises
    promises = []
    pid_pool = ["P9", "P10", "X1", "", "", "p-2", "P100"]
    used = set()
    for line in range(2, 2 + r.randint(1, 6)):
        c, cur, mine = dc.promise_pair(r, invoices, "currency")
        scope = dc.promise_scope(r, mine, 0.55, p_repeat=0.3)
        created = as_of - D(days=r.randint(-4, 45))
        promised = created + D(days=r.randint(0, 12))
        pid = dc.promise_id(r, pid_pool, line, used)
        if scope:
            pcur = cur if r.random() < 0.4 else ""
        else:
            pcur = "" if cur == "EUR" and r.random() < 0.5 else cur
        amt = rand_amount(r, cur, 20, 700)
        if r.random() < 0.05 and rc.minor(cur) == 2:
            amt += Decimal("0.005")  # more digits than the currency has
        promises.append({"promise_id": pid, "customer": c, "created": created.isoformat(),
                         "promised_date": promised.isoformat(), "amount": fmt(amt),
                         "currency": pcur, "invoice": scope,
                         "note": r.choice(["", "", "call back", "=1+1"]),
                         "_created": created, "_promised": promised, "_cur": cur})
    # payments, dated around the promises' key days
    payments = []
    for inv in invoices:
        keys = [inv["_issue"] - D(days=2), inv["_issue"], as_of, as_of + D(days=1)]
        for p in promises:
            if p["customer"] == inv["customer"] and p["_cur"] == inv["currency"]:
                dl = p["_promised"] + D(days=tol)
                keys += [p["_created"] - D(days=1), p["_created"], p["_promised"], dl,
                         dl + D(days=1)]
        amt = inv["_amt"]
        for _ in range(r.randint(0, 4)):
            day = r.choice(keys) + D(days=r.choice([0, 0, 0, 1, -1, 3]))
            x = r.random()
            if x < 0.3:
                a = amt
            elif x < 0.75:
                a = rand_amount(r, inv["currency"], 1, 400) * (1 if amt > 0 else -1)
            else:
                a = -rand_amount(r, inv["currency"], 1, 400) * (1 if amt > 0 else -1)
            payments.append({"invoice": inv["invoice"], "date": day.isoformat(),
                             "amount": fmt(a)})
            if r.random() < 0.25:  # a reversal of it, later
                payments.append({"invoice": inv["invoice"],
                                 "date": (day + D(days=r.randint(0, 8))).isoformat(),
                                 "amount": fmt(-a)})
    for p in promises:  # payments that exactly keep a promise, at a key day
        if r.random() < 0.5:
            pool = dc.keeping_pool(invoices, p, "currency")
            if pool:
                dl = p["_promised"] + D(days=tol)
                day = r.choice([p["_created"], p["_promised"], dl, dl + D(days=1),
                                p["_created"] - D(days=1)])
                a = Decimal(p["amount"])
                if rc.minor(p["_cur"]) == 2:
                    a = a.quantize(Decimal("0.01"))
                if r.random() < 0.3:
                    a = a - rand_amount(r, p["_cur"], 0, 5)
                payments.append({"invoice": r.choice(pool)["invoice"],
                                 "date": day.isoformat(), "amount": fmt(a)})
    r.shuffle(payments)
    extra = single_file_columns(r, invoices, as_of)
    pay_h = loosen(r, invoices, payments)
    dc.write_rows(os.path.join(d, "invoices.csv"), INV_H + extra, invoices)
    dc.write_rows(os.path.join(d, "payments.csv"), pay_h, payments)
    dc.write_rows(os.path.join(d, "promises.csv"), PRO_H, promises)
    return {"as_of": as_of, "tolerance": tol}


def run_promise(binary, d, prm):
    args = [binary, "promise", os.path.join(d, "invoices.csv"), "--payments",
            os.path.join(d, "payments.csv"), "--promises", os.path.join(d, "promises.csv"),
            "--as-of", prm["as_of"].isoformat(), "--tolerance", str(prm["tolerance"]),
            "-f", "json"]
    ref = ref_promise.compute(os.path.join(d, "invoices.csv"), os.path.join(d, "payments.csv"),
                              os.path.join(d, "promises.csv"), prm["as_of"], prm["tolerance"])
    return args, ref


# ---------------------------------------------------------------- forecast
def gen_forecast_ties(r, d):
    """Rounding stress: customers whose sample sizes (3, 6, 7, 9, 12, ...) put shares of
    large and tiny open amounts in the same weeks, so that exact sums land on half a
    minor unit while each open/n is inexact in decimal."""
    as_of = dt.date(2025, 6, 30)
    cur = r.choice(["EUR", "EUR", "JPY", "KWD"])
    invoices, payments = [], []
    for c in range(r.randint(2, 6)):
        n = r.choice([2, 3, 6, 7, 9, 12, 14, 18])
        week_of = [r.randint(0, 3) for _ in range(n)]
        for k in range(n):
            due = as_of - D(days=100)
            iid = "H%d_%d" % (c, k)
            invoices.append({"customer": "K%d" % c, "invoice": iid,
                             "issue_date": (due - D(days=30)).isoformat(),
                             "due_date": due.isoformat(), "amount": "100", "currency": cur})
            # delay so that due_open + delay lands in week week_of[k] (day 1..7 of it)
            payments.append({"invoice": iid, "date": (due + D(days=20 + 7 * week_of[k]
                             + r.randint(0, 6))).isoformat(), "amount": "100"})
        for j in range(r.randint(1, 3)):
            big = r.random() < 0.5
            amt = rand_amount(r, cur, 100000, 9999999) if big else rand_amount(r, cur, tiny=True)
            invoices.append({"customer": "K%d" % c, "invoice": "F%d_%d" % (c, j),
                             "issue_date": (as_of - D(days=30)).isoformat(),
                             "due_date": (as_of - D(days=20)).isoformat(),
                             "amount": fmt(amt), "currency": cur})
    r.shuffle(payments)
    dc.write_rows(os.path.join(d, "invoices.csv"), INV_H, invoices)
    dc.write_rows(os.path.join(d, "payments.csv"), PAY_H, payments)
    return {"disputes": None, "as_of": as_of, "weeks": 5, "lookback": 365,
            "min_history": 1, "detail": False, "backtest": False}


def gen_forecast(r, d):
    if r.random() < 0.2:
        return gen_forecast_ties(r, d)
    as_of = dt.date(2025, 6, 30) + D(days=r.randint(-30, 30))
    weeks = r.choice([1, 2, 3, 4, 6, 13, 15])
    lookback = r.choice([30, 90, 200, 365, 365, 500])
    minh = r.choice([1, 2, 3, 5, 5, 10])
    backtest = r.random() < 0.5
    detail = r.random() < 0.35
    tiny = r.random() < 0.25  # tiny amounts: open/n rounding and half-unit ties
    custs = gen_customers(r, r.randint(1, 4))
    invoices, payments = [], []
    n = 0
    for c, (curs, name) in custs.items():
        habit = r.choice([r.randint(-10, 40), r.randint(60, 160)])
        for cur in curs:
            # settled history
            for _ in range(r.choice([0, 1, 2, 4, 6, 10, 12])):
                n += 1
                due = as_of - D(days=r.randint(-5, lookback + 60) + max(habit, 0))
                issue = due - D(days=r.choice([0, 15, 30]))
                amt = rand_amount(r, cur, 10, 900, tiny)
                delay = habit + r.randint(-8, 8)
                if r.random() < 0.15:  # settled on the lookback's first day or the day before
                    due = as_of - D(days=lookback - r.choice([0, 1])) - D(days=delay)
                    issue = due - D(days=r.choice([0, 15, 30]))
                pd = due + D(days=delay)
                inv = {"customer": c, "customer_name": name, "invoice": "H%d" % n,
                       "issue_date": "" if r.random() < 0.1 else issue.isoformat(),
                       "due_date": due.isoformat(), "amount": fmt(amt), "currency": cur,
                       "disputed": "yes" if r.random() < 0.08 else ""}
                invoices.append(inv)
                if r.random() < 0.3:  # two instalments
                    half = (amt / 2).quantize(amt) if rc.minor(cur) else Decimal(int(amt) // 2)
                    payments.append({"invoice": inv["invoice"],
                                     "date": (pd - D(days=r.randint(1, 9))).isoformat(),
                                     "amount": fmt(half)})
                    payments.append({"invoice": inv["invoice"], "date": pd.isoformat(),
                                     "amount": fmt(amt - half)})
                else:
                    payments.append({"invoice": inv["invoice"], "date": pd.isoformat(),
                                     "amount": fmt(amt)})
                if r.random() < 0.12:  # reversal, maybe re-paid
                    rd = pd + D(days=r.randint(0, 10))
                    payments.append({"invoice": inv["invoice"], "date": rd.isoformat(),
                                     "amount": fmt(-amt)})
                    if r.random() < 0.6:
                        payments.append({"invoice": inv["invoice"],
                                         "date": (rd + D(days=r.randint(0, 10))).isoformat(),
                                         "amount": fmt(amt)})
            # open invoices
            for _ in range(r.randint(0, 4)):
                n += 1
                due = as_of + D(days=r.choice([-150, -100, -60, -20, -7, -1, 0, 1, 6, 7, 8,
                                               14, 30, r.randint(-200, 60)]))
                issue = due - D(days=r.choice([0, 30]))
                if r.random() < 0.1:
                    issue = as_of + D(days=r.randint(1, 5))  # issued after the as-of date
                    due = issue + D(days=30)
                amt = rand_amount(r, cur, 10, 900, tiny)
                if r.random() < 0.1:
                    amt = -amt  # an open credit note
                inv = {"customer": c, "customer_name": name, "invoice": "F%d" % n,
                       "issue_date": "" if r.random() < 0.1 else issue.isoformat(),
                       "due_date": due.isoformat(), "amount": fmt(amt), "currency": cur,
                       "disputed": r.choice(["", "", "", "", "yes", "no", "X"])}
                invoices.append(inv)
                x = r.random()
                if x < 0.3 and not tiny:  # partly paid before the as-of date
                    payments.append({"invoice": inv["invoice"],
                                     "date": (as_of - D(days=r.randint(0, 20))).isoformat(),
                                     "amount": fmt(rand_amount(r, cur, 1, 9))})
                elif x < 0.4:  # overpaid: not forecast
                    payments.append({"invoice": inv["invoice"],
                                     "date": (as_of - D(days=r.randint(0, 20))).isoformat(),
                                     "amount": fmt(amt + rand_amount(r, cur, 1, 5))})
                # after the as-of date (backtest)
                for _ in range(r.randint(0, 3)):
                    day = as_of + D(days=r.choice([1, 7, 8, 14, 7 * weeks, 7 * weeks + 1,
                                                   r.randint(1, 7 * weeks + 30)]))
                    y = r.random()
                    a = amt if y < 0.4 else (rand_amount(r, cur, 1, 300, tiny) if y < 0.8
                                             else -rand_amount(r, cur, 1, 300, tiny))
                    payments.append({"invoice": inv["invoice"], "date": day.isoformat(),
                                     "amount": fmt(a)})
    if not invoices:
        invoices.append({"customer": "C1", "customer_name": "", "invoice": "F0",
                         "issue_date": "", "due_date": as_of.isoformat(), "amount": "10.00",
                         "currency": "EUR", "disputed": ""})
    if backtest and r.random() < 0.9:
        inv = r.choice(invoices)
        payments.append({"invoice": inv["invoice"],
                         "date": (as_of + D(days=r.randint(1, 200))).isoformat(),
                         "amount": "1" if inv["currency"] == "JPY" else "0.01"})
    r.shuffle(payments)
    extra = single_file_columns(r, invoices, as_of)
    pay_h = loosen(r, invoices, payments)
    dc.write_rows(os.path.join(d, "invoices.csv"), INV_H + extra, invoices)
    dc.write_rows(os.path.join(d, "payments.csv"), pay_h, payments)
    disputes = None
    if r.random() < 0.4:
        disputes = os.path.join(d, "disputes.csv")
        dc.write_rows(disputes, ["dispute_id", "invoice", "opened", "closed", "reason"],
                  gen_disputes(r, invoices, as_of))
    return {"disputes": disputes, "as_of": as_of, "weeks": weeks, "lookback": lookback, "min_history": minh,
            "detail": detail, "backtest": backtest}


def gen_disputes(r, invoices, as_of):
    """Dated disputes: open, closed before / on / after the as-of date, closed the day
    they opened, opened on or after the as-of date, and an invoice disputed twice
    (never two open on one day)."""
    rows = []
    for inv in invoices:
        if r.random() > 0.3:
            continue
        day = as_of + D(days=r.choice([-40, -10, -1, 0, 0, 1]))
        for _ in range(r.choice([1, 1, 2])):
            opened = day
            closed = opened + D(days=r.choice([0, 0, 1, 5, 10, 30]))
            if r.random() < 0.3:
                rows.append({"invoice": inv["invoice"], "opened": opened.isoformat()})
                break
            rows.append({"invoice": inv["invoice"], "opened": opened.isoformat(),
                         "closed": closed.isoformat(), "reason": "price"})
            day = closed + D(days=r.choice([0, 1, 3]))
    dc.number_disputes(r, rows)
    return rows


def run_forecast(binary, d, prm):
    args = [binary, "forecast", os.path.join(d, "invoices.csv"), "--payments",
            os.path.join(d, "payments.csv"), "--as-of", prm["as_of"].isoformat(),
            "--weeks", str(prm["weeks"]), "--lookback", str(prm["lookback"]),
            "--min-history", str(prm["min_history"]), "-f", "json"]
    if prm["detail"]:
        args.append("--detail")
    if prm["backtest"]:
        args.append("--backtest")
    if prm["disputes"]:
        args += ["--disputes", prm["disputes"]]
    try:
        ref = ref_forecast.compute(os.path.join(d, "invoices.csv"),
                                   os.path.join(d, "payments.csv"), prm["as_of"],
                                   prm["weeks"], prm["lookback"], prm["min_history"],
                                   prm["detail"], prm["backtest"],
                                   disputes_path=prm["disputes"])
    except ref_forecast.NoLaterPayments:
        ref = "error"
    return args, ref


# ---------------------------------------------------------------- compare
def diff(ref, got):
    """First difference between reference and cobro outputs, or None."""
    if ref == "error" or got == "error":
        return None if ref == got else "reference %s, cobro %s" % (
            "error" if ref == "error" else "ok", "error" if got == "error" else "ok")
    for part in ("rows", "totals"):
        a, b = ref[part], got.get(part, [])
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                fields = sorted(set(x) | set(y))
                bad = [(f, x.get(f, "<absent>"), y.get(f, "<absent>")) for f in fields
                       if x.get(f, "<absent>") != y.get(f, "<absent>")]
                return "%s[%d]: %s\n  ref  %s\n  cobro %s" % (part, i, bad, x, y)
        if len(a) != len(b):
            return "%s: %d rows in the reference, %d in cobro" % (part, len(a), len(b))
    return None


def csv_cell(v):
    """The CSV text of a reference value: null empty, lists joined with spaces, text
    starting with = + - @ tab or CR prefixed with ' (numbers never)."""
    if v is None:
        return ""
    if isinstance(v, list):
        v = " ".join(v)
    return v


def diff_csv(ref, text, numeric):
    """Compares `-f csv` (rows only) with the reference rows."""
    import csv as _csv
    import io
    rows = list(_csv.reader(io.StringIO(text)))
    if not ref["rows"]:
        return None if len(rows) <= 1 else "csv: rows where the reference has none"
    header = list(ref["rows"][0].keys())
    if rows[0] != header:
        return "csv header %s, expected %s" % (rows[0], header)
    if len(rows) - 1 != len(ref["rows"]):
        return "csv: %d rows, reference %d" % (len(rows) - 1, len(ref["rows"]))
    for i, (r, got) in enumerate(zip(ref["rows"], rows[1:])):
        want = []
        for f in header:
            c = csv_cell(r[f])
            if f not in numeric:
                c = dc.formula_guard(c)
            want.append(c)
        if want != got:
            bad = [(f, w, g) for f, w, g in zip(header, want, got) if w != g]
            return "csv row %d: %s" % (i, bad)
    return None


NUMERIC = {"amount", "paid", "days_late", "broken_before", "expected", "cumulative",
           "invoices", "actual", "naive", "open", "days_past_due", "sample_size",
           "in_horizon_pct"}


def run_case(kind, seed, binary, keep, check_csv=False):
    r = random.Random("%s-%d" % (kind, seed))
    d = tempfile.mkdtemp(prefix="qa-pf-")
    prm = (gen_promise if kind == "promise" else gen_forecast)(r, d)
    args, ref = (run_promise if kind == "promise" else run_forecast)(binary, d, prm)
    p = dc.run(args, nice=False)
    if p.returncode == 0:
        got = dc.json_text(p.stdout)
    elif p.returncode == 1 and ref == "error":
        got = "error"
    else:
        got = "error"
    problem = diff(ref, got)
    if not problem and check_csv and ref != "error":
        a2 = [x if x != "json" else "csv" for x in args]
        q = dc.run(a2, nice=False)
        problem = diff_csv(ref, q.stdout, NUMERIC if kind == "forecast" else
                           NUMERIC - {"invoices"}) if q.returncode == 0 else \
            "csv: exit %d %s" % (q.returncode, q.stderr[:200])
    if problem and p.returncode not in (0, 1):
        problem += "\n  exit %d: %s" % (p.returncode, p.stderr.strip()[:300])
    elif problem and got == "error":
        problem += "\n  stderr: " + p.stderr.strip()[:300]
    if problem and keep:
        out = os.path.join(keep, "%s-%d" % (kind, seed))
        os.makedirs(out, exist_ok=True)
        for f in os.listdir(d):
            os.replace(os.path.join(d, f), os.path.join(out, f))
        with open(os.path.join(out, "cmd.txt"), "w") as f:
            f.write(" ".join(args).replace(d, ".") + "\n" + problem + "\n")
        with open(os.path.join(out, "ref.json"), "w") as f:
            json.dump(ref, f, indent=1)
        with open(os.path.join(out, "cobro.json"), "w") as f:
            f.write(p.stdout + p.stderr)
    for f in os.listdir(d) if os.path.isdir(d) else []:
        os.remove(os.path.join(d, f))
    os.rmdir(d) if os.path.isdir(d) else None
    return problem


def main():
    ap = argparse.ArgumentParser(description="cobro promise/forecast vs the reference")
    ap.add_argument("--cases", type=int, default=500, help="cases per command")
    ap.add_argument("--seed", type=int, default=1, help="first seed")
    ap.add_argument("--only", choices=["promise", "forecast"])
    ap.add_argument("--cobro", default=dc.default_bin("COBRO"))
    ap.add_argument("--promise-bin")
    ap.add_argument("--forecast-bin")
    ap.add_argument("--keep", default="/tmp/qa-pf-fail", help="where failing cases go")
    ap.add_argument("--show", type=int, default=3, help="failures printed per command")
    ap.add_argument("--csv", action="store_true",
                    help="also check that -f csv prints the same rows (null empty, lists "
                         "joined with spaces, formula guard on text)")
    a = ap.parse_args()
    kinds = [a.only] if a.only else ["promise", "forecast"]
    bad = 0
    for kind in kinds:
        binary = (a.promise_bin if kind == "promise" else a.forecast_bin) or a.cobro
        ok = fail = 0
        for seed in range(a.seed, a.seed + a.cases):
            problem = run_case(kind, seed, binary, a.keep, a.csv)
            if problem:
                fail += 1
                if fail <= a.show:
                    print("FAIL %s seed %d: %s" % (kind, seed, problem))
            else:
                ok += 1
        print("%s: %d passed, %d failed" % (kind, ok, fail))
        bad += fail
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
