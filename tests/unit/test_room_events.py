"""Push for live rooms: the broker (fan-out, coalescing, roles, payloads) and, with
PostgreSQL, NOTIFY across two stores and the listener's reconnect.

PostgreSQL tests need ``EXPLORER_TEST_POSTGRES_URL`` (``source .ci/postgres.sh``): skipped
without it, failed under ``CI=true`` (the fixtures come from test_rooms_store).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from rooms import Role, RoomEvents, RoomSettings, RoomStore, Subscription
from rooms.pg_listener import PgListener

ANSWER = {"goal": "mixed"}
QUIET_S = 0.3  # how long "nothing arrives" is watched for
ARRIVE_S = 1.0  # what "arrives promptly" allows (the NOTIFY goal is well under this)


def fixed_flags(flags: dict[str, tuple[bool, bool]]):
    return lambda code: flags.get(code)


async def pending(sub: Subscription, timeout: float = QUIET_S) -> bool:
    return await sub.wait(timeout)


async def settle(sub: Subscription) -> None:
    """Take a NOTIFY still on its way from before the subscription (the room's creation)."""
    await sub.wait(QUIET_S)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[RoomStore]:
    url = f"sqlite:///{tmp_path / 'rooms.db'}"
    store = RoomStore(url, RoomSettings(database_url=url))
    yield store
    store.dispose()


# ---------------------------------------------------------------------------
# The broker on its own


def test_every_facilitator_of_a_room_hears_a_change_and_other_rooms_do_not() -> None:
    events = RoomEvents(fixed_flags({}))

    async def scenario() -> list[bool]:
        async with (
            events.subscribe("ABCDEF", Role.FACILITATOR) as a,
            events.subscribe("ABCDEF", "facilitator") as b,
            events.subscribe("GHJKMN", Role.FACILITATOR) as other,
        ):
            assert events.subscribers("ABCDEF") == 2 and events.subscribers() == 3
            events.publish("ABCDEF")
            return [await pending(a), await pending(b), await pending(other)]

    assert asyncio.run(scenario()) == [True, True, False]
    assert events.subscribers() == 0  # leaving the block unsubscribes


def test_a_burst_of_300_changes_from_four_threads_is_one_pending_event() -> None:
    events = RoomEvents(fixed_flags({}))

    async def scenario() -> tuple[bool, bool, int]:
        async with events.subscribe("ABCDEF", Role.FACILITATOR) as sub:

            def burst() -> None:
                for _ in range(75):
                    events.publish("ABCDEF")

            threads = [threading.Thread(target=burst) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=10)
            assert not any(t.is_alive() for t in threads)
            first = await pending(sub, ARRIVE_S)
            second = await pending(sub)
            return first, second, sub.delivered

    assert asyncio.run(scenario()) == (True, False, 1)


def test_a_participant_hears_only_reveal_and_close_never_answers() -> None:
    flags = {"ABCDEF": (False, False)}
    events = RoomEvents(fixed_flags(flags))

    async def scenario() -> list[bool]:
        seen = []
        async with (
            events.subscribe("ABCDEF", Role.PARTICIPANT, flags=(False, False)) as phone,
            events.subscribe("ABCDEF", Role.FACILITATOR) as screen,
        ):
            for _ in range(20):  # answers and joins: the flags do not change
                events.publish("ABCDEF")
            seen += [await pending(phone), await pending(screen)]
            flags["ABCDEF"] = (True, False)  # revealed
            events.publish("ABCDEF")
            seen.append(await pending(phone, ARRIVE_S))
            events.publish("ABCDEF")  # another answer after the reveal
            seen.append(await pending(phone))
            flags["ABCDEF"] = (True, True)  # closed
            events.publish("ABCDEF")
            seen.append(await pending(phone, ARRIVE_S))
        return seen

    assert asyncio.run(scenario()) == [False, True, True, False, True]


@pytest.mark.parametrize(
    "payload",
    ["", "abcdef", "ABCDE", "ABCDEFG", "ABC0EF", "ABCDEF ", " ABCDEF", "ABCDEF\n", "A' OR 1", None],
)
def test_a_payload_that_is_not_exactly_a_room_code_is_ignored(payload: object) -> None:
    events = RoomEvents(fixed_flags({}))

    async def scenario() -> bool:
        async with events.subscribe("ABCDEF", Role.FACILITATOR) as sub:
            events.publish(payload)
            return await pending(sub)

    assert asyncio.run(scenario()) is False
    assert events.ignored == 1


def test_the_number_of_open_streams_is_bounded() -> None:
    events = RoomEvents(fixed_flags({}), max_subscribers=2)

    async def scenario() -> str:
        async with (
            events.subscribe("ABCDEF", Role.FACILITATOR),
            events.subscribe("GHJKMN", Role.PARTICIPANT),
        ):
            assert not events.has_capacity()
            try:
                async with events.subscribe("PQRSTU", Role.FACILITATOR):
                    return "opened"
            except Exception as error:
                return type(error).__name__

    assert asyncio.run(scenario()) == "TooManyStreams"


# ---------------------------------------------------------------------------
# The store's commits reach the broker (one process: SQLite)


def test_every_kind_of_commit_reaches_the_facilitator_and_only_flags_the_participant(
    sqlite_store: RoomStore,
) -> None:
    events = RoomEvents.for_store(sqlite_store)
    created = sqlite_store.create_room("push")
    code, token = created.room.code, created.token
    phone_id = sqlite_store.issue_participant(code)

    async def scenario() -> dict[str, tuple[bool, bool]]:
        heard: dict[str, tuple[bool, bool]] = {}
        async with (
            events.subscribe(code, Role.FACILITATOR) as screen,
            events.subscribe(code, Role.PARTICIPANT, flags=(False, False)) as phone,
        ):
            steps = {
                "join": lambda: sqlite_store.mark_joined(code, phone_id),
                "answer": lambda: sqlite_store.submit(code, phone_id, ANSWER, "blend"),
                "reveal": lambda: sqlite_store.set_revealed(code, token, True),
                "hide": lambda: sqlite_store.set_revealed(code, token, False),
                "close": lambda: sqlite_store.close(code, token),
            }
            for name, step in steps.items():
                await asyncio.to_thread(step)  # a write from another thread, as a page's
                heard[name] = (await pending(screen, ARRIVE_S), await pending(phone))
        return heard

    assert asyncio.run(scenario()) == {
        "join": (True, False),
        "answer": (True, False),
        "reveal": (True, True),
        "hide": (True, True),
        "close": (True, True),
    }


def test_a_write_that_changes_nothing_publishes_nothing(sqlite_store: RoomStore) -> None:
    heard: list[str] = []
    sqlite_store.on_commit(heard.append)
    created = sqlite_store.create_room()
    code = created.room.code
    me = sqlite_store.issue_participant(code)
    sqlite_store.mark_joined(code, me)
    sqlite_store.mark_joined(code, me)  # already joined
    sqlite_store.set_revealed(code, created.token, False)  # already hidden
    sqlite_store.close(code, created.token)
    sqlite_store.close(code, created.token)  # already closed
    assert heard == [code, code, code]  # create, the first join, the first close


def test_a_failing_listener_never_fails_the_write(sqlite_store: RoomStore) -> None:
    def broken(_code: str) -> None:
        raise RuntimeError("listener bug")

    sqlite_store.on_commit(broken)
    code = sqlite_store.create_room().room.code
    sqlite_store.submit(code, sqlite_store.issue_participant(code), ANSWER, "blend")
    assert sqlite_store.snapshot(code).count == 1


# ---------------------------------------------------------------------------
# Across replicas: PostgreSQL NOTIFY


@pytest.fixture
def pg_url(db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("NOTIFY is PostgreSQL only")
    return db_url


@pytest.fixture
def two_replicas(pg_url: str) -> Iterator[tuple]:
    """Two stores on one database, as two app processes; the second listens."""
    writer = RoomStore(pg_url, RoomSettings(database_url=pg_url))
    reader = RoomStore(pg_url, RoomSettings(database_url=pg_url))
    events = RoomEvents.for_store(reader)
    listener = PgListener(
        pg_url, events.publish, on_reconnect=events.publish_all, poll_s=0.2, backoff_max_s=0.5
    ).start()
    try:
        assert listener.wait_connected(10), "the listener did not connect"
        yield writer, reader, events, listener
    finally:
        listener.stop()
        writer.dispose()
        reader.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_commit_on_one_replica_reaches_a_dashboard_on_the_other_within_a_second(
    two_replicas: tuple,
) -> None:
    writer, _reader, events, _listener = two_replicas
    created = writer.create_room("two replicas")
    code = created.room.code
    phone = writer.issue_participant(code)
    latencies: list[float] = []

    async def scenario() -> None:
        async with events.subscribe(code, Role.FACILITATOR) as screen:
            await settle(screen)
            for n in range(10):
                started = time.perf_counter()
                await asyncio.to_thread(writer.submit, code, phone, {"n": str(n)}, "blend")
                assert await pending(screen, ARRIVE_S), f"change {n} did not arrive"
                latencies.append(time.perf_counter() - started)

    asyncio.run(scenario())
    latencies.sort()
    assert latencies[-1] < ARRIVE_S
    print(f"NOTIFY submit->wake p50={latencies[5] * 1000:.1f} ms max={latencies[-1] * 1000:.1f} ms")


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_notify_payloads_that_are_not_room_codes_are_dropped(two_replicas: tuple) -> None:
    writer, _reader, events, _listener = two_replicas
    code = writer.create_room().room.code

    async def scenario() -> bool:
        async with events.subscribe(code, Role.FACILITATOR) as screen:
            await settle(screen)
            with writer.engine.begin() as conn:
                for payload in ("'; DROP TABLE rooms; --", code.lower(), "x" * 500, ""):
                    conn.execute(sa.select(sa.func.pg_notify("explorer_rooms", payload)))
            return await pending(screen, 0.8)

    assert asyncio.run(scenario()) is False
    assert events.ignored >= 4


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_listener_reconnects_after_its_connection_is_killed(
    two_replicas: tuple, postgres_admin: sa.Engine
) -> None:
    writer, _reader, events, listener = two_replicas
    code = writer.create_room("reconnect").room.code
    phone = writer.issue_participant(code)

    async def scenario() -> tuple[bool, bool]:
        async with events.subscribe(code, Role.FACILITATOR) as screen:
            await settle(screen)
            pid = listener.backend_pid
            with postgres_admin.begin() as conn:
                killed = conn.execute(sa.select(sa.func.pg_terminate_backend(pid))).scalar()
            assert killed
            deadline = time.monotonic() + 15
            while listener.connections < 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert listener.connections >= 2, "the listener did not reconnect"
            refreshed = await pending(screen, ARRIVE_S)  # told to refresh once
            await asyncio.to_thread(writer.submit, code, phone, ANSWER, "blend")
            return refreshed, await pending(screen, ARRIVE_S)

    assert asyncio.run(scenario()) == (True, True)
    assert listener.backend_pid != 0
