#!/usr/bin/env python3
"""The SQL equivalent of `cobro age --by customer -f csv` in DuckDB, for the
benchmark. Usage: bench_duckdb.py DIR AS_OF OUT.csv [csv|parquet]"""
import sys, duckdb

d, as_of, out = sys.argv[1], sys.argv[2], sys.argv[3]
kind = sys.argv[4] if len(sys.argv) > 4 else "csv"
if kind == "parquet":
    inv_src = f"read_parquet('{d}/invoices.parquet')"
    pay_src = f"read_parquet('{d}/payments.parquet')"
else:
    inv_src = (f"read_csv('{d}/invoices.csv', header=true, "
               "types={'issue_date':'DATE','due_date':'DATE','amount':'DECIMAL(18,2)'})")
    pay_src = f"read_csv('{d}/payments.csv', header=true, types={{'date':'DATE','amount':'DECIMAL(18,2)'}})"
duckdb.connect().execute(f"""
COPY (
WITH inv AS (SELECT customer, customer_name, invoice, issue_date, due_date, amount, currency FROM {inv_src}),
pay AS (SELECT invoice, sum(amount) AS paid FROM {pay_src} WHERE date <= DATE '{as_of}' GROUP BY invoice),
docs AS (SELECT customer, customer_name, currency, amount - coalesce(paid, 0) AS open, DATE '{as_of}' - due_date AS dpd
         FROM inv LEFT JOIN pay USING (invoice) WHERE issue_date <= DATE '{as_of}')
SELECT customer, first(customer_name) AS customer_name, currency,
  coalesce(sum(open) FILTER (WHERE dpd <= 0), 0) AS current,
  coalesce(sum(open) FILTER (WHERE dpd BETWEEN 1 AND 30), 0) AS days_1_30,
  coalesce(sum(open) FILTER (WHERE dpd BETWEEN 31 AND 60), 0) AS days_31_60,
  coalesce(sum(open) FILTER (WHERE dpd BETWEEN 61 AND 90), 0) AS days_61_90,
  coalesce(sum(open) FILTER (WHERE dpd BETWEEN 91 AND 120), 0) AS days_91_120,
  coalesce(sum(open) FILTER (WHERE dpd > 120), 0) AS days_over_120,
  sum(open) AS total_open,
  sum(open) - coalesce(sum(open) FILTER (WHERE dpd <= 0), 0) AS overdue,
  count(*) AS open_documents,
  coalesce(max(dpd) FILTER (WHERE open > 0 AND dpd > 0), 0) AS max_days_past_due
FROM docs WHERE open <> 0 GROUP BY customer, currency ORDER BY overdue DESC, customer, currency
) TO '{out}' (HEADER)
""")
