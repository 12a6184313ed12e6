"""Start and stop `streamlit run` on loopback: one helper for tests, benchmarks and the
cluster test. Every wait is bounded; whoever starts a server stops it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only, always
APP = "app.py"
START_TIMEOUT_S = 60.0
START_ATTEMPTS = 3  # a fresh free port each time, in case another process took it
STOP_TIMEOUT_S = 15.0
POLL_S = 0.1


def streamlit_command(script: str, port: int) -> list[str]:
    """`streamlit run SCRIPT` on 127.0.0.1:PORT, headless, without usage statistics and with
    no file watcher: the code under test is fixed for the run."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.address",
        HOST,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def answers_ok(url: str, timeout: float = 2.0) -> bool:
    """True when `url` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until_healthy(base_url: str, timeout_s: float = START_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if answers_ok(f"{base_url}/_stcore/health"):
            return True
        time.sleep(POLL_S)
    return False


class StreamlitServer:
    """`streamlit run SCRIPT` in a child process on 127.0.0.1 and a free port, with its own
    environment; every other setting comes from .streamlit/config.toml as in production."""

    def __init__(
        self, script: str = APP, env: Mapping[str, str] | None = None, logs: Path | None = None
    ) -> None:
        self.script = script
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.logs = logs or Path(tempfile.mkdtemp(prefix="streamlit-logs-"))
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}/_stcore/stream"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _log(self, name: str) -> Path:
        return self.logs / f"{name}-{self.starts}.log"

    def launch(self, poll_s: float = POLL_S) -> bool:
        """Start the process on `self.port` (a new pair of logs) and wait until it answers
        its health check; False if it exits or is not up within START_TIMEOUT_S."""
        self.starts += 1
        self.logs.mkdir(parents=True, exist_ok=True)
        with self._log("stdout").open("wb") as out, self._log("stderr").open("wb") as err:
            self.process = subprocess.Popen(
                streamlit_command(self.script, self.port),
                cwd=REPO_ROOT,
                env=self.env,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while self.process.poll() is None and time.monotonic() < deadline:
            if answers_ok(f"{self.url}/_stcore/health", timeout=1.0):
                return True
            time.sleep(poll_s)
        return False

    def start(self) -> StreamlitServer:
        failure = ""
        for _ in range(START_ATTEMPTS):
            self.port = free_port()
            if self.launch():
                return self
            assert self.process is not None
            code = self.process.poll()
            failure = f"exit code {code}\n{self.tail()}"
            self.stop()
            if code is None or "already in use" not in failure:
                break
        raise RuntimeError(f"{self.script} did not start at {self.url}: {failure}")

    def tail(self, limit: int = 3000) -> str:
        parts = []
        for name in ("stderr", "stdout"):
            path = self._log(name)
            text = path.read_text(errors="replace") if path.exists() else ""
            parts.append(f"{name}:\n{text[-limit:] or '(empty)'}")
        return "\n".join(parts)

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

    def __enter__(self) -> StreamlitServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
