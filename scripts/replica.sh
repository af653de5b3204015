#!/usr/bin/env bash
# A local PostgreSQL streaming replica of the project-local cluster, for `make serve`.
#   replica.sh [start]   make it (pg_basebackup) when missing and start it in standby; idempotent
#   replica.sh stop      stop it
#   replica.sh remove    stop it, drop its replication slot on the primary, delete its data
# Run after setup.sh (the primary must be running). It writes .state/replica.env
# (DB_REPLICA_HOST, DB_REPLICA_PORT), which `odoo_conf.py write-serve` reads. With an
# external PostgreSQL (db_host / DB_HOST set) it does nothing: set db_replica_host and
# db_replica_port in the [serve] section of odoo.conf to that server's replica instead.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE="$ROOT/.state"
VENV="$STATE/venv"
SLOT=training_suite_replica
ROLE=training_replicator

log() { printf '\033[1m[replica]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[replica] %s\033[0m\n' "$*" >&2; exit 1; }

action=${1:-start}
rm -f "$STATE/replica.env"

# The primary's data directory, found as setup.sh chooses it.
eval "$("$VENV/bin/python" "$ROOT/scripts/odoo_conf.py" db-params)"
if [ -n "$DB_HOST" ]; then
  log "external PostgreSQL ($DB_HOST): no local replica (set db_replica_host/port in odoo.conf [serve])"
  exit 0
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PG_BIN" ] || PG_BIN=$(dirname "$(command -v initdb || true)")
as_pg=()
PGDATA="$STATE/pg"
if [ "$(id -u)" = 0 ]; then
  as_pg=(runuser -u postgres --)
  runuser -u postgres -- test -x "$STATE" || PGDATA="/tmp/training-suite-pg-$(echo "$ROOT" | sha1sum | cut -c1-10)"
fi
REPLICA="$PGDATA-replica"

running() { "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1; }
pid_port() { sed -n '4p' "$1/postmaster.pid"; }
primary_sql() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -tAq -v ON_ERROR_STOP=1 -c "$1"; }

stop_replica() {
  if [ -f "$REPLICA/PG_VERSION" ] && running "$REPLICA"; then
    log "stopping the replica in $REPLICA"
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$REPLICA" -m fast -w stop >/dev/null
  fi
}

case "$action" in
  stop) stop_replica; exit 0 ;;
  remove)
    stop_replica
    if running "$PGDATA"; then
      PRIMARY_PORT=$(pid_port "$PGDATA")
      primary_sql "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active;" >/dev/null
    fi
    rm -rf "$REPLICA" "$REPLICA.partial"
    exit 0 ;;
  start) ;;
  *) die "usage: replica.sh [start|stop|remove]" ;;
esac

running "$PGDATA" || die "the primary cluster in $PGDATA is not running: run scripts/setup.sh first"
PRIMARY_PORT=$(pid_port "$PGDATA")

# --- Primary: streaming replication settings ------------------------------------------------
# PostgreSQL 15's defaults already allow it (wal_level=replica, max_wal_senders=10, initdb's
# pg_hba trusts replication from 127.0.0.1); anything a cluster lacks is set here, and the
# primary restarted only when a setting needs it.
restart=0
if [ "$(primary_sql "SHOW wal_level")" = minimal ]; then
  primary_sql "ALTER SYSTEM SET wal_level = replica" && restart=1
fi
if [ "$(primary_sql "SHOW max_wal_senders")" -lt 2 ]; then
  primary_sql "ALTER SYSTEM SET max_wal_senders = 10" && restart=1
fi
if [ "$(primary_sql "SHOW max_replication_slots")" -lt 1 ]; then
  primary_sql "ALTER SYSTEM SET max_replication_slots = 10" && restart=1
fi
if [ "$(primary_sql "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database) AND type = 'host' AND address = '127.0.0.1' AND auth_method = 'trust'")" = 0 ]; then
  log "allowing replication connections from 127.0.0.1 in $PGDATA/pg_hba.conf"
  echo "host    replication     all             127.0.0.1/32            trust" | "${as_pg[@]}" tee -a "$PGDATA/pg_hba.conf" >/dev/null
  primary_sql "SELECT pg_reload_conf()" >/dev/null
fi
if [ "$restart" = 1 ]; then
  # pg_ctl restart keeps the options the primary was started with (postmaster.opts): same port.
  log "restarting the primary for the replication settings"
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PGDATA" -w -m fast -l "$PGDATA/server.log" restart >/dev/null \
    || die "the primary did not restart; see $PGDATA/server.log"
  PRIMARY_PORT=$(pid_port "$PGDATA")
fi
primary_sql "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN CREATE ROLE $ROLE LOGIN REPLICATION; END IF; END\$\$;"

# --- Replica: base backup -------------------------------------------------------------------
if [ ! -f "$REPLICA/PG_VERSION" ] || [ ! -f "$REPLICA/standby.signal" ]; then
  log "creating the replica in $REPLICA (pg_basebackup of the primary on port $PRIMARY_PORT)"
  rm -rf "$REPLICA" "$REPLICA.partial"
  mkdir -p "$REPLICA.partial" && chmod 700 "$REPLICA.partial"
  [ ${#as_pg[@]} -gt 0 ] && chown postgres: "$REPLICA.partial"
  # A slot left by an earlier replica would make --create-slot fail; a slot keeps the WAL the
  # standby has not received yet, so it catches up after a stop.
  primary_sql "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active;" >/dev/null
  "${as_pg[@]}" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U "$ROLE" -D "$REPLICA.partial" \
      --wal-method=stream --checkpoint=fast --create-slot --slot="$SLOT" --write-recovery-conf \
    || { rm -rf "$REPLICA.partial"; die "pg_basebackup failed"; }
  # The primary's own files, not the replica's.
  rm -f "$REPLICA.partial/server.log" "$REPLICA.partial/postmaster.opts"
  mv "$REPLICA.partial" "$REPLICA"
fi

# --- Replica: start in standby ----------------------------------------------------------------
conninfo="host=127.0.0.1 port=$PRIMARY_PORT user=$ROLE application_name=$SLOT"
if running "$REPLICA"; then
  current=$("$PG_BIN/psql" -h 127.0.0.1 -p "$(pid_port "$REPLICA")" -U postgres -d postgres -tAq -c "SHOW primary_conninfo")
  # The primary may have come back on another port: follow it.
  [ "$current" = "$conninfo" ] || stop_replica
fi
if ! running "$REPLICA"; then
  port=$("$VENV/bin/python" "$ROOT/scripts/odoo_conf.py" free-port $((PRIMARY_PORT + 1)))
  log "starting the replica (standby of 127.0.0.1:$PRIMARY_PORT) on 127.0.0.1:$port"
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$REPLICA" -w -l "$REPLICA/server.log" \
    -o "-p $port -k $REPLICA -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c hot_standby=on -c primary_slot_name=$SLOT -c primary_conninfo='$conninfo'" \
    start >/dev/null || die "the replica did not start; see $REPLICA/server.log"
fi
port=$(pid_port "$REPLICA")
[ "$("$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq -c "SELECT pg_is_in_recovery()")" = t ] \
  || die "the server on port $port is not in recovery: $REPLICA is not a standby"
printf 'DB_REPLICA_HOST=127.0.0.1\nDB_REPLICA_PORT=%s\n' "$port" > "$STATE/replica.env"
