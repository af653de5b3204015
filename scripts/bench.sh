#!/usr/bin/env bash
# `make bench-data SCALE=N` and `make bench`: scale data and benchmarks (issue 7).
# Neither is part of `make test` or CI. BENCH_DB (default training_bench) is the database;
# WORKERS (default 2) processes fill it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
VENV=.state/venv
CONF=.state/odoo-test.conf
db=${BENCH_DB:-training_bench}
modules=${BENCH_MODULES:-$(for m in */__manifest__.py; do basename "$(dirname "$m")"; done | paste -sd, -)}
if ! "$VENV/bin/python" scripts/odoo_conf.py modules-installed "$db" "$modules"; then
  echo "[bench] installing $modules without demo data in database $db"
  "$VENV/bin/python" -m odoo -c "$CONF" -d "$db" -i "$modules" --without-demo=all \
    --stop-after-init --log-level=warn
elif [ "$1" = data ]; then
  # Blocks filled by older code are kept; the new ones need the current schema.
  echo "[bench] updating $modules in database $db to this code"
  "$VENV/bin/python" -m odoo -c "$CONF" -d "$db" -u "$modules" --stop-after-init --log-level=warn
fi
"$VENV/bin/python" scripts/bench.py "$1" --config "$CONF" --database "$db" --scale "${SCALE:-1}" \
  --workers "${WORKERS:-2}"
