"""Rerun cost: server-side time of one Explore-page rerun vs the bare baseline (AppTest).

Both pages run in this process through `streamlit.testing.v1.AppTest`. After one warm-up
run each, every sample moves one slider one step and times `AppTest.run()`. Samples are
interleaved A/B, and the order flips every round (ABBA...) so drift on a noisy machine
falls on both sides alike. The figure is the median; the goal is app/baseline <= 1.3.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from benchmarks.common import APP, BASELINE, REPO_ROOT, log, ratio, summary

SLIDERS = ("goal", "timeframe", "stage", "structure")


@contextlib.contextmanager
def server_like_script_cache(enabled: bool = True) -> Iterator[None]:
    """Compile each script once, as the server does.

    AppTest builds a new ScriptCache for every run, so every rerun re-reads, AST-rewrites
    (magic) and compiles every script file involved: app.py and the page for the app, one
    file for the baseline. A running server keeps one ScriptCache for its lifetime. With
    this patch all AppTest runs share one cache, so only the script's own work is timed.
    """
    if not enabled:
        yield
        return
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    saved = (app_test.ScriptCache, local_script_runner.ScriptCache)
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared
    try:
        yield
    finally:
        app_test.ScriptCache, local_script_runner.ScriptCache = saved


def _option_cycle() -> dict[str, list[str]]:
    from explorer import load_content

    content = load_content()
    return {spec.id: list(spec.option_ids) for spec in content.main_inputs}


class _Page:
    """One AppTest page and the slider walk it is driven with."""

    def __init__(self, script: str, options: dict[str, list[str]]) -> None:
        from streamlit.testing.v1 import AppTest

        self.at = AppTest.from_file(str(REPO_ROOT / script), default_timeout=60)
        self.options = options
        self.direction = dict.fromkeys(SLIDERS, 1)
        self.step = 0
        self.at.run()
        self._check()
        self.position = {
            key: options[key].index(self.at.select_slider(key=f"input_{key}").value)
            for key in SLIDERS
        }

    def _check(self) -> None:
        if self.at.exception:
            raise RuntimeError(f"{self.at.exception[0].message}")

    def move(self) -> float:
        """Move the next slider one step (bouncing at the ends); seconds spent in run()."""
        key = SLIDERS[self.step % len(SLIDERS)]
        self.step += 1
        last = len(self.options[key]) - 1
        nxt = self.position[key] + self.direction[key]
        if not 0 <= nxt <= last:
            self.direction[key] *= -1
            nxt = self.position[key] + self.direction[key]
        self.position[key] = nxt
        self.at.select_slider(key=f"input_{key}").set_value(self.options[key][nxt])
        started = time.perf_counter()
        self.at.run()
        elapsed = time.perf_counter() - started
        self._check()
        return elapsed


def measure(reruns: int = 40, *, shared_script_cache: bool = True) -> dict:
    """Median rerun time of the app and the baseline, interleaved; milliseconds."""
    with server_like_script_cache(shared_script_cache):
        return _measure(reruns, shared_script_cache)


def _measure(reruns: int, shared_script_cache: bool) -> dict:
    options = _option_cycle()
    app, base = _Page(APP, options), _Page(BASELINE, options)
    # A few unrecorded moves so both pages have every code path and cache warm.
    for _ in range(4):
        app.move()
        base.move()
    times: dict[str, list[float]] = {"app": [], "baseline": []}
    for i in range(reruns):
        order: list[tuple[str, _Page]] = [("app", app), ("baseline", base)]
        if i % 2:
            order.reverse()
        for name, page in order:
            times[name].append(page.move() * 1000)
    result = {name: summary(values) for name, values in times.items()}
    result["ratio_p50"] = ratio(result["app"]["p50"], result["baseline"]["p50"])
    result["raw_ms"] = times
    result["shared_script_cache"] = shared_script_cache
    log(
        f"rerun (shared script cache: {shared_script_cache}): "
        f"app p50 {result['app']['p50']:.1f} ms, baseline p50 "
        f"{result['baseline']['p50']:.1f} ms, ratio {result['ratio_p50']:.2f}"
    )
    return result


def profile(reruns: int = 30) -> dict:
    """Where an Explore rerun spends its time: pyinstrument (if installed) inside the
    script thread, accumulated over `reruns` slider moves."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return {"available": False, "text": "pyinstrument is not installed"}
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    profiler = Profiler(interval=0.0002, async_mode="disabled")
    original = ScriptRunner._run_script
    recording = {"on": False}

    def profiled(self, rerun_data):
        if not recording["on"]:
            return original(self, rerun_data)
        profiler.start()
        try:
            return original(self, rerun_data)
        finally:
            profiler.stop()

    ScriptRunner._run_script = profiled
    try:
        with server_like_script_cache():
            app = _Page(APP, _option_cycle())
            for _ in range(4):
                app.move()
            recording["on"] = True
            for _ in range(reruns):
                app.move()
    finally:
        ScriptRunner._run_script = original
    text = profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False)
    return {"available": True, "reruns": reruns, "text": text}


def script_profile(reruns: int = 30) -> dict:
    """Time per top-level call in the Explore page script, by wrapping the panel functions."""
    from pages import common, panels

    names = [
        ("common", n)
        for n in ("bind_inputs_to_url", "input_sliders", "write_inputs_to_url", "show_url_notices")
    ] + [
        ("panels", n)
        for n in (
            "verdict_panel",
            "radar_chart",
            "reasons",
            "contested",
            "what_would_change_it",
            "sensitivity_view",
            "take_it_with_you",
            "boundaries",
        )
    ]
    spent: dict[str, float] = {}
    originals: dict[tuple[str, str], Callable] = {}
    modules = {"common": common, "panels": panels}

    def wrap(module_name: str, name: str, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

        return timed

    for module_name, name in names:
        fn = getattr(modules[module_name], name)
        originals[(module_name, name)] = fn
        setattr(modules[module_name], name, wrap(module_name, name, fn))
    try:
        with server_like_script_cache():
            app = _Page(APP, _option_cycle())
            for _ in range(4):
                app.move()
            spent.clear()
            total = sum(app.move() for _ in range(reruns))
    finally:
        for (module_name, name), fn in originals.items():
            setattr(modules[module_name], name, fn)
    per_rerun = {name: 1000 * t / reruns for name, t in spent.items()}
    return {"reruns": reruns, "total_ms": 1000 * total / reruns, "per_call_ms": per_rerun}
