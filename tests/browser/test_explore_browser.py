"""Explore in Chromium on the real app: the live explorer redraws the radar as the hand moves
(key, mouse and touch), before the release reaches the server; on release the reasons, the
address bar, the share link and the sensitivity strips follow; back/forward, advanced
inputs, a bad link and a phone.

What the radar draws is checked against the decision table built here from content
(`explorer.live_table`), and the reasons against `explorer.explain.reason_lines`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from explorer import evaluate, load_content, sensitivity
from explorer.explain import reason_lines
from explorer.live_table import live_table, row_index, table_row

from .conftest import (
    APP_TIMEOUT_MS,
    COMPONENT_ROOTS_JS,
    LIVE_RADAR,
    LIVE_VERDICT,
    POLL_MS,
    SCREENSHOT_DIR,
    SHARE_LINK,
    address_inputs,
    app_state,
    drawn_needs,
    drawn_strips,
    horizontal_overflow,
    in_viewport,
    obscured_by,
    open_app,
    screenshot,
    share_link_inputs,
    wait_for_app,
)

pytestmark = pytest.mark.browser

CONTENT = load_content()
MAIN = [spec.id for spec in CONTENT.main_inputs]
DEFAULTS = dict(CONTENT.defaults)
EXCEPTION = '[data-testid="stException"]'
_TABLES: dict[tuple[tuple[str, str], ...], dict] = {}

# Records every data-needs the live radar draws, with the address bar at that moment, and
# when the pointer or finger was released: proof that the radar moved before the server knew.
PROBE_JS = (
    """
() => {
  const radar = ("""
    + COMPONENT_ROOTS_JS
    + """)
    .map((root) => root.querySelector('[data-testid="live-radar"]')).find(Boolean);
  const probe = { drawn: [], released: false };
  const release = () => { probe.released = true; };
  window.addEventListener('pointerup', release, true);
  window.addEventListener('touchend', release, true);
  new MutationObserver(() => {
    probe.drawn.push({ needs: radar.getAttribute('data-needs'), search: location.search,
                       released: probe.released });
  }).observe(radar, { attributes: true, attributeFilter: ['data-needs'] });
  window.__liveProbe = probe;
}
"""
)


# --------------------------------------------------------------------------- expectations


def expected_row(inputs: dict[str, str]) -> dict:
    """The decision-table row for these inputs (main and advanced), built from content."""
    chosen = {**DEFAULTS, **inputs}
    advanced = tuple(sorted((s.id, chosen[s.id]) for s in CONTENT.advanced_inputs))
    if advanced not in _TABLES:
        _TABLES[advanced] = live_table(CONTENT, dict(advanced))
    return table_row(_TABLES[advanced], row_index(CONTENT, chosen))


def plain(markdown: str) -> str:
    """Markdown emphasis removed, as the page shows the text."""
    return re.sub(r"\*+", "", markdown).strip()


def top_reason(inputs: dict[str, str]) -> str:
    """The first reason's sentence as the page should show it, or the no-reasons line."""
    lines = reason_lines(CONTENT, evaluate({**DEFAULTS, **inputs}, content=CONTENT))
    return plain(lines[0].text) if lines else CONTENT.text("explore.no_reasons")


def option_label(input_id: str, option_id: str) -> str:
    return CONTENT.input_by_id[input_id].option(option_id).label


# --------------------------------------------------------------------------- page helpers


def slider(page: Page, input_id: str) -> Locator:
    return page.get_by_role("slider", name=CONTENT.input_by_id[input_id].label, exact=True)


def shown_main_inputs(page: Page) -> dict[str, str]:
    """The main inputs as the live sliders say them (aria-valuetext)."""
    shown = {}
    for spec in CONTENT.main_inputs:
        text = slider(page, spec.id).get_attribute("aria-valuetext")
        shown[spec.id] = next(o.id for o in spec.options if o.label == text)
    return shown


def wait_for_needs(page: Page, needs: list[float]) -> None:
    """Until the live radar draws exactly these needs (bounded). The table's numbers are
    JSON-ready (whole numbers without '.0'), so their JSON is what the component writes."""
    expect(page.locator(LIVE_RADAR)).to_have_attribute(
        "data-needs", json.dumps(needs, separators=(",", ":"))
    )


def holds(page: Page, condition: str, arg: object = None) -> bool:
    """Whether a JS condition becomes true within one rerun's time (polled, bounded)."""
    try:
        page.wait_for_function(condition, arg=arg, polling=POLL_MS, timeout=APP_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        return False
    return True


def wait_for_release(page: Page, inputs: dict[str, str]) -> None:
    """Until the address bar holds these main inputs (the release reached the server and
    the page was redrawn), then until the app has settled."""
    expected = {**DEFAULTS, **inputs}
    page.wait_for_function(
        """(expected) => {
             const query = new URLSearchParams(location.search);
             return Object.entries(expected).every(([k, v]) => query.get(k) === v);
           }""",
        arg={k: expected[k] for k in MAIN},
        polling=POLL_MS,
        timeout=APP_TIMEOUT_MS,
    )
    wait_for_app(page)


def reasons_column(page: Page) -> Locator:
    heading = page.get_by_role("heading", level=4, name=CONTENT.text("explore.reasons_heading"))
    return page.locator('[data-testid="stColumn"]').filter(has=heading)


def assert_server_part_follows(page: Page, inputs: dict[str, str]) -> None:
    """After a release: radar, verdict, reasons, address bar and share link all say `inputs`."""
    row = expected_row(inputs)
    wait_for_needs(page, row["needs"])
    expect(page.locator(LIVE_VERDICT)).to_have_text(row["headline"])
    expect(reasons_column(page)).to_contain_text(top_reason(inputs))
    expected = {k: v for k, v in {**DEFAULTS, **inputs}.items() if k in MAIN}
    assert {k: address_inputs(page)[k] for k in MAIN} == expected
    same = holds(
        page,
        """(selector) => {
             const field = document.querySelector(selector);
             if (!field) return false;
             const link = new URL(field.value).searchParams;
             const here = new URLSearchParams(location.search);
             here.delete('presenter');
             return [...here].length === [...link].length
               && [...here].every(([k, v]) => link.get(k) === v);
           }""",
        SHARE_LINK,
    )
    assert same, f"the share link went stale: {share_link_inputs(page)} != {address_inputs(page)}"


def install_probe(page: Page) -> None:
    page.evaluate(PROBE_JS)


def drawn_before_release(page: Page) -> list[dict]:
    return [d for d in page.evaluate("window.__liveProbe.drawn") if not d["released"]]


def option_x(box: dict, index: int, count: int) -> float:
    """Where a pointer selects option `index` of `count` on a range input's track."""
    inset = 3
    return box["x"] + inset + (box["width"] - 2 * inset) * index / (count - 1)


def drag_goal_to_the_left_end(page: Page, press: Callable, move: Callable, lift: Callable):
    """Press on the goal thumb, move to each option to its left and wait, still pressed, for
    the radar to draw that option's row; then lift. Returns the inputs left chosen."""
    goal = CONTENT.input_by_id["goal"]
    here = goal.index(DEFAULTS["goal"])
    box = slider(page, "goal").bounding_box()
    y = box["y"] + box["height"] / 2
    install_probe(page)
    press(option_x(box, here, len(goal.options)), y)
    for index in range(here - 1, -1, -1):
        move(option_x(box, index, len(goal.options)), y)
        wait_for_needs(page, expected_row({"goal": goal.option_ids[index]})["needs"])
    before = drawn_before_release(page)
    lift()
    return {"goal": goal.option_ids[0]}, before


def assert_redrawn_without_the_server(before: list[dict], start_search: str, steps: int):
    assert len({d["needs"] for d in before}) >= steps, f"the radar did not follow: {before}"
    assert {d["search"] for d in before} == {start_search}, "the link changed mid-drag"


# --------------------------------------------------------------------------- tests


def test_a_key_press_redraws_the_radar_before_release_and_the_server_part_follows(
    new_page, app_server
):
    page = open_app(new_page("desktop"), app_server)
    assert app_state(page)["liveRadars"] == 1, "wait_for_app does not see the live radar"
    assert shown_main_inputs(page) == {k: DEFAULTS[k] for k in MAIN}
    assert_server_part_follows(page, {})
    # Sliders, radar and verdict share the first screen at 1280x800.
    for locator in [page.locator(LIVE_VERDICT), page.locator(LIVE_RADAR)] + [
        slider(page, input_id) for input_id in MAIN
    ]:
        assert in_viewport(locator), f"{locator} is not wholly on the first screen"
    start = page.url

    goal = slider(page, "goal")
    goal.focus()
    page.keyboard.down("End")  # pressed, not yet released: nothing has gone to the server
    moved = {"goal": CONTENT.input_by_id["goal"].option_ids[-1]}
    wait_for_needs(page, expected_row(moved)["needs"])
    expect(page.locator(LIVE_VERDICT)).to_have_text(expected_row(moved)["headline"])
    expect(goal).to_have_attribute("aria-valuetext", option_label("goal", moved["goal"]))
    assert page.url == start, "the radar waited for the server"
    assert top_reason(moved) != top_reason({}), "content changed: pick a move with new reasons"
    expect(reasons_column(page)).to_contain_text(top_reason({}))

    page.keyboard.up("End")
    wait_for_release(page, moved)
    assert_server_part_follows(page, moved)
    expect(goal).to_be_focused()  # the rerun after the release kept the keyboard's place

    # A second slider: the share link follows every move, not only the first.
    slider(page, "timeframe").focus()
    page.keyboard.press("Home")
    both = {**moved, "timeframe": CONTENT.input_by_id["timeframe"].option_ids[0]}
    wait_for_release(page, both)
    assert_server_part_follows(page, both)
    screenshot(page, "explore-desktop-moved")


def test_the_first_visit_invitation_shows_on_defaults_and_goes_after_a_move(new_page, app_server):
    page = open_app(new_page("desktop"), app_server)
    invitation = page.locator('[data-testid="stAlert"]').filter(
        has_text=CONTENT.text("explore.first_visit")
    )
    intro = page.locator('[data-testid="stCaptionContainer"]').filter(
        has_text=CONTENT.text("explore.intro")
    )
    expect(invitation).to_be_visible()
    expect(intro).to_have_count(0)
    slider(page, "stage").focus()
    page.keyboard.press("ArrowLeft")
    wait_for_release(page, {"stage": "early"})
    expect(invitation).to_have_count(0)
    expect(intro).to_be_visible()


def test_a_mouse_drag_redraws_the_radar_at_each_option_before_release(new_page, app_server):
    page = open_app(new_page("desktop"), app_server)
    start = page.evaluate("location.search")

    def press(x: float, y: float) -> None:
        page.mouse.move(x, y)
        page.mouse.down()

    moved, before = drag_goal_to_the_left_end(page, press, page.mouse.move, page.mouse.up)
    assert_redrawn_without_the_server(before, start, 2)
    wait_for_release(page, moved)
    assert_server_part_follows(page, moved)


def test_browser_back_and_forward_restore_the_inputs_radar_and_reasons(new_page, app_server):
    page = open_app(new_page("desktop"), app_server)
    slider(page, "goal").focus()
    page.keyboard.press("End")
    first = {"goal": "specific"}
    wait_for_release(page, first)
    slider(page, "timeframe").focus()
    page.keyboard.press("Home")
    second = {**first, "timeframe": "weeks"}
    wait_for_release(page, second)
    assert expected_row(first)["needs"] != expected_row(second)["needs"]

    page.go_back()
    wait_for_release(page, first)
    wait_for_needs(page, expected_row(first)["needs"])
    assert shown_main_inputs(page) == {k: {**DEFAULTS, **first}[k] for k in MAIN}
    assert_server_part_follows(page, first)

    page.go_forward()
    wait_for_release(page, second)
    wait_for_needs(page, expected_row(second)["needs"])
    assert_server_part_follows(page, second)


def test_a_new_advanced_input_brings_a_new_table_to_the_radar(new_page, app_server):
    page = open_app(new_page("desktop"), app_server)
    support = CONTENT.input_by_id["support"]
    chosen = {"support": support.option_ids[0]}
    assert expected_row(chosen)["needs"] != expected_row({})["needs"]
    page.get_by_text(CONTENT.text("explore.advanced"), exact=True).click()
    control = (
        page.locator('[data-testid="stSlider"]')
        .filter(has_text=support.label)
        .get_by_role("slider")
    )
    control.focus()
    page.keyboard.press("Home")
    page.wait_for_function(
        "(id) => new URLSearchParams(location.search).get('support') === id",
        arg=chosen["support"],
        polling=POLL_MS,
        timeout=APP_TIMEOUT_MS,
    )
    wait_for_app(page)
    wait_for_needs(page, expected_row(chosen)["needs"])
    expect(reasons_column(page)).to_contain_text(top_reason(chosen))
    assert share_link_inputs(page) == address_inputs(page)

    # The new table is what the sliders look up as they move.
    slider(page, "goal").focus()
    page.keyboard.press("End")
    wait_for_needs(page, expected_row({**chosen, "goal": "specific"})["needs"])


def test_the_sensitivity_strips_draw_four_strips_marked_where_each_slider_is(new_page, app_server):
    page = open_app(new_page("desktop"), app_server)
    slider(page, "goal").focus()
    page.keyboard.press("End")
    moved = {"goal": "specific"}
    wait_for_release(page, moved)
    inputs = {**DEFAULTS, **moved}
    leans = sensitivity(CONTENT, inputs)
    strips = drawn_strips(page)
    assert [strip["title"] for strip in strips] == [spec.label for spec in CONTENT.main_inputs]
    for strip, spec in zip(strips, CONTENT.main_inputs, strict=True):
        here = spec.index(inputs[spec.id])
        assert len(strip["points"]) == len(spec.options), spec.id
        assert strip["here"] == pytest.approx(strip["points"][here], abs=1.0), (
            f"the ringed mark of {spec.id} is not drawn on its current option"
        )
        assert strip["hereSize"] > strip["pointSize"], "the 'you are here' mark is not larger"
        assert strip["value"] == f"{leans[spec.id][here]:+.2f}".replace("-", "\u2212")
        # Higher lean (towards mentoring) is drawn higher: the points follow the leans.
        ys = [y for _, y in strip["points"]]
        for y0, y1, a, b in zip(ys, ys[1:], leans[spec.id], leans[spec.id][1:], strict=False):
            assert (y1 < y0) == (b > a) or abs(b - a) < 1e-9, spec.id
        assert strip["ends"] == [spec.options[0].label, spec.options[-1].label]
        assert spec.options[here].label in strip["label"], "no text alternative names the mark"
        assert strip["overlaps"] == [], strip["overlaps"]


@pytest.mark.parametrize(
    ("viewport", "query", "smallest_px"),
    [("phone", "", 12), ("presenter", "presenter=1", 24)],
)
def test_the_sensitivity_strips_read_cleanly_on_a_phone_and_a_projector(
    new_page, app_server, viewport, query, smallest_px
):
    """Every strip drawn, no word over another or past the edge, words legible: on a
    projector as large as the presenter view's body text (24 px at 1080 lines)."""
    page = open_app(new_page(viewport), app_server, "goal=specific&stage=early&" + query)
    strips_box = page.locator(".st-key-sensitivity")
    strips_box.scroll_into_view_if_needed()
    strips = drawn_strips(page)
    assert len(strips) == len(CONTENT.main_inputs)
    for strip in strips:
        assert strip["lineDrawn"], strip["title"]
        assert strip["overlaps"] == [], (viewport, strip["title"], strip["overlaps"])
        assert strip["valueSize"] >= smallest_px, (viewport, strip["valueSize"])
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    strips_box.screenshot(path=str(SCREENSHOT_DIR / f"explore-strips-{viewport}.png"))


def test_explore_headings_are_one_level_and_one_size(new_page, app_server):
    page = open_app(new_page("desktop"), app_server, "goal=specific")
    headings = page.evaluate(
        """() => [...document.querySelectorAll(
                 '[data-testid="stMain"] :is(h1, h2, h3, h4, h5, h6)')]
             .filter((h) => h.getClientRects().length)
             .map((h) => [h.tagName, h.textContent.trim(), getComputedStyle(h).fontSize])"""
    )
    sections = [h for h in headings if h[0] != "H1"]
    names = [text for _, text, _ in sections]
    for key in ("explore.reasons_heading", "changes.heading", "changes.sensitivity_heading"):
        assert CONTENT.text(key) in names, f"{key} is not a heading: {names}"
    assert {tag for tag, _, _ in sections} == {"H4"}, sections
    assert len({size for _, _, size in sections}) == 1, sections
    # Nothing else dressed up as a heading: no paragraph that is only bold text.
    bold_only = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stMain"] p')]
             .filter((p) => p.children.length === 1 && p.firstElementChild.tagName === 'STRONG'
               && p.textContent.trim() === p.firstElementChild.textContent.trim())
             .map((p) => p.textContent.trim())"""
    )
    assert bold_only == []


def test_an_unrecognised_value_in_a_link_shows_a_notice_not_a_traceback(new_page, app_server):
    page = open_app(new_page("desktop"), app_server, "goal=banana")
    notice = page.locator('[data-testid="stAlertContentWarning"]')
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("goal")
    expect(notice).to_contain_text("not recognised")
    expect(notice).not_to_contain_text("<")
    expect(page.locator(EXCEPTION)).to_have_count(0)
    assert address_inputs(page)["goal"] == DEFAULTS["goal"]
    assert shown_main_inputs(page)["goal"] == DEFAULTS["goal"]
    assert drawn_needs(page) == expected_row({})["needs"]
    screenshot(page, "explore-bad-link")


def test_on_a_phone_the_sliders_and_radar_share_the_screen_and_follow_a_touch_drag(
    new_page, app_server
):
    page = open_app(new_page("phone"), app_server)
    assert horizontal_overflow(page) <= 0
    for input_id in MAIN:  # no sidebar to open: the sliders are on the page itself
        assert obscured_by(slider(page, input_id)) is None, f"{input_id} slider is hidden"
    # One flick brings the four sliders and the whole radar on screen together.
    header = page.locator('[data-testid="stHeader"]').bounding_box()
    below_header = header["y"] + header["height"] if header else 0
    slider(page, MAIN[0]).evaluate(
        """(el, offset) => {
             const top = el.closest('.sliders') || el;
             top.style.scrollMarginTop = `${offset}px`;
             top.scrollIntoView();
           }""",
        below_header,
    )
    page.wait_for_function(
        "(el) => el.getBoundingClientRect().top >= 0",
        arg=page.locator(LIVE_RADAR).element_handle(),
        timeout=APP_TIMEOUT_MS,
    )
    height = page.viewport_size["height"]
    for name, locator in [("radar", page.locator(LIVE_RADAR))] + [
        (input_id, slider(page, input_id)) for input_id in MAIN
    ]:
        box = locator.bounding_box()
        assert box["y"] >= below_header - 1 and box["y"] + box["height"] <= height + 1, (
            f"{name} is not on the same screen: {box}"
        )
        assert obscured_by(locator) is None, name
    screenshot(page, "explore-phone-sliders-and-radar")

    cdp = page.context.new_cdp_session(page)
    point: dict[str, float] = {}

    def touch(kind: str, x: float | None = None, y: float | None = None) -> None:
        if x is not None:
            point.update(x=x, y=y)
        points = [] if kind == "touchEnd" else [dict(point)]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    start = page.evaluate("location.search")
    moved, before = drag_goal_to_the_left_end(
        page,
        lambda x, y: touch("touchStart", x, y),
        lambda x, y: touch("touchMove", x, y),
        lambda: touch("touchEnd"),
    )
    assert_redrawn_without_the_server(before, start, 2)
    wait_for_release(page, moved)
    assert_server_part_follows(page, moved)
    assert horizontal_overflow(page) <= 0
