"""DuckDB computes the per-solver window sums of Roadone's customer math (n, before,
after) from the CSV files the bench writes, and prints them as JSON with its timings.
The matched baseline (peers of the same start week at the same age, and a fitted line per
group of them) has no counterpart here: this is the part of the work SQL does best.
Usage: duckdb_customer_math.py CSV_DIR WINDOW_DAYS TODAY_DAY"""

import json
import os
import sys
import time

import duckdb

csv_dir, window, today = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
con = duckdb.connect()
started = time.perf_counter()
con.execute(
    f"CREATE TABLE o AS SELECT * FROM read_csv('{os.path.join(csv_dir, 'orders.csv')}', header=true, "
    "columns={'customer_id': 'BIGINT', 'day': 'BIGINT', 'amount': 'BIGINT'})"
)
con.execute(
    f"CREATE TABLE c AS SELECT * FROM read_csv('{os.path.join(csv_dir, 'cases.csv')}', header=true, "
    "columns={'case_id': 'BIGINT', 'customer_id': 'BIGINT', 'opened_day': 'BIGINT', 'solved_day': 'BIGINT', 'solver': 'BIGINT'})"
)
loaded = time.perf_counter()
# The definitions of docs/metrics.md: windows of W days before the opening day and after
# the solve day, for the cases whose "after" has all passed and whose customer had bought
# before the case opened (customer math has nobody to compare the others with).
rows = con.execute(
    f"""
    WITH w AS (SELECT {window} AS w, {today} AS today),
    first_order AS (SELECT customer_id, MIN(day) AS day FROM o GROUP BY customer_id),
    compared AS (
        SELECT c.* FROM c, w, first_order f
        WHERE c.solved_day IS NOT NULL AND c.solved_day + 1 + w.w <= w.today
          AND f.customer_id = c.customer_id AND f.day < c.opened_day
    ),
    windows AS (
        SELECT k.case_id, k.customer_id, k.solver,
               k.opened_day - w.w AS b_from, k.opened_day AS b_to,
               k.solved_day + 1 AS a_from, k.solved_day + 1 + w.w AS a_to
        FROM compared k, w
    ),
    mine AS (
        SELECT x.case_id, x.solver,
               SUM(CASE WHEN o.day >= x.b_from AND o.day < x.b_to THEN o.amount ELSE 0 END)::DOUBLE AS before,
               SUM(CASE WHEN o.day >= x.a_from AND o.day < x.a_to THEN o.amount ELSE 0 END)::DOUBLE AS after
        FROM windows x LEFT JOIN o ON o.customer_id = x.customer_id
             AND ((o.day >= x.b_from AND o.day < x.b_to) OR (o.day >= x.a_from AND o.day < x.a_to))
        GROUP BY x.case_id, x.solver
    )
    SELECT solver, COUNT(*), SUM(before), SUM(after) FROM mine GROUP BY solver
    """
).fetchall()
done = time.perf_counter()
print(
    json.dumps(
        {
            "version": duckdb.__version__,
            "load_seconds": loaded - started,
            "query_seconds": done - loaded,
            "solvers": {
                str(s): {"n": n, "before": b, "after": a}
                for (s, n, b, a) in rows
            },
        }
    )
)
