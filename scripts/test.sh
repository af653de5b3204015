#!/usr/bin/env bash
# `make test`: set up, install the whole suite in a fresh throw-away database, run pytest.
#   TESTS="path ..."   run only these test paths (default: every module's tests)
#   TEST_DB=name       reuse this database (updating the suite) and keep it afterwards
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
VENV=.state/venv
CONF=.state/odoo-test.conf

modules=$(for m in */__manifest__.py tests/*/__manifest__.py; do [ -f "$m" ] && basename "$(dirname "$m")"; done | paste -sd, -)
paths=${TESTS:-$(for m in */__manifest__.py tests/*/__manifest__.py; do [ -f "$m" ] && dirname "$m"; done | paste -sd' ' -)}

if [ -n "${TEST_DB:-}" ]; then
  db=$TEST_DB
  if "$VENV/bin/python" scripts/odoo_conf.py db-exists "$db"; then
    action=(-u "$modules")
  else
    action=(-i "$modules")
  fi
else
  db="training_test_$(date +%s)_$$"
  action=(-i "$modules")
  trap '"$VENV/bin/python" scripts/odoo_conf.py drop-db "$db" || true' EXIT
fi

echo "[test] installing $modules in database $db"
log=".state/install-$db.log"
if ! "$VENV/bin/python" -m odoo -c "$CONF" -d "$db" "${action[@]}" --stop-after-init --log-level=warn >"$log" 2>&1 \
    || grep -qE ' (ERROR|CRITICAL) ' "$log"; then
  cat "$log"
  echo "[test] installing the suite failed (log above)" >&2
  exit 1
fi

echo "[test] pytest $paths"
# shellcheck disable=SC2086
"$VENV/bin/python" -m pytest --odoo-config="$CONF" --odoo-database="$db" --odoo-http $paths ${PYTEST_ARGS:-}
