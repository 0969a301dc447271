#!/usr/bin/env bash
# Nightly KPI report, ready for cron:
#   15 2 * * *  /opt/cobro/examples/nightly.sh /data/ar/invoices.csv /data/ar/payments.csv /data/reports
# Writes into OUT/YYYY-MM-DD/: this month's KPIs (kpi.csv, kpi.json), the last
# 12 months by month (trend.csv) and their chart (trend.svg), and the aging
# (aging.csv), and the page a manager opens (report.html; mail it, see
# docs/report.md). Every file is written atomically by cobro; the dated folder is
# renamed into place only when all of it is there, so a reader never sees a
# half-written night. Exit code: cobro's (0 ok, 1 data error, 2 usage error).
set -euo pipefail
invoices=${1:-fixtures/invoices.csv}
payments=${2:-fixtures/payments.csv}
out=${3:-reports}
cobro=${COBRO:-cobro}
command -v "$cobro" >/dev/null 2>&1 || cobro="$(dirname "$0")/../target/release/cobro"
today=${AS_OF:-$(date +%F)}
first_of_window=$(date -d "$today -11 months" +%Y-%m-01)
work=$(mktemp -d "$out/.nightly-$today.XXXXXX" 2>/dev/null || { mkdir -p "$out"; mktemp -d "$out/.nightly-$today.XXXXXX"; })
trap 'rm -rf "$work"' EXIT
common=(--payments "$payments" --as-of "$today")
"$cobro" kpi "$invoices" "${common[@]}" -f csv -o "$work/kpi.csv"
"$cobro" kpi "$invoices" "${common[@]}" -f json -o "$work/kpi.json"
"$cobro" kpi "$invoices" "${common[@]}" --from "$first_of_window" --every month -f csv \
  --chart "$work/trend.svg" -o "$work/trend.csv"
"$cobro" age "$invoices" "${common[@]}" -f csv -o "$work/aging.csv"
"$cobro" report "$invoices" "${common[@]}" -o "$work/report.html"
rm -rf "${out:?}/$today"
mv "$work" "$out/$today"
trap - EXIT
echo "cobro nightly: wrote $out/$today"
