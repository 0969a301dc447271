#!/usr/bin/env python3
"""Differential test of `cobro kpi -f json` against kpi.py (an independent reading of
SPEC.md). Seeded random small ledgers rich in edges; every field compared as the text of
the JSON numbers, plus exit codes.

  nice -n 19 python3 tests/reference/diff_kpi.py --cases 1000 --seed 1 [--cobro BIN]
        [--keep /tmp/cobro-kpi-fail] [--one SEED]
Case k uses random.Random(seed * 1000003 + k). A failing case is kept in KEEP/<k>/.
"""
import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kpi as ref  # noqa: E402

D = dt.timedelta
CURS = ["EUR", "EUR", "USD", "JPY", "KWD"]


def amt(r, cur, lo, hi):
    digits = ref.MINOR.get(cur, 2)
    if cur == "JPY":
        lo, hi = lo * 100, hi * 100
    v = Decimal(r.randint(lo * 10 ** digits, hi * 10 ** digits)).scaleb(-digits)
    if r.random() < 0.04:  # one decimal more than the currency has
        v += Decimal(5).scaleb(-digits - 1)
    return v


def f(v):
    s = format(v, "f")
    return s


def month_end(d):
    return ref.month_end(d)


def gen(r):
    as_of = r.choice([dt.date(2025, 6, 30), dt.date(2024, 2, 29), dt.date(2024, 3, 31),
                      dt.date(2025, 3, 31), dt.date(2024, 12, 31),
                      dt.date(2025, 1, 1) + D(days=r.randint(-400, 200))])
    mode = r.choice(["default", "default", "from", "both", "both", "both", "both", "to",
                     "long"])
    frm = to = None
    if mode == "long":
        frm = as_of - D(days=r.randint(300, 800))
    if mode in ("from", "both"):
        frm = as_of - D(days=r.randint(0, 420))
        if r.random() < 0.5:
            frm = frm.replace(day=1)
    if mode in ("to", "both"):
        lo = frm if frm else as_of - D(days=120)
        to = lo + D(days=r.randint(0, (as_of - lo).days))
        if r.random() < 0.3:
            to = min(as_of, month_end(to))
        if r.random() < 0.2:
            to = as_of
    every = r.choice([None, None, "month", "month", "quarter", "year"])
    if mode == "long":
        every = r.choice(["month", "month", "quarter", "year", None])
    terms = r.choice([None] * 6 + [0, 14, 30])
    sf = r.random() < 0.25  # single-file export columns in the invoice file
    grace = r.choice([0, 0, 0, 1, 5, 30])
    window = r.choice([90, 90, 90, 0, 1, 10, 30, 400])
    by = ("region",) if r.random() < 0.3 else ()
    S0 = frm or (to or as_of).replace(day=1)
    E0 = to or as_of
    # key days: period boundaries, month ends, 29 Feb
    keys = {S0, S0 - D(1), E0, E0 + D(1), as_of, as_of + D(1), dt.date(2024, 2, 29),
            dt.date(2024, 2, 28), dt.date(2024, 3, 1)}
    d = S0.replace(day=1)
    while d <= E0 + D(31):
        keys.add(d)
        keys.add(d - D(1))
        d = month_end(d) + D(1)
    keys = sorted(k for k in keys if as_of - D(500) <= k <= as_of + D(40))

    def pick_day(base=None):
        x = r.random()
        if x < 0.35:
            return r.choice(keys)
        if base is not None and x < 0.7:
            return base + D(r.randint(-40, 60))
        return as_of - D(r.randint(-20, 450))

    ncust = r.randint(1, 5)
    custs = []
    for i in range(ncust):
        curs = r.sample(["EUR", "USD", "JPY", "KWD"], r.choice([1, 1, 1, 2]))
        custs.append(("C%d" % (i + 1), curs, r.choice(["N", "S"])))
    ndocs = r.randint(2, 40)
    invs, pays = [], []
    exotic = False
    for n in range(ndocs):
        c, curs, region = r.choice(custs)
        cur = r.choice(curs)
        issue = pick_day()
        if r.random() < 0.07:
            issue = as_of + D(r.randint(1, 20))  # after the as-of date
        tdays = r.choice([0, 0, 1, 10, 14, 30, 30, 45, 60])
        due = issue + D(tdays)
        if r.random() < 0.2:  # due date on a key day (period end, month end...)
            cand = [k for k in keys if k >= issue]
            if cand:
                due = r.choice(cand)
        if r.random() < 0.03:
            due = issue - D(r.randint(1, 20))  # due before issue (exotic)
            exotic = True
        no_issue = r.random() < 0.08
        x = r.random()
        if x < 0.12:
            a = -amt(r, cur, 5, 500)
        elif x < 0.16:
            a = Decimal(0)
        else:
            a = amt(r, cur, 5, 1000)
        inv_id = "I%d" % (n + 1)
        row = {"customer": c, "customer_name": "Name " + c, "invoice": inv_id,
               "issue_date": "" if no_issue else issue.isoformat(),
               "due_date": due.isoformat(), "amount": f(a), "currency": cur,
               "disputed": r.choice(["", "", "", "yes", "x", "false"]),
               "region": region}
        invs.append(row)
        if terms is not None and not no_issue and r.random() < 0.5:
            row["due_date"] = ""
            due = issue + D(terms)
        if sf:
            y = r.random()
            if y < 0.25:
                row["paid_date"] = pick_day(due).isoformat()
                if r.random() < 0.5:
                    row["paid_amount"] = f((a * r.choice([1, 3, 5, 10, 12]) / 10).quantize(
                        Decimal(1).scaleb(-ref.MINOR.get(cur, 2))))
                if r.random() < 0.1:
                    row["open_amount"] = f(a / 2 if cur != "JPY" else a)
            elif y < 0.45:
                row["open_amount"] = f(r.choice([a, Decimal(0), (a / 4).quantize(
                    Decimal(1).scaleb(-ref.MINOR.get(cur, 2))), -amt(r, cur, 1, 20)]))
            elif y < 0.5:
                row["paid_amount"] = f(a)
            if y < 0.5 and r.random() < 0.7:
                continue  # no payments-file rows for this one
        # payments
        base = due
        pat = r.random()
        plist = []
        if a > 0:
            if pat < 0.15:
                pass  # unpaid
            elif pat < 0.35:
                plist.append((r.choice([due, due + D(1), due - D(1), pick_day(due)]), a))
            elif pat < 0.5:  # partial(s)
                p1 = (a * Decimal(r.choice([1, 2, 3, 5])) / 10).quantize(Decimal(1).scaleb(-ref.MINOR.get(cur, 2)))
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
        elif a < 0:
            if pat < 0.5:
                plist.append((pick_day(due), a))  # refund of the credit note
            elif pat < 0.6:
                plist.append((pick_day(due), a / 2 if cur != "JPY" else a))
        else:
            if pat < 0.3:
                plist.append((pick_day(due), amt(r, cur, 1, 50)))
            elif pat < 0.5:
                plist.append((pick_day(due), Decimal(0).scaleb(-r.choice([0, 2, 3]))))
        for (pd, pa) in plist:
            pays.append({"invoice": inv_id, "date": pd.isoformat(), "amount": f(pa),
                         "customer": c})
    r.shuffle(pays)
    pay_customer_col = r.random() < 0.3
    return {"as_of": as_of, "from": frm, "to": to, "every": every, "grace": grace,
            "window": window, "by": by, "invoices": invs, "payments": pays,
            "pay_customer_col": pay_customer_col, "mode": mode, "exotic": exotic,
            "sf": sf, "terms": terms}


def write(d, case):
    os.makedirs(d, exist_ok=True)
    ih = ["customer", "customer_name", "invoice", "issue_date", "due_date", "amount",
          "currency", "disputed", "region"]
    if case.get("sf"):
        ih += ["paid_date", "paid_amount", "open_amount"]
    with open(os.path.join(d, "invoices.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, ih, lineterminator="\n")
        w.writeheader()
        w.writerows(case["invoices"])
    ph = ["invoice", "date", "amount"] + (["customer"] if case["pay_customer_col"] else [])
    with open(os.path.join(d, "payments.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, ph, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(case["payments"])


def args_for(binary, d, case):
    a = [binary, "kpi", os.path.join(d, "invoices.csv"), "--payments",
         os.path.join(d, "payments.csv"), "--as-of", case["as_of"].isoformat(), "-f", "json"]
    if case["from"]:
        a += ["--from", case["from"].isoformat()]
    if case["to"]:
        a += ["--to", case["to"].isoformat()]
    if case["every"]:
        a += ["--every", case["every"]]
    if case["by"]:
        a += ["--by", ",".join(case["by"])]
    if case["grace"] or random.random() < 0.1:
        a += ["--grace", str(case["grace"])]
    if case.get("terms") is not None:
        a += ["--terms", str(case["terms"])]
    if case["window"] != 90:
        a += ["--window", str(case["window"])]
    return a


def norm(obj):
    return json.loads(json.dumps(obj)) if obj is not None else None


def compare(want, got):
    diffs = []
    if want["as_of"] != got.get("as_of") or got.get("command") != "kpi":
        diffs.append(("header", want["as_of"], got.get("as_of"), got.get("command")))
    for k, v in want["params"].items():
        if str(got["params"].get(k)) != str(v) and not (v is None and got["params"].get(k) is None):
            diffs.append(("params", k, v, got["params"].get(k)))
    for part in ("rows", "totals"):
        w, g = want[part], got.get(part, [])
        if len(w) != len(g):
            diffs.append((part, "count", len(w), len(g),
                          [(x["period_start"], x["currency"]) for x in w],
                          [(x.get("period_start"), x.get("currency")) for x in g]))
            continue
        for i, (wr, gr) in enumerate(zip(w, g)):
            if list(wr.keys()) != list(gr.keys()):
                diffs.append((part, i, "keys", list(wr.keys()), list(gr.keys())))
            for k, v in wr.items():
                gv = gr.get(k, "<missing>")
                if v != gv:
                    kk = k
                    if isinstance(gv, str) and gv.startswith("-") and gv[1:] == v \
                            and set(v) <= set("0."):
                        kk = k + "(-0)"  # negative zero printed for an exact 0
                    diffs.append((part, i, wr["period_start"], wr["period_end"],
                                  wr["currency"], kk, v, gv))
    return diffs


def run_case(binary, k, seed, keep, verbose=False):
    r = random.Random(seed * 1000003 + k)
    case = gen(r)
    d = os.path.join(keep, str(k))
    write(d, case)
    random.seed(k)
    a = args_for(binary, d, case)
    p = subprocess.run(["nice", "-n", "19"] + a, capture_output=True, text=True)
    to_reading = "to_month" if case["mode"] == "to" else "as_of_month"
    want = ref.kpi(os.path.join(d, "invoices.csv"), os.path.join(d, "payments.csv"),
                   case["as_of"], case["from"], case["to"], case["every"], case["by"],
                   case["grace"], case["window"], to_reading=to_reading,
                   terms=case.get("terms"))
    for t in want["totals"]:
        for c in case["by"]:
            pass
    if case["by"]:
        for t in want["totals"]:
            nt = {"period_start": t["period_start"], "period_end": t["period_end"]}
            for c in case["by"]:
                nt[c] = None
            nt.update({k2: v for k2, v in t.items() if k2 not in nt})
            t.clear()
            t.update(nt)
    want = json.loads(ref.dumps(want), parse_float=str, parse_int=str)
    diffs = []
    if p.returncode != 0:
        diffs.append(("exit", p.returncode, p.stderr.strip()[:500]))
    else:
        got = json.loads(p.stdout, parse_float=str, parse_int=str)
        diffs = compare(want, got)
    with open(os.path.join(d, "cmd.txt"), "w") as fh:
        fh.write(" ".join(a) + "\n")
    if diffs:
        with open(os.path.join(d, "diffs.txt"), "w") as fh:
            for x in diffs:
                fh.write(repr(x) + "\n")
            fh.write("stderr: " + p.stderr + "\n")
        with open(os.path.join(d, "cobro.json"), "w") as fh:
            fh.write(p.stdout)
        with open(os.path.join(d, "ref.json"), "w") as fh:
            json.dump(want, fh, indent=1)
    else:
        shutil.rmtree(d)
    return case, a, diffs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cobro", default="target/debug/cobro")
    ap.add_argument("--keep", default="/tmp/cobro-kpi-fail")
    ap.add_argument("--one", type=int)
    a = ap.parse_args()
    ks = [a.one] if a.one is not None else range(a.start, a.start + a.cases)
    nfail = 0
    kinds = {}
    for k in ks:
        case, args, diffs = run_case(a.cobro, k, a.seed, a.keep)
        if diffs:
            nfail += 1
            fields = sorted({x[5] if x[0] in ("rows", "totals") and len(x) == 8 else x[0]
                             for x in diffs}, key=str)
            tag = "exotic" if case["exotic"] else ("to-only" if case["mode"] == "to" else "")
            if case.get("sf"):
                tag += " single-file"
            for fl in fields:
                kinds.setdefault(fl, []).append(k)
            print("FAIL case %d %s %s: %d diffs, fields %s" % (k, tag, case["mode"],
                                                             len(diffs), fields))
            sys.stdout.flush()
    print("cases %d seed %d failures %d" % (len(ks), a.seed, nfail))
    for fl, v in sorted(kinds.items(), key=lambda x: str(x[0])):
        print("  %s: %d cases, e.g. %s" % (fl, len(v), v[:8]))


if __name__ == "__main__":
    main()
