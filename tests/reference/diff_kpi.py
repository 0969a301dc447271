#!/usr/bin/env python3
"""Differential test of `cobro kpi -f json` against kpi.py (an independent reading of
SPEC.md). Seeded random small ledgers rich in edges; every field compared as the text of
the JSON numbers, plus exit codes.

  nice -n 19 python3 tests/reference/diff_kpi.py --cases 1000 --seed 1 [--cobro BIN]
        [--keep /tmp/cobro-kpi-fail] [--one SEED]
Case k uses random.Random(seed * 1000003 + k). A failing case is kept in KEEP/<k>/.
The ledger generator shares its pieces with diff_age_segment.py (diffcommon.py).
"""
import datetime as dt
import json
import os
import random
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kpi as ref  # noqa: E402
import diffcommon as dc  # noqa: E402
import refcommon as rc  # noqa: E402

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


f = dc.fmt
month_end = rc.month_end


def q(cur):
    return Decimal(1).scaleb(-ref.MINOR.get(cur, 2))


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
    dc.month_keys(keys, S0, E0 + D(31))
    keys = sorted(k for k in keys if as_of - D(500) <= k <= as_of + D(40))
    pick_day = dc.day_picker(r, keys, as_of)

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
        issue, due, before = dc.doc_dates(r, as_of, keys, pick_day, p_after=0.07,
                                          p_key_due=0.2, p_due_before=0.03)
        if before:
            exotic = True  # due before issue
        no_issue = r.random() < 0.08
        a = dc.doc_amount(r, cur, amt, p_credit=0.12, p_zero=0.16)
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
        if sf and dc.single_file_cells(r, row, a, cur, due, pick_day, amt, q(cur), f,
                                       more=True) and r.random() < 0.7:
            continue  # no payments-file rows for this one
        # payments
        pat = r.random()
        if a > 0:
            plist = dc.positive_payments(r, pat, a, cur, due, issue, pick_day, amt, q(cur))
        elif a < 0:
            plist = []
            if pat < 0.5:
                plist.append((pick_day(due), a))  # refund of the credit note
            elif pat < 0.6:
                plist.append((pick_day(due), a / 2 if cur != "JPY" else a))
        else:
            plist = dc.zero_payments(r, pat, cur, due, pick_day, amt)
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
    dc.write_csv(os.path.join(d, "invoices.csv"), ih, case["invoices"])
    ph = ["invoice", "date", "amount"] + (["customer"] if case["pay_customer_col"] else [])
    dc.write_csv(os.path.join(d, "payments.csv"), ph, case["payments"], extra="ignore")


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
    return diffs + dc.compare_parts(
        want, got, lambda wr: (wr["period_start"], wr["period_end"], wr["currency"]),
        count_info=lambda w, g: ([(x["period_start"], x["currency"]) for x in w],
                                 [(x.get("period_start"), x.get("currency")) for x in g]),
        label=field_label)


def field_label(k, v, gv):
    if isinstance(gv, str) and gv.startswith("-") and gv[1:] == v and set(v) <= set("0."):
        return k + "(-0)"  # negative zero printed for an exact 0
    return k


def run_case(binary, k, seed, keep, verbose=False):
    r = random.Random(seed * 1000003 + k)
    case = gen(r)
    d = os.path.join(keep, str(k))
    write(d, case)
    random.seed(k)
    a = args_for(binary, d, case)
    p = dc.run(a)
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
    want = dc.json_text(ref.dumps(want))
    diffs = []
    if p.returncode != 0:
        diffs.append(("exit", p.returncode, p.stderr.strip()[:500]))
    else:
        got = dc.json_text(p.stdout)
        diffs = compare(want, got)
    dc.keep_case(d, " ".join(a) + "\n", diffs, p.stdout, p.stderr,
                 lambda: json.dumps(want, indent=1))
    return case, a, diffs


def main():
    ap = dc.case_parser(None, "/tmp/cobro-kpi-fail", "target/debug/cobro", bin_alias=False)
    a = ap.parse_args()
    ks = dc.case_numbers(a)
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
            dc.note_failure(kinds, k, fields, "FAIL case %d %s %s: %d diffs, fields %s" % (
                k, tag, case["mode"], len(diffs), fields))
    print("cases %d seed %d failures %d" % (len(ks), a.seed, nfail))
    dc.print_kinds(kinds)


if __name__ == "__main__":
    main()
