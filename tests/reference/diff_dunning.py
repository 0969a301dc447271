#!/usr/bin/env python3
"""Differential test of `cobro dunning -f json` against dunning.py.

  nice -n 19 python3 diff_dunning.py [--seeds A:B] [--keep] [--bin PATH]

Each seed builds a small random ledger + policy + log in $COBRO_AUDIT_CASES/<seed>/ (default /tmp/cobro-dunning-cases),
runs cobro (with --record, then a second time with --record) and the reference, and
compares rows field by field (numbers as JSON text), exit codes and the log file.
Mismatching cases are kept; the rest are deleted unless --keep.
"""
import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dunning as ref_dunning  # noqa: E402
import diffcommon as dc  # noqa: E402

BIN = os.environ.get("COBRO_BIN", "target/debug/cobro")
CASES = os.environ.get("COBRO_AUDIT_CASES", "/tmp/cobro-dunning-cases")
STATS = {}
D = dt.timedelta


def amt(rng, cur, lo=1, hi=5000):
    dig = ref_dunning.minor(cur)
    v = rng.randint(lo * 10 ** dig, hi * 10 ** dig)
    if rng.random() < 0.04:  # more decimals than the minor unit (kept exact, SPEC 3)
        s = str(v)
        if dig:
            s = s.rjust(dig + 1, "0")
            return s[:-dig] + "." + s[-dig:] + rng.choice(["5", "49", "51"])
        return s + "." + rng.choice(["5", "49", "51"])
    s = str(v)
    if dig:
        s = s.rjust(dig + 1, "0")
        s = s[:-dig] + "." + s[-dig:]
    return s


def dec_str(frac_val, dig):
    return ref_dunning.fmt(frac_val, dig)


write_csv = dc.write_csv  # (path, header, list rows)


def gen_case(seed, cdir):
    rng = random.Random(seed)
    # as-of: leap-day heavy
    as_of = rng.choice([dt.date(2024, 2, 29), dt.date(2024, 3, 1), dt.date(2024, 12, 31),
                        dt.date(2025, 1, 1), dt.date(2025, 6, 30), dt.date(2023, 3, 1),
                        dt.date(2024, 3, 30)] + [dt.date(2023, 1, 1) + D(rng.randint(0, 1000))])
    # policy
    nlev = rng.randint(1, 4)
    days, d0 = [], rng.choice([0, 1, 3, 7, 7, 10])
    for _ in range(nlev):
        days.append(d0)
        d0 += rng.randint(1, 30)
    levels = []
    names = ["reminder", "second", "final", "legal", "extra"]
    for i, dd in enumerate(days):
        lv = {"name": names[i], "days": dd}
        if rng.random() < 0.8:
            lv["fee"] = rng.choice(["0", "5", "2.50", "10", "0.005", "1.5", "0.015", "1.005", "2.675", "5"])
        if rng.random() < 0.5:
            lv["fee_per_invoice"] = rng.choice(["0", "2.50", "40.00", "1", "0.125", "0.045", "1.115"])
        if i == nlev - 1 and rng.random() < 0.5:
            lv["action"] = "escalate"
            if rng.random() < 0.5:
                lv["template"] = "Escalated {customer} {total_due}"
        else:
            if rng.random() < 0.3:
                lv["action"] = "letter"
            lv["template"] = "Dear {customer_name}, you owe {currency} {total_due} ({invoices})"
        levels.append(lv)
    min_interval = rng.choice([0, 0, 1, 3, 7, 7, 14])
    excl = rng.choice([None, True, False])
    use_calendar = rng.random() < 0.25
    rate = rng.choice(["10", "10.15", "8", "0", "12.345", "7.5", "100", "12.5", "12.5", "5"])
    curs = ["EUR", "EUR", "JPY", "KWD", "USD"]
    ncust = rng.randint(1, 5)
    custs = []
    for c in range(ncust):
        cid = "C%02d" % (c + 1)
        if seed % 5 == 0:
            cid = ["b7", "B10", "B9", "a-1", "Z_2", "cé"][c]
        ccur = [rng.choice(curs)]
        if rng.random() < 0.2:
            ccur.append(rng.choice([x for x in curs if x != ccur[0]]))
        custs.append((cid, rng.choice(["", "Acme %d" % c, "Bé %d" % c, "=HYPERLINK(1)", "-neg, \"q\""]),
                      rng.choice(["", "ap%d@x.example" % c]), ccur))
    ndocs = rng.randint(2, 30)
    thresholds = days
    docs = []  # dicts
    single_file = rng.random() < 0.25
    for k in range(ndocs):
        cid, nm, em, ccur = rng.choice(custs)
        cur = rng.choice(ccur)
        r = rng.random()
        if r < 0.5:
            t = rng.choice(thresholds)
            dpd = t + rng.choice([-1, 0, 1])
        elif r < 0.6:
            dpd = rng.choice([0, 1, -1, -5])
        else:
            dpd = rng.randint(-30, 200)
        due = as_of - D(dpd)
        issue = None
        if rng.random() < 0.8:
            issue = due - D(rng.choice([0, 14, 30, 45, 60]))
            if rng.random() < 0.05:
                issue = as_of + D(rng.randint(1, 5))  # issued after the as-of date
                due = max(due, issue)
        credit = rng.random() < 0.12
        a = amt(rng, cur)
        if rng.random() < 0.2:  # multiples of 73 minor units: interest lands on halves
            dig = ref_dunning.minor(cur)
            a = ref_dunning.fmt(ref_dunning.Fraction(73 * rng.randint(1, 400), 10 ** dig) *
                                rng.choice([1, 10, 100]), dig)
        if issue is not None and rng.random() < 0.05:
            issue = due + D(rng.randint(1, 10))  # due before issue
        if credit:
            a = "-" + a
        disputed = ""
        if rng.random() < 0.15:
            disputed = rng.choice(["true", "yes", "x", "1", "Sí", "TRUE"])
        elif rng.random() < 0.1:
            disputed = rng.choice(["false", "no", "0"])
        docs.append({"customer": cid, "customer_name": nm if rng.random() < 0.8 else "",
                     "email": em, "invoice": "INV%03d" % k, "issue_date": issue,
                     "due_date": due, "amount": a, "currency": cur, "disputed": disputed,
                     "paid_date": "", "paid_amount": "", "open_amount": ""})
    # payments
    pays = []
    for dd in docs:
        cur = dd["currency"]
        dig = ref_dunning.minor(cur)
        A = ref_dunning.pamount(dd["amount"])
        if A < 0:
            if rng.random() < 0.3:
                pays.append((dd["invoice"], dd["customer"], as_of - D(rng.randint(0, 40)), dd["amount"]))
            continue
        r = rng.random()
        if single_file and r < 0.3:
            if rng.random() < 0.5:
                dd["paid_date"] = (as_of - D(rng.randint(-2, 60))).isoformat()
                if rng.random() < 0.5:
                    dd["paid_amount"] = dec_str(A * rng.choice([1, 2, 3]) / 4, dig)
            else:
                dd["open_amount"] = dec_str(A * rng.choice([0, 1, 2, 3, 4]) / 4, dig)
            continue
        if r < 0.35:
            continue
        npay = rng.randint(1, 3)
        for _ in range(npay):
            kind = rng.random()
            base_d = rng.choice([dd["due_date"], as_of, dd["issue_date"] or dd["due_date"]])
            when = base_d + D(rng.randint(-10, 40))
            rr = rng.random()
            if rr < 0.15:
                when = as_of
            elif rr < 0.25:
                when = as_of + D(1)
            if kind < 0.35:
                val = A
            elif kind < 0.7:
                val = A * rng.choice([1, 1, 2, 3]) / 4
            elif kind < 0.8:
                val = A + rng.choice([1, 10, 100])  # overpayment
            else:
                val = -(A * rng.choice([1, 2]) / 2)  # reversal
            pays.append((dd["invoice"], dd["customer"] if rng.random() < 0.7 else "", when,
                         dec_str(val, dig)))
    # an explicit earlier episode: old invoice paid, then a new one overdue
    if rng.random() < 0.4:
        cid, nm, em, ccur = rng.choice(custs)
        cur = ccur[0]
        old_due = as_of - D(rng.randint(30, 120))
        paid_on = old_due + D(rng.randint(1, 25))
        a = amt(rng, cur, 60, 900)
        docs.append({"customer": cid, "customer_name": nm, "email": em, "invoice": "OLD1",
                     "issue_date": old_due - D(30), "due_date": old_due, "amount": a,
                     "currency": cur, "disputed": "", "paid_date": "", "paid_amount": "",
                     "open_amount": ""})
        pays.append(("OLD1", cid, paid_on, a))
        new_due = paid_on + D(rng.choice([0, 1, 2, -1]))
        if new_due < as_of:
            docs.append({"customer": cid, "customer_name": nm, "email": em, "invoice": "NEW1",
                         "issue_date": None, "due_date": new_due, "amount": amt(rng, cur, 60, 900),
                         "currency": cur, "disputed": "", "paid_date": "", "paid_amount": "",
                         "open_amount": ""})
    if rng.random() < 0.3:
        cid, nm, em, ccur = rng.choice(custs)
        cur = ccur[0]
        due = as_of - D(rng.randint(10, 90))
        a = amt(rng, cur, 60, 900)
        docs.append({"customer": cid, "customer_name": nm, "email": em, "invoice": "REO1",
                     "issue_date": due - D(30), "due_date": due, "amount": a,
                     "currency": cur, "disputed": rng.choice(["", "", "x"]), "paid_date": "",
                     "paid_amount": "", "open_amount": ""})
        p1 = due + D(rng.randint(-3, 20))
        p2 = p1 + D(rng.randint(0, 15))
        pays.append(("REO1", cid, p1, a))
        if p2 <= as_of + D(1):
            pays.append(("REO1", cid, p2, "-" + a))
    if rng.random() < 0.1:  # a payment before the issue date, and an undated payoff
        dd = rng.choice(docs)
        if dd["issue_date"] is not None and not dd["amount"].startswith("-"):
            pays.append((dd["invoice"], dd["customer"], dd["issue_date"] - D(rng.randint(1, 5)),
                         dd["amount"]))
    rng.shuffle(docs)
    rng.shuffle(pays)
    cols = ["customer", "customer_name", "email", "invoice", "issue_date", "due_date",
            "amount", "currency", "disputed"]
    if single_file:
        cols += ["paid_date", "paid_amount", "open_amount"]
    write_csv(os.path.join(cdir, "ref_invoices.csv"), cols,
              [[(v.isoformat() if isinstance(v, dt.date) else (v or "")) for v in
                (dd[c] for c in cols)] for dd in docs])
    write_csv(os.path.join(cdir, "ref_payments.csv"), ["invoice", "customer", "date", "amount"],
              [[i, c, w.isoformat(), v] for (i, c, w, v) in pays])
    # cobro gets the same data written the ways SPEC section 2 allows
    variant = seed % 3 == 0
    terms = variant and rng.random() < 0.5
    delim = rng.choice([",", ";", "\t"]) if variant else ","

    def vamt(v, cur):
        if not variant or not v:
            return v
        neg = v.startswith("-")
        a = v[1:] if neg else v
        ip, _, fp = a.partition(".")
        grp = "{:,}".format(int(ip)) + ("." + fp if fp else "")
        k = rng.randint(0, 5)
        if k == 0:
            t = grp
        elif k == 1:
            t = cur + " " + a
        elif k == 2 and cur == "USD":
            t = "$" + grp
        elif k == 3 and cur == "EUR":
            t = "€" + a
        else:
            t = a
        if neg:
            t = rng.choice(["-" + t, "(" + t + ")", t + "-"]) if not t[0].isalpha() else "-" + a
        return t

    def vdate(d):
        if d is None:
            return ""
        s_ = d.isoformat()
        if variant and rng.random() < 0.2:
            s_ += rng.choice(["T00:00:00", " 23:59:59", "T12:00"])
        return s_

    irows = []
    for dd in docs:
        row = []
        for c in cols:
            v = dd[c]
            if c in ("issue_date", "due_date"):
                if c == "due_date" and terms and dd["issue_date"] is not None and \
                        (dd["due_date"] - dd["issue_date"]).days == 30 and rng.random() < 0.7:
                    row.append("")
                else:
                    row.append(vdate(v))
            elif c in ("amount", "paid_amount", "open_amount"):
                row.append(vamt(v, dd["currency"]))
            elif c == "currency" and variant and v == "EUR" and rng.random() < 0.5:
                row.append("")
            elif c == "paid_date":
                row.append(vdate(dt.date.fromisoformat(v)) if v else "")
            else:
                row.append(v or "")
        irows.append(row)
    cur_of = {dd["invoice"]: dd["currency"] for dd in docs}
    write_csv(os.path.join(cdir, "invoices.csv"), cols, irows, delimiter=delim)
    with dc.csv_writer(os.path.join(cdir, "payments.csv"), delim) as w:
        w.writerow(["invoice", "customer", "date", "amount"])
        for (i, c, wd, v) in pays:
            w.writerow([i, c, vdate(wd), vamt(v, cur_of[i])])
    # disputes file
    use_disputes = rng.random() < 0.2
    if use_disputes:
        drows = []
        for dd in rng.sample(docs, min(len(docs), rng.randint(1, 4))):
            o = as_of - D(rng.randint(-3, 40))
            c = rng.choice(["", (o + D(rng.randint(0, 20))).isoformat(), as_of.isoformat()])
            if c and dt.date.fromisoformat(c) < o:
                c = ""
            drows.append([dd["invoice"], o.isoformat(), c])
            if c and rng.random() < 0.4:  # a second, later dispute of the same document
                o2 = dt.date.fromisoformat(c) + D(rng.randint(0, 10))
                drows.append([dd["invoice"], o2.isoformat(),
                              rng.choice(["", (o2 + D(rng.randint(0, 10))).isoformat()])])
        write_csv(os.path.join(cdir, "disputes.csv"), ["invoice", "opened", "closed"], drows)
    # promises file
    use_promises = rng.random() < 0.15
    if use_promises:
        prow = []
        for j in range(rng.randint(1, 3)):
            dd = rng.choice([x for x in docs if ref_dunning.pamount(x["amount"]) > 0] or docs)
            cr = as_of - D(rng.randint(0, 20))
            pr = cr + D(rng.randint(0, 25))
            scope = dd["invoice"] if rng.random() < 0.5 else ""
            prow.append(["PR%d" % j, dd["customer"], dd["currency"], cr.isoformat(),
                         pr.isoformat(), amt(rng, dd["currency"], 1, 800), scope])
        write_csv(os.path.join(cdir, "promises.csv"),
                  ["promise_id", "customer", "currency", "created", "promised_date", "amount",
                   "invoice"], prow)
    # payment plans
    use_plans = rng.random() < 0.2
    if use_plans:
        prow, pp = [], []
        for j in range(rng.randint(1, 2)):
            cid = rng.choice(custs)[0]
            first = as_of + D(rng.randint(-40, 20))
            inst = rng.choice(["100.00", "250.50", "1000"])
            ninst = rng.randint(2, 4)
            for n in range(1, ninst + 1):
                prow.append(["PL%d" % j, cid, n, (first + D(30 * (n - 1))).isoformat(), inst])
            for _ in range(rng.randint(0, 3)):
                w = first + D(rng.randint(-5, 40))
                v = ref_dunning.pamount(inst) * rng.choice([1, 1, 2, 0.5 if False else 1])
                if rng.random() < 0.15:
                    v = -v / 2
                pid = "PL%d" % j if (v < 0 or rng.random() < 0.6) else ""
                pp.append([pid, cid, w.isoformat(), ref_dunning.fmt(v, 2)])
        write_csv(os.path.join(cdir, "plans.csv"), ["plan_id", "customer", "n", "due_date", "installment"], prow)
        write_csv(os.path.join(cdir, "plan_payments.csv"), ["plan_id", "customer", "date", "amount"], pp)
    # rates calendar
    if use_calendar:
        earliest = min(dd["due_date"] for dd in docs)
        start = earliest - D(rng.choice([0, 0, -1, rng.randint(0, 400)]) - 1)
        rr = []
        f = start
        for _ in range(rng.randint(1, 4)):
            rr.append([f.isoformat(), rng.choice(["12.50", "12.25", "8", "10.15", "0"])])
            f = f + D(rng.randint(20, 200))
        write_csv(os.path.join(cdir, "rates.csv"), ["from", "annual_rate_pct"], rr)
    # min_amount: often exactly a customer's overdue total
    pol_lines = []
    min_amount = rng.choice(["0", "50", "50.00", "100", "1000"])
    pol_lines.append(f"min_amount = {min_amount}")
    pol_lines.append(f"min_interval_days = {min_interval}")
    if excl is not None:
        pol_lines.append(f"exclude_disputed = {'true' if excl else 'false'}")
    pol_lines.append("")
    pol_lines.append("[interest]")
    pol_lines.append('rates = "rates.csv"' if use_calendar else f"annual_rate_pct = {rate}")
    for lv in levels:
        pol_lines.append("")
        pol_lines.append("[[level]]")
        for k, v in lv.items():
            if k in ("name", "action", "template"):
                pol_lines.append(f'{k} = {json.dumps(v)}')
            else:
                pol_lines.append(f"{k} = {v}")
    policy_text = "\n".join(pol_lines) + "\n"
    with open(os.path.join(cdir, "policy.toml"), "w") as f:
        f.write(policy_text)
    # log
    lrows = []
    for (cid, nm, em, ccur) in custs:
        for cur in ccur:
            for _ in range(rng.choice([0, 0, 1, 2, 3])):
                when = as_of - D(rng.choice([0, 1, min_interval - 1, min_interval, min_interval + 1,
                                             rng.randint(0, 150), -1]))
                n = rng.randint(1, nlev)
                lvtxt = str(n) if rng.random() < 0.7 else levels[n - 1]["name"]
                lrows.append([when.isoformat(), cid, cur, lvtxt, "123.00"])
    if rng.random() < 0.6:
        for (cid, nm, em, ccur) in custs:
            if rng.random() < 0.5:
                continue
            cur = rng.choice(ccur)
            when = as_of - D(rng.randint(0, 120))
            for n in range(1, rng.randint(1, nlev) + 1):
                lvtxt = str(n) if rng.random() < 0.7 else levels[n - 1]["name"]
                lrows.append([when.isoformat(), cid, cur, lvtxt, "9.99"])
                when += D(rng.choice([0, min_interval, min_interval + 1, 5, 20]))
                if when > as_of:
                    break
    rng.shuffle(lrows)
    with open(os.path.join(cdir, "log.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["date", "customer", "currency", "level", "amount"])
        for r in lrows:
            w.writerow(r)
    return {"as_of": as_of.isoformat(), "disputes": use_disputes, "promises": use_promises,
            "terms": terms,
            "plans": use_plans,
            "min_amount_pick": rng.random() < 0.4, "rng": rng}


def run_cobro(cdir, as_of, extra, binpath):
    fmt = [] if "-f" in extra else ["-f", "json"]
    cmd = [binpath, "dunning", "invoices.csv", "--payments", "payments.csv",
           "--policy", "policy.toml", "--as-of", as_of] + fmt + extra
    p = dc.run(cmd, cwd=cdir, timeout=120)  # under nice -n 19
    return p.returncode, p.stdout, p.stderr


def ref_args(cdir, as_of, log, record, info):
    a = [os.path.join(cdir, "ref_invoices.csv"), "--payments", os.path.join(cdir, "ref_payments.csv"),
         "--policy", os.path.join(cdir, "policy.toml"), "--as-of", as_of]
    if log:
        a += ["--log", os.path.join(cdir, log)]
    if record:
        a.append("--record")
    if info["disputes"]:
        a += ["--disputes", os.path.join(cdir, "disputes.csv")]
    if info["promises"]:
        a += ["--promises", os.path.join(cdir, "promises.csv")]
    if info["plans"]:
        a += ["--plans", os.path.join(cdir, "plans.csv"), "--plan-payments",
              os.path.join(cdir, "plan_payments.csv")]
    return a


FIELDS = ["customer", "customer_name", "email", "currency", "level", "level_name", "action",
          "invoices", "overdue", "interest", "fees", "total_due", "max_days_past_due"]
TEXT = {"customer", "customer_name", "email", "currency", "level_name", "action", "invoices"}


def expected_csv(rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(FIELDS)
    for r in rows:
        cells = []
        for f in FIELDS:
            v = r[f]
            if v is None:
                v = ""
            elif f == "invoices":
                v = " ".join(v)
            if f in TEXT:
                v = dc.formula_guard(v)
            cells.append(v)
        w.writerow(cells)
    return buf.getvalue()


def norm_rows(rows):
    out = []
    for r in rows:
        out.append({k: (v if not isinstance(v, (int,)) else str(v)) for k, v in r.items()})
    return out


def compare(ref, rc, out, err, tag):
    diffs = []
    if ref["exit"] != rc:
        diffs.append(f"{tag}: exit ref={ref['exit']} ({ref.get('error')}) cobro={rc} ({err.strip()[:300]})")
        return diffs
    if rc != 0:
        return diffs
    try:
        j = dc.json_text(out)
    except Exception as e:  # noqa: BLE001
        return [f"{tag}: cobro JSON unreadable: {e}"]
    if j.get("command") != "dunning" or j.get("as_of") != ref["as_of"]:
        diffs.append(f"{tag}: header command/as_of {j.get('command')} {j.get('as_of')}")
    if j.get("totals") not in ([], None):
        diffs.append(f"{tag}: totals {j.get('totals')}")
    cr = {(r["customer"], r["currency"]): r for r in j["rows"]}
    rr = {(r["customer"], r["currency"]): r for r in ref["rows"]}
    if [(r["customer"], r["currency"]) for r in j["rows"]] != [(r["customer"], r["currency"]) for r in ref["rows"]]:
        diffs.append(f"{tag}: row keys cobro={list(cr)} ref={list(rr)}")
    for k in rr:
        if k not in cr:
            continue
        for f in rr[k]:
            if cr[k].get(f) != rr[k][f]:
                diffs.append(f"{tag}: {k} {f}: cobro={cr[k].get(f)!r} ref={rr[k][f]!r}")
        extra = set(cr[k]) - set(rr[k])
        if extra:
            diffs.append(f"{tag}: {k} extra fields {extra}")
    return diffs


def one_case(seed, binpath, keep):
    cdir = os.path.join(CASES, str(seed))
    shutil.rmtree(cdir, ignore_errors=True)
    os.makedirs(cdir)
    info = gen_case(seed, cdir)
    as_of = info["as_of"]
    # optionally rewrite min_amount to exactly one customer's overdue total (or +/- 1 unit)
    if info["min_amount_pick"]:
        base = ref_dunning.main(ref_args(cdir, as_of, None, False, info))
        if base["exit"] == 0 and base["rows"]:
            r = info["rng"].choice(base["rows"])
            v = r["overdue"]
            dig = ref_dunning.minor(r["currency"])
            delta = info["rng"].choice([0, 0, 1, -1])
            val = ref_dunning.pamount(v) + ref_dunning.Fraction(delta, 10 ** dig)
            p = os.path.join(cdir, "policy.toml")
            txt = open(p).read().split("\n")
            txt[0] = "min_amount = " + ref_dunning.fmt(val, dig)
            open(p, "w").write("\n".join(txt))
    # log entries right at the current episode's start (start-1, start, start+1)
    rng = info["rng"]
    if rng.random() < 0.5:
        ns = argparse.Namespace(invoices=os.path.join(cdir, "ref_invoices.csv"),
                                payments=os.path.join(cdir, "ref_payments.csv"),
                                disputes=os.path.join(cdir, "disputes.csv") if info["disputes"] else None)
        aod = dt.date.fromisoformat(as_of)
        try:
            docs, _ = ref_dunning.load(ns, aod)
        except ref_dunning.RefError:
            docs = []
        keys = sorted({(d.customer, d.currency) for d in docs})
        nlv = len(ref_dunning.load_policy(os.path.join(cdir, "policy.toml"))["levels"])
        add = []
        for key in keys:
            cd = [d for d in docs if (d.customer, d.currency) == key]
            st = ref_dunning.episode_start(cd, aod)
            if st is None or rng.random() < 0.3:
                continue
            for off in rng.sample([-1, 0, 1, -2], rng.randint(1, 2)):
                add.append([(st + D(off)).isoformat(), key[0], key[1], str(rng.randint(1, nlv)), "1.00"])
        if add:
            with open(os.path.join(cdir, "log.csv"), "a", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                for r in add:
                    w.writerow(r)
    extra = ["--log", "log.csv", "--record"] + (["--terms", "30"] if info["terms"] else [])
    if info["disputes"]:
        extra += ["--disputes", "disputes.csv"]
    if info["promises"]:
        extra += ["--promises", "promises.csv"]
    if info["plans"]:
        extra += ["--plans", "plans.csv", "--plan-payments", "plan_payments.csv"]
    shutil.copy(os.path.join(cdir, "log.csv"), os.path.join(cdir, "log.orig.csv"))
    del ref_dunning.SKIPPED[:]
    ref1 = ref_dunning.main(ref_args(cdir, as_of, "log.orig.csv", True, info))
    STATS["paused"] = STATS.get("paused", 0) + len(ref_dunning.SKIPPED)
    # run0: CSV output, no --record (log untouched)
    extra0 = [x for x in extra if x != "--record"] + ["-f", "csv"]
    rc0, out0, err0 = run_cobro(cdir, as_of, extra0, binpath)
    diffs0 = []
    if rc0 != ref1["exit"]:
        diffs0.append(f"run0 csv: exit {rc0} vs {ref1['exit']}")
    elif rc0 == 0:
        exp = expected_csv(ref1["rows"])
        if out0 != exp:
            diffs0.append(f"run0 csv differs\n--- expected\n{exp}--- cobro\n{out0}")
    if open(os.path.join(cdir, "log.csv")).read() != open(os.path.join(cdir, "log.orig.csv")).read():
        diffs0.append("run0: a run without --record changed the log")
    STATS["exit%d" % ref1["exit"]] = STATS.get("exit%d" % ref1["exit"], 0) + 1
    for r in ref1.get("rows", []):
        STATS["rows"] = STATS.get("rows", 0) + 1
        STATS["L" + r["level"]] = STATS.get("L" + r["level"], 0) + 1
    rc, out, err = run_cobro(cdir, as_of, extra, binpath)
    diffs = diffs0 + compare(ref1, rc, out, err, "run1")
    orig = open(os.path.join(cdir, "log.orig.csv")).read()
    got_log = open(os.path.join(cdir, "log.csv")).read()
    if ref1["exit"] == 0:
        exp_log = orig + "".join(",".join(r) + "\n" for r in ref1["log_append"])
        if got_log != exp_log:
            diffs.append(f"run1: log differs\n--- expected\n{exp_log}--- cobro\n{got_log}")
        # second run the same day: appends nothing, and the reference (fed the expected
        # log) says which rows remain
        with open(os.path.join(cdir, "log.expected.csv"), "w") as f:
            f.write(exp_log)
        ref2 = ref_dunning.main(ref_args(cdir, as_of, "log.expected.csv", True, info))
        if ref2["exit"] == 0 and ref2["log_append"]:
            diffs.append(f"ref2 would append {ref2['log_append']} (reference bug)")
        before = open(os.path.join(cdir, "log.csv")).read()
        rc2, out2, err2 = run_cobro(cdir, as_of, extra, binpath)
        diffs += compare(ref2, rc2, out2, err2, "run2")
        after = open(os.path.join(cdir, "log.csv")).read()
        if after != before:
            diffs.append("run2: second --record changed the log")
    else:
        if got_log != orig:
            diffs.append("run1: failing run changed the log")
    if diffs:
        with open(os.path.join(cdir, "DIFF.txt"), "w") as f:
            f.write("\n".join(diffs) + "\n")
    elif not keep:
        shutil.rmtree(cdir)
    return diffs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="1:300")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--bin", default=BIN)
    ap.add_argument("-q", action="store_true")
    a = ap.parse_args()
    lo, hi = map(int, a.seeds.split(":"))
    bad = 0
    for s in range(lo, hi):
        d = one_case(s, a.bin, a.keep)
        if d:
            bad += 1
            if not a.q:
                print(f"seed {s}:")
                for x in d[:8]:
                    print("   ", x)
    print(f"{hi - lo} cases, {bad} with differences; stats {STATS}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
