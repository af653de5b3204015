#!/usr/bin/env bash
# `make serve`: the production profile. Set up as `make run` does, start the local streaming
# replica, derive .state/odoo-serve.conf (odoo.conf [serve]) and serve `make run`'s database
# with multi-process workers, a cron worker, the gevent (websocket) process and the replica.
#   WORKERS=N   HTTP workers (default: [serve] workers of odoo.conf, else 2 x CPUs + 1)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
VENV=.state/venv
PY="$VENV/bin/python"
db=${SERVE_DB:-$("$PY" scripts/odoo_conf.py get db_name)}
modules=$(for m in */__manifest__.py; do basename "$(dirname "$m")"; done | paste -sd, -)

# The database of `make run` (the demo school), created the same way on first use;
# another one (SERVE_DB) must have the suite installed already.
if [ -z "${SERVE_DB:-}" ]; then
  PREPARE_ONLY=1 bash scripts/run.sh
elif ! "$PY" scripts/odoo_conf.py modules-installed "$db" "$modules"; then
  echo "[serve] database $db does not have $modules installed" >&2
  exit 1
fi
command -v wkhtmltopdf >/dev/null || echo "[serve] WARNING: no wkhtmltopdf; reports print as HTML (install it for PDF)"

# After the install, so that the base backup already holds the database.
bash scripts/replica.sh start
"$PY" scripts/odoo_conf.py write-serve
CONF=.state/odoo-serve.conf
get() { "$PY" scripts/odoo_conf.py get-serve "$1"; }
port=$(get http_port); gevent=$(get gevent_port)
# As Odoo binds them (SO_REUSEADDR): only a listening server makes them busy.
for p in "$port" "$gevent"; do
  if ! "$PY" -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', int(sys.argv[1])))" "$p" 2>/dev/null; then
    echo "[serve] port $p is in use (is \`make run\` or another \`make serve\` running?)" >&2
    exit 1
  fi
done
replica=$(get db_replica_host)
[ -n "$replica" ] && replica="read replica $replica:$(get db_replica_port)" || replica="no read replica"
echo "[serve] Odoo on http://localhost:$port  (database $db, $(get workers) workers, $(get max_cron_threads) cron worker, websocket on :$gevent, $replica)"
echo "[serve] proxy_mode is on: behind a proxy, route /websocket to :$gevent and the rest to :$port. Ctrl-C stops Odoo (PostgreSQL and the replica keep running; make clean removes them)."
# Through a script, not `python -m odoo`: the prefork server starts the gevent process as
# `sys.executable sys.argv[0] gevent …` (see scripts/odoo_serve.py).
exec "$PY" scripts/odoo_serve.py -c "$CONF" -d "$db" --db-filter="^$db\$"
