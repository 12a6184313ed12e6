"""Rooms under faults: nothing is lost, and no one gets in.

* The app process SIGKILLed while participants submit through a real browser: every answer
  a participant's phone showed as stored is there after a restart.
* SQLite locked by another connection: the participant's answer is refused with words that
  ask them to try again (their page keeps the choice: tests/browser/test_participant_browser.py),
  nothing is half-written, and the next try succeeds; nothing earlier is lost.
* PostgreSQL stopped and started: a clear StoreUnavailable while down (the phone's page and
  its answer say so), the same store works again after, nothing committed is lost.
* Participants cannot read, change or count each other's answers; a guessed facilitator
  token does nothing; only token hashes are stored, compared in constant time.
* Room codes cannot be enumerated: failed lookups are rate-limited per client, on the
  lobby and on the join link alike; a participant in a room is never locked out of it.

Phones are on the light participant page, the app's own routes, served in process on the
app's room service (``app_phone``: it keeps the cookies and the device proof the page is
given, and sends its answers as the page's script does).

PostgreSQL tests need ``EXPLORER_TEST_POSTGRES_URL`` (``source .ci/postgres.sh``): skipped
without it, failed under ``CI=true``. The PostgreSQL fault test starts a cluster of its own
with the same binaries, so that stopping it disturbs no other test.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import html
import json
import math
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from streamlit.testing.v1 import AppTest

from explorer import evaluate, load_content
from rooms import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Client,
    ClientLimiter,
    NotAuthorised,
    RoomSettings,
    RoomStore,
    SlidingWindowLimiter,
    StoreUnavailable,
    UnknownParticipant,
    facilitator_cookie,
    hash_token,
    participant_cookie,
)
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, NO_BROWSER_MESSAGE
from tests.support.appserver import (
    REPO_ROOT,
    AppServer,
    PrivatePostgres,
    in_ci,
    postgres_url,
)
from tests.support.apptest import (
    FRAME,
    app_phone,
    app_rooms,
    facilitator_of,
    give_cookies,
    page_script,
    participant_in,
)
from tests.support.measurements import family
from tests.support.rooms_app import boot_data, main_answer, submit_label

CONTENT = load_content()
ANSWER = {"goal": "specific", "timeframe": "weeks", "stage": "mid", "structure": "formal"}
ANSWER_VERDICT = evaluate(ANSWER, content=CONTENT).verdict
BUSY = CONTENT.text("room_errors.store_unavailable")
TOO_MANY = CONTENT.text("room_errors.too_many_attempts")
# Markup and markdown: a participant must see exactly these characters, as plain text.
XSS_TITLE = "<img src=x onerror=alert(1)> [Log in](javascript:alert(2)) **now** $x$"
T = TypeVar("T")
MEASURED = family("rooms")


def alerts(at: AppTest) -> str:
    return " | ".join(a.value for a in [*at.error, *at.warning, *at.info, *at.success])


def has_button(at: AppTest, key: str) -> bool:
    return any(b.key == key for b in at.button)


def shows_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def room_page(
    at: AppTest | None = None, cookies: dict[str, str] | None = None, **params: str
) -> AppTest:
    """A session (fresh unless given) that opens the Room page with these link parameters,
    its browser holding `cookies` too (see `room_cookies` in tests/conftest.py)."""
    at = at or AppTest.from_file(FRAME, default_timeout=60).run()
    at.query_params.clear()
    at.query_params.update(params)
    if cookies:
        give_cookies(at, cookies)
    at.switch_page(page_script("room")).run()
    shows_no_exception(at)
    return at


@pytest.fixture
def app_store(tmp_path: Path, room_cookies: None) -> Iterator[RoomStore]:
    """The store the app under test (AppTest) uses: SQLite in a fresh folder, a short busy
    timeout so that a locked database is noticed quickly."""
    with app_rooms(tmp_path, EXPLORER_DB_BUSY_TIMEOUT_MS="200") as store:
        yield store


@contextlib.contextmanager
def exclusive_lock(database: Path) -> Iterator[None]:
    """Another connection holding SQLite's write lock (BEGIN EXCLUSIVE) until the block ends."""
    conn = sqlite3.connect(database, isolation_level=None, timeout=0)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        yield
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def sqlite_file(store: RoomStore) -> Path:
    return Path(store.engine.url.database or "")


# =========================================================================== SQLite locked


def stored_receipt(response: Any) -> dict[str, Any] | None:
    """The answer a phone was shown as stored (None: it was told it was not)."""
    if response.status_code != 200:
        return None
    return response.json().get("receipt")


def test_a_locked_database_asks_the_participant_to_try_again_and_keeps_the_form(app_store):
    created = app_store.create_room("Locked workshop")
    code = created.room.code
    earlier = [app_store.issue_participant(code) for _ in range(3)]
    for me in earlier:
        app_store.submit(code, me, {"goal": "mixed"}, "blend")
    phone = app_phone()
    assert phone.get(f"/j/{code}").status_code == 200
    participant = phone.cookies.get(participant_cookie(code))

    with exclusive_lock(sqlite_file(app_store)):
        started = time.monotonic()
        tap = phone.answer(code, ANSWER)
        waited = time.monotonic() - started
        refused = int(tap.status_code == 503 and stored_receipt(tap) is None)
        MEASURED.add("sqlite_locked", faults_injected=1, submits_refused_while_locked=refused)
        # Refused in content's words, which ask to try again (the page shows them with
        # "not saved" and keeps the choice on its sliders); nothing is half-written.
        assert tap.status_code == 503, tap.text
        assert tap.json() == {"error": BUSY} and "try again" in BUSY
        assert app_store.own_answer(code, participant) is None
        assert waited < 15
    # The participant keeps their place: the same identity, the same page.
    assert phone.cookies.get(participant_cookie(code)) == participant

    again = phone.answer(code, ANSWER)  # the same choice, sent again
    acknowledged = stored_receipt(again)
    committed = [*earlier, participant] if acknowledged else earlier
    lost = [p for p in committed if app_store.own_answer(code, p) is None]
    MEASURED.add(
        "sqlite_locked",
        answers_submitted=len(earlier) + 2,
        answers_acknowledged=len(committed),
        answers_in_database=app_store.snapshot(code).count,
        answers_lost=len(lost),
    )
    assert acknowledged and acknowledged["answers"] == ANSWER, again.text
    assert app_store.own_answer(code, participant) == {**ANSWER, "verdict": ANSWER_VERDICT}
    assert not lost and app_store.snapshot(code).count == len(committed)


def test_a_locked_database_keeps_the_facilitator_on_their_page(app_store):
    created = app_store.create_room("Locked dashboard")
    code, token = created.room.code, created.token
    at = room_page(cookies=facilitator_of(code, token), room=code)
    with exclusive_lock(sqlite_file(app_store)):
        at.button(key="reveal").click().run()
        shows_no_exception(at)
        assert any(BUSY in e.value for e in at.error), alerts(at)
        assert dict(at.query_params) == {"room": code}
        assert has_button(at, "reveal")
        assert not app_store.get_room(code).revealed
    at.button(key="reveal").click().run()
    shows_no_exception(at)
    assert app_store.get_room(code).revealed


# =========================================================================== PostgreSQL down


@pytest.mark.slow
def test_postgres_stopped_gives_a_clear_message_and_the_same_store_recovers(room_cookies):
    postgres_url()  # PostgreSQL is required in CI; skipped elsewhere without it
    server = PrivatePostgres().init()
    try:
        # The app's own store on this server: the page below and the calls here share it.
        with app_rooms(database_url=server.url, EXPLORER_DB_BUSY_TIMEOUT_MS="2000") as store:
            _postgres_stopped(server, store)
    finally:
        server.destroy()


def _postgres_stopped(server: PrivatePostgres, store: RoomStore) -> None:
    created = store.create_room("Postgres restart")
    code = created.room.code
    committed = []
    for n in range(20):
        before = store.issue_participant(code)
        store.submit(code, before, {**ANSWER, "n": str(n)}, ANSWER_VERDICT)
        committed.append(before)
    while_down = store.issue_participant(code)
    after_restart = store.issue_participant(code)
    # A participant's page, opened while the server is up.
    phone = app_phone()
    page = phone.get(f"/j/{code}")
    assert page.status_code == 200 and submit_label(page.text)
    participant = phone.cookies.get(participant_cookie(code))

    server.stop()
    refused = 0
    for operation in (
        lambda: store.submit(code, while_down, ANSWER, ANSWER_VERDICT),
        lambda: store.snapshot(code),
        lambda: store.get_room(code),
        lambda: store.own_answer(code, committed[0]),
        lambda: store.create_room("while down"),
        lambda: store.close(code, created.token),
    ):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as caught:
            operation()
        assert caught.value.code == "store_unavailable"
        assert time.monotonic() - started < 15
        refused += 1
    # The participant's next tap, and a reload of their page, while the server is down.
    tap = phone.answer(code, ANSWER)
    reload = phone.get(f"/j/{code}")
    tap_refused = int(tap.status_code == 503 and tap.json() == {"error": BUSY})
    reload_refused = int(reload.status_code == 503 and BUSY in html.unescape(reload.text))
    MEASURED.add(
        "postgres_stopped",
        faults_injected=1,
        operations_refused_while_down=refused + tap_refused + reload_refused,
    )
    assert tap_refused, tap.text
    assert reload_refused and "Traceback" not in reload.text, reload.text
    # Their place is kept: the same identity, still in the phone's cookie.
    assert "set-cookie" not in reload.headers
    assert phone.cookies.get(participant_cookie(code)) == participant

    server.start()
    store.submit(code, after_restart, ANSWER, ANSWER_VERDICT)  # the same store object
    committed.append(after_restart)
    again = phone.get(f"/j/{code}")  # the page again, and the same choice sent again
    assert again.status_code == 200 and submit_label(again.text)
    if stored_receipt(phone.answer(code, ANSWER)):
        committed.append(participant)

    snapshot = store.snapshot(code)
    lost = [p for p in committed if store.own_answer(code, p) is None]
    MEASURED.add(
        "postgres_stopped",
        answers_submitted=len(committed) + 1,
        answers_acknowledged=len(committed),
        answers_in_database=snapshot.count,
        answers_lost=len(lost),
    )
    assert participant in committed
    assert not lost and snapshot.count == len(committed)
    assert store.own_answer(code, while_down) is None


@pytest.mark.slow
def test_the_first_write_after_a_quiet_postgres_restart_succeeds():
    postgres_url()
    server = PrivatePostgres().init()
    try:
        store = RoomStore(server.url, RoomSettings(database_url=server.url))
        code = store.create_room("quiet restart").room.code
        store.submit(code, store.issue_participant(code), ANSWER, ANSWER_VERDICT)
        server.stop()
        server.start()  # nobody used the store while it was down
        after = store.issue_participant(code)
        store.submit(code, after, ANSWER, ANSWER_VERDICT)
        stored, count = store.own_answer(code, after), store.snapshot(code).count
        store.dispose()
        assert stored == {**ANSWER, "verdict": ANSWER_VERDICT} and count == 2
    finally:
        server.destroy()


# =========================================================================== isolation


def test_a_participant_reads_and_changes_only_their_own_answer(store):
    code = store.create_room().room.code
    alice, bob = store.issue_participant(code), store.issue_participant(code)
    store.submit(code, alice, ANSWER, ANSWER_VERDICT)
    assert store.own_answer(code, bob) is None  # Bob cannot read Alice's
    store.submit(code, bob, {"goal": "holistic"}, "mentoring")
    assert store.own_answer(code, alice) == {**ANSWER, "verdict": ANSWER_VERDICT}
    assert store.own_answer(code, bob) == {"goal": "holistic", "verdict": "mentoring"}
    other = store.create_room().room.code
    with pytest.raises(UnknownParticipant):  # nor across rooms: the identity is per room
        store.own_answer(other, alice)
    assert store.snapshot(code).count == 2


AGGREGATE = {"revealed", "closed", "answered", "distribution", "average", "disagreement", "summary"}


def test_the_participant_view_shows_no_one_elses_answer_only_the_revealed_aggregate(app_store):
    created = app_store.create_room("Private answers")
    code = created.room.code
    phone = app_phone()
    assert phone.get(f"/j/{code}").status_code == 200
    mine = phone.answer(code, main_answer(CONTENT, goal="specific"))
    assert mine.status_code == 200
    own_page = phone.get(f"/j/{code}").text
    picture = f"/api/rooms/{code}/picture"
    others = ["holistic", "mixed", "holistic", "mostly-holistic"] * 3
    for goal in others:
        app_store.submit(code, app_store.issue_participant(code), {"goal": goal}, "mentoring")
    # Before the reveal: nothing about the others at all, on the page or from its API.
    assert phone.get(f"/j/{code}").text == own_page
    assert phone.get(picture).json() == {"revealed": False, "closed": False}

    app_store.set_revealed(code, created.token, True)
    # After it: their own answer as before, then the room's aggregate and nothing per person.
    page = phone.get(f"/j/{code}").text
    assert boot_data(page)["receipt"] == boot_data(own_page)["receipt"]
    assert boot_data(page)["receipt"] == mine.json()["receipt"]
    shown = phone.get(picture).json()
    assert set(shown) == AGGREGATE
    assert [item["verdict"] for item in shown["distribution"]] == list(CONTENT.verdict.approaches)
    assert sum(item["count"] for item in shown["distribution"]) == len(others) + 1
    assert len(shown["average"]) == len(CONTENT.dimensions)  # one average, no one's needs
    assert all(isinstance(need, float | int) for need in shown["average"])
    assert len(shown["disagreement"]) <= len(CONTENT.dimensions)
    text = json.dumps(shown)
    assert "mostly-holistic" not in text and "joined" not in text
    assert "export" not in text and "csv" not in text.lower()


def test_participant_identities_are_unguessable_and_signed(store):
    code = store.create_room().room.code
    identities = {store.issue_participant(code) for _ in range(50)}
    assert len(identities) == 50
    for identity in identities:
        participant, signature = identity.split(".")
        assert re.fullmatch(r"[A-Za-z0-9_-]{16}", participant)  # 96 random bits
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", signature)  # HMAC-SHA256
        assert store.verify_participant(code, identity) == participant
        assert store.verify_participant(code, f"{participant}.{'A' * 43}") is None


@pytest.fixture(scope="module")
def guess_room() -> Iterator[tuple[RoomStore, str, str]]:
    store = RoomStore("sqlite://", RoomSettings(database_url="sqlite://"))
    created = store.create_room("guess me")
    store.submit(
        created.room.code, store.issue_participant(created.room.code), ANSWER, ANSWER_VERDICT
    )
    yield store, created.room.code, created.token
    store.dispose()


@settings(max_examples=200, deadline=None)
@given(guess=st.one_of(st.text(max_size=64), st.text(alphabet="abcdefABCDEF0123456789-_")))
def test_a_guessed_token_cannot_reveal_close_or_export(guess_room, guess):
    store, code, token = guess_room
    if guess == token:
        return
    for action in (
        lambda: store.set_revealed(code, guess, True),
        lambda: store.close(code, guess),
        lambda: store.export_answers(code, guess),
    ):
        with pytest.raises(NotAuthorised):
            action()
    room = store.get_room(code)
    accepted = store.verify_token(code, guess) or room.revealed or room.closed
    MEASURED.add("token_guessing", tokens_guessed=1, accepted=int(accepted))
    assert not accepted


def test_a_tampered_key_in_the_app_shows_no_dashboard_and_changes_nothing(app_store):
    created = app_store.create_room("Tamper")
    code, token = created.room.code, created.token
    app_store.submit(code, app_store.issue_participant(code), ANSWER, ANSWER_VERDICT)
    tampered = (token[:-1] + ("A" if token[-1] != "A" else "B"), token.upper(), "x" * 32)
    tried = [({"cookies": facilitator_of(code, t)}, {}) for t in tampered]
    tried += [({}, {"token": token})]  # the real key, but in the link: never read from there
    for cookies, params in tried:
        at = room_page(**cookies, room=code, **params)
        dashboard = has_button(at, "reveal") or has_button(at, "close")
        MEASURED.add("token_guessing", tokens_tried_in_app=1, accepted=int(dashboard))
        assert not dashboard
        assert not at.get("download_button")
        assert not any("answered" in m.value for m in at.markdown)
    room = app_store.get_room(code)
    assert not room.revealed and not room.closed


def test_a_key_left_in_an_old_link_is_dropped_from_the_address_bar(app_store):
    created = app_store.create_room()
    code, token = created.room.code, created.token
    at = room_page(cookies=facilitator_of(code, token), room=code, token=token)
    assert has_button(at, "reveal")
    assert dict(at.query_params) == {"room": code}


def test_only_a_hash_of_the_token_is_stored(store):
    created = store.create_room("Hash only")
    token = created.token
    with store.engine.connect() as conn:
        rows = {
            name: conn.execute(sa.select(sa.table(name, *cols))).all()
            for name, cols in (
                ("rooms", [sa.column(c) for c in ("code", "title", "token_hash")]),
                ("answers", [sa.column("participant_id"), sa.column("answers")]),
            )
        }
    (row,) = rows["rooms"]
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() == hash_token(token)
    for table in rows.values():
        for values in table:
            assert all(token not in str(v) for v in values)
    if store.engine.dialect.name == "sqlite":
        database = sqlite_file(store)
        for path in database.parent.glob(database.name + "*"):  # the file, its WAL and SHM
            assert token.encode() not in path.read_bytes(), path.name


def test_tokens_are_compared_in_constant_time():
    codes = ast.parse((REPO_ROOT / "rooms" / "codes.py").read_text())
    matches = next(
        f for f in ast.walk(codes) if isinstance(f, ast.FunctionDef) and f.name == "token_matches"
    )
    calls = {ast.unparse(node.func) for node in ast.walk(matches) if isinstance(node, ast.Call)}
    assert "hmac.compare_digest" in calls
    compares = [n for n in ast.walk(matches) if isinstance(n, ast.Compare)]
    assert not any(isinstance(op, ast.Eq | ast.NotEq) for c in compares for op in c.ops)
    store_source = (REPO_ROOT / "rooms" / "store.py").read_text()
    assert not re.search(r"token_hash\s*[!=]=|[!=]=\s*\w*\.?token_hash", store_source)


# =========================================================================== enumeration


def test_the_limiter_allows_the_limit_then_refuses_until_the_window_slides():
    now = [1000.0]
    limiter = ClientLimiter(10, 100, 60, clock=lambda: now[0])
    a, b = Client(session="a"), Client(session="b")
    for _ in range(10):
        assert limiter.try_acquire(a) is not None
        now[0] += 1
    assert limiter.try_acquire(a) is None and limiter.try_acquire(b) is not None  # per client
    now[0] += 50.01  # the first failure leaves the window
    assert limiter.try_acquire(a) is not None
    assert limiter.try_acquire(a) is None


def test_the_limiter_counts_exactly_under_threads_and_bounds_its_memory():
    limiter = SlidingWindowLimiter(60, max_keys=50)
    admitted: list[bool] = []
    threads = [
        threading.Thread(
            target=lambda: admitted.extend(
                limiter.try_acquire({"x": 1000}) is not None for _ in range(50)
            )
        )
        for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    assert admitted.count(True) == 800 and limiter.used("x") == 800
    for _ in range(200):
        limiter.try_acquire({"x": 1000})
    assert limiter.try_acquire({"x": 1000}) is None
    for n in range(500):
        limiter.try_acquire({f"client-{n}": 5})
    assert len(limiter) <= 50


def test_the_lookup_limit_is_read_from_the_environment():
    assert RoomSettings.from_env({}).max_code_lookups_per_minute == 10
    env = {"EXPLORER_MAX_CODE_LOOKUPS_PER_MINUTE": "3"}
    assert RoomSettings.from_env(env).max_code_lookups_per_minute == 3
    for bad in ("0", "-1", "ten", "1.5"):
        with pytest.raises(ValueError, match="EXPLORER_MAX_CODE_LOOKUPS_PER_MINUTE"):
            RoomSettings.from_env({"EXPLORER_MAX_CODE_LOOKUPS_PER_MINUTE": bad})


def test_guessing_a_live_room_code_in_a_workshop_is_hopeless():
    codes = len(CODE_ALPHABET) ** CODE_LENGTH
    bits = math.log2(codes)
    assert codes == 31**6 and bits >= 29

    # An attacker trying once a second for a two-hour workshop, against the limiter.
    per_minute, minutes, live_rooms = 10, 120, 20
    now = [0.0]
    limiter = ClientLimiter(per_minute, 100, 60, clock=lambda: now[0])
    attacker = Client(address="192.0.2.66", session="attacker")
    tried = looked_up = 0
    for _ in range(minutes * 60):
        tried += 1
        if limiter.try_acquire(attacker) is not None:  # every guess fails: none handed back
            looked_up += 1
        now[0] += 1
    assert looked_up == per_minute * minutes  # 1,200 lookups reach the store

    p_hit = 1 - (1 - live_rooms / codes) ** looked_up
    expected_hits = looked_up * live_rooms / codes
    assert p_hit < 3e-5 and expected_hits < 3e-5  # about 1 in 37,000
    unlimited = 20 * 60 * minutes  # a script doing 20 lookups a second, unchecked
    p_unlimited = 1 - (1 - live_rooms / codes) ** unlimited
    assert p_unlimited > 100 * p_hit
    MEASURED.set(
        "code_enumeration",
        code_space=codes,
        entropy_bits=round(bits, 2),
        live_rooms=live_rooms,
        workshop_minutes=minutes,
        lookups_tried=tried,
        lookups_allowed=looked_up,
        p_hit_with_limit=float(f"{p_hit:.3g}"),
        p_hit_unlimited_20_per_s=float(f"{p_unlimited:.3g}"),
    )


def join_by_code(at: AppTest, typed: str) -> AppTest:
    """Type a code in the lobby and press Join."""
    at.text_input(key="join_code").input(typed)
    next(b for b in at.button if b.label == CONTENT.text("room.join_button")).click().run()
    shows_no_exception(at)
    return at


def test_the_app_refuses_code_guesses_beyond_the_limit(tmp_path, room_cookies):
    with app_rooms(tmp_path, EXPLORER_MAX_CODE_LOOKUPS_PER_MINUTE="3") as store:
        code = store.create_room("Real room").room.code
        at = room_page()
        guesses = [c for c in ("ABCDEF", "GHJKMN", "PQRSTU", "VWXYZ2", "345678") if c != code]
        for guess in guesses[:3]:
            assert "no room" in join_by_code(at, guess).error[0].value.lower()
        for attempt in (guesses[3], code):  # now even the right code must wait
            assert [e.value for e in join_by_code(at, attempt).error] == [TOO_MANY]
            assert "room" not in at.query_params
        # A link from the same session waits too ...
        at = room_page(at, room=guesses[3])
        assert [e.value for e in at.error] == [TOO_MANY]
        at = room_page(at, room=code)
        assert [e.value for e in at.error] == [TOO_MANY]
        # ... but another browser is not affected: it goes on to the room's page.
        other = room_page(room=code)
        assert not other.error
        assert [i.value for i in other.info] == [CONTENT.text("room.joining")]
        assert app_phone().get(f"/j/{code}").status_code == 200


def test_a_made_up_cookie_does_not_let_guesses_skip_the_limit(tmp_path, room_cookies):
    """Issue 24: the room page skipped the failed-lookup limit whenever the browser held any
    cookie named for the guessed code (800 guesses, 0 refused). Only a cookie this server
    issued vouches for a code."""
    made_up = f"{'A' * 16}.{'B' * 43}"
    with app_rooms(tmp_path, EXPLORER_MAX_CODE_LOOKUPS_PER_MINUTE="3") as store:
        code = store.create_room("Real room").room.code
        guesses = [c for c in ("ABCDEF", "GHJKMN", "PQRSTU", "VWXYZ2", "345678") if c != code]
        at = None
        refused = 0
        for guess in guesses:
            cookies = {participant_cookie(guess): made_up, facilitator_cookie(guess): "x" * 32}
            at = room_page(at, cookies=cookies, room=guess)
            refused += [e.value for e in at.error] == [TOO_MANY]
        MEASURED.set(
            "made_up_cookies", guesses_tried=len(guesses), guesses_refused=refused, limit=3
        )
        assert refused == len(guesses) - 3
        # A cookie the server did issue still vouches for its room, beyond the limit.
        real = store.issue_participant(code)
        at = room_page(at, cookies={participant_cookie(code): real}, room=code)
        assert not at.error


def test_the_join_link_refuses_code_guesses_beyond_the_limit(tmp_path, room_cookies):
    """The join link is a lookup too: guessing codes in its address is limited per address
    (a route has no browser session), and another address is not affected."""
    limit = {
        "EXPLORER_MAX_CODE_LOOKUPS_PER_MINUTE": "3",
        "EXPLORER_MAX_CODE_LOOKUPS_PER_MINUTE_PER_ADDRESS": "3",
    }
    with app_rooms(tmp_path, **limit) as store:
        code = store.create_room("Real room").room.code
        guesser = app_phone("198.51.100.66")
        guesses = [c for c in ("ABCDEF", "GHJKMN", "PQRSTU", "VWXYZ2", "345678") if c != code]
        for guess in guesses[:3]:
            answer = guesser.get(f"/j/{guess}")
            assert answer.status_code == 404
            assert CONTENT.text("room_errors.room_not_found") in html.unescape(answer.text)
        for attempt in (guesses[3], code):  # now even the right code must wait
            answer = guesser.get(f"/j/{attempt}")
            assert answer.status_code == 429 and TOO_MANY in html.unescape(answer.text)
            assert participant_cookie(code) not in answer.headers.get("set-cookie", "")
        other = app_phone("203.0.113.9")  # another address
        assert other.get(f"/j/{code}").status_code == 200
        assert other.cookies.get(participant_cookie(code))


def test_a_participant_already_in_a_room_is_never_locked_out(tmp_path, room_cookies):
    limit = {
        "EXPLORER_MAX_CODE_LOOKUPS_PER_MINUTE": "1",
        "EXPLORER_MAX_CODE_LOOKUPS_PER_MINUTE_PER_ADDRESS": "1",
    }
    with app_rooms(tmp_path, **limit) as store:
        code = store.create_room().room.code
        # In the app: a session holding the room's identity goes on to the room's page.
        joined = participant_in(store, code)
        at = room_page(cookies=joined, room=code)
        assert [i.value for i in at.info] == [CONTENT.text("room.joining")]
        at = room_page(at, room="ZZZZZZ")  # one failed guess: the limit is reached
        assert "no room" in at.error[0].value.lower()
        at = room_page(at, room=code)  # back to their own room, identity cookie and all
        assert not at.error, alerts(at)
        assert [i.value for i in at.info] == [CONTENT.text("room.joining")]

        # On the phone: the join link, then one failed guess from the same address (the
        # limit is reached), then their own room again, identity cookie and all.
        phone = app_phone()
        assert phone.get(f"/j/{code}").status_code == 200
        assert phone.get("/j/ZZZZZZ").status_code == 404
        assert phone.get("/j/ZZZZZ2").status_code == 429  # the address is at its limit
        again = phone.get(f"/j/{code}")
        assert again.status_code == 200, html.unescape(again.text)
        assert "set-cookie" not in again.headers  # the same seat, not a new one
        tap = phone.answer(code, ANSWER)
        assert stored_receipt(tap) is not None, tap.text


# =========================================================================== SIGKILL


# The participant page's hooks (web/templates/participant.html): the submit button, and the
# answer as stored, which the page shows only once the store has it (``data-stored-count``:
# how many answers this page has had stored).
SUBMIT_BUTTON = '[data-testid="submit-answer"]'
RECEIPT = '[data-testid="answer-receipt"]'
SAVING = CONTENT.text("participant.saving")
PAGES_PER_ROUND = 8
FULL_ROUNDS = 1
KILL_AFTER_COMMITS = 3  # of the last round's PAGES_PER_ROUND submissions
GOALS = CONTENT.input_by_id["goal"].option_ids


@contextlib.contextmanager
def own_chromium() -> Iterator[Browser]:
    """Debian's Chromium through a Playwright of this thread's own."""
    if not CHROMIUM.exists():
        if in_ci():
            pytest.fail(f"CI=true but {NO_BROWSER_MESSAGE}")
        pytest.skip(NO_BROWSER_MESSAGE)
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        except PlaywrightError as err:
            pytest.fail(f"{CHROMIUM} exists but Playwright could not launch it: {err}")
        try:
            yield browser
        finally:
            browser.close()


def in_own_thread(function: Callable[[], T], timeout_s: float) -> T:
    """Run `function` in a fresh thread, bounded by `timeout_s`, and return (or raise) what
    it did. The thread also keeps this scenario's Playwright apart from any other one: the
    sync API refuses a thread that already runs an asyncio loop.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except BaseException as err:  # re-raised below, in the test's thread
            outcome["error"] = err

    thread = threading.Thread(target=target, name="playwright", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        raise AssertionError(f"the browser scenario did not finish within {timeout_s:.0f}s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _join(browser: Browser, base_url: str, code: str) -> tuple[BrowserContext, Page]:
    """A new phone (a browser context of its own) that opens the room's join link: the
    route gives it an identity cookie and answers with the participant page."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{base_url}/j/{code}", wait_until="commit")
    return context, page


def _identity(context: BrowserContext, code: str) -> str:
    """The participant identity the join route left on this phone."""
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    return cookies[participant_cookie(code)]


def _answer_goal(page: Page, steps: int) -> None:
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    slider = page.get_by_role("slider", name=CONTENT.input_by_id["goal"].label)
    slider.focus()
    page.keyboard.press("Home")
    for _ in range(steps):
        page.keyboard.press("ArrowRight")
    label = CONTENT.input_by_id["goal"].options[steps].label
    expect(slider).to_have_attribute("aria-valuetext", label)


def _committed(database: Path, code: str) -> int:
    """Answers in the room already committed, read from the database file directly."""
    uri = f"file:{database}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=5)) as conn:
        query = "SELECT count(*) FROM answers WHERE room_code = ?"
        return conn.execute(query, (code,)).fetchone()[0]


def _kill_after_commits(server: AppServer, database: Path, code: str, count: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _committed(database, code) < count:
        time.sleep(0.002)  # polling interval of a bounded wait for the condition
    server.kill()


def _thanked(page: Page) -> bool:
    """Whether the phone shows its answer as stored, once it is no longer saving (the
    answer came back, or the page says it was not saved)."""
    page.wait_for_function(
        "(saving) => document.querySelector('#status').textContent !== saving",
        arg=SAVING,
        timeout=30_000,
    )
    return bool(page.locator(RECEIPT).get_attribute("data-stored-count"))


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.timeout(300)
def test_sigkill_of_the_app_mid_submission_loses_no_acknowledged_answer(tmp_path: Path):
    """Participants answer through the real app in Chromium, each on a phone of its own
    (joined through the join link); the app is SIGKILLed while a round of submissions is in
    flight, restarted on the same database, and every answer a participant's phone showed
    as stored must be there."""
    servers: list[AppServer] = []
    try:
        counts = in_own_thread(lambda: _sigkill_scenario(tmp_path, servers), timeout_s=280)
    finally:
        for server in servers:
            server.stop()
    assert counts["answers_lost"] == 0


def _sigkill_scenario(tmp_path: Path, servers: list[AppServer]) -> dict[str, int]:
    data = tmp_path / "data"
    env = {"EXPLORER_DATA_DIR": str(data), "EXPLORER_DATABASE_URL": ""}
    store = RoomStore.from_settings(RoomSettings.from_env({"EXPLORER_DATA_DIR": str(data)}))
    created = store.create_room(XSS_TITLE)
    code = created.room.code
    database = sqlite_file(store)
    store.dispose()

    server = AppServer(env, tmp_path / "logs")
    servers.append(server)
    server.start()
    acknowledged: dict[str, str] = {}  # identity -> goal their phone showed as stored
    submitted: dict[str, str] = {}
    in_flight: list[str] = []
    phones: dict[str, BrowserContext] = {}
    dialogs: list[str] = []
    with own_chromium() as browser:
        for round_number in range(FULL_ROUNDS + 1):
            joined = [_join(browser, server.url, code) for _ in range(PAGES_PER_ROUND)]
            pages = []
            for n, (context, page) in enumerate(joined):
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                steps = (n + round_number) % len(GOALS)
                _answer_goal(page, steps)
                title = page.get_by_role("heading", name=XSS_TITLE, exact=True)
                expect(title).to_be_visible()
                expect(title.locator("a, img, strong, code, .katex")).to_have_count(0)
                assert "participant" not in page.url and code in page.url
                me = _identity(context, code)
                phones[me] = context
                submitted[me] = GOALS[steps]
                pages.append((me, page))
            if round_number < FULL_ROUNDS:
                for _, page in pages:
                    page.locator(SUBMIT_BUTTON).dispatch_event("click")
                for me, page in pages:
                    expect(page.locator(RECEIPT)).to_have_attribute(
                        "data-stored-count", "1", timeout=30_000
                    )
                    shown = json.loads(page.locator(RECEIPT).get_attribute("data-answers") or "{}")
                    assert shown.get("goal") == submitted[me], shown
                    acknowledged[me] = submitted[me]
                    page.close()  # the phone keeps its cookie; its page is not needed
                continue
            # The last round: a watcher kills the app as soon as some of these answers are
            # committed, while the others are still being sent and handled.
            baseline = _committed(database, code)
            killer = threading.Thread(
                target=_kill_after_commits,
                args=(server, database, code, baseline + KILL_AFTER_COMMITS),
            )
            killer.start()
            for _, page in pages:
                page.locator(SUBMIT_BUTTON).dispatch_event("click")
            killer.join(timeout=60)
            assert not killer.is_alive() and not server.alive
            for me, page in pages:
                if _thanked(page):
                    acknowledged[me] = submitted[me]
                else:
                    in_flight.append(me)
        assert in_flight, "the kill came after every submission had been handled"

        # Restart on the same database, at the same address (the phones' pages keep their
        # device proofs in that origin's storage): every acknowledged answer is there.
        if not server.launch():
            raise RuntimeError(f"the app did not start again on port {server.port}")
        reopened = RoomStore.from_settings(RoomSettings.from_env({"EXPLORER_DATA_DIR": str(data)}))
        lost = [
            me
            for me, goal in acknowledged.items()
            if (reopened.own_answer(code, me) or {}).get("goal") != goal
        ]
        present = reopened.snapshot(code).count
        committed_in_flight = sum(reopened.own_answer(code, me) is not None for me in in_flight)
        reopened.dispose()
        MEASURED.add(
            "sigkill_mid_submission",
            faults_injected=1,
            answers_submitted=len(submitted),
            answers_acknowledged=len(acknowledged),
            unacknowledged_at_kill=len(in_flight),
            unacknowledged_but_committed=committed_in_flight,
            answers_in_database=present,
            answers_lost=len(lost),
            scripts_run_from_the_title=len(dialogs),
        )
        assert not lost, f"acknowledged answers lost after SIGKILL: {lost}"
        assert present == len(acknowledged) + committed_in_flight

        # The restarted app shows the same: a participant who opens the room's link again
        # is sent on to the room's page, which shows their answer as stored.
        me = next(iter(acknowledged))
        page = phones[me].new_page()
        page.goto(f"{server.url}/room?room={code}", wait_until="commit")
        page.wait_for_url(re.compile(rf"/j/{code}$"), timeout=30_000)
        page.wait_for_selector("body[data-ready=true]", timeout=30_000)
        expect(page.locator(RECEIPT)).to_be_visible()
        shown = json.loads(page.locator(RECEIPT).get_attribute("data-answers") or "{}")
        assert shown.get("goal") == acknowledged[me], shown
        expect(page.locator(SUBMIT_BUTTON)).to_have_text(CONTENT.text("room.update"))
        assert not dialogs, f"markup in the room title ran as script: {dialogs}"
        for context in phones.values():
            context.close()
    return {"answers_lost": len(lost)}
