"""Shared fixtures and helpers for the browser tests (real Streamlit server + real Chromium).

Fixtures
    explorer_data_dir          session  Path: tmp dir passed to the app as EXPLORER_DATA_DIR.
    app_server                 session  str:  base URL, e.g. "http://127.0.0.1:40123" (no "/").
    browser                    session  playwright Browser (Debian's /usr/bin/chromium).
    new_page                   function factory: new_page(viewport="desktop", **context_opts)
                                         -> Page in a fresh context; contexts closed at teardown,
                                         and screenshotted first if the test failed.

Helpers (import with ``from .conftest import ...`` in modules of this package)
    open_app(page, base_url, query="", path="")   goto + wait_for_app; returns the page.
    app_state(page)                                dict of what wait_for_app checks.
    wait_for_app(page, timeout_ms=...)             until Streamlit has finished the run and
                                                   every element (incl. Plotly) is rendered.
    radar_trace(page, name_or_index, chart=...)    plotted r-values of one radar trace.
    horizontal_overflow(page)                      px the document is wider than the viewport.
    in_viewport(locator)                           whole box on screen, no scrolling needed.
    obscured_by(locator)                           None, or what covers the element's centre.
    screenshot(page, name)                         test-artifacts/screenshots/<name>.png
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.support.server import StreamlitServer

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
RADAR_SELECTOR = ".st-key-radar .js-plotly-plot"

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


@pytest.fixture(scope="session")
def app_server(explorer_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `streamlit run app.py` on 127.0.0.1 and a free port, cold (no warm-up request: every
    page's URL must open on a server nobody has visited); yields its base URL."""
    server = StreamlitServer(
        env={"EXPLORER_DATA_DIR": str(explorer_data_dir)},
        logs=tmp_path_factory.mktemp("streamlit-logs"),
    )
    try:
        server.start()
    except RuntimeError as err:
        pytest.fail(str(err))
    try:
        yield server.url
        if not server.alive:
            pytest.fail(f"Streamlit died during the session.\n{server.tail()}")
    finally:
        server.stop()


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Chromium via Playwright's sync API; see NO_BROWSER_MESSAGE for when it is skipped."""
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

# The status widget also shows non-running prompts (e.g. "Source file changed"), so only
# its running icons count as "still running".
_STATE_JS = (
    """
() => {
  const RUNNING_ICONS = '"""
    + _RUNNING_ICONS
    + """';
  const app = document.querySelector('[data-testid="stApp"]');
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
    && !s.running && s.stale === 0 && s.skeletons === 0 && s.chartsNotDrawn === 0;
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
    running-status widget, no stale element, no lazy-loading skeleton, and every Plotly chart
    has its data - all for STABLE_POLLS polls in a row. On timeout it fails with that state.

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
             const top = document.elementFromPoint(x, y);
             if (top && (top === el || el.contains(top))) return null;
             if (!top) return 'nothing hit-testable';
             const owner = top.closest('[data-testid]');
             return owner ? `[data-testid="${owner.dataset.testid}"]` : top.tagName.toLowerCase();
           }"""
    )


def screenshot(page: Page, name: str) -> Path:
    """Save the current viewport as test-artifacts/screenshots/<name>.png; returns the path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=False, animations="disabled")
    return path
