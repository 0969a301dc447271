#!/usr/bin/env python3
"""Differential test of `cobro plan schedule|offer|check -f json` against
tests/reference/plan.py (an independent reading of SPEC.md and docs/plan.md).

Python 3 standard library only. Seeded random small cases rich in edges, of five kinds:
schedule, offer, check (plans and payments in many input forms: delimiters, BOM, CRLF,
header aliases, --map, date formats, decimal comma, amounts as exports write them;
partial payments, overpayments, reversals before and beyond what was paid, customer-only
payments across several plans, payments after the as-of date, bad rows strict and with
--skip-bad-rows --rejects) and roundtrip (a cobro `plan schedule --plan-id --customer -f
csv` file read back by `plan check`). The whole JSON document is compared: every key,
its order, each JSON number as the text cobro printed with its JSON type, the exit code,
with --skip-bad-rows the skipped count on stderr and the --rejects (file, line) set, and
for a repeated installment number cobro's exact message (strict) or reject row (column,
value, reason).

Run it from the repository root after `cargo build`:
  nice -n 19 python3 tests/reference/diff_plan.py --cases 3000 --seed 101 [--cobro BIN]
        [--keep /tmp/cobro-plan-diff] [--one K] [--kind schedule|offer|check|roundtrip]
The binary defaults to $COBRO_BIN, else $CARGO_TARGET_DIR/debug/cobro, else
target/debug/cobro (--bin is the same flag as --cobro). Case k uses
random.Random(seed * 1000003 + k). A failing case is kept in KEEP/s<seed>/<k>/ (plans.csv,
payments.csv, cmd.txt, diffs.txt, cobro.json, ref.json); passing cases are deleted.
Rerun one case by hand: sh KEEP/s<seed>/<k>/cmd.txt, and the reference with the same
arguments: python3 tests/reference/plan.py ARGS (without -f json).

History: a reversal beyond what was paid, then new money (plan A one installment 100.00,
payments -30.00 then 100.00): cobro once completed the installment; now the plan holds
70.00 and the installment is 30.00 short (docs/plan.md "How money is applied"). A
repeated installment number once gave an empty value in the message.
"""
import csv
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plan as ref  # noqa: E402
import diffcommon as dc  # noqa: E402

D = dt.timedelta
EDGE_STARTS = [dt.date(2025, 1, 31), dt.date(2024, 1, 31), dt.date(2024, 2, 29),
               dt.date(2023, 2, 28), dt.date(2025, 8, 31), dt.date(2024, 12, 31),
               dt.date(2025, 3, 30), dt.date(2024, 11, 30), dt.date(2025, 1, 1),
               dt.date(2024, 5, 31)]
RATES = ["0", "0", "0", "1", "3", "5", "5.5", "6", "7.25", "10", "12", "18", "24", "36",
         "100", "0.01", "999.99", "1000", "4.99", "12.5", "8"]


def money_str(r, lo_cents, hi_cents, dec3=0.05):
    v = Decimal(r.randint(lo_cents, hi_cents)).scaleb(-2)
    if r.random() < dec3:
        v += Decimal(r.choice([5, 1, 9])).scaleb(-3)
    return v


fstr = dc.fmt


def pick_start(r):
    if r.random() < 0.6:
        return r.choice(EDGE_STARTS)
    return dt.date(2024, 1, 1) + D(days=r.randint(0, 800))


# ---------------------------------------------------------------- schedule / offer

def gen_schedule(r):
    x = r.random()
    if x < 0.1:
        amount = Decimal(r.choice(["0.01", "0.05", "1", "6", "1.2", "0.99"]))
    elif x < 0.15:
        amount = Decimal(r.choice(["1000000000000000", "999999999999.99", "123456789.01"]))
    else:
        amount = money_str(r, 100, 5000000)
    rate = r.choice(RATES)
    every = r.choice(["month", "month", "2weeks", "week", "quarter", None])
    start = pick_start(r)
    if r.random() < 0.25 and rate != "0":
        # an amount whose first interest (P*r) is an exact half cent
        from fractions import Fraction as F
        ppy = ref.PER_YEAR[every or "month"]
        unit = F(ppy) / (2 * F(Decimal(rate)))  # P = m * unit gives P*r = m/200
        q = (unit * 100).denominator
        for m in range(q, q * 60, q):
            if m % 2 == 1 and r.random() < 0.2:
                P = m * unit
                if P * 100 == int(P * 100) and P <= 10 ** 9:
                    amount = Decimal(int(P * 100)).scaleb(-2)
                    break
    args = ["plan", "schedule", "--amount", fstr(amount), "--start", start.isoformat()]
    if every:
        args += ["--every", every]
    if rate != "0" or r.random() < 0.2:
        args += ["--annual-rate", rate]
    down = Decimal(0)
    y = r.random()
    if y < 0.15:
        down = (amount * Decimal(r.choice([1, 2, 3, 5]) / 10)).quantize(Decimal("0.01"))
    elif y < 0.18:
        down = amount
    elif y < 0.2:
        down = amount + Decimal("1")
    elif y < 0.23:
        down = Decimal("0.001")
    if down or r.random() < 0.1:
        args += ["--down-payment", fstr(down)]
    fee = Decimal(0)
    if r.random() < 0.2:
        fee = money_str(r, 0, 5000)
        args += ["--fee", fstr(fee)]
    P = amount - down + fee
    if r.random() < 0.3 and P > 0:
        per = ref.PER_YEAR[every or "month"]
        rr = Decimal(rate) / 100 / per
        k = r.choice([1, 2, 3, 4, 6, 12, 24, 36])
        M = (P / k + P * rr * Decimal("1.5") + P / 150).quantize(Decimal("0.01"))
        z = r.random()
        if z < 0.1:
            M = (P * rr).quantize(Decimal("0.01"))  # exactly one period's interest
        elif z < 0.15:
            M = (P * rr).quantize(Decimal("0.01")) - Decimal("0.01")
        elif z < 0.25:
            M = (P / k).quantize(Decimal("0.01"))
        if M <= 0:
            M = Decimal("0.01")
        args += ["--max-installment", fstr(M)]
    else:
        n = r.choice([1, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 24, 36, 60])
        if r.random() < 0.03:
            n = r.choice([120, 240, 360])
        if r.random() < 0.02:
            n = r.choice([0, 10001])
        args += ["--installments", str(n)]
    if r.random() < 0.2:
        args += ["--plan-id", r.choice(["AG-1", "P 2", "=X"]), "--customer", "C1"]
    return args


def gen_offer(r):
    x = r.random()
    if x < 0.1:
        amount = Decimal(r.choice(["0.01", "0.05", "1", "100.01", "0.03"]))
    else:
        amount = money_str(r, 100, 2000000)
    args = ["plan", "offer", "--amount", fstr(amount)]
    if r.random() < 0.7:
        args += ["--discount", r.choice(["0", "10", "15", "33.333", "50", "100", "12.5",
                                         "99.99", "0.5", "2.5", "101"])]
    rate = r.choice(RATES)
    if rate != "0" or r.random() < 0.2:
        args += ["--annual-rate", rate]
    if r.random() < 0.7:
        opts = [r.choice([1, 2, 3, 6, 12, 24, 36, 60, 5, 7]) for _ in range(r.randint(1, 5))]
        if r.random() < 0.03:
            opts.append(r.choice([0, 10001]))
        args += ["--options", ",".join(map(str, opts))]
    return args


# ---------------------------------------------------------------- check

AMT_FMTS = ["plain"] * 6 + ["thousands", "paren", "trail", "euro", "code"]


def fmt_amount(v, style, dcomma):
    neg = v < 0
    a = -v if neg else v
    s = fstr(a)
    if "." not in s:
        s += ".00"
    ip, fp = s.split(".")
    if style == "thousands" or dcomma and style != "plain":
        ip = "{:,}".format(int(ip))
    if dcomma:
        ip = ip.replace(",", ".")
        s = ip + "," + fp
    else:
        s = ip + "." + fp
    if not neg:
        if style == "euro":
            return "€" + s
        if style == "code":
            return s + " EUR"
        return s
    if style == "paren":
        return "(" + s + ")"
    if style == "trail":
        return s + "-"
    if style == "euro":
        return "-€" + s
    return "-" + s


def fmt_date(d, style):
    if style == "iso":
        return d.isoformat()
    if style == "isot":
        return d.isoformat() + "T10:30:00"
    if style == "dot":
        return d.strftime("%d.%m.%Y")
    if style == "dmy":
        return d.strftime("%d/%m/%Y")
    if style == "ymd":
        return d.strftime("%Y/%m/%d")
    if style == "mdy":
        return d.strftime("%m/%d/%Y")
    if style == "dash":
        return d.strftime("%d-%m-%Y")
    if style.startswith("mixed-"):  # ISO on some rows, another format on the others
        return d.isoformat() if (d.toordinal() * 7) % 3 == 0 else fmt_date(d, style[6:])
    raise ValueError(style)


def gen_check(r):
    as_of = r.choice([dt.date(2025, 6, 30), dt.date(2024, 2, 29), dt.date(2024, 3, 31),
                      dt.date(2025, 2, 28), dt.date(2024, 12, 31),
                      dt.date(2025, 1, 1) + D(days=r.randint(-300, 200))])
    grace = r.choice([0, 0, 5, 5, 5, 1, 10, 30])
    broken_after = r.choice([1, 2, 2, 2, 3])
    ncust = r.randint(1, 3)
    custs = ["C%d" % (i + 1) for i in range(ncust)]
    plans = []  # dict(plan_id, customer, inst=[(n, due, amount)])
    npl = r.randint(1, 5)
    for p in range(npl):
        cust = r.choice(custs)
        pid = r.choice(["AG-%d" % (p + 1), "P%d" % (10 - p), "ag-%d" % (p + 1),
                        "Z%d" % p])
        if any(pl["plan_id"] == pid for pl in plans):
            pid = pid + "x%d" % p
        # start relative to as_of so some installments are due before, some after
        start = as_of - D(days=r.randint(-40, 300))
        if r.random() < 0.4:
            start = r.choice([dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2025, 1, 31),
                              dt.date(2024, 8, 31), as_of - D(days=grace),
                              as_of - D(days=grace + 1), as_of])
        every = r.choice(["month", "month", "week", "2weeks", "quarter"])
        k = r.randint(1, 6)
        inst = []
        down = r.random() < 0.2
        amt = money_str(r, 100, 100000, dec3=0.04)
        for j in range(0 if down else 1, k + 1):
            a = amt if j else money_str(r, 100, 50000)
            if j == k and r.random() < 0.5:
                a = a + Decimal(r.choice(["0.01", "-0.01", "0.02"]))
            if r.random() < 0.03:
                a = Decimal("0.00")
            inst.append((j, ref.due_k(start, every, j) if j else start, a))
        if r.random() < 0.05 and len(inst) > 1:  # two installments due the same day
            n0, d0, a0 = inst[-1]
            inst[-1] = (n0, inst[-2][1], a0)
        plans.append({"plan_id": pid, "customer": cust, "inst": inst})
    # payments
    pays = []  # (plan_id or "", customer or "", date, amount)
    by_cust = {}
    for pl in plans:
        by_cust.setdefault(pl["customer"], []).append(pl)

    def pick_day(due):
        x = r.random()
        if x < 0.5:
            return due + D(days=r.choice([0, 0, -1, 1, grace, grace + 1, -10, 3, 40]))
        if x < 0.6:
            return as_of + D(days=r.choice([0, 1, 2]))
        return due + D(days=r.randint(-30, 90))

    for pl in plans:
        cust_only = len(by_cust[pl["customer"]]) > 1 and r.random() < 0.3 or r.random() < 0.1
        for (j, due, a) in pl["inst"]:
            x = r.random()
            pid = "" if cust_only and r.random() < 0.7 else pl["plan_id"]
            c = pl["customer"]
            if x < 0.2:
                continue
            d = pick_day(due)
            if x < 0.55:
                pays.append((pid, c, d, a))
            elif x < 0.7:  # partial, maybe the rest later
                part = (a * Decimal(r.choice([1, 3, 5, 7])) / 10).quantize(Decimal("0.01"))
                pays.append((pid, c, d, part))
                if r.random() < 0.6:
                    pays.append((pid, c, d + D(days=r.randint(0, 30)), a - part))
            elif x < 0.78:  # overpayment
                pays.append((pid, c, d, a + money_str(r, 1, 20000)))
            elif x < 0.9:  # payment and reversal (maybe the same day), maybe re-paid
                d2 = d + D(days=r.choice([0, 0, 1, 5, 30]))
                pays.append((pid, c, d, a))
                pays.append((pid, c, d2, -a))
                if r.random() < 0.5:
                    pays.append((pid, c, d2 + D(days=r.randint(0, 20)), a))
            elif x < 0.95:  # reversal with nothing paid / bigger than paid
                pays.append((pid, c, d, -money_str(r, 1, 20000)))
            else:
                pays.append((pid, c, d, Decimal(r.choice(["0", "0.00", "0.001", "-0.001",
                                                          "-0.005", "0.005", "-0.004"]))))
    if r.random() < 0.15 and pays:
        # a lump payment of several installments at once, customer-only
        c = r.choice(custs)
        if c in by_cust:
            tot = sum(a for pl in by_cust[c] for (_, _, a) in pl["inst"])
            pays.append(("", c, as_of - D(days=r.randint(0, 200)),
                         (tot * Decimal(r.choice([3, 5, 10, 12])) / 10).quantize(Decimal("0.01"))))
    r.shuffle(pays) if r.random() < 0.5 else pays.sort(key=lambda p: p[2])
    # bad rows (each a case for strict exit 1 or --skip-bad-rows)
    bad = 0
    if r.random() < 0.1:
        kind = r.choice(["unknown_plan", "bad_amount", "bad_date", "no_key", "foreign",
                         "unknown_customer"])
        pl = r.choice(plans)
        if kind == "unknown_plan":
            pays.append(("NOPE", "", as_of, Decimal("5")))
        elif kind == "bad_amount":
            pays.append((pl["plan_id"], pl["customer"], as_of, "two"))
        elif kind == "bad_date":
            pays.append((pl["plan_id"], pl["customer"], "2025-02-30", Decimal("5")))
        elif kind == "no_key":
            pays.append(("", "", as_of, Decimal("5")))
        elif kind == "unknown_customer":
            pays.append(("", "CNOPE", as_of, Decimal("5")))
        elif kind == "foreign":
            others = [c for c in custs if c != pl["customer"]] or ["CX"]
            pays.append((pl["plan_id"], r.choice(others), as_of, Decimal("5")))
        bad = 1
    # bad plan rows: (kind) applied when the file is written
    bad_plan = None
    if r.random() < 0.08:
        bad_plan = r.choice(["bad_n", "bad_due", "dup_n", "other_customer", "bad_inst",
                             "no_plan_id"])
        bad += 1
    # formats
    dstyle = r.choice(["iso"] * 8 + ["isot", "dot", "ymd", "dmy", "mdy", "dash",
                                     "mixed-dmy", "mixed-dot", "mixed-mdy"])
    astyle = r.choice(AMT_FMTS)
    dcomma = r.random() < 0.1
    delim = r.choice([","] * 6 + [";", "\t"])
    if dcomma and delim == ",":
        delim = ";"
    bom = r.random() < 0.1
    with_cust = r.random() < 0.6 or any(not p[0] for p in pays)
    with_pid = r.random() < 0.9 or any(p[0] for p in pays)
    hdr_style = r.choice(["canon"] * 5 + ["upper", "amount", "es"])
    currency_col = r.random() < 0.15
    return {"as_of": as_of, "grace": grace, "broken_after": broken_after, "plans": plans,
            "pays": pays, "dstyle": dstyle, "astyle": astyle, "dcomma": dcomma,
            "delim": delim, "bom": bom, "with_cust": with_cust, "with_pid": with_pid,
            "hdr_style": hdr_style, "bad": bad, "skip": bad and r.random() < 0.6,
            "currency_col": currency_col, "shuffle_plans": r.random() < 0.3,
            "empty_pays": r.random() < 0.05, "rnd": r.random(),
            "map": r.random() < 0.08, "bad_plan": bad_plan, "crlf": r.random() < 0.1,
            "datefmt": r.random() < 0.3 and dstyle in ("dmy", "mdy", "dot", "dash")}


def write_check(d, case, r):
    os.makedirs(d, exist_ok=True)
    hs = {"canon": ["plan_id", "customer", "n", "due_date", "installment"],
          "upper": ["Plan_ID", "CUSTOMER", "N", "Due_Date", "Installment"],
          "amount": ["plan_id", "customer", "n", "due_date", "amount"],
          "es": ["Plan", "Cliente", "n", "Vencimiento", "Importe"]}[case["hdr_style"]]
    rows = []
    for pl in case["plans"]:
        for (j, due, a) in pl["inst"]:
            row = [pl["plan_id"], pl["customer"], str(j), fmt_date(due, case["dstyle"]),
                   fmt_amount(a, case["astyle"], case["dcomma"])]
            if case["currency_col"]:
                row.append(r.choice(["EUR", "JPY", "KWD"]))
            rows.append(row)
    if case["currency_col"]:
        hs = hs + ["currency"]
    bp = case.get("bad_plan")
    if bp:
        src = list(r.choice(rows))
        if bp == "bad_n":
            src[2] = r.choice(["x", "1.5", "-1", ""])
        elif bp == "bad_due":
            src[3] = r.choice(["2025-13-01", "soon", ""])
        elif bp == "dup_n":
            pass  # the same plan and n again
        elif bp == "other_customer":
            src[1] = "COTHER"
        elif bp == "bad_inst":
            src[4] = r.choice(["abc", "", "12.5kg", "1e5"])
        elif bp == "no_plan_id":
            src[0] = ""
        rows.insert(r.randint(0, len(rows)), src) if bp != "dup_n" else rows.append(src)
    if case["shuffle_plans"] and not bp:
        r.shuffle(rows)
    if case["map"]:
        hs = list(hs)
        hs[4] = "Cuota"
    dc.write_csv(os.path.join(d, "plans.csv"), hs, rows, case["delim"], case["bom"],
                 case["crlf"])
    ph = []
    es = case["hdr_style"] == "es"
    if case["with_pid"]:
        ph.append("plan" if es else "plan_id")
    if case["with_cust"]:
        ph.append("Cliente" if es else "customer")
    ph += ["Fecha", "Importe"] if es else ["date", "amount"]
    with dc.csv_writer(os.path.join(d, "payments.csv"), case["delim"], case["bom"],
                       case["crlf"]) as w:
        if not case["empty_pays"]:
            w.writerow(ph)
            for (pid, c, day, a) in case["pays"]:
                row = []
                if case["with_pid"]:
                    row.append(pid)
                if case["with_cust"]:
                    row.append(c if (not pid or r.random() < 0.7) else "")
                row.append(day if isinstance(day, str) else fmt_date(day, case["dstyle"]))
                row.append(a if isinstance(a, str) else fmt_amount(a, case["astyle"],
                                                                    case["dcomma"]))
                w.writerow(row)
        elif r.random() < 0.5:
            w.writerow(ph)  # header only: nothing paid yet


def check_args(d, case):
    a = ["plan", "check", os.path.join(d, "plans.csv"), "--payments",
         os.path.join(d, "payments.csv"), "--as-of", case["as_of"].isoformat()]
    if case["grace"] != 5 or case["rnd"] < 0.2:
        a += ["--grace", str(case["grace"])]
    if case["broken_after"] != 2 or case["rnd"] > 0.8:
        a += ["--broken-after", str(case["broken_after"])]
    if case["dcomma"]:
        a += ["--decimal-comma"]
    if case["skip"]:
        a += ["--skip-bad-rows", "--rejects", os.path.join(d, "rejects.csv")]
    if case["delim"] == "\t" and case["rnd"] < 0.5:
        a += ["--delimiter", "tab"]
    if case["map"]:
        a += ["--map", "installment=Cuota"]
    if case["datefmt"]:
        a += ["--date-format", {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y", "dot": "%d.%m.%Y",
                                "dash": "%d-%m-%Y"}[case["dstyle"]]]
    return a


# ---------------------------------------------------------------- compare

def load_json(text):
    return json.loads(text, parse_float=ref.Num, parse_int=ref.Num)


def cmp(path, w, g, out):
    if isinstance(w, dict):
        if not isinstance(g, dict):
            out.append((path, "type", w, g))
            return
        wk = [k for k in w if not k.startswith("_")]
        if wk != list(g.keys()):
            out.append((path, "keys", wk, list(g.keys())))
        for k in wk:
            cmp(path + "." + k, w[k], g.get(k, "<missing>"), out)
        return
    if isinstance(w, list):
        if not isinstance(g, list) or len(w) != len(g):
            out.append((path, "len", len(w), len(g) if isinstance(g, list) else g))
            if not isinstance(g, list):
                return
        for i, (a, b) in enumerate(zip(w, g)):
            cmp("%s[%d]" % (path, i), a, b, out)
        return
    if type(w) is not type(g) or w != g:
        out.append((path, w, g))


def run_case(binary, k, seed, keep, kind=None):
    r = random.Random(seed * 1000003 + k)
    kinds = ["schedule", "offer", "check", "check", "check", "schedule", "offer", "check",
             "check", "roundtrip"]
    kd = kind or kinds[k % len(kinds)]
    d = os.path.join(keep, "s%d" % seed, str(k))
    os.makedirs(d, exist_ok=True)
    case = None
    if kd == "schedule":
        args = gen_schedule(r)
    elif kd == "offer":
        args = gen_offer(r)
    elif kd == "roundtrip":
        # plan schedule --plan-id --customer -f csv is a PLANS file of plan check
        sargs = gen_schedule(r)
        sargs = [x for x in sargs]
        if "--plan-id" in sargs:
            i = sargs.index("--plan-id")
            del sargs[i:i + 4]
        sargs += ["--plan-id", "RT-%d" % k, "--customer", "C1", "-f", "csv", "-o",
                  os.path.join(d, "plans.csv")]
        sp = dc.run([binary] + sargs)
        if sp.returncode != 0:
            shutil.rmtree(d)
            return kd, sargs, [], -1
        with open(os.path.join(d, "plans.csv"), newline="") as fh:
            inst = [(dt.date.fromisoformat(x["due_date"]), Decimal(x["installment"]))
                    for x in csv.DictReader(fh)]
        first = inst[0][0]
        as_of = first + D(days=r.randint(-10, 400))
        grace = r.choice([0, 5, 5, 30])
        with dc.csv_writer(os.path.join(d, "payments.csv")) as w:
            w.writerow(["plan_id", "date", "amount"])
            for (due, a) in inst[:60]:
                x = r.random()
                if x < 0.6:
                    w.writerow(["RT-%d" % k, (due + D(days=r.choice([0, 0, -3, 1, 6, 40]))).isoformat(), a])
                elif x < 0.7:
                    w.writerow(["RT-%d" % k, due.isoformat(), a / 2])
                elif x < 0.8:
                    w.writerow(["RT-%d" % k, due.isoformat(), a])
                    w.writerow(["RT-%d" % k, (due + D(days=3)).isoformat(), -a])
        args = ["plan", "check", os.path.join(d, "plans.csv"), "--payments",
                os.path.join(d, "payments.csv"), "--as-of", as_of.isoformat(),
                "--grace", str(grace)]
    else:
        case = gen_check(r)
        write_check(d, case, r)
        args = check_args(d, case)
    if kd in ("schedule", "offer") and r.random() < 0.5:
        if "--as-of" not in args:
            args += ["--as-of", "2025-05-%02d" % r.randint(1, 31)]
    p = dc.run([binary] + args + ["-f", "json"], timeout=120)
    code, want, msg = ref.run(list(args))
    diffs = []
    if p.returncode != code:
        diffs.append(("exit", "ref", code, msg, "cobro", p.returncode, p.stderr.strip()[:400]))
    elif code == 1 and kd == "check" and 'column "' in msg:
        # the reference knows cobro's exact words for this bad row (plan.bad_message)
        if "cobro: " + msg + " " not in p.stderr and "cobro: " + msg + "\n" not in p.stderr:
            diffs.append(("message", msg, p.stderr.strip()[:400]))
    elif code == 0:
        try:
            got = load_json(p.stdout)
        except ValueError as e:
            got = None
            diffs.append(("json", str(e)))
        if got is not None:
            cmp("", want, got, diffs)
        if kd == "check" and case["skip"]:
            m = re.search(r"skipped (\d+) bad row", p.stderr)
            n = int(m.group(1)) if m else 0
            if n != len(want["_bad"]):
                diffs.append(("skipped", len(want["_bad"]), n, p.stderr.strip()[:300]))
            try:
                with open(os.path.join(d, "rejects.csv"), newline="") as fh:
                    rj = list(csv.DictReader(fh))
                got_bad = sorted((os.path.basename(x["file"]), int(x["line"])) for x in rj)
            except (OSError, KeyError, ValueError) as e:
                got_bad = repr(e)
            want_bad = sorted((os.path.basename(f), ln) for f, ln, _, _ in want["_bad"])
            if got_bad != want_bad:
                diffs.append(("rejects", want_bad, got_bad))
            # the reject rows whose exact column, value and reason the reference knows
            for f, ln, _, detail in want["_bad"]:
                if detail is None or isinstance(got_bad, str):
                    continue
                gr = [(x.get("column"), x.get("value"), x.get("reason")) for x in rj
                      if os.path.basename(x["file"]) == os.path.basename(f)
                      and int(x["line"]) == ln]
                if gr != [detail]:
                    diffs.append(("reject_row", os.path.basename(f), ln, detail, gr))
    cmdline = " ".join("'%s'" % x if (" " in x or not x or "\t" in x) else x
                       for x in [binary] + args + ["-f", "json"]) + "\n"
    dc.keep_case(d, cmdline, diffs, p.stdout, p.stderr,
                 lambda: ref.dumps(want) if want else msg)
    return kd, args, diffs, p.returncode


def main():
    ap = dc.case_parser("cobro plan vs tests/reference/plan.py", "/tmp/cobro-plan-diff",
                        dc.default_bin("COBRO_BIN"))
    ap.add_argument("--kind", choices=["schedule", "offer", "check", "roundtrip"])
    a = ap.parse_args()
    ks = dc.case_numbers(a)
    nfail = 0
    kinds = {}
    counts = {}
    for k in ks:
        kd, args, diffs, rc = run_case(a.cobro, k, a.seed, a.keep, a.kind)
        counts["%s/rc%d" % (kd, rc)] = counts.get("%s/rc%d" % (kd, rc), 0) + 1
        if diffs:
            nfail += 1
            fields = sorted({re.sub(r"\[\d+\]", "[]", str(x[0])) for x in diffs})
            dc.note_failure(kinds, k, [kd + " " + fl for fl in fields],
                            "FAIL case %d %s: %d diffs, %s" % (k, kd, len(diffs), fields[:6]))
    print("cases %d seed %d failures %d  %s" % (len(ks), a.seed, nfail, counts))
    dc.print_kinds(kinds)


if __name__ == "__main__":
    main()
