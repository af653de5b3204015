#!/usr/bin/env bash
# `make clean`: stop the project-local PostgreSQL and its replica, remove every local state.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
# The standby (make serve's replica) first, then the primary it streams from.
for pgdata in "$ROOT/.state/pg-replica" "/tmp/training-suite-pg-$(echo "$ROOT" | sha1sum | cut -c1-10)-replica" \
    "$ROOT/.state/pg" "/tmp/training-suite-pg-$(echo "$ROOT" | sha1sum | cut -c1-10)"; do
  if [ -f "$pgdata/postmaster.pid" ]; then
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pgdata" -m fast stop
    else "$PG_BIN/pg_ctl" -D "$pgdata" -m fast stop; fi
  fi
  rm -rf "$pgdata" "$pgdata.partial"
done
rm -rf "$ROOT/.state"
