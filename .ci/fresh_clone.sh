#!/usr/bin/env bash
# The paths a newcomer takes, before the developer's: in a fresh clone of this checkout,
#  (a) `make run` alone (a new .venv from requirements/app.lock) serves the app, and Explore
#      in Chromium draws the live radar with no error on the page;
#  (b) `pip install .` into another new venv (the pyproject's own ranges, no extras), then
#      `streamlit run app.py`, does the same.
# The browser check runs from this checkout's dev venv (PYTHON), never from the clone's.
# Every wait is bounded; both servers are stopped and the clone removed on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$here/.venv/bin/python}
tmp=$(mktemp -d -t fresh-clone-XXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  sleep 1
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Start "$@" in its own process group, logging to $log; wait (bounded) for /_stcore/health.
serve_and_check() {
  local name=$1 port=$2 log=$3; shift 3
  setsid "$@" >"$log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local up=0
  for _ in $(seq 1 300); do  # at most ~10 minutes: the first command installs everything
    if curl -fsS "http://127.0.0.1:$port/_stcore/health" 2>/dev/null | grep -q ok; then up=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 2
  done
  if [ "$up" != 1 ]; then
    echo "FAIL $name: the app did not come up on :$port; the end of its log:" >&2
    tail -n 30 "$log" >&2
    return 1
  fi
  (cd "$here" && "$python" -m testkit.first_page "http://127.0.0.1:$port/") || {
    echo "FAIL $name: Explore did not work; the end of the server log:" >&2
    tail -n 30 "$log" >&2
    return 1
  }
  kill -- "-$pid" 2>/dev/null || true
  echo "ok $name"
}

git clone -q "$here" "$tmp/clone"
git clone -q "$here" "$tmp/clone-pip"
cd "$tmp/clone"
# (b)'s install runs beside (a), in its own clone and venv (a build writes into its
# source folder), so that the two first installs do not take twice as long.
started=$(date +%s)
(cd "$tmp/clone-pip" && python3 -m venv "$tmp/pip-venv" \
  && "$tmp/pip-venv/bin/pip" install --quiet . >"$tmp/pip.log" 2>&1) &
pip_install=$!
port=$(free_port)
serve_and_check "fresh clone: make run" "$port" "$tmp/make-run.log" \
  make run HOST=127.0.0.1 PORT="$port"
echo "make run on a fresh clone: $(( $(date +%s) - started ))s"

wait "$pip_install" || {
  echo "FAIL pip install . on a fresh clone:" >&2; tail -n 30 "$tmp/pip.log" >&2; exit 1;
}
cd "$tmp/clone-pip"
port=$(free_port)
serve_and_check "fresh clone: pip install . then streamlit run app.py" "$port" "$tmp/pip-run.log" \
  "$tmp/pip-venv/bin/streamlit" run app.py --server.address 127.0.0.1 --server.port "$port"
echo "pip install . on a fresh clone (started beside make run): $(( $(date +%s) - started ))s"
