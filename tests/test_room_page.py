"""The live room in the app (AppTest): facilitator and participant flows, and bad input."""

from __future__ import annotations

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from explorer import evaluate
from explorer.rooms import RoomSettings, RoomStore
from tests.apptest import open_app


@pytest.fixture
def store(tmp_path, monkeypatch) -> RoomStore:
    """A fresh SQLite room store that the app under test shares."""
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("EXPLORER_DATABASE_URL", raising=False)
    st.cache_resource.clear()
    yield RoomStore.from_settings(RoomSettings.from_env())
    st.cache_resource.clear()


def submit_answer(at: AppTest, **choices: str) -> AppTest:
    for key, value in choices.items():
        at.select_slider(key=f"room_{key}").set_value(value)
    at.button[0].click().run()
    assert not at.exception
    return at


def test_facilitator_creates_a_room_and_gets_code_link_and_qr(store):
    at = open_app("room")
    at.text_input(key="room_title").input("Friday workshop")
    at.button[1].click().run()
    assert not at.exception
    code, token = at.query_params["room"], at.query_params["token"]
    assert len(code) == 6 and store.verify_token(code, token)
    assert "Friday workshop" in [s.value for s in at.subheader]
    assert any(code in m.value for m in at.markdown)
    assert len(at.image) == 1


def test_participant_joins_submits_and_sees_own_verdict(store):
    room = store.create_room("Room")
    at = open_app("room", room=room.room.code)
    submit_answer(at, goal="specific", timeframe="weeks", structure="formal")
    assert any("Thank you" in s.value for s in at.success)
    assert "Verdict: Coaching" in [s.value for s in at.subheader]
    snapshot = store.snapshot(room.room.code)
    assert snapshot.count == 1 and snapshot.answers[0]["goal"] == "specific"


def test_resubmitting_updates_the_one_answer(store):
    room = store.create_room()
    at = open_app("room", room=room.room.code)
    submit_answer(at, goal="specific")
    submit_answer(at, goal="holistic", timeframe="ongoing", stage="early", structure="informal")
    snapshot = store.snapshot(room.room.code)
    assert snapshot.count == 1
    assert snapshot.answers[0]["goal"] == "holistic"
    assert snapshot.answers[0]["verdict"] == "mentoring"


def test_participants_never_see_room_results(store):
    room = store.create_room()
    store.set_revealed(room.room.code, room.token, True)
    at = open_app("room", room=room.room.code)
    assert not any("Verdicts in the room" in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")) == 0


def test_dashboard_counts_and_hides_until_revealed(store):
    room = store.create_room()
    code = room.room.code
    for n, goal in enumerate(["specific", "specific", "holistic"]):
        store.submit(code, f"participant{n}", {"goal": goal}, evaluate({"goal": goal}).verdict)
    at = open_app("room", room=code, token=room.token)
    assert any("**3** answered" in m.value for m in at.markdown)
    assert any("hidden" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 0
    at.button(key="reveal").click().run()
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    bars = next(c for c in charts if c["data"][0]["type"] == "bar")
    assert sum(bars["data"][0]["y"]) == 3
    radar_names = [t["name"] for t in charts[-1]["data"]]
    assert "Room average" in radar_names and any("Spread" in n for n in radar_names)
    assert any("disagrees most" in m.value for m in at.markdown)


def test_closed_room_takes_no_answers_but_stays_readable(store):
    room = store.create_room()
    at = open_app("room", room=room.room.code, token=room.token)
    at.button(key="close").click().run()
    assert store.get_room(room.room.code).closed
    participant = open_app("room", room=room.room.code)
    assert any("closed" in i.value for i in participant.info)
    assert not participant.button


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"room": "ZZZZZZ"}, "no room"),
        ({"room": "<script>"}, "code"),
        ({"room": "VALIDX", "token": "guessed"}, ""),
    ],
)
def test_bad_room_links_show_a_message_and_the_lobby(store, params, message):
    at = open_app("room", **params)
    assert at.error, "expected a visible error"
    assert message.lower() in at.error[0].value.lower()
    assert "Join a room" in [s.value for s in at.subheader]


def test_tampered_token_cannot_see_the_dashboard(store):
    room = store.create_room()
    at = open_app("room", room=room.room.code, token=room.token[:-2] + "xx")
    assert at.error and not any("answered" in m.value for m in at.markdown)


def test_unknown_code_typed_in_the_lobby_is_explained(store):
    at = open_app("room")
    at.text_input(key="join_code").input("abc-def")
    at.button[0].click().run()
    assert not at.exception
    assert at.error and "Join a room" in [s.value for s in at.subheader]
