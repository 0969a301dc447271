#!/usr/bin/env python3
"""An independent, brute-force reading of SPEC §4 `forecast`, compared with cobro.

  examples/forecast_check.py INVOICES PAYMENTS AS_OF WEEKS LOOKBACK MIN_HISTORY

Plain CSVs with ISO dates (`customer,invoice,issue_date,due_date,amount[,currency,
disputed,customer_name]` and `invoice,date,amount`). Every sample value is placed
one by one with exact fractions (no cobro code, no sorting tricks), then each
weekly row (expected, actual, naive, invoices), the totals (expected, invoices,
wape_pct, naive_wape_pct) and each --detail row (basis, sample size, dates,
in_horizon_pct, actual) are compared with `cobro forecast --backtest` (the binary
in $COBRO, default `cobro`). Prints the differences and their count.
"""
import csv, sys, json, subprocess, math, os
from datetime import date, timedelta
from decimal import Decimal as D, ROUND_HALF_UP
from fractions import Fraction as F

inv_path, pay_path, as_of_s, weeks, lookback, min_hist = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
as_of = date.fromisoformat(as_of_s)
invs = list(csv.DictReader(open(inv_path)))
pays = list(csv.DictReader(open(pay_path)))
by_inv = {}
for p in pays: by_inv.setdefault(p['invoice'], []).append((date.fromisoformat(p['date']), F(D(p['amount']))))
def truthy(s): return s.strip().lower() in ('true','yes','1','x','sí','si')
rows = []
for i in invs:
    issue = date.fromisoformat(i['issue_date']) if i.get('issue_date') else None
    if issue and issue > as_of: continue
    amt = F(D(i['amount'])); due = date.fromisoformat(i['due_date'])
    ps = sorted(by_inv.get(i['invoice'], []), key=lambda x: x[0])
    before = [p for p in ps if p[0] <= as_of]; after = [p for p in ps if p[0] > as_of]
    open_ = amt - sum(a for _, a in before)
    # settle: earliest day >= issue from which open stays <= 0 up to as_of
    settle = None
    if amt > 0:
        bal = amt; since = None
        # merge same day
        days = {}
        for d_, a in before: days[d_] = days.get(d_, 0) + a
        for d_ in sorted(days):
            bal -= days[d_]
            if bal <= 0 and since is None: since = d_
            elif bal > 0: since = None
        if since is not None: settle = max(since, issue) if issue else since
    rows.append(dict(cust=i['customer'], cur=i.get('currency') or 'EUR', id=i['invoice'], due=due, amt=amt, open=open_, settle=settle, after=after, disputed=truthy(i.get('disputed','')), name=i.get('customer_name','')))
first = as_of - timedelta(lookback - 1)
hist = {}; port = {}
for r in rows:
    if r['amt'] > 0 and r['settle'] and first <= r['settle'] <= as_of:
        d_ = (r['settle'] - r['due']).days
        hist.setdefault((r['cust'], r['cur']), []).append(d_); port.setdefault(r['cur'], []).append(d_)
def c_of(r, upto):
    s = sum(a for d_, a in r['after'] if d_ <= upto)
    return min(max(s, 0), r['open'])
res = {}
detail = []
for r in rows:
    if not (r['amt'] > 0 and r['open'] > 0): continue
    cur = r['cur']; W = res.setdefault(cur, dict(exp=[F(0)]*(weeks+2), act=[F(0)]*(weeks+2), naive=[F(0)]*(weeks+2), n=[0]*(weeks+2), total=F(0), count=0))
    W['total'] += r['open']; W['count'] += 1
    p = (as_of - r['due']).days
    last = max([d_ for d_, _ in r['after']], default=as_of)
    lastall = date(9999,12,31)
    if r['disputed']:
        W['exp'][weeks+1] += r['open']; W['n'][weeks+1] += 1
        W['act'][weeks+1] += c_of(r, lastall); W['naive'][weeks+1] += r['open']
        detail.append((p, r, 'disputed', []))
        continue
    own = sorted(x for x in hist.get((r['cust'], cur), []) if x > p)
    allp = sorted(x for x in port.get(cur, []) if x > p)
    if len(own) >= min_hist: basis, s = 'customer', own
    elif len(allp) >= min_hist: basis, s = 'portfolio', allp
    else: basis, s = 'none', []
    detail.append((p, r, basis, s))
    if not s:
        W['exp'][weeks] += r['open']; W['n'][weeks] += 1
    else:
        hit = set()
        for x in s:
            off = (r['due'] + timedelta(x) - as_of).days
            k = math.ceil(off / 7); b = k - 1 if k <= weeks else weeks
            W['exp'][b] += r['open'] / len(s); hit.add(b)
        for b in hit: W['n'][b] += 1
    nd = max(r['due'], as_of + timedelta(1)); k = math.ceil((nd - as_of).days / 7)
    W['naive'][k - 1 if k <= weeks else weeks] += r['open']
    prev = F(0)
    for k in range(1, weeks + 1):
        c = c_of(r, as_of + timedelta(7 * k)); W['act'][k - 1] += c - prev; prev = c
    W['act'][weeks] += c_of(r, lastall) - prev
CUR=[None]
def r2(x, pct=False):
    q = D('1') if (CUR[0]=='JPY' and not pct) else D('0.01')
    return str((D(x.numerator) / D(x.denominator)).quantize(q, rounding=ROUND_HALF_UP))
cmd = [os.environ.get('COBRO', 'cobro'), 'forecast', inv_path, '--payments', pay_path, '--as-of', as_of_s, '--weeks', str(weeks), '--lookback', str(lookback), '--min-history', str(min_hist), '--backtest', '-f', 'json']
out = json.loads(subprocess.check_output(cmd), parse_float=D)
bad = 0
for row in out['rows']:
    W = res[row['currency']]; per = row['period']; CUR[0] = row['currency']
    b = weeks if per == 'later' else weeks + 1 if per == 'disputed' else int(per[1:]) - 1
    mine = (r2(W['exp'][b]), r2(W['act'][b]), r2(W['naive'][b]), W['n'][b])
    theirs = (str(row['expected']), str(row['actual']), str(row['naive']), row['invoices'])
    if mine != theirs: bad += 1; print('DIFF', row['currency'], per, mine, theirs)
for t in out['totals']:
    W = res[t['currency']]; CUR[0] = t['currency']
    err = sum(abs(W['exp'][k] - W['act'][k]) for k in range(weeks)); den = sum(W['act'][:weeks])
    nerr = sum(abs(W['naive'][k] - W['act'][k]) for k in range(weeks))
    mine = (r2(W['total']), W['count'], r2(100 * err / den, True) if den > 0 else None, r2(100 * nerr / den, True) if den > 0 else None)
    theirs = (str(t['expected']), t['invoices'], None if t['wape_pct'] is None else str(t['wape_pct']), None if t['naive_wape_pct'] is None else str(t['naive_wape_pct']))
    if mine != theirs: bad += 1; print('DIFF TOTAL', t['currency'], mine, theirs)
# detail
out = json.loads(subprocess.check_output(cmd + ['--detail']), parse_float=D)
detail.sort(key=lambda t: (-t[0], t[1]['cust'], t[1]['cur'], t[1]['id']))
for (p, r, basis, s), row in zip(detail, out['rows']):
    n = len(s); CUR[0] = r['cur']
    q = lambda num, den: str(r['due'] + timedelta(s[max(1, -(-num * n // den)) - 1])) if n else None
    inh = sum(1 for x in s if x - p <= 7 * weeks)
    mine = (r['id'], basis, n, q(1, 2), q(1, 10), q(9, 10), r2(F(100 * inh, n), True) if n else None, r2(c_of(r, date(9999,12,31))))
    theirs = (row['invoice'], row['basis'], row['sample_size'], row['expected_date'], row['p10_date'], row['p90_date'], None if row['in_horizon_pct'] is None else str(row['in_horizon_pct']), str(row['actual']))
    if mine != theirs: bad += 1; print('DIFF DETAIL', mine, theirs)
print('rows checked', len(out['rows']), 'diffs', bad)
