#!/usr/bin/env python3
"""What it would cost polars to do cobro's id work on the benchmark data:
find duplicate invoice ids and join each payment to its invoice, on the id
text. Prints each step's wall time; run it under GNU time for the peak.

  POLARS_MAX_THREADS=2 /usr/bin/time -f "%e s %M KB" python3 examples/polars_join_cost.py bench-data/10000000

Needs: pip install polars."""
import sys, time
import polars as pl

d = sys.argv[1]
start = time.time()
invoices = pl.read_csv(f"{d}/invoices.csv", columns=["invoice"], infer_schema=False).with_row_index("row")
payments = pl.read_csv(f"{d}/payments.csv", columns=["invoice"], infer_schema=False)
read = time.time()
first_duplicate = invoices.select(pl.col("invoice").is_first_distinct().not_().arg_true().min()).item()
duplicates = time.time()
joined = payments.join(invoices, on="invoice", how="left", maintain_order="left")
unknown = joined["row"].null_count()
join = time.time()
print(f"read the id columns: {read - start:.2f} s ({invoices.height} invoices, {payments.height} payments)")
print(f"first duplicate id: {duplicates - read:.2f} s (row {first_duplicate})")
print(f"join payments to invoices: {join - duplicates:.2f} s ({unknown} unknown ids)")
