#!/usr/bin/env python3
"""The aging of bench_duckdb.py in polars' own lazy API, for the benchmark:
polars doing all the work (its typed CSV parser, its join, its group-by),
the engine cobro reads with. Usage: bench_polars.py DIR AS_OF OUT.csv [csv|parquet]
Needs: pip install polars. Threads: all cores (POLARS_MAX_THREADS to limit)."""
import datetime, sys
import polars as pl

d, as_of, out = sys.argv[1], datetime.date.fromisoformat(sys.argv[2]), sys.argv[3]
kind = sys.argv[4] if len(sys.argv) > 4 else "csv"
money = pl.Decimal(18, 2)
if kind == "parquet":
    inv = pl.scan_parquet(f"{d}/invoices.parquet")
    pay = pl.scan_parquet(f"{d}/payments.parquet")
else:
    inv = pl.scan_csv(f"{d}/invoices.csv",
                      schema_overrides={"amount": money, "issue_date": pl.Date, "due_date": pl.Date})
    pay = pl.scan_csv(f"{d}/payments.csv", schema_overrides={"amount": money, "date": pl.Date})
paid = pay.filter(pl.col("date") <= as_of).group_by("invoice").agg(paid=pl.col("amount").sum())
docs = (inv.filter(pl.col("issue_date") <= as_of)
        .join(paid, on="invoice", how="left")
        .with_columns(open=pl.col("amount") - pl.col("paid").fill_null(0),
                      dpd=(pl.lit(as_of) - pl.col("due_date")).dt.total_days())
        .filter(pl.col("open") != 0))
def bucket(name, days):
    return pl.col("open").filter(days).sum().alias(name)
dpd = pl.col("dpd")
aging = (docs.group_by("customer", "currency")
         .agg(pl.col("customer_name").first(),
              bucket("current", dpd <= 0),
              bucket("days_1_30", dpd.is_between(1, 30)),
              bucket("days_31_60", dpd.is_between(31, 60)),
              bucket("days_61_90", dpd.is_between(61, 90)),
              bucket("days_91_120", dpd.is_between(91, 120)),
              bucket("days_over_120", dpd > 120),
              pl.col("open").sum().alias("total_open"),
              pl.len().alias("open_documents"),
              dpd.filter((pl.col("open") > 0) & (dpd > 0)).max().fill_null(0).alias("max_days_past_due"))
         .with_columns(overdue=pl.col("total_open") - pl.col("current"))
         .sort(["overdue", "customer", "currency"], descending=[True, False, False])
         .select("customer", "customer_name", "currency", "current", "days_1_30", "days_31_60",
                 "days_61_90", "days_91_120", "days_over_120", "total_open", "overdue",
                 "open_documents", "max_days_past_due"))
aging.collect().write_csv(out)
