#!/usr/bin/env bash
# Differential check between two builds of cobro: runs every command with
# both binaries on the same inputs and compares what they print, byte for
# byte (stdout, stderr, exit code, and every file written). For an engine
# change: results must not move.
#
#   examples/diff_release.sh OLD_BINARY [NEW_BINARY] [DATA_DIR...]
#
# NEW_BINARY defaults to target/release/cobro. The inputs are the bundled
# fixtures, a set of awkward CSV files written here (blank lines, short and
# long rows, "\r" and "\r\n" line ends, a BOM, quoted line breaks, bytes
# that are not UTF-8, bad cells), each read strictly and with
# --skip-bad-rows --rejects, and each DATA_DIR made by examples/bench_gen.py
# (CSV and Parquet). Prints one line per run and "N differ" at the end;
# exits 1 if any differ.
set -uo pipefail
cd "$(dirname "$0")/.."
OLD=${1:?usage: examples/diff_release.sh OLD_BINARY [NEW_BINARY] [DATA_DIR...]}
NEW=${2:-target/release/cobro}
shift $(( $# >= 2 ? 2 : 1 ))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Both run as "cobro", so that usage messages name the same program.
mkdir -p "$work/bin-old" "$work/bin-new"
cp "$OLD" "$work/bin-old/cobro"; cp "$NEW" "$work/bin-new/cobro"
OLD=$work/bin-old/cobro NEW=$work/bin-new/cobro
differ=0
run() { # label, arguments... (OUT and REJ become output paths; $STDIN is the input)
  local label=$1; shift
  for side in old new; do
    local bin=$OLD; [ $side = new ] && bin=$NEW
    mkdir -p "$work/$side"; rm -rf "$work/$side"/*
    local args=("${@//OUT/$work/$side/out}")
    args=("${args[@]//REJ/$work/$side/rejects.csv}")
    "$bin" "${args[@]}" < "${STDIN:-/dev/null}" > "$work/$side/stdout" 2> "$work/$side/stderr"
    echo "exit $?" >> "$work/$side/stdout"
  done
  if diff -r "$work/old" "$work/new" > "$work/diff"; then
    echo "same    $label ($(tail -1 "$work/new/stdout"))"
  else
    echo "DIFFER  $label"; head -20 "$work/diff"; differ=$((differ + 1))
  fi
}
commands() { # invoices, payments, as-of, a date about a year before it, label
  local in=("$1" --payments "$2" --as-of "$3") l=$5
  run "$l age" age "${in[@]}" -f csv
  run "$l age json" age "${in[@]}" -f json
  run "$l age --detail" age "${in[@]}" --detail -f csv
  run "$l age --by none --buckets 15,45" age "${in[@]}" --by none --buckets 15,45 -f csv
  run "$l age --basis issue --totals" age "${in[@]}" --basis issue --totals -f csv
  run "$l forecast --detail" forecast "${in[@]}" --detail -f csv
  run "$l kpi" kpi "${in[@]}" --from "$4" --every month -f csv
  run "$l segment" segment "${in[@]}" -f csv
  run "$l dunning" dunning "${in[@]}" --policy examples/policy.toml -f csv
  run "$l forecast" forecast "${in[@]}" -f csv
  run "$l roll" roll "${in[@]}" --from "$4" --to "$3" -f csv
  run "$l provision" provision "${in[@]}" -f csv
  run "$l statement" statement "${in[@]}" --from "$4" -f csv
  run "$l report" report "${in[@]}" --policy examples/policy.toml -o OUT.html
}
commands fixtures/invoices.csv fixtures/payments.csv 2025-03-31 2024-04-30 fixtures
run "fixtures age --by region,email" age fixtures/invoices.csv --payments fixtures/payments.csv --as-of 2025-03-31 --by region,email -f csv
run "fixtures provision --by region json" provision fixtures/invoices.csv --payments fixtures/payments.csv --as-of 2025-03-31 --by region --history-from 2020-01-01 --default-after 20 -f json
run "fixtures provision --rates --buckets" provision fixtures/invoices.csv --payments fixtures/payments.csv --as-of 2025-03-31 --buckets 30,60,90 --rates examples/provision_rates.csv -f csv
run "provision fixture --adjust" provision fixtures/provision/invoices.csv --payments fixtures/provision/payments.csv --as-of 2025-12-31 --buckets 30,60,90 --adjust 10 -f csv
run "fixtures kpi --by region" kpi fixtures/invoices.csv --payments fixtures/payments.csv --as-of 2025-03-31 --from 2024-04-30 --every quarter --by region -f csv
run "fixtures kpi --by region json" kpi fixtures/invoices.csv --payments fixtures/payments.csv --as-of 2025-03-31 --from 2024-04-30 --by region -f json
run "fixtures age --by region json" age fixtures/invoices.csv --payments fixtures/payments.csv --as-of 2025-03-31 --by region -f json
commands fixtures/invoices.parquet fixtures/payments.csv 2025-03-31 2024-04-30 "fixtures (Parquet)"
h='customer,invoice,amount,due_date'
e=$work/edge; mkdir -p "$e"
printf "$h\nA,1,100,2025-01-01\n\nB,2,50,2025-02-01\n\n" > "$e/blank.csv"
printf "$h\nA,1,100\nB,2,50,2025-02-01\n" > "$e/short.csv"
printf "$h\nA,1,100,2025-01-01,x\nB,2,50,2025-02-01\n" > "$e/long.csv"
printf "$h\rA,1,100,2025-01-01\rB,2,5x,2025-02-01\r" > "$e/cr.csv"
printf "$h\r\nA,1,100,2025-01-01\r\nB,2,zz,2025-02-01\r\nC,3,1,2025-13-01\r\n" > "$e/crlf.csv"
printf "\xef\xbb\xbf$h\nA,1,100,2025-01-01\n" > "$e/bom.csv"
printf "$h\n\"A\nx\",1,100,2025-01-01\nB,2,abc,2025-02-01\n" > "$e/quoted.csv"
printf "$h\n\"a\"b,1,100,2025-01-01\nB,1,2,2025-02-01\n" > "$e/stray_quote.csv"
printf "$h\nA\xff,1,100,2025-01-01\nB,2,5,2025-02-01\n" > "$e/not_utf8.csv"
printf "customer;invoice;amount;due_date\nA;1;1.234,50;01/02/2025\nB;2;7,5;13/02/2025\n" > "$e/spanish.csv"
printf "$h,note\nA,1,100,2025-01-01,%s\nB,2,5,2025-02-01,ok\n" "$(head -c 70000 /dev/zero | tr '\0' x)" > "$e/big_cell.csv"
for f in "$e"/*.csv; do
  run "$(basename "$f") age" age "$f" --as-of 2025-03-31 -f csv
  run "$(basename "$f") age --skip-bad-rows" age "$f" --as-of 2025-03-31 -f csv --skip-bad-rows --rejects REJ
done
STDIN=fixtures/invoices.csv run "stdin age" age - --as-of 2025-03-31 -f csv
run "spanish decimal comma" age "$e/spanish.csv" --as-of 2025-03-31 --decimal-comma -f csv
for d in "$@"; do
  commands "$d/invoices.csv" "$d/payments.csv" 2024-09-30 2023-10-31 "$d"
  commands "$d/invoices.parquet" "$d/payments.parquet" 2024-09-30 2023-10-31 "$d (Parquet)"
done
echo "$differ differ"
[ "$differ" = 0 ]
