#!/usr/bin/env python3
"""Generates a benchmark data set with DuckDB: N invoices over N/100
customers (EUR and USD), about 1.1 payments per invoice, some credit notes
and reversals.  Usage: bench_gen.py N OUT_DIR"""
import sys, duckdb

n, out = int(sys.argv[1]), sys.argv[2]
con = duckdb.connect()
con.execute(f"""
CREATE TABLE inv AS
SELECT 'C' || lpad(CAST(i % {max(n // 100, 1)} AS VARCHAR), 7, '0') AS customer,
       'INV' || lpad(CAST(i AS VARCHAR), 9, '0') AS invoice,
       DATE '2023-01-01' + CAST(hash(i) % 700 AS INTEGER) AS issue_date,
       amount, currency
FROM (SELECT i,
             CASE WHEN i % 29 = 0 THEN -1 ELSE 1 END * CAST((hash(i * 7) % 1000000) AS DECIMAL(18,2)) / 100 + 1 AS amount,
             CASE WHEN i % {max(n // 100, 1)} % 7 = 0 THEN 'USD' ELSE 'EUR' END AS currency
      FROM range({n}) t(i))
""")
con.execute("ALTER TABLE inv ADD COLUMN due_date DATE")
con.execute("UPDATE inv SET due_date = issue_date + 30")
con.execute(f"COPY (SELECT customer, invoice, issue_date, due_date, amount, currency FROM inv) TO '{out}/invoices.csv' (HEADER)")
con.execute(f"""
COPY (
  SELECT invoice, date, amount FROM (
    SELECT invoice, due_date + CAST(hash(invoice) % 90 AS INTEGER) - 20 AS date,
           CASE WHEN hash(invoice || 'p') % 100 < 25 THEN round(amount / 2, 2) ELSE amount END AS amount
    FROM inv WHERE amount > 0 AND hash(invoice || 'x') % 100 < 93
    UNION ALL
    SELECT invoice, due_date + 40 AS date, amount - round(amount / 2, 2)
    FROM inv WHERE amount > 0 AND hash(invoice || 'x') % 100 < 93 AND hash(invoice || 'p') % 100 < 25
    UNION ALL
    SELECT invoice, due_date + 45, -amount FROM inv WHERE hash(invoice || 'r') % 1000 < 5
  ) ORDER BY date
) TO '{out}/payments.csv' (HEADER)
""")
inv = con.execute(f"SELECT count(*) FROM read_csv('{out}/invoices.csv')").fetchone()[0]
pay = con.execute(f"SELECT count(*) FROM read_csv('{out}/payments.csv')").fetchone()[0]
print(f"{inv} invoices, {pay} payments ({pay / inv:.2f} per invoice)")
