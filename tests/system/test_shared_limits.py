"""Two replicas, one limit: the room limits are counted in the database the replicas share.

Counted per process, two app processes behind nginx each allowed the whole limit (and N
replicas N times it). Here two `streamlit run app.py` processes share one PostgreSQL
schema, and one address guesses room codes on both in turn: the guesses refused add up to
one limit, not two. In process, two stores on one database admit exactly the limit when
many threads try at once (the check and the record are one atomic step).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from rooms import Client, RoomSettings, RoomStore
from tests.support.appserver import AppServer, http, postgres_url, private_schema
from tests.support.measurements import family

MEASURED = family("rooms")
LIMIT = 6  # wrong room codes one address may try per minute, on all replicas together
GUESSES = 4 * LIMIT
THREADS = 8


def guess(base_url: str, n: int) -> int:
    """The status of one wrong room code typed on the lobby (the join route)."""
    status, _headers, _body = http(f"{base_url}/j/ZZZZ{2 + n % 8}{2 + n // 8 % 8}", timeout=20)
    return status


@pytest.mark.slow
def test_two_app_processes_share_one_code_guessing_limit(tmp_path):
    settings = {
        "EXPLORER_MAX_CODE_LOOKUPS_PER_MINUTE": str(LIMIT),
        "EXPLORER_MAX_CODE_LOOKUPS_PER_MINUTE_PER_ADDRESS": str(LIMIT),
    }
    with private_schema(postgres_url()) as url:
        RoomStore(url, RoomSettings(database_url=url)).dispose()  # schema ready before both
        env = {**settings, "EXPLORER_DATABASE_URL": url}
        replicas = [AppServer(env, tmp_path / f"logs-{n}") for n in range(2)]
        try:
            for replica in replicas:
                replica.start()
            statuses = [guess(replicas[n % 2].url, n) for n in range(GUESSES)]
        finally:
            for replica in replicas:
                replica.stop()
    refused = statuses.count(429)
    looked_up = statuses.count(404)
    MEASURED.add(
        "shared_limit_two_replicas",
        replicas=len(replicas),
        guesses=len(statuses),
        guesses_looked_up=looked_up,
        guesses_refused=refused,
        limit=LIMIT,
    )
    assert looked_up + refused == GUESSES, statuses
    assert looked_up == LIMIT, f"{looked_up} guesses looked up on two replicas, limit {LIMIT}"


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_two_stores_on_one_database_admit_exactly_the_limit_at_once(db_url):
    settings = RoomSettings(
        database_url=db_url,
        max_code_lookups_per_minute=LIMIT,
        max_code_lookups_per_minute_per_address=LIMIT,
    )
    stores = [RoomStore(db_url, settings) for _ in range(2)]
    client = Client(address="198.51.100.7")
    start = threading.Barrier(THREADS)

    def attempt(n: int) -> bool:
        start.wait(timeout=30)
        window = stores[n % 2].limits.lookups
        return window.try_acquire(client) is not None

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            admitted = list(pool.map(attempt, range(THREADS)))
            admitted += list(pool.map(attempt, range(THREADS)))  # and once more, later
        MEASURED.add(
            "shared_limit_concurrent",
            attempts=len(admitted),
            admitted=sum(admitted),
            limit=LIMIT,
        )
        assert sum(admitted) == LIMIT
    finally:
        for store in stores:
            store.dispose()
