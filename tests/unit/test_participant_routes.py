"""The participant's light page and its JSON API (Starlette's TestClient, in process).

* ``GET /j/{code}``: the page, with this device's identity in a cookie and never in the page;
  the answer it stored; the room title escaped; ``/j`` takes a typed code; the join address
  of earlier releases redirects here.
* ``POST /api/rooms/{code}/answer``: stored only from this site's own page (Origin), as
  JSON, with the identity cookie; validated in content's words; the answer comes back as
  stored, read from the store.
* ``GET /api/rooms/{code}/picture``: flags while hidden; once revealed the distribution and
  average only, never an answer or an identity.
"""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from explorer import evaluate, load_content
from rooms import participant_cookie
from tests.support.rooms_app import (
    OWN_ORIGIN,
    Rooms,
    boot_data,
    make_rooms,
    post_answer,
    set_cookie,
)
from web.participant import PROOF_HEADER

CONTENT = load_content()
MAIN_IDS = [spec.id for spec in CONTENT.main_inputs]
# Each main input at its last option: an answer that differs from the defaults everywhere.
LAST = {spec.id: spec.option_ids[-1] for spec in CONTENT.main_inputs}


def joined(rooms: Rooms, code: str) -> Any:
    """A client that opened the join link and holds its identity cookie."""
    client = rooms.client()  # keeps the cookies it is sent, as a browser does
    page = client.get(f"/j/{code}")
    assert page.status_code == 200
    assert client.cookies.get(participant_cookie(code))
    client.headers[PROOF_HEADER] = boot_data(page.text)["proof"]  # as the page keeps it
    return client


def message_pattern(key: str) -> str:
    """The content message at `key` as a regex, any text standing for its placeholders."""
    template = CONTENT.text(key, name="\0", value="\0", input="\0", valid="\0")
    return ".+".join(re.escape(part) for part in template.split("\0"))


# --------------------------------------------------------------------------- the page


def test_the_page_carries_the_explorer_its_table_and_no_identity(rooms: Rooms) -> None:
    code = rooms.store.create_room("Offsite").room.code
    response = rooms.client().get(f"/j/{code}")
    identity = set_cookie(response)[participant_cookie(code)].value
    assert identity not in response.text
    assert 'data-testid="live-radar"' in response.text
    boot = boot_data(response.text)
    assert [i["id"] for i in boot["table"]["inputs"]] == MAIN_IDS
    assert boot["view"]["inputs"] == {spec.id: spec.default for spec in CONTENT.main_inputs}
    assert boot["receipt"] is None
    assert boot["urls"]["answer"] == f"/api/rooms/{code}/answer"
    assert response.headers["cache-control"] == "no-store"


def test_a_hostile_room_title_is_text_on_the_page(rooms: Rooms) -> None:
    title = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    code = rooms.store.create_room(title).room.code
    page = rooms.client().get(f"/j/{code}").text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    heading = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert html.unescape(heading) == title  # shown as typed, as text
    assert boot_data(page)["code"] == code  # the JSON element was not ended by the title


def test_opening_the_link_again_shows_the_answer_this_device_stored(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    client = joined(rooms, code)
    assert post_answer(client, code, LAST).status_code == 200
    again = client.get(f"/j/{code}")
    assert "set-cookie" not in again.headers
    boot = boot_data(again.text)
    assert boot["view"]["inputs"] == LAST
    assert boot["receipt"]["answers"] == LAST
    assert CONTENT.text("room.update") in again.text


def test_the_lobby_takes_a_typed_code_and_earlier_join_links_still_work(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    client = rooms.client()
    assert CONTENT.text("participant.lobby_title") in client.get("/j").text
    typed = client.get("/j", params={"code": f" {code[:3].lower()}-{code[3:]} "})
    assert typed.status_code == 303 and typed.headers["location"] == f"/j/{code}"
    bad = client.get("/j", params={"code": "<b>no</b>"})
    assert bad.status_code == 400
    assert CONTENT.text("room_errors.invalid_code") in html.unescape(bad.text)
    assert "<b>no</b>" not in bad.text
    earlier = client.get(f"/api/rooms/{code}/join")
    assert earlier.status_code == 308 and earlier.headers["location"] == f"/j/{code}"


def test_an_unknown_room_gets_the_lobby_with_a_message_and_no_cookie(rooms: Rooms) -> None:
    response = rooms.client().get("/j/ZZZZZZ")
    assert response.status_code == 404
    assert CONTENT.text("room_errors.room_not_found") in html.unescape(response.text)
    assert "set-cookie" not in response.headers


def test_a_full_room_turns_a_newcomer_away_with_no_cookie_and_keeps_everyone_seated(
    rooms: Rooms,
) -> None:
    created = rooms.store.create_room(seats=1)
    code = created.room.code
    seated = joined(rooms, code)  # opened the link: the one seat is theirs
    newcomer = rooms.client()
    refused = newcomer.get(f"/j/{code}")
    assert refused.status_code == 409
    assert CONTENT.text("room_errors.room_full") in html.unescape(refused.text)
    assert "set-cookie" not in refused.headers
    assert post_answer(seated, code, LAST).status_code == 200  # the seat is kept
    assert seated.get(f"/j/{code}").status_code == 200  # and the link opens again
    assert rooms.store.get_room(code).turned_away == 1
    rooms.store.set_seats(code, created.token, 2)
    assert newcomer.get(f"/j/{code}").status_code == 200  # a seat added: in


# --------------------------------------------------------------------------- answers


def test_an_answer_is_stored_and_comes_back_as_the_store_holds_it(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    client = joined(rooms, code)
    response = post_answer(client, code, LAST)
    assert response.status_code == 200, response.text
    receipt = response.json()["receipt"]
    identity = client.cookies.get(participant_cookie(code))
    stored = rooms.store.own_answer(code, identity, with_time=True)
    assert receipt["answers"] == {k: stored[k] for k in MAIN_IDS} == LAST
    assert receipt["verdict"] == stored["verdict"] == evaluate(LAST).verdict
    assert receipt["submitted_at"] == stored["submitted_at"]
    for spec in CONTENT.main_inputs:
        line = CONTENT.text(
            "participant.stored_line", input=spec.label, option=spec.option(LAST[spec.id]).label
        )
        assert line in receipt["lines"]


def test_an_update_replaces_the_answer_and_says_when(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    client = joined(rooms, code)
    first = post_answer(client, code, LAST).json()["receipt"]
    rooms.clock.current += timedelta(minutes=2)
    changed = dict(LAST, goal=CONTENT.input_by_id["goal"].option_ids[0])
    second = post_answer(client, code, changed).json()["receipt"]
    assert second["answers"] == changed and second["submitted_at"] != first["submitted_at"]
    assert rooms.store.snapshot(code).count == 1


@pytest.mark.parametrize(
    ("origin", "why"),
    [
        ("http://testserver:8791", "another port of the same host"),
        ("http://evil.example", "another site"),
        ("https://testserver", "another scheme"),
        ("null", "an opaque origin"),
        ("", "no origin at all"),
    ],
)
def test_an_answer_from_anywhere_but_this_site_s_page_is_refused(
    rooms: Rooms, origin: str, why: str
) -> None:
    code = rooms.store.create_room().room.code
    client = joined(rooms, code)
    response = post_answer(client, code, LAST, origin=origin)
    assert response.status_code == 403, why
    assert response.json()["error"] == CONTENT.text("participant.not_this_site")
    assert rooms.store.snapshot(code).count == 0


def test_a_form_post_is_refused_even_from_this_site(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    client = joined(rooms, code)
    response = post_answer(
        client, code, "goal=mixed", **{"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 415
    assert rooms.store.snapshot(code).count == 0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (dict(LAST, colour="blue"), "participant.unknown_input"),
        (dict(LAST, goal="banana"), "participant.unknown_option"),
        (dict(LAST, goal=["mixed"]), "participant.unknown_option"),
        ({k: v for k, v in LAST.items() if k != "stage"}, "participant.missing_input"),
        ([1, 2, 3], "participant.not_an_answer"),
        ("{not json", "participant.not_an_answer"),
    ],
    ids=["unknown key", "unknown option", "not a string", "missing", "a list", "not JSON"],
)
def test_a_bad_answer_is_refused_in_content_s_words(rooms: Rooms, body: Any, expected: str) -> None:
    code = rooms.store.create_room().room.code
    client = joined(rooms, code)
    response = post_answer(client, code, body)
    assert response.status_code == 400
    assert re.fullmatch(message_pattern(expected), response.json()["error"])
    assert rooms.store.snapshot(code).count == 0


def test_a_hostile_value_is_never_echoed_as_markup_and_is_cut_short(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    client = joined(rooms, code)
    response = post_answer(client, code, dict(LAST, goal="<script>" + "x" * 500))
    assert response.status_code == 400
    assert len(response.json()["error"]) < 400


def test_a_huge_answer_is_refused_before_it_is_read_whole(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    client = joined(rooms, code)
    response = post_answer(client, code, json.dumps(dict(LAST, note="x" * 100_000)))
    assert response.status_code == 413


def test_an_answer_without_a_valid_identity_is_refused(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    stranger = rooms.client()
    assert post_answer(stranger, code, LAST).status_code == 403
    forged = rooms.client()
    forged.cookies.set(participant_cookie(code), f"{'A' * 16}.{'B' * 43}")
    assert post_answer(forged, code, LAST).status_code == 403
    other = rooms.store.create_room().room.code
    foreign = joined(rooms, other).cookies.get(participant_cookie(other))
    borrowed = rooms.client()
    borrowed.cookies.set(participant_cookie(code), foreign)
    assert post_answer(borrowed, code, LAST).status_code == 403
    assert rooms.store.snapshot(code).count == 0


def test_a_closed_room_refuses_an_answer_and_says_so(rooms: Rooms) -> None:
    created = rooms.store.create_room()
    code = created.room.code
    client = joined(rooms, code)
    rooms.store.close(code, created.token)
    response = post_answer(client, code, LAST)
    assert response.status_code == 409
    assert response.json()["error"] == CONTENT.text("room_errors.room_closed")


def test_submits_are_limited_per_identity(tmp_path: Path) -> None:
    rooms = make_rooms(tmp_path, max_submits_per_minute=3)
    code = rooms.store.create_room().room.code
    client = joined(rooms, code)
    statuses = [post_answer(client, code, LAST).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


# --------------------------------------------------------------------------- the picture


def test_the_picture_is_only_flags_until_revealed_and_never_holds_answers(rooms: Rooms) -> None:
    created = rooms.store.create_room()
    code = created.room.code
    clients = [joined(rooms, code) for _ in range(3)]
    for client, goal in zip(clients, ("holistic", "mixed", "specific"), strict=True):
        assert post_answer(client, code, dict(LAST, goal=goal)).status_code == 200
    hidden = clients[0].get(f"/api/rooms/{code}/picture").json()
    assert hidden == {"revealed": False, "closed": False}
    rooms.store.set_revealed(code, created.token, True)
    shown = clients[0].get(f"/api/rooms/{code}/picture").json()
    assert shown["answered"] == 3
    assert sum(item["count"] for item in shown["distribution"]) == 3
    assert len(shown["average"]) == len(CONTENT.dimensions)
    text = json.dumps(shown)
    for client in clients:
        assert client.cookies.get(participant_cookie(code)).split(".")[0] not in text
    assert "holistic" not in text and "specific" not in text  # no one's answer


def test_the_picture_needs_an_identity_of_the_room(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    assert rooms.client().get(f"/api/rooms/{code}/picture").status_code == 403


# --------------------------------------------------------------------------- device proofs


def test_a_planted_identity_cookie_cannot_answer_without_its_page_s_proof(rooms: Rooms) -> None:
    """A page on another port of the same host can set a cookie for this host (cookies
    ignore ports), but not this origin's storage: an identity it plants has no proof."""
    code = rooms.store.create_room().room.code
    attacker = joined(rooms, code)
    planted = attacker.cookies.get(participant_cookie(code))
    victim = rooms.client()
    victim.cookies.set(participant_cookie(code), planted)
    page = victim.get(f"/j/{code}")
    assert "set-cookie" not in page.headers and boot_data(page.text)["proof"] is None
    refused = post_answer(victim, code, LAST)  # the victim's page has no proof to send
    assert refused.status_code == 403 and refused.json()["reason"] == "device"
    assert rooms.store.own_answer(code, planted) is None


def test_a_page_without_a_proof_gets_a_fresh_identity_and_answers_under_it(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    attacker = joined(rooms, code)
    planted = attacker.cookies.get(participant_cookie(code))
    victim = rooms.client()
    victim.cookies.set(participant_cookie(code), planted)
    fresh = victim.post(
        f"/api/rooms/{code}/identity",
        content="{}",
        headers={"origin": OWN_ORIGIN, "content-type": "application/json"},
    )
    assert fresh.status_code == 200
    mine = set_cookie(fresh)[participant_cookie(code)].value
    assert mine != planted
    victim.cookies.clear()
    victim.cookies.set(participant_cookie(code), mine)
    victim.headers[PROOF_HEADER] = fresh.json()["proof"]
    assert post_answer(victim, code, LAST).status_code == 200
    assert rooms.store.own_answer(code, planted) is None  # the attacker reads nothing
    assert rooms.store.own_answer(code, mine)["goal"] == LAST["goal"]


def test_a_fresh_identity_is_only_given_to_this_site_s_own_page(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    response = rooms.client().post(
        f"/api/rooms/{code}/identity",
        content="{}",
        headers={"origin": "http://testserver:8791", "content-type": "application/json"},
    )
    assert response.status_code == 403 and "set-cookie" not in response.headers


def test_a_proof_of_another_identity_or_room_does_not_count(rooms: Rooms) -> None:
    code = rooms.store.create_room().room.code
    other = rooms.store.create_room().room.code
    mine = joined(rooms, code)
    theirs = joined(rooms, code)
    elsewhere = joined(rooms, other)
    for proof in (theirs.headers[PROOF_HEADER], elsewhere.headers[PROOF_HEADER], "x" * 43, ""):
        mine.headers[PROOF_HEADER] = proof
        assert post_answer(mine, code, LAST).status_code == 403
    assert rooms.store.snapshot(code).count == 0
