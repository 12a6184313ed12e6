"""The participant's light page on a phone (390x844, touch), as people use it in a room.

- A tap right after a touch drag stores what the sliders show, at 0, 50, 100 and 200 ms
  after the release; the phone's confirmation is read back from the store and says so.
- A submit that fails says so and keeps the person's choice on the sliders.
- The page is the live explorer's own: the radar moves during a touch drag, as on Explore.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from explorer import evaluate, load_content
from rooms import participant_cookie

from .conftest import LIVE_RADAR, LIVE_VERDICT, drawn_needs, screenshot

CONTENT = load_content()
RELEASE_TO_TAP_MS = (0, 50, 100, 200)
RECEIPT = '[data-testid="answer-receipt"]'


def open_phone(new_page: Callable[..., Page], base_url: str, code: str) -> Page:
    """A phone that opened the room's join link (what the QR code holds)."""
    page = new_page("phone")
    page.goto(f"{base_url}/j/{code}")
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator(LIVE_RADAR)).to_have_attribute("data-needs", re.compile(r"^\[.+\]$"))
    return page


def sliders_show(page: Page) -> dict[str, str]:
    """The option each main slider shows, by input id (its accessible value text)."""
    shown = {}
    for spec in CONTENT.main_inputs:
        text = page.get_by_role("slider", name=spec.label).get_attribute("aria-valuetext")
        shown[spec.id] = next(o.id for o in spec.options if o.label == text)
    return shown


def touch_drag(page: Page, label: str, to_fraction: float) -> None:
    """Drag a slider's thumb with one finger to `to_fraction` of its track, then lift it."""
    slider = page.get_by_role("slider", name=label)
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    assert box is not None
    value = float(slider.input_value())
    top = float(slider.get_attribute("max") or 4)
    y = box["y"] + box["height"] / 2
    start = box["x"] + 8 + (box["width"] - 16) * value / top
    end = box["x"] + 8 + (box["width"] - 16) * to_fraction
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": start, "y": y}]}
    )
    for step in range(1, 9):
        x = start + (end - start) * step / 8
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def tap_submit(page: Page) -> None:
    button = page.get_by_test_id("submit-answer")
    box = button.bounding_box()
    assert box is not None
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def receipt_of(page: Page) -> dict[str, Any]:
    box = page.locator(RECEIPT)
    return {
        "answers": json.loads(box.get_attribute("data-answers") or "{}"),
        "submitted_at": box.get_attribute("data-submitted-at"),
        "text": box.inner_text(),
    }


def wait_for_receipt_after(page: Page, before: str | None) -> None:
    """Until the phone shows a confirmation newer than `before` and is no longer saving."""
    page.wait_for_function(
        """([selector, before]) => {
          const box = document.querySelector(selector);
          return box && !box.hidden && !!box.dataset.submittedAt
            && box.dataset.submittedAt !== before
            && !document.querySelector('#status').textContent;
        }""",
        arg=[RECEIPT, before or ""],
        timeout=15_000,
    )


def test_a_tap_right_after_a_touch_drag_stores_what_the_sliders_show(
    new_page, app_server, app_store
) -> None:
    code = app_store.create_room("Tap after drag").room.code
    page = open_phone(new_page, app_server, code)
    identity = next(
        c["value"] for c in page.context.cookies() if c["name"] == participant_cookie(code)
    )
    goal = CONTENT.input_by_id["goal"]
    outcomes = []
    before = None
    for n, delay_ms in enumerate(RELEASE_TO_TAP_MS):
        # Alternate the ends, so every tap follows a real change of the answer.
        touch_drag(page, goal.label, 1.0 if n % 2 == 0 else 0.0)
        time.sleep(delay_ms / 1000)
        tap_submit(page)
        on_sliders = sliders_show(page)
        wait_for_receipt_after(page, before)
        shown = receipt_of(page)
        stored = app_store.own_answer(code, identity, with_time=True)
        assert stored is not None
        outcomes.append(
            {
                "delay_ms": delay_ms,
                "sliders": on_sliders,
                "confirmation": shown["answers"],
                "stored": {spec.id: stored[spec.id] for spec in CONTENT.main_inputs},
            }
        )
        assert shown["answers"] == on_sliders, outcomes[-1]
        assert outcomes[-1]["stored"] == on_sliders, outcomes[-1]
        assert stored["verdict"] == evaluate(on_sliders).verdict
        for spec in CONTENT.main_inputs:
            assert spec.option(on_sliders[spec.id]).label in shown["text"]
        before = shown["submitted_at"]
        time.sleep(1.05)  # the next answer's time (to the second) is then a new one
    assert len({o["sliders"]["goal"] for o in outcomes}) == 2
    screenshot(page, "participant-phone-after-update")


def test_a_failed_submit_says_so_and_keeps_the_choice_on_the_sliders(
    new_page, app_server, app_store
) -> None:
    code = app_store.create_room("Offline").room.code
    page = open_phone(new_page, app_server, code)
    touch_drag(page, CONTENT.input_by_id["structure"].label, 1.0)
    chosen = sliders_show(page)
    page.route("**/api/rooms/*/answer", lambda route: route.abort("internetdisconnected"))
    tap_submit(page)
    status = page.locator("#status")
    expected = CONTENT.text("participant.not_saved", reason=CONTENT.text("participant.offline"))
    expect(status).to_have_text(expected)
    assert sliders_show(page) == chosen
    expect(page.locator(RECEIPT)).to_be_hidden()
    page.unroute("**/api/rooms/*/answer")
    tap_submit(page)
    expect(page.locator(RECEIPT)).to_be_visible()
    assert receipt_of(page)["answers"] == chosen
    expect(status).to_have_text("")


def test_the_phone_s_radar_and_verdict_follow_a_touch_drag_as_on_explore(
    new_page, app_server, app_store
) -> None:
    code = app_store.create_room().room.code
    page = open_phone(new_page, app_server, code)
    needs_before = drawn_needs(page)
    verdict_before = page.locator(LIVE_VERDICT).inner_text()
    for spec in CONTENT.main_inputs[:2]:
        touch_drag(page, spec.label, 1.0)
    assert drawn_needs(page) != needs_before
    chosen = sliders_show(page)
    assert (
        page.locator(LIVE_VERDICT).inner_text()
        == CONTENT.verdict.approaches[evaluate(chosen).verdict].headline
    )
    assert verdict_before  # drawn from the first frame
