"""A projected dashboard survives the restarts of a real workshop, with nobody touching it.

The app server restarts (a deploy): the open dashboard finds the new server by itself,
its live stream reconnects, and the next answer arrives by push. With the room store
on PostgreSQL, the database restarts: the app's NOTIFY listener and its connection pool
recover, and again the next answer arrives by push. Each test starts its own servers
(the restart would disturb the shared `app_server`) on loopback; every wait is bounded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.appserver import PrivatePostgres

from .conftest import wait_for_app
from .room_support import (
    CONTENT,
    EXCEPTION,
    LatencyProbe,
    RestartableServer,
    choose,
    create_room,
    join_room,
    submit,
    wait_for_answered,
    write_artifact,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOT = ".room-live-dot"
RECONNECT_TIMEOUT_MS = 60_000  # the live stream retries with backoff; this bounds a hang
# The dashboard's safety refresh runs once a minute: an answer counted much sooner than
# that after a restart came by push.
PUSHED_WITHIN_MS = 15_000
ANSWERS = [
    {"goal": "specific", "timeframe": "weeks", "stage": "mid", "structure": "formal"},
    {"goal": "holistic", "timeframe": "years", "stage": "early", "structure": "informal"},
]


def _server(tmp: Path, **env: str) -> RestartableServer:
    server = RestartableServer(env={"EXPLORER_DATA_DIR": str(tmp), **env}, logs=tmp / "logs")
    try:
        return server.start()
    except RuntimeError as err:
        pytest.fail(str(err))


@pytest.fixture
def app_server_to_restart(tmp_path: Path) -> Iterator[RestartableServer]:
    server = _server(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL cluster of this test's own, so that stopping it disturbs nobody."""
    cluster = PrivatePostgres()
    try:
        yield cluster.init()
    finally:
        cluster.destroy()


def _live(page: Page, connected: bool, timeout_ms: int = RECONNECT_TIMEOUT_MS) -> None:
    """Until the dashboard's live dot says the push stream is (not) connected."""
    expect(page.locator(DOT)).to_have_attribute(
        "data-connected", "true" if connected else "false", timeout=timeout_ms
    )


def _answer_and_time(base_url: str, code: str, facilitator: Page, new_page, n: int) -> float:
    """A new phone joins and answers; ms until the dashboard shows `n` answers."""
    probe = LatencyProbe(facilitator)
    phone = new_page("phone")
    join_room(phone, base_url, code)
    choose(phone, ANSWERS[(n - 1) % len(ANSWERS)])
    probe.arm(phone)
    submit(phone)
    wait_for_answered(facilitator, n, timeout_ms=PUSHED_WITHIN_MS)
    return probe.shown_at(n) - probe.clicked_at(phone)


@pytest.mark.timeout(300)
def test_the_dashboard_reconnects_by_itself_after_an_app_restart_and_gets_the_next_answer(
    new_page, app_server_to_restart
):
    server = app_server_to_restart
    facilitator = new_page("presenter")
    code = create_room(facilitator, server.url, "Restart test")
    first_ms = _answer_and_time(server.url, code, facilitator, new_page, 1)
    _live(facilitator, True)
    facilitator.evaluate("window.__notReloaded = true")

    restart = server.restart()  # SIGTERM: a graceful stop, as a deploy does
    _live(facilitator, True)  # reconnected, nobody reloaded or clicked
    reconnect_ms = (time.monotonic() - restart.up_at) * 1000
    wait_for_app(facilitator)
    expect(facilitator.get_by_role("button", name=CONTENT.text("room.reveal"))).to_be_visible()
    after_ms = _answer_and_time(server.url, code, facilitator, new_page, 2)

    assert facilitator.evaluate("window.__notReloaded === true"), "the dashboard was reloaded"
    expect(facilitator.locator(EXCEPTION)).to_have_count(0)
    write_artifact(
        "room-reconnect-app.json",
        {
            "what": "the app server restarted under an open dashboard (SQLite store)",
            "graceful_stop_s": round(restart.stopped_s, 1),
            "stop_needed_a_kill": restart.killed,
            "reconnected_ms_after_server_up": round(reconnect_ms),
            "push_ms_before_restart": round(first_ms),
            "push_ms_after_restart": round(after_ms),
        },
    )


@pytest.mark.timeout(300)
def test_the_dashboard_survives_a_postgresql_restart_and_gets_the_next_answer_by_push(
    new_page, postgres, tmp_path
):
    server = _server(tmp_path, EXPLORER_DATABASE_URL=postgres.url)
    try:
        facilitator = new_page("presenter")
        code = create_room(facilitator, server.url, "Database restart")
        first_ms = _answer_and_time(server.url, code, facilitator, new_page, 1)
        facilitator.evaluate("window.__notReloaded = true")

        postgres.stop()
        facilitator.wait_for_timeout(2_000)  # the listener and the pool notice
        postgres.start()
        up_at = time.monotonic()
        after_ms = _answer_and_time(server.url, code, facilitator, new_page, 2)
        recovered_s = time.monotonic() - up_at
        _live(facilitator, True)

        assert facilitator.evaluate("window.__notReloaded === true"), "the dashboard reloaded"
        expect(facilitator.locator(EXCEPTION)).to_have_count(0)
        assert server.alive, server.tail()
        write_artifact(
            "room-reconnect-postgres.json",
            {
                "what": "PostgreSQL restarted under an open dashboard (app server kept running)",
                "push_ms_before_restart": round(first_ms),
                "push_ms_after_restart": round(after_ms),
                "next_answer_counted_s_after_database_up": round(recovered_s, 1),
            },
        )
    finally:
        server.stop()
