"""Explore's advanced inputs in Chromium at 1280x800: each one moved to each end, through the
real Streamlit select-slider in the expander, from a state that is not the default. After
every move, everything the page says — the reasons, what would change it, the sensitivity
strips, the brief, the share link and the live verdict — agrees with `explorer.evaluate()`
for the inputs on screen (read from the address bar and the advanced sliders), worded with
the same functions the page uses, and the reasons explain the verdict shown.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Download, Locator, Page, expect

from explorer import Assessment, evaluate, load_content, sensitivity
from explorer.explain import change_lines, firm_sliders
from explorer.render.brief import build_brief
from explorer.render.strips import sensitivity_strips_html
from explorer.scoring import REASONS_FOR
from views.panels import reasons_markdown

from .conftest import (
    APP_TIMEOUT_MS,
    COMPONENT_ROOTS_JS,
    LIVE_VERDICT,
    POLL_MS,
    SHARE_LINK,
    address_inputs,
    open_app,
    screenshot,
    share_link_inputs,
    wait_for_app,
)

pytestmark = pytest.mark.browser

CONTENT = load_content()
ADVANCED = CONTENT.advanced_inputs
# Not the default: a whole-career goal, a few weeks, mid-career, formal — a blend.
START = {"goal": "holistic", "timeframe": "weeks", "stage": "mid", "structure": "formal"}


# --------------------------------------------------------------------------- reading the page


def advanced_slider(page: Page, input_id: str) -> Locator:
    """The thumb of an advanced input's select-slider in the expander, found by its label."""
    label = page.get_by_text(CONTENT.input_by_id[input_id].label, exact=True)
    return page.locator('[data-testid="stSlider"]').filter(has=label).get_by_role("slider").first


def shown_advanced_inputs(page: Page) -> dict[str, str]:
    """The advanced inputs as their sliders say them (the option's label, as an id)."""
    shown = {}
    for spec in ADVANCED:
        text = (advanced_slider(page, spec.id).get_attribute("aria-valuetext") or "").strip()
        matches = [o.id for o in spec.options if o.label == text]
        assert matches, f"{spec.id} shows {text!r}, not one of its options"
        shown[spec.id] = matches[0]
    return shown


def inputs_on_screen(page: Page) -> dict[str, str]:
    """Every input as the page shows it: the main ones from the address bar, the advanced
    ones from their sliders (which the address bar must agree with)."""
    address = address_inputs(page)
    advanced = shown_advanced_inputs(page)
    for spec in ADVANCED:
        assert address.get(spec.id, spec.default) == advanced[spec.id], (
            f"the address bar says {spec.id}={address.get(spec.id)!r}, the slider {advanced}"
        )
    return {**{s.id: address[s.id] for s in CONTENT.main_inputs}, **advanced}


def markdown_text(markdown: str) -> list[str]:
    """Markdown as the page shows it, one block per line: no heading, quote or list marks,
    no emphasis."""
    lines = []
    for line in markdown.splitlines():
        line = re.sub(r"^(#+ |> |- )", "", line.strip())
        line = re.sub(r"\*+", "", line).strip()
        if line:
            lines.append(line)
    return lines


def shown_lines(locator: Locator) -> list[str]:
    return [line.strip() for line in locator.inner_text().splitlines() if line.strip()]


def column(page: Page, heading_key: str) -> Locator:
    heading = page.get_by_role("heading", level=4, name=CONTENT.text(heading_key))
    return page.locator('[data-testid="stColumn"]').filter(has=heading)


def markdown_block(page: Page, heading_key: str) -> Locator:
    """The one markdown element that starts with this heading (heading and text together)."""
    heading = page.get_by_role("heading", level=4, name=CONTENT.text(heading_key))
    return page.locator('[data-testid="stMarkdownContainer"]').filter(has=heading)


STRIPS_JS = (
    """
(expected) => {
  const strips = ("""
    + COMPONENT_ROOTS_JS
    + """)
    .map((shadow) => shadow.querySelector('[data-testid="sensitivity-strips"]'))
    .find(Boolean);
  const normal = document.createElement('template');
  normal.innerHTML = expected;
  return { drawn: strips ? strips.outerHTML : null, expected: normal.innerHTML };
}
"""
)


def download(page: Page, label_key: str) -> str:
    button = page.get_by_role("button", name=CONTENT.text(label_key))
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=APP_TIMEOUT_MS) as info:
        button.click()
    file: Download = info.value
    assert file.failure() is None, file.failure()
    return Path(file.path()).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the checks


def reasons_favour_the_verdict(result: Assessment) -> list[str]:
    """What a person expects of the reasons for this verdict, by dimension label: for
    mentoring or coaching, the strongest contributions on its side (as many as it shows);
    for a blend, the strongest on each side. Straight from the contributions, not from the
    explain functions."""
    sides = ("mentoring", "coaching") if result.verdict == "blend" else (result.verdict,)
    wanted = []
    for side in sides:
        ranked = sorted(
            (c for c in result.contributions if c.favours == side),
            key=lambda c: abs(c.share),
            reverse=True,
        )
        wanted += [c.dimension for c in ranked[: 1 if result.verdict == "blend" else REASONS_FOR]]
    return [CONTENT.dimension_by_id[d].label for d in wanted]


def assert_page_agrees(page: Page, moved: str) -> None:
    """Everything on the page agrees with evaluate() for the inputs on screen."""
    inputs = inputs_on_screen(page)
    result = evaluate(inputs, content=CONTENT)
    where = f"after moving {moved} ({inputs}: {result.verdict} {result.lean:+.2f})"

    headline = CONTENT.verdict.approaches[result.verdict].headline
    expect(page.locator(LIVE_VERDICT)).to_have_text(headline)

    # The share link: exactly these inputs, as the address bar holds them.
    assert share_link_inputs(page) == address_inputs(page), where
    link = page.locator(SHARE_LINK).input_value()
    assert link.endswith("?" + urlencode(address_inputs(page))), where

    # The reasons, as the page words them, and they explain the verdict shown.
    reasons = markdown_block(page, "explore.reasons_heading")
    assert shown_lines(reasons) == markdown_text(reasons_markdown(CONTENT, result)), where
    shown = reasons.inner_text()
    for label in reasons_favour_the_verdict(result):
        assert label in shown, f"{where}: the reasons do not name {label!r}:\n{shown}"

    # What would change it: the nearest changes and the sliders that cannot.
    changes = [
        f"#### {CONTENT.text('changes.heading')}",
        *change_lines(CONTENT, result),
    ]
    if firm := firm_sliders(CONTENT, result):
        changes.append(CONTENT.text("changes.firm_line", inputs=", ".join(firm)))
    assert shown_lines(column(page, "changes.heading")) == markdown_text("\n".join(changes)), where

    # The sensitivity strips: the markup the page would build for these inputs.
    markup = sensitivity_strips_html(CONTENT, sensitivity(CONTENT, inputs), inputs)
    strips = page.evaluate(STRIPS_JS, markup)
    assert strips["drawn"] == strips["expected"], f"{where}: the strips are not these inputs'"

    # The brief, both downloads, with the share link on the page.
    brief = build_brief(CONTENT, result, link)
    assert download(page, "brief.download_markdown") == brief.markdown, where
    assert download(page, "brief.download_html") == brief.html, where


def move_to_end(page: Page, input_id: str, key: str) -> None:
    """Scroll the advanced slider into view, press Home or End on its thumb, and wait for
    the server's rerun to write that option into the address bar."""
    spec = CONTENT.input_by_id[input_id]
    option = spec.option_ids[0 if key == "Home" else -1]
    thumb = advanced_slider(page, input_id)
    thumb.scroll_into_view_if_needed()
    thumb.focus()
    page.keyboard.press(key)
    page.wait_for_function(
        "([key, value]) => new URLSearchParams(location.search).get(key) === value",
        arg=[input_id, None if option == spec.default else option],
        polling=POLL_MS,
        timeout=APP_TIMEOUT_MS,
    )
    wait_for_app(page)
    expect(thumb).to_have_attribute("aria-valuetext", spec.option(option).label)


def test_each_advanced_input_at_each_end_keeps_every_panel_in_step_with_evaluate(
    new_page, app_server
):
    page = open_app(new_page("desktop"), app_server, urlencode(START))
    assert page.viewport_size == {"width": 1280, "height": 800}
    page.get_by_text(CONTENT.text("explore.advanced"), exact=True).click()
    assert_page_agrees(page, "nothing")
    for spec in ADVANCED:
        for key in ("Home", "End"):
            move_to_end(page, spec.id, key)
            assert_page_agrees(page, f"{spec.id} with {key}")
            if spec.id == "support" and key == "End":
                # The case: accountability tips the blend into coaching, and the
                # reasons must say so.
                inputs = inputs_on_screen(page)
                assert evaluate(inputs).verdict == "coaching", inputs
                accountability = CONTENT.dimension_by_id["accountability"].label
                reasons = markdown_block(page, "explore.reasons_heading")
                expect(reasons).to_contain_text(accountability)
                reasons.scroll_into_view_if_needed()
                screenshot(page, "explore-advanced-accountability")
