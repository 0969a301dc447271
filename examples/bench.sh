#!/usr/bin/env bash
# Benchmark: times the release binary, command by command, against DuckDB
# running the same aging SQL, on data shaped like a real ERP export (see
# examples/bench_gen.py: 8 columns with names and a disputed flag, ERP-style
# ids, ~N/40 customers in random order, three currencies, payments with their
# own id and the customer id, sorted by date), as CSV and as Parquet.
#
#   examples/bench.sh [SIZE...]        sizes in invoices; default 1000000 10000000
#   ROUNDS=3 examples/bench.sh 1000000 (age and DuckDB alternate ROUNDS times; default 2)
#
# Needs: python3 with duckdb (pip install duckdb), GNU time (/usr/bin/time);
# with polars too (pip install polars), the same aging in polars' own lazy
# API (examples/bench_polars.py) runs beside them.
# Data goes to bench-data/N/ (git-ignored). Prints one Markdown table row per
# run (wall seconds, peak RSS) and checks that cobro and DuckDB agree on the
# open total per currency, to the cent. The machine's speed drifts: compare
# runs of one sitting, and read the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=${COBRO:-target/release/cobro}
AS_OF=2024-09-30
ROUNDS=${ROUNDS:-2}
sizes=("${@:-1000000 10000000}")
measure() { # label, command...
  local label=$1; shift
  if /usr/bin/time -f "%e %M" -o /tmp/cobro-bench-time "$@" > /dev/null 2>/tmp/cobro-bench-err; then
    read -r wall rss < /tmp/cobro-bench-time
    printf '| %-34s | %8.2f s | %7.0f MiB |\n' "$label" "$wall" "$((rss / 1024))"
  else
    printf '| %-34s | failed: %s |\n' "$label" "$(tail -1 /tmp/cobro-bench-err)"
  fi
}
has() { $BIN "$1" --help > /dev/null 2>&1; }
has_polars() { python3 -c "import polars" 2> /dev/null; }
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
  d=bench-data/$n
  mkdir -p "$d"
  [ -f "$d/payments.parquet" ] || python3 examples/bench_gen.py "$n" "$d"
  echo
  echo "== $n invoices ($(du -ch "$d"/invoices.csv "$d"/payments.csv | tail -1 | cut -f1) of CSV, $(du -ch "$d"/invoices.parquet "$d"/payments.parquet | tail -1 | cut -f1) of Parquet)"
  echo "| run | wall | peak memory |"
  echo "|---|---|---|"
  in=("$d/invoices.csv" --payments "$d/payments.csv" --as-of $AS_OF)
  for r in $(seq "$ROUNDS"); do
    measure "cobro age (CSV) #$r" $BIN age "${in[@]}" -f csv -o "$d/cobro_age.csv"
    measure "duckdb age SQL (CSV) #$r" python3 examples/bench_duckdb.py "$d" $AS_OF "$d/duckdb_age.csv"
    has_polars && measure "polars age, lazy API (CSV) #$r" python3 examples/bench_polars.py "$d" $AS_OF "$d/polars_age.csv"
    measure "cobro age (Parquet) #$r" $BIN age "$d/invoices.parquet" --payments "$d/payments.parquet" \
      --as-of $AS_OF -f csv -o "$d/cobro_age_parquet.csv"
    measure "duckdb age SQL (Parquet) #$r" python3 examples/bench_duckdb.py "$d" $AS_OF "$d/duckdb_age_parquet.csv" parquet
    has_polars && measure "polars age, lazy API (Parquet) #$r" python3 examples/bench_polars.py "$d" $AS_OF "$d/polars_age_parquet.csv" parquet
  done
  measure "cobro kpi --every month (12)" $BIN kpi "${in[@]}" --from 2023-10-01 --every month -f csv -o "$d/cobro_kpi.csv"
  measure "cobro segment" $BIN segment "${in[@]}" -f csv -o "$d/cobro_segment.csv"
  measure "cobro dunning" $BIN dunning "${in[@]}" --policy examples/policy.toml -f csv -o "$d/cobro_dunning.csv"
  has forecast && measure "cobro forecast" $BIN forecast "${in[@]}" -f csv -o "$d/cobro_forecast.csv"
  has roll && measure "cobro roll (24 month ends)" $BIN roll "${in[@]}" --from 2022-10-31 --to 2024-09-30 \
    -f csv -o "$d/cobro_roll.csv"
  has provision && measure "cobro provision" $BIN provision "${in[@]}" -f csv -o "$d/cobro_provision.csv"
  has statement && measure "cobro statement (one month)" $BIN statement "${in[@]}" --from 2024-09-01 \
    -f csv -o "$d/cobro_statement.csv"
  has report && measure "cobro report" $BIN report "${in[@]}" --policy examples/policy.toml -o "$d/cobro_report.html"
  echo "totals: cobro CSV      $(total_of "$d/cobro_age.csv")"
  echo "totals: cobro Parquet  $(total_of "$d/cobro_age_parquet.csv")"
  echo "totals: duckdb         $(total_of "$d/duckdb_age.csv")"
  has_polars && echo "totals: polars         $(total_of "$d/polars_age.csv")"
done
