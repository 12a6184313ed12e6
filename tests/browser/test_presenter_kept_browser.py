"""Presenter view is kept on the way, on a 1920x1080 projector: every in-app link and redirect
a facilitator follows lands with presenter view still on - the link keeps presenter=1, the
presenter toggle is on, and the presenter's styles apply (the root font size is the
presenter's, as test_presenter_browser.py measures it). A full page load with presenter=1 (the
claim route's redirect after creating a room, or a reload) also opens with the sidebar folded
away.

Followed here: creating a room (the lobby -> the claim route -> /room?room=CODE, a new
Streamlit session that knows presenter view only from the link), the dashboard's switch
between join view and results, joining a room by its code in the lobby, deleting the room
(back to the lobby), page navigation in the sidebar, and "Try this persona" on Personas. The
one-time link for another device is the exception: it carries the claim only, and that
device opens the dashboard in its own view.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from explorer import load_content
from views.registry import PAGES

from .conftest import APP_TIMEOUT_MS, POLL_MS, open_app, screenshot, wait_for_app

pytestmark = pytest.mark.browser

CONTENT = load_content()
PROJECTOR = (1920, 1080)
PRESENTER_ROOT_PX = 24  # the presenter's root font size at 1080 lines (views/presenter.py)
FOLD_TIMEOUT_MS = 5_000
IN_A_ROOM = re.compile(r"/room\?(.*&)?room=[A-Z0-9]{6}")

# What presenter view is made of, read from the page: the link, the toggle in the sidebar,
# the root font size its style sheet sets, and whether the sidebar is folded away.
STATE_JS = """
() => {
  const toggle = document.querySelector('.st-key-presenter input[type="checkbox"]');
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  return {
    link: new URL(location.href).searchParams.get('presenter'),
    toggle: toggle ? toggle.checked : null,
    rootPx: parseFloat(getComputedStyle(document.documentElement).fontSize),
    sidebarRight: sidebar ? sidebar.getBoundingClientRect().right : null,
    address: location.pathname + location.search,
  };
}
"""


# Presenter view folds the sidebar once per page load (views/presenter_fold.js marks <html>
# when it has); then the sidebar is off screen, after a short transition.
SIDEBAR_FOLDED_JS = """
() => {
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  return document.documentElement.hasAttribute('data-presenter-fold')
    && !!sidebar && sidebar.getBoundingClientRect().right <= 0;
}
"""


def presenter_state(page: Page) -> dict[str, Any]:
    return page.evaluate(STATE_JS)


def assert_presenter_kept(page: Page, after: str, *, full_load: bool = False) -> None:
    """Presenter view is on: the link, the toggle and the styles; the sidebar is folded away
    when the page was just loaded from a link."""
    wait_for_app(page)
    if full_load:  # the sidebar folds with a short transition
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function(SIDEBAR_FOLDED_JS, polling=POLL_MS, timeout=FOLD_TIMEOUT_MS)
    state = presenter_state(page)
    problems = []
    if state["link"] != "1":
        problems.append(f"the link lost presenter=1 ({state['address']})")
    if state["toggle"] is not True:
        problems.append(f"the presenter toggle is {state['toggle']}")
    if state["rootPx"] != pytest.approx(PRESENTER_ROOT_PX, abs=0.5):
        problems.append(f"the root font size is {state['rootPx']} px, not {PRESENTER_ROOT_PX}")
    if full_load and not (state["sidebarRight"] is not None and state["sidebarRight"] <= 0):
        problems.append(f"the sidebar is open (its right edge at {state['sidebarRight']} px)")
    assert problems == [], f"presenter view lost after {after}: {problems}"


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def button(page: Page, key: str):
    return page.get_by_role("button", name=CONTENT.text(key), exact=True)


def open_expander(page: Page, key: str) -> None:
    page.locator("summary").filter(has_text=CONTENT.text(key)).click()


def nav_link(page: Page, title: str):
    exact = re.compile(f"^{re.escape(title)}$")
    return page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=exact)


def open_projector(new_page, app_server: str, path: str) -> Page:
    page = open_app(new_page(PROJECTOR), app_server, "presenter=1", path=path)
    assert_presenter_kept(page, f"opening /{path}?presenter=1", full_load=True)
    return page


@pytest.mark.timeout(300)
def test_a_room_created_on_a_projector_stays_in_presenter_view_to_the_end(new_page, app_server):
    # A facilitator opens the explorer on the projector and goes to the live room through the
    # sidebar (which the browser then remembers open).
    page = open_projector(new_page, app_server, "")
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    nav_link(page, CONTENT.text("room.nav")).click()
    page.wait_for_function(
        "() => location.pathname === '/room'", polling=POLL_MS, timeout=APP_TIMEOUT_MS
    )
    assert_presenter_kept(page, "following the live room's link in the sidebar")

    # Create: the lobby sends the browser to the claim route, which redirects to the room.
    page.get_by_role("textbox", name=CONTENT.text("room.title_label")).fill("Projector workshop")
    button(page, "room.start_button").click()
    page.wait_for_url(IN_A_ROOM, timeout=APP_TIMEOUT_MS)
    wait_for_app(page)
    expect(button(page, "room.reveal")).to_be_visible()
    assert_presenter_kept(page, "creating a room (the claim route's redirect)", full_load=True)
    assert set(query(page)) == {"room", "presenter"}, f"more than room and presenter: {page.url}"
    code = query(page)["room"][0]
    screenshot(page, "room-dashboard-presenter-1920x1080")

    # The dashboard's switch between join view and results, both ways.
    button(page, "room.show_results").click()
    expect(button(page, "room.show_join")).to_be_visible()
    assert_presenter_kept(page, "switching the dashboard to results")
    button(page, "room.show_join").click()
    expect(button(page, "room.show_results")).to_be_visible()
    assert_presenter_kept(page, "switching the dashboard back to the join view")

    # Another device gets a one-time link with the claim only: it opens the dashboard in
    # whatever view that device chooses (its own toggle, or presenter=1 added by hand).
    open_expander(page, "room.other_device")
    button(page, "room.other_device_button").click()
    link = page.locator('[data-testid="stCode"] code').filter(has_text="/api/rooms/claim")
    expect(link).to_be_visible()
    claim_link = link.inner_text().strip()
    assert set(parse_qs(urlsplit(claim_link).query)) == {"c"}, claim_link
    other = new_page(PROJECTOR)
    other.goto(claim_link)
    other.wait_for_url(IN_A_ROOM, timeout=APP_TIMEOUT_MS)
    wait_for_app(other)
    expect(button(other, "room.reveal")).to_be_visible()
    assert "presenter" not in query(other), other.url
    assert_presenter_kept(page, "making a link for another device")

    # The lobby again (a fresh load), and the room by its code: the dashboard, still presenter.
    page.goto(f"{app_server}/room?presenter=1")
    assert_presenter_kept(page, "reloading /room?presenter=1", full_load=True)
    page.get_by_role("textbox", name=CONTENT.text("room.code_label")).fill(code)
    button(page, "room.join_button").click()
    page.wait_for_url(IN_A_ROOM, timeout=APP_TIMEOUT_MS)
    expect(button(page, "room.reveal")).to_be_visible()
    assert_presenter_kept(page, "opening the room by its code in the lobby")

    # Delete: the room's address is cleared and the lobby comes back.
    open_expander(page, "room.delete_heading")
    button(page, "room.delete_button").click()
    expect(page.get_by_text(CONTENT.text("room.deleted"))).to_be_visible()
    assert "room" not in query(page), page.url
    assert_presenter_kept(page, "deleting the room")


@pytest.mark.timeout(300)
def test_sidebar_navigation_and_trying_a_persona_keep_presenter_view(new_page, app_server):
    page = open_projector(new_page, app_server, "room")
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    pages = [p for p in PAGES if p.url_path] + [p for p in PAGES if p.default]
    personas = next(p for p in PAGES if p.script == "personas.py")
    for spec in [*pages, personas]:  # every page, then Personas again
        title = CONTENT.text(spec.title_key)
        nav_link(page, title).click()
        page.wait_for_function(
            "(path) => location.pathname === path",
            arg=f"/{spec.url_path}",
            polling=POLL_MS,
            timeout=APP_TIMEOUT_MS,
        )
        assert_presenter_kept(page, f"following {title!r} in the sidebar")

    persona = CONTENT.personas.personas[0]
    button(page, "personas.try_it").click()
    page.wait_for_function(
        "(goal) => location.pathname === '/' && new URL(location.href).searchParams.get('goal')"
        " === goal",
        arg=persona.inputs["goal"],
        polling=POLL_MS,
        timeout=APP_TIMEOUT_MS,
    )
    assert_presenter_kept(page, "'Try this persona in the explorer'")
    assert query(page)["stage"] == [persona.inputs["stage"]], page.url

    # And a full load of where it landed opens folded away, in presenter view.
    page.reload()
    assert_presenter_kept(page, "reloading the explorer's link", full_load=True)
