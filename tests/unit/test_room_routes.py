"""The rooms' own HTTP routes (Starlette's TestClient, in process, no network).

* ``/api/rooms/{code}/events``: SSE headers, pushes, refusals (404, 403, 429).
* ``/api/rooms/claim``: the facilitator cookie (HttpOnly, SameSite=Strict), a redirect
  without a key, single use, expiry, a clear page for a bad claim, rate limits.
* ``/j/{code}`` (the join link): a signed identity in a cookie, kept on a second visit,
  forged ones replaced, issuance limited per address yet a class behind one address
  all get in while a guessing session next to them is stopped. The participant page and
  its answer API have their own module (tests/unit/test_participant_routes.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import web.room_events
from explorer import load_content
from rooms import (
    Client,
    RoomNotFound,
    TooManyAttempts,
    TooManyStreams,
    facilitator_cookie,
    participant_cookie,
)
from rooms.addresses import claim_path
from rooms.services import Held
from tests.support.measurements import family
from tests.support.rooms_app import CLASS_ADDRESS, Rooms, make_rooms, set_cookie

CONTENT = load_content()
MEASURED = family("rooms")
READ_S = 5.0


@pytest.fixture
def fast_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep-alive comments every 0.1 s, so that reading a stream never blocks for long."""
    monkeypatch.setattr(web.room_events, "HEARTBEAT_S", 0.1)


def read_until(lines: Iterator[str], wanted: str, seconds: float = READ_S) -> list[str]:
    """Lines of an SSE stream up to ``wanted`` (the heartbeat keeps lines coming)."""
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    for line in lines:
        seen.append(line)
        if line == wanted:
            return seen
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"{wanted!r} not seen in {seen[-20:]}")


def lines_for(lines: Iterator[str], seconds: float) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    for line in lines:
        seen.append(line)
        if time.monotonic() > deadline:
            return seen
    return seen


# =========================================================================== events


def phone(rooms: Rooms, code: str, address: str = CLASS_ADDRESS) -> TestClient:
    """A client holding a participant identity of room ``code`` (as after the join link)."""
    return rooms.client(
        address, cookies={participant_cookie(code): rooms.store.issue_participant(code)}
    )


def test_the_events_route_streams_sse_with_no_store_and_unbuffered_headers(
    rooms: Rooms, fast_heartbeat: None
) -> None:
    code = rooms.store.create_room("stream").room.code
    with phone(rooms, code).stream("GET", f"/api/rooms/{code}/events?role=participant") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-accel-buffering"] == "no"
        lines = response.iter_lines()
        assert next(lines) == "retry: 2000"  # EventSource reconnects by itself
        read_until(lines, ": keep-alive")


def test_a_facilitator_stream_hears_each_answer_and_carries_no_answer_or_identity(
    rooms: Rooms, fast_heartbeat: None
) -> None:
    created = rooms.store.create_room("dashboard")
    code = created.room.code
    phone = rooms.store.issue_participant(code)
    client = rooms.client(cookies={facilitator_cookie(code): created.token})
    with client.stream("GET", f"/api/rooms/{code}/events?role=facilitator") as response:
        assert response.status_code == 200
        lines = response.iter_lines()
        read_until(lines, ": live")
        rooms.store.submit(code, phone, {"goal": "specific"}, "coaching")
        seen = read_until(lines, "event: changed")
        seen += [next(lines)]
    text = "\n".join(seen)
    assert "data: 1" in text
    for secret in ("specific", "coaching", phone, phone.split(".")[0], created.token):
        assert secret not in text


def test_a_participant_stream_is_silent_on_answers_and_speaks_on_reveal(
    rooms: Rooms, fast_heartbeat: None
) -> None:
    created = rooms.store.create_room()
    code = created.room.code
    with phone(rooms, code).stream("GET", f"/api/rooms/{code}/events?role=participant") as response:
        lines = response.iter_lines()
        read_until(lines, ": live")
        for _ in range(5):
            rooms.store.submit(code, rooms.store.issue_participant(code), {"goal": "x"}, "blend")
        assert "event: changed" not in lines_for(lines, 0.5)
        rooms.store.set_revealed(code, created.token, True)
        read_until(lines, "event: changed")


def test_a_stream_rotates_by_itself_and_delivers_during_the_overlap(
    rooms: Rooms, fast_heartbeat: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streams end by themselves (a graceful shutdown waits for open responses), after
    telling the browser to open the next one; changes in the overlap still arrive."""
    monkeypatch.setattr(web.room_events, "ROTATE_AFTER_S", 0.3)
    monkeypatch.setattr(web.room_events, "ROTATE_OVERLAP_S", 1.0)
    created = rooms.store.create_room()
    code = created.room.code
    client = rooms.client(cookies={facilitator_cookie(code): created.token})
    started = time.monotonic()
    with client.stream("GET", f"/api/rooms/{code}/events?role=facilitator") as response:
        lines = response.iter_lines()
        read_until(lines, "event: rotate")
        rooms.store.submit(code, rooms.store.issue_participant(code), {"goal": "x"}, "blend")
        read_until(lines, "event: changed")
        rest = list(lines)  # the stream ends by itself
    assert "event: end" not in rest  # the room lives on: the browser reconnects
    assert time.monotonic() - started < READ_S


def test_a_stream_ends_for_good_when_its_room_expires(tmp_path: Path, fast_heartbeat: None) -> None:
    rooms = make_rooms(tmp_path, room_ttl_hours=0.0002)  # 0.72 s
    code = rooms.store.create_room().room.code
    with phone(rooms, code).stream("GET", f"/api/rooms/{code}/events") as response:
        rest = list(response.iter_lines())
    assert "event: end" in rest


@pytest.mark.parametrize("code", ["ZZZZZZ", "abc", "ABC0O1", "%3Cscript%3E"])
def test_the_events_route_refuses_unknown_and_malformed_rooms_with_404(
    rooms: Rooms, code: str
) -> None:
    rooms.store.create_room()
    response = rooms.client().get(f"/api/rooms/{code}/events?role=participant")
    assert response.status_code == 404
    assert response.headers["cache-control"] == "no-store"


def test_the_events_route_refuses_an_unknown_role(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    assert rooms.client().get(f"/api/rooms/{code}/events?role=admin").status_code == 400


def test_a_participant_stream_needs_an_identity_this_server_issued_for_the_room(
    rooms: Rooms,
) -> None:
    code = rooms.store.create_room().room.code
    other = rooms.store.create_room().room.code
    url = f"/api/rooms/{code}/events?role=participant"
    assert rooms.client().get(url).status_code == 403
    forged = rooms.client(cookies={participant_cookie(code): f"{'A' * 16}.{'B' * 43}"})
    assert forged.get(url).status_code == 403
    elsewhere = rooms.client(
        cookies={participant_cookie(code): rooms.store.issue_participant(other)}
    )
    assert elsewhere.get(url).status_code == 403


def test_one_identity_holds_a_few_streams_and_participants_never_take_the_facilitators_share(
    tmp_path: Path,
) -> None:
    """Issue 24: 2,100 participant streams from one address took every stream of the
    process, and every facilitator's dashboard then got 503."""
    from rooms.events import MAX_STREAMS_PER_HOLDER

    rooms = make_rooms(tmp_path, max_event_streams=10)
    created = rooms.store.create_room()
    code = created.room.code
    events = rooms.service.events

    async def scenario() -> dict[str, Any]:
        outcome: dict[str, Any] = {}
        async with contextlib.AsyncExitStack() as stack:
            same = "same-identity"
            held = 0
            for _ in range(MAX_STREAMS_PER_HOLDER + 2):
                try:
                    await stack.enter_async_context(
                        events.subscribe(code, "participant", holder=same)
                    )
                    held += 1
                except TooManyStreams:
                    break
            outcome["one_identity"] = held
            opened = held
            for n in range(20):
                try:
                    await stack.enter_async_context(
                        events.subscribe(code, "participant", holder=f"p{n}")
                    )
                    opened += 1
                except TooManyStreams:
                    break
            outcome["participants"] = opened
            await stack.enter_async_context(
                events.subscribe(code, "facilitator", holder=created.token)
            )
            outcome["facilitator_opened"] = True
        return outcome

    outcome = asyncio.run(scenario())
    MEASURED.set(
        "one_address_streams",
        streams_per_process=10,
        streams_one_identity_held=outcome["one_identity"],
        participant_streams_opened=outcome["participants"],
        facilitator_stream_opened=int(outcome["facilitator_opened"]),
    )
    assert outcome["one_identity"] == MAX_STREAMS_PER_HOLDER
    assert outcome["participants"] == 9  # 10 streams, one kept for facilitators
    assert outcome["facilitator_opened"]


def test_a_facilitator_stream_needs_the_facilitator_cookie(rooms: Rooms) -> None:
    created = rooms.store.create_room()
    code = created.room.code
    url = f"/api/rooms/{code}/events?role=facilitator"
    assert rooms.client().get(url).status_code == 403
    other = rooms.store.create_room()
    forged = rooms.client(cookies={facilitator_cookie(code): other.token})
    assert forged.get(url).status_code == 403
    wrong_room = rooms.client(cookies={facilitator_cookie(other.room.code): created.token})
    assert wrong_room.get(url).status_code == 403


def test_failed_stream_lookups_are_rate_limited_per_address(tmp_path: Path) -> None:
    rooms = make_rooms(
        tmp_path, max_code_lookups_per_minute=2, max_code_lookups_per_minute_per_address=5
    )
    code = rooms.store.create_room().room.code
    guesser = rooms.client("198.51.100.9")
    statuses = [guesser.get("/api/rooms/ZZZZZZ/events").status_code for _ in range(7)]
    assert statuses == [404] * 5 + [429] * 2
    assert guesser.get(f"/api/rooms/{code}/events").status_code == 429  # even a real one
    other = phone(rooms, code, "198.51.100.10")
    with other.stream("GET", f"/api/rooms/{code}/events") as response:
        assert response.status_code == 200


# =========================================================================== claims


@pytest.mark.parametrize("started_by", ["cross-site", "same-site"])
def test_a_claim_link_another_site_sends_the_browser_to_asks_first_and_redeems_nothing(
    rooms: Rooms, started_by: str
) -> None:
    """Issue 24 (login CSRF): a page elsewhere sent the browser to the attacker's own claim
    link, which signed it into the attacker's dashboard."""
    created = rooms.store.create_room("the attacker's room")
    claim = rooms.store.create_claim(created.room.code, created.token)
    browser = rooms.client()
    asked = browser.get(
        f"/api/rooms/claim?c={claim}&presenter=1", headers={"sec-fetch-site": started_by}
    )
    assert asked.status_code == 200 and "set-cookie" not in asked.headers
    assert CONTENT.text("room.claim_confirm_title") in html.unescape(asked.text)
    assert asked.headers["cache-control"] == "no-store"
    link = html.unescape(re.search(r'<a class="primary" href="([^"]+)"', asked.text)[1])
    assert link == claim_path(claim, presenter=True)
    # Followed from the confirmation (this site), the claim opens the room, once.
    opened = browser.get(link, headers={"sec-fetch-site": "same-origin"})
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/room?room={created.room.code}&presenter=1"
    assert set_cookie(opened)[facilitator_cookie(created.room.code)].value == created.token


@pytest.mark.parametrize("started_by", ["same-origin", "none"])
def test_a_claim_link_typed_scanned_or_followed_from_the_app_goes_straight_through(
    rooms: Rooms, started_by: str
) -> None:
    created = rooms.store.create_room()
    claim = rooms.store.create_claim(created.room.code, created.token)
    response = rooms.client().get(
        f"/api/rooms/claim?c={claim}", headers={"sec-fetch-site": started_by}
    )
    assert response.status_code == 303
    assert set_cookie(response)[facilitator_cookie(created.room.code)].value == created.token


def test_a_claim_sets_an_httponly_strict_cookie_and_redirects_without_the_key(
    rooms: Rooms,
) -> None:
    created = rooms.store.create_room("claimed")
    code = created.room.code
    claim = rooms.store.create_claim(code, created.token)
    response = rooms.client().get(f"/api/rooms/claim?c={claim}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/room?room={code}"
    assert created.token not in response.headers["location"]
    assert claim not in response.headers["location"]
    assert response.headers["cache-control"] == "no-store"
    cookie = set_cookie(response)[facilitator_cookie(code)]
    assert cookie.value == created.token
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "strict"
    assert cookie["path"] == "/"
    assert not cookie["secure"]  # plain http here; https below
    max_age = int(cookie["max-age"])
    assert 11 * 3600 < max_age <= 12 * 3600  # the room's remaining life
    assert rooms.store.verify_token(code, cookie.value)


def test_over_https_the_facilitator_cookie_is_secure(rooms: Rooms) -> None:
    created = rooms.store.create_room()
    claim = rooms.store.create_claim(created.room.code, created.token)
    response = rooms.client(base_url="https://testserver").get(f"/api/rooms/claim?c={claim}")
    assert set_cookie(response)[facilitator_cookie(created.room.code)]["secure"] is True


def test_a_claim_works_once_then_explains_itself_with_a_link_to_the_room(rooms: Rooms) -> None:
    created = rooms.store.create_room()
    claim = rooms.store.create_claim(created.room.code, created.token)
    assert rooms.client().get(f"/api/rooms/claim?c={claim}").status_code == 303
    again = rooms.client().get(f"/api/rooms/claim?c={claim}")
    assert again.status_code == 410
    assert "set-cookie" not in again.headers
    assert CONTENT.text("room_errors.claim_used") in html.unescape(again.text)
    assert 'href="/room"' in again.text
    assert "Traceback" not in again.text and "sqlite" not in again.text.lower()


def test_a_claim_expires_after_ten_minutes(rooms: Rooms) -> None:
    created = rooms.store.create_room()
    claim = rooms.store.create_claim(created.room.code, created.token)
    rooms.clock.current += timedelta(minutes=10, seconds=1)
    response = rooms.client().get(f"/api/rooms/claim?c={claim}")
    assert response.status_code == 410
    assert CONTENT.text("room_errors.claim_expired") in html.unescape(response.text)


@pytest.mark.parametrize("claim", ["", "nope", "x" * 300, "<script>alert(1)</script>"])
def test_an_unknown_claim_gets_a_plain_page(rooms: Rooms, claim: str) -> None:
    response = rooms.client().get("/api/rooms/claim", params={"c": claim})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<script>alert" not in response.text


def test_failed_claims_are_rate_limited(tmp_path: Path) -> None:
    rooms = make_rooms(
        tmp_path, max_code_lookups_per_minute=1, max_code_lookups_per_minute_per_address=3
    )
    created = rooms.store.create_room()
    good = rooms.store.create_claim(created.room.code, created.token)
    client = rooms.client("198.51.100.20")
    statuses = [client.get(f"/api/rooms/claim?c=guess{n:012d}").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert client.get(f"/api/rooms/claim?c={good}").status_code == 429
    assert rooms.client("198.51.100.21").get(f"/api/rooms/claim?c={good}").status_code == 303


# =========================================================================== joining


def test_joining_sets_a_signed_identity_cookie_and_opens_the_participant_page(
    rooms: Rooms,
) -> None:
    code = rooms.store.create_room().room.code
    response = rooms.client().get(f"/j/{code.lower()}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'"code":"{code}"' in response.text
    cookie = set_cookie(response)[participant_cookie(code)]
    assert cookie["httponly"] is True and cookie["samesite"] == "strict"
    assert cookie["path"] == "/" and int(cookie["max-age"]) > 11 * 3600
    participant = rooms.store.verify_participant(code, cookie.value)
    assert participant is not None and participant not in response.text
    assert cookie.value not in response.text
    rooms.store.submit(code, cookie.value, {"goal": "mixed"}, "blend")
    assert rooms.store.snapshot(code).count == 1


def test_a_device_keeps_its_identity_and_a_forged_one_is_replaced(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    client = rooms.client()
    first = set_cookie(client.get(f"/j/{code}"))[participant_cookie(code)].value
    client.cookies.set(participant_cookie(code), first)
    again = client.get(f"/j/{code}")
    assert again.status_code == 200 and "set-cookie" not in again.headers
    forged = f"{'A' * 16}.{'B' * 43}"
    client.cookies.set(participant_cookie(code), forged)
    fresh = set_cookie(client.get(f"/j/{code}"))[participant_cookie(code)].value
    assert fresh not in (forged, first)
    assert rooms.store.verify_participant(code, fresh) is not None


def test_joining_an_unknown_room_explains_itself(rooms: Rooms) -> None:
    response = rooms.client().get("/j/ZZZZZZ")
    assert response.status_code == 404
    assert CONTENT.text("room_errors.room_not_found") in response.text
    assert "set-cookie" not in response.headers


def test_new_identities_are_limited_per_address_per_room(tmp_path: Path) -> None:
    rooms = make_rooms(tmp_path, max_identities_per_address=5)
    code = rooms.store.create_room().room.code
    other_room = rooms.store.create_room().room.code

    def stuffer() -> TestClient:  # a client that drops its cookies every time
        return rooms.client("198.51.100.30")

    statuses = [stuffer().get(f"/j/{code}").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert stuffer().get(f"/j/{other_room}").status_code == 200  # per room
    assert rooms.client("198.51.100.31").get(f"/j/{code}").status_code == 200


def test_sixty_participants_behind_one_address_join_while_a_guesser_there_is_stopped(
    rooms: Rooms,
) -> None:
    store = rooms.store
    code = store.create_room("one NAT").room.code
    guesser = Client(address=CLASS_ADDRESS, session="guessing-session")
    outcomes = []
    for n in range(12):
        try:
            guess = f"ZZZZ{n:02d}".replace("0", "Z").replace("1", "Y")
            rooms.service.open_room(guess, guesser, Held())
            outcomes.append("found")
        except RoomNotFound:
            outcomes.append("not found")
        except TooManyAttempts:
            outcomes.append("stopped")
    assert outcomes == ["not found"] * 10 + ["stopped"] * 2

    identities = set()
    for _ in range(60):
        response = rooms.client(CLASS_ADDRESS).get(f"/j/{code}")
        assert response.status_code == 200, response.text
        identities.add(set_cookie(response)[participant_cookie(code)].value)
    assert len(identities) == 60
    for identity in identities:
        store.submit(code, identity, {"goal": "mixed"}, "blend")
    assert store.snapshot(code).count == 60
    with pytest.raises(TooManyAttempts):
        rooms.service.open_room(code, guesser, Held())  # still stopped, even for the right code


# =========================================================================== boundaries


def test_the_web_package_never_imports_streamlit() -> None:
    code = (
        "import sys, web.rooms_routes, web.service, rooms.pg_listener; "
        "sys.exit('streamlit' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, timeout=60, check=False)
    assert done.returncode == 0


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/api/rooms/claim?c=abc_DEF-123", True),
        ("/api/rooms/ABC234/join", True),
        ("/j/ABC234", True),
        ("/j/ABC234?x=1", False),
        ("/j/../room", False),
        ("https://evil.example/api/rooms/claim", False),
        ("//evil.example/api/rooms/claim", False),
        ("/api/rooms//evil", False),
        ("/room?room=ABC234", False),
        ("javascript:alert(1)", False),
        ("/api/rooms/claim?c=<script>", False),
        ("/api/rooms/\\evil", False),
    ],
)
def test_navigate_only_goes_to_this_apps_room_routes(url: str, allowed: bool) -> None:
    from views.room_live import navigate, safe_room_route

    assert safe_room_route(url) is allowed
    if not allowed:
        with pytest.raises(ValueError):
            navigate(url, key="go")


def test_the_live_component_builds_only_valid_event_urls() -> None:
    from views.room_live import events_url

    assert events_url(" abc-234 ", "facilitator") == "/api/rooms/ABC234/events?role=facilitator"
    for code, role in (("ABC234", "admin"), ("<x>", "participant")):
        with pytest.raises(ValueError):
            events_url(code, role)
