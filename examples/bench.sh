#!/usr/bin/env bash
# Benchmark: times the release binary against DuckDB on generated data.
#   examples/bench.sh 1000000 10000000     (sizes in invoices; default both)
# Needs: python3 with duckdb (pip install duckdb), GNU time (/usr/bin/time).
# Data goes to bench-data/ (git-ignored). Prints wall time and peak RSS, and
# checks that cobro and DuckDB agree on the total open balance.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=target/release/cobro
AS_OF=2024-09-30
sizes=("${@:-1000000 10000000}")
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o /tmp/cobro-bench-time "$@" > /dev/null
  read -r wall rss < /tmp/cobro-bench-time
  printf '%-28s %8.2f s %8.0f MiB\n' "$label" "$wall" "$((rss / 1024))"
}
total_of() { # sum of total_open per currency from an aging CSV
  python3 - "$1" <<'PY'
import csv, sys, collections
from decimal import Decimal
t = collections.defaultdict(Decimal)
for r in csv.DictReader(open(sys.argv[1])):
    t[r["currency"]] += Decimal(r["total_open"])
print(" ".join(f"{k}={v:.2f}" for k, v in sorted(t.items())))
PY
}
for n in ${sizes[@]}; do
  dir=bench-data/$n
  mkdir -p "$dir"
  [ -f "$dir/payments.csv" ] || python3 examples/bench_gen.py "$n" "$dir"
  echo "== $n invoices ($(du -sh "$dir" | cut -f1) of CSV)"
  measure "cobro age" $BIN age "$dir/invoices.csv" --payments "$dir/payments.csv" --as-of $AS_OF -f csv -o "$dir/cobro_age.csv"
  measure "cobro kpi --every month" $BIN kpi "$dir/invoices.csv" --payments "$dir/payments.csv" --as-of $AS_OF \
    --from 2023-10-01 --every month -f csv -o "$dir/cobro_kpi.csv"
  measure "cobro segment" $BIN segment "$dir/invoices.csv" --payments "$dir/payments.csv" --as-of $AS_OF \
    -f csv -o "$dir/cobro_segment.csv"
  measure "duckdb (same SQL)" python3 examples/bench_duckdb.py "$dir" $AS_OF "$dir/duckdb_age.csv"
  echo "totals: cobro  $(total_of "$dir/cobro_age.csv")"
  echo "totals: duckdb $(total_of "$dir/duckdb_age.csv")"
done
