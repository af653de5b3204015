#!/usr/bin/env bash
# Sets up everything `make run` and `make test` need, idempotently:
#   1. an Odoo 18.0 Community source tree (ODOO_SRC, else a per-user cache, else a shallow clone);
#   2. a project-local virtualenv with Odoo's and this repository's requirements;
#   3. headless Chromium for browser tests;
#   4. PostgreSQL: the server named by odoo.conf / DB_* variables, else a project-local cluster;
#   5. the runtime configs .state/odoo-run.conf and .state/odoo-test.conf derived from odoo.conf.
# Re-running it is fast: every step checks what is already done.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE="$ROOT/.state"
VENV="$STATE/venv"
mkdir -p "$STATE"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

# --- 1. Odoo source -----------------------------------------------------------------------
ODOO_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/odoo-src/18.0"
is_odoo_18() { [ -f "$1/odoo/release.py" ] && grep -q "version_info = (18, 0" "$1/odoo/release.py"; }

if [ -n "${ODOO_SRC:-}" ]; then
  is_odoo_18 "$ODOO_SRC" || die "ODOO_SRC=$ODOO_SRC is not an Odoo 18.0 source tree (no odoo/release.py of 18.0)."
else
  ODOO_SRC="$ODOO_CACHE"
  if ! is_odoo_18 "$ODOO_SRC"; then
    log "cloning Odoo 18.0 into $ODOO_SRC (shallow, a few minutes)"
    rm -rf "$ODOO_SRC.partial"
    mkdir -p "$(dirname "$ODOO_SRC")"
    if git clone --quiet --depth 1 --branch 18.0 https://github.com/odoo/odoo.git "$ODOO_SRC.partial" \
        && is_odoo_18 "$ODOO_SRC.partial"; then
      rm -rf "$ODOO_SRC" && mv "$ODOO_SRC.partial" "$ODOO_SRC"
    else
      rm -rf "$ODOO_SRC.partial"
      die "No Odoo 18.0 source found. Set ODOO_SRC to an Odoo 18.0 Community checkout, or put one in $ODOO_CACHE (cloning https://github.com/odoo/odoo branch 18.0 failed)."
    fi
  fi
fi
echo "$ODOO_SRC" > "$STATE/odoo_src"

# --- 2. Virtualenv --------------------------------------------------------------------------
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
stamp=$(cat "$ODOO_SRC/requirements.txt" "$ROOT/requirements.txt" "$0" | sha1sum | cut -c1-16)-$(echo "$ODOO_SRC" | sha1sum | cut -c1-8)
if [ "$(cat "$VENV/.stamp" 2>/dev/null)" != "$stamp" ]; then
  log "building the virtualenv in $VENV (first time: a few minutes)"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  # cbor2 5.4.2 builds from source with a setup.py that needs pkg_resources (setuptools < 70).
  echo 'setuptools<70' > "$STATE/pip-constraints.txt"
  export PIP_CONSTRAINT="$STATE/pip-constraints.txt" PIP_DISABLE_PIP_VERSION_CHECK=1
  "$VENV/bin/pip" install -qq --upgrade 'pip<25' wheel 'setuptools<70'
  # python-ldap needs system headers and only serves auth_ldap.
  grep -v -i '^python-ldap' "$ODOO_SRC/requirements.txt" > "$STATE/odoo-requirements.txt"
  "$VENV/bin/pip" install -qq -r "$STATE/odoo-requirements.txt"
  # compat mode: the strict editable mode makes `import odoo` resolve to the OCA wheels' namespace.
  "$VENV/bin/pip" install -qq --no-deps -e "$ODOO_SRC" --config-settings editable_mode=compat
  "$VENV/bin/pip" install -qq -r "$ROOT/requirements.txt"
  echo "$stamp" > "$VENV/.stamp"
fi

# --- 3. Chromium ----------------------------------------------------------------------------
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null && ! command -v google-chrome >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing headless Chromium (Debian package chromium)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    log "WARNING: no Chromium found and cannot install it (needs root and apt-get); browser tests will be skipped"
  fi
fi

# --- 4. PostgreSQL --------------------------------------------------------------------------
"$VENV/bin/python" "$ROOT/scripts/odoo_conf.py" db-params > "$STATE/db.env"
# shellcheck disable=SC1091
. "$STATE/db.env"   # DB_HOST DB_PORT DB_USER DB_PASSWORD, empty DB_HOST = embedded cluster
if [ -z "$DB_HOST" ]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$PG_BIN" ] || PG_BIN=$(dirname "$(command -v initdb || true)")
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL server binaries not found (initdb). Install PostgreSQL or set DB_HOST/DB_PORT/DB_USER/DB_PASSWORD."
  as_pg=()
  PGDATA="$STATE/pg"
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: run it as `postgres`, where that user can reach it.
    as_pg=(runuser -u postgres --)
    if ! runuser -u postgres -- test -x "$STATE"; then
      PGDATA="/tmp/training-suite-pg-$(echo "$ROOT" | sha1sum | cut -c1-10)"
    fi
  fi
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    log "creating the PostgreSQL cluster in $PGDATA"
    rm -rf "$PGDATA"; mkdir -p "$PGDATA"
    [ ${#as_pg[@]} -gt 0 ] && chown postgres: "$PGDATA"
    "${as_pg[@]}" "$PG_BIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null \
      || { rm -rf "$PGDATA"; die "initdb failed"; }
  fi
  if ! "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    port=$("$VENV/bin/python" "$ROOT/scripts/odoo_conf.py" free-port 55432)
    log "starting PostgreSQL on 127.0.0.1:$port"
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/server.log" \
      -o "-p $port -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null \
      || die "PostgreSQL did not start; see $PGDATA/server.log"
  fi
  port=$(sed -n '4p' "$PGDATA/postmaster.pid")
  "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq -c \
    "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN CREATE ROLE \"$DB_USER\" LOGIN CREATEDB; END IF; END\$\$;"
  printf 'DB_HOST=127.0.0.1\nDB_PORT=%s\nDB_USER=%s\nDB_PASSWORD=\n' "$port" "$DB_USER" > "$STATE/db.env"
fi

# --- 5. Runtime configs ---------------------------------------------------------------------
"$VENV/bin/python" "$ROOT/scripts/odoo_conf.py" write
