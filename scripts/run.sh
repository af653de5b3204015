#!/usr/bin/env bash
# `make run`: set up, create the demo database with the whole suite on first use, serve Odoo.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
VENV=.state/venv
CONF=.state/odoo-run.conf
db=$("$VENV/bin/python" scripts/odoo_conf.py get db_name)
modules=$(for m in */__manifest__.py; do basename "$(dirname "$m")"; done | paste -sd, -)

if ! "$VENV/bin/python" scripts/odoo_conf.py modules-installed "$db" "$modules"; then
  echo "[run] installing $modules with demo data in database $db (first time: about a minute)"
  "$VENV/bin/python" -m odoo -c "$CONF" -d "$db" -i "$modules" --stop-after-init --log-level=warn
fi
port=$("$VENV/bin/python" scripts/odoo_conf.py get http_port)
echo "[run] Odoo on http://localhost:$port  (login admin / admin; see README for the role users)"
exec "$VENV/bin/python" -m odoo -c "$CONF" -d "$db" --db-filter="^$db\$"
