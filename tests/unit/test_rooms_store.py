"""The live-room store (rooms), run against SQLite and PostgreSQL.

PostgreSQL tests use ``EXPLORER_TEST_POSTGRES_URL`` (``source .ci/postgres.sh``
starts a throwaway server and sets it). Without it they are skipped, except
with ``CI=true``, where they fail: CI must never pass without PostgreSQL.
Each PostgreSQL test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import string
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer import load_content
from rooms import (
    CODE_ALPHABET,
    InvalidAnswer,
    InvalidCode,
    InvalidTitle,
    NotAuthorised,
    RoomClosed,
    RoomError,
    RoomExpired,
    RoomFull,
    RoomNotFound,
    RoomSettings,
    RoomStore,
    StoreUnavailable,
    TooManyRooms,
    UnknownParticipant,
    hash_token,
    new_code,
    new_token,
    normalise_code,
)
from rooms.schema import answers_table, rooms_table
from tests.support.stores import START, StoreFactory

REPO_ROOT = Path(__file__).resolve().parents[2]
THREAD_JOIN_S = 60.0


# ---------------------------------------------------------------------------
# Fixtures


def backend_of(store: RoomStore) -> str:
    return store.engine.dialect.name


def run_threads(target: Callable[[int], None], count: int) -> None:
    """Start ``count`` threads at once; every one must finish within the time limit."""
    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + THREAD_JOIN_S
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "threads still running after the time limit"


ANSWER = {"goal": "mixed", "horizon": "long"}
_identities: dict[tuple[str, str], str] = {}
_identities_lock = threading.Lock()


def who(store: RoomStore, code: str, name: str) -> str:
    """The identity the server issued to participant ``name`` of room ``code`` (made once)."""
    with _identities_lock:
        if (code, name) not in _identities:
            _identities[code, name] = store.issue_participant(code)
        return _identities[code, name]


# ---------------------------------------------------------------------------
# Codes, tokens, settings, errors (no database)


def test_room_codes_are_six_characters_from_an_alphabet_without_look_alikes() -> None:
    assert not set("0O1IL") & set(CODE_ALPHABET)
    codes = {new_code() for _ in range(500)}
    assert all(len(code) == 6 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert len(codes) > 490  # random, not a counter


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("ABC234", "ABC234"),
        (" abc234 ", "ABC234"),
        ("abc-234", "ABC234"),
        ("ab c 2 3 4", "ABC234"),
        ("\tXyZ-789\n", "XYZ789"),
    ],
)
def test_typed_codes_are_trimmed_upper_cased_and_freed_of_spaces_and_dashes(
    typed: str, code: str
) -> None:
    assert normalise_code(typed) == code


@pytest.mark.parametrize(
    "typed",
    ["", "ABC23", "ABC2345", "ABC0O1", "ABCDE!", "ABCDEI", "ABCDE1", "ÄBCDEF", None, 123456],
)
def test_anything_but_six_alphabet_characters_is_an_invalid_code(typed: object) -> None:
    with pytest.raises(InvalidCode) as caught:
        normalise_code(typed)
    assert caught.value.code == "invalid_code"
    assert "6" in load_content().text(f"room_errors.{caught.value.code}")


@given(st.text(max_size=20))
@settings(max_examples=300, deadline=None)
def test_normalising_any_text_gives_a_valid_code_or_invalid_code(text: str) -> None:
    try:
        code = normalise_code(text)
    except InvalidCode:
        return
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)


@given(st.text(alphabet=CODE_ALPHABET, min_size=6, max_size=6), st.sampled_from(["", "-", " "]))
@settings(max_examples=100, deadline=None)
def test_any_code_survives_lower_casing_and_separators(code: str, sep: str) -> None:
    typed = f" {code[:3].lower()}{sep}{code[3:]} "
    assert normalise_code(typed) == code


def test_tokens_are_long_and_random_and_hash_to_sha256_hex() -> None:
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(token) >= 32 for token in tokens)
    token = tokens.pop()
    assert len(hash_token(token)) == 64 and token not in hash_token(token)


def test_settings_default_to_a_sqlite_file_under_the_data_dir(tmp_path: Path) -> None:
    defaults = RoomSettings.from_env({})
    assert defaults.database_url == f"sqlite:///{(Path('data') / 'rooms.db').resolve()}"
    assert (defaults.room_ttl_hours, defaults.max_answers_per_room) == (12, 500)
    assert (defaults.max_rooms_per_hour, defaults.max_title_chars) == (60, 80)
    in_dir = RoomSettings.from_env({"EXPLORER_DATA_DIR": str(tmp_path / "d")})
    assert in_dir.database_url == f"sqlite:///{tmp_path / 'd' / 'rooms.db'}"


def test_settings_read_the_url_and_limits_from_the_environment() -> None:
    env = {
        "EXPLORER_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:5432/db",
        "EXPLORER_ROOM_TTL_HOURS": "1.5",
        "EXPLORER_MAX_ANSWERS_PER_ROOM": "7",
        "EXPLORER_MAX_ROOMS_PER_HOUR": "3",
        "EXPLORER_MAX_TITLE_CHARS": " 20 ",
    }
    got = RoomSettings.from_env(env)
    assert got.database_url == env["EXPLORER_DATABASE_URL"]
    assert (got.room_ttl_hours, got.max_answers_per_room) == (1.5, 7)
    assert (got.max_rooms_per_hour, got.max_title_chars) == (3, 20)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EXPLORER_ROOM_TTL_HOURS", "twelve"),
        ("EXPLORER_ROOM_TTL_HOURS", "0"),
        ("EXPLORER_ROOM_TTL_HOURS", "nan"),
        ("EXPLORER_MAX_ANSWERS_PER_ROOM", "-1"),
        ("EXPLORER_MAX_ANSWERS_PER_ROOM", "2.5"),
        ("EXPLORER_MAX_ROOMS_PER_HOUR", "0"),
        ("EXPLORER_MAX_TITLE_CHARS", "lots"),
        ("EXPLORER_DB_BUSY_TIMEOUT_MS", "-5"),
    ],
)
def test_a_bad_setting_raises_a_value_error_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        RoomSettings.from_env({name: value})


def test_room_errors_name_short_words_in_content_and_log_only_their_code() -> None:
    content = load_content()
    kinds = [RoomNotFound, RoomClosed, RoomExpired, NotAuthorised, RoomFull, TooManyRooms]
    kinds += [InvalidTitle, InvalidCode, InvalidAnswer, StoreUnavailable]
    for kind in kinds:
        error = kind()
        assert isinstance(error, RoomError)
        assert str(error) == error.message == error.code
        assert 10 < len(content.text(f"room_errors.{error.code}")) < 200


def test_the_default_sqlite_folder_is_created_on_first_use(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "data"
    store = RoomStore.from_settings(RoomSettings.from_env({"EXPLORER_DATA_DIR": str(data_dir)}))
    try:
        store.create_room("first")
    finally:
        store.dispose()
    assert (data_dir / "rooms.db").is_file()


def test_the_rooms_package_never_imports_streamlit() -> None:
    code = "import sys, rooms; sys.exit('streamlit' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=_child_env(), timeout=60, check=False
    )
    assert done.returncode == 0


def test_an_unreachable_postgres_server_gives_store_unavailable() -> None:
    import socket

    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://nobody:nothing@127.0.0.1:{port}/nowhere"
    with pytest.raises(StoreUnavailable) as caught:
        RoomStore(url, RoomSettings(database_url=url))
    assert "127.0.0.1" not in caught.value.message


def test_an_in_memory_sqlite_store_is_shared_by_threads() -> None:
    store = RoomStore("sqlite://", RoomSettings(database_url="sqlite://"))
    code = store.create_room().room.code

    def submit(i: int) -> None:
        store.submit(code, who(store, code, f"p{i}"), ANSWER, "coaching")

    run_threads(submit, 8)
    assert store.snapshot(code).count == 8


# ---------------------------------------------------------------------------
# Rooms on both backends


def test_a_created_room_can_be_read_back_by_its_code(store: RoomStore) -> None:
    created = store.create_room("  Team offsite  ")
    room = created.room
    assert room.title == "Team offsite"
    assert (room.revealed, room.closed) == (False, False)
    assert room.created_at == START and room.expires_at == START + timedelta(hours=12)
    assert store.get_room(room.code) == room
    assert store.get_room(f" {room.code[:3].lower()}-{room.code[3:]} ") == room
    assert created.token not in repr(created)


def test_an_unknown_code_is_not_found_and_a_malformed_one_is_invalid(store: RoomStore) -> None:
    store.create_room()
    with pytest.raises(RoomNotFound):
        store.get_room(_unused_code(store))
    with pytest.raises(InvalidCode):
        store.get_room("NOPE")
    assert store.verify_token("NOPE", "x") is False


def test_rooms_outlive_the_store_that_created_them(make_store: StoreFactory) -> None:
    first = make_store()
    created = first.create_room("kept")
    first.submit(created.room.code, who(first, created.room.code, "p1"), ANSWER, "coaching")
    first.dispose()
    second = make_store()  # as after an app restart
    assert second.get_room(created.room.code).title == "kept"
    assert second.verify_token(created.room.code, created.token)
    assert second.snapshot(created.room.code).count == 1


def test_only_a_sha256_hash_of_the_token_is_stored(store: RoomStore) -> None:
    created = store.create_room("secret")
    with store.engine.connect() as conn:
        rows = [tuple(r) for t in (rooms_table, answers_table) for r in conn.execute(t.select())]
    stored = repr(rows)
    assert created.token not in stored
    assert hash_token(created.token) in stored


def test_the_facilitator_token_verifies_and_others_do_not(store: RoomStore) -> None:
    created = store.create_room()
    other = store.create_room()
    code = created.room.code
    assert store.verify_token(code, created.token) is True
    assert store.verify_token(code.lower(), created.token) is True
    assert store.verify_token(code, other.token) is False
    assert store.verify_token(code, created.token[:-1]) is False
    assert store.verify_token(_unused_code(store), created.token) is False


def _tampered_tokens(token: str, other: str) -> list[object]:
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    return ["", flipped, token + "x", token[:-1], token.upper(), other, hash_token(token), None]


def test_a_wrong_or_tampered_token_cannot_reveal_close_or_export(store: RoomStore) -> None:
    created = store.create_room()
    other = store.create_room()
    code = created.room.code
    store.submit(code, who(store, code, "p1"), ANSWER, "coaching")
    for bad in _tampered_tokens(created.token, other.token):
        with pytest.raises(NotAuthorised):
            store.set_revealed(code, bad, True)  # type: ignore[arg-type]
        with pytest.raises(NotAuthorised):
            store.close(code, bad)  # type: ignore[arg-type]
        with pytest.raises(NotAuthorised):
            store.export_answers(code, bad)  # type: ignore[arg-type]
    room = store.get_room(code)
    assert (room.revealed, room.closed) == (False, False)


def test_the_facilitator_can_reveal_and_hide_results(store: RoomStore) -> None:
    created = store.create_room()
    code = created.room.code
    assert store.set_revealed(code, created.token, True).revealed is True
    assert store.get_room(code).revealed is True
    store.set_revealed(code, created.token, False)
    assert store.snapshot(code).room.revealed is False


def test_resubmitting_updates_the_answer_instead_of_adding_one(store: RoomStore) -> None:
    code = store.create_room().room.code
    store.submit(code, who(store, code, "p1"), {"goal": "mixed"}, "blend")
    store.submit(code, who(store, code, "p2"), {"goal": "specific"}, "coaching")
    store.submit(code, who(store, code, "p1"), {"goal": "holistic"}, "mentoring")
    snap = store.snapshot(code)
    assert snap.count == 2
    assert sorted(a["goal"] for a in snap.answers) == ["holistic", "specific"]
    assert store.own_answer(code, who(store, code, "p1")) == {
        "goal": "holistic",
        "verdict": "mentoring",
    }
    assert store.own_answer(code, who(store, code, "p3")) is None


def test_a_closed_room_refuses_answers_but_stays_readable(store: RoomStore) -> None:
    created = store.create_room("closing")
    code = created.room.code
    store.submit(code, who(store, code, "p1"), ANSWER, "coaching")
    assert store.close(code, created.token).closed is True
    with pytest.raises(RoomClosed):
        store.submit(code, who(store, code, "p2"), ANSWER, "coaching")
    with pytest.raises(RoomClosed):
        store.submit(code, who(store, code, "p1"), {"goal": "specific"}, "coaching")
    assert store.get_room(code).closed is True
    assert store.snapshot(code).count == 1
    assert store.own_answer(code, who(store, code, "p1")) == {**ANSWER, "verdict": "coaching"}
    assert len(store.export_answers(code, created.token)) == 1
    assert store.set_revealed(code, created.token, True).revealed is True
    assert store.close(code, created.token).closed is True  # closing twice is fine


def test_a_room_expires_after_its_ttl_on_the_injected_clock(make_store: StoreFactory) -> None:
    store = make_store(room_ttl_hours=2)
    created = store.create_room()
    code = created.room.code
    make_store.clock.advance(hours=1, minutes=59)
    store.submit(code, who(store, code, "p1"), ANSWER, "coaching")
    make_store.clock.advance(minutes=1)
    for call in (
        lambda: store.get_room(code),
        lambda: store.snapshot(code),
        lambda: store.submit(code, who(store, code, "p2"), ANSWER, "coaching"),
        lambda: store.own_answer(code, who(store, code, "p1")),
        lambda: store.set_revealed(code, created.token, True),
        lambda: store.close(code, created.token),
        lambda: store.export_answers(code, created.token),
    ):
        with pytest.raises(RoomExpired):
            call()
    assert store.verify_token(code, created.token) is True  # still ours, just expired
    assert store.delete_expired() == 1
    with pytest.raises(RoomNotFound):
        store.get_room(code)


def test_delete_expired_removes_only_expired_rooms_and_their_answers(
    make_store: StoreFactory,
) -> None:
    store = make_store(room_ttl_hours=1)
    old = store.create_room().room.code
    store.submit(old, who(store, old, "p1"), ANSWER, "coaching")
    make_store.clock.advance(minutes=30)
    young = store.create_room().room.code
    store.submit(young, who(store, young, "p1"), ANSWER, "coaching")
    make_store.clock.advance(minutes=31)
    assert store.delete_expired() == 1
    assert store.delete_expired() == 0
    assert store.snapshot(young).count == 1
    with store.engine.connect() as conn:
        left = conn.execute(sa.select(answers_table.c.room_code)).scalars().all()
    assert left == [young]


def test_a_full_room_refuses_new_participants_but_lets_existing_ones_update(
    make_store: StoreFactory,
) -> None:
    store = make_store(max_answers_per_room=3)
    code = store.create_room().room.code
    for pid in ("a", "b", "c"):
        store.submit(code, who(store, code, pid), ANSWER, "coaching")
    with pytest.raises(RoomFull):
        store.submit(code, who(store, code, "d"), ANSWER, "coaching")
    store.submit(code, who(store, code, "b"), {"goal": "specific"}, "coaching")
    snap = store.snapshot(code)
    assert snap.count == 3 and {"goal": "specific", "verdict": "coaching"} in snap.answers


def test_the_rooms_per_hour_limit_holds_until_an_hour_has_passed(
    make_store: StoreFactory,
) -> None:
    store = make_store(max_rooms_per_hour=3)
    for _ in range(3):
        store.create_room()
        make_store.clock.advance(minutes=10)
    with pytest.raises(TooManyRooms):
        store.create_room()
    make_store.clock.advance(minutes=31)  # the first room is now over an hour old
    store.create_room()
    with pytest.raises(TooManyRooms):
        store.create_room()


def test_a_title_over_the_limit_or_with_control_characters_is_refused(
    make_store: StoreFactory,
) -> None:
    store = make_store(max_title_chars=10)
    assert store.create_room("  " + "x" * 10 + "  ").room.title == "x" * 10
    with pytest.raises(InvalidTitle) as caught:
        store.create_room("x" * 11)
    assert caught.value.params == {"limit": 10}
    assert "10 characters" in load_content().text("room_errors.title_too_long", limit=10)
    for bad in ("two\nlines", "nul\x00", 42):
        with pytest.raises(InvalidTitle):
            store.create_room(bad)  # type: ignore[arg-type]
    assert store.create_room().room.title == ""


@pytest.mark.parametrize(
    "participant",
    ["", "x" * 65, "has space", "p1'; --", None, "p1", "A" * 16, "A" * 16 + "." + "B" * 43],
)
def test_ids_the_server_did_not_issue_are_refused(store: RoomStore, participant: Any) -> None:
    code = store.create_room().room.code
    for call in (
        lambda: store.submit(code, participant, ANSWER, "coaching"),
        lambda: store.mark_joined(code, participant),
        lambda: store.own_answer(code, participant),
    ):
        with pytest.raises(UnknownParticipant) as caught:
            call()
        assert caught.value.code == "participant_unknown"
    snap = store.snapshot(code)
    assert (snap.count, snap.joined) == (0, 0)


def test_an_identity_issued_for_one_room_is_refused_in_another(store: RoomStore) -> None:
    first, second = store.create_room().room.code, store.create_room().room.code
    mine = store.issue_participant(first)
    assert store.verify_participant(first, mine) is not None
    assert store.verify_participant(second, mine) is None
    with pytest.raises(UnknownParticipant):
        store.submit(second, mine, ANSWER, "coaching")


@pytest.mark.parametrize(
    ("answers", "verdict"),
    [
        (["goal", "mixed"], "coaching"),
        ({"goal": 3}, "coaching"),
        ({3: "mixed"}, "coaching"),
        ({"bad key": "mixed"}, "coaching"),
        ({"verdict": "mixed"}, "coaching"),
        ({"goal": "x" * 101}, "coaching"),
        ({"goal": "a\x00b"}, "coaching"),
        ({f"k{i}": "v" for i in range(33)}, "coaching"),
        (ANSWER, ""),
        (ANSWER, None),
        (ANSWER, "v" * 101),
    ],
)
def test_malformed_answers_are_refused(store: RoomStore, answers: Any, verdict: Any) -> None:
    code = store.create_room().room.code
    with pytest.raises(InvalidAnswer):
        store.submit(code, store.issue_participant(code), answers, verdict)
    assert store.snapshot(code).count == 0


def test_the_export_has_answers_verdict_and_time_but_no_participant_ids(
    make_store: StoreFactory,
) -> None:
    store = make_store()
    created = store.create_room()
    code = created.room.code
    store.submit(code, who(store, code, "participant-secret-1"), {"goal": "mixed"}, "blend")
    make_store.clock.advance(minutes=1)
    store.submit(code, who(store, code, "participant-secret-2"), {"goal": "specific"}, "coaching")
    rows = store.export_answers(code, created.token)
    assert rows == [
        {"goal": "mixed", "verdict": "blend", "submitted_at": "2030-01-01T09:00:00+00:00"},
        {"goal": "specific", "verdict": "coaching", "submitted_at": "2030-01-01T09:01:00+00:00"},
    ]
    assert "participant-secret" not in repr(rows)
    assert "participant-secret" not in repr(store.snapshot(code))


def test_fifty_threads_submitting_at_once_are_each_counted_exactly_once(
    store: RoomStore,
) -> None:
    code = store.create_room().room.code
    barrier = threading.Barrier(50, timeout=30)
    errors: list[BaseException] = []

    def submit(i: int) -> None:
        try:
            barrier.wait()
            store.submit(
                code, who(store, code, f"p{i}"), {"goal": "mixed", "n": str(i)}, "coaching"
            )
        except BaseException as error:  # reported below
            errors.append(error)

    run_threads(submit, 50)
    assert errors == []
    snap = store.snapshot(code)
    assert snap.count == 50
    assert sorted(int(a["n"]) for a in snap.answers) == list(range(50))


def test_fifty_threads_resubmitting_for_ten_participants_leave_ten_answers(
    store: RoomStore,
) -> None:
    code = store.create_room().room.code
    barrier = threading.Barrier(50, timeout=30)
    errors: list[BaseException] = []

    def submit(i: int) -> None:
        try:
            barrier.wait()
            store.submit(
                code, who(store, code, f"p{i % 10}"), {"goal": "mixed", "n": str(i)}, "coaching"
            )
        except BaseException as error:
            errors.append(error)

    run_threads(submit, 50)
    assert errors == []
    snap = store.snapshot(code)
    assert snap.count == 10
    assert sorted(int(a["n"]) % 10 for a in snap.answers) == list(range(10))


def test_concurrent_new_participants_never_overfill_a_room(make_store: StoreFactory) -> None:
    store = make_store(max_answers_per_room=10)
    code = store.create_room().room.code
    barrier = threading.Barrier(30, timeout=30)
    outcomes: list[str] = []

    def submit(i: int) -> None:
        barrier.wait()
        try:
            store.submit(code, who(store, code, f"p{i}"), ANSWER, "coaching")
            outcomes.append("saved")
        except RoomFull:
            outcomes.append("full")
        except BaseException as error:
            outcomes.append(repr(error))

    run_threads(submit, 30)
    assert sorted(outcomes) == ["full"] * 20 + ["saved"] * 10
    assert store.snapshot(code).count == 10


def test_concurrent_room_creation_respects_the_hourly_limit(make_store: StoreFactory) -> None:
    store = make_store(max_rooms_per_hour=5)
    barrier = threading.Barrier(20, timeout=30)
    outcomes: list[str] = []

    def create(_i: int) -> None:
        barrier.wait()
        try:
            store.create_room()
            outcomes.append("created")
        except TooManyRooms:
            outcomes.append("limited")
        except BaseException as error:
            outcomes.append(repr(error))

    run_threads(create, 20)
    assert sorted(outcomes) == ["created"] * 5 + ["limited"] * 15


def test_several_stores_can_create_the_schema_at_the_same_time(db_url: str) -> None:
    barrier = threading.Barrier(6, timeout=30)
    stores: list[RoomStore] = []
    errors: list[BaseException] = []

    def open_store(_i: int) -> None:
        try:
            barrier.wait()
            stores.append(RoomStore(db_url, RoomSettings(database_url=db_url)))
        except BaseException as error:
            errors.append(error)

    try:
        run_threads(open_store, 6)
        assert errors == []
        code = stores[0].create_room().room.code
        assert stores[-1].get_room(code).code == code
    finally:
        for opened in stores:
            opened.dispose()


def test_snapshot_reads_the_room_and_its_answers_in_two_queries(store: RoomStore) -> None:
    code = store.create_room().room.code
    for i in range(5):
        store.submit(code, who(store, code, f"p{i}"), ANSWER, "coaching")
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.strip().split()[0].upper())

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        snap = store.snapshot(code)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)
    assert snap.count == 5
    assert statements.count("SELECT") == 2
    assert len(statements) <= 3  # plus SQLite's explicit BEGIN


def test_sql_injection_attempts_are_refused_or_stored_literally(store: RoomStore) -> None:
    title = "x'); DROP TABLE rooms; --"
    created = store.create_room(title)
    code = created.room.code
    evil = {"goal": "' OR '1'='1", "n": 'Robert"); DELETE FROM answers; --'}
    store.submit(code, who(store, code, "p1"), evil, "coaching'; DROP TABLE answers; --")
    store.submit(code, who(store, code, "Robert-DROP_TABLE_rooms"), {"goal": "mixed"}, "blend")
    with pytest.raises(UnknownParticipant):
        store.submit(code, "p2' OR '1'='1", ANSWER, "coaching")
    assert store.get_room(code).title == title
    assert store.own_answer(code, who(store, code, "p1")) == {
        **evil,
        "verdict": "coaching'; DROP TABLE answers; --",
    }
    assert store.own_answer(code, who(store, code, "Robert-DROP_TABLE_rooms")) == {
        "goal": "mixed",
        "verdict": "blend",
    }
    assert store.snapshot(code).count == 2


@given(
    answers=st.dictionaries(
        st.text(alphabet=string.ascii_letters + string.digits + "_-.", min_size=1, max_size=64),
        st.text(
            alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")),
            min_size=1,
            max_size=100,
        ),
        max_size=8,
    ).filter(lambda d: not d.keys() & {"verdict", "submitted_at"}),
    verdict=st.sampled_from(["coaching", "mentoring", "blend", "Both — a blend"]),
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_valid_answer_reads_back_exactly_as_it_was_sent(
    make_store: StoreFactory, answers: dict[str, str], verdict: str
) -> None:
    if "store" not in make_store.cache:  # one store and room for all examples
        make_store.cache["store"] = shared = make_store()
        make_store.cache["code"] = shared.create_room().room.code
    store, code = make_store.cache["store"], make_store.cache["code"]
    participant = store.issue_participant(code)
    store.submit(code, participant, answers, verdict)
    assert store.own_answer(code, participant) == {**answers, "verdict": verdict}


def test_a_locked_database_gives_store_unavailable_and_a_later_retry_succeeds(
    make_store: StoreFactory, db_url: str
) -> None:
    store = make_store(busy_timeout_ms=200)
    created = store.create_room("busy")
    code = created.room.code
    store.submit(code, who(store, code, "p1"), ANSWER, "coaching")

    with _hold_write_lock(store, db_url, code):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as caught:
            store.submit(code, who(store, code, "p2"), ANSWER, "coaching")
        assert time.monotonic() - started < 10
        assert caught.value.message == StoreUnavailable().message
        with pytest.raises(StoreUnavailable):
            store.close(code, created.token)
        assert store.snapshot(code).count == 1  # reading still works meanwhile

    store.submit(code, who(store, code, "p2"), ANSWER, "coaching")
    assert store.close(code, created.token).closed is True
    assert store.snapshot(code).count == 2


_CHILD = r"""
import sys, time
import sqlalchemy as sa
from rooms import RoomSettings, RoomStore
from rooms.schema import answers_table

url, code, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = RoomStore(url, RoomSettings(database_url=url))
for i in range(count):
    store.submit(code, store.issue_participant(code), {"goal": "mixed", "n": str(i)}, "coaching")
    print(f"committed {i}", flush=True)
conn = store.engine.connect()
conn.begin()
conn.execute(sa.insert(answers_table).values(
    room_code=code, participant_id="uncommitted", answers="{}", verdict="x",
    updated_at=sa.func.current_timestamp()))
print("holding an uncommitted write", flush=True)
time.sleep(60)  # bounded: the parent kills us long before this ends
"""


@pytest.mark.timeout(120)
def test_committed_answers_survive_the_writer_being_killed(make_store: StoreFactory) -> None:
    store = make_store(busy_timeout_ms=5000)
    code = store.create_room("durable").room.code
    count = 20
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, make_store.url, code, str(count)],
        cwd=REPO_ROOT,
        env=_child_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        lines = [child.stdout.readline().strip() for _ in range(count + 1)]
        assert lines[-1] == "holding an uncommitted write", lines
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    store.dispose()
    reopened = make_store(busy_timeout_ms=5000)
    snap = reopened.snapshot(code)
    assert snap.count == count
    assert sorted(int(a["n"]) for a in snap.answers) == list(range(count))
    with reopened.engine.connect() as conn:
        ids = conn.execute(sa.select(answers_table.c.participant_id)).scalars().all()
    assert "uncommitted" not in ids
    reopened.submit(
        code, who(reopened, code, "after-kill"), ANSWER, "coaching"
    )  # no lock left behind
    assert reopened.snapshot(code).count == count + 1


def test_an_engine_can_be_passed_instead_of_a_url(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        store = RoomStore(engine, RoomSettings(database_url=db_url))
        code = store.create_room().room.code
        store.submit(code, who(store, code, "p1"), ANSWER, "coaching")
        assert store.snapshot(code).count == 1
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------
# Helpers


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def _unused_code(store: RoomStore) -> str:
    for _ in range(100):
        code = new_code()
        try:
            store.get_room(code)
        except RoomNotFound:
            return code
    raise AssertionError("no unused code found")


class _hold_write_lock:
    """Hold the lock a write needs, from another connection, until exit."""

    def __init__(self, store: RoomStore, url: str, code: str) -> None:
        self.backend = backend_of(store)
        self.url = url
        self.code = code

    def __enter__(self) -> None:
        if self.backend == "sqlite":
            path = sa.make_url(self.url).database
            self.raw = sqlite3.connect(path, isolation_level=None, timeout=5)
            self.raw.execute("BEGIN IMMEDIATE")  # the single SQLite writer lock
        else:
            self.engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
            self.conn = self.engine.connect()
            self.tx = self.conn.begin()
            self.conn.execute(
                sa.select(rooms_table.c.code)
                .where(rooms_table.c.code == self.code)
                .with_for_update()
            )

    def __exit__(self, *exc: object) -> None:
        if self.backend == "sqlite":
            self.raw.execute("ROLLBACK")
            self.raw.close()
        else:
            self.tx.rollback()
            self.conn.close()
            self.engine.dispose()


def test_joining_is_counted_once_per_participant_and_answering_counts_as_joined(
    store: RoomStore,
) -> None:
    code = store.create_room().room.code
    store.mark_joined(code, who(store, code, "p1"))
    store.mark_joined(code, who(store, code, "p1"))
    store.mark_joined(code, who(store, code, "p2"))
    store.submit(
        code, who(store, code, "p3"), ANSWER, "coaching"
    )  # answered without a recorded join
    snap = store.snapshot(code)
    assert snap.joined == 3 and snap.count == 1


def test_joins_to_a_closed_room_are_not_counted(store: RoomStore) -> None:
    created = store.create_room()
    store.close(created.room.code, created.token)
    store.mark_joined(created.room.code, who(store, created.room.code, "late"))
    assert store.snapshot(created.room.code).joined == 0
