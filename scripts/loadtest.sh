#!/usr/bin/env bash
# `make loadtest`: a bounded, headless Locust run (benchmarks/locustfile.py) against the
# server of `make serve`, whose per-operation table is appended to benchmarks/RESULTS.md.
#   HOST=http://localhost:8069  USERS=20  SPAWN_RATE=5  RUN_TIME=60s
#   ODOO_DB (default: db_name of odoo.conf)  LOCUST_VERSION (default 2.47.0)
#   SERVER_LOG=file  the server's log: its ERRORs and read-only retries are counted
#   RESULTS=0        do not append to benchmarks/RESULTS.md
# Before the run, scripts/loadtest_prepare.py makes the users (password = login) and their
# work on the database and makes the suite's scheduled actions due; after it,
# scripts/consistency.py checks that nothing was lost or done twice (the run fails if
# not). PostgreSQL's statistics of the primary and of the read replica are compared
# before and after the run: who served the reads.
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
rm -f "$OUT"/loadtest_*.csv "$OUT"/final_*.csv "$OUT"/expected.json
export LOADTEST_FINAL_CSV="$OUT/final" LOADTEST_OUT="$OUT"
CONF=.state/odoo-serve.conf
[ -f "$CONF" ] || CONF=.state/odoo-run.conf
.state/venv/bin/python scripts/loadtest_prepare.py --config "$CONF" --database "$ODOO_DB" --out "$OUT"

# Transactions and rows read per cluster (pg_stat_database), to tell apart what the
# primary and the replica served.
# shellcheck disable=SC1091
. .state/db.env
replica_port=$(sed -n 's/^db_replica_port *= *//p' .state/odoo-serve.conf 2>/dev/null | head -n 1)
pgstat() {
  PGPASSWORD=$DB_PASSWORD psql -h "$DB_HOST" -p "$1" -U "$DB_USER" -d "$ODOO_DB" -Atc \
    "SELECT xact_commit, tup_returned + tup_fetched, tup_inserted + tup_updated + tup_deleted
       FROM pg_stat_database WHERE datname = current_database()" 2>/dev/null || echo "0|0|0"
}
stats_before_primary=$(pgstat "$DB_PORT")
stats_before_replica=$([ -n "$replica_port" ] && pgstat "$replica_port" || echo "0|0|0")
log "$USERS users (spawn rate $SPAWN_RATE/s) for $RUN_TIME against $HOST (database $ODOO_DB, $workers workers)"
since=$(date -u '+%Y-%m-%d %H:%M:%S')
log_lines=0
[ -n "${SERVER_LOG:-}" ] && [ -f "$SERVER_LOG" ] && log_lines=$(wc -l < "$SERVER_LOG")
rc=0
"$LT/bin/locust" -f benchmarks/locustfile.py --headless --only-summary \
  --host "$HOST" --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" \
  --stop-timeout 10 --csv "$OUT/loadtest" || rc=$?
[ -f "$OUT/final_stats.csv" ] || die "locust wrote no statistics (exit $rc)"
sleep 2  # PostgreSQL publishes a backend's statistics when it goes idle (within a second)
stats_after_primary=$(pgstat "$DB_PORT")
stats_after_replica=$([ -n "$replica_port" ] && pgstat "$replica_port" || echo "0|0|0")
cluster_stats=$("$PY" - "$stats_before_primary" "$stats_after_primary" \
  "$stats_before_replica" "$stats_after_replica" "${replica_port:-}" <<'EOF'
import sys

b_p, a_p, b_r, a_r, replica = sys.argv[1:]


def delta(before, after):
    return [int(y) - int(x) for x, y in zip(before.split("|"), after.split("|"))]


p, r = delta(b_p, a_p), delta(b_r, a_r)
print("| cluster | transactions | rows read | rows written |")
print("| --- | ---: | ---: | ---: |")
print(f"| primary | {p[0]} | {p[1]} | {p[2]} |")
if replica:
    print(f"| replica (port {replica}) | {r[0]} | {r[1]} | {r[2]} |")
EOF
)
consistency_rc=0
consistency=$(.state/venv/bin/python scripts/consistency.py --config "$CONF" --database "$ODOO_DB" \
  --since "$since" --expected "$OUT/expected.json" 2>&1) || consistency_rc=$?

# The server log over the run, when given: ERROR lines and read-only transaction retries.
server_errors=""
if [ -n "${SERVER_LOG:-}" ] && [ -f "$SERVER_LOG" ]; then
  run_log=$(tail -n +"$((log_lines + 1))" "$SERVER_LOG")
  errors=$(grep -c ' ERROR ' <<<"$run_log" || true)
  conflicts=$(grep -c 'could not serialize access' <<<"$run_log" || true)
  retried=$(grep -c 'SERIALIZATION_FAILURE, [0-9]* tries left' <<<"$run_log" || true)
  retries=$(grep -c 'retrying with a read/write cursor' <<<"$run_log" || true)
  server_errors="server log over the run: $((errors - conflicts)) ERROR lines besides serialization failures; $retried serialization failures (two transactions writing the same row) retried by Odoo; $retries read-only requests retried on the primary (cannot write in a read-only transaction)"
fi

mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)
machine="$(nproc) CPUs${cpu:+ ($cpu)}, $mem RAM"
table=$("$PY" - "$OUT" "$since" "$machine" "$workers" "$USERS" "$SPAWN_RATE" "$RUN_TIME" "$HOST" "$server_errors" "$ODOO_DB" <<'EOF'
import csv
import json
import os
import sys
from pathlib import Path

out, since, machine, workers, users, rate, run_time, host, server_errors, db = sys.argv[1:]
wait = (os.environ.get("LOADTEST_WAIT_MIN", "0.5"), os.environ.get("LOADTEST_WAIT_MAX", "2"))
rows = list(csv.DictReader(open(Path(out) / "final_stats.csv")))


def ms(row, key):
    value = row.get(key) or ""
    return "-" if value in ("", "N/A") else f"{float(value):.0f}"


print(f"\n## Load test, {since} UTC\n")
print(
    f"`make loadtest`: {users} users (spawn rate {rate}/s) for {run_time} against "
    f"`make serve` at {host} (database {db}) with HTTP workers: **{workers}**; "
    f"machine: {machine}. "
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
expected = Path(out) / "expected.json"
if expected.exists():
    refused = json.loads(expected.read_text()).get("refused") or {}
    if refused:
        print("\nRefused as a real user would be (somebody else was quicker):\n")
        for what, count in sorted(refused.items()):
            print(f"- {what.replace('|', '/')} ({count}x)")
if server_errors:
    print(f"\n{server_errors[0].upper()}{server_errors[1:]}.")
EOF
)
table=$(printf '%s\n\nPostgreSQL over the run (pg_stat_database of the database on each cluster):\n\n%s\n\nConsistency check after the run (scripts/consistency.py):\n\n```\n%s\n```' \
  "$table" "$cluster_stats" "$consistency")
printf '%s\n' "$table"
if [ "${RESULTS:-1}" != 0 ]; then
  printf '%s\n' "$table" >> benchmarks/RESULTS.md
  log "table appended to benchmarks/RESULTS.md (Locust's CSV files in $OUT)"
fi
# Locust exits 1 when a request failed; the consistency check when something was lost or
# done twice.
[ "$consistency_rc" = 0 ] || { log "consistency check FAILED"; exit 1; }
exit "$rc"
