#!/usr/bin/env python3
"""Differential test of `cobro age -f json` and `cobro segment -f json` against
tests/reference/age_segment.py (an independent reading of SPEC.md and docs/).

Python 3 standard library only. Seeded random small ledgers rich in edges: 1-6 customers
in EUR/USD/JPY/KWD, credit notes, zero and huge amounts, amounts with one decimal more
than the currency has, documents without issue date or issued after the as-of date, due
dates on bucket boundaries, month ends and 29 February, partial payments, overpayments,
reversals, payments before the issue date and after the as-of date, single-file exports
(paid_date / paid_amount / open_amount), customer names missing on some rows, disputes
files (reopened, closed on the as-of date), promises files (segment), --fx/--base, bad
rows strict and with --skip-bad-rows. age: --buckets (usage errors included), --basis,
--by (customer, none, region, several columns), --detail. segment: --lookback, --grace,
random --rules files, --segment, --top, --summary (with --top). cobro reads the same data
in another input form (header aliases, --map, delimiter, --decimal-comma, --date-format,
BOM, CRLF) while the reference reads the canonical copy in KEEP/<seed>-<k>/ref/. Every
field is compared as the text of the JSON numbers, plus the exit codes.

Run it from the repository root after `cargo build`:
  nice -n 19 python3 tests/reference/diff_age_segment.py --cases 3000 --seed 101
        [--cobro BIN] [--keep /tmp/cobro-age-diff] [--one K] [--only age|segment]
The binary defaults to $COBRO_BIN, else $CARGO_TARGET_DIR/debug/cobro, else
target/debug/cobro (--bin is the same flag as --cobro). Case k uses
random.Random(seed * 1000003 + k). A failing case is kept in KEEP/<seed>-<k>/ (cobro's
files, ref/ with the canonical ones, cmd.txt, diffs.txt, cobro.json, ref.json); passing
cases are deleted.

The ledger generator shares its pieces with diff_kpi.py (diffcommon.py).

History: `age --detail` once printed each row's own customer_name (empty where the
document's cell was), and `segment --summary` once added up every row whatever --top;
both now follow docs/age.md and docs/segment.md.
"""
import datetime as dt
import json
import os
import random
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import age_segment as ref  # noqa: E402
import diffcommon as dc  # noqa: E402

D = dt.timedelta
STATS = {}
FEATS = ref.FEATURES


def q(cur):
    return Decimal(1).scaleb(-ref.MINOR.get(cur, 2))


def amt(r, cur, lo, hi):
    digits = ref.MINOR.get(cur, 2)
    if r.random() < 0.02:  # huge, or with many decimals (exactness, packed balances)
        return r.choice([Decimal(r.randint(10 ** 15, 10 ** 18 - 1)) + Decimal("0.99"),
                         Decimal(r.randint(lo, hi)) + Decimal(r.randint(1, 10 ** 9)).scaleb(-10),
                         Decimal("-0.00"), Decimal("0.000"), Decimal("2882303761517117.44")])
    if cur == "JPY":
        lo, hi = lo * 100, hi * 100
    v = Decimal(r.randint(lo * 10 ** digits, hi * 10 ** digits)).scaleb(-digits)
    if r.random() < 0.06:  # one decimal more than the currency has: a rounding half
        v += Decimal(5).scaleb(-digits - 1) * r.choice([1, -1])
    return v


f = dc.fmt


def fancy(r, v):
    """Amount text in one of the SPEC 2 forms."""
    if r.random() > 0.12:
        return f(v)
    a = abs(v)
    s = "{:,}".format(a) if r.random() < 0.5 else f(a)
    if v < 0:
        return r.choice(["(%s)" % s, "%s-" % s, "-" + s])
    return r.choice([s, "EUR " + s, "€" + s, "$" + s])


def rand_expr(r, depth=0):
    x = r.random()
    if depth < 2 and x < 0.25:
        return "%s %s %s" % (rand_expr(r, depth + 1), r.choice(["and", "or"]),
                             rand_expr(r, depth + 1))
    if depth < 2 and x < 0.32:
        return "not " + rand_expr(r, depth + 1)
    if depth < 2 and x < 0.4:
        return "(" + rand_expr(r, depth + 1) + ")"
    feat = r.choice(FEATS)
    op = r.choice(["<", "<=", ">", ">=", "==", "!="])
    num = r.choice(["0", "1", "2", "3", "5", "10", "30", "50", "60", "90", "100",
                    "33.33", "50.00", "0.5", "1000", "2.5", "-10", ".5", "-0.5",
                    "66.66666", "10.005"])
    y = r.random()
    if y < 0.15:
        return "%s %s %s" % (feat, op, r.choice(FEATS))
    if y < 0.25:
        return "%s %s %s" % (num, op, feat)
    if y < 0.28:
        return "true"
    return "%s %s %s" % (feat, op, num)


def rules_file(r):
    n = r.randint(1, 4)
    rules = []
    for i in range(n):
        rules.append(("s%d" % (i + 1), rand_expr(r), "act %d \\\"q\\\"" % (i + 1)))
    if r.random() < 0.6:
        rules.append(("rest", "true", "standard"))
    out = []
    for (nm, w, a) in rules:
        out.append('[[segment]]\nname = "%s"\nwhen = "%s"\naction = "%s"\n' % (nm, w, a))
    return "\n".join(out), [x[0] for x in rules]


def gen(r):
    as_of = r.choice([dt.date(2025, 6, 30), dt.date(2024, 2, 29), dt.date(2024, 3, 31),
                      dt.date(2025, 3, 31), dt.date(2024, 12, 31), dt.date(2025, 2, 28),
                      dt.date(2024, 3, 1), dt.date(2025, 5, 31),
                      dt.date(2025, 1, 1) + D(days=r.randint(-400, 200))])
    cmd = r.choice(["age", "age", "segment"])
    c = {"cmd": cmd, "as_of": as_of, "flags": [], "files": {}}
    fl = c["flags"]
    bounds = [30, 60, 90, 120]
    if cmd == "age":
        x = r.random()
        if x < 0.55:
            pass
        elif x < 0.9:
            bounds = r.choice([[15, 45], [1], [30], [7, 14, 21], [10, 20, 40, 80, 160],
                               [29, 31], [365], [30, 60, 90, 120]])
            fl += ["--buckets", ",".join(map(str, bounds))]
        else:
            fl += ["--buckets", r.choice(["0,30", "30,30", "60,30", "30,x", "-5,10",
                                          "30,", "", "30.5"])]
        if r.random() < 0.15:
            fl += ["--basis", "issue"]
            c["basis"] = "issue"
        elif r.random() < 0.1:
            fl += ["--basis", "due"]
        by = dc.threshold_choice(r.random(), [
            (0.45, None), (0.55, "customer"), (0.7, "none"), (0.82, "region"),
            (0.9, "customer,region"), (0.95, "region,customer_name"), (0.97, "currency")],
            "nosuchcol")
        if by is not None:
            fl += ["--by", by]
        if r.random() < 0.25:
            fl += ["--detail"]
    else:
        lb = r.choice([None, None, 30, 90, 1, 400, 60, 0])
        if lb is not None:
            fl += ["--lookback", str(lb)]
        g = r.choice([None, None, 0, 1, 5, 30])
        if g is not None:
            fl += ["--grace", str(g)]
        names = ["critical", "high", "medium", "low"]
        if r.random() < 0.25:
            text, names = rules_file(r)
            c["files"]["rules.toml"] = text
            fl += ["--rules", "@rules.toml"]
        if r.random() < 0.15:
            fl += ["--segment", r.choice(names + ["nosuch"])]
        if r.random() < 0.15:
            fl += ["--top", str(r.randint(0, 5))]
        if r.random() < 0.15:
            fl += ["--summary"]
    terms = r.choice([None] * 6 + [0, 14, 30])
    if terms is not None:
        fl += ["--terms", str(terms)]
    defcur = None
    if r.random() < 0.1:
        defcur = r.choice(["USD", "JPY", "KWD", "EUR"])
        fl += ["--currency", defcur]
    sf = r.random() < 0.2
    # key days
    keys = {as_of, as_of - D(1), as_of + D(1), dt.date(2024, 2, 29), dt.date(2024, 2, 28),
            dt.date(2024, 3, 1), dt.date(2025, 2, 28), dt.date(2025, 3, 1)}
    if cmd == "segment":  # lookback boundaries
        lbv = int(fl[fl.index("--lookback") + 1]) if "--lookback" in fl else 365
        for x in (lbv - 1, lbv, lbv + 1):
            keys.add(as_of - D(x))
    for b in bounds + [0]:
        keys.add(as_of - D(b))
        keys.add(as_of - D(b + 1))
        keys.add(as_of - D(b - 1))
    dc.month_keys(keys, as_of - D(400), as_of + D(40))
    keys = sorted(k for k in keys if as_of - D(500) <= k <= as_of + D(60))
    pick_day = dc.day_picker(r, keys, as_of)

    ncust = r.randint(1, 6)
    custs = []
    cids = ["C1", "C2", "C10", "c2", "_x", "B", "Ñu", "C9"]
    r.shuffle(cids)
    for i in range(ncust):
        curs = r.sample(["EUR", "USD", "JPY", "KWD"], r.choice([1, 1, 1, 2]))
        custs.append((cids[i], curs, r.choice(["N", "S", ""])))
    has_names = r.random() < 0.8
    ndocs = r.randint(1, 30)
    invs, pays = [], []
    for n in range(ndocs):
        cu, curs, region = r.choice(custs)
        cur = r.choice(curs)
        # due dates on key days: bucket boundaries, month ends...
        issue, due, _ = dc.doc_dates(r, as_of, keys, pick_day, p_after=0.08, p_key_due=0.35,
                                     p_due_before=0.02)
        no_issue = r.random() < 0.08
        a = dc.doc_amount(r, cur, amt, p_credit=0.15, p_zero=0.19)
        inv_id = "I%d" % (n + 1)
        row = {"customer": cu,
               "customer_name": r.choice(["", "Name " + cu, "Name " + cu]) if has_names else "",
               "invoice": inv_id,
               "issue_date": "" if no_issue else issue.isoformat(),
               "due_date": due.isoformat(), "amount": fancy(r, a), "currency": cur,
               "disputed": r.choice(["", "", "", "", "yes", "x", "false", "Sí", "NO",
                                     "TRUE", "1", "0"]),
               "region": region}
        if defcur and r.random() < 0.4:
            row["currency"] = ""
            cur = defcur
        invs.append(row)
        if terms is not None and not no_issue and r.random() < 0.5:
            row["due_date"] = ""
            due = issue + D(terms)
        if sf and dc.single_file_cells(r, row, a, cur, due, pick_day, amt, q(cur), f) \
                and r.random() < 0.7:
            continue
        pat = r.random()
        if a > 0:
            plist = dc.positive_payments(r, pat, a, cur, due, issue, pick_day, amt, q(cur),
                                         on_time=(as_of, as_of + D(1)))
        elif a < 0:
            plist = []
            if pat < 0.4:
                plist.append((pick_day(due), a))  # refund of the credit note
            elif pat < 0.55:
                plist.append((pick_day(due), (a / 2).quantize(q(cur))))
            elif pat < 0.62:
                plist.append((pick_day(due), -a))  # wrong-sign
        else:
            plist = dc.zero_payments(r, pat, cur, due, pick_day, amt)
        for (pd, pa) in plist:
            pays.append({"invoice": inv_id, "date": pd.isoformat(), "amount": fancy(r, pa),
                         "customer": cu})
    r.shuffle(pays)
    # bad rows
    if r.random() < 0.06:
        kind = r.choice(["unknown", "dup", "badamt", "custdiff"])
        if kind == "unknown":
            pays.append({"invoice": "NOPE", "date": as_of.isoformat(), "amount": "1.00",
                         "customer": custs[0][0]})
        elif kind == "dup" and invs:
            invs.append(dict(invs[0]))
        elif kind == "badamt" and invs:
            bad = dict(invs[0])
            bad["invoice"] = "BAD1"
            bad["amount"] = "12.5kg"
            invs.append(bad)
        elif kind == "custdiff" and invs:
            pays.append({"invoice": invs[0]["invoice"], "date": as_of.isoformat(),
                         "amount": "1.00", "customer": "OTHER"})
            c["pay_customer_col"] = True
        if r.random() < 0.5:
            fl += ["--skip-bad-rows"]
    c["pay_customer_col"] = c.get("pay_customer_col") or r.random() < 0.3
    c["invoices"], c["payments"], c["sf"] = invs, pays, sf
    c["has_names_col"] = has_names or r.random() < 0.5
    # disputes file
    if r.random() < 0.2 and invs:
        drows = []
        for row in r.sample(invs, min(len(invs), r.randint(1, 3))):
            o = pick_day()
            cl = r.choice(["", (o + D(r.randint(0, 40))).isoformat(), as_of.isoformat(),
                           (as_of + D(1)).isoformat()])
            if cl and cl < o.isoformat():
                cl = ""
            drows.append({"invoice": row["invoice"], "opened": o.isoformat(), "closed": cl})
            if cl and r.random() < 0.3:  # reopened the day it closed, or closed same day
                o2 = dt.date.fromisoformat(cl) + D(r.choice([0, 0, 1]))
                drows.append({"invoice": row["invoice"], "opened": o2.isoformat(),
                              "closed": r.choice(["", o2.isoformat(),
                                                  (o2 + D(5)).isoformat()])})
        c["disputes"] = drows
        fl += ["--disputes", "@disputes.csv"]
    # promises (segment)
    if cmd == "segment" and r.random() < 0.45 and invs:
        prows = []
        byc = {}
        for row in invs:
            byc.setdefault((row["customer"], row["currency"] or defcur or "EUR"), []).append(row)
        ks = sorted(byc)
        for i in range(r.randint(1, 6)):
            (cu, cur) = r.choice(ks)
            mine = byc[(cu, cur)]
            pos = [x["invoice"] for x in mine
                   if not x["amount"].lstrip().startswith(("-", "(")) and
                   not x["amount"].rstrip().endswith("-")]
            created = pick_day()
            promised = created + D(r.choice([0, 0, 1, 3, 7, 14, 30]))
            amount = amt(r, cur, 5, 800)
            if r.random() < 0.3 and mine:  # promise the open amount of an invoice
                try:
                    amount = ref.pamount(r.choice(mine)["amount"]).copy_abs() or amount
                except ref.RefError:
                    pass
            ids = {x["invoice"] for x in mine}
            mp = [pp for pp in pays if pp["invoice"] in ids]
            if mp and r.random() < 0.5:  # a promise around a real payment
                pp = r.choice(mp)
                pd = dt.date.fromisoformat(pp["date"])
                created = pd - D(r.choice([0, 1, 5, 20]))
                promised = created + D(r.choice([0, 1, 3, 7, 14]))
                try:
                    pa = ref.pamount(pp["amount"])
                    if pa > 0:
                        amount = r.choice([pa, pa, pa / 2, pa + 1]).quantize(q(cur))
                except ref.RefError:
                    pass
            scope = ""
            y = r.random()
            if y < 0.35 and pos:
                scope = r.choice(pos)
            elif y < 0.5 and len(pos) >= 2:
                scope = " ".join(r.sample(pos, 2))
            elif y < 0.53 and pos:
                scope = pos[0] + " " + pos[0]
            pr = {"customer": cu, "created": created.isoformat(),
                  "promised_date": promised.isoformat(), "amount": f(amount),
                  "currency": cur if (r.random() < 0.7 or defcur or
                                      (cur != "EUR" and not scope)) else "",
                  "invoice": scope, "promise_id": r.choice(["", "P%d" % (10 - i), "X%d" % i]),
                  "note": r.choice(["", "called"])}
            if r.random() < 0.04:  # a bad row
                z = r.choice(["neg", "date", "unk", "dupid"])
                if z == "neg":
                    pr["amount"] = "0"
                elif z == "date":
                    pr["promised_date"] = (created - D(1)).isoformat()
                elif z == "unk":
                    pr["customer"] = "NOBODY"
                elif prows:
                    pr["promise_id"] = prows[0]["promise_id"] or "P2"
            prows.append(pr)
        c["promises"] = prows
        fl += ["--promises", "@promises.csv"]
        if r.random() < 0.4:
            fl += ["--tolerance", str(r.choice([0, 1, 3, 10]))]
    # fx
    if r.random() < 0.07:
        base = r.choice(["EUR", "USD", "KWD", "JPY"])
        rates = {"EUR": "1.0834", "USD": "0.92", "JPY": "0.0061", "KWD": "3.005"}
        del rates[base]
        c["files"]["fx.csv"] = "currency,rate\n" + "".join(
            "%s,%s\n" % kv for kv in rates.items())
        fl += ["--fx", "@fx.csv", "--base", base]
    c["form"], c["form_flags"] = gen_form(r)
    return c


ALIASES = {  # canonical field -> headers cobro should read as it (SPEC 2, docs/input.md)
    "customer": ["Cliente", "Deudor", "CUSTOMER", "Customer"],
    "invoice": ["Factura", "Document Number", "Invoice"],
    "due_date": ["Vencimiento", "Net due date", "Due Date"],
    "amount": ["Importe", "Monto", "Amount"],
    "currency": ["Currency", "Moneda"],
}


def conv_amount(text, dec_comma):
    """Rewrite a canonical amount cell for --decimal-comma (1,234.56 -> 1.234,56)."""
    if not dec_comma:
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def conv_date(text, datefmt):
    if not datefmt or not text:
        return text
    return dt.date.fromisoformat(text).strftime(datefmt)


def write(d, c):
    """Canonical files in d/ref/ (read by the reference); the files cobro reads in d/,
    in the input form c["form"] (aliases, --map, delimiter, decimal comma, date format,
    BOM, CRLF)."""
    os.makedirs(os.path.join(d, "ref"), exist_ok=True)
    ih = ["customer"] + (["customer_name"] if c["has_names_col"] else []) + [
        "invoice", "issue_date", "due_date", "amount", "currency", "disputed", "region"]
    if c["sf"]:
        ih += ["paid_date", "paid_amount", "open_amount"]
    ph = ["invoice", "date", "amount"] + (["customer"] if c["pay_customer_col"] else [])
    files = [("invoices.csv", ih, c["invoices"]), ("payments.csv", ph, c["payments"])]
    if c.get("disputes") is not None:
        files.append(("disputes.csv", ["invoice", "opened", "closed"], c["disputes"]))
    if c.get("promises") is not None:
        files.append(("promises.csv", ["promise_id", "customer", "created", "promised_date",
                                       "amount", "currency", "invoice", "note"],
                      c["promises"]))
    form = c.get("form", {})
    for name, hdr, rows in files:
        dc.write_csv(os.path.join(d, "ref", name), hdr, rows, extra="ignore")
        hmap = form.get("headers", {}) if name == "invoices.csv" else {}
        chdr = [hmap.get(h, h) for h in hdr]
        crow = []
        for row in rows:
            nr = {}
            for h in hdr:
                v = row.get(h, "")
                if h in ("amount", "paid_amount", "open_amount"):
                    v = conv_amount(v, form.get("dec_comma"))
                if h in ("issue_date", "due_date", "paid_date", "date", "opened", "closed",
                         "created", "promised_date"):
                    v = conv_date(v, form.get("datefmt"))
                nr[hmap.get(h, h)] = v
            crow.append(nr)
        dc.write_csv(os.path.join(d, name), chdr, crow, form.get("delim", ","),
                     form.get("bom", False), form.get("crlf", False), extra="ignore")
    for name, text in c["files"].items():
        for dd in (d, os.path.join(d, "ref")):
            with open(os.path.join(dd, name), "w") as fh:
                fh.write(text)


def gen_form(r):
    """How cobro's copy of the input is written (the reference reads the canonical one)."""
    form, flags = {}, []
    if r.random() < 0.15:
        hm = {}
        for fld, al in ALIASES.items():
            if r.random() < 0.6:
                hm[fld] = r.choice(al)
        if r.random() < 0.3:
            hm["amount"] = "Importe total (EUR)"
            flags += ["--map", "amount=Importe total (EUR)"]
        form["headers"] = hm
    if r.random() < 0.1:
        form["dec_comma"] = True
        form["delim"] = ";"
        flags += ["--decimal-comma"]
    elif r.random() < 0.08:
        form["delim"] = r.choice([";", "\t"])
        if r.random() < 0.5:
            flags += ["--delimiter", "tab" if form["delim"] == "\t" else ";"]
    if r.random() < 0.1:
        fmt = r.choice(["%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d"])
        form["datefmt"] = fmt
        flags += ["--date-format", fmt]
    form["bom"] = r.random() < 0.1
    form["crlf"] = r.random() < 0.1
    return form, flags


def argv_for(d, c):
    """(cobro argv, reference argv)"""
    out = []
    for base, extra in ((d, c.get("form_flags", [])), (os.path.join(d, "ref"), [])):
        a = [c["cmd"], os.path.join(base, "invoices.csv"), "--payments",
             os.path.join(base, "payments.csv"), "--as-of", c["as_of"].isoformat()]
        for x in c["flags"]:
            a.append(os.path.join(base, x[1:]) if x.startswith("@") else x)
        out.append(a + extra)
    return out


def compare(want, got):
    diffs = []
    for k in ("command", "as_of"):
        if want[k] != got.get(k):
            diffs.append(("header", k, want[k], got.get(k)))
    for k, v in want["params"].items():
        gv = got.get("params", {}).get(k, "<missing>")
        if k in ("rules", "promises") and v is not None and isinstance(gv, str):
            continue
        if gv != v:
            diffs.append(("params", k, v, gv))
    return diffs + dc.compare_parts(want, got, lambda wr: (
        tuple(wr.get(x) for x in ("customer", "invoice", "currency") if x in wr),))


def run_case(binary, k, seed, keep, only=None):
    r = random.Random(seed * 1000003 + k)
    c = gen(r)
    if only and c["cmd"] != only:
        return c, None, None
    d = os.path.join(keep, "%d-%d" % (seed, k))
    write(d, c)
    a, ra = argv_for(d, c)
    p = dc.run([binary] + a + ["-f", "json"])
    code, out = ref.run(ra)
    STATS[(c["cmd"], p.returncode)] = STATS.get((c["cmd"], p.returncode), 0) + 1
    if p.returncode == 0:
        try:
            nrows = len(json.loads(p.stdout)["rows"])
        except Exception:
            nrows = -1
        STATS[(c["cmd"], "rows")] = STATS.get((c["cmd"], "rows"), 0) + nrows
        if nrows > 0:
            for row in json.loads(p.stdout)["rows"]:
                for k in ("open_promises", "broken_promises", "kept_promises"):
                    if row.get(k):
                        STATS[(c["cmd"], k)] = STATS.get((c["cmd"], k), 0) + 1
    diffs = []
    if code != 0 or p.returncode != 0:
        if code != p.returncode:
            diffs.append(("exit", "ref", code, out[:200], "cobro", p.returncode,
                          p.stderr.strip()[:400]))
    else:
        want = dc.json_text(out)
        got = dc.json_text(p.stdout)
        diffs = compare(want, got)
    dc.keep_case(d, binary + " " + " ".join("'%s'" % x for x in a) + " -f json\n", diffs,
                 p.stdout, p.stderr, out)
    return c, a, diffs


def main():
    ap = dc.case_parser("cobro age/segment vs age_segment.py", "/tmp/cobro-age-diff",
                        dc.default_bin("COBRO_BIN"))
    ap.add_argument("--only", choices=["age", "segment"])
    a = ap.parse_args()
    ks = dc.case_numbers(a)
    nfail = nrun = 0
    kinds = {}
    codes = {}
    for k in ks:
        c, args, diffs = run_case(a.cobro, k, a.seed, a.keep, a.only)
        if diffs is None:
            continue
        nrun += 1
        if diffs:
            nfail += 1
            fields = sorted({"%s.%s" % (c["cmd"], x[3] if x[0] in ("rows", "totals") and len(x) == 6
                                        else x[0] + ("" if x[0] != "exit" else "%s/%s" % (x[2], x[5])))
                             for x in diffs})
            dc.note_failure(kinds, k, fields, "FAIL case %d %s: %d diffs, %s" % (
                k, c["cmd"], len(diffs), fields))
    print("cases %d seed %d failures %d" % (nrun, a.seed, nfail))
    print("  stats (command, exit code) -> cases; (command, 'rows') -> rows compared:",
          sorted(STATS.items(), key=str))
    dc.print_kinds(kinds)


if __name__ == "__main__":
    main()
