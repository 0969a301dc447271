#!/usr/bin/env python3
"""Generates a benchmark data set shaped like a real ERP export, with DuckDB.

Usage: bench_gen.py N OUT_DIR

invoices.csv (8 columns, in document-number order, customers in random order):
  customer      ERP-style account id (CUST-0012345), about N/40 customers
  customer_name text, some with commas, quotes and accents (quoted CSV)
  invoice       ERPNext-style document number (ACC-SINV-2023-00000042)
  issue_date, due_date (terms of 30, 45 or 60 days by customer)
  amount        two decimals; every 29th document is a credit note
  currency      EUR, USD or GBP by customer (75/18/7 %)
  disputed      Yes for about 2 % of documents, else No
payments.csv (5 columns, sorted by date): payment_id, invoice, customer, date,
  amount — about 1.1 per invoice: partial payments, late payments, 0.5 %
  reversals.
The same tables are written as invoices.parquet and payments.parquet.
Every value is derived from hash(i): the same N gives the same files."""
import os, sys, duckdb

n, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
customers = max(n // 40, 1)
con = duckdb.connect()
con.execute("SET preserve_insertion_order = true")
con.execute(f"""
CREATE TABLE cust AS
SELECT c,
       'CUST-' || lpad(CAST(c AS VARCHAR), 7, '0') AS customer,
       (['Distribuciones', 'Talleres', 'Comercial', 'Industrias', 'Grupo', 'Hermanos', 'Construcciones',
         'Transportes', 'Suministros', 'Servicios'])[1 + CAST(hash(c, 'a') % 10 AS INTEGER)]
       || ' ' ||
       (['Norte', 'Ibérica', 'del Sur', 'Peñalara', 'Levante', 'Atlántico', 'Castilla', 'O''Brien', 'Müller',
         'Smith, Jones & Co'])[1 + CAST(hash(c, 'b') % 10 AS INTEGER)]
       || ' ' || CAST(c AS VARCHAR) ||
       (['', ' S.L.', ' S.A.', ' "La Unión"', ' Ltd.'])[1 + CAST(hash(c, 'd') % 5 AS INTEGER)] AS customer_name,
       CASE WHEN hash(c, 'cur') % 100 < 75 THEN 'EUR' WHEN hash(c, 'cur') % 100 < 93 THEN 'USD' ELSE 'GBP' END AS currency,
       (CAST([30, 45, 60][1 + CAST(hash(c, 't') % 3 AS INTEGER)] AS INTEGER)) AS terms
FROM range({customers}) t(c)
""")
con.execute(f"""
CREATE TABLE inv AS
SELECT i, cust.customer, cust.customer_name,
       'ACC-SINV-' || CAST(2023 + i * 2 // {n} AS VARCHAR) || '-' || lpad(CAST(i AS VARCHAR), 8, '0') AS invoice,
       issue_date, issue_date + cust.terms AS due_date,
       CAST(CASE WHEN i % 29 = 0 THEN -1 ELSE 1 END * (CAST(hash(i, 'm') % 1000000 AS DECIMAL(18,2)) / 100 + 1) AS DECIMAL(18,2)) AS amount,
       cust.currency,
       CASE WHEN hash(i, 'disp') % 100 < 2 THEN 'Yes' ELSE 'No' END AS disputed
FROM (SELECT i, CAST(hash(i, 'c') % {customers} AS BIGINT) AS c,
             DATE '2023-01-01' + CAST(i * 700 // {n} AS INTEGER) AS issue_date
      FROM range({n}) t(i)) x
JOIN cust USING (c)
ORDER BY i
""")
con.execute(f"""
CREATE TABLE pay AS
SELECT 'ACC-PAY-' || lpad(CAST(row_number() OVER (ORDER BY date, invoice, kind) AS VARCHAR), 10, '0') AS payment_id,
       invoice, customer, date, amount
FROM (
  SELECT invoice, customer, 1 AS kind, due_date + CAST(hash(i, 'd') % 90 AS INTEGER) - 20 AS date,
         CAST(CASE WHEN hash(i, 'p') % 100 < 25 THEN round(amount / 2, 2) ELSE amount END AS DECIMAL(18,2)) AS amount
  FROM inv WHERE amount > 0 AND hash(i, 'x') % 100 < 93
  UNION ALL
  SELECT invoice, customer, 2, due_date + 40 + CAST(hash(i, 'e') % 30 AS INTEGER), CAST(amount - round(amount / 2, 2) AS DECIMAL(18,2))
  FROM inv WHERE amount > 0 AND hash(i, 'x') % 100 < 93 AND hash(i, 'p') % 100 < 25
  UNION ALL
  SELECT invoice, customer, 3, due_date + 75, -amount FROM inv WHERE amount > 0 AND hash(i, 'x') % 100 < 93 AND hash(i, 'r') % 1000 < 5
) ORDER BY date, payment_id
""")
inv_cols = "customer, customer_name, invoice, issue_date, due_date, amount, currency, disputed"
con.execute(f"COPY (SELECT {inv_cols} FROM inv ORDER BY i) TO '{out}/invoices.csv' (HEADER)")
con.execute(f"COPY (SELECT * FROM pay ORDER BY date, payment_id) TO '{out}/payments.csv' (HEADER)")
con.execute(f"COPY (SELECT {inv_cols} FROM inv ORDER BY i) TO '{out}/invoices.parquet' (FORMAT PARQUET)")
con.execute(f"COPY (SELECT * FROM pay ORDER BY date, payment_id) TO '{out}/payments.parquet' (FORMAT PARQUET)")
inv = con.execute("SELECT count(*) FROM inv").fetchone()[0]
pay = con.execute("SELECT count(*) FROM pay").fetchone()[0]
print(f"{inv} invoices over {customers} customers, {pay} payments ({pay / inv:.2f} per invoice)")
