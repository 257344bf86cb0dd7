#!/usr/bin/env bash
# Produces every figure in BENCHMARKS.md: builds release binaries, runs the intake load at
# C = 1, 8, 32, 64 and the 1,000,000-case read run, and appends one JSON line per run to
# crates/bench/results.jsonl (with the date and machine).
#   crates/bench/run.sh            # everything (about 10 minutes)
#   crates/bench/run.sh intake     # intake only
#   crates/bench/run.sh tail       # intake at C = 8 and 32 with the server's own split of
#                                  # the time (from /metrics), and wrk --latency at C = 32
#   crates/bench/run.sh read       # the 1,000,000-case read run only
#   crates/bench/run.sh crash      # mixed load through 50 kill -9s: losses, duplicates, recovery
#   crates/bench/run.sh sweep      # escalation sweep against 10k, 100k, 1M open cases
#   crates/bench/run.sh smtp       # inbound SMTP with a 100 KB PDF, 8 senders
#   crates/bench/run.sh pages      # the staff pages with 3,000 and 1,000,000 cases
#   crates/bench/run.sh trail      # the monthly trail over 1,000,000 cases, ~10,500,000 events
#   crates/bench/run.sh math       # customer math over 1,000,000 cases and 10,000,000 orders,
#                                  # and DuckDB (PyPI duckdb, in target/bench-venv) on the same data
#   crates/bench/run.sh cdr        # roadone import cdr of 1,000,000 Asterisk rows (twice), and the
#                                  # month's calls report over them
#   crates/bench/run.sh live       # 500 live case streams: delivery of each change, RSS, idle CPU
#   crates/bench/run.sh views      # the staff case views, the customer page and the searches over
#                                  # 1,000,000 cases of 100,000 customers (the store is prepared
#                                  # once, about 2 minutes, in target/bench-data/, and reused)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p roadone -p roadone-bench
out=crates/bench/results.jsonl
bench=target/release/roadone-bench
stamp() { python3 -c 'import json,sys,datetime,os; r=json.loads(sys.stdin.read().strip().splitlines()[-1]); r["date"]=datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%MZ"); r["cores"]=os.cpu_count(); print(json.dumps(r))'; }
what=${1:-all}
if [[ $what == all || $what == intake ]]; then
    for c in 1 8 32 64; do
        $bench intake --clients "$c" --seconds 20 | stamp | tee -a "$out"
    done
fi
if [[ $what == all || $what == tail ]]; then
    for c in 8 32; do
        $bench intake --clients "$c" --seconds 15 | stamp | tee -a "$out"
    done
    crates/bench/wrk_intake.sh 32 15
fi
if [[ $what == all || $what == crash ]]; then
    $bench crash --kills 50 --clients 8 | stamp | tee -a "$out"
fi
if [[ $what == all || $what == read ]]; then
    $bench read --cases 1000000 --clients 8 --seconds 20 | stamp | tee -a "$out"
fi
if [[ $what == all || $what == smtp ]]; then
    $bench smtp --senders 8 --seconds 20 | stamp | tee -a "$out"
fi
if [[ $what == all || $what == pages ]]; then
    for n in 3000 1000000; do
        $bench pages --cases "$n" --clients 8 --seconds 10 | stamp | tee -a "$out"
    done
fi
if [[ $what == all || $what == trail ]]; then
    $bench trail --cases 1000000 --month 2025-06 --runs 5 | stamp | tee -a "$out"
fi
if [[ $what == all || $what == math ]]; then
    if [[ ! -x target/bench-venv/bin/python ]]; then
        python3 -m venv target/bench-venv
        target/bench-venv/bin/pip install --quiet duckdb
    fi
    ROADONE_BENCH_PYTHON=target/bench-venv/bin/python \
        $bench customer-math --cases 1000000 --orders 10000000 | stamp | tee -a "$out"
fi
if [[ $what == all || $what == cdr ]]; then
    $bench cdr --rows 1000000 --runs 5 | stamp | tee -a "$out"
fi
if [[ $what == all || $what == sweep ]]; then
    for n in 10000 100000 1000000; do
        $bench sweep --open "$n" --due 1000 | stamp | tee -a "$out"
    done
fi
if [[ $what == all || $what == live ]]; then
    for cases in 100 500; do
        $bench live --streams 500 --cases "$cases" --changes 2000 | stamp | tee -a "$out"
    done
fi
if [[ $what == all || $what == views ]]; then
    $bench views --cases 1000000 --customers 100000 --clients 8 --seconds 10 | stamp | tee -a "$out"
fi
