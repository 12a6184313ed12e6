"""Helpers for the reliability tests: the app as a real server, databases, measured counts.

AppServer
    ``streamlit run app.py`` in a child process (no shell) on 127.0.0.1 and a free port,
    with its own environment. Only the address, port, headless and file-watcher flags are
    passed, so every other setting comes from ``.streamlit/config.toml`` as in production.
    ``kill()`` sends SIGKILL (a crash); ``stop()`` asks politely first.

PostgreSQL
    ``postgres_url()``: ``EXPLORER_TEST_POSTGRES_URL``; fails under ``CI=true`` when it is
    missing, skips with a message otherwise. ``private_schema(url)`` gives a fresh schema.
    ``PrivatePostgres``: a throwaway cluster of its own (same binaries as .ci/postgres.sh)
    that a test may stop and start without disturbing the shared server.

record(family, test, **counts)
    Merge measured counts into ``test-artifacts/reliability/<family>.json``;
    docs/reliability.md is filled from these files.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from benchmarks.common import free_port, streamlit_command

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO_ROOT / "test-artifacts" / "reliability"

START_TIMEOUT_S = 60.0
START_ATTEMPTS = 3
STOP_TIMEOUT_S = 15.0
POLL_S = 0.1


def http(
    url: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


def _answers(url: str) -> bool:
    try:
        status, _, body = http(url, timeout=2)
    except (urllib.error.URLError, OSError):
        return False
    return status == 200 and body.strip() == b"ok"


class AppServer:
    """The app served by ``streamlit run`` in a child process on 127.0.0.1."""

    def __init__(self, env: Mapping[str, str], logs: Path) -> None:
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
        self.logs = logs
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.starts = 0

    def start(self) -> AppServer:
        failure = ""
        for _ in range(START_ATTEMPTS):
            self.starts += 1
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            command = streamlit_command("app.py", port)
            self.logs.mkdir(parents=True, exist_ok=True)
            with self._log("stdout").open("wb") as out, self._log("stderr").open("wb") as err:
                self.process = subprocess.Popen(
                    command,
                    cwd=REPO_ROOT,
                    env=self.env,
                    stdout=out,
                    stderr=err,
                    stdin=subprocess.DEVNULL,
                )
            deadline = time.monotonic() + START_TIMEOUT_S
            while self.process.poll() is None and time.monotonic() < deadline:
                if _answers(f"{self.url}/_stcore/health"):
                    # Run app.py once so that deep links (e.g. /room) find st.navigation.
                    with contextlib.suppress(urllib.error.URLError, OSError):
                        http(f"{self.url}/_stcore/script-health-check", timeout=30)
                    return self
                time.sleep(POLL_S)
            code = self.process.poll()
            failure = f"exit code {code}\n{self.log_tail()}"
            self.stop()
            if code is None or "already in use" not in failure:
                break
        raise AssertionError(f"Streamlit did not start at {self.url}: {failure}")

    def _log(self, name: str) -> Path:
        return self.logs / f"{name}-{self.starts}.log"

    def log_tail(self, limit: int = 3000) -> str:
        parts = []
        for name in ("stderr", "stdout"):
            path = self._log(name)
            text = path.read_text(errors="replace") if path.exists() else ""
            parts.append(f"{name}:\n{text[-limit:] or '(empty)'}")
        return "\n".join(parts)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> int:
        """SIGKILL, as a crash or an out-of-memory kill would; returns the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=STOP_TIMEOUT_S)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_S)

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --------------------------------------------------------------------------- PostgreSQL


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def postgres_url() -> str:
    """The shared test server's URL; CI must have one, elsewhere the test is skipped."""
    url = os.environ.get("EXPLORER_TEST_POSTGRES_URL", "").strip()
    if url:
        return url
    if in_ci():
        pytest.fail(
            "CI=true but EXPLORER_TEST_POSTGRES_URL is not set: .ci/postgres.sh should have "
            "started PostgreSQL. PostgreSQL tests must run in CI, not be skipped."
        )
    pytest.skip(
        "PostgreSQL tests skipped: EXPLORER_TEST_POSTGRES_URL is not set "
        "(run `source .ci/postgres.sh` first to start a throwaway server)"
    )


@contextlib.contextmanager
def private_schema(admin_url: str) -> Iterator[str]:
    """A URL whose tables live in a fresh schema, dropped afterwards."""
    admin = sa.create_engine(admin_url, pool_size=1, max_overflow=0)
    schema = f"reliability_{uuid.uuid4().hex[:16]}"
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = sa.make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with contextlib.suppress(sa.exc.SQLAlchemyError), admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def _postgres_bindir() -> Path | None:
    state = Path(os.environ.get("EXPLORER_PG_STATE_DIR", "/tmp/explorer-ci-postgres"))
    candidates = []
    with contextlib.suppress(OSError):
        candidates.append(Path((state / "bindir").read_text().strip()))
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    candidates.extend(reversed(found))
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1 that one test may stop and restart.

    The shared server of .ci/postgres.sh is used by other tests; stopping it would break
    them, so fault tests get a cluster of their own, built with the same binaries.
    """

    def __init__(self) -> None:
        bindir = _postgres_bindir()
        if bindir is None:
            message = "PostgreSQL server binaries not found (.ci/postgres.sh installs them)"
            if in_ci():
                pytest.fail(message)
            pytest.skip(message)
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="explorer-pgfault."))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.root.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command, cwd="/", capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise AssertionError(f"{args[0]} failed: {result.stdout}\n{result.stderr}")

    def init(self) -> PrivatePostgres:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--auth=trust",  # loopback only, throwaway, no password to leak
            "--no-sync",
        )
        return self.start()

    def start(self) -> PrivatePostgres:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} "
            f"-c unix_socket_directories={self.root} -c fsync=off"
        )
        log = self.root / "server.log"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(log), "-o", options, "-w", "-t", "30", "start"
        )
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


# --------------------------------------------------------------------------- counts


def record(family: str, test: str, **counts: Any) -> Path:
    """Merge one test's measured counts into test-artifacts/reliability/<family>.json."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{family}.json"
    data: dict[str, Any] = {}
    if path.exists():
        with contextlib.suppress(ValueError):
            data = json.loads(path.read_text(encoding="utf-8"))
    data[test] = {**counts, "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
