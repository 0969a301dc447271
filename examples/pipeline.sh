#!/usr/bin/env bash
# cobro in a shell pipeline: the ten customers with the most overdue money,
# as "customer<TAB>overdue", from the bundled fixtures.
set -euo pipefail
cobro=${COBRO:-cargo run --quiet --release --}
$cobro age fixtures/invoices.csv --payments fixtures/payments.csv --as-of 2025-06-30 -f ndjson \
  | python3 -c 'import sys, json
for line in sys.stdin:
    r = json.loads(line)
    print(f"{r[\"customer\"]}\t{r[\"currency\"]}\t{r[\"overdue\"]}")' \
  | head -n 10
