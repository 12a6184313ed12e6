"""The live explorer in Chromium: it draws the table's row for the inputs it shows, redraws on
every key press and every step of a drag without a server round trip, reports once on
release, and stays usable with a keyboard, on a phone and on a projector.

Runs tests/browser/live_explorer_harness.py (the component alone) on its own server, through
live_explorer_harness_app.py (the app's asset route, as in app.py).
"""

from __future__ import annotations

import itertools
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page

from explorer import Content, load_content
from explorer.live_table import live_table, row_index, table_row

from .conftest import COMPONENT_ROOTS_JS, LIVE_RADAR, VIEWPORTS, drawn_needs

REPO_ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).with_name("live_explorer_harness_app.py")
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
TIMINGS = REPO_ROOT / "test-artifacts" / "live-explorer-timing.json"
HOST = "127.0.0.1"
SERVER_START_S = 60.0
SERVER_STOP_S = 10.0
WAIT_MS = 20_000  # one page load or one rerun on a busy 2-core machine
KEY_PRESSES = 20  # timed key presses
DRAG_STEPS = 24
Point = tuple[float, float]
VERDICT = '[data-testid="live-verdict"]'

# In-page probe: the time from each keydown (or pointer/touch start) in the component to the
# next change of data-needs, and every data-needs value drawn, with when it was drawn.
PROBE_JS = (
    """
() => {
  const root = ("""
    + COMPONENT_ROOTS_JS
    + """)
    .find((shadow) => shadow.querySelector('[data-testid="live-radar"]'));
  const radar = root.querySelector('[data-testid="live-radar"]');
  const probe = { keyToDraw: [], drawn: [], released: null };
  let pressed = 0;
  root.addEventListener('keydown', () => { pressed = performance.now(); }, true);
  window.addEventListener('pointerup', () => { probe.released = performance.now(); }, true);
  window.addEventListener('touchend', () => { probe.released = performance.now(); }, true);
  new MutationObserver(() => {
    const now = performance.now();
    probe.drawn.push([now, radar.getAttribute('data-needs')]);
    if (pressed) { probe.keyToDraw.push(now - pressed); pressed = 0; }
  }).observe(radar, { attributes: true, attributeFilter: ['data-needs'] });
  window.__liveProbe = probe;
}
"""
)


# --------------------------------------------------------------------------- fixtures


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def harness_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run` of the harness on 127.0.0.1 and a free port; always stopped."""
    port = _free_port()
    log = tmp_path_factory.mktemp("live-harness") / "streamlit.log"
    command = [
        sys.executable, "-m", "streamlit", "run", str(HARNESS),
        "--server.address", HOST, "--server.port", str(port),
        "--server.headless", "true", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        url = f"http://{HOST}:{port}"
        deadline = time.monotonic() + SERVER_START_S
        while not _healthy(f"{url}/_stcore/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the harness did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=SERVER_STOP_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=SERVER_STOP_S)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


@pytest.fixture
def open_page(browser: Browser, harness_url: str) -> Iterator[Any]:
    """Factory: open_page(viewport, query="", **context options) -> Page with the harness
    loaded and the radar drawn. `browser` is the package's Chromium (tests/browser/conftest)."""
    contexts = []

    def make(viewport: str = "desktop", query: str = "", **options: Any) -> Page:
        context = browser.new_context(**VIEWPORTS[viewport], **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{harness_url}/?{query}")
        page.locator(f"{LIVE_RADAR}[data-needs]").wait_for()
        page.get_by_text("reports=").wait_for()
        assert not errors, errors
        return page

    yield make
    for context in contexts:
        context.close()


# --------------------------------------------------------------------------- helpers


_TABLES: dict[tuple[tuple[str, str], ...], dict] = {}


def _table(content: Content, advanced: tuple[tuple[str, str], ...] = ()) -> dict:
    """The table the test expects, built here from content (never read from the page)."""
    if advanced not in _TABLES:
        _TABLES[advanced] = live_table(content, dict(advanced))
    return _TABLES[advanced]


def expected_row(content: Content, inputs: dict[str, str], **advanced: str) -> dict:
    table = _table(content, tuple(sorted(advanced.items())))
    return table_row(table, row_index(content, {**content.defaults, **inputs}))


def next_frames(page: Page) -> None:
    """Until two animation frames have passed: the component redraws in the next one."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def slider(page: Page, content: Content, input_id: str) -> Locator:
    return page.get_by_role("slider", name=content.input_by_id[input_id].label, exact=True)


def shown_inputs(page: Page, content: Content) -> dict[str, str]:
    """The main inputs as the sliders show them, read from their aria-valuetext."""
    shown = {}
    for spec in content.main_inputs:
        label = slider(page, content, spec.id).get_attribute("aria-valuetext")
        shown[spec.id] = next(o.id for o in spec.options if o.label == label)
    return shown


def assert_draws_its_row(page: Page, content: Content, **advanced: str) -> dict:
    row = expected_row(content, shown_inputs(page, content), **advanced)
    assert drawn_needs(page) == row["needs"]
    assert page.locator(VERDICT).inner_text() == row["headline"]
    return row


def reported(page: Page) -> tuple[int, dict[str, str]]:
    """What the harness says Python received: the count of reports and the inputs."""
    text = page.get_by_text("reports=").inner_text()
    count, _, inputs = text.partition(" inputs=")
    return int(count.removeprefix("reports=")), json.loads(inputs)


def wait_for_report(page: Page, inputs: dict[str, str]) -> int:
    """Until the harness shows these main inputs as received; returns the count of reports."""
    text = f"inputs={json.dumps(inputs, sort_keys=True)}"
    page.get_by_text(text).wait_for()
    return reported(page)[0]


def install_probe(page: Page) -> None:
    page.evaluate(PROBE_JS)


def probe(page: Page) -> dict[str, Any]:
    return page.evaluate("window.__liveProbe")


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("(el) => el.getRootNode().activeElement === el")


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"live-explorer-{name}.png"))


def a_goal_step_that_changes_the_headline(content: Content) -> tuple[dict[str, str], int]:
    """Main inputs and the goal position from which one step right changes the verdict."""
    goal = content.input_by_id["goal"]
    ids = [spec.id for spec in content.main_inputs]
    for combo in itertools.product(*(spec.option_ids for spec in content.main_inputs)):
        inputs = dict(zip(ids, combo, strict=True))
        index = goal.index(inputs["goal"])
        if index + 1 < len(goal.options):
            after = {**inputs, "goal": goal.option_ids[index + 1]}
            if expected_row(content, after)["verdict"] != expected_row(content, inputs)["verdict"]:
                return inputs, index
    raise AssertionError("no single goal step changes the verdict")


def query(inputs: dict[str, str]) -> str:
    return "&".join(f"{k}={v}" for k, v in inputs.items())


def drag_changes(page: Page, start: Point, end: Point, move: Callable[[Point, Point], None]) -> int:
    """Distinct data-needs values drawn between the start of a drag and its release."""
    install_probe(page)
    move(start, end)
    result = probe(page)
    released = result["released"] or float("inf")
    before_release = {needs for at, needs in result["drawn"] if at < released}
    return len(before_release)


# --------------------------------------------------------------------------- tests


def test_the_radar_draws_the_table_row_for_the_shown_inputs(open_page, content):
    page = open_page("desktop")
    assert len(drawn_needs(page)) == len(content.dimensions) == 10
    row = assert_draws_its_row(page, content)
    assert shown_inputs(page, content) == {s.id: s.default for s in content.main_inputs}
    radar = page.locator(LIVE_RADAR)
    rings, traces = len(_table(content)["rings"]), 3
    assert radar.locator("polygon").count() == rings + traces
    assert radar.locator("polygon.trace-needs").get_attribute("points")
    summary = page.locator(".radar-summary")
    assert summary.get_attribute("aria-live") == "polite"
    assert summary.inner_text() == row["radar_summary"]
    legend = page.locator(".legend li")
    assert legend.all_inner_texts() == [
        content.text("legend.mentoring"),
        content.text("legend.coaching"),
        content.text("legend.needs"),
    ]
    assert legend.locator("line").count() == legend.locator("path").count() == 3
    screenshot(page, "desktop")


def test_each_slider_is_labelled_and_says_its_option(open_page, content):
    page = open_page("desktop")
    for spec in content.main_inputs:
        control = slider(page, content, spec.id)
        assert control.get_attribute("type") == "range"
        assert control.get_attribute("aria-valuetext") == spec.option(spec.default).label
        assert control.get_attribute("max") == str(len(spec.options) - 1)
        label = spec.option(spec.default).label
        assert control.locator("xpath=..").get_by_text(label, exact=True).is_visible()


def test_a_key_press_redraws_at_once_and_reports_once_on_release(open_page, content):
    inputs, goal_index = a_goal_step_that_changes_the_headline(content)
    page = open_page("desktop", query(inputs))
    assert_draws_its_row(page, content)
    before_needs, before_verdict = drawn_needs(page), page.locator(VERDICT).inner_text()
    goal = slider(page, content, "goal")
    goal.focus()
    install_probe(page)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.__liveProbe.keyToDraw.length > 0")
    assert drawn_needs(page) != before_needs
    assert page.locator(VERDICT).inner_text() != before_verdict
    row = assert_draws_its_row(page, content)
    next_option = content.input_by_id["goal"].options[goal_index + 1]
    assert goal.get_attribute("aria-valuetext") == next_option.label
    assert wait_for_report(page, {**inputs, "goal": next_option.id}) == 1
    assert is_focused(goal), "the rerun after the report took the focus away"
    assert drawn_needs(page) == row["needs"]


def test_home_and_end_and_timed_key_presses(open_page, content):
    page = open_page("desktop")
    goal_spec = content.input_by_id["goal"]
    goal = slider(page, content, "goal")
    goal.focus()
    page.keyboard.press("End")
    next_frames(page)
    assert goal.get_attribute("aria-valuetext") == goal_spec.options[-1].label
    assert_draws_its_row(page, content)
    page.keyboard.press("Home")
    next_frames(page)
    assert goal.get_attribute("aria-valuetext") == goal_spec.options[0].label
    assert_draws_its_row(page, content)
    defaults = {s.id: s.default for s in content.main_inputs}
    wait_for_report(page, {**defaults, "goal": goal_spec.option_ids[0]})
    install_probe(page)
    for press in range(KEY_PRESSES):
        page.keyboard.press("ArrowRight" if press % 2 == 0 else "ArrowLeft")
        page.wait_for_function(f"() => window.__liveProbe.keyToDraw.length > {press}")
    timings = sorted(probe(page)["keyToDraw"])
    assert len(timings) == KEY_PRESSES
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    TIMINGS.write_text(
        json.dumps(
            {
                "what": "keydown -> data-needs changed, in-page performance.now(), ms",
                "presses": KEY_PRESSES,
                "p50": statistics.median(timings),
                "p95": timings[int(0.95 * (len(timings) - 1))],
                "max": timings[-1],
                "all": timings,
            },
            indent=2,
        )
    )


def test_a_mouse_drag_redraws_before_release_without_the_server(open_page, content):
    page = open_page("desktop")
    sent_during_drag: list[int] = []
    dragging = False

    def on_socket(socket_: Any) -> None:
        socket_.on("framesent", lambda _frame: dragging and sent_during_drag.append(1))

    page.on("websocket", on_socket)
    page.reload()
    page.locator(f"{LIVE_RADAR}[data-needs]").wait_for()
    page.get_by_text("reports=0").wait_for()
    box = slider(page, content, "goal").bounding_box()
    y = box["y"] + box["height"] / 2

    def mouse_drag(start: Point, end: Point) -> None:
        nonlocal dragging
        page.mouse.move(*start)
        dragging = True
        page.mouse.down()
        for step in range(1, DRAG_STEPS + 1):
            page.mouse.move(start[0] + (end[0] - start[0]) * step / DRAG_STEPS, end[1])
            page.wait_for_timeout(20)
        dragging = False
        page.mouse.up()

    changes = drag_changes(page, (box["x"] + box["width"] / 2, y), (box["x"] + 2, y), mouse_drag)
    assert changes >= 2, "the radar did not follow the drag"
    assert sent_during_drag == [], "the drag talked to the server before release"
    goal = content.input_by_id["goal"]
    defaults = {s.id: s.default for s in content.main_inputs}
    assert wait_for_report(page, {**defaults, "goal": goal.option_ids[0]}) == 1
    page.wait_for_timeout(500)
    assert reported(page)[0] == 1, "one release, one report"
    assert_draws_its_row(page, content)


def test_inputs_set_by_python_are_drawn_and_the_same_move_reports_again(open_page, content):
    page = open_page("desktop")
    defaults = {s.id: s.default for s in content.main_inputs}
    goal = slider(page, content, "goal")
    goal.focus()
    page.keyboard.press("ArrowRight")
    moved = {**defaults, "goal": shown_inputs(page, content)["goal"]}
    assert moved != defaults
    assert wait_for_report(page, moved) == 1
    page.get_by_role("button", name="Back to the defaults").click()
    page.wait_for_function(
        "([el, label]) => el.getAttribute('aria-valuetext') === label",
        arg=[goal.element_handle(), content.input_by_id["goal"].option(defaults["goal"]).label],
    )
    wait_for_report(page, defaults)
    assert_draws_its_row(page, content)
    goal.focus()
    page.keyboard.press("ArrowRight")
    assert wait_for_report(page, moved) == 2, "the same move, made again, was not reported"


def test_new_advanced_inputs_bring_a_new_table(open_page, content):
    page = open_page("desktop")
    support = content.input_by_id["support"]
    other = support.option_ids[0]
    before = drawn_needs(page)
    page.get_by_role("combobox").click()
    page.get_by_role("option", name=other, exact=True).click()
    row = expected_row(content, shown_inputs(page, content), support=other)
    assert row["needs"] != before
    page.locator(
        f"{LIVE_RADAR}[data-needs='{json.dumps(row['needs'], separators=(',', ':'))}']"
    ).wait_for()
    assert_draws_its_row(page, content, support=other)


def test_the_table_toggle_shows_the_same_numbers(open_page, content):
    page = open_page("desktop")
    show = page.get_by_role("button", name=content.text("accessibility.show_table"))
    assert show.get_attribute("aria-expanded") == "false"
    show.click()
    hide = page.get_by_role("button", name=content.text("live.hide_table"))
    assert hide.get_attribute("aria-expanded") == "true"
    table = page.locator(".radar-table")
    assert table.is_visible()
    cells = table.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert [float(c) for c in cells] == drawn_needs(page)
    names = table.locator("tbody th").all_inner_texts()
    assert names == [d.label for d in content.dimensions]
    hide.click()
    assert table.is_hidden() and show.get_attribute("aria-expanded") == "false"


def test_reduced_motion_turns_transitions_off(open_page):
    page = open_page("desktop", reduced_motion="reduce")
    duration = page.locator(".meter-marker").evaluate(
        "(el) => getComputedStyle(el).transitionDuration"
    )
    assert duration in ("0s", "0s, 0s")


def test_phone_sliders_and_radar_share_the_screen_and_follow_a_touch_drag(open_page, content):
    page = open_page("phone")
    # Scroll the sliders to just below Streamlit's fixed header: one flick, no sidebar.
    header = page.locator('[data-testid="stHeader"]').bounding_box()
    header_bottom = header["y"] + header["height"] if header else 0
    page.locator(".sliders").evaluate(
        "(el, offset) => { el.style.scrollMarginTop = `${offset}px`; el.scrollIntoView(); }",
        header_bottom,
    )
    page.wait_for_timeout(300)
    height = page.viewport_size["height"]
    boxes = {spec.id: slider(page, content, spec.id).bounding_box() for spec in content.main_inputs}
    boxes["radar"] = page.locator(LIVE_RADAR).bounding_box()
    for name, box in boxes.items():
        assert box["y"] >= header_bottom and box["y"] + box["height"] <= height, (name, box)
    overflow = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert boxes["radar"]["width"] <= page.viewport_size["width"]
    screenshot(page, "phone")

    cdp = page.context.new_cdp_session(page)
    box = boxes["goal"]
    y = box["y"] + box["height"] / 2

    def touch_drag(start: Point, end: Point) -> None:
        touch = {"type": "touchStart", "touchPoints": [{"x": start[0], "y": y}]}
        cdp.send("Input.dispatchTouchEvent", touch)
        for step in range(1, DRAG_STEPS + 1):
            x = start[0] + (end[0] - start[0]) * step / DRAG_STEPS
            cdp.send(
                "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
            )
            page.wait_for_timeout(20)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

    start = (box["x"] + box["width"] / 2, y)
    changes = drag_changes(page, start, (box["x"] + box["width"] - 2, y), touch_drag)
    assert changes >= 2, "the radar did not follow the finger"
    goal = content.input_by_id["goal"]
    defaults = {s.id: s.default for s in content.main_inputs}
    assert wait_for_report(page, {**defaults, "goal": goal.option_ids[-1]}) == 1
    assert_draws_its_row(page, content)


def test_presenter_text_is_large_and_everything_fits_the_first_screen(open_page, content):
    page = open_page("presenter", "presenter=1")
    sizes = page.locator(".live").evaluate(
        """(root) => [...root.querySelectorAll('*')]
             .filter((el) => el.getClientRects().length && [...el.childNodes]
               .some((n) => n.nodeType === 3 && n.textContent.trim()))
             .filter((el) => !el.closest('.sr-only, [hidden]'))
             .map((el) => [el.textContent.trim().slice(0, 30),
                           parseFloat(getComputedStyle(el).fontSize)])"""
    )
    small = [(text, size) for text, size in sizes if size < 24]
    assert sizes and not small, small
    bottom = page.viewport_size["height"]
    for locator in [page.locator(VERDICT), page.locator(LIVE_RADAR)] + [
        slider(page, content, spec.id) for spec in content.main_inputs
    ]:
        box = locator.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= bottom, box
    screenshot(page, "presenter")
