"""The presenter view on a projector, every registered page, at 1920x1080 and 1280x720: text
the audience reads is large (24 px at 1080 lines, scaled by height) and at full contrast,
Explore's verdict, radar and sliders fill the first screen, and every selector the app's
CSS relies on (views/presenter.py) still matches an element and still takes effect.

Measured: every text a person sees in the main area (body, captions, quotes, labels, the
live explorer's sliders and radar, Plotly titles, ticks and legends); the sidebar (the
facilitator's navigation) and icons are not. Tables drawn on a canvas (st.dataframe) have no
text in the page to measure; their font is recorded in test-artifacts/presenter-text.json.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from explorer import load_content
from views.presenter import BASE_RULES, PRESENTER_RULES, SELECTORS
from views.registry import PAGES

from .conftest import (
    APP_TIMEOUT_MS,
    LIVE_RADAR,
    LIVE_VERDICT,
    POLL_MS,
    REPO_ROOT,
    chart_text_problems,
    clipped_text,
    in_viewport,
    open_app,
    page_slug,
    screenshot,
    text_styles,
)

pytestmark = pytest.mark.browser

CONTENT = load_content()
PROJECTORS = [(1920, 1080), (1280, 720)]
BODY_PX_AT_1080 = 24
MIN_CONTRAST = 7.0  # WCAG AAA for body text
MEASUREMENTS = REPO_ROOT / "test-artifacts" / "presenter-text.json"
_MEASURED: dict[str, dict] = {}


def open_presenter(new_page, app_server: str, size: tuple[int, int], path: str = "") -> Page:
    return open_app(new_page(size), app_server, "presenter=1", path=path)


def record(key: str, values: dict) -> None:
    """Keep what was measured, for the report (test-artifacts/presenter-text.json)."""
    _MEASURED[key] = values
    MEASUREMENTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(MEASUREMENTS.read_text()) if MEASUREMENTS.exists() else {}
    MEASUREMENTS.write_text(json.dumps({**previous, **_MEASURED}, indent=2, sort_keys=True))


def canvas_table_fonts(page: Page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('.stDataFrameGlideDataEditor')]
             .map((grid) => grid.style.getPropertyValue('--gdg-base-font-style'))"""
    )


@pytest.mark.parametrize("size", PROJECTORS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("spec", PAGES, ids=page_slug)
def test_presenter_text_is_large_and_at_full_contrast(new_page, app_server, spec, size):
    page = open_presenter(new_page, app_server, size, spec.url_path)
    minimum = BODY_PX_AT_1080 * size[1] / 1080
    root = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert root == pytest.approx(minimum, abs=0.5), "the presenter's root size did not apply"
    texts = text_styles(page)
    assert len(texts) >= 5, f"measured almost nothing: {texts}"
    small = [t for t in texts if t["size"] < minimum - 0.05]
    faint = [t for t in texts if t["contrast"] < MIN_CONTRAST]
    faded = [t for t in texts if t["opacity"] < 1]
    record(
        f"{page_slug(spec)}@{size[0]}x{size[1]}",
        {
            "texts": len(texts),
            "min_font_px": min(t["size"] for t in texts),
            "min_contrast": min(t["contrast"] for t in texts),
            "min_opacity": min(t["opacity"] for t in texts),
            "required_font_px": round(minimum, 2),
            "canvas_table_fonts": canvas_table_fonts(page),
        },
    )
    assert small == [], f"smaller than {minimum:.1f} px: {small}"
    assert faint == [], f"contrast under {MIN_CONTRAST}:1: {faint}"
    assert faded == [], f"drawn see-through: {faded}"
    assert clipped_text(page.locator('[data-testid="stMain"]')) == []
    assert chart_text_problems(page) == []
    if size == PROJECTORS[-1]:
        screenshot(page, f"{page_slug(spec)}-presenter-{size[0]}x{size[1]}")


@pytest.mark.parametrize("size", PROJECTORS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_presenter_shows_the_verdict_radar_and_sliders_on_the_first_screen(
    new_page, app_server, size
):
    page = open_presenter(new_page, app_server, size)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.evaluate("(el) => el.getBoundingClientRect().right") <= 0, (
        "a projector link should open with the navigation folded away"
    )
    shown = [page.locator(LIVE_VERDICT), page.locator(LIVE_RADAR)] + [
        page.get_by_role("slider", name=spec.label, exact=True) for spec in CONTENT.main_inputs
    ]
    off = [str(locator) for locator in shown if not in_viewport(locator)]
    assert off == [], f"not on the first screen at {size}: {off}"
    screenshot(page, f"explore-presenter-first-screen-{size[0]}x{size[1]}")


def _expected(declaration: str, root_px: float) -> tuple[str, object] | None:
    """(property, the computed value it must give) for a declaration a test can check."""
    name, _, value = (part.strip() for part in declaration.partition(":"))
    if match := re.fullmatch(r"([\d.]+)rem", value):
        return name, float(match.group(1)) * root_px
    if match := re.fullmatch(r"#([0-9a-fA-F]{6})", value):
        red, green, blue = (int(match.group(1)[i : i + 2], 16) for i in (0, 2, 4))
        return name, f"rgb({red}, {green}, {blue})"
    if re.fullmatch(r"[\d.]+", value):
        return name, value
    return None  # clamp(), max(), ...: matched, not recomputed here


CHECK_RULES_JS = """
([rules]) => rules.map(([selector, properties]) => {
  const found = [...document.querySelectorAll(selector)];
  const el = found[0];
  const style = el && getComputedStyle(el);
  return { selector, count: found.length,
           root: parseFloat(getComputedStyle(document.documentElement).fontSize),
           values: style ? Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)]))
                         : {} };
})
"""


@pytest.mark.parametrize("presenter", [False, True], ids=["base", "presenter"])
def test_every_css_selector_of_the_app_still_matches_and_takes_effect(
    new_page, app_server, presenter
):
    rules = PRESENTER_RULES if presenter else BASE_RULES
    declarations = {selector: [d for d in body.split(";") if d.strip()] for selector, body in rules}
    matched: dict[str, int] = dict.fromkeys(SELECTORS, 0)
    checked: dict[str, str] = {}
    for spec in PAGES:
        page = open_app(
            new_page("presenter"),
            app_server,
            "presenter=1" if presenter else "",
            path=spec.url_path,
        )
        for selector in SELECTORS:
            matched[selector] += page.evaluate(
                "(s) => document.querySelectorAll(s).length", selector
            )
        payload = [[s, [d.partition(":")[0].strip() for d in ds]] for s, ds in declarations.items()]
        for result in page.evaluate(CHECK_RULES_JS, [payload]):
            selector = result["selector"]
            if not result["count"] or selector in checked:
                continue
            for declaration in declarations[selector]:
                expected = _expected(declaration, result["root"])
                if expected is None:
                    continue
                name, value = expected
                actual = result["values"][name]
                if isinstance(value, float):
                    assert float(actual.removesuffix("px")) == pytest.approx(value, abs=0.5), (
                        f"{selector} {{{declaration}}} gives {actual} on /{spec.url_path}"
                    )
                else:
                    assert actual == value, f"{selector} {{{declaration}}} gives {actual}"
            checked[selector] = spec.url_path
    unmatched = [selector for selector, count in matched.items() if count == 0]
    assert unmatched == [], f"selectors that match nothing on any page: {unmatched}"
    unchecked = [selector for selector, _ in rules if selector not in checked]
    assert unchecked == [], f"rules never seen in effect: {unchecked}"


def test_the_presenter_toggle_sets_the_link_and_enlarges_the_text(new_page, app_server):
    page = open_app(new_page("desktop"), app_server)
    root = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
    before = page.evaluate(root)
    assert "presenter" not in page.url
    toggle = page.get_by_role("switch", name=CONTENT.text("presenter.toggle"))
    expect(toggle).not_to_be_checked()
    page.locator(".st-key-presenter label").click()
    page.wait_for_function(
        f"""(before) => new URL(location.href).searchParams.get('presenter') === '1'
               && ({root})() > before""",
        arg=before,
        polling=POLL_MS,
        timeout=APP_TIMEOUT_MS,
    )
    expect(toggle).to_be_checked()
    page.locator(".st-key-presenter label").click()
    page.wait_for_function(
        f"""(before) => !new URL(location.href).searchParams.has('presenter')
               && ({root})() === before""",
        arg=before,
        polling=POLL_MS,
        timeout=APP_TIMEOUT_MS,
    )
