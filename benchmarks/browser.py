"""What a person feels, in a real Chromium (Playwright): the Explore page's live explorer
against the bare baseline, both served in the same run.

Every time is taken INSIDE the page with `performance.now()`, by listeners and
MutationObservers installed once the page has loaded, so Playwright's own round trips never
count (the acceptance probes in /work/shared/probes/live_latency.py measure the same way):

- **key → radar**: a capture `keydown` listener on `window` stamps the press; a
  MutationObserver stamps the first change of what the radar draws — the live radar's
  `data-needs` attribute (its element sits in the component's shadow root, found by walking
  open shadow roots), or the baseline Plotly radar's plotted `r` values (which only change
  once the server has rerun the script and the browser has drawn the answer).
- **release → reasons**: the `keyup` of the same press (the live explorer reports on key up)
  until the text of the column under "Why — the top reasons" changes. Moves are chosen so
  that the reasons do change (the benchmark computes them with `explorer`).
- **drag**: the thumb is dragged across its track and back, one option further every
  animation frame (the next move waits for `requestAnimationFrame`), with the mouse on a
  desktop and with touch events (CDP `Input.dispatchTouchEvent`) on a 390x844 phone. Counted
  in the page until the pointer is released: radar redraws, value changes, animation frames.
- **bytes per committed move**: every frame of the page's `/_stcore/stream` WebSocket, from
  Chromium's DevTools protocol, from the key press until the run it caused has finished;
  the component's own code (JS, CSS, HTML, resent inside its delta) is counted apart.
- **pace**: one page never presses more often than every MOVE_INTERVAL_S, below the rate
  at which the app starts pacing a connection's messages (web/throttle.py).
- **first load**: a fresh context opens the page; the time from navigation start until the
  radar is drawn (the live radar's needs polygon has points; the baseline's three traces have
  paths). *Cold* is the first visit after a server start; *warm* a new visitor after that.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks.common import (
    APP,
    BASELINE,
    DEEP_QUERY_JS,
    DESKTOP,
    MOVE_INTERVAL_S,
    PHONE,
    Frames,
    Server,
    chromium,
    log,
    ratio,
    summary,
)

SLIDERS = ("Goal type", "Timeframe", "Career stage", "Desired structure")
MOVE_TIMEOUT_MS = 30_000
LOAD_TIMEOUT_MS = 90_000
DRAG_SECONDS = 2.0  # one drag: about 120 animation frames
DRAG_MAX_STEPS = 400  # ... and never more moves than this
DRAG_EDGE_PX = 10  # a range thumb's centre stays this far inside the track's ends

_PROBE_JS = (
    """
({mode, heading}) => {
  if (window.__bench) return;
  const deep = """
    + DEEP_QUERY_JS
    + """;
  const b = { armed: false, keydown: 0, keyup: 0, radar: 0, reasons: 0,
              radarBefore: null, reasonsBefore: null, drag: null, radarEl: null };
  window.__bench = b;
  const radarSig = mode === 'live'
    ? () => { const el = deep('[data-testid="live-radar"]');
              return el ? el.getAttribute('data-needs') : null; }
    : () => { const g = document.querySelector('.js-plotly-plot');
              return g && Array.isArray(g.data)
                ? JSON.stringify(g.data.map((t) => Array.from(t.r || [], Number))) : null; };
  const reasonsSig = () => {
    if (!heading) return null;
    for (const h of document.querySelectorAll('[data-testid="stMarkdownContainer"] h4')) {
      if (h.textContent.trim().startsWith(heading)) {
        const column = h.closest('[data-testid="stColumn"]');
        return column ? column.textContent : null;
      }
    }
    return null;
  };
  const check = () => {
    const now = performance.now();
    if (!b.armed) return;
    if (!b.radar) {
      const s = radarSig();
      if (s !== null && s !== b.radarBefore) b.radar = now;
    }
    if (heading && !b.reasons) {
      const s = reasonsSig();
      if (s !== null && s !== b.reasonsBefore) b.reasons = now;
    }
  };
  // The live radar is in a shadow root: observe it directly (again if a rerun remounted it).
  b.ensure = () => {
    if (mode !== 'live') return;
    const el = deep('[data-testid="live-radar"]');
    if (!el || el === b.radarEl) return;
    b.radarEl = el;
    new MutationObserver(() => {
      const d = b.drag;
      if (d && d.first && !d.released) {
        d.redraws += 1;
        if (d.input) { d.lags.push(performance.now() - d.input); d.input = 0; }
      }
      check();
    }).observe(el, { attributes: true, attributeFilter: ['data-needs'] });
  };
  b.ensure();
  new MutationObserver(check).observe(document.body,
    { subtree: true, childList: true, attributes: mode !== 'live', characterData: true });
  window.addEventListener('keydown', () => {
    if (b.armed && !b.keydown) b.keydown = performance.now();
  }, true);
  window.addEventListener('keyup', () => {
    if (b.armed && !b.keyup) b.keyup = performance.now();
  }, true);
  b.arm = () => {
    b.ensure();
    b.keydown = b.keyup = b.radar = b.reasons = 0;
    b.radarBefore = radarSig();
    b.reasonsBefore = reasonsSig();
    b.armed = true;
  };
  // Drag counters from the first value change to the release: redraws (data-needs set),
  // value changes (input events, composed out of the shadow root), animation frames, and
  // for each redraw the time since the oldest value change it drew.
  b.armDrag = () => {
    b.ensure();
    b.armed = false;
    const d = { redraws: 0, inputs: 0, frames: 0, first: 0, released: 0, input: 0, lags: [] };
    b.drag = d;
    const tick = () => {
      if (d.released) return;
      if (d.first) d.frames += 1;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  window.addEventListener('input', () => {
    const d = b.drag;
    if (!d || d.released) return;
    const now = performance.now();
    if (!d.first) d.first = now;
    if (!d.input) d.input = now;  // the oldest value change not yet drawn
    d.inputs += 1;
  }, true);
  const release = () => { if (b.drag && !b.drag.released) b.drag.released = performance.now(); };
  window.addEventListener('pointerup', release, true);
  window.addEventListener('touchend', release, true);
}
"""
)

_SETTLED_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && document.querySelectorAll('[data-stale="true"]').length === 0;
}
"""

_DRAWN_JS = {
    "live": (
        "() => { const deep = "
        + DEEP_QUERY_JS
        + """;
  const shape = deep('[data-testid="live-radar"] polygon.trace-needs');
  return shape && shape.getAttribute('points') ? performance.now() : false; }"""
    ),
    "plotly": """
() => {
  const plot = document.querySelector('.js-plotly-plot');
  return !!plot && Array.isArray(plot.data) && plot.data.length >= 3
    && plot.data.every((t) => t.r && t.r.length > 0) && !!plot._fullLayout
    && !!plot.querySelector('.scatterlayer path') ? performance.now() : false;
}
""",
}


@functools.cache
def _content() -> Any:
    from explorer import load_content

    return load_content()


def _reasons(inputs: dict[str, str]) -> list[str]:
    from explorer import evaluate
    from explorer.explain import reason_lines

    content = _content()
    return [str(line) for line in reason_lines(content, evaluate(inputs, content=content))]


@dataclass
class _Tab:
    """One page on one server: the live explorer ("live") or the baseline ("plotly")."""

    name: str
    mode: str
    page: Any
    frames: Frames
    step: int = 0
    samples: dict[str, list[float]] = field(
        default_factory=lambda: {"key_to_radar": [], "release_to_reasons": [], "round_trip": []}
    )
    moves: list[dict[str, Any]] = field(default_factory=list)
    last_press: float = 0.0

    def slider(self, label: str) -> Any:
        if self.mode == "live":
            return self.page.get_by_role("slider", name=label, exact=True)
        # Streamlit's slider input is labelled by two elements: its name is not exact.
        return self.page.get_by_test_id("stSidebar").get_by_role("slider", name=label)

    def position(self, label: str) -> tuple[int, int]:
        """(index, last index) of a slider: a native range input, or Streamlit's thumb."""
        return tuple(
            self.slider(label).evaluate(
                """(el) => el.tagName === 'INPUT' ? [Number(el.value), Number(el.max)]
                   : [Number(el.getAttribute('aria-valuenow')),
                      Number(el.getAttribute('aria-valuemax'))]"""
            )
        )

    def inputs(self) -> dict[str, str]:
        content = _content()
        return {
            spec.id: spec.option_ids[self.position(spec.label)[0]] for spec in content.main_inputs
        }

    def settle(self) -> None:
        self.page.wait_for_function(_SETTLED_JS, polling=20, timeout=MOVE_TIMEOUT_MS)

    def next_move(self) -> tuple[str, str, bool]:
        """The next slider (taking turns), the arrow key (bouncing at the ends), and whether
        the reasons change. On the live explorer, a move that changes the reasons is
        preferred, so that release → reasons is measurable on (nearly) every move."""
        current = self.inputs() if self.mode == "live" else None
        before = _reasons(current) if current is not None else None
        choice: tuple[str, str, bool] | None = None
        for offset in range(len(SLIDERS) * 2):
            label = SLIDERS[(self.step + offset // 2) % len(SLIDERS)]
            index, last = self.position(label)
            direction = 1 if (offset + self.step) % 2 == 0 else -1
            direction = 1 if index == 0 else -1 if index == last else direction
            key = "ArrowRight" if direction > 0 else "ArrowLeft"
            if current is None:
                choice = (label, key, False)
                break
            spec = next(s for s in _content().main_inputs if s.label == label)
            changes = _reasons({**current, spec.id: spec.option_ids[index + direction]}) != before
            choice = choice or (label, key, changes)
            if changes:
                choice = (label, key, True)
                break
        self.step += 1
        assert choice is not None
        return choice

    def move(self, record: bool) -> None:
        """One key press on a slider, timed in the page; waits for the run it causes."""
        label, key, reasons_change = self.next_move()
        thumb = self.slider(label)
        thumb.focus()
        wait = self.last_press + MOVE_INTERVAL_S - time.monotonic()
        if wait > 0:  # never faster than the app paces a connection (see MOVE_INTERVAL_S)
            self.page.wait_for_timeout(wait * 1000)
        self.last_press = time.monotonic()
        self.page.evaluate("() => window.__bench.arm()")
        mark = self.frames.mark()
        thumb.press(key)
        wanted = "b.radar > 0" + (" && b.reasons > 0" if reasons_change else "")
        self.page.wait_for_function(
            f"() => {{ const b = window.__bench; return {wanted}; }}",
            polling="raf",
            timeout=MOVE_TIMEOUT_MS,
        )
        if not self.frames.wait_for_runs(mark, 1, MOVE_TIMEOUT_MS / 1000):
            raise TimeoutError(f"{self.name}: no script_finished after {label} {key}")
        self.settle()
        b = self.page.evaluate(
            """() => { const b = window.__bench; b.armed = false;
                       return {keydown: b.keydown, keyup: b.keyup, radar: b.radar,
                               reasons: b.reasons}; }"""
        )
        if not record:
            return
        self.samples["key_to_radar"].append(b["radar"] - b["keydown"])
        if reasons_change:
            self.samples["release_to_reasons"].append(b["reasons"] - b["keyup"])
        self.moves.append(self.frames.bytes_since(mark))
        trip = self.frames.round_trip_ms(mark)
        if trip is not None:
            self.samples["round_trip"].append(trip)


def _open(browser: Any, base_url: str, name: str, mode: str, context: dict) -> _Tab:
    ctx = browser.new_context(**context)
    ctx.set_default_timeout(LOAD_TIMEOUT_MS)
    page = ctx.new_page()
    frames = Frames(page)
    page.goto(base_url)
    page.wait_for_function(_DRAWN_JS[mode], polling="raf", timeout=LOAD_TIMEOUT_MS)
    tab = _Tab(name, mode, page, frames)
    tab.settle()
    heading = _content().text("explore.reasons_heading") if mode == "live" else None
    page.evaluate(_PROBE_JS, {"mode": mode, "heading": heading})
    return tab


def _bytes_summary(moves: list[dict[str, Any]]) -> dict[str, Any]:
    kinds: dict[str, float] = {}
    for move in moves:
        for kind, size in move["by_kind"].items():
            kinds[kind] = kinds.get(kind, 0) + size / len(moves)
    return {
        "received": summary([m["received"] for m in moves]),
        "sent": summary([m["sent"] for m in moves]),
        "component_code": summary([m["component_code"] for m in moves]),
        "mean_by_kind": dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
    }


def key_presses(browser: Any, servers: dict[str, Server], moves: int) -> dict[str, Any]:
    """Key → radar (both), release → reasons (app), bytes per committed move (both);
    app and baseline moves interleaved, after an unrecorded warm-up move per slider."""
    tabs = {
        "app": _open(browser, servers["app"].url, "app", "live", DESKTOP),
        "baseline": _open(browser, servers["baseline"].url, "baseline", "plotly", DESKTOP),
    }
    try:
        for tab in tabs.values():
            for _ in SLIDERS:
                tab.move(record=False)
        for i in range(moves):
            for tab in tabs.values() if i % 2 == 0 else reversed(tabs.values()):
                tab.move(record=True)
    finally:
        for tab in tabs.values():
            tab.page.context.close()
    app, base = tabs["app"].samples, tabs["baseline"].samples
    result: dict[str, Any] = {
        "key_to_radar_ms": {
            "app": summary(app["key_to_radar"]),
            "baseline": summary(base["key_to_radar"]),
        },
        "release_to_reasons_ms": {"app": summary(app["release_to_reasons"])},
        "round_trip_ms": {
            "app": summary(app["round_trip"]),
            "baseline": summary(base["round_trip"]),
        },
        "bytes_per_move": {name: _bytes_summary(tab.moves) for name, tab in tabs.items()},
        "raw_ms": {name: tab.samples for name, tab in tabs.items()},
    }
    lat = result["key_to_radar_ms"]
    result["ratio_p50"] = ratio(lat["app"].get("p50"), lat["baseline"].get("p50"))
    size = result["bytes_per_move"]
    result["bytes_ratio"] = ratio(
        size["app"]["received"].get("p50"), size["baseline"]["received"].get("p50")
    )
    log(
        f"key->radar: app p50 {lat['app'].get('p50', 0):.1f} ms p95 "
        f"{lat['app'].get('p95', 0):.1f} ms; baseline p50 {lat['baseline'].get('p50', 0):.0f} "
        f"ms; release->reasons p50 "
        f"{result['release_to_reasons_ms']['app'].get('p50', 0):.0f} ms; bytes/move app "
        f"{size['app']['received'].get('p50', 0):.0f} baseline "
        f"{size['baseline']['received'].get('p50', 0):.0f}"
    )
    return result


# --------------------------------------------------------------------------- drag


def _track(tab: _Tab, label: str) -> tuple[list[float], float, int]:
    """x of each option's thumb position, y of the track, and the current option."""
    slider = tab.slider(label)
    slider.evaluate("(el) => el.scrollIntoView({block: 'center', inline: 'nearest'})")
    tab.page.wait_for_timeout(200)
    box = slider.bounding_box()
    index, last = tab.position(label)
    usable = box["width"] - 2 * DRAG_EDGE_PX
    xs = [box["x"] + DRAG_EDGE_PX + usable * k / last for k in range(last + 1)]
    return xs, box["y"] + box["height"] / 2, index


def _sweep(start: int, last: int) -> Any:
    """Option indices from `start`, one step at a time, bouncing between the ends."""
    index, direction = start, 1 if start < last else -1
    while True:
        index += direction
        yield index
        if index in (0, last):
            direction = -direction


def drag(tab: _Tab, pointer: str) -> dict[str, Any]:
    """Drag the goal slider's thumb across its track and back for DRAG_SECONDS, one option
    further per pointer move, with the mouse or a finger; counted in the page. Chromium
    delivers pointer moves once per animation frame (each DevTools input call returns after
    the frame that handled it), so the value changes about once a frame."""
    page = tab.page
    xs, y, start = _track(tab, SLIDERS[0])
    cdp = page.context.new_cdp_session(page) if pointer == "touch" else None

    def touch(kind: str, x: float | None = None) -> None:
        assert cdp is not None
        points = [] if x is None else [{"x": x, "y": y}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    page.evaluate("() => window.__bench.armDrag()")
    mark = tab.frames.mark()
    if cdp:
        touch("touchStart", xs[start])
    else:
        page.mouse.move(xs[start], y)
        page.mouse.down()
    steps, began, position = 0, time.monotonic(), start
    for position in _sweep(start, len(xs) - 1):
        if cdp:
            touch("touchMove", xs[position])
        else:
            page.mouse.move(xs[position], y)
        steps += 1
        if steps >= DRAG_MAX_STEPS or time.monotonic() - began >= DRAG_SECONDS:
            break
    released_at = time.monotonic()
    if cdp:
        touch("touchEnd")
    else:
        page.mouse.up()
    counts = page.evaluate("() => ({...window.__bench.drag})")
    reported = position != start  # the component reports on release only if it changed
    if reported and not tab.frames.wait_for_runs(mark, 1, MOVE_TIMEOUT_MS / 1000):
        raise TimeoutError(f"{tab.name}: no run after the release of a drag")
    tab.settle()
    seconds = (counts["released"] - counts["first"]) / 1000 if counts["first"] else 0.0
    return {
        "pointer": pointer,
        "moves_sent": steps,
        "seconds": seconds,
        "value_changes": counts["inputs"],
        "redraws_before_release": counts["redraws"],
        "animation_frames": counts["frames"],
        "redraws_per_second": counts["redraws"] / seconds if seconds > 0 else 0.0,
        "value_changes_per_second": counts["inputs"] / seconds if seconds > 0 else 0.0,
        "frames_per_second": counts["frames"] / seconds if seconds > 0 else 0.0,
        "input_to_redraw_ms": summary(counts["lags"]),
        "messages_sent_before_release": sum(
            1 for f in tab.frames.frames[mark:] if f.sent and f.at < released_at
        ),
    }


def drags(browser: Any, server: Server, rounds: int) -> dict[str, Any]:
    """Mouse drags on a desktop and touch drags on a phone, `rounds` each."""
    out: dict[str, Any] = {}
    for pointer, context in (("mouse", DESKTOP), ("touch", PHONE)):
        tab = _open(browser, server.url, f"app-{pointer}", "live", context)
        try:
            out[pointer] = [drag(tab, pointer) for _ in range(rounds)]
        finally:
            tab.page.context.close()
        rates = [d["redraws_per_second"] for d in out[pointer]]
        log(
            f"drag ({pointer}): redraws/s {', '.join(f'{r:.0f}' for r in rates)}; before "
            f"release {[d['redraws_before_release'] for d in out[pointer]]}"
        )
    return out


# --------------------------------------------------------------------------- first load


def _load_once(browser: Any, base_url: str, mode: str) -> float:
    """ms from navigation start to the radar drawn, in a fresh context (empty cache)."""
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(base_url, wait_until="commit")
        handle = page.wait_for_function(_DRAWN_JS[mode], polling="raf", timeout=LOAD_TIMEOUT_MS)
        return float(handle.json_value())
    finally:
        context.close()


def first_load(browser: Any, cold_rounds: int, warm_loads: int) -> dict[str, Any]:
    """Cold (first visit after a fresh server start, no warm-up) and warm (new visitor)."""
    scripts = {"app": (APP, "live"), "baseline": (BASELINE, "plotly")}
    cold: dict[str, list[float]] = {name: [] for name in scripts}
    warm: dict[str, list[float]] = {name: [] for name in scripts}
    for round_ in range(cold_rounds):
        names = list(scripts) if round_ % 2 == 0 else list(reversed(scripts))
        for name in names:
            script, mode = scripts[name]
            with Server(script) as server:
                cold[name].append(_load_once(browser, server.url, mode))
                if round_ == 0:
                    warm[name] += [_load_once(browser, server.url, mode) for _ in range(warm_loads)]
    result: dict[str, Any] = {
        "cold_ms": {name: summary(v) for name, v in cold.items()},
        "warm_ms": {name: summary(v) for name, v in warm.items()},
        "raw_ms": {"cold": cold, "warm": warm},
    }
    for kind in ("cold", "warm"):
        stats = result[f"{kind}_ms"]
        result[f"{kind}_ratio"] = ratio(stats["app"].get("p50"), stats["baseline"].get("p50"))
    log(
        f"first load: cold app {result['cold_ms']['app'].get('p50', 0):.0f} ms vs "
        f"{result['cold_ms']['baseline'].get('p50', 0):.0f} ms; warm app "
        f"{result['warm_ms']['app'].get('p50', 0):.0f} ms vs "
        f"{result['warm_ms']['baseline'].get('p50', 0):.0f} ms"
    )
    return result


def measure(moves: int, drag_rounds: int, cold_rounds: int, warm_loads: int) -> dict[str, Any]:
    with chromium() as browser:
        with Server(APP) as app, Server(BASELINE) as baseline:
            presses = key_presses(browser, {"app": app, "baseline": baseline}, moves)
            dragged = drags(browser, app, drag_rounds)
        loads = first_load(browser, cold_rounds, warm_loads)
    return {"key_presses": presses, "drag": dragged, "first_load": loads}
