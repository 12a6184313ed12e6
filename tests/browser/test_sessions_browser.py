"""Twenty people at once: concurrent browser sessions never see each other's state.

Twenty Playwright contexts (each its own cookies and Streamlit session) open the Explore
page on one app server, each with a different link. After all have loaded, after each has
moved one slider, after some lose their connection and get it back, and after half reload,
every page's live sliders, verdict, radar and address must match its own inputs, and no
one else's. The live explorer draws in the browser, so the address bar (written by the
session on the server) and the radar (drawn from what the session sent the component)
are the two places cross-talk would show.
"""

from __future__ import annotations

import json
import random
import re
import time
from itertools import product
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Locator, Page, WebSocketRoute, expect

from explorer import load_content
from explorer.live_table import live_table, row_index, table_row
from explorer.urlstate import write_query
from tests.support.appserver import record

from .conftest import (
    LIVE_RADAR,
    LIVE_VERDICT,
    POLL_MS,
    address_inputs,
    app_state,
    drawn_needs,
    wait_for_app,
)

pytestmark = pytest.mark.browser

CONTENT = load_content()
SESSIONS = 20
RECONNECTED = 5  # of the twenty, this many also lose their connection and get it back
RELOADED = 10  # and this many (the last ones) reload the page
# Twenty pages load (or rerun) at once on two cores: a batch may take far longer than one
# page, so each wait in a batch may use this much (it ends as soon as the page is ready).
BATCH_TIMEOUT_MS = 180_000
MAIN = [spec.id for spec in CONTENT.main_inputs]
TABLE = live_table(CONTENT, {s.id: s.default for s in CONTENT.advanced_inputs})


def _distinct_inputs(count: int) -> list[dict[str, str]]:
    """`count` different combinations of the four main sliders, the same on every run."""
    combos = list(product(*(CONTENT.input_by_id[i].option_ids for i in MAIN)))
    picked = random.Random(20).sample(combos, count)
    return [{**CONTENT.defaults, **dict(zip(MAIN, combo, strict=True))} for combo in picked]


def _expected(inputs: dict[str, str]) -> dict[str, object]:
    row = table_row(TABLE, row_index(CONTENT, inputs))
    return {
        "sliders": {i: CONTENT.input_by_id[i].option(inputs[i]).label for i in MAIN},
        "verdict": row["headline"],
        "radar": row["needs"],
        "address": {k: v for k, v in write_query(CONTENT, inputs).items() if k in MAIN},
    }


def _slider(page: Page, input_id: str) -> Locator:
    return page.get_by_role("slider", name=CONTENT.input_by_id[input_id].label, exact=True)


def _shown(page: Page) -> dict[str, object]:
    """What the page shows right now: live slider values, verdict, radar, address."""
    address = address_inputs(page)
    return {
        "sliders": {i: _slider(page, i).get_attribute("aria-valuetext") for i in MAIN},
        "verdict": page.locator(LIVE_VERDICT).inner_text().strip(),
        "radar": drawn_needs(page),
        "address": {k: address[k] for k in MAIN if k in address},
    }


MATCHED: list[str] = []  # one entry per state that matched its own link, as counted


def _matches(page: Page, inputs: dict[str, str], n: int, when: str) -> None:
    expected = _expected(inputs)
    # The radar is drawn in the browser: wait (bounded) until it shows this session's row.
    expect(page.locator(LIVE_RADAR)).to_have_attribute(
        "data-needs", json.dumps(expected["radar"], separators=(",", ":"))
    )
    shown = _shown(page)
    context = f"session {n} {when}: shows {shown}, its own link says {inputs}"
    assert shown["sliders"] == expected["sliders"], context
    assert shown["verdict"] == expected["verdict"], context
    assert shown["radar"] == expected["radar"], context
    assert shown["address"] == expected["address"], context
    MATCHED.append(f"{n} {when}")


def _one_step(inputs: dict[str, str], n: int) -> tuple[str, str, dict[str, str]]:
    """The slider session n moves (one step), the key that moves it, and the new inputs."""
    input_id = MAIN[n % len(MAIN)]
    options = CONTENT.input_by_id[input_id].option_ids
    at = options.index(inputs[input_id])
    key, to = ("ArrowLeft", at - 1) if at == len(options) - 1 else ("ArrowRight", at + 1)
    return input_id, key, {**inputs, input_id: options[to]}


def _wait_for_query(page: Page, name: str, value: str) -> None:
    page.wait_for_function(
        "([name, value]) => new URLSearchParams(location.search).get(name) === value",
        arg=[name, value],
        polling=POLL_MS,
        timeout=BATCH_TIMEOUT_MS,
    )
    wait_for_app(page, timeout_ms=BATCH_TIMEOUT_MS)


STREAM = re.compile(r"/_stcore/stream$")


def _proxy(ws: WebSocketRoute, routes: list[WebSocketRoute]) -> None:
    """Pass the page's websocket through to the app server, remembering it to cut later."""
    ws.connect_to_server()
    routes.append(ws)


def _wait_for_connection(
    page: Page, connected: bool, sockets: list[WebSocketRoute], count: int
) -> None:
    """Until the page has opened `count` websockets and says it is (dis)connected."""
    deadline = time.monotonic() + BATCH_TIMEOUT_MS / 1000
    while len(sockets) < count and time.monotonic() < deadline:
        page.wait_for_timeout(POLL_MS)  # polling interval; Playwright delivers events meanwhile
    assert len(sockets) >= count, f"the page opened {len(sockets)} websockets, not {count}"
    page.wait_for_function(
        """(connected) => {
             const app = document.querySelector('[data-testid="stApp"]');
             const state = app && app.getAttribute('data-test-connection-state');
             return connected ? state === 'CONNECTED' : state !== 'CONNECTED';
           }""",
        arg=connected,
        polling=POLL_MS,
        timeout=BATCH_TIMEOUT_MS,
    )


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_twenty_concurrent_sessions_never_see_each_others_state(new_page, app_server):
    started = time.monotonic()
    MATCHED.clear()
    inputs = _distinct_inputs(SESSIONS)
    pages = [new_page((1100, 800)) for _ in range(SESSIONS)]
    verdicts = {_expected(i)["verdict"] for i in inputs}
    assert len(verdicts) >= 2, "content changed: the sessions should not all agree"

    # The first few go through a proxy of their websocket, so the test can cut it.
    sockets: list[list[WebSocketRoute]] = [[] for _ in range(RECONNECTED)]
    for page, routes in zip(pages, sockets, strict=False):
        page.context.route_web_socket(STREAM, lambda ws, routes=routes: _proxy(ws, routes))

    # All twenty load at once, each from its own link.
    for page, mine in zip(pages, inputs, strict=True):
        page.goto(f"{app_server}/?{urlencode(write_query(CONTENT, mine))}", wait_until="commit")
    for n, (page, mine) in enumerate(zip(pages, inputs, strict=True)):
        wait_for_app(page, timeout_ms=BATCH_TIMEOUT_MS)
        _matches(page, mine, n, "after loading")
    checks = SESSIONS
    phases = {"load": time.monotonic() - started}

    # Each moves one slider with the keyboard; all keys are pressed before any is checked.
    moved = []
    for n, (page, mine) in enumerate(zip(pages, inputs, strict=True)):
        input_id, key, after = _one_step(mine, n)
        slider = _slider(page, input_id)
        slider.focus()
        page.keyboard.press(key)  # down and up: the release reports to the session
        moved.append((input_id, after))
    for n, (page, (input_id, after)) in enumerate(zip(pages, moved, strict=True)):
        _wait_for_query(page, input_id, after[input_id])
        _matches(page, after, n, "after moving one slider")
    checks += SESSIONS
    phases["move"] = time.monotonic() - started - sum(phases.values())

    # Some lose their connection and get it back: the same session, state kept.
    for routes in sockets:
        assert len(routes) == 1
        routes[-1].close(code=1001, reason="test: network drop")
    for n, (page, (_, after)) in enumerate(zip(pages[:RECONNECTED], moved, strict=False)):
        _wait_for_connection(page, connected=True, sockets=sockets[n], count=2)
        wait_for_app(page, timeout_ms=BATCH_TIMEOUT_MS)
        _matches(page, after, n, "after reconnecting")
        assert not app_state(page)["exceptions"]
    checks += RECONNECTED
    phases["reconnect"] = time.monotonic() - started - sum(phases.values())

    # Half of them reload: a new session, seeded only from its own link.
    for page in pages[-RELOADED:]:
        page.reload(wait_until="commit")
    for n, (page, (_, after)) in enumerate(zip(pages, moved, strict=True)):
        if n < SESSIONS - RELOADED:
            continue
        wait_for_app(page, timeout_ms=BATCH_TIMEOUT_MS)
        _matches(page, after, n, "after reloading")
        assert not app_state(page)["exceptions"]
        expect(page.locator('[data-testid="stAlertContentWarning"]')).to_have_count(0)
    checks += RELOADED
    phases["reload"] = time.monotonic() - started - sum(phases.values())
    assert len(MATCHED) == checks, MATCHED

    record(
        "sessions",
        "twenty_concurrent_sessions",
        sessions=SESSIONS,
        distinct_links=len({tuple(sorted(i.items())) for i in inputs}),
        states_checked=checks,
        reconnects=RECONNECTED,
        reloads=RELOADED,
        states_matching_own_link=len(MATCHED),
        seconds=round(time.monotonic() - started, 1),
        seconds_per_phase={k: round(v, 1) for k, v in phases.items()},
    )
