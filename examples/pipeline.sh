#!/usr/bin/env bash
# cobro in a shell pipeline: the ten customers with the most overdue money
# (rows come sorted by overdue), as "customer currency overdue".
set -euo pipefail
cd "$(dirname "$0")/.."
cobro=${COBRO:-target/release/cobro}
[ -x "$cobro" ] || cargo build --release --quiet
$cobro age fixtures/invoices.csv --payments fixtures/payments.csv --as-of 2025-06-30 -f csv \
  | awk -F, 'NR > 1 { print $1, $3, $11 }' \
  | head -n 10
