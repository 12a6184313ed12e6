"""The live room in the app (AppTest): facilitator and participant flows, and bad input.

The facilitator's key and a participant's identity are HttpOnly cookies set by the app's
routes (/api/rooms/claim, /api/rooms/<CODE>/join; tests/test_room_routes.py). AppTest cannot
follow those routes or send cookies, so here each session gets the cookie the route would
have set (`room_cookies`, tests/apptest.py), made with the app's own store.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from explorer import Content, evaluate
from explorer.rooms import RoomNotFound, RoomStore
from tests.apptest import (
    app_rooms,
    component_data,
    facilitator_of,
    open_app,
    participant_in,
)


@pytest.fixture
def store(tmp_path, room_cookies) -> RoomStore:
    """The room store the app under test uses, on a fresh SQLite folder."""
    with app_rooms(tmp_path) as store:
        yield store


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def submit_answer(at: AppTest, **choices: str) -> AppTest:
    for key, value in choices.items():
        at.select_slider(key=f"room_{key}").set_value(value)
    at.button(key="room_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def shows_room_picture(at: AppTest) -> bool:
    return any(c.key in ("room_distribution", "room_radar") for c in at.get("plotly_chart"))


def test_creating_a_room_makes_a_one_time_claim_and_sends_the_browser_to_it(
    store: RoomStore, content: Content
):
    at = open_app("room")
    at.text_input(key="room_title").input("Friday workshop")
    button(at, content.text("room.start_button")).click().run()
    assert not at.exception
    assert [i.value for i in at.info] == [content.text("room.opening")]
    # The browser is sent to the claim route; no key is in this page's address.
    url = component_data(at, "room_claim")["url"]
    assert urlsplit(url).path == "/api/rooms/claim"
    claim = parse_qs(urlsplit(url).query)["c"][0]
    assert dict(at.query_params) == {}
    # What the route does with it: the claim opens the new room once, with its key.
    code, token = store.redeem_claim(claim)
    assert len(code) == 6 and store.verify_token(code, token)
    assert store.get_room(code).title == "Friday workshop"


def test_the_facilitator_sees_code_join_link_and_qr_and_no_key_in_the_address(
    store: RoomStore, content: Content
):
    created = store.create_room("Friday workshop")
    code = created.room.code
    at = open_app("room", cookies=facilitator_of(code, created.token), room=code)
    assert "Friday workshop" in subheaders(at)
    text = " ".join(m.value for m in at.markdown)
    assert code in text and f"/api/rooms/{code}/join" in text
    assert len(at.image) == 1
    assert at.button(key="reveal").label == content.text("room.reveal")
    assert dict(at.query_params) == {"room": code}
    assert created.token not in json.dumps(dict(at.query_params))
    assert any("0** joined" in m.value for m in at.markdown)


def test_a_key_in_the_link_opens_no_dashboard(store: RoomStore, content: Content):
    created = store.create_room()
    code = created.room.code
    at = open_app("room", room=code, token=created.token)
    assert not any(b.key in ("reveal", "close") for b in at.button)
    assert not any("answered" in m.value for m in at.markdown)
    assert [i.value for i in at.info] == [content.text("room.joining")]


def test_a_participant_without_an_identity_is_sent_to_the_join_route(
    store: RoomStore, content: Content
):
    code = store.create_room("Room").room.code
    at = open_app("room", room=code)
    assert [i.value for i in at.info] == [content.text("room.joining")]
    assert component_data(at, "room_join")["url"] == f"/api/rooms/{code}/join"
    assert not any(b.key == "room_submit" for b in at.button)


def test_participant_joins_submits_and_sees_own_verdict(store: RoomStore):
    code = store.create_room("Room").room.code
    at = open_app("room", cookies=participant_in(store, code), room=code)
    assert "Room" in subheaders(at)
    assert store.snapshot(code).joined == 1
    submit_answer(at, goal="specific", timeframe="weeks", structure="formal")
    assert any("Thank you" in s.value for s in at.success)
    assert "Verdict: Coaching" in subheaders(at)
    snapshot = store.snapshot(code)
    assert snapshot.count == 1 and snapshot.answers[0]["goal"] == "specific"
    assert dict(at.query_params) == {"room": code}


def test_resubmitting_updates_the_one_answer(store: RoomStore, content: Content):
    code = store.create_room().room.code
    at = open_app("room", cookies=participant_in(store, code), room=code)
    submit_answer(at, goal="specific")
    assert at.button(key="room_submit").label == content.text("room.update")
    submit_answer(at, goal="holistic", timeframe="ongoing", stage="early", structure="informal")
    snapshot = store.snapshot(code)
    assert snapshot.count == 1
    assert snapshot.answers[0]["goal"] == "holistic"
    assert snapshot.answers[0]["verdict"] == "mentoring"


def test_a_returning_participant_finds_their_answer_in_the_form(store: RoomStore):
    code = store.create_room().room.code
    cookie = participant_in(store, code)
    submit_answer(open_app("room", cookies=cookie, room=code), goal="specific", stage="early")
    again = open_app("room", cookies=cookie, room=code)  # a reload on the same phone
    assert again.select_slider(key="room_goal").value == "specific"
    assert again.select_slider(key="room_stage").value == "early"
    assert any("Thank you" in s.value for s in again.success)


def test_thanks_belong_to_the_room_answered_not_the_next_one(store: RoomStore):
    first, second = store.create_room().room.code, store.create_room().room.code
    cookies = {**participant_in(store, first), **participant_in(store, second)}
    at = open_app("room", cookies=cookies, room=first)
    submit_answer(at, goal="specific")
    assert any("Thank you" in s.value for s in at.success)
    at.query_params["room"] = second  # the same session opens another room
    at.run()
    assert not at.exception
    assert not at.success
    assert store.snapshot(second).count == 0


def test_participants_see_the_room_picture_only_once_revealed(store: RoomStore):
    created = store.create_room()
    code = created.room.code
    for goal in ("specific", "holistic", "mixed"):
        store.submit(code, store.issue_participant(code), {"goal": goal}, "blend")
    at = open_app("room", cookies=participant_in(store, code), room=code)
    submit_answer(at, goal="specific")
    assert not shows_room_picture(at)
    assert not any("Verdicts in the room" in m.value for m in at.markdown)
    store.set_revealed(code, created.token, True)
    at.run()
    assert not at.exception
    assert shows_room_picture(at)
    bars = json.loads(
        next(c for c in at.get("plotly_chart") if c.key == "room_distribution").proto.spec
    )
    assert sum(bars["data"][0]["y"]) == 4  # the aggregate only: counts per verdict


def test_dashboard_counts_and_hides_until_revealed(store: RoomStore):
    created = store.create_room()
    code = created.room.code
    for goal in ["specific", "specific", "holistic"]:
        store.submit(
            code, store.issue_participant(code), {"goal": goal}, evaluate({"goal": goal}).verdict
        )
    at = open_app("room", cookies=facilitator_of(code, created.token), room=code)
    assert any("**3** answered" in m.value for m in at.markdown)
    assert any("hidden" in i.value for i in at.info)
    assert not shows_room_picture(at)
    at.button(key="reveal").click().run()
    assert not at.exception
    assert store.get_room(code).revealed
    charts = {c.key: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    assert sum(charts["room_distribution"]["data"][0]["y"]) == 3
    radar_names = [t["name"] for t in charts["room_radar"]["data"]]
    assert "Room average" in radar_names and any("most answers" in n for n in radar_names)
    assert any("disagrees most" in m.value for m in at.markdown)


def test_closing_asks_first_and_a_closed_room_takes_no_answers_but_stays_readable(
    store: RoomStore, content: Content
):
    created = store.create_room()
    code = created.room.code
    answered = participant_in(store, code)
    submit_answer(open_app("room", cookies=answered, room=code), goal="specific")
    at = open_app("room", cookies=facilitator_of(code, created.token), room=code)
    at.button(key="close").click().run()
    assert not at.exception
    assert not store.get_room(code).closed  # one click only asks
    assert at.button(key="close_yes").label == content.text("room.close_confirm")
    at.button(key="close_no").click().run()  # "Keep it open"
    assert not store.get_room(code).closed
    assert not any(b.key == "close_yes" for b in at.button)
    at.button(key="close").click().run()
    at.button(key="close_yes").click().run()  # "Close the room"
    assert not at.exception
    assert store.get_room(code).closed
    assert at.button(key="close").disabled
    assert any(i.value == content.text("room.closed") for i in at.info)
    newcomer = open_app("room", cookies=participant_in(store, code), room=code)
    assert any("closed" in i.value for i in newcomer.info)
    assert not any(b.key == "room_submit" for b in newcomer.button)
    # Someone who answered keeps their own verdict.
    returning = open_app("room", cookies=answered, room=code)
    assert any("closed" in i.value for i in returning.info)
    assert any(s.startswith("Verdict:") for s in subheaders(returning))


def test_the_facilitator_can_delete_the_room_and_its_answers_now(
    store: RoomStore, content: Content
):
    created = store.create_room()
    code = created.room.code
    submit_answer(open_app("room", cookies=participant_in(store, code), room=code), goal="specific")
    at = open_app("room", cookies=facilitator_of(code, created.token), room=code)
    assert store.snapshot(code).count == 1
    at.button(key="delete_room").click().run()
    assert not at.exception
    assert any(s.value == content.text("room.deleted") for s in at.success)
    assert "room" not in at.query_params  # back in the lobby
    with pytest.raises(RoomNotFound):
        store.get_room(code)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"room": "ZZZZZZ"}, "no room"),
        ({"room": "<script>"}, "code"),
        ({"room": "ZZZZZ2", "token": "guessed"}, "no room"),
    ],
)
def test_bad_room_links_show_a_message_and_the_lobby(store, params, message):
    at = open_app("room", **params)
    assert at.error, "expected a visible error"
    assert message.lower() in at.error[0].value.lower()
    assert "Join a room" in subheaders(at)
    assert dict(at.query_params) == {}


def test_a_tampered_facilitator_cookie_opens_no_dashboard(store: RoomStore):
    created = store.create_room()
    code = created.room.code
    at = open_app("room", cookies=facilitator_of(code, created.token[:-2] + "xx"), room=code)
    assert not any(b.key in ("reveal", "close") for b in at.button)
    assert not any("answered" in m.value for m in at.markdown)


def test_unknown_code_typed_in_the_lobby_is_explained(store, content: Content):
    at = open_app("room")
    at.text_input(key="join_code").input("abc-def")
    button(at, content.text("room.join_button")).click().run()
    assert not at.exception
    assert at.error and "Join a room" in subheaders(at)
