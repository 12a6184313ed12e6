"""One committed move on a quiet server, and where the app's rerun spends its time.

- **serial**: one session per page, no one else on the server, committed moves one after
  another at a person's pace (no more often than the app starts pacing a connection; app
  and baseline interleaved, each on its own server started in this run). The
  figure is the server's answer time for one move at the WebSocket (request sent →
  `script_finished`) and the bytes it sends back to a client that caches nothing; it is the
  floor under the load figures.
- **profile**: pyinstrument inside the script thread over Explore reruns in Streamlit's
  AppTest (views/frame.py with the Explore page), each rerun after a report from the live
  explorer (the session-state entry its `on_inputs_change` callback writes), so the frame,
  the page and Streamlit's own work after a release are all in it. AppTest compiles the
  scripts on every run, which a server does once: those lines are Streamlit's, not the app's.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from benchmarks.common import APP, BASELINE, MOVE_INTERVAL_S, Server, log, ratio, summary
from benchmarks.load import Person
from benchmarks.wsclient import RunError, Session
from testkit.server import REPO_ROOT

LIMIT_S = 300.0
PROFILE_INTERVAL_S = 0.0005
# Lines of the profile worth showing: the app's own code and the script runner's entry.
_OURS = re.compile(r"(pages|views|explorer|web)/\S+\.py|frame\.py|_run_script\b")


def serial(moves: int) -> dict[str, Any]:
    """Server time and bytes of one committed move, one session alone, app vs baseline."""

    async def run(servers: dict[str, Server]) -> dict[str, dict[str, list[float]]]:
        people: dict[str, Person] = {}
        for name, server in servers.items():
            session = Session(server.ws_url)
            first = await session.connect()
            if first.exceptions:
                raise RunError(first.exceptions[0])
            people[name] = Person(session, name, seed=1)
        samples: dict[str, dict[str, list[float]]] = {
            name: {"ms": [], "bytes": []} for name in people
        }
        try:
            for person in people.values():  # warm-up: every code path once
                for _ in range(4):
                    await person.move()
                    await asyncio.sleep(MOVE_INTERVAL_S)
            for i in range(moves):
                order = list(people.items()) if i % 2 == 0 else list(reversed(people.items()))
                began = time.monotonic()
                for name, person in order:
                    result, problem = await person.move()
                    if result.exceptions or problem:
                        raise RunError(str(result.exceptions or problem))
                    samples[name]["ms"].append(result.seconds * 1000)
                    samples[name]["bytes"].append(result.bytes_received)
                # never faster than the app paces a connection (see MOVE_INTERVAL_S)
                await asyncio.sleep(max(0.0, began + MOVE_INTERVAL_S - time.monotonic()))
        finally:
            for person in people.values():
                await person.session.close()
        return samples

    with Server(APP) as app, Server(BASELINE) as baseline:
        servers = {"app": app, "baseline": baseline}
        samples = asyncio.run(asyncio.wait_for(run(servers), LIMIT_S))
    result: dict[str, Any] = {
        "server_ms": {name: summary(s["ms"]) for name, s in samples.items()},
        "bytes": {name: summary(s["bytes"]) for name, s in samples.items()},
    }
    ms = result["server_ms"]
    result["ratio_p50"] = ratio(ms["app"].get("p50"), ms["baseline"].get("p50"))
    log(
        f"serial move: app p50 {ms['app'].get('p50', 0):.0f} ms, baseline p50 "
        f"{ms['baseline'].get('p50', 0):.0f} ms"
    )
    return result


def profile(reruns: int) -> dict[str, Any]:
    """pyinstrument over `reruns` Explore reruns after a release (AppTest)."""
    from pyinstrument import Profiler
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
    from streamlit.testing.v1 import AppTest

    from explorer import load_content

    content = load_content()
    walk = list(content.main_inputs)
    profiler = Profiler(interval=PROFILE_INTERVAL_S, async_mode="disabled")
    original = ScriptRunner._run_script
    recording = {"on": False}

    def profiled(self: Any, rerun_data: Any) -> Any:
        """The script thread's run, profiled while recording (the profiler samples only
        the thread that starts it, and AppTest runs the script in its own thread)."""
        if not recording["on"]:
            return original(self, rerun_data)
        profiler.start()
        try:
            return original(self, rerun_data)
        finally:
            profiler.stop()

    at = AppTest.from_file(str(REPO_ROOT / "views" / "frame.py"), default_timeout=60)
    inputs = dict(content.defaults)
    times: list[float] = []
    ScriptRunner._run_script = profiled  # type: ignore[method-assign]
    try:
        at.run()
        for i in range(reruns + 4):  # four unrecorded runs first
            spec = walk[i % len(walk)]
            options = list(spec.option_ids)
            inputs[spec.id] = options[(options.index(inputs[spec.id]) + 1) % len(options)]
            main = {s.id: inputs[s.id] for s in content.main_inputs}
            at.session_state["live:report"] = {**main, "release": i + 1}
            recording["on"] = i >= 4
            started = time.perf_counter()
            at.run()
            if recording["on"]:
                times.append(1000 * (time.perf_counter() - started))
            if at.exception:
                raise RunError(at.exception[0].message)
    finally:
        ScriptRunner._run_script = original  # type: ignore[method-assign]
    session = profiler.last_session
    if session is None:
        raise RunError("pyinstrument recorded nothing")
    root = session.root_frame()
    frame_ms = _module_ms(root, "views/frame.py") / reruns
    page_ms = _module_ms(root, "pages/explore.py") / reruns
    calls = _calls_in(root, "pages/explore.py")
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    excerpt = [line for line in text.splitlines() if _OURS.search(line)]
    log(f"profile: {reruns} Explore reruns in AppTest, p50 {summary(times).get('p50', 0):.0f} ms")
    return {
        "reruns": reruns,
        "apptest_run_ms": summary(times),
        "frame_ms_per_rerun": frame_ms,
        "page_ms_per_rerun": page_ms,
        "page_calls_ms_per_rerun": {name: ms / reruns for name, ms in calls.items()},
        "excerpt": excerpt[:60],
    }


def _frames(frame: Any) -> Any:
    yield frame
    for child in frame.children:
        yield from _frames(child)


def _module_ms(root: Any, path: str) -> float:
    """Milliseconds in a script's module body (outermost occurrences only)."""

    def walk(frame: Any) -> float:
        if frame.function == "<module>" and (frame.file_path or "").endswith(path):
            return 1000 * frame.time
        return sum(walk(child) for child in frame.children)

    return walk(root) if root is not None else 0.0


def _calls_in(root: Any, path: str) -> dict[str, float]:
    """Milliseconds per call made directly by a script's code (its module body or a function
    defined in it, such as an `st.fragment`), summed by name. A call that only leads back
    into the script (the fragment's wrapper) is looked through, not counted."""

    def ours(frame: Any) -> bool:
        return (frame.file_path or "").endswith(path)

    def leads_back(frame: Any) -> bool:
        return any(ours(child) or leads_back(child) for child in frame.children)

    out: dict[str, float] = {}
    for frame in _frames(root) if root is not None else ():
        if not ours(frame):
            continue
        for child in frame.children:
            if ours(child) or leads_back(child):
                continue
            name = child.function if not child.is_synthetic else "(self)"
            out[name] = out.get(name, 0.0) + 1000 * child.time
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))
