#!/usr/bin/env bash
# `make run`: set up, create the demo school's database on first use, serve Odoo.
#   PREPARE_ONLY=1   only create the database (make screenshots)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
VENV=.state/venv
CONF=.state/odoo-run.conf
db=$("$VENV/bin/python" scripts/odoo_conf.py get db_name)
# Printed reports (certificates, refund policy, attrition and feedback reports) are
# PDF through wkhtmltopdf; without it Odoo offers them as HTML only. Chinese text, in
# the reports and in the browser, needs a CJK font (WenQuanYi Zen Hei: small, free).
missing=()
command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-zenhei)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[run] installing ${missing[*]} (Debian packages) for PDF reports and Chinese text"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
      echo "[run] WARNING: could not install ${missing[*]}; see README"
  else
    echo "[run] WARNING: ${missing[*]} missing: reports print as HTML, Chinese may not show"
  fi
fi
modules=$(for m in */__manifest__.py; do basename "$(dirname "$m")"; done | paste -sd, -)

odoo=("$VENV/bin/python" -m odoo -c "$CONF" -d "$db" --stop-after-init --log-level=warn)
demo=("$VENV/bin/python" scripts/demo_school.py --config "$CONF" --database "$db")
if ! "$VENV/bin/python" scripts/odoo_conf.py db-exists "$db"; then
  # The demo school is Chinese: its company is in China and in CNY before accounting
  # is installed, so Odoo installs the Chinese chart of accounts (the chart is loaded
  # once accounting is installed: before the suite, whose demo data posts invoices).
  echo "[run] creating database $db: Odoo in English and Chinese, the demo school"
  "${odoo[@]}" -i base --load-language=zh_CN
  "${demo[@]}" company
  "${odoo[@]}" -i account
fi
if ! "$VENV/bin/python" scripts/odoo_conf.py modules-installed "$db" "$modules"; then
  echo "[run] installing $modules with demo data in database $db (first time: a few minutes)"
  "${odoo[@]}" -i "$modules"
fi
echo "[run] the demo school's five years of history (first time: about a minute)"
"${demo[@]}" history
[ -n "${PREPARE_ONLY:-}" ] && exit 0  # make screenshots: the database, no server
port=$("$VENV/bin/python" scripts/odoo_conf.py get http_port)
echo "[run] Odoo on http://localhost:$port  (login admin / admin; see README for the role users)"
exec "$VENV/bin/python" -m odoo -c "$CONF" -d "$db" --db-filter="^$db\$"
