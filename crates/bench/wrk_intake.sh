#!/usr/bin/env bash
# Intake measured from outside by wrk (Debian's package): a fresh data directory, the
# release server with fsync before every 201, C connections for S seconds, --latency.
#   crates/bench/wrk_intake.sh [C=32] [S=15]
# It prints wrk's report; BENCHMARKS.md quotes it.
set -euo pipefail
cd "$(dirname "$0")/../.."
c=${1:-32}
s=${2:-15}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
# ROADONE_BIN: another build to measure the same way (e.g. an older commit's).
bin=${ROADONE_BIN:-target/release/roadone}
[[ -n ${ROADONE_BIN:-} ]] || cargo build --release -p roadone >/dev/null 2>&1
data=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
$bin --data-dir "$data" user add --name Admin --email admin@wrk.test --role admin >/dev/null
$bin --data-dir "$data" user add --name Exec --email exec@wrk.test --role executive >/dev/null
$bin --data-dir "$data" user add --name Front --email front@wrk.test --role frontline --reports-to exec@wrk.test >/dev/null
admin=$($bin --data-dir "$data" token issue --email admin@wrk.test)
front=$($bin --data-dir "$data" token issue --email front@wrk.test)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=warn $bin --data-dir "$data" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
curl -sf -X POST http://127.0.0.1:$port/api/v1/categories -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' \
  -d '{"key":"billing","name":"Billing","checklist":[],"manager":2,"executive":2}' >/dev/null
ROADONE_TOKEN=$front wrk -t2 -c"$c" -d"${s}s" --latency -s crates/bench/wrk_intake.lua http://127.0.0.1:$port
