#!/usr/bin/env python3
"""Independent reference of `cobro dunning` (SPEC.md section 4, with sections 1-3).

Python 3 stdlib only.  Money is decimal.Decimal / fractions.Fraction, never float;
every printed number is rounded once, half away from zero (SPEC section 3), except
the per-invoice interest which dunning itself rounds to the minor unit before summing.
Minor units, dates, CSV reading and a promise's invoice list come from refcommon.py.

Usage:
  python3 tests/reference/dunning.py INVOICES [--payments F] --policy P [--log F]
      [--record] [--disputes F] [--promises F] [--tolerance N]
      [--plans F --plan-payments F] --as-of DATE

Prints a JSON object {"command","as_of","rows":[...], "log_append":[...],
"exit": code, "error": msg}.  Numbers are emitted as JSON text exactly as the SPEC
wants them printed (e.g. 1500.50, 16, 1.235).  With --record the lines to append to
the log are in "log_append" (the reference never writes any file).
"""
import argparse
import datetime as dt
import json
import os
import sys
import tomllib
from decimal import Decimal
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refcommon as rc  # noqa: E402

MINOR = rc.MINOR
minor = rc.minor


SKIPPED = []  # (customer, currency) paused by a promise or an on-track plan (stats only)


class RefError(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code


def round_half_away(x, digits):
    """Fraction -> Fraction rounded half away from zero to `digits` decimals."""
    x = Fraction(x)
    scale = 10 ** digits
    a = abs(x) * scale
    q, r = divmod(a.numerator, a.denominator)
    if 2 * r >= a.denominator:
        q += 1
    q = Fraction(q, scale)
    return -q if x < 0 else q


def fmt(x, digits):
    x = round_half_away(x, digits)
    neg = x < 0
    n = abs(x) * 10 ** digits
    assert n.denominator == 1
    s = str(n.numerator)
    if digits:
        s = s.rjust(digits + 1, "0")
        s = s[:-digits] + "." + s[-digits:]
    if s.strip("0.") == "":
        neg = False
    return ("-" if neg else "") + s


def money(x, cur):
    return fmt(x, minor(cur))


pdate = rc.date


def pamount(s):
    return Fraction(Decimal(s.strip()))


read_csv = rc.read_csv


class Doc:
    def __init__(self, row, line):
        self.customer = row["customer"].strip()
        self.name = (row.get("customer_name") or "").strip()
        self.email = (row.get("email") or "").strip()
        self.id = row["invoice"].strip()
        self.issue = pdate(row.get("issue_date"))
        self.due = pdate(row["due_date"])
        self.amount = pamount(row["amount"])
        self.currency = (row.get("currency") or "").strip() or "EUR"
        self.disputed_col = rc.truthy(row.get("disputed"))
        self.line = line
        self.payments = []  # (date or None, Fraction)
        self.disputes = None  # list of (opened, closed) when the disputes file names it

    def exists(self, d):
        return self.issue is None or self.issue <= d

    def open_at(self, d):
        return self.amount - sum((a for (pd, a, _) in self.payments if pd is None or pd <= d),
                                 Fraction(0))

    def in_dispute(self, d):
        if not self.exists(d):
            return False
        if self.disputes is not None:
            return any(o <= d and (c is None or c > d) for (o, c) in self.disputes)
        return self.disputed_col


def load(args, as_of):
    docs = {}
    order = []
    for i, row in enumerate(read_csv(args.invoices), start=2):
        d = Doc(row, i)
        if d.id in docs:
            raise RefError(1, "duplicate invoice")
        docs[d.id] = d
        order.append(d)
        pd_ = pdate(row.get("paid_date"))
        if pd_ is not None:
            pa = (row.get("paid_amount") or "").strip()
            d.payments.append((pd_, pamount(pa) if pa else d.amount, -10 ** 9 + i))
        elif (row.get("open_amount") or "").strip():
            d.payments.append((None, d.amount - pamount(row["open_amount"]), -10 ** 9 + i))
    if args.payments:
        for k, row in enumerate(read_csv(args.payments)):
            inv = docs.get(row["invoice"].strip())
            if inv is None:
                raise RefError(1, "payment of unknown invoice")
            c = (row.get("customer") or "").strip()
            if c and c != inv.customer:
                raise RefError(1, "payment customer differs")
            inv.payments.append((pdate(row["date"]), pamount(row["amount"]), k))
    if args.disputes:
        for row in read_csv(args.disputes):
            inv = docs.get(row["invoice"].strip())
            if inv is None:
                raise RefError(1, "dispute of unknown invoice")
            o = pdate(row["opened"])
            c = pdate(row.get("closed"))
            if c is not None and c < o:
                raise RefError(1, "closed < opened")
            if inv.disputes is None:
                inv.disputes = []
            inv.disputes.append((o, c))
    # as of the end of the as-of date: later payments and later documents are ignored
    for d in order:
        d.payments = [(p, a, k) for (p, a, k) in d.payments if p is None or p <= as_of]
    return [d for d in order if d.exists(as_of)], order


def load_policy(path):
    with open(path, "rb") as f:
        pol = tomllib.load(f, parse_float=Decimal)  # money is exact decimal (SPEC 1)
    levels = pol.get("level", [])
    if not levels:
        raise RefError(1, "policy without levels")
    prev = None
    out = []
    for i, lv in enumerate(levels, start=1):
        days = int(lv["days"])
        if days < 0 or (prev is not None and days <= prev):
            raise RefError(1, "levels not in increasing days")
        prev = days
        action = lv.get("action", "letter")
        if action not in ("letter", "escalate"):
            raise RefError(1, "unknown action")
        if action == "letter" and not lv.get("template"):
            raise RefError(1, "letter level without template")
        out.append({
            "n": i, "name": lv["name"], "days": days,
            "fee": Fraction(Decimal(str(lv.get("fee", 0)))),
            "fee_per_invoice": Fraction(Decimal(str(lv.get("fee_per_invoice", 0)))),
            "action": action,
        })
    interest = pol.get("interest", {})
    rate = None
    calendar = None
    if "rates" in interest and "annual_rate_pct" in interest:
        raise RefError(1, "both rates and annual_rate_pct")
    if "rates" in interest:
        rp = os.path.join(os.path.dirname(path), interest["rates"])
        calendar = []
        for row in read_csv(rp):
            calendar.append((pdate(row["from"]), Fraction(Decimal(row["annual_rate_pct"].strip()))))
        calendar.sort()
    else:
        rate = Fraction(Decimal(str(interest.get("annual_rate_pct", 0))))
    return {
        "levels": out,
        "min_amount": Fraction(Decimal(str(pol.get("min_amount", 0)))),
        "min_interval": int(pol.get("min_interval_days", 0)),
        "exclude_disputed": bool(pol.get("exclude_disputed", True)),
        "rate": rate, "calendar": calendar,
    }


def interest_of(inv, open_, as_of, pol):
    dpd = (as_of - inv.due).days
    if pol["calendar"] is None:
        x = open_ * pol["rate"] / 100 * dpd / 365
    else:
        cal = pol["calendar"]
        first_day = inv.due + dt.timedelta(days=1)
        if not cal or first_day < cal[0][0]:
            raise RefError(1, f"no rate for invoice {inv.id}")
        acc = Fraction(0)
        for k, (frm, r) in enumerate(cal):
            nxt = cal[k + 1][0] if k + 1 < len(cal) else as_of + dt.timedelta(days=1)
            lo = max(frm, first_day)
            hi = min(nxt, as_of + dt.timedelta(days=1))  # exclusive
            n = (hi - lo).days
            if n > 0:
                acc += r / 100 * n / 365
        x = open_ * acc
    return round_half_away(x, minor(inv.currency))


def delinquent(docs, d):
    for inv in docs:
        if inv.amount > 0 and inv.exists(d) and d > inv.due and inv.open_at(d) > 0:
            return True
    return False


def episode_start(docs, as_of):
    """First day of the delinquency episode running at as_of (None if not delinquent)."""
    if not delinquent(docs, as_of):
        return None
    d = as_of
    lo = min(inv.due for inv in docs if inv.amount > 0) + dt.timedelta(days=1)
    while d > lo and delinquent(docs, d - dt.timedelta(days=1)):
        d -= dt.timedelta(days=1)
    return d


def load_log(path, levels):
    if not path or not os.path.exists(path):
        return []
    byname = {lv["name"]: lv["n"] for lv in levels}
    out = []
    for row in read_csv(path):
        lvtxt = row["level"].strip()
        if lvtxt in byname:
            n = byname[lvtxt]
        else:
            try:
                n = int(lvtxt)
            except ValueError:
                n = 0
            if not 1 <= n <= len(levels):
                raise RefError(1, f"log level {lvtxt!r} is neither a level number nor a name")
        out.append((pdate(row["date"]), row["customer"].strip(), row["currency"].strip(), n))
    return out


def promise_open_keys(args, all_docs, docs_by_id, as_of):
    """(customer, currency) with a promise `open` at the as-of date (SPEC `promise`)."""
    if not args.promises:
        return set()
    tol = args.tolerance
    proms = []
    for i, row in enumerate(read_csv(args.promises), start=2):
        ids = rc.invoice_ids(row)
        cur = (row.get("currency") or "").strip()
        if not cur:
            cur = docs_by_id[ids[0]].currency if ids else "EUR"
        created = pdate(row["created"])
        promised = pdate(row["promised_date"])
        proms.append({
            "id": (row.get("promise_id") or "").strip() or f"P{i}",
            "customer": row["customer"].strip(), "currency": cur,
            "created": created, "promised": promised,
            "deadline": promised + dt.timedelta(days=tol),
            "amount": pamount(row["amount"]), "ids": set(ids), "paid": Fraction(0),
            "holds": {},  # invoice id -> money taken from it
        })
    proms = [p for p in proms if p["created"] <= as_of]
    # dated payments of invoices (amount > 0), effective the later of date and issue
    events = []
    for inv in all_docs:
        if inv.amount <= 0 or not inv.exists(as_of):
            continue
        for (pd_, a, seq) in inv.payments:
            if pd_ is None:
                continue
            eff = pd_ if inv.issue is None or pd_ >= inv.issue else inv.issue
            if eff <= as_of:
                events.append((eff, seq, inv, a))
    # file order: single-file rows (invoice file) first, then the payments file
    events.sort(key=lambda e: (e[0], e[1]))
    fill_key = lambda p: (p["promised"], p["created"], p["id"])
    for (eff, _, inv, a) in events:
        mine = [p for p in proms if p["customer"] == inv.customer and p["currency"] == inv.currency
                and (not p["ids"] or inv.id in p["ids"])]
        if a > 0:
            left = a
            for p in sorted(mine, key=fill_key):
                if not (p["created"] <= eff <= p["deadline"]):
                    continue
                take = min(left, p["amount"] - p["paid"])
                if take > 0:
                    p["paid"] += take
                    p["holds"][inv.id] = p["holds"].get(inv.id, 0) + take
                    left -= take
                if left <= 0:
                    break
        elif a < 0:
            back = -a
            for p in sorted(mine, key=fill_key, reverse=True):
                h = p["holds"].get(inv.id, 0)
                t = min(h, back)
                if t > 0:
                    p["holds"][inv.id] = h - t
                    p["paid"] -= t
                    back -= t
                if back <= 0:
                    break
    out = set()
    for p in proms:
        if p["paid"] < p["amount"] and as_of <= p["deadline"]:
            out.add((p["customer"], p["currency"]))
    return out


def on_track_customers(args, as_of, grace=5, broken_after=2):
    """Customers with an `on_track` plan (SPEC `plan check`); payments carry plan_id."""
    if not args.plans:
        return set()
    plans = {}
    for row in read_csv(args.plans):
        pid = row["plan_id"].strip()
        amt_col = row.get("installment") if row.get("installment") not in (None, "") else row.get("amount")
        plans.setdefault(pid, {"customer": row["customer"].strip(), "inst": []})
        plans[pid]["inst"].append((int(row["n"]), pdate(row["due_date"]), pamount(amt_col)))
    paid = {pid: Fraction(0) for pid in plans}
    prows = sorted(enumerate(read_csv(args.plan_payments)),
                   key=lambda t: (pdate(t[1]["date"]), t[0]))  # date order, then file order
    for _, row in prows:
        d = pdate(row["date"])
        if d is None or d > as_of:
            continue
        pid = (row.get("plan_id") or "").strip()
        a = pamount(row["amount"])
        if not pid:
            # only `customer`: fill that customer's plans one after the other, oldest
            # plan (earliest first due date, then plan_id) first (positive money only here)
            mine = sorted((p for p in plans if plans[p]["customer"] == row["customer"].strip()),
                          key=lambda p: (min(i[1] for i in plans[p]["inst"]), p))
            if not mine:
                raise RefError(1, "plan payment of a customer without plan")
            for k, p in enumerate(mine):
                total = sum(i[2] for i in plans[p]["inst"])
                take = a if k == len(mine) - 1 else min(a, max(Fraction(0), total - paid[p]))
                paid[p] += take
                a -= take
            continue
        if pid not in plans:
            raise RefError(1, "unknown plan_id")
        # docs/plan.md: money taken back beyond what was paid is owed by the plan and
        # later money makes it good first; with installments filled in order and taken
        # back from the last, that is the plain running sum (not clamped at 0)
        paid[pid] += a
    out = set()
    for pid, pl in plans.items():
        inst = sorted(pl["inst"])
        cum, overdue, complete = Fraction(0), 0, True
        for (n, due, a) in inst:
            cum += a
            if cum > paid[pid]:
                complete = False
                if (as_of - due).days > grace:
                    overdue += 1
        if not complete and overdue == 0:
            out.add(pl["customer"])
    return out


def run(args):
    as_of = dt.date.fromisoformat(args.as_of)
    pol = load_policy(args.policy)
    docs, all_docs = load(args, as_of)
    by_id = {d.id: d for d in all_docs}
    log = load_log(args.log, pol["levels"])
    paused = promise_open_keys(args, all_docs, by_id, as_of)
    on_track = on_track_customers(args, as_of)
    names, emails = {}, {}
    for d in docs:  # documents issued after the as-of date are ignored (SPEC 1)
        if d.name and d.customer not in names:
            names[d.customer] = d.name
        if d.email and d.customer not in emails:
            emails[d.customer] = d.email
    keys = sorted({(d.customer, d.currency) for d in docs})
    rows, append = [], []
    for key in keys:
        if key in paused or key[0] in on_track:
            SKIPPED.append(key)
            continue
        cdocs = [d for d in docs if (d.customer, d.currency) == key]
        cur = key[1]
        listed = []
        for inv in cdocs:
            if inv.amount <= 0:
                continue  # a credit note is never listed
            o = inv.open_at(as_of)
            if o > 0 and as_of > inv.due:
                if pol["exclude_disputed"] and inv.in_dispute(as_of):
                    continue
                listed.append((inv, o))
        if not listed:
            continue
        listed.sort(key=lambda t: (t[0].due, t[0].id))  # tie order: invoice id (SPEC silent)
        overdue = sum((o for _, o in listed), Fraction(0))
        maxdpd = max((as_of - inv.due).days for inv, _ in listed)
        start = episode_start(cdocs, as_of)
        counted = [e for e in log if e[1] == key[0] and e[2] == key[1]
                   and e[0] is not None and start <= e[0] <= as_of]
        if counted:
            latest = max(e[0] for e in counted)
            last = max(e[3] for e in counted if e[0] == latest)
        else:
            latest, last = None, 0
        reach = 0
        for lv in pol["levels"]:
            if lv["days"] <= maxdpd:
                reach = lv["n"]
        nxt = min(reach, last + 1)
        if nxt <= last:
            continue
        if latest is not None and (as_of - latest).days < pol["min_interval"]:
            continue
        if latest is not None and latest == as_of:
            continue  # docs/dunning.md: an entry dated today blocks (SPEC: 2nd --record adds nothing)
        if overdue < pol["min_amount"]:
            continue
        lv = pol["levels"][nxt - 1]
        interest = sum((interest_of(inv, o, as_of, pol) for inv, o in listed), Fraction(0))
        fees = lv["fee"] + lv["fee_per_invoice"] * len(listed)
        total = overdue + interest + fees
        rows.append({
            "customer": key[0], "customer_name": names.get(key[0]), "email": emails.get(key[0]),
            "currency": cur, "level": str(nxt), "level_name": lv["name"], "action": lv["action"],
            "invoices": [inv.id for inv, _ in listed],
            "overdue": money(overdue, cur), "interest": money(interest, cur),
            "fees": money(fees, cur), "total_due": money(total, cur),
            "max_days_past_due": str(maxdpd),
        })
        if args.record:
            append.append([as_of.isoformat(), key[0], cur, str(nxt), money(total, cur)])
    return rows, append


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("invoices")
    ap.add_argument("--payments")
    ap.add_argument("--policy", required=True)
    ap.add_argument("--log")
    ap.add_argument("--record", action="store_true")
    ap.add_argument("--disputes")
    ap.add_argument("--promises")
    ap.add_argument("--tolerance", type=int, default=3)
    ap.add_argument("--plans")
    ap.add_argument("--plan-payments")
    ap.add_argument("--as-of", required=True)
    args = ap.parse_args(argv)
    try:
        rows, append = run(args)
        res = {"command": "dunning", "as_of": args.as_of, "rows": rows,
               "log_append": append, "exit": 0}
    except RefError as e:
        res = {"exit": e.code, "error": str(e)}
    return res


if __name__ == "__main__":
    print(json.dumps(main(), indent=1, ensure_ascii=False))
