"""Every registered page in Chromium (views/registry.PAGES, never a list of our own): it opens
cleanly on a fresh server with no warm-up, looks right on a desktop, a phone and a projector
(screenshots saved for a person to look at), and names both sources in full wherever it
cites them. Then Compare's cards, How it works' formula and tables, and the brief.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Download, Page, Route, expect

from explorer import evaluate, load_content
from explorer.live_table import live_table, row_index, table_row
from testkit.server import StreamlitServer
from views.registry import PAGES, PageSpec

from .conftest import (
    APP_TIMEOUT_MS,
    LIVE_RADAR,
    LIVE_VERDICT,
    POLL_MS,
    REPO_ROOT,
    VIEWPORTS,
    address_inputs,
    chart_text_problems,
    clipped_text,
    horizontal_overflow,
    open_app,
    page_slug,
    screenshot,
    serving,
    wait_for_app,
)

pytestmark = pytest.mark.browser

ARTIFACTS = REPO_ROOT / "test-artifacts"
CONTENT = load_content()
EXCEPTION = '[data-testid="stException"]'
MAIN = '[data-testid="stMain"]'
NOT_FOUND = "Page not found"  # Streamlit's own dialog title
# A citation as the app writes it: a source id, then a paragraph or point number.
CITATION = re.compile("(" + "|".join(re.escape(s.id) for s in CONTENT.sources) + r")\s*[¶§]\s*\d+")
EMPTY_CELLS = {"None", "none", "nan", "NaN", "<NA>", "NaT", "null", "undefined"}
BRIEF_QUERY = "goal=specific&timeframe=months"
MIN_PDF_BYTES = 10_000
GRID_SCROLL_STEPS = 200  # bound on scrolling through one table


def page_title(spec: PageSpec) -> str:
    """The page's own heading: the title key beside its navigation key in content."""
    return CONTENT.text(spec.title_key.rsplit(".", 1)[0] + ".title")


def not_found_dialog(page: Page):
    return page.locator('[data-testid="stDialog"]').filter(has_text=NOT_FOUND)


def assert_opened_cleanly(page: Page, spec: PageSpec) -> None:
    """The requested page runs (its heading, its nav entry current, its path kept), with no
    "Page not found" dialog and no traceback."""
    expect(not_found_dialog(page)).to_have_count(0)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    expect(page.get_by_role("heading", level=1, name=page_title(spec), exact=True)).to_be_visible()
    current = page.locator('[data-testid="stSidebarNavLink"][aria-current="page"]')
    expect(current).to_have_text(CONTENT.text(spec.title_key))
    assert page.url.split("?")[0].rstrip("/").endswith(f"/{spec.url_path}".rstrip("/"))


@pytest.fixture
def fresh_server(explorer_data_dir: Path, tmp_path: Path):
    """A `streamlit run app.py` nobody has visited yet (no warm-up request); stopped after."""
    server = StreamlitServer(env={"EXPLORER_DATA_DIR": str(explorer_data_dir)}, logs=tmp_path)
    with serving(server):
        yield server.url


# --------------------------------------------------------------------------- every page


@pytest.mark.parametrize("spec", PAGES, ids=page_slug)
def test_every_page_opens_cleanly_as_the_first_request_to_a_fresh_server(
    new_page, fresh_server, spec
):
    page = new_page("phone")  # as a phone scanning a room's QR code right after a restart
    page.goto(f"{fresh_server}/{spec.url_path}")
    wait_for_app(page)
    assert_opened_cleanly(page, spec)


def test_an_unknown_path_shows_the_page_not_found_dialog_the_cold_test_looks_for(
    new_page, app_server
):
    page = new_page("desktop")
    page.goto(f"{app_server}/no-such-page")
    wait_for_app(page)
    expect(not_found_dialog(page)).to_be_visible()


@pytest.mark.parametrize("viewport", ["desktop", "phone", "presenter"])
@pytest.mark.parametrize("spec", PAGES, ids=page_slug)
def test_every_page_looks_right_on_desktop_phone_and_projector(
    new_page, app_server, spec, viewport
):
    query = "presenter=1" if viewport == "presenter" else ""
    page = open_app(new_page(viewport), app_server, query, path=spec.url_path)
    assert_opened_cleanly(page, spec)
    width = VIEWPORTS[viewport]["viewport"]["width"]
    assert horizontal_overflow(page) <= 0, f"wider than the {width} px screen"
    assert clipped_text(page.locator(MAIN)) == []
    assert chart_text_problems(page) == []
    screenshot(page, f"{page_slug(spec)}-{viewport}")


def test_every_page_that_cites_a_source_names_both_sources_in_full(new_page, app_server):
    citing = []
    for spec in PAGES:
        page = open_app(new_page("desktop"), app_server, path=spec.url_path)
        text = page.locator(MAIN).text_content() or ""
        if not CITATION.search(text):
            continue
        citing.append(page_slug(spec))
        note = page.locator('[data-testid="stCaptionContainer"]').filter(
            has_text=CONTENT.sources[0].title
        )
        expect(note).to_have_count(1)
        for source in CONTENT.sources:
            expect(note).to_contain_text(source.id)
            expect(note).to_contain_text(source.title)
        assert note.evaluate("(el) => getComputedStyle(el).visibility") == "visible"
    # The pages that quote the sources: none may drop out of this check unnoticed.
    assert {"explore", "personas", "compare", "how-it-works"} <= set(citing), citing


# --------------------------------------------------------------------------- Personas


def test_try_this_persona_opens_explore_in_the_same_tab_with_the_persona_answers(
    new_page, app_server
):
    page = open_app(new_page("desktop"), app_server, path="personas")
    persona = CONTENT.personas.personas[0]
    chosen = evaluate(persona.inputs, content=CONTENT).inputs
    expect(page.get_by_role("heading", name=persona.name, exact=True)).to_be_visible()
    page.get_by_role("button", name=CONTENT.text("personas.try_it")).click()
    page.wait_for_function(
        "() => location.pathname === '/' && new URLSearchParams(location.search).has('goal')",
        polling=POLL_MS,
        timeout=APP_TIMEOUT_MS,
    )
    wait_for_app(page)
    assert len(page.context.pages) == 1, "it opened another tab"
    main = {spec.id: chosen[spec.id] for spec in CONTENT.main_inputs}
    assert {k: address_inputs(page)[k] for k in main} == main
    advanced = {spec.id: chosen[spec.id] for spec in CONTENT.advanced_inputs}
    row = table_row(live_table(CONTENT, advanced), row_index(CONTENT, dict(chosen)))
    expect(page.locator(LIVE_RADAR)).to_have_attribute(
        "data-needs", json.dumps(row["needs"], separators=(",", ":"))
    )
    expect(page.locator(LIVE_VERDICT)).to_have_text(row["headline"])


# --------------------------------------------------------------------------- Compare


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_compare_shows_a_readable_card_per_dimension_in_the_approach_colours(
    new_page, app_server, viewport
):
    page = open_app(new_page(viewport), app_server, path="compare")
    cards = page.locator('[class*="st-key-card_"]').filter(has=page.locator(".value-bar"))
    expect(cards).to_have_count(len(CONTENT.dimensions))
    width = page.viewport_size["width"]
    for dimension in CONTENT.dimensions:
        card = page.locator(f".st-key-card_{dimension.id}")
        expect(card.get_by_role("heading", level=4, name=dimension.label)).to_be_visible()
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{dimension.id} off-screen"
        bars = card.locator(".value-bar").evaluate_all(
            """(bars) => bars.map((bar) => {
                 const fill = [...bar.querySelectorAll('span')]
                   .find((s) => getComputedStyle(s).position === 'absolute');
                 return { approach: bar.dataset.approach, value: Number(bar.dataset.value),
                          colour: getComputedStyle(fill).backgroundColor,
                          width: fill.getBoundingClientRect().width,
                          track: fill.parentElement.getBoundingClientRect().width,
                          text: bar.innerText };
               })"""
        )
        assert [b["approach"] for b in bars] == ["mentoring", "coaching"]
        for bar, number, colour, name in (
            (bars[0], dimension.mentoring.value, "rgb(0, 114, 178)", "legend.mentoring"),
            (bars[1], dimension.coaching.value, "rgb(213, 94, 0)", "legend.coaching"),
        ):
            assert bar["value"] == number
            assert bar["colour"] == colour, f"{dimension.id} {bar['approach']} bar colour"
            assert bar["width"] == pytest.approx(bar["track"] * number / 100, abs=2)
            assert CONTENT.text(name) in bar["text"] and f"{number:g}" in bar["text"]
    assert clipped_text(cards) == []
    assert horizontal_overflow(page) <= 0
    # One way to search: the page's own box, no table with a search of its own.
    expect(page.locator(f"{MAIN} input[type='text']")).to_have_count(1)
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(0)
    screenshot(page, f"compare-cards-{viewport}")


def test_the_compare_search_box_keeps_only_the_matching_cards(new_page, app_server):
    page = open_app(new_page("desktop"), app_server, path="compare")
    word = "network"
    search = page.get_by_role("textbox", name=CONTENT.text("compare.search"))
    search.fill(word)
    search.press("Enter")
    cards = page.locator('[class*="st-key-card_"]').filter(has=page.locator(".value-bar"))
    expect(cards).not_to_have_count(len(CONTENT.dimensions))
    wait_for_app(page)
    assert cards.count() >= 1
    for text in cards.all_inner_texts():
        assert word in text.lower()


# --------------------------------------------------------------------------- How it works


GRID_CELLS_JS = """
async (grid, maxSteps) => {
  // The grid draws on a canvas and keeps an accessible table of the rows in view: scroll
  // through it, reading every cell it shows, until the end (or maxSteps).
  const scroller = grid.querySelector('.dvn-scroller');
  const headers = [...grid.querySelectorAll('[role="columnheader"]')].map((h) => h.textContent);
  const cells = new Map();
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  const lastRow = () => {
    const rows = grid.querySelectorAll('tbody [role="row"]');
    return rows.length ? rows[rows.length - 1].getAttribute('aria-rowindex') : null;
  };
  const read = () => grid.querySelectorAll('[role="gridcell"]').forEach((c) => {
    cells.set(c.id, c.textContent);
  });
  read();
  for (let step = 0; scroller && step < maxSteps; step++) {
    const before = scroller.scrollTop;
    const shown = lastRow();
    scroller.scrollTop = before + scroller.clientHeight * 0.8;
    if (scroller.scrollTop === before) break;
    for (let wait = 0; wait < 60 && lastRow() === shown; wait++) await frame();
    read();
  }
  const table = grid.querySelector('table[role="grid"]');
  return { headers, cells: [...cells.values()],
           rows: Number(table && table.getAttribute('aria-rowcount')) - 1 };
}
"""


def test_how_it_works_typesets_the_formula_and_its_tables_read_cleanly(new_page, app_server):
    page = open_app(new_page("desktop"), app_server, path="how-it-works")
    expect(page.locator(f"{MAIN} .katex-display")).to_have_count(1)
    code = page.locator(f"{MAIN} :is(pre, code, [data-testid='stCode'])")
    expect(code).to_have_count(0)
    # Open every expander, so every table in them is drawn.
    for summary in page.locator(f"{MAIN} [data-testid='stExpander'] summary").all():
        summary.click()
    wait_for_app(page)
    # The values and each input's targets are short plain tables; the decision table, a grid.
    tables = page.locator(f'{MAIN} [data-testid="stTable"]')
    expect(tables).to_have_count(1 + len(CONTENT.inputs))
    for n in range(tables.count()):
        table = tables.nth(n).evaluate(PLAIN_TABLE_JS)
        check_table_reads_cleanly(f"table {n}", table)
    grids = page.locator(f'{MAIN} [data-testid="stDataFrame"]')
    expect(grids).to_have_count(1)
    grid = grids.first
    grid.scroll_into_view_if_needed()
    grid.locator('[role="gridcell"]').first.wait_for(state="attached", timeout=APP_TIMEOUT_MS)
    check_table_reads_cleanly("the decision table", grid.evaluate(GRID_CELLS_JS, GRID_SCROLL_STEPS))


PLAIN_TABLE_JS = """(table) => {
  const headers = [...table.querySelectorAll('thead th')].map((th) => th.innerText);
  const rows = [...table.querySelectorAll('tbody tr')];
  const cells = rows.flatMap((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.innerText));
  return { headers, cells, rows: rows.length };
}"""


def check_table_reads_cleanly(name: str, table: dict) -> None:
    headers = [h.strip() for h in table["headers"]]
    assert all(headers), f"{name} has an unnamed column: {headers}"
    assert len(set(headers)) == len(headers), f"{name} repeats a column: {headers}"
    assert table["rows"] > 0, f"{name} has no rows"
    assert len(table["cells"]) == table["rows"] * len(headers), (
        f"{name}: read {len(table['cells'])} cells of {table['rows']} rows"
    )
    empty = sorted({c for c in table["cells"] if c.strip() in EMPTY_CELLS})
    assert empty == [], f"{name} ({headers}) shows {empty}"


# --------------------------------------------------------------------------- the brief


def _download(page: Page, label: str, target: Path) -> Path:
    button = page.get_by_role("button", name=label)
    with page.expect_download(timeout=APP_TIMEOUT_MS) as info:
        button.click()
    download: Download = info.value
    assert download.failure() is None, download.failure()
    download.save_as(target)
    return target


def test_the_brief_downloads_work_offline_and_print_to_a4_and_letter(
    new_page, app_server, browser: Browser
):
    page = open_app(new_page("desktop"), app_server, BRIEF_QUERY)
    headline = page.locator(LIVE_VERDICT).inner_text().strip()
    assert headline

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    html_path = _download(page, CONTENT.text("brief.download_html"), ARTIFACTS / "brief.html")
    md_path = _download(page, CONTENT.text("brief.download_markdown"), ARTIFACTS / "brief.md")
    (ARTIFACTS / "brief-size.txt").write_text(f"{html_path.stat().st_size}\n")
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
