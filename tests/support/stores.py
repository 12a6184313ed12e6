"""Room stores for tests, written once (a pytest plugin, loaded by tests/conftest.py).

``db_url`` is an empty database of each backend: SQLite in the test's folder, and a fresh
schema on the PostgreSQL server of ``EXPLORER_TEST_POSTGRES_URL`` (``source
.ci/postgres.sh`` starts one; without it PostgreSQL cases are skipped, except under
``CI=true``, where they fail). ``make_store(**limits)`` opens stores on it whose clock the
test moves (``make_store.clock.advance(minutes=5)``); ``store`` is one such store.
``rooms`` is the rooms' HTTP routes on a private SQLite store (tests.support.rooms_app).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from rooms import RoomSettings, RoomStore
from tests.support.appserver import postgres_url, private_schema
from tests.support.rooms_app import Rooms, make_rooms

BACKENDS = ["sqlite", "postgresql"]
START = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    current: datetime = START

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    """An engine on the shared PostgreSQL test server (for what a test does beside a store)."""
    engine = sa.create_engine(postgres_url(), pool_size=1, max_overflow=2)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL for an empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rooms.db'}"
        return
    with private_schema(postgres_url()) as url:
        yield url


@dataclass
class StoreFactory:
    url: str
    clock: FakeClock = field(default_factory=FakeClock)
    stores: list[RoomStore] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)

    def __call__(self, **limits: Any) -> RoomStore:
        busy = limits.pop("busy_timeout_ms", 5000)
        room_settings = RoomSettings(database_url=self.url, busy_timeout_ms=busy, **limits)
        store = RoomStore(self.url, room_settings, now=self.clock)
        self.stores.append(store)
        return store

    def dispose(self) -> None:
        for store in self.stores:
            store.dispose()


@pytest.fixture
def make_store(db_url: str) -> Iterator[StoreFactory]:
    factory = StoreFactory(db_url)
    yield factory
    factory.dispose()


@pytest.fixture
def store(make_store: StoreFactory) -> RoomStore:
    return make_store()


@pytest.fixture
def rooms(tmp_path: Path) -> Iterator[Rooms]:
    made = make_rooms(tmp_path)
    yield made
    made.store.dispose()
