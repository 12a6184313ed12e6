"""The live room in the app: the facilitator's dashboard (AppTest), the phones on the light
participant page (the app's own routes, in process: `app_phone`), and bad input.

The facilitator's key and a participant's identity are HttpOnly cookies set by the app's
routes (/api/rooms/claim, /j/<CODE>; tests/unit/test_room_routes.py and
tests/unit/test_participant_routes.py). AppTest cannot follow those routes or send cookies, so
here each session gets the cookie the route would have set (`room_cookies`,
tests/support/apptest.py), made with the app's own store; a phone holds the cookies the
routes set for it, as a browser does.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from explorer import Content, evaluate, load_content
from rooms import RoomFull, RoomNotFound, RoomStore, participant_cookie
from tests.support.apptest import (
    app_phone,
    component_data,
    facilitator_of,
    open_app,
    participant_in,
)
from tests.support.rooms_app import (
    Phone,
    boot_data,
    closed_notice_shown,
    main_answer,
    submit_label,
)

CONTENT = load_content()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def joined_phone(code: str) -> Phone:
    """A phone that opened the room's join link: it holds its identity cookie."""
    phone = app_phone()
    assert phone.get(f"/j/{code}").status_code == 200
    assert phone.cookies.get(participant_cookie(code))
    return phone


def submit_answer(phone: Phone, code: str, **choices: str) -> dict[str, Any]:
    """Press Submit on the phone's page with these sliders moved (the others at their
    defaults); the answer as the page then shows it, read back from the store."""
    response = phone.answer(code, main_answer(CONTENT, **choices))
    assert response.status_code == 200, response.text
    return response.json()["receipt"]


def heading(page_html: str) -> str:
    return html.unescape(page_html.split("<h1>", 1)[1].split("</h1>", 1)[0])


def subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def typed_titles(at: AppTest) -> list[str]:
    """Room titles as the dashboard shows them: escaped HTML headings (views.text)."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", h.proto.body))
        for h in at.html
        if "typed-title" in h.proto.body
    ]


def shows_room_picture(at: AppTest) -> bool:
    return any(c.key in ("room_distribution", "room_radar") for c in at.get("plotly_chart"))


def test_creating_a_room_makes_a_one_time_claim_and_sends_the_browser_to_it(
    store: RoomStore, content: Content
):
    at = open_app("room")
    assert at.number_input(key="room_seats").value == store.settings.new_room_seats
    at.text_input(key="room_title").input("Friday workshop")
    at.number_input(key="room_seats").set_value(25)
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
    assert store.get_room(code).seats == 25  # the size the facilitator typed


def test_the_dashboard_says_when_the_room_is_nearly_full_full_and_turning_people_away(
    store: RoomStore, content: Content
):
    created = store.create_room("Small group", seats=10)
    code = created.room.code
    for _ in range(9):
        store.mark_joined(code, store.issue_participant(code))
    at = open_app("room", cookies=facilitator_of(code, created.token), room=code)
    nearly = content.text("room.nearly_full", joined=9, seats=10)
    seat_warnings = lambda: [w.value for w in at.warning if "seats" in w.value]  # noqa: E731
    assert seat_warnings() == [nearly]
    store.mark_joined(code, store.issue_participant(code))
    with pytest.raises(RoomFull):
        store.mark_joined(code, store.issue_participant(code))
    at.run()
    assert seat_warnings() == [content.text("room.full", seats=10)]
    assert content.text("room.turned_away", count=1) in [c.value for c in at.caption]

    # More seats from the dashboard: the warning goes, and a newcomer gets in.
    at.number_input(key=f"room_seats_{code}").set_value(12)
    next(b for b in at.button if b.label == content.text("room.seats_button")).click().run()
    assert not at.exception and store.get_room(code).seats == 12
    assert seat_warnings() == []
    store.mark_joined(code, store.issue_participant(code))
    assert store.snapshot(code).joined == 11


def test_the_facilitator_sees_code_join_link_and_qr_and_no_key_in_the_address(
    store: RoomStore, content: Content
):
    created = store.create_room("Friday workshop")
    code = created.room.code
    at = open_app("room", cookies=facilitator_of(code, created.token), room=code)
    assert "Friday workshop" in typed_titles(at)
    text = " ".join(m.value for m in at.markdown)
    assert code in text and re.search(rf"https?://\S+/j/{code}(\s|$)", text), text
    assert len(at.image) == 1
    assert at.button(key="reveal").label == content.text("room.reveal")
    assert dict(at.query_params) == {"room": code}
    assert created.token not in json.dumps(dict(at.query_params))
    seats = store.settings.new_room_seats
    assert any(f"0** of {seats} seats taken" in m.value for m in at.markdown)


def test_a_key_in_the_link_opens_no_dashboard(store: RoomStore, content: Content):
    created = store.create_room()
    code = created.room.code
    at = open_app("room", room=code, token=created.token)
    assert not any(b.key in ("reveal", "close") for b in at.button)
    assert not any("answered" in m.value for m in at.markdown)
    assert [i.value for i in at.info] == [content.text("room.joining")]


@pytest.mark.parametrize("holds_identity", [False, True], ids=["new phone", "in the room"])
def test_a_participant_without_an_identity_is_sent_to_the_join_route(
    store: RoomStore, content: Content, holds_identity: bool
):
    code = store.create_room("Room").room.code
    cookies = participant_in(store, code) if holds_identity else None
    at = open_app("room", cookies=cookies, room=code)
    assert [i.value for i in at.info] == [content.text("room.joining")]
    url = component_data(at, "room_join")["url"]
    assert url == f"/j/{code}"
    assert not at.button and not at.select_slider  # no answer form on this page
    assert dict(at.query_params) == {"room": code}
    # The join route gives a new phone its identity, and the page to answer on.
    phone = app_phone()
    page = phone.get(url)
    assert page.status_code == 200
    assert phone.cookies.get(participant_cookie(code))
    assert submit_label(page.text) == content.text("room.submit")


def test_participant_joins_submits_and_sees_own_verdict(store: RoomStore):
    code = store.create_room("Room").room.code
    phone = app_phone()
    page = phone.get(f"/j/{code}")
    assert page.status_code == 200 and heading(page.text) == "Room"
    assert store.snapshot(code).joined == 1
    receipt = submit_answer(phone, code, goal="specific", timeframe="weeks", structure="formal")
    # The phone shows the answer as the store holds it: each choice, and its own verdict.
    assert receipt["submitted_at"]
    assert receipt["verdict"] == "coaching"
    coaching = CONTENT.verdict.approaches["coaching"].headline
    assert receipt["verdict_line"] == CONTENT.text("participant.stored_verdict", headline=coaching)
    for input_id, option in (("goal", "specific"), ("timeframe", "weeks")):
        spec = CONTENT.input_by_id[input_id]
        line = CONTENT.text(
            "participant.stored_line", input=spec.label, option=spec.option(option).label
        )
        assert line in receipt["lines"]
    snapshot = store.snapshot(code)
    assert snapshot.count == 1 and snapshot.answers[0]["goal"] == "specific"
    # The identity stays in the phone's cookie: never in the page or what it is sent.
    identity = phone.cookies.get(participant_cookie(code))
    assert identity not in page.text and identity not in json.dumps(receipt)


def test_resubmitting_updates_the_one_answer(store: RoomStore, content: Content):
    code = store.create_room().room.code
    phone = joined_phone(code)
    submit_answer(phone, code, goal="specific")
    assert submit_label(phone.get(f"/j/{code}").text) == content.text("room.update")
    receipt = submit_answer(
        phone, code, goal="holistic", timeframe="ongoing", stage="early", structure="informal"
    )
    assert receipt["answers"]["goal"] == "holistic"
    snapshot = store.snapshot(code)
    assert snapshot.count == 1
    assert snapshot.answers[0]["goal"] == "holistic"
    assert snapshot.answers[0]["verdict"] == "mentoring"


# A returning participant finding their answer on the page (sliders and the stored answer):
# test_opening_the_link_again_shows_the_answer_this_device_stored in
# tests/unit/test_participant_routes.py


def test_thanks_belong_to_the_room_answered_not_the_next_one(store: RoomStore):
    first, second = store.create_room().room.code, store.create_room().room.code
    phone = joined_phone(first)
    assert phone.get(f"/j/{second}").status_code == 200  # the same phone, in both rooms
    submit_answer(phone, first, goal="specific")
    assert boot_data(phone.get(f"/j/{first}").text)["receipt"]["answers"]["goal"] == "specific"
    other = phone.get(f"/j/{second}").text  # the same phone opens the other room
    assert boot_data(other)["receipt"] is None
    assert boot_data(other)["view"]["inputs"] == main_answer(CONTENT)  # not the first's
    assert submit_label(other) == CONTENT.text("room.submit")
    assert store.snapshot(second).count == 0


def test_participants_see_the_room_picture_only_once_revealed(store: RoomStore):
    created = store.create_room()
    code = created.room.code
    for goal in ("specific", "holistic", "mixed"):
        store.submit(code, store.issue_participant(code), {"goal": goal}, "blend")
    phone = joined_phone(code)
    submit_answer(phone, code, goal="specific")
    assert phone.get(f"/api/rooms/{code}/picture").json() == {"revealed": False, "closed": False}
    assert boot_data(phone.get(f"/j/{code}").text)["room"] == {"revealed": False, "closed": False}
    store.set_revealed(code, created.token, True)
    shown = phone.get(f"/api/rooms/{code}/picture").json()
    assert boot_data(phone.get(f"/j/{code}").text)["room"]["revealed"] is True
    # The aggregate only: counts per verdict (theirs among them) and the average needs.
    assert sum(item["count"] for item in shown["distribution"]) == 4
    assert len(shown["average"]) == len(CONTENT.dimensions)


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
    answered = joined_phone(code)
    own = submit_answer(answered, code, goal="specific")
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
    newcomer = app_phone()
    page = newcomer.get(f"/j/{code}")
    assert page.status_code == 200 and closed_notice_shown(page.text)
    assert boot_data(page.text)["room"]["closed"] is True  # the page's button stays off
    refused = newcomer.answer(code, main_answer(CONTENT))
    assert refused.status_code == 409
    assert refused.json()["error"] == content.text("room_errors.room_closed")
    # Someone who answered keeps their own verdict.
    returning = answered.get(f"/j/{code}")
    assert returning.status_code == 200 and closed_notice_shown(returning.text)
    assert boot_data(returning.text)["receipt"]["verdict_line"] == own["verdict_line"]
    assert store.snapshot(code).count == 1


def test_the_facilitator_can_delete_the_room_and_its_answers_now(
    store: RoomStore, content: Content
):
    created = store.create_room()
    code = created.room.code
    phone = joined_phone(code)
    submit_answer(phone, code, goal="specific")
    at = open_app("room", cookies=facilitator_of(code, created.token), room=code)
    assert store.snapshot(code).count == 1
    at.button(key="delete_room").click().run()
    assert not at.exception
    assert any(s.value == content.text("room.deleted") for s in at.success)
    assert "room" not in at.query_params  # back in the lobby
    with pytest.raises(RoomNotFound):
        store.get_room(code)
    gone = phone.get(f"/j/{code}")  # the phone's page: the room and its answers are gone
    assert gone.status_code == 404
    assert content.text("room_errors.room_not_found") in html.unescape(gone.text)


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
