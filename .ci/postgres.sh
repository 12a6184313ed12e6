# shellcheck shell=bash
# Sourced by .ci/run (and usable by hand: `source .ci/postgres.sh`).
#
# Makes a PostgreSQL server reachable for the tests and exports
#   EXPLORER_TEST_POSTGRES_URL=postgresql+psycopg://USER:PASSWORD@127.0.0.1:PORT/DB
#
#  1. If EXPLORER_TEST_POSTGRES_URL is already set and answers, it is used as is.
#  2. If a server this script started earlier still answers, it is reused.
#  3. Otherwise Debian's `postgresql` is installed with apt-get if missing, a
#     throwaway cluster is initialised in /tmp/explorer-pg.XXXXXX (as the
#     `postgres` user when run as root), started on 127.0.0.1 only, on the first
#     free port from 54329, with a random password, and a database is created.
#
# Idempotent; every wait is bounded. Call `explorer_postgres_stop` to stop the
# server this script started and delete its cluster. It sets no shell options
# and no traps, so it is safe to source under `set -euo pipefail`.

EXPLORER_PG_STATE_DIR="${EXPLORER_PG_STATE_DIR:-/tmp/explorer-ci-postgres}"
EXPLORER_PG_FIRST_PORT="${EXPLORER_PG_FIRST_PORT:-54329}"
EXPLORER_PG_DB="${EXPLORER_PG_DB:-explorer_test}"

_explorer_pg_log() { echo "postgres.sh: $*" >&2; }

# Directory holding initdb/pg_ctl/psql of the newest installed server, if any.
_explorer_pg_bindir() {
  local dir best
  # The glob would sort 9 after 17: sort on the version field instead.
  best=$(for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; fi
  done | sort -t/ -k5,5 -n | tail -n 1)
  [ -n "$best" ] || return 1
  echo "$best"
}

# True when the SQLAlchemy-style URL $1 accepts a query within a few seconds.
_explorer_pg_url_ok() {
  local url="${1/+psycopg/}" psql=""
  local bindir
  if bindir=$(_explorer_pg_bindir) && [ -x "$bindir/psql" ]; then
    psql="$bindir/psql"
  elif command -v psql >/dev/null 2>&1; then
    psql=$(command -v psql)
  else
    return 1
  fi
  PGCONNECT_TIMEOUT=3 timeout 10 "$psql" "$url" -tAqc 'select 1' >/dev/null 2>&1
}

# Run a command as the postgres user when we are root (initdb refuses root).
_explorer_pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

_explorer_pg_port_free() {
  # Something answers on the port -> not free. /dev/tcp is a bash feature.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_explorer_pg_install() {
  if [ "$(id -u)" != 0 ]; then
    _explorer_pg_log "PostgreSQL is not installed and we are not root: install the 'postgresql' package"
    return 1
  fi
  _explorer_pg_log "installing Debian's postgresql package"
  if declare -F need_apt >/dev/null; then
    need_apt postgresql
  else
    apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
}

explorer_postgres_start() {
  local bindir port tries datadir password url i

  if [ -n "${EXPLORER_TEST_POSTGRES_URL:-}" ]; then
    if _explorer_pg_url_ok "$EXPLORER_TEST_POSTGRES_URL"; then
      _explorer_pg_log "using the server in EXPLORER_TEST_POSTGRES_URL"
      return 0
    fi
    _explorer_pg_log "EXPLORER_TEST_POSTGRES_URL does not answer; starting a local server instead"
  fi

  if ! bindir=$(_explorer_pg_bindir); then
    _explorer_pg_install || return 1
    bindir=$(_explorer_pg_bindir) || {
      _explorer_pg_log "postgresql installed but no server binaries found"
      return 1
    }
  fi

  # A server this script started earlier (another shell, same machine)?
  if [ -s "$EXPLORER_PG_STATE_DIR/url" ]; then
    url=$(cat "$EXPLORER_PG_STATE_DIR/url")
    if _explorer_pg_url_ok "$url"; then
      export EXPLORER_TEST_POSTGRES_URL="$url"
      EXPLORER_PG_DATADIR=$(cat "$EXPLORER_PG_STATE_DIR/datadir" 2>/dev/null || true)
      export EXPLORER_PG_DATADIR
      _explorer_pg_log "reusing the server started earlier (${url##*@})"
      return 0
    fi
    explorer_postgres_stop >/dev/null 2>&1 || true # stale: clean up what is left
  fi

  port=""
  for tries in $(seq 0 19); do
    if _explorer_pg_port_free $((EXPLORER_PG_FIRST_PORT + tries)); then
      port=$((EXPLORER_PG_FIRST_PORT + tries))
      break
    fi
  done
  if [ -z "$port" ]; then
    _explorer_pg_log "no free port in $EXPLORER_PG_FIRST_PORT..$((EXPLORER_PG_FIRST_PORT + 19))"
    return 1
  fi

  datadir=$(mktemp -d /tmp/explorer-pg.XXXXXX) || return 1
  chmod 755 "$datadir"
  password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  (umask 077 && printf '%s\n' "$password" >"$datadir/pwfile")
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$datadir" || return 1
  fi

  if ! _explorer_pg_as_owner "$bindir/initdb" -D "$datadir/data" -U postgres -E UTF8 \
    --pwfile="$datadir/pwfile" --auth-host=scram-sha-256 --auth-local=scram-sha-256 \
    --no-sync >"$datadir/initdb.log" 2>&1; then
    _explorer_pg_log "initdb failed:"
    cat "$datadir/initdb.log" >&2
    return 1
  fi
  rm -f "$datadir/pwfile"

  # -w -t 30: pg_ctl itself waits at most 30 s for the server to accept connections.
  if ! _explorer_pg_as_owner "$bindir/pg_ctl" -D "$datadir/data" -l "$datadir/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$datadir -c fsync=off" \
    -w -t 30 start >/dev/null; then
    _explorer_pg_log "the server did not start:"
    tail -n 20 "$datadir/server.log" >&2 || true
    return 1
  fi

  for i in $(seq 1 30); do
    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
      break
    fi
    if [ "$i" = 30 ]; then
      _explorer_pg_log "the server on port $port never became ready"
      return 1
    fi
    sleep 1
  done

  if ! PGPASSWORD="$password" PGCONNECT_TIMEOUT=5 "$bindir/createdb" -h 127.0.0.1 -p "$port" \
    -U postgres "$EXPLORER_PG_DB"; then
    _explorer_pg_log "createdb failed"
    return 1
  fi

  url="postgresql+psycopg://postgres:$password@127.0.0.1:$port/$EXPLORER_PG_DB"
  mkdir -p "$EXPLORER_PG_STATE_DIR" && chmod 700 "$EXPLORER_PG_STATE_DIR"
  printf '%s\n' "$url" >"$EXPLORER_PG_STATE_DIR/url"
  printf '%s\n' "$datadir" >"$EXPLORER_PG_STATE_DIR/datadir"
  printf '%s\n' "$bindir" >"$EXPLORER_PG_STATE_DIR/bindir"
  export EXPLORER_TEST_POSTGRES_URL="$url"
  export EXPLORER_PG_DATADIR="$datadir"
  _explorer_pg_log "started PostgreSQL on 127.0.0.1:$port (cluster in $datadir)"
}

# Stop the server this script started (if any) and delete its throwaway cluster.
explorer_postgres_stop() {
  local datadir bindir url
  url=$(cat "$EXPLORER_PG_STATE_DIR/url" 2>/dev/null || true)
  datadir=$(cat "$EXPLORER_PG_STATE_DIR/datadir" 2>/dev/null || true)
  bindir=$(cat "$EXPLORER_PG_STATE_DIR/bindir" 2>/dev/null || _explorer_pg_bindir || true)
  case "$datadir" in
    /tmp/explorer-pg.*)
      if [ -f "$datadir/data/postmaster.pid" ] && [ -n "$bindir" ]; then
        _explorer_pg_as_owner "$bindir/pg_ctl" -D "$datadir/data" -m fast -w -t 30 stop \
          >/dev/null 2>&1 || true
      fi
      rm -rf "$datadir"
      ;;
  esac
  rm -rf "$EXPLORER_PG_STATE_DIR"
  if [ -n "$url" ] && [ "${EXPLORER_TEST_POSTGRES_URL:-}" = "$url" ]; then
    unset EXPLORER_TEST_POSTGRES_URL EXPLORER_PG_DATADIR
  fi
}

explorer_postgres_start
