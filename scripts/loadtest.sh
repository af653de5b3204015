#!/usr/bin/env bash
# `make loadtest`: a bounded, headless Locust run (benchmarks/locustfile.py) against the
# server of `make serve`, whose per-operation table is appended to benchmarks/RESULTS.md.
#   HOST=http://localhost:8069  USERS=20  SPAWN_RATE=5  RUN_TIME=60s
#   ODOO_DB (default: db_name of odoo.conf)  LOCUST_VERSION (default 2.47.0)
#   SERVER_LOG=file  the server's log: its ERRORs and read-only retries are counted
#   RESULTS=0        do not append to benchmarks/RESULTS.md
# Locust lives in its own virtualenv, .state/loadtest-venv: it needs a newer gevent than
# the one Odoo pins, so it is not in requirements.txt.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
HOST=${HOST:-http://localhost:8069}
USERS=${USERS:-20}
SPAWN_RATE=${SPAWN_RATE:-5}
RUN_TIME=${RUN_TIME:-60s}
LOCUST_VERSION=${LOCUST_VERSION:-2.47.0}
LT=.state/loadtest-venv
OUT=.state/loadtest
PY=$(command -v python3)

log() { printf '\033[1m[loadtest]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[loadtest] %s\033[0m\n' "$*" >&2; exit 1; }

if [ ! -x "$LT/bin/locust" ] || ! "$LT/bin/locust" --version 2>/dev/null | grep -q " $LOCUST_VERSION "; then
  log "installing locust $LOCUST_VERSION in $LT"
  [ -x "$LT/bin/python" ] || "$PY" -m venv "$LT"
  "$LT/bin/pip" install -q "locust==$LOCUST_VERSION"
fi

if [ -z "${ODOO_DB:-}" ]; then
  if [ -x .state/venv/bin/python ]; then
    ODOO_DB=$(.state/venv/bin/python scripts/odoo_conf.py get db_name)
  else
    ODOO_DB=training
  fi
fi
export ODOO_DB
curl -fsS -o /dev/null --max-time 10 "$HOST/web/health" \
  || die "no Odoo at $HOST: start \`make serve\` first (or set HOST)"

# The worker count of the server under test: the configuration `make serve` wrote.
workers=$(sed -n 's/^workers *= *//p' .state/odoo-serve.conf 2>/dev/null | head -n 1)
workers=${workers:-unknown}

mkdir -p "$OUT"
rm -f "$OUT"/loadtest_*.csv "$OUT"/final_*.csv
export LOADTEST_FINAL_CSV="$OUT/final"
log "$USERS users (spawn rate $SPAWN_RATE/s) for $RUN_TIME against $HOST (database $ODOO_DB, $workers workers)"
since=$(date '+%Y-%m-%d %H:%M:%S')
log_lines=0
[ -n "${SERVER_LOG:-}" ] && [ -f "$SERVER_LOG" ] && log_lines=$(wc -l < "$SERVER_LOG")
rc=0
"$LT/bin/locust" -f benchmarks/locustfile.py --headless --only-summary \
  --host "$HOST" --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" \
  --stop-timeout 10 --csv "$OUT/loadtest" || rc=$?
[ -f "$OUT/final_stats.csv" ] || die "locust wrote no statistics (exit $rc)"

# The server log over the run, when given: ERROR lines and read-only transaction retries.
server_errors=""
if [ -n "${SERVER_LOG:-}" ] && [ -f "$SERVER_LOG" ]; then
  run_log=$(tail -n +"$((log_lines + 1))" "$SERVER_LOG")
  errors=$(grep -c ' ERROR ' <<<"$run_log" || true)
  retries=$(grep -c 'retrying with a read/write cursor' <<<"$run_log" || true)
  server_errors="server log over the run: $errors ERROR lines; $retries read-only requests retried on the primary (cannot write in a read-only transaction)"
fi

mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)
machine="$(nproc) CPUs${cpu:+ ($cpu)}, $mem RAM"
table=$("$PY" - "$OUT" "$since" "$machine" "$workers" "$USERS" "$SPAWN_RATE" "$RUN_TIME" "$HOST" "$server_errors" <<'EOF'
import csv
import os
import sys
from pathlib import Path

out, since, machine, workers, users, rate, run_time, host, server_errors = sys.argv[1:]
wait = (os.environ.get("LOADTEST_WAIT_MIN", "0.5"), os.environ.get("LOADTEST_WAIT_MAX", "2"))
rows = list(csv.DictReader(open(Path(out) / "final_stats.csv")))


def ms(row, key):
    value = row.get(key) or ""
    return "-" if value in ("", "N/A") else f"{float(value):.0f}"


print(f"\n## Load test, {since}\n")
print(
    f"`make loadtest`: {users} users (spawn rate {rate}/s) for {run_time} against "
    f"`make serve` at {host} with HTTP workers: **{workers}**; machine: {machine}. "
    f"Times in ms; think time {wait[0]}-{wait[1]} s per user between operations.\n"
)
print("| operation | requests | failures | req/s | p50 | p95 | p99 |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
total = None
for row in rows:
    if row["Name"] == "Aggregated":
        total = row
        continue
    print(
        f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} "
        f"| {float(row['Requests/s']):.2f} | {ms(row, '50%')} | {ms(row, '95%')} "
        f"| {ms(row, '99%')} |"
    )
if total:
    print(
        f"| **all** | **{total['Request Count']}** | **{total['Failure Count']}** "
        f"| **{float(total['Requests/s']):.2f}** | {ms(total, '50%')} "
        f"| {ms(total, '95%')} | {ms(total, '99%')} |"
    )
    requests = int(total["Request Count"])
    failures = int(total["Failure Count"])
    rate_pct = 100.0 * failures / requests if requests else 0.0
    print(
        f"\nThroughput {float(total['Requests/s']):.1f} requests/s; "
        f"error rate {rate_pct:.2f} % ({failures} of {requests})."
    )
failures_csv = Path(out) / "final_failures.csv"
if failures_csv.exists():
    failed = list(csv.DictReader(open(failures_csv)))
    if failed:
        print("\nFailures:\n")
        for row in failed:
            error = row["Error"].replace("|", "\\|")
            print(f"- {row['Name']}: {error} ({row['Occurrences']}x)")
if server_errors:
    print(f"\n{server_errors[0].upper()}{server_errors[1:]}.")
EOF
)
printf '%s\n' "$table"
if [ "${RESULTS:-1}" != 0 ]; then
  printf '%s\n' "$table" >> benchmarks/RESULTS.md
  log "table appended to benchmarks/RESULTS.md (Locust's CSV files in $OUT)"
fi
# Locust exits 1 when a request failed.
exit "$rc"
