"""Shared fixtures and helpers for the browser tests (real Streamlit server + real Chromium).

Fixtures
    explorer_data_dir          session  Path: tmp dir passed to the app as EXPLORER_DATA_DIR.
    app_store                  function RoomStore on that folder's rooms.db (the app's own).
    app_server                 session  str:  base URL, e.g. "http://127.0.0.1:40123" (no "/").
    browser                    session  playwright Browser (Debian's /usr/bin/chromium).
    new_page                   function factory: new_page(viewport="desktop", **context_opts)
                                         -> Page in a fresh context; contexts closed at teardown,
                                         and screenshotted first if the test failed.

Helpers (import with ``from .conftest import ...`` in modules of this package)
    open_app(page, base_url, query="", path="")   goto + wait_for_app; returns the page.
    app_state(page)                                dict of what wait_for_app checks.
    wait_for_app(page, timeout_ms=...)             until Streamlit has finished the run and
                                                   every element (incl. Plotly and the live
                                                   explorer's radar) is rendered.
    radar_trace(page, name_or_index, chart=...)    plotted r-values of one Plotly radar trace.
    drawn_needs(page)                              the needs the live explorer's radar draws.
    address_inputs(page) / share_link_inputs(page) the inputs in the address bar / share field.
    horizontal_overflow(page)                      px the document is wider than the viewport.
    in_viewport(locator)                           whole box on screen, no scrolling needed.
    obscured_by(locator)                           None, or what covers the element's centre.
    text_styles(page)                              size, contrast and opacity of every text
                                                   a person sees in the main area.
    clipped_text(locator)                          text blocks cut off at their right edge.
    chart_text_problems(page)                      Plotly texts drawn over each other or cut off.
    page_slug(spec)                                a registry page's name in file names.
    screenshot(page, name)                         test-artifacts/screenshots/<name>.png
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from rooms import RoomSettings, RoomStore
from testkit.chromium import CHROMIUM, CHROMIUM_ARGS
from testkit.server import StreamlitServer
from views.registry import PageSpec

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
NO_BROWSER_MESSAGE = (
    "Chromium not found at /usr/bin/chromium and no Playwright-managed browser; "
    "install Debian's chromium to run browser tests"
)

APP_TIMEOUT_MS = 30_000  # one page load / one rerun, including Plotly's lazy loading
STABLE_POLLS = 3  # wait_for_app: the settled state must hold for this many polls in a row
POLL_MS = 100

VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "presenter": {"viewport": {"width": 1920, "height": 1080}},
}

EXPECT_TIMEOUT_MS = 15_000  # Playwright's 5 s default is tight on a busy 2-core CI runner
RADAR_SELECTOR = ".st-key-radar .js-plotly-plot"  # a Plotly radar keyed "radar" (rooms)
# The live explorer's test hooks (a contract, DESIGN.md); Playwright's CSS pierces its shadow root.
LIVE_RADAR = '[data-testid="live-radar"]'
LIVE_VERDICT = '[data-testid="live-verdict"]'
SHARE_LINK = ".st-key-share_link input"

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser carries the `browser` mark, even if a module forgets it."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# --------------------------------------------------------------------------- server


@pytest.fixture(scope="session")
def explorer_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the app keeps its data (rooms) during the test session."""
    return tmp_path_factory.mktemp("explorer-data")


@contextlib.contextmanager
def serving(server: StreamlitServer) -> Iterator[StreamlitServer]:
    """Start `server` (a test failure, with its log, if it does not come up), stop it after."""
    try:
        server.start()
    except RuntimeError as err:
        pytest.fail(str(err))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def app_server(explorer_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `streamlit run app.py` on 127.0.0.1 and a free port, cold (no warm-up request: every
    page's URL must open on a server nobody has visited); yields its base URL."""
    server = StreamlitServer(
        env={"EXPLORER_DATA_DIR": str(explorer_data_dir)},
        logs=tmp_path_factory.mktemp("streamlit-logs"),
    )
    with serving(server):
        yield server.url
        if not server.alive:
            pytest.fail(f"Streamlit died during the session.\n{server.tail()}")


@pytest.fixture
def app_store(explorer_data_dir: Path) -> Iterator[RoomStore]:
    """The test server's own room store (the same SQLite file): to create rooms and read
    back what the app stored."""
    url = f"sqlite:///{explorer_data_dir / 'rooms.db'}"
    opened = RoomStore(url, RoomSettings(database_url=url))
    yield opened
    opened.dispose()


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Chromium via Playwright's sync API; see NO_BROWSER_MESSAGE for when it is skipped.

    Package-wide, not session-wide: the sync API runs an asyncio loop in this thread while
    it is started, and the tests after this package call asyncio.run() themselves.
    """
    in_ci = os.environ.get("CI") == "true"
    playwright = sync_playwright().start()
    try:
        launched: Browser | None = None
        if CHROMIUM.exists():
            try:
                launched = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
                )
            except PlaywrightError as err:
                pytest.fail(f"{CHROMIUM} exists but Playwright could not launch it: {err}")
        elif not in_ci:
            try:
                launched = playwright.chromium.launch(headless=True)
            except PlaywrightError:
                launched = None
        if launched is None:
            if in_ci:
                pytest.fail(f"CI=true but no browser could be launched: {NO_BROWSER_MESSAGE}")
            pytest.skip(NO_BROWSER_MESSAGE)
        yield launched
        launched.close()
    finally:
        playwright.stop()


def _context_options(viewport: str | tuple[int, int] | dict[str, Any]) -> dict[str, Any]:
    if isinstance(viewport, str):
        return dict(VIEWPORTS[viewport])
    if isinstance(viewport, tuple):
        width, height = viewport
        return {"viewport": {"width": width, "height": height}}
    return dict(viewport)


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """Factory: ``new_page("desktop" | "phone" | "presenter" | (w, h) | context_opts, **extra)``.

    Each call opens a fresh browser context (own cookies, own Streamlit session) and returns
    its page. All contexts are closed at teardown; if the test failed, every open page is
    first saved as test-artifacts/screenshots/FAILED-<test>-<n>.png.
    """
    contexts: list[BrowserContext] = []

    def make(viewport: str | tuple[int, int] | dict[str, Any] = "desktop", **extra: Any) -> Page:
        context = browser.new_context(**{**_context_options(viewport), **extra})
        context.set_default_timeout(APP_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make

    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    for n, context in enumerate(contexts):
        if failed:
            for page in context.pages:
                with contextlib.suppress(PlaywrightError):
                    screenshot(page, f"FAILED-{request.node.name}-{n}")
        context.close()


# --------------------------------------------------------------------------- helpers

_RUNNING_ICONS = ", ".join(
    f'[data-testid="{testid}"]'
    for testid in (
        "stStatusWidgetRunningIcon",
        "stStatusWidgetRunningManIcon",
        "stStatusWidgetNewYearsIcon",
    )
)

# The shadow roots of the st.components.v2 components on the page (the live explorer, the
# sensitivity strips), as a JavaScript expression.
COMPONENT_ROOTS_JS = (
    "[...document.querySelectorAll('.stBidiComponent, .stBidiComponent *')]"
    ".filter((host) => host.shadowRoot).map((host) => host.shadowRoot)"
)

# The status widget also shows non-running prompts (e.g. "Source file changed"), so only
# its running icons count as "still running".
_STATE_JS = (
    """
() => {
  const RUNNING_ICONS = '"""
    + _RUNNING_ICONS
    + """';
  const app = document.querySelector('[data-testid="stApp"]');
  // The live explorer's radars, inside the shadow roots of st.components.v2 hosts.
  const liveRadars = () => ("""
    + COMPONENT_ROOTS_JS
    + """)
    .flatMap((root) => [...root.querySelectorAll('[data-testid="live-radar"]')]);
  const charts = [...document.querySelectorAll('.stPlotlyChart')];
  return {
    scriptState: app && app.getAttribute('data-test-script-state'),
    connection: app && app.getAttribute('data-test-connection-state'),
    running: !!document.querySelector(RUNNING_ICONS),
    statusWidget: (document.querySelector('[data-testid="stStatusWidget"]') || {}).innerText,
    stale: document.querySelectorAll('[data-stale="true"]').length,
    skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
    chartsNotDrawn: charts.filter((chart) => {
      const plot = chart.querySelector('.js-plotly-plot');
      return !(plot && Array.isArray(plot.data) && plot._fullLayout);
    }).length,
    liveRadars: liveRadars().length,
    liveRadarsNotDrawn: liveRadars().filter((radar) => !radar.hasAttribute('data-needs')).length,
    exceptions: [...document.querySelectorAll('[data-testid="stException"]')]
      .map((e) => e.innerText.slice(0, 500)),
  };
}
"""
)

_SETTLED_JS = (
    """
([minPolls, stableKey]) => {
  const s = ("""
    + _STATE_JS
    + """)();
  const settled = s.scriptState === 'notRunning' && s.connection === 'CONNECTED'
    && !s.running && s.stale === 0 && s.skeletons === 0 && s.chartsNotDrawn === 0
    && s.liveRadarsNotDrawn === 0;
  window[stableKey] = settled ? (window[stableKey] || 0) + 1 : 0;
  return window[stableKey] >= minPolls;
}
"""
)


def app_state(page: Page) -> dict[str, Any]:
    """What wait_for_app looks at, for assertion messages and debugging."""
    return page.evaluate(_STATE_JS)


def wait_for_app(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> Page:
    """Block until Streamlit has finished its run and everything is drawn.

    Settled means: the app's `data-test-script-state` is "notRunning" (it is "initial" before
    the first run, so a fresh load cannot pass early), the websocket is CONNECTED, there is no
    running-status widget, no stale element, no lazy-loading skeleton, every Plotly chart has
    its data and every live explorer radar has drawn - all for STABLE_POLLS polls in a row.
    On timeout it fails with that state.

    After an interaction the old run still looks settled until the rerun starts, so first
    wait for the change you expect (e.g. `page.wait_for_function` on radar data or the URL),
    then call this.
    """
    key = "__browserTestsSettledPolls"
    try:
        page.evaluate(f"window.{key} = 0")
        page.wait_for_function(
            _SETTLED_JS, arg=[STABLE_POLLS, key], polling=POLL_MS, timeout=timeout_ms
        )
    except PlaywrightTimeoutError:
        pytest.fail(
            f"Streamlit app at {page.url} did not settle within {timeout_ms} ms; "
            f"state: {app_state(page)}"
        )
    return page


def open_app(page: Page, base_url: str, query: str = "", path: str = "") -> Page:
    """Load `base_url/path?query` and wait until the app has settled."""
    url = f"{base_url}/{path.lstrip('/')}"
    if query:
        url += "?" + query.lstrip("?")
    page.goto(url)
    return wait_for_app(page)


_TRACE_JS = """
([selector, key]) => {
  const plot = document.querySelector(selector);
  if (!plot || !Array.isArray(plot.data)) return null;
  const trace = typeof key === 'number' ? plot.data[key] : plot.data.find((t) => t.name === key);
  return trace ? Array.from(trace.r, Number) : null;
}
"""


def radar_trace(page: Page, name_or_index: str | int, chart: str = RADAR_SELECTOR) -> list[float]:
    """The r-values one radar trace is drawn with (closed polygons repeat the first point).

    `name_or_index` is the trace's legend name (e.g. "Your needs") or its position in the
    figure's data. `chart` selects the plot element; by default the chart with key "radar".
    """
    values = page.evaluate(_TRACE_JS, [chart, name_or_index])
    if values is None:
        raise AssertionError(f"no radar trace {name_or_index!r} in {chart!r}")
    return values


def drawn_needs(page: Page) -> list[float]:
    """The needs the live explorer's radar draws now (its `data-needs`, content order)."""
    return json.loads(page.locator(LIVE_RADAR).get_attribute("data-needs") or "null")


def _inputs(url: str) -> dict[str, str]:
    """A link's query as {key: value}, the app's own keys (presenter, room) left out."""
    query = parse_qs(urlsplit(url).query)
    return {k: v[-1] for k, v in query.items() if k not in ("presenter", "room")}


def address_inputs(page: Page) -> dict[str, str]:
    """The inputs the address bar holds."""
    return _inputs(page.url)


def share_link_inputs(page: Page) -> dict[str, str]:
    """The inputs the share-link field on Explore holds."""
    return _inputs(page.locator(SHARE_LINK).input_value())


def horizontal_overflow(page: Page) -> float:
    """How many CSS px the document is wider than the viewport (<= 0 means no overflow)."""
    return page.evaluate(
        "() => (document.scrollingElement || document.documentElement).scrollWidth"
        " - window.innerWidth"
    )


def in_viewport(locator: Locator) -> bool:
    """True if the element's whole box is inside the viewport as the page is now scrolled."""
    return locator.evaluate(
        """(el) => {
             const r = el.getBoundingClientRect();
             return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0
               && r.bottom <= window.innerHeight + 1 && r.right <= window.innerWidth + 1;
           }"""
    )


def obscured_by(locator: Locator) -> str | None:
    """None if a user sees the element's centre; else what hides it (no scrolling is done).

    Playwright's "visible" only means a non-empty box; this also catches overlays such as an
    open sidebar drawn over the main area, and elements scrolled out of the viewport.
    """
    return locator.evaluate(
        """(el) => {
             const r = el.getBoundingClientRect();
             const x = r.left + r.width / 2, y = r.top + r.height / 2;
             if (r.width === 0 || r.height === 0) return 'nothing: the element has no size';
             if (x < 0 || y < 0 || x >= window.innerWidth || y >= window.innerHeight)
               return 'nothing: its centre is outside the viewport';
             // Inside a shadow root (the live explorer), ask that root: the document
             // would answer with the shadow host.
             const root = el.getRootNode();
             const top = (root.elementFromPoint ? root : document).elementFromPoint(x, y);
             if (top && (top === el || el.contains(top))) return null;
             if (!top) return 'nothing hit-testable';
             const owner = top.closest('[data-testid]');
             return owner ? `[data-testid="${owner.dataset.testid}"]` : top.tagName.toLowerCase();
           }"""
    )


_TEXT_STYLES_JS = """
() => {
  const parentOf = (e) => e.parentElement || (e.getRootNode && e.getRootNode().host) || null;
  const rgba = (c) => {
    const m = c && c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  // The first opaque background behind the text's centre, among its ancestors.
  const background = (el, x, y) => {
    for (let e = parentOf(el); e; e = parentOf(e)) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (!c || c[3] < 0.5) continue;
      const r = e.getBoundingClientRect();
      if (x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) return c;
    }
    return [255, 255, 255, 1];
  };
  // Icons are ligature glyphs; hover labels appear only under the pointer; a formula is one
  // block (its sub- and superscripts are smaller by design): measured at its root.
  const SKIP = '[data-testid="stIconMaterial"], [data-testid="stAlertDynamicIcon"], '
    + '.hoverlayer, [data-testid="stSidebar"], .katex *';
  const out = [];
  const visit = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) visit(el.shadowRoot);
      if (el.closest(SKIP)) continue;
      const field = el.tagName === 'INPUT'
        && !['range', 'checkbox', 'radio', 'hidden'].includes(el.type);
      const text = field ? (el.value || '') : el.classList.contains('katex') ? el.textContent
        : [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join(' ');
      if (!text.trim()) continue;
      const r = el.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) continue;  // screen-reader-only text
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
      const style = getComputedStyle(el);
      let opacity = 1;
      for (let e = el; e; e = parentOf(e)) opacity *= parseFloat(getComputedStyle(e).opacity);
      if (opacity === 0) continue;
      const svg = el instanceof SVGElement;
      const colour = rgba(svg ? style.fill : style.color);
      if (!colour) continue;
      const alpha = colour[3] * opacity * (svg ? parseFloat(style.fillOpacity || '1') : 1);
      const bg = background(el, r.left + r.width / 2, r.top + r.height / 2);
      const seen = colour.slice(0, 3).map((v, i) => v * alpha + bg[i] * (1 - alpha));
      const [hi, lo] = [luminance(seen), luminance(bg)].sort((a, b) => b - a);
      const owner = el.closest('[data-testid]');
      out.push({
        text: text.trim().slice(0, 60),
        size: parseFloat(style.fontSize),
        contrast: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100,
        opacity: Math.round(opacity * 1000) / 1000,
        where: owner ? owner.dataset.testid
          : el.getRootNode().host ? 'live explorer' : el.tagName.toLowerCase(),
      });
    }
  };
  visit(document.querySelector('[data-testid="stMain"]'));
  return out;
}
"""


def text_styles(page: Page) -> list[dict[str, Any]]:
    """Every text a person sees in the main area (shadow roots included, the sidebar not):
    its font size (CSS px), contrast ratio against the background behind it (WCAG), the
    opacity it is drawn with, and the data-testid of its nearest owner."""
    return page.evaluate(_TEXT_STYLES_JS)


TEXT_BLOCKS = (
    "p, li, h1, h2, h3, h4, h5, h6, blockquote, label, button, "
    '[data-testid="stCaptionContainer"], .katex-display, .value-bar span'
)


def clipped_text(locator: Locator, blocks: str = TEXT_BLOCKS) -> list[str]:
    """Text blocks inside `locator` that do not fit: content wider than the block (cut off,
    or only reachable by scrolling it sideways; 3 px of glyph overhang allowed), or the
    block reaching past the right edge of an ancestor that hides what overflows. [] when
    every block fits. Shadow roots (the live explorer) are not searched."""
    return locator.evaluate_all(
        """(roots, blocks) => roots.flatMap((root) => [...root.querySelectorAll(blocks)]
             .filter((el) => el.innerText.trim() && el.getClientRects().length)
             .flatMap((el) => {
               const name = `${el.tagName.toLowerCase()} "${el.innerText.trim().slice(0, 50)}"`;
               if (el.scrollWidth > el.clientWidth + 3 && el.clientWidth > 0) {
                 return [`${name}: ${el.scrollWidth} px of text in ${el.clientWidth} px`];
               }
               const right = el.getBoundingClientRect().right;
               for (let up = el.parentElement; up && up !== root; up = up.parentElement) {
                 if (!['hidden', 'clip'].includes(getComputedStyle(up).overflowX)) continue;
                 const edge = up.getBoundingClientRect().right;
                 if (right > edge + 1) return [`${name}: ends ${right - edge} px past its box`];
               }
               return [];
             }))""",
        blocks,
    )


_STRIPS_JS = (
    """
() => {
  const root = ("""
    + COMPONENT_ROOTS_JS
    + """)
    .map((shadow) => shadow.querySelector('[data-testid="sensitivity-strips"]'))
    .find(Boolean);
  if (!root) return [];
  const centre = (el) => {
    const r = el.getBoundingClientRect();
    return [r.left + r.width / 2, r.top + r.height / 2];
  };
  return [...root.querySelectorAll('.strip')].map((strip) => {
    const texts = [...strip.querySelectorAll('.title, .ticks span, .ends span, .value')]
      .map((el) => [el.textContent.trim(), el.getBoundingClientRect()])
      .filter(([text, r]) => text && r.width > 0);
    const overlaps = [];
    texts.forEach(([a, r], i) => texts.slice(i + 1).forEach(([b, q]) => {
      const x = Math.min(r.right, q.right) - Math.max(r.left, q.left);
      const y = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
      if (x > 1 && y > 1) overlaps.push(`${a} / ${b}`);
    }));
    const frame = root.getBoundingClientRect();
    texts.filter(([, r]) => r.left < frame.left - 1 || r.right > frame.right + 1)
      .forEach(([text]) => overlaps.push(`past the edge: ${text}`));
    const here = strip.querySelector('.here');
    const point = strip.querySelector('.point');
    const value = strip.querySelector('.value');
    return {
      title: strip.querySelector('.title').textContent.trim(),
      points: [...strip.querySelectorAll('.point')].map(centre),
      here: centre(here),
      hereSize: here.getBoundingClientRect().width,
      pointSize: point.getBoundingClientRect().width,
      value: value.textContent.trim(),
      valueSize: parseFloat(getComputedStyle(value).fontSize),
      ends: [...strip.querySelectorAll('.ends span')].map((el) => el.textContent.trim()),
      label: strip.querySelector('.plot').getAttribute('aria-label'),
      lineDrawn: strip.querySelector('.line polyline').getBoundingClientRect().width > 0,
      overlaps,
    };
  });
}
"""
)


def drawn_strips(page: Page) -> list[dict[str, Any]]:
    """The sensitivity strips as drawn (inside the strips component's shadow root): each
    strip's title, point centres, the ringed mark's centre and size, its value label, end
    names, text alternative, and any of its texts drawn over another or past the edge."""
    return page.evaluate(_STRIPS_JS)


def chart_text_problems(page: Page) -> list[str]:
    """Texts inside a Plotly chart (titles, tick labels, annotations, legend entries, point
    labels) drawn over each other, or reaching past the chart's edge (cut off); [] if none."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap((plot) => {
             const frame = plot.querySelector('.main-svg').getBoundingClientRect();
             const boxes = [...plot.querySelectorAll('text')]
               .filter((t) => t.textContent.trim() && !t.closest('.hoverlayer'))
               .map((t) => [t.textContent.trim(), t.getBoundingClientRect()])
               .filter(([, r]) => r.width > 0 && r.height > 0);
             const problems = boxes
               .filter(([, r]) => r.left < frame.left - 1 || r.right > frame.right + 1
                 || r.top < frame.top - 1 || r.bottom > frame.bottom + 1)
               .map(([text]) => `cut off at the chart's edge: ${text}`);
             boxes.forEach(([a, r], i) => boxes.slice(i + 1).forEach(([b, q]) => {
               const x = Math.min(r.right, q.right) - Math.max(r.left, q.left);
               const y = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
               if (x > 2 && y > 2) problems.push(`drawn over each other: ${a} / ${b}`);
             }));
             return problems;
           })"""
    )


def page_slug(spec: PageSpec) -> str:
    """A registry page's name in test ids and file names: its script's name (explore, ...)."""
    return Path(spec.script).stem.replace("_", "-")


def screenshot(page: Page, name: str) -> Path:
    """Save the current viewport as test-artifacts/screenshots/<name>.png; returns the path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=False, animations="disabled")
    return path
