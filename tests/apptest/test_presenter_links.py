"""Presenter view survives the app's own links and redirects (AppTest and the claim route).

A room created in presenter view goes through the claim route, a new page load that knows
presenter view only from its link: the lobby sends ``presenter=1`` with the claim, and the
route passes on that one fixed flag and nothing else (no other parameter, no address from
the request, no key). The rest stays in one session: joining by code, deleting a room and
"Try this persona" keep ``presenter=1`` in the link and the toggle on. The one-time link
for another device carries the claim only. Browser: tests/browser/test_presenter_kept_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from explorer import Content
from rooms import RoomEvents, RoomSettings, RoomStore
from rooms.addresses import claim_path
from rooms.services import RoomService
from tests.support.apptest import component_data, facilitator_of, open_app
from views.room_live import safe_room_route
from web.facilitator import claim_endpoint


@pytest.fixture
def claims(tmp_path: Path) -> Iterator[tuple[RoomStore, TestClient]]:
    """A private store and a client of the claim route alone (redirects not followed)."""
    url = f"sqlite:///{tmp_path / 'rooms.db'}"
    store = RoomStore(url, RoomSettings(database_url=url))
    service = RoomService(store, RoomEvents.for_store(store))
    app = Starlette(routes=[Route("/api/rooms/claim", claim_endpoint(lambda: service))])
    yield store, TestClient(app, client=("203.0.113.9", 50000), follow_redirects=False)
    store.dispose()


@pytest.mark.parametrize(
    ("extra", "presenter"),
    [
        ("", False),
        ("&presenter=1", True),
        ("&presenter=0", False),
        ("&presenter=yes", False),
        ("&presenter=1&presenter=2", False),
        ("&presenter=%0d%0aSet-Cookie:%20x=1", False),
        ("&next=https://evil.example/", False),
        ("&presenter=1&next=//evil.example&room=OTHER1&token=abc", True),
    ],
    ids=["none", "presenter", "zero", "yes", "twice", "header", "next", "presenter-and-more"],
)
def test_the_claim_route_passes_on_presenter_1_and_nothing_else(claims, extra, presenter):
    store, client = claims
    created = store.create_room("projector")
    code = created.room.code
    claim = store.create_claim(code, created.token)
    response = client.get(f"/api/rooms/claim?c={claim}{extra}")
    assert response.status_code == 303
    expected = f"/room?room={code}" + ("&presenter=1" if presenter else "")
    assert response.headers["location"] == expected
    assert created.token not in response.headers["location"]
    assert claim not in response.headers["location"]


def test_the_claim_address_is_one_the_page_may_send_the_browser_to():
    assert claim_path("AbC-_12") == "/api/rooms/claim?c=AbC-_12"
    assert claim_path("AbC-_12", presenter=True) == "/api/rooms/claim?c=AbC-_12&presenter=1"
    assert safe_room_route(claim_path("AbC-_12", presenter=True))


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def in_presenter_view(page: str, **kwargs) -> AppTest:
    """A page opened in a new session with presenter view turned on by its toggle (AppTest
    opens a page after a first run, so a presenter=1 in its link comes too late)."""
    at = open_app(page, **kwargs)
    at.toggle(key="presenter").set_value(True).run()
    assert not at.exception and presenter_on(at)
    return at


def presenter_on(at: AppTest) -> bool:
    return at.toggle(key="presenter").value is True and at.query_params.get("presenter") == "1"


@pytest.mark.parametrize("presenter", [True, False], ids=["presenter", "plain"])
def test_a_room_created_in_presenter_view_sends_presenter_1_with_its_claim(
    store: RoomStore, content: Content, presenter: bool
):
    at = in_presenter_view("room") if presenter else open_app("room")
    at.text_input(key="room_title").input("Projector")
    button(at, content.text("room.start_button")).click().run()
    assert not at.exception
    url = component_data(at, "room_claim")["url"]
    assert safe_room_route(url)
    query = parse_qs(urlsplit(url).query)
    assert set(query) == ({"c", "presenter"} if presenter else {"c"})
    if presenter:
        assert query["presenter"] == ["1"]
    code, _ = store.redeem_claim(query["c"][0])
    assert store.get_room(code).title == "Projector"


def test_joining_by_code_and_deleting_the_room_keep_presenter_view(
    store: RoomStore, content: Content
):
    created = store.create_room("Projector")
    code = created.room.code
    at = in_presenter_view("room", cookies=facilitator_of(code, created.token))
    at.text_input(key="join_code").input(code)
    button(at, content.text("room.join_button")).click().run()
    assert not at.exception
    assert at.button(key="reveal")  # the dashboard
    assert dict(at.query_params) == {"room": code, "presenter": "1"}
    assert presenter_on(at)

    at.button(key="delete_room").click().run()
    assert not at.exception
    assert any(s.value == content.text("room.deleted") for s in at.success)
    assert dict(at.query_params) == {"presenter": "1"}  # the lobby, still presenter
    assert presenter_on(at)


def test_the_other_device_link_carries_the_claim_only(store: RoomStore):
    created = store.create_room()
    code = created.room.code
    at = in_presenter_view("room", cookies=facilitator_of(code, created.token), room=code)
    at.button(key="claim_link").click().run()
    link = next(c.value for c in at.code if "/api/rooms/claim" in c.value)
    assert set(parse_qs(urlsplit(link).query)) == {"c"}


def test_trying_a_persona_in_presenter_view_keeps_it(content: Content):
    at = in_presenter_view("personas")
    persona = content.personas.personas[0]
    at.button(key="persona_try").click().run()
    assert not at.exception
    assert at.query_params["goal"] == persona.inputs["goal"]
    assert presenter_on(at)
