"""Every page in a real browser: loads cleanly on desktop and phone, the presenter view,
the downloadable brief (offline, printed to A4 and Letter) and the keyboard on a slider."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Download, Page, Route, expect

from explorer import load_content

from .conftest import (
    APP_TIMEOUT_MS,
    POLL_MS,
    RADAR_SELECTOR,
    REPO_ROOT,
    horizontal_overflow,
    open_app,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.browser

ARTIFACTS = REPO_ROOT / "test-artifacts"
CONTENT = load_content()
EXCEPTION = '[data-testid="stException"]'
PERSONAS_RADAR = ".st-key-persona_radar .js-plotly-plot"
# url path -> the ui.yaml key of the page's title. Explore ("/") is loaded by the other tests
# here and in test_explore_browser.py, which already saves explore-desktop/phone.png.
PAGES = {
    "personas": "personas.title",
    "room": "room.title",
    "compare": "compare.title",
    "how-it-works": "how.title",
}
BRIEF_QUERY = "goal=specific&timeframe=months"
MIN_PDF_BYTES = 10_000
MAX_TABS = 6


def _title(page: Page, key: str):
    return page.get_by_role("heading", level=1, name=CONTENT.text(key), exact=True)


def _assert_clean(page: Page, title_key: str) -> None:
    expect(page.locator(EXCEPTION)).to_have_count(0)
    expect(_title(page, title_key)).to_be_visible()


def _query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _font_size(page: Page, selector: str = RADAR_SELECTOR) -> float:
    return page.evaluate(
        "(sel) => { const p = document.querySelector(sel); return p && p.layout.font.size; }",
        selector,
    )


@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_on_desktop_and_phone(new_page, app_server, path):
    desktop = open_app(new_page("desktop"), app_server, path=path)
    _assert_clean(desktop, PAGES[path])
    screenshot(desktop, f"{path}-desktop")

    phone = open_app(new_page("phone"), app_server, path=path)
    _assert_clean(phone, PAGES[path])
    assert horizontal_overflow(phone) <= 1, f"/{path} is wider than a 390 px phone"
    screenshot(phone, f"{path}-phone")


def test_presenter_link_enlarges_explore_and_personas(new_page, app_server):
    page = open_app(new_page("presenter"), app_server, "goal=specific&timeframe=weeks&presenter=1")
    _assert_clean(page, "explore.title")
    expect(page.get_by_role("switch", name=CONTENT.text("presenter.toggle"))).to_be_checked()
    assert _font_size(page) == 20
    assert _query(page)["presenter"] == ["1"]
    screenshot(page, "explore-presenter")

    page = open_app(new_page("presenter"), app_server, "presenter=1", path="personas")
    _assert_clean(page, "personas.title")
    assert _font_size(page, PERSONAS_RADAR) == 20
    screenshot(page, "personas-presenter")


def test_presenter_toggle_sets_link_and_grows_radar_font(new_page, app_server):
    page = open_app(new_page("desktop"), app_server)
    _assert_clean(page, "explore.title")
    before = _font_size(page)
    assert "presenter" not in _query(page)

    page.locator(".st-key-presenter label").click()
    page.wait_for_function(
        """([sel, before]) => {
             const p = document.querySelector(sel);
             return new URL(location.href).searchParams.get('presenter') === '1'
               && !!p && !!p.layout && p.layout.font.size > before;
           }""",
        arg=[RADAR_SELECTOR, before],
        polling=POLL_MS,
        timeout=APP_TIMEOUT_MS,
    )
    wait_for_app(page)
    assert _font_size(page) > before
    assert _query(page)["presenter"] == ["1"]


def _download(page: Page, label: str, target: Path) -> Path:
    button = page.get_by_role("button", name=label)
    with page.expect_download(timeout=APP_TIMEOUT_MS) as info:
        button.click()
    download: Download = info.value
    assert download.failure() is None, download.failure()
    download.save_as(target)
    return target


def test_brief_downloads_work_offline_and_print(new_page, app_server, browser: Browser):
    page = open_app(new_page("desktop"), app_server, BRIEF_QUERY)
    _assert_clean(page, "explore.title")
    heading = page.get_by_role("heading", name="Verdict:").inner_text()
    headline = re.sub(r"^Verdict:\s*", "", heading).strip()
    assert headline

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    html_path = _download(page, CONTENT.text("brief.download_html"), ARTIFACTS / "brief.html")
    md_path = _download(page, CONTENT.text("brief.download_markdown"), ARTIFACTS / "brief.md")
    size = html_path.stat().st_size
    (ARTIFACTS / "brief-size.txt").write_text(f"{size}\n")
    assert f"## {CONTENT.text('brief.verdict_heading')}: {headline}" in md_path.read_text()

    # A fresh context with the network cut off: the brief must stand on its own.
    offline = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        requests: list[str] = []

        def block(route: Route) -> None:
            requests.append(route.request.url)
            route.abort()

        offline.route("**/*", block)
        brief = offline.new_page()
        brief.set_content(html_path.read_text(encoding="utf-8"), wait_until="load")
        expect(brief.locator("#verdict")).to_have_text(headline)
        polygons = brief.locator("svg.radar polygon.trace")
        expect(polygons).to_have_count(3)
        for points in polygons.evaluate_all("(ps) => ps.map((p) => p.getAttribute('points'))"):
            assert points and len(points.split()) >= 3, f"empty radar trace: {points!r}"
        assert requests == [], f"the brief tried to load {requests}"

        for paper, name in (("A4", "brief-a4.pdf"), ("Letter", "brief-letter.pdf")):
            pdf = ARTIFACTS / name
            brief.pdf(path=str(pdf), format=paper, print_background=True)
            data = pdf.read_bytes()
            assert data.startswith(b"%PDF"), f"{name} is not a PDF"
            assert len(data) > MIN_PDF_BYTES, f"{name} is only {len(data)} bytes"
    finally:
        offline.close()


def test_keyboard_end_and_home_on_career_stage(new_page, app_server):
    page = open_app(new_page("desktop"), app_server)
    sidebar = page.locator('[data-testid="stSidebar"]')
    stage = CONTENT.input_by_id["stage"]
    slider = sidebar.get_by_role("slider", name=stage.label)
    # Tab from the slider before it (past at most a help icon or two) reaches the thumb.
    sidebar.get_by_role("slider", name=CONTENT.input_by_id["timeframe"].label).focus()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if slider.evaluate("(el) => el === document.activeElement"):
            break
    expect(slider).to_be_focused()
    for key, option in (("End", stage.options[-1]), ("Home", stage.options[0])):
        page.keyboard.press(key)
        expect(slider).to_have_attribute("aria-valuetext", option.label)
        expect(page).to_have_url(re.compile(rf"[?&]stage={re.escape(option.id)}(&|$)"))
        wait_for_app(page)
    expect(page.locator(EXCEPTION)).to_have_count(0)
