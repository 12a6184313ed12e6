"""What a person feels, in a real Chromium (Playwright): slider to radar, first load, bytes.

Slider to radar: focus a slider thumb in the sidebar, press an arrow key, and time from the
keydown (a capture listener in the page records `performance.now()`) until the radar's
plotted data (`.js-plotly-plot` `data`) differs from before (a MutationObserver on the
chart checks on every DOM change, so there is no polling interval and no fixed sleep).
Then wait until the run has finished before the next move. App and baseline moves are
interleaved, each in its own page, against servers started in the same run.

Bytes per move: every WebSocket frame the page receives on /_stcore/stream between the
keydown and the end of the run (`page.on("websocket")` -> `ws.on("framereceived")`).

First load: a new context navigates to the page; the time from navigation start until the
radar is drawn (three traces with data and a layout). "Cold" is the first visit after a
server start; "warm" is a new visitor (new context) on a server that has served before.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

from benchmarks.common import APP, BASELINE, Server, chromium, log, ratio, summary

RADAR = ".st-key-radar"
PLOT = f"{RADAR} .js-plotly-plot"
SLIDERS = ("Goal type", "Timeframe", "Career stage", "Desired structure")
MOVE_TIMEOUT_MS = 30_000
LOAD_TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1280, "height": 800}

# Installed once per page: records keydown times, and the time the radar's data changed.
_PROBE_JS = (
    """
() => {
  if (window.__bench) return;
  const key = (plot) => plot && Array.isArray(plot.data)
    ? JSON.stringify(plot.data.map((t) => Array.from(t.r || [], Number))) : null;
  window.__bench = { keydown: 0, changed: 0, before: null, armed: false };
  document.addEventListener('keydown', () => {
    const b = window.__bench;
    b.keydown = performance.now();
    b.before = key(document.querySelector('"""
    + PLOT
    + """'));
    b.changed = 0;
    b.armed = true;
  }, true);
  const check = () => {
    const b = window.__bench;
    if (!b.armed) return;
    const now = key(document.querySelector('"""
    + PLOT
    + """'));
    if (now !== null && now !== b.before) { b.changed = performance.now(); b.armed = false; }
  };
  new MutationObserver(check).observe(document.body,
    { subtree: true, childList: true, attributes: true, characterData: true });
}
"""
)

_SETTLED_JS = (
    """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const plot = document.querySelector('"""
    + PLOT
    + """');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && document.querySelectorAll('[data-stale="true"]').length === 0
    && !!plot && Array.isArray(plot.data) && plot.data.length >= 3 && !!plot._fullLayout;
}
"""
)

_DRAWN_JS = (
    """
() => {
  const plot = document.querySelector('"""
    + PLOT
    + """');
  return !!plot && Array.isArray(plot.data) && plot.data.length >= 3
    && plot.data.every((t) => t.r && t.r.length > 0) && !!plot._fullLayout
    && !!plot.querySelector('.scatterlayer path') ? performance.now() : false;
}
"""
)


@functools.cache
def _option_labels() -> dict[str, list[str]]:
    """Each main slider's option labels, in order (the thumb only exposes aria-valuetext)."""
    from explorer import load_content

    content = load_content()
    return {spec.label: [o.label for o in spec.options] for spec in content.main_inputs}


@dataclass
class _Tab:
    """One page on one server, with its WebSocket byte counter."""

    name: str
    page: object
    frames: list[int] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)
    direction: dict[str, int] = field(default_factory=dict)
    step: int = 0

    def listen(self) -> None:
        def on_ws(ws) -> None:
            if "/_stcore/stream" in ws.url:
                ws.on("framereceived", lambda payload: self.frames.append(len(payload)))

        self.page.on("websocket", on_ws)

    def settle(self) -> None:
        self.page.wait_for_function(_SETTLED_JS, polling=20, timeout=MOVE_TIMEOUT_MS)

    def slider(self, label: str):
        return self.page.locator('[data-testid="stSidebar"]').get_by_role("slider", name=label)

    def move(self) -> tuple[float, int]:
        """One arrow-key move: (ms from keydown to new radar data, bytes received)."""
        label = SLIDERS[self.step % len(SLIDERS)]
        self.step += 1
        thumb = self.slider(label)
        options = _option_labels()[label]
        if label not in self.position:
            self.position[label] = options.index(thumb.get_attribute("aria-valuetext"))
            self.direction[label] = 1
        high = len(options) - 1
        nxt = self.position[label] + self.direction[label]
        if not 0 <= nxt <= high:
            self.direction[label] *= -1
            nxt = self.position[label] + self.direction[label]
        self.position[label] = nxt
        thumb.focus()
        start = len(self.frames)
        self.page.keyboard.press("ArrowRight" if self.direction[label] > 0 else "ArrowLeft")
        self.page.wait_for_function(
            "() => window.__bench.changed > 0", polling="raf", timeout=MOVE_TIMEOUT_MS
        )
        self.settle()
        took = self.page.evaluate("() => window.__bench.changed - window.__bench.keydown")
        return took, sum(self.frames[start:])


def _open(browser, base_url: str, name: str) -> _Tab:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    page = context.new_page()
    tab = _Tab(name, page)
    tab.listen()
    page.goto(base_url)
    page.wait_for_function(_DRAWN_JS, polling="raf", timeout=LOAD_TIMEOUT_MS)
    tab.settle()
    page.evaluate(_PROBE_JS)
    return tab


def slider_to_radar(browser, servers: dict[str, Server], moves: int) -> dict:
    """p50/p95 keydown-to-new-radar and bytes per move, app vs baseline, interleaved."""
    tabs = {name: _open(browser, server.url, name) for name, server in servers.items()}
    for tab in tabs.values():  # warm-up: every slider once, not recorded
        for _ in range(len(SLIDERS)):
            tab.move()
    latency: dict[str, list[float]] = {name: [] for name in tabs}
    sizes: dict[str, list[int]] = {name: [] for name in tabs}
    names = list(tabs)
    for i in range(moves):
        for name in names if i % 2 == 0 else reversed(names):
            took, received = tabs[name].move()
            latency[name].append(took)
            sizes[name].append(received)
    for tab in tabs.values():
        tab.page.context.close()
    result = {
        "latency_ms": {name: summary(values) for name, values in latency.items()},
        "bytes_per_move": {name: summary(values) for name, values in sizes.items()},
        "raw_latency_ms": latency,
        "raw_bytes": sizes,
    }
    lat, size = result["latency_ms"], result["bytes_per_move"]
    result["ratio_p50"] = ratio(lat["app"]["p50"], lat["baseline"]["p50"])
    result["ratio_p95"] = ratio(lat["app"]["p95"], lat["baseline"]["p95"])
    result["bytes_ratio"] = ratio(size["app"]["p50"], size["baseline"]["p50"])
    log(
        f"slider->radar: app p50 {lat['app']['p50']:.0f} ms p95 {lat['app']['p95']:.0f} ms; "
        f"baseline p50 {lat['baseline']['p50']:.0f} ms p95 {lat['baseline']['p95']:.0f} ms; "
        f"bytes/move app {size['app']['p50']:.0f} baseline {size['baseline']['p50']:.0f}"
    )
    return result


def _load_once(browser, base_url: str) -> float:
    """ms from navigation start to the radar drawn, in a fresh context (empty cache)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(base_url, wait_until="commit")
        handle = page.wait_for_function(_DRAWN_JS, polling="raf", timeout=LOAD_TIMEOUT_MS)
        return float(handle.json_value())
    finally:
        context.close()


def first_load(browser, scripts: dict[str, str], cold_rounds: int, warm_loads: int) -> dict:
    """Cold (first visit after a fresh server start, no warm-up) and warm (new visitor) loads."""
    cold: dict[str, list[float]] = {name: [] for name in scripts}
    warm: dict[str, list[float]] = {name: [] for name in scripts}
    for round_ in range(cold_rounds):
        order = list(scripts.items()) if round_ % 2 == 0 else list(reversed(scripts.items()))
        for name, script in order:
            with Server(script) as server:
                cold[name].append(_load_once(browser, server.url))
                if round_ == 0:
                    for _ in range(warm_loads):
                        warm[name].append(_load_once(browser, server.url))
    result = {
        "cold_ms": {name: summary(v) for name, v in cold.items()},
        "warm_ms": {name: summary(v) for name, v in warm.items()},
        "raw_cold_ms": cold,
        "raw_warm_ms": warm,
    }
    result["cold_ratio"] = ratio(
        result["cold_ms"]["app"]["p50"], result["cold_ms"]["baseline"]["p50"]
    )
    result["warm_ratio"] = ratio(
        result["warm_ms"]["app"]["p50"], result["warm_ms"]["baseline"]["p50"]
    )
    log(
        f"first load: cold app {result['cold_ms']['app']['p50']:.0f} ms vs "
        f"{result['cold_ms']['baseline']['p50']:.0f} ms; warm app "
        f"{result['warm_ms']['app']['p50']:.0f} ms vs {result['warm_ms']['baseline']['p50']:.0f} ms"
    )
    return result


def measure(moves: int = 60, cold_rounds: int = 3, warm_loads: int = 8) -> dict:
    started = time.monotonic()
    with chromium() as browser:
        with Server(APP) as app, Server(BASELINE) as baseline:
            moves_result = slider_to_radar(browser, {"app": app, "baseline": baseline}, moves)
        loads = first_load(browser, {"app": APP, "baseline": BASELINE}, cold_rounds, warm_loads)
    return {
        "slider_to_radar": moves_result,
        "first_load": loads,
        "seconds": time.monotonic() - started,
    }
