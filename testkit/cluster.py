"""deploy/cluster.sh (nginx in front of two app replicas) on free loopback ports, for the
browser tests and the benchmarks."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from testkit.server import REPO_ROOT

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CLUSTER_SCRIPT = REPO_ROOT / "deploy" / "cluster.sh"


@dataclass(frozen=True)
class Cluster:
    """A running deploy/cluster.sh: nginx's base URL and the replicas' ports."""

    url: str
    replica_ports: tuple[int, ...]

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1) + "/_stcore/stream"

    def replica_pids(self) -> tuple[int, ...]:
        """The replicas' process ids, found by their `--server.port` in /proc."""
        wanted = {f"--server.port\0{port}\0".encode() for port in self.replica_ports}
        pids = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                command = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if b"streamlit" in command and any(w in command for w in wanted):
                pids.append(int(proc.name))
        return tuple(sorted(pids))


def free_ports(count: int) -> list[int]:
    """`count` distinct free loopback ports (held open together while chosen)."""
    with contextlib.ExitStack() as stack:
        sockets = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]


@contextlib.contextmanager
def running_cluster(
    env: Mapping[str, str], log_dir: Path, start_timeout_s: float
) -> Iterator[Cluster]:
    """Start deploy/cluster.sh with `env` added to this process's environment (the database
    URL, data folder, limits); yields the running Cluster. RuntimeError, with the script's
    log, if it is not ready within `start_timeout_s`. Stopped with SIGTERM to the script,
    whose trap stops nginx and both replicas; its process group is killed if it hangs."""
    port, port_a, port_b = free_ports(3)
    full_env = {
        **os.environ,
        "CLUSTER_PORT": str(port),
        "REPLICA_PORTS": f"{port_a},{port_b}",
        "NGINX": NGINX,
        **env,
    }
    log_path = log_dir / "cluster.log"
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            ["bash", str(CLUSTER_SCRIPT)],
            cwd=REPO_ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + start_timeout_s
        while "READY " not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-4000:]
                raise RuntimeError(f"deploy/cluster.sh did not become ready:\n{tail}")
            time.sleep(0.25)
        yield Cluster(f"http://127.0.0.1:{port}", (port_a, port_b))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the script's own process group
                process.wait(timeout=10)
