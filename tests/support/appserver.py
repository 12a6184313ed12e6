"""Helpers for the reliability tests: the app as a real server, databases, measured counts.

AppServer
    ``streamlit run app.py`` (testkit.server.StreamlitServer) with its own environment
    and log folder. ``kill()`` sends SIGKILL (a crash); ``stop()`` asks politely first.

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

from testkit.server import APP, StreamlitServer, free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "reliability"


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


class AppServer(StreamlitServer):
    """The app served by ``streamlit run app.py``, with its own environment and log folder."""

    def __init__(self, env: Mapping[str, str], logs: Path) -> None:
        super().__init__(APP, env, logs)


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
