"""What every benchmark shares: servers on loopback, /proc readings, statistics, Chromium and
the Streamlit WebSocket frames a page exchanges.

Every wait here is bounded; every server started here is stopped by the code that started it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.wsclient import component_code_bytes, frame_kind
from testkit.chromium import CHROMIUM, CHROMIUM_ARGS
from testkit.server import REPO_ROOT, StreamlitServer

APP = "app.py"
BASELINE = "benchmarks/baseline_app.py"
APP_UNFROZEN = "benchmarks/app_unfrozen.py"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
# The app paces each WebSocket connection's messages (web/stream_guard.py: a token bucket, 2
# a second after a burst). Moves made back to back by a benchmark would measure that pacing,
# not the work: one page or session makes at most one committed move per this many seconds.
MOVE_INTERVAL_S = 0.6
# Every simulated visitor of a benchmark comes from 127.0.0.1, which the app would count as
# one client (web/stream_guard.py: 30 streams and 8 messages a second per address). Load
# benchmarks stand for many machines, so they lift the per-address limits for their server.
MANY_VISITORS_ENV = {
    "EXPLORER_MAX_STREAMS_PER_ADDRESS": "100000",
    "EXPLORER_STREAM_MESSAGES_PER_SECOND_PER_ADDRESS": "100000",
}

# --------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], p: float) -> float:
    """Linear-interpolated percentile (p in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(values: Sequence[float]) -> dict[str, float]:
    """n, p50, p95, p99, min, max, mean of a list of numbers ({"n": 0} when empty)."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": statistics.median(values),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "min": min(values),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


def ratio(a: float | None, b: float | None) -> float:
    return a / b if a is not None and b else float("nan")


# --------------------------------------------------------------------------- /proc


def rss_bytes(pid: int) -> int:
    """Resident set size of one process, from /proc (0 if it has gone)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, ValueError, IndexError):
        return 0.0


def load_average() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


class Sampler:
    """Processes' CPU time over a block, and their RSS (summed) sampled every `interval` s in
    a thread: one app server, or both replicas of a cluster."""

    def __init__(self, pids: int | Sequence[int], interval: float = 0.2) -> None:
        self.pids = (pids,) if isinstance(pids, int) else tuple(pids)
        self.interval = interval
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def _rss(self) -> int:
        return sum(rss_bytes(pid) for pid in self.pids)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.samples.append(self._rss())

    def __enter__(self) -> Sampler:
        self.cpu0, self.wall0, self.rss0 = self._cpu(), time.monotonic(), self._rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.cpu = self._cpu() - self.cpu0
        self.wall = time.monotonic() - self.wall0
        self.rss1 = self._rss()

    def result(self) -> dict[str, float]:
        return {
            "cpu_seconds": self.cpu,
            "wall_seconds": self.wall,
            "cpu_percent_of_one_core": 100 * self.cpu / self.wall if self.wall else 0.0,
            "rss_before_mb": self.rss0 / 2**20,
            "rss_after_mb": self.rss1 / 2**20,
            "rss_peak_mb": max([self.rss0, self.rss1, *self.samples]) / 2**20,
        }


def code_version() -> dict[str, str]:
    """The commit, and a fingerprint of the app's files (everything but benchmarks/, docs/,
    tests/): their blobs in the index plus any uncommitted change. Others commit while a
    run is going; only a change to the app's own files changes what is measured."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
        ).stdout

    app = [".", ":!benchmarks", ":!docs", ":!tests", ":!test-artifacts"]
    files = (
        git("ls-files", "-s", "--", *app)
        + git("diff", "HEAD", "--", *app)
        + git("ls-files", "--others", "--exclude-standard", "--", *app)
    )
    return {
        "head": git("rev-parse", "--short", "HEAD").strip(),
        "app_fingerprint": hashlib.sha1(files.encode()).hexdigest()[:12],
    }


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    mem = ""
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        kb = int(next(ln for ln in f if ln.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    versions = {}
    from importlib.metadata import PackageNotFoundError, version

    for package in ("streamlit", "plotly", "playwright", "websockets", "sqlalchemy", "psycopg"):
        with contextlib.suppress(PackageNotFoundError):
            versions[package] = version(package)
    chromium = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        chromium = subprocess.run(
            [str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=20
        ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": mem,
        "load_average_at_start": load_average(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "chromium": chromium,
        **{f"{k}_version": v for k, v in versions.items()},
    }


# --------------------------------------------------------------------------- servers


# A benchmark's `streamlit run SCRIPT` (the app, a variant of it, or the baseline): the one
# server helper the tests, the benchmarks and the cluster test share.
Server = StreamlitServer


# --------------------------------------------------------------------------- browser


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} not found: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


# Finds the first element matching a selector in the document or any open shadow root (the
# live explorer is a components-v2 component: its DOM sits in a shadow root).
DEEP_QUERY_JS = """
(selector) => {
  const walk = (root) => {
    const hit = root.querySelector(selector);
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) { const found = walk(el.shadowRoot); if (found) return found; }
    }
    return null;
  };
  return walk(document);
}
"""


@dataclass
class Frame:
    """One WebSocket frame: when this process saw it (monotonic s), when Chromium sent or
    received it (its own monotonic clock, s), which way, how many bytes, what it carried."""

    at: float
    browser_at: float
    sent: bool
    size: int
    kind: str
    code_bytes: int = 0  # a component delta's JS, CSS and HTML
    fragment: bool = False  # a rerun request or a finished run of one fragment only
    trigger: bool = False  # a rerun request carrying a component's trigger value


@dataclass
class Frames:
    """Every frame of a page's Streamlit WebSocket (/_stcore/stream), read with Chromium's
    DevTools protocol (Network.webSocketFrameSent / Received): exact payload sizes, and each
    ForwardMsg / BackMsg decoded so a move's bytes can be split by what they carried."""

    page: Any
    frames: list[Frame] = field(default_factory=list)
    _sockets: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        cdp = self.page.context.new_cdp_session(self.page)
        cdp.on("Network.webSocketCreated", self._created)
        cdp.on("Network.webSocketFrameReceived", lambda e: self._frame(e, sent=False))
        cdp.on("Network.webSocketFrameSent", lambda e: self._frame(e, sent=True))
        cdp.send("Network.enable")
        self.cdp = cdp

    def _created(self, event: dict) -> None:
        if "/_stcore/stream" in event.get("url", ""):
            self._sockets.add(event["requestId"])

    def _frame(self, event: dict, *, sent: bool) -> None:
        if event.get("requestId") not in self._sockets:
            return
        response = event["response"]
        if response.get("opcode") != 2:  # Streamlit's messages are binary protobuf
            return
        payload = base64.b64decode(response["payloadData"])
        now, stamp = time.monotonic(), float(event.get("timestamp", 0.0))
        if sent:
            back = BackMsg.FromString(payload)
            kind = back.WhichOneof("type") or "?"
            fragment = trigger = False
            if kind == "rerun_script":
                fragment = bool(back.rerun_script.fragment_id)
                trigger = any(
                    w.WhichOneof("value") in ("json_trigger_value", "trigger_value")
                    for w in back.rerun_script.widget_states.widgets
                )
            self.frames.append(Frame(now, stamp, True, len(payload), kind, 0, fragment, trigger))
            return
        fwd = ForwardMsg.FromString(payload)
        kind = frame_kind(fwd)
        fragment = (
            kind == "script_finished"
            and fwd.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
        )
        code = component_code_bytes(fwd)
        self.frames.append(Frame(now, stamp, False, len(payload), kind, code, fragment))

    def mark(self) -> int:
        return len(self.frames)

    def finished_since(self, mark: int) -> int:
        """Runs (whole script or fragment) that finished after `mark`."""
        return sum(1 for f in self.frames[mark:] if not f.sent and f.kind == "script_finished")

    def bytes_since(self, mark: int) -> dict[str, Any]:
        """Bytes received and sent after `mark`, and received bytes by what they carried."""
        window = self.frames[mark:]
        by_kind: dict[str, int] = {}
        for f in window:
            if not f.sent:
                by_kind[f.kind] = by_kind.get(f.kind, 0) + f.size
        return {
            "received": sum(f.size for f in window if not f.sent),
            "sent": sum(f.size for f in window if f.sent),
            "component_code": sum(f.code_bytes for f in window),
            "by_kind": by_kind,
        }

    def round_trip_ms(self, mark: int) -> float | None:
        """From the first rerun request sent after `mark` to the next finished run received,
        on Chromium's clock: the server's share of a move as the browser's network sees it."""
        window = self.frames[mark:]
        sent = next((f for f in window if f.sent and f.kind == "rerun_script"), None)
        if sent is None:
            return None
        done = next(
            (
                f
                for f in window
                if not f.sent and f.kind == "script_finished" and f.browser_at >= sent.browser_at
            ),
            None,
        )
        return 1000 * (done.browser_at - sent.browser_at) if done else None

    def wait_for_runs(self, mark: int, runs: int, timeout_s: float) -> bool:
        """Wait (bounded) until `runs` runs have finished after `mark`; CDP events are
        delivered while Playwright waits, so this waits in short page timeouts."""
        deadline = time.monotonic() + timeout_s
        while self.finished_since(mark) < runs:
            if time.monotonic() > deadline:
                return False
            self.page.wait_for_timeout(5)
        return True


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
