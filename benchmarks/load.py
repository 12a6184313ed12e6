"""Many people at once: memory per session, and concurrent sessions moving sliders.

Sessions are real Streamlit sessions driven over the WebSocket (benchmarks/wsclient.py):
every move reruns the script on the server exactly as a browser's slider move does, but
without a browser per person, so 50-200 people fit on the same 2-core machine as the
server. Latency here is the server's answer time as the network sees it (request sent to
`script_finished` received); drawing in the browser is measured in benchmarks/browser.py.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time

from benchmarks.common import APP, BASELINE, Server, cpu_seconds, log, ratio, rss_bytes, summary
from benchmarks.wsclient import RunError, Session

SLIDER_KEYS = ("input_goal", "input_timeframe", "input_stage", "input_structure")
LOAD_LIMIT_S = 600.0  # the whole load run gives up after this (never hangs)


class Sampler:
    """Samples a process's RSS every `interval` seconds in a thread, and its CPU time."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.samples.append(rss_bytes(self.pid))

    def __enter__(self) -> Sampler:
        self.cpu0, self.wall0, self.rss0 = (
            cpu_seconds(self.pid),
            time.monotonic(),
            rss_bytes(self.pid),
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.cpu = cpu_seconds(self.pid) - self.cpu0
        self.wall = time.monotonic() - self.wall0
        self.rss1 = rss_bytes(self.pid)

    def result(self) -> dict:
        return {
            "cpu_seconds": self.cpu,
            "wall_seconds": self.wall,
            "cpu_percent_of_one_core": 100 * self.cpu / self.wall if self.wall else 0.0,
            "rss_before_mb": self.rss0 / 2**20,
            "rss_after_mb": self.rss1 / 2**20,
            "rss_peak_mb": max([self.rss0, self.rss1, *self.samples]) / 2**20,
        }


# --------------------------------------------------------------------------- memory


async def _open_sessions(server: Server, count: int) -> list[Session]:
    sessions = []
    for _ in range(count):  # one after another: each first run completes before the next
        session = Session(server.ws_url)
        result = await session.connect()
        if result.exceptions:
            raise RunError(result.exceptions[0])
        sessions.append(session)
    return sessions


async def _settle_rss(pid: int, seconds: float = 1.5) -> int:
    """RSS after the server has been idle for a moment (deferred work done)."""
    await asyncio.sleep(seconds)
    return rss_bytes(pid)


def memory_per_session(script: str, extra: int = 20) -> dict:
    """Server RSS with 1 connected session, then with 1 + `extra`; growth per session."""

    async def run(server: Server) -> dict:
        first = await _open_sessions(server, 1)
        one = await _settle_rss(server.pid)
        more = await _open_sessions(server, extra)
        many = await _settle_rss(server.pid)
        for session in first + more:
            await session.close()
        return {
            "rss_1_session_mb": one / 2**20,
            f"rss_{1 + extra}_sessions_mb": many / 2**20,
            "sessions_added": extra,
            "kb_per_session": (many - one) / extra / 1024,
        }

    with Server(script) as server:
        return asyncio.run(asyncio.wait_for(run(server), LOAD_LIMIT_S))


def memory(extra: int = 20) -> dict:
    result = {
        "app": memory_per_session(APP, extra),
        "baseline": memory_per_session(BASELINE, extra),
    }
    result["ratio"] = ratio(result["app"]["kb_per_session"], result["baseline"]["kb_per_session"])
    log(
        f"memory: app {result['app']['kb_per_session']:.0f} kB/session, baseline "
        f"{result['baseline']['kb_per_session']:.0f} kB/session"
    )
    return result


# --------------------------------------------------------------------------- load


async def _person(server: Server, moves: int, seed: int, think: tuple[float, float]) -> dict:
    """One person: open the page, then `moves` slider moves with a pause to think."""
    rng = random.Random(seed)
    latencies: list[float] = []
    errors: list[str] = []
    session = Session(server.ws_url)
    try:
        first = await session.connect()
        errors += first.exceptions
        for _ in range(moves):
            await asyncio.sleep(rng.uniform(*think))
            key = rng.choice(SLIDER_KEYS)
            widget = session.widget(key)
            current = widget.options.index(widget.value[0])
            step = (
                rng.choice([-1, 1])
                if 0 < current < len(widget.options) - 1
                else (1 if current == 0 else -1)
            )
            target = widget.options[current + step]
            result = await session.set_slider(key, target)
            latencies.append(result.seconds * 1000)
            errors += result.exceptions
    except Exception as err:  # a failed person is an error, not a crashed benchmark
        errors.append(f"{type(err).__name__}: {err}")
    finally:
        await session.close()
    return {"latencies": latencies, "errors": errors}


THINK_S = (0.5, 1.5)  # pause between one person's moves: a brisk workshop pace


def concurrent(
    script: str,
    sessions: int,
    moves: int,
    think: tuple[float, float] = THINK_S,
    ramp_s: float = 5.0,
    env: dict[str, str] | None = None,
    keep_raw: bool = False,
) -> dict:
    """`sessions` people arrive over `ramp_s` seconds, each making `moves` slider moves."""

    async def run(server: Server) -> list[dict]:
        async def arrive(i: int) -> dict:
            await asyncio.sleep(ramp_s * i / max(sessions, 1))
            return await _person(server, moves, seed=i, think=think)

        return await asyncio.wait_for(
            asyncio.gather(*(arrive(i) for i in range(sessions))), LOAD_LIMIT_S
        )

    with Server(script, env=env or {}) as server:
        # One visit first, so start-up imports are not billed to the first arrivals.
        asyncio.run(_open_then_close(server))
        with Sampler(server.pid) as sampler:
            started = time.monotonic()
            people = asyncio.run(run(server))
            elapsed = time.monotonic() - started
    latencies = [x for p in people for x in p["latencies"]]
    errors = [e for p in people for e in p["errors"]]
    out = {
        "sessions": sessions,
        "moves_per_session": moves,
        "moves_done": len(latencies),
        "moves_expected": sessions * moves,
        "errors": len(errors),
        "error_examples": errors[:5],
        "latency_ms": summary(latencies),
        "moves_per_second": len(latencies) / elapsed if elapsed else 0.0,
        "server": sampler.result(),
    }
    if keep_raw:
        out["_latencies"] = latencies
    return out


async def _open_then_close(server: Server) -> None:
    session = Session(server.ws_url)
    await session.connect()
    await session.close()


VARIANTS = {
    # name: (script, extra environment)
    "app": (APP, {}),
    "baseline": (BASELINE, {}),
    # The baseline with the app's process tuning (gc.freeze, TCP_NODELAY): how much of
    # the difference is that tuning rather than the page's own work.
    "baseline_tuned": (BASELINE, {"BENCH_BASELINE_TUNED": "1"}),
    # The app with Streamlit's full GC after every run switched off (runner.postScriptGC),
    # the config change docs/performance.md recommends.
    "app_no_post_script_gc": (APP, {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "false"}),
}


def _pool(runs: list[dict]) -> dict:
    """One variant's runs pooled: all latencies, summed counts, mean CPU, peak RSS."""
    latencies = [x for run in runs for x in run.pop("_latencies")]
    first = runs[0]
    servers = [run["server"] for run in runs]
    return {
        "sessions": first["sessions"],
        "moves_per_session": first["moves_per_session"],
        "runs": len(runs),
        "moves_done": sum(run["moves_done"] for run in runs),
        "moves_expected": sum(run["moves_expected"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
        "error_examples": [e for run in runs for e in run["error_examples"]][:5],
        "latency_ms": summary(latencies),
        "moves_per_second": sum(run["moves_per_second"] for run in runs) / len(runs),
        "server": {
            "cpu_percent_of_one_core": sum(s["cpu_percent_of_one_core"] for s in servers)
            / len(servers),
            "rss_peak_mb": max(s["rss_peak_mb"] for s in servers),
            "rss_before_mb": servers[0]["rss_before_mb"],
            "rss_after_mb": servers[-1]["rss_after_mb"],
        },
        "per_run_p50_ms": [run["latency_ms"].get("p50") for run in runs],
    }


def load(
    sessions: int = 50,
    moves: int = 10,
    variants: tuple[str, ...] = tuple(VARIANTS),
    rounds: int = 2,
) -> dict:
    """Each variant `rounds` times, in the order ABCD DCBA...: machine load that comes and
    goes during the run then falls on every variant alike. Runs are pooled per variant."""
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    for round_ in range(rounds):
        for name in variants if round_ % 2 == 0 else tuple(reversed(variants)):
            script, env = VARIANTS[name]
            runs[name].append(concurrent(script, sessions, moves, env=env, keep_raw=True))
    result: dict = {"think_seconds": list(THINK_S), "rounds": rounds}
    for name in variants:
        result[name] = _pool(runs[name])
    app, base = result["app"], result["baseline"]
    result["ratio_p50"] = ratio(app["latency_ms"]["p50"], base["latency_ms"]["p50"])
    result["ratio_p95"] = ratio(app["latency_ms"]["p95"], base["latency_ms"]["p95"])
    log(
        f"load {sessions}x{moves}: app errors {app['errors']} p50 {app['latency_ms']['p50']:.0f} "
        f"p95 {app['latency_ms']['p95']:.0f} p99 {app['latency_ms']['p99']:.0f} ms; baseline "
        f"p50 {base['latency_ms']['p50']:.0f} p95 {base['latency_ms']['p95']:.0f} ms"
    )
    return result
