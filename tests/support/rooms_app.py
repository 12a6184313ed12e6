"""The rooms' own HTTP routes on a private store, in process, for Starlette's TestClient:
``make_rooms(tmp_path, **limits)`` gives the store, a clock the test can move, and the app;
``rooms.client(address)`` is a client from that address that does not follow redirects.

What a phone does on the participant page, for any such client (here, or the app's own
routes in AppTest tests: ``tests.support.apptest.app_phone``): ``post_answer`` sends an answer as
the page's script does (JSON, from the page's own origin, with the cookies the client
holds); ``boot_data`` is what the page hands its script, ``submit_label`` the words on its
submit button, ``closed_notice_shown`` whether it says the room is closed. ``Phone`` is a
client that also keeps each room's device proof, as the page keeps it in its storage, and
sends it with its answers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.testclient import TestClient

from explorer import Content
from rooms import RoomEvents, RoomSettings, RoomStore
from rooms.services import RoomService
from web.participant import PROOF_HEADER
from web.rooms_routes import room_routes

CLASS_ADDRESS = "203.0.113.7"
OWN_ORIGIN = "http://testserver"  # TestClient's address: the origin of the page it opened
_BOOT = '<script type="application/json" id="boot">'
_SUBMIT = re.compile(r'<button [^>]*data-testid="submit-answer"[^>]*>([^<]*)</button>')
_CLOSED = re.compile(r'<p [^>]*data-testid="room-closed"[^>]*>')


@dataclass
class Clock:
    current: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.current


@dataclass
class Rooms:
    service: RoomService
    clock: Clock
    app: Starlette

    @property
    def store(self) -> RoomStore:
        return self.service.store

    def client(self, address: str = CLASS_ADDRESS, **kwargs: Any) -> TestClient:
        return TestClient(self.app, client=(address, 50000), follow_redirects=False, **kwargs)


def make_rooms(tmp_path: Path, **limits: Any) -> Rooms:
    url = f"sqlite:///{tmp_path / 'rooms.db'}"
    clock = Clock()
    store = RoomStore(url, RoomSettings(database_url=url, **limits), now=clock)
    service = RoomService(store, RoomEvents.for_store(store))
    return Rooms(service, clock, Starlette(routes=room_routes(lambda: service)))


def set_cookie(response: Any) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return jar


def main_answer(content: Content, **choices: str) -> dict[str, str]:
    """A whole answer as the page sends it: each main input at its default unless chosen."""
    return {spec.id: choices.get(spec.id, spec.default) for spec in content.main_inputs}


def post_answer(client: TestClient, code: str, body: Any, **headers: str) -> Any:
    """POST an answer as the participant page's script does (``headers`` override)."""
    sent = {"origin": OWN_ORIGIN, "content-type": "application/json", **headers}
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(f"/api/rooms/{code}/answer", content=data, headers=sent)


def boot_data(page_html: str) -> dict[str, Any]:
    """What the participant page hands its script: the table, the sliders' inputs, this
    device's stored answer (``receipt``), the room's flags, the API's addresses."""
    start = page_html.index(_BOOT) + len(_BOOT)
    return json.loads(page_html[start : page_html.index("</script>", start)])


def submit_label(page_html: str) -> str:
    """The words on the participant page's submit button."""
    found = _SUBMIT.search(page_html)
    assert found, "no submit button on the page"
    return found.group(1).strip()


def closed_notice_shown(page_html: str) -> bool:
    """Whether the page shows its "this room is closed" notice (it is there, hidden, on
    every page: the script shows it if the room closes while the page is open)."""
    found = _CLOSED.search(page_html)
    assert found, "no closed notice on the page"
    return " hidden" not in found.group(0)


class Phone:
    """A phone's browser on the participant page: the client's cookie jar, and the device
    proof of each room it was given one for (in a page's boot data), kept as the page keeps
    it in its origin's storage and sent with each answer as the page's script does."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.proofs: dict[str, str] = {}

    @property
    def cookies(self) -> Any:
        return self.client.cookies

    def get(self, url: str, **kwargs: Any) -> Any:
        """GET ``url``; a participant page's proof, if it brings one, is kept."""
        response = self.client.get(url, **kwargs)
        if response.status_code == 200 and _BOOT in response.text:
            boot = boot_data(response.text)
            if boot.get("proof"):
                self.proofs[boot["code"]] = boot["proof"]
        return response

    def answer(self, code: str, body: Any, **headers: str) -> Any:
        """Press Submit: the answer with this room's proof (``headers`` override)."""
        return post_answer(
            self.client, code, body, **{PROOF_HEADER: self.proofs.get(code, ""), **headers}
        )
