#!/usr/bin/env bash
# `make clean`: stop the project-local PostgreSQL and remove every local state.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for pgdata in "$ROOT/.state/pg" "/tmp/training-suite-pg-$(echo "$ROOT" | sha1sum | cut -c1-10)"; do
  [ -f "$pgdata/postmaster.pid" ] || continue
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pgdata" -m fast stop
  else "$PG_BIN/pg_ctl" -D "$pgdata" -m fast stop; fi
  rm -rf "$pgdata"
done
rm -rf "$ROOT/.state"
