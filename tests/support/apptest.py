"""Opening the app in Streamlit's AppTest, as a person following a link would.

Explore: the four main inputs live in the live explorer component, which AppTest cannot
drag. `release(at, goal=...)` sends what the component reports when a thumb is released
(`live:report` in session state); `live_view(at)` is what the page hands the component to
draw (its decision table, the inputs it shows, presenter mode), and `live_row(at)` the
table row it draws for those inputs (headline, needs, lean), i.e. the radar and verdict a
person sees.

Rooms: AppTest cannot send cookies, so `room_cookies` (a fixture in tests/conftest.py)
replaces `views.room_views.browser_cookie` with a lookup in this AppTest session's own
jar: `open_app("room", cookies=..., room=CODE)`, or `give_cookies(at, ...)` later.
`app_rooms(...)` points the app's shared room service at a private database. A phone is
not a Streamlit session: it opens the light participant page and its JSON API, the app's
own routes (web/participant.py), which `app_phone()` serves in process on that same room
service (Starlette's TestClient: it keeps the cookies the routes set, as a browser does).
"""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import streamlit
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from explorer import Content, load_content
from explorer.live_table import row_index, table_row
from rooms import RoomStore, facilitator_cookie, participant_cookie
from rooms.services import reset_room_service, room_service
from tests.support.rooms_app import Phone
from views.registry import PAGES, REPO_ROOT
from web.rooms_routes import room_routes

FRAME = str(REPO_ROOT / "views" / "frame.py")
LIVE_KEY = "live"
COOKIE_JAR = "_test_browser_cookies"  # session-state key of an AppTest session's cookies
_releases = itertools.count(1)


def page_script(url_path: str) -> str:
    """The script of the page registered at `url_path` (e.g. "compare")."""
    return str(next(p.path for p in PAGES if p.url_path == url_path))


def open_app(
    page: str | None = None, *, cookies: Mapping[str, str] | None = None, **params: str
) -> AppTest:
    """Open the page at URL path `page` (e.g. "compare"; Explore when None) with these query
    parameters, in a new session, as a browser holding `cookies` would follow a link; fails
    the test if anything raised."""
    at = AppTest.from_file(FRAME, default_timeout=30)
    if page:
        # AppTest finds a page whose URL path is not its file name ("how-it-works") only
        # after a first run; then the link is followed afresh, with nothing Explore wrote.
        at.run()
        at.query_params.clear()
    for key, value in params.items():
        at.query_params[key] = value
    if cookies:
        give_cookies(at, cookies)
    if page:
        at.switch_page(page_script(page))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --------------------------------------------------------------------------- Explore


def component_data(at: AppTest, key: str) -> Any:
    """The data the page handed the `st.components.v2` component with this key (JSON, or
    gzipped JSON bytes as the live explorer sends it); fails if it is not on the page."""
    found = [e for e in at.get("bidi_component") if e.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, f"expected one component with key {key!r}, found {len(found)}"
    proto = found[0].proto
    if proto.bytes:
        return json.loads(gzip.decompress(proto.bytes))
    return json.loads(proto.json)


def live_view(at: AppTest) -> dict[str, Any]:
    """What the live explorer is told to draw: `table`, `inputs`, `release`, `presenter`."""
    return component_data(at, LIVE_KEY)


def live_row(at: AppTest, content: Content | None = None) -> dict[str, Any]:
    """The decision-table row the live explorer draws for the inputs it shows: `headline`,
    `verdict`, `needs` (content dimension order), `lean`, ... (explorer.live_table)."""
    view = live_view(at)
    return table_row(view["table"], row_index(content or load_content(), view["inputs"]))


def release(at: AppTest, **main: str) -> AppTest:
    """Move main inputs and release the thumb, as the live explorer reports it: the four
    main inputs (those not given stay where the component shows them) and a new release
    number; then rerun. Fails the test if anything raised."""
    shown = dict(live_view(at)["inputs"])
    at.session_state[f"{LIVE_KEY}:report"] = {**shown, **main, "release": next(_releases)}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def main_inputs(at: AppTest, content: Content) -> dict[str, str]:
    """The main inputs the session holds (what the sliders show after the last release)."""
    return {spec.id: at.session_state[f"input_{spec.id}"] for spec in content.main_inputs}


# --------------------------------------------------------------------------- rooms


def give_cookies(at: AppTest, cookies: Mapping[str, str]) -> AppTest:
    """Cookies this AppTest session's browser sends from now on (with `room_cookies`)."""
    jar = at.session_state.get(COOKIE_JAR, {})
    at.session_state[COOKIE_JAR] = {**jar, **cookies}
    return at


def jar_cookie(name: str) -> str | None:
    """Stands in for `views.room_views.browser_cookie` in AppTest: the running session's jar."""
    jar = streamlit.session_state.get(COOKIE_JAR) or {}
    value = jar.get(name)
    return value if isinstance(value, str) else None


def facilitator_of(code: str, token: str) -> dict[str, str]:
    """The cookie the claim route sets for room `code`'s facilitator."""
    return {facilitator_cookie(code): token}


def participant_in(store: RoomStore, code: str) -> dict[str, str]:
    """The cookie the join route sets: a new participant identity issued by `store`."""
    return {participant_cookie(code): store.issue_participant(code)}


PHONE_ADDRESS = "203.0.113.7"  # TEST-NET-3: where a phone's requests come from


def app_phone(address: str = PHONE_ADDRESS) -> Phone:
    """A phone on the app's own routes (the participant page ``/j/CODE``, its answer and
    picture API), served by the room service the pages share (``app_rooms``); requests
    come from ``address`` and redirects are not followed."""
    app = Starlette(routes=room_routes(room_service))
    return Phone(TestClient(app, client=(address, 50000), follow_redirects=False))


def _forget_room_service() -> None:
    streamlit.cache_resource.clear()
    reset_room_service()


@contextlib.contextmanager
def app_rooms(
    data_dir: Path | None = None, *, database_url: str = "", **env: str
) -> Iterator[RoomStore]:
    """The app's own room store (the one its pages and routes share), on a private SQLite
    folder or `database_url`, with extra `EXPLORER_*` settings from `env`; the app's room
    service is rebuilt before and after, so no other test sees this database."""
    with pytest.MonkeyPatch.context() as patch:
        if database_url:
            patch.setenv("EXPLORER_DATABASE_URL", database_url)
        else:
            assert data_dir is not None, "a SQLite folder or a database URL"
            patch.setenv("EXPLORER_DATA_DIR", str(data_dir))
            patch.delenv("EXPLORER_DATABASE_URL", raising=False)
        patch.delenv("EXPLORER_CONTENT_DIR", raising=False)
        for name, value in env.items():
            patch.setenv(name, value)
        _forget_room_service()
        try:
            yield room_service().store
        finally:
            _forget_room_service()
