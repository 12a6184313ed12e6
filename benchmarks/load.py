"""Many people at once on one 2-core server: memory per session, and concurrent sessions
each making committed moves.

Sessions are real Streamlit sessions driven over the WebSocket (benchmarks/wsclient.py), so
every move reruns the script on the server exactly as a browser's does, without a browser
per person: 50 people fit on the same 2 cores as the server (the client shares them).

A committed move is what reaches the server when a person lets go of a slider:

- on the app, the live explorer's state (`{"inputs": {goal, timeframe, stage, structure,
  release}}`, one main input one step further, the release count one higher), as the
  component's `setStateValue` sends it; the page then renders the reasons, what would change
  it, the sensitivity strips and the share link. A move counts as applied only if the page
  wrote the new input into its URL (the `page_info_changed` it sends back);
- on the baseline, one select-slider one step further.

Latency is the server's answer as the network sees it: request sent → `script_finished`
received. Drawing in a browser is measured in benchmarks/browser.py.
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
from typing import Any
from urllib.parse import parse_qs

from benchmarks.common import (
    APP,
    APP_UNFROZEN,
    BASELINE,
    MANY_VISITORS_ENV,
    Sampler,
    Server,
    log,
    ratio,
    rss_bytes,
    summary,
)
from benchmarks.wsclient import RunError, RunResult, Session, gather_bounded

LOAD_LIMIT_S = 600.0  # one load run gives up after this (never hangs)
THINK_S = (0.5, 1.5)  # pause between one person's moves: a brisk workshop pace
RAMP_S = 5.0  # people arrive over this many seconds
# Streamlit's full collection after every script run: on (Streamlit's default) or off (as
# the app ships it, .streamlit/config.toml); set on every variant, so none depends on the file.
POST_SCRIPT_GC_ON = {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "true", **MANY_VISITORS_ENV}
POST_SCRIPT_GC_OFF = {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "false", **MANY_VISITORS_ENV}

# name: (script, environment, what the page is). Two settings are crossed on the app:
# runner.postScriptGC and the app's gc.freeze() of the start-up heap at server start
# (web/process.py). "app" is the app as shipped; the baseline runs under the same
# .streamlit/config.toml, so the two differ only in their scripts.
VARIANTS: dict[str, tuple[str, dict[str, str], str]] = {
    "app": (APP, POST_SCRIPT_GC_OFF, "app"),
    "app_post_script_gc": (APP, POST_SCRIPT_GC_ON, "app"),
    "app_unfrozen": (APP_UNFROZEN, POST_SCRIPT_GC_OFF, "app"),
    "app_unfrozen_post_script_gc": (APP_UNFROZEN, POST_SCRIPT_GC_ON, "app"),
    "baseline": (BASELINE, POST_SCRIPT_GC_OFF, "baseline"),
}


@functools.cache
def _main_inputs() -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """(id, option ids, default) of each main input, from content."""
    from explorer import load_content

    return tuple(
        (spec.id, tuple(spec.option_ids), spec.default) for spec in load_content().main_inputs
    )


def _step(rng: random.Random, options: list[str] | tuple[str, ...], current: str) -> str:
    """One option further, at random up or down (inwards at the ends)."""
    index, last = options.index(current), len(options) - 1
    direction = rng.choice((-1, 1)) if 0 < index < last else (1 if index == 0 else -1)
    return options[index + direction]


class Person:
    """One person's committed moves on the app (live explorer) or the baseline."""

    def __init__(self, session: Session, page: str, seed: int) -> None:
        self.session = session
        self.page = page
        self.rng = random.Random(seed)
        self.inputs = {name: default for name, _, default in _main_inputs()}
        self.release = 0

    async def move(self) -> tuple[RunResult, str | None]:
        """One committed move; returns the run and a problem, if the move was not applied."""
        if self.page == "baseline":
            key = self.rng.choice([k for k in self.session.widgets if k.startswith("input_")])
            widget = self.session.widget(key)
            target = _step(self.rng, widget.options, widget.value[0])
            return await self.session.set_slider(key, target), None
        name, options, _ = self.rng.choice(_main_inputs())
        self.inputs[name] = _step(self.rng, options, self.inputs[name])
        self.release += 1
        run = await self.session.set_component_state(
            "live", {"inputs": {**self.inputs, "release": self.release}}
        )
        shown = parse_qs(self.session.query_string).get(name, [""])[0]
        problem = None if shown == self.inputs[name] else f"move not applied: {name}={shown!r}"
        return run, problem


async def _person(
    server: Server, page: str, moves: int, seed: int, think: tuple[float, float]
) -> dict[str, Any]:
    """One person: open the page, then `moves` committed moves with a pause to think."""
    latencies: list[float] = []
    errors: list[str] = []
    session = Session(server.ws_url)
    person = Person(session, page, seed)
    try:
        first = await session.connect()
        errors += first.exceptions
        for _ in range(moves):
            await asyncio.sleep(person.rng.uniform(*think))
            run, problem = await person.move()
            latencies.append(run.seconds * 1000)
            errors += run.exceptions + ([problem] if problem else [])
    except Exception as err:  # a failed person is an error, not a crashed benchmark
        errors.append(f"{type(err).__name__}: {err}")
    finally:
        await session.close()
    return {"latencies": latencies, "errors": errors}


def concurrent(name: str, sessions: int, moves: int) -> dict[str, Any]:
    """`sessions` people arrive over RAMP_S seconds, each making `moves` committed moves,
    on a fresh server for variant `name`."""
    script, env, page = VARIANTS[name]

    async def run(server: Server) -> list[Any]:
        async def arrive(i: int) -> dict[str, Any]:
            await asyncio.sleep(RAMP_S * i / max(sessions, 1))
            return await _person(server, page, moves, seed=i, think=THINK_S)

        return await gather_bounded((arrive(i) for i in range(sessions)), LOAD_LIMIT_S)

    with Server(script, env=env) as server:
        # One visit first, so the server's first-run imports are not billed to the people.
        asyncio.run(_visit(server))
        with Sampler(server.pid) as sampler:
            started = time.monotonic()
            people = asyncio.run(run(server))
            elapsed = time.monotonic() - started
    crashed = [p for p in people if isinstance(p, BaseException)]
    people = [p for p in people if not isinstance(p, BaseException)]
    latencies = [x for p in people for x in p["latencies"]]
    errors = [e for p in people for e in p["errors"]] + [repr(c) for c in crashed]
    return {
        "moves_done": len(latencies),
        "moves_expected": sessions * moves,
        "errors": len(errors),
        "error_examples": errors[:5],
        "latencies": latencies,
        "moves_per_second": len(latencies) / elapsed if elapsed else 0.0,
        "server": sampler.result(),
    }


async def _visit(server: Server) -> RunResult:
    session = Session(server.ws_url)
    try:
        result = await session.connect()
    finally:
        await session.close()
    if result.exceptions:
        raise RunError(result.exceptions[0])
    return result


def _pool(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One variant's runs pooled: all latencies, summed counts, mean CPU, peak RSS."""
    servers = [run["server"] for run in runs]
    return {
        "runs": len(runs),
        "moves_done": sum(run["moves_done"] for run in runs),
        "moves_expected": sum(run["moves_expected"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
        "error_examples": [e for run in runs for e in run["error_examples"]][:5],
        "latency_ms": summary([x for run in runs for x in run["latencies"]]),
        "per_run_p95_ms": [summary(run["latencies"]).get("p95") for run in runs],
        "moves_per_second": sum(run["moves_per_second"] for run in runs) / len(runs),
        "server": {
            "cpu_percent_of_one_core": sum(s["cpu_percent_of_one_core"] for s in servers)
            / len(servers),
            "rss_before_mb": max(s["rss_before_mb"] for s in servers),
            "rss_peak_mb": max(s["rss_peak_mb"] for s in servers),
            "rss_after_mb": max(s["rss_after_mb"] for s in servers),
        },
    }


def load(sessions: int, moves: int, rounds: int) -> dict[str, Any]:
    """Each variant `rounds` times, in the order ABCDE EDCBA...: machine load that comes and
    goes during the run falls on every variant alike. Runs are pooled per variant."""
    names = tuple(VARIANTS)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else tuple(reversed(names)):
            runs[name].append(concurrent(name, sessions, moves))
            log(f"load {name} round {round_ + 1}: {_brief(runs[name][-1])}")
    result: dict[str, Any] = {
        "sessions": sessions,
        "moves_per_session": moves,
        "think_seconds": list(THINK_S),
        "ramp_seconds": RAMP_S,
        "rounds": rounds,
        "variants": {name: _pool(runs[name]) for name in names},
    }
    app, base = result["variants"]["app"], result["variants"]["baseline"]
    result["ratio_p50"] = ratio(app["latency_ms"].get("p50"), base["latency_ms"].get("p50"))
    result["ratio_p95"] = ratio(app["latency_ms"].get("p95"), base["latency_ms"].get("p95"))
    return result


def _brief(run: dict[str, Any]) -> str:
    s = summary(run["latencies"])
    return (
        f"{run['moves_done']}/{run['moves_expected']} moves, {run['errors']} errors, "
        f"p50 {s.get('p50', float('nan')):.0f} p95 {s.get('p95', float('nan')):.0f} ms"
    )


# --------------------------------------------------------------------------- memory


async def _open_sessions(server: Server, count: int) -> list[Session]:
    sessions = []
    for _ in range(count):  # one after another: each first run completes before the next
        session = Session(server.ws_url)
        result = await session.connect()
        sessions.append(session)
        if result.exceptions:
            raise RunError(result.exceptions[0])
    return sessions


async def _settled_rss(pid: int, seconds: float = 1.5) -> int:
    """RSS after the server has been idle for a moment (deferred work done)."""
    await asyncio.sleep(seconds)
    return rss_bytes(pid)


def memory_per_session(name: str, extra: int) -> dict[str, Any]:
    """Server RSS with 1 connected session, then with 1 + `extra`; growth per session."""
    script, env, _ = VARIANTS[name]

    async def run(server: Server) -> dict[str, Any]:
        opened: list[Session] = []
        try:
            opened += await _open_sessions(server, 1)
            one = await _settled_rss(server.pid)
            opened += await _open_sessions(server, extra)
            many = await _settled_rss(server.pid)
        finally:
            for session in opened:
                await session.close()
        return {
            "rss_1_session_mb": one / 2**20,
            "rss_more_sessions_mb": many / 2**20,
            "sessions": 1 + extra,
            "kb_per_session": (many - one) / extra / 1024,
        }

    with Server(script, env=env) as server:
        return asyncio.run(asyncio.wait_for(run(server), LOAD_LIMIT_S))


def memory(extra: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        name: memory_per_session(name, extra) for name in ("app", "app_post_script_gc", "baseline")
    }
    result["ratio"] = ratio(result["app"]["kb_per_session"], result["baseline"]["kb_per_session"])
    log(
        "memory: "
        + ", ".join(
            f"{name} {result[name]['kb_per_session']:.0f} kB/session"
            for name in ("app", "app_post_script_gc", "baseline")
        )
    )
    return result
