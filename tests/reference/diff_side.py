#!/usr/bin/env python3
"""Differential test of what --promises and --disputes add to `kpi`, `segment`,
`dunning` and `age --detail`, against tests/reference/side_files.py.

Each seeded case is a small random ledger (1-4 customers, several currencies incl. JPY
and KWD, credit notes, documents without issue date and issued after the as-of date,
payments on promise key days, reversals), a promises file (every state, overlapping,
invoice-level beside account-level, tolerance 0 and > 0, created after the as-of date)
and a disputes file (open, closed, reopened, closed the day opened, closed on / after
the as-of date, opened after it, opened before the issue date), the invoice file with or
without its `disputed` column. cobro runs with -f json; every computed field is compared
exactly, as the text of the JSON numbers:
- kpi (--every none/month/quarter/year, --from/--to on and off month boundaries,
  sometimes --by region): the promise and dispute fields plus ar_end, rows and totals;
- segment (--lookback 30/90/365): the rows' (customer, currency), disputed_open,
  open_promises, broken_promises, kept_promises;
- dunning (a one-level-first policy, exclude_disputed true/false, min_amount): which
  (customer, currency) get a row, their invoices and overdue;
- age --detail: the rows in order and `disputed`.

Rerun (from the repository root, after `cargo build`):
  python3 tests/reference/diff_side.py --cases 2000 [--seed 1] [--cobro BIN] [--keep DIR]
      [--only kpi,segment,dunning,age]
The binary defaults to $COBRO, else $CARGO_TARGET_DIR/debug/cobro, else
target/debug/cobro. A failing case is kept in DIR/<seed>/ (CSV files, cmd.txt, outputs).
The ledger helpers it shares with diff_pf.py are in diffcommon.py.

History: seeds 1176, 2722 and 3838 (of the first generator) found that kpi left out the
promises of a customer whose documents were all issued after the as-of date (fixed in
c893e65, tests/promise.rs kpi_counts_a_promise_of_a_customer_without_documents_yet).
"""
import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refcommon as rc  # noqa: E402
import side_files as ref  # noqa: E402
import diffcommon as dc  # noqa: E402
from diffcommon import (fmt, rand_amount, gen_customers, single_file_columns,  # noqa: E402
                        PAY_H, PRO_H)

D = dt.timedelta
DIS_H = ["dispute_id", "invoice", "opened", "closed", "reason"]


def gen(r, d):
    as_of = r.choice([dt.date(2025, 6, 30), dt.date(2025, 3, 31), dt.date(2025, 5, 31),
                      dt.date(2025, 6, 30) + D(days=r.randint(-60, 40))])
    span = r.choice([30, 60, 120, 200])
    tol = r.choice([0, 0, 1, 3, 3, 5, 10, 30])
    custs = gen_customers(r, r.randint(1, 4))
    region = {c: r.choice(["N", "S"]) for c in custs}
    with_col = r.random() < 0.6
    default_cur = r.choice(["EUR", "EUR", "EUR", "USD", "JPY"])  # --currency
    late_customer = r.choice(list(custs)) if len(custs) > 1 and r.random() < 0.2 else None
    invoices = []
    n = 0
    for c, (curs, name) in custs.items():
        for cur in curs:
            for _ in range(r.randint(1, 5)):
                n += 1
                issue = as_of - D(days=r.randint(-3, span))
                if late_customer == c:  # every document issued after the as-of date
                    issue = as_of + D(days=r.randint(1, 5))
                due = issue + D(days=r.choice([0, 10, 30, 45]))
                amt = rand_amount(r, cur, 10, 900)
                if r.random() < 0.15:
                    amt = -amt
                invoices.append({
                    "customer": c, "customer_name": name, "invoice": "F%d" % n,
                    "issue_date": "" if r.random() < 0.1 else issue.isoformat(),
                    "due_date": due.isoformat(), "amount": fmt(amt),
                    "currency": "" if cur == default_cur and r.random() < 0.5 else cur,
                    "disputed": r.choice(["", "", "", "yes", "no", "X", "1", "sí", "TRUE",
                                          "0", "false", "Yes"]),
                    "region": region[c], "_cur": cur, "_issue": issue, "_due": due, "_amt": amt})
    # promises
    promises = []
    used = set()
    for line in range(2, 2 + r.choice([0, 1, 2, 3, 5, 8])):
        c, cur, mine = dc.promise_pair(r, invoices, "_cur")
        scope = dc.promise_scope(r, mine, 0.5)
        created = as_of - D(days=r.randint(-4, span))
        promised = created + D(days=r.choice([0, 1, 5, 10, 20]))
        pid = dc.promise_id(r, ["P9", "P10", "X1", "", ""], line, used)
        pcur = cur if (scope and r.random() < 0.4) or (not scope and cur != default_cur) \
            or r.random() < 0.5 else ""
        amt = rand_amount(r, cur, 20, 700)
        if r.random() < 0.05:
            amt += Decimal(5).scaleb(-rc.minor(cur) - 1)  # a digit more than the currency
        promises.append({"promise_id": pid, "customer": c, "created": created.isoformat(),
                         "promised_date": promised.isoformat(),
                         "amount": fmt(amt), "currency": pcur,
                         "invoice": scope, "_created": created, "_promised": promised,
                         "_cur": cur})
    # payments around the key days
    payments = []
    for inv in invoices:
        keys = [inv["_issue"], inv["_due"], inv["_due"] + D(days=1), as_of,
                as_of + D(days=1), ref.month_end(inv["_due"])]
        for p in promises:
            if p["customer"] == inv["customer"] and p["_cur"] == inv["_cur"]:
                dl = p["_promised"] + D(days=tol)
                keys += [p["_created"], p["_promised"], dl, dl + D(days=1)]
        amt = inv["_amt"]
        for _ in range(r.randint(0, 3)):
            day = r.choice(keys) + D(days=r.choice([0, 0, 0, 1, -1, 3]))
            x = r.random()
            a = amt if x < 0.35 else rand_amount(r, inv["_cur"], 1, 400) * (
                1 if amt > 0 else -1) * (1 if x < 0.85 else -1)
            payments.append({"invoice": inv["invoice"], "date": day.isoformat(),
                             "amount": fmt(a)})
            if r.random() < 0.2:
                payments.append({"invoice": inv["invoice"],
                                 "date": (day + D(days=r.randint(0, 8))).isoformat(),
                                 "amount": fmt(-a)})
    for p in promises:  # payments that keep a promise exactly
        if r.random() < 0.5:
            pool = dc.keeping_pool(invoices, p, "_cur")
            if pool:
                dl = p["_promised"] + D(days=tol)
                day = r.choice([p["_created"], p["_promised"], dl, dl + D(days=1)])
                payments.append({"invoice": r.choice(pool)["invoice"],
                                 "date": day.isoformat(), "amount": fmt(Decimal(
                                     p["amount"]).quantize(Decimal(1).scaleb(
                                         -rc.minor(p["_cur"])), rounding="ROUND_DOWN"))})
    r.shuffle(payments)
    # disputes
    disputes = []
    for inv in invoices:
        if r.random() > (0.1 if inv["_issue"] > as_of else 0.35):
            continue
        day = r.choice([inv["_issue"], inv["_issue"] + D(days=r.randint(0, 40)),
                        as_of - D(days=r.randint(0, 40)), as_of, as_of + D(days=1),
                        ref.month_end(inv["_issue"]), inv["_issue"] - D(days=2)])
        for _ in range(r.choice([1, 1, 2, 3])):
            opened = day
            if r.random() < 0.3:
                disputes.append({"invoice": inv["invoice"], "opened": opened.isoformat()})
                break
            closed = opened + D(days=r.choice([0, 0, 1, 5, 10, 30, 60]))
            disputes.append({"invoice": inv["invoice"], "opened": opened.isoformat(),
                             "closed": closed.isoformat(), "reason": "price"})
            day = closed + D(days=r.choice([0, 1, 3]))
    dc.number_disputes(r, disputes)
    inv_h = ["customer", "customer_name", "invoice", "issue_date", "due_date", "amount",
             "currency", "region"] + (["disputed"] if with_col else [])
    if not with_col:
        for inv in invoices:
            inv["disputed"] = ""
    inv_h += single_file_columns(r, invoices, as_of)
    dc.write_rows(os.path.join(d, "invoices.csv"), inv_h, invoices)
    dc.write_rows(os.path.join(d, "payments.csv"), PAY_H, payments)
    dc.write_rows(os.path.join(d, "promises.csv"), PRO_H, promises)
    dc.write_rows(os.path.join(d, "disputes.csv"), DIS_H, disputes)
    # flags
    prm = {"as_of": as_of, "tolerance": tol, "currency": default_cur,
           "promises": r.random() < 0.8, "disputes": r.random() < 0.8}
    every = r.choice([None, "month", "month", "quarter", "year"])
    frm = to = None
    x = r.random()
    if x < 0.3:
        frm = as_of - D(days=r.randint(0, span))
    elif x < 0.6:
        frm = (as_of - D(days=r.randint(0, span))).replace(day=1)
    if r.random() < 0.4:
        to = as_of - D(days=r.randint(0, 40))
        if frm is not None and to < frm:
            frm, to = to, frm
    prm.update(every=every, frm=frm, to=to, by=r.random() < 0.25,
               lookback=r.choice([30, 90, 365]), level1=r.choice([1, 1, 7, 30]),
               min_amount=r.choice([Decimal(0), Decimal(0), Decimal(100)]),
               exclude=r.random() < 0.6)
    with open(os.path.join(d, "policy.toml"), "w") as f:
        f.write("min_amount = %s\nmin_interval_days = 7\nexclude_disputed = %s\n"
                "[interest]\nannual_rate_pct = 0\n"
                "[[level]]\nname = \"one\"\ndays = %d\nfee = 0\ntemplate = \"Hi {customer}\"\n"
                "[[level]]\nname = \"two\"\ndays = %d\nfee = 0\ntemplate = \"Again {customer}\"\n"
                % (prm["min_amount"], "true" if prm["exclude"] else "false", prm["level1"],
                   prm["level1"] + 30))
    return prm


def side_args(d, prm):
    a = [] if prm["currency"] == "EUR" else ["--currency", prm["currency"]]
    if prm["promises"]:
        a += ["--promises", os.path.join(d, "promises.csv")]
        if prm["tolerance"] != 3 or random.random() < 0.5:
            a += ["--tolerance", str(prm["tolerance"])]
    if prm["disputes"]:
        a += ["--disputes", os.path.join(d, "disputes.csv")]
    return a


def run(binary, args):
    p = dc.run(args, nice=False)
    if p.returncode != 0:
        return None, "exit %d: %s" % (p.returncode, p.stderr.strip()[:400])
    return dc.json_text(p.stdout), None


def cmp_rows(part, want, got):
    if len(want) != len(got):
        return "%s: %d rows in the reference, %d in cobro\n  ref   %s\n  cobro %s" % (
            part, len(want), len(got), want, [{k: g.get(k) for k in (want[0] if want else g)}
                                              for g in got])
    for i, (x, y) in enumerate(zip(want, got)):
        bad = [(f, x[f], y.get(f, "<absent>")) for f in x if x[f] != y.get(f, "<absent>")]
        if bad:
            return "%s[%d] %s: %s" % (part, i, {f: x[f] for f in list(x)[:4]}, bad)
    return None


def check_kpi(binary, d, prm, data):
    as_of = prm["as_of"]
    to = prm["to"] or as_of
    frm = prm["frm"] or to.replace(day=1)
    args = [binary, "kpi", os.path.join(d, "invoices.csv"), "--payments",
            os.path.join(d, "payments.csv"), "--as-of", as_of.isoformat(), "-f", "json"]
    if prm["frm"]:
        args += ["--from", frm.isoformat()]
    if prm["to"]:
        args += ["--to", to.isoformat()]
    if prm["every"]:
        args += ["--every", prm["every"]]
    by = ("region",) if prm["by"] else ()
    if by:
        args += ["--by", "region"]
    args += side_args(d, prm)
    want = ref.kpi(data, frm, to, prm["every"], by)
    got, err = run(binary, args)
    if err:
        return args, err
    return args, cmp_rows("kpi rows", want["rows"], got["rows"]) or \
        cmp_rows("kpi totals", want["totals"], got["totals"])


def check_segment(binary, d, prm, data):
    args = [binary, "segment", os.path.join(d, "invoices.csv"), "--payments",
            os.path.join(d, "payments.csv"), "--as-of", prm["as_of"].isoformat(),
            "--lookback", str(prm["lookback"]), "-f", "json"] + side_args(d, prm)
    want = ref.segment(data, prm["lookback"])
    got, err = run(binary, args)
    if err:
        return args, err
    have = {(g["customer"], g["currency"]): g for g in got["rows"]}
    if set(have) != set(want):
        return args, "segment rows: reference %s, cobro %s" % (sorted(want), sorted(have))
    for k in sorted(want):
        bad = [(f, v, have[k].get(f, "<absent>")) for f, v in want[k].items()
               if v != have[k].get(f, "<absent>")]
        if bad:
            return args, "segment %s: %s" % (k, bad)
    return args, None


def check_dunning(binary, d, prm, data):
    args = [binary, "dunning", os.path.join(d, "invoices.csv"), "--payments",
            os.path.join(d, "payments.csv"), "--as-of", prm["as_of"].isoformat(),
            "--policy", os.path.join(d, "policy.toml"), "-f", "json"] + side_args(d, prm)
    want = ref.dunning(data, prm["level1"], prm["min_amount"], prm["exclude"])
    got, err = run(binary, args)
    if err:
        return args, err
    have = {(g["customer"], g["currency"]): {"invoices": g["invoices"],
                                            "overdue": g["overdue"]} for g in got["rows"]}
    if set(have) != set(want):
        return args, "dunning rows: reference %s, cobro %s" % (sorted(want), sorted(have))
    for k in want:
        if want[k]["overdue"] != have[k]["overdue"] or \
                sorted(want[k]["invoices"]) != sorted(have[k]["invoices"]):
            return args, "dunning %s: reference %s, cobro %s" % (k, want[k], have[k])
    return args, None


def check_age(binary, d, prm, data):
    args = [binary, "age", os.path.join(d, "invoices.csv"), "--payments",
            os.path.join(d, "payments.csv"), "--as-of", prm["as_of"].isoformat(),
            "--detail", "-f", "json"]
    if prm["currency"] != "EUR":
        args += ["--currency", prm["currency"]]
    if prm["disputes"]:
        args += ["--disputes", os.path.join(d, "disputes.csv")]
    want = ref.age_detail(data)
    got, err = run(binary, args)
    if err:
        return args, err
    have = [(g["invoice"], g["disputed"]) for g in got["rows"]]
    if want != have:
        return args, "age --detail: reference %s, cobro %s" % (want, have)
    return args, None


CHECKS = {"kpi": check_kpi, "segment": check_segment, "dunning": check_dunning,
          "age": check_age}


def run_case(seed, binary, keep, only):
    r = random.Random("side-%d" % seed)
    random.seed(seed)
    d = tempfile.mkdtemp(prefix="qa-side-")
    problems = []
    try:
        prm = gen(r, d)
        data = ref.load(os.path.join(d, "invoices.csv"), os.path.join(d, "payments.csv"),
                        prm["as_of"],
                        os.path.join(d, "promises.csv") if prm["promises"] else None,
                        os.path.join(d, "disputes.csv") if prm["disputes"] else None,
                        prm["tolerance"], prm["currency"])
        for name in only:
            args, problem = CHECKS[name](binary, d, prm, data)
            if problem:
                problems.append((name, " ".join(args).replace(d, "."), problem))
        if problems and keep:
            out = os.path.join(keep, str(seed))
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(d, out)
            with open(os.path.join(out, "cmd.txt"), "w") as f:
                for name, cmd, problem in problems:
                    f.write("%s\n%s\n\n" % (cmd, problem))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return problems


def main():
    ap = argparse.ArgumentParser(description="cobro side files vs the reference")
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cobro", default=dc.default_bin("COBRO"))
    ap.add_argument("--keep", default="/tmp/qa-side-fail")
    ap.add_argument("--only", default="kpi,segment,dunning,age")
    ap.add_argument("--show", type=int, default=5)
    a = ap.parse_args()
    only = a.only.split(",")
    stats = {k: [0, 0] for k in only}
    shown = 0
    for seed in range(a.seed, a.seed + a.cases):
        problems = run_case(seed, a.cobro, a.keep, only)
        failed = {p[0] for p in problems}
        for k in only:
            stats[k][1 if k in failed else 0] += 1
        for name, cmd, problem in problems:
            if shown < a.show:
                print("FAIL seed %d %s\n  %s\n  %s" % (seed, name, cmd, problem))
                shown += 1
    for k in only:
        print("%s: %d passed, %d failed" % (k, stats[k][0], stats[k][1]))
    sys.exit(1 if any(v[1] for v in stats.values()) else 0)


if __name__ == "__main__":
    main()
