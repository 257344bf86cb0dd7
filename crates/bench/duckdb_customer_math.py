"""DuckDB computes the same per-solver sums as Roadone's customer math (before, after,
expected_after, n) from the CSV files the bench writes, and prints them as JSON with its
timings. Usage: duckdb_customer_math.py CSV_DIR WINDOW_DAYS TODAY_DAY"""

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
# the solve day; the baseline is the customers with no case at all (open cases included:
# their solved_day is empty).
rows = con.execute(
    f"""
    WITH w AS (SELECT {window} AS w, {today} AS today),
    compared AS (
        SELECT c.* FROM c, w WHERE c.solved_day IS NOT NULL AND c.solved_day + 1 + w.w <= w.today
    ),
    contacted AS (SELECT DISTINCT customer_id FROM c),
    base AS (
        SELECT day, SUM(amount)::DOUBLE AS amount FROM o
        WHERE customer_id NOT IN (SELECT customer_id FROM contacted) GROUP BY day
    ),
    days AS (
        SELECT range AS day FROM range((SELECT MIN(day) FROM o), (SELECT MAX(day) FROM o) + 2)
    ),
    cum AS (
        SELECT d.day, SUM(COALESCE(b.amount, 0)) OVER (ORDER BY d.day) - COALESCE(b.amount, 0) AS before_day
        FROM days d LEFT JOIN base b ON b.day = d.day
    ),
    windows AS (
        SELECT k.case_id, k.customer_id, k.solver,
               k.opened_day - w.w AS b_from, k.opened_day AS b_to,
               k.solved_day + 1 AS a_from, k.solved_day + 1 + w.w AS a_to
        FROM compared k, w
    ),
    mine AS (
        SELECT x.case_id,
               SUM(CASE WHEN o.day >= x.b_from AND o.day < x.b_to THEN o.amount ELSE 0 END)::DOUBLE AS before,
               SUM(CASE WHEN o.day >= x.a_from AND o.day < x.a_to THEN o.amount ELSE 0 END)::DOUBLE AS after
        FROM windows x LEFT JOIN o ON o.customer_id = x.customer_id
             AND ((o.day >= x.b_from AND o.day < x.b_to) OR (o.day >= x.a_from AND o.day < x.a_to))
        GROUP BY x.case_id
    ),
    clamp AS (SELECT MIN(day) AS lo, MAX(day) AS hi FROM cum),
    growth AS (
        SELECT x.case_id, x.solver,
               (SELECT before_day FROM cum WHERE cum.day = LEAST(GREATEST(x.b_to, clamp.lo), clamp.hi))
             - (SELECT before_day FROM cum WHERE cum.day = LEAST(GREATEST(x.b_from, clamp.lo), clamp.hi)) AS base_before,
               (SELECT before_day FROM cum WHERE cum.day = LEAST(GREATEST(x.a_to, clamp.lo), clamp.hi))
             - (SELECT before_day FROM cum WHERE cum.day = LEAST(GREATEST(x.a_from, clamp.lo), clamp.hi)) AS base_after
        FROM windows x, clamp
    )
    SELECT g.solver, COUNT(*), SUM(m.before), SUM(m.after),
           SUM(m.before * CASE WHEN g.base_before > 0 THEN g.base_after / g.base_before ELSE 1 END)
    FROM growth g JOIN mine m USING (case_id)
    GROUP BY g.solver
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
                str(s): {"n": n, "before": b, "after": a, "expected_after": e}
                for (s, n, b, a, e) in rows
            },
        }
    )
)
