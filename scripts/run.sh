#!/usr/bin/env bash
# `make run`: set up, create the demo database with the whole suite on first use, serve Odoo.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
VENV=.state/venv
CONF=.state/odoo-run.conf
db=$("$VENV/bin/python" scripts/odoo_conf.py get db_name)
# Printed reports (certificates, refund policy, attrition and feedback reports) are
# PDF through wkhtmltopdf; without it Odoo offers them as HTML only.
if ! command -v wkhtmltopdf >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[run] installing wkhtmltopdf (Debian package) for PDF reports"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wkhtmltopdf >/dev/null ||
      echo "[run] WARNING: could not install wkhtmltopdf; reports print as HTML"
  else
    echo "[run] WARNING: no wkhtmltopdf; reports print as HTML (install it for PDF)"
  fi
fi
modules=$(for m in */__manifest__.py; do basename "$(dirname "$m")"; done | paste -sd, -)

if ! "$VENV/bin/python" scripts/odoo_conf.py modules-installed "$db" "$modules"; then
  echo "[run] installing $modules with demo data in database $db (first time: about a minute)"
  "$VENV/bin/python" -m odoo -c "$CONF" -d "$db" -i "$modules" --stop-after-init --log-level=warn
fi
port=$("$VENV/bin/python" scripts/odoo_conf.py get http_port)
echo "[run] Odoo on http://localhost:$port  (login admin / admin; see README for the role users)"
exec "$VENV/bin/python" -m odoo -c "$CONF" -d "$db" --db-filter="^$db\$"
