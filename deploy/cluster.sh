#!/usr/bin/env bash
# Two `streamlit run app.py` replicas behind nginx (sticky sessions, WebSocket upgrade),
# both on one PostgreSQL room store. Runs in the foreground; Ctrl-C (or SIGTERM) stops
# nginx and both replicas and deletes the temporary nginx prefix. See docs/deploy.md.
#
#   deploy/cluster.sh                      # http://127.0.0.1:8500 -> replicas 8501, 8502
#   CLUSTER_PORT=9000 REPLICA_PORTS=9001,9002 deploy/cluster.sh
#   CLUSTER_HOST=0.0.0.0 deploy/cluster.sh # nginx on your network (replicas stay on loopback)
#
# The room store: $EXPLORER_DATABASE_URL (postgresql+psycopg://...). If it is unset, the
# server of $EXPLORER_TEST_POSTGRES_URL is used, and failing that a throwaway local
# PostgreSQL is started with .ci/postgres.sh (stopped again on exit).
#
# Environment: CLUSTER_HOST (127.0.0.1), CLUSTER_PORT (8500), REPLICA_PORTS (8501,8502),
# NGINX (nginx binary), PYTHON (.venv/bin/python), READY_TIMEOUT_S (90), CLUSTER_PREFIX
# (nginx's folder with its config and access log; by default a temporary one, deleted on
# exit - a given one is kept).
#
# The replicas learn each client's address from nginx's X-Forwarded-For, which uvicorn
# trusts only from FORWARDED_ALLOW_IPS (uvicorn's own setting; 127.0.0.1 here, where
# nginx connects from). Replicas on other hosts: set it to nginx's address.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER_HOST="${CLUSTER_HOST:-127.0.0.1}"
CLUSTER_PORT="${CLUSTER_PORT:-8500}"
REPLICA_PORTS="${REPLICA_PORTS:-8501,8502}"
PYTHON="${PYTHON:-.venv/bin/python}"
READY_TIMEOUT_S="${READY_TIMEOUT_S:-90}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
IFS=, read -r PORT_A PORT_B <<<"$REPLICA_PORTS"

log() { echo "cluster: $*" >&2; }
die() {
  log "$*"
  exit 1
}

[ -x "$NGINX" ] || die "nginx not found: apt-get install nginx (or set NGINX=/path/to/nginx)"
[ -x "$PYTHON" ] || die "$PYTHON not found: run 'make run' once to create .venv"

started_pg=0
if [ -z "${EXPLORER_DATABASE_URL:-}" ]; then
  if [ -z "${EXPLORER_TEST_POSTGRES_URL:-}" ]; then
    # shellcheck source=/dev/null
    source .ci/postgres.sh || die "could not start PostgreSQL"
    started_pg=1
  fi
  EXPLORER_DATABASE_URL="$EXPLORER_TEST_POSTGRES_URL"
fi
case "$EXPLORER_DATABASE_URL" in
  postgresql*) ;;
  *) die "EXPLORER_DATABASE_URL must be a PostgreSQL URL: both replicas share one store" ;;
esac
export EXPLORER_DATABASE_URL

keep_prefix=0
if [ -n "${CLUSTER_PREFIX:-}" ]; then
  prefix=$CLUSTER_PREFIX
  mkdir -p "$prefix"
  keep_prefix=1
else
  prefix=$(mktemp -d /tmp/explorer-cluster.XXXXXX)
fi
chmod 755 "$prefix"
mkdir -p "$prefix/tmp"
# nginx's workers write their temporary files here: only they may. Started as root, the
# workers run as nobody, who gets the folder; otherwise they run as this user.
chmod 700 "$prefix/tmp"
if [ "$(id -u)" = 0 ]; then
  chown nobody "$prefix/tmp"
fi
pids=()

cleanup() {
  trap - EXIT INT TERM
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$started_pg" = 1 ]; then
    explorer_postgres_stop >/dev/null 2>&1 || true
  fi
  if [ "$keep_prefix" = 0 ]; then
    rm -rf "$prefix"
  fi
  log "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for() { # URL: until it answers 200, or READY_TIMEOUT_S
  local url=$1 i
  for i in $(seq $((READY_TIMEOUT_S * 4))); do
    if curl -sf -m 2 -o /dev/null "$url"; then
      return 0
    fi
    sleep 0.25
  done
  return 1
}

# One cookie secret for both replicas, so a cookie signed by one (e.g. the XSRF token)
# is valid on the other should a browser ever switch replicas.
STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')}"
export STREAMLIT_SERVER_COOKIE_SECRET
# Who may tell a replica the client's address (X-Forwarded-For): nginx, on loopback.
FORWARDED_ALLOW_IPS="${FORWARDED_ALLOW_IPS:-127.0.0.1}"
export FORWARDED_ALLOW_IPS

for port in "$PORT_A" "$PORT_B"; do
  "$PYTHON" -m streamlit run app.py \
    --server.address 127.0.0.1 --server.port "$port" --server.headless true \
    --server.fileWatcherType none --browser.gatherUsageStats false \
    >"$prefix/replica-$port.log" 2>&1 &
  pids+=("$!")
done
for port in "$PORT_A" "$PORT_B"; do
  wait_for "http://127.0.0.1:$port/_stcore/health" || {
    tail -n 30 "$prefix/replica-$port.log" >&2
    die "replica on port $port did not start"
  }
  # Run app.py once, as `make run` does, so deep links (/room?...) work at once.
  curl -sf -m 60 -o /dev/null "http://127.0.0.1:$port/_stcore/script-health-check" ||
    log "warning: replica $port did not warm up"
done

sed -e "s|@PREFIX@|$prefix|g" -e "s|@LISTEN@|$CLUSTER_HOST|g" -e "s|@PORT@|$CLUSTER_PORT|g" \
  -e "s|@PORT_A@|$PORT_A|g" -e "s|@PORT_B@|$PORT_B|g" deploy/nginx.conf.template \
  >"$prefix/nginx.conf"
"$NGINX" -t -q -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" ||
  die "nginx rejected $prefix/nginx.conf"
"$NGINX" -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" -g 'daemon off;' &
pids+=("$!")
wait_for "http://127.0.0.1:$CLUSTER_PORT/_stcore/health" || {
  cat "$prefix/error.log" >&2 || true
  die "nginx did not answer on port $CLUSTER_PORT"
}

log "ready: http://$CLUSTER_HOST:$CLUSTER_PORT -> replicas 127.0.0.1:$PORT_A (a), 127.0.0.1:$PORT_B (b)"
log "room store: ${EXPLORER_DATABASE_URL%%://*}://...@${EXPLORER_DATABASE_URL##*@}"
if [ "$keep_prefix" = 1 ]; then
  log "logs: $prefix (kept); Ctrl-C stops everything"
else
  log "logs: $prefix (deleted on exit); Ctrl-C stops everything"
fi
echo "READY http://$CLUSTER_HOST:$CLUSTER_PORT"

# Stop everything as soon as one of them dies.
wait -n "${pids[@]}"
die "a replica or nginx exited"
