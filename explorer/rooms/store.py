"""Durable storage for live workshop rooms (SQLAlchemy Core; SQLite or PostgreSQL).

A facilitator creates a room and receives a short code plus a secret token;
participants submit anonymous answers (one current answer per participant,
re-submitting replaces it); the facilitator can reveal or hide results, close
the room and export the answers. Everything lives in the database, so rooms
outlive an app restart and several app processes can share one store.

Concurrency
    Every write runs in its own short transaction. On SQLite, writes start with
    ``BEGIN IMMEDIATE`` (one writer at a time, WAL mode so readers never wait);
    on PostgreSQL, a submit locks its room row and room creation takes a
    transaction-level advisory lock. Checks such as "is the room full?" are
    therefore made and acted on atomically.

Failure
    A locked or unreachable database raises :class:`StoreUnavailable` (whose
    message can be shown as it is); the failed write is rolled back and nothing
    committed before is lost. Reads are retried once after a dropped connection.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import unicodedata
import weakref
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import StaticPool

from .codes import hash_token, new_code, new_token, normalise_code, token_matches
from .errors import (
    InvalidAnswer,
    InvalidCode,
    InvalidTitle,
    NotAuthorised,
    RoomClosed,
    RoomError,
    RoomExpired,
    RoomFull,
    RoomNotFound,
    StoreUnavailable,
    TooManyRooms,
)
from .settings import RoomSettings

T = TypeVar("T")

# ---------------------------------------------------------------------------
# Schema

metadata = sa.MetaData()

rooms_table = sa.Table(
    "rooms",
    metadata,
    sa.Column("code", sa.String(6), primary_key=True),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),  # naive UTC
    sa.Column("expires_at", sa.DateTime(), nullable=False),  # naive UTC
    sa.Column("revealed", sa.Boolean(), nullable=False),
    sa.Column("closed", sa.Boolean(), nullable=False),
    sa.Index("ix_rooms_created_at", "created_at"),
    sa.Index("ix_rooms_expires_at", "expires_at"),
)

answers_table = sa.Table(
    "answers",
    metadata,
    sa.Column(
        "room_code",
        sa.String(6),
        sa.ForeignKey("rooms.code", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("participant_id", sa.String(64), primary_key=True),
    sa.Column("answers", sa.Text(), nullable=False),  # JSON object: input id -> option id
    sa.Column("verdict", sa.Text(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),  # naive UTC
)

joins_table = sa.Table(
    "joins",
    metadata,
    sa.Column(
        "room_code",
        sa.String(6),
        sa.ForeignKey("rooms.code", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("participant_id", sa.String(64), primary_key=True),
    sa.Column("joined_at", sa.DateTime(), nullable=False),  # naive UTC
)

# ---------------------------------------------------------------------------
# Limits on what a participant can send

PARTICIPANT_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
ANSWER_KEY_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
MAX_ANSWER_ITEMS = 32
MAX_ANSWER_VALUE_CHARS = 100
MAX_VERDICT_CHARS = 100
# Keys the store adds to answer dicts itself (snapshot, own_answer, export).
RESERVED_ANSWER_KEYS = frozenset({"verdict", "submitted_at"})

_CODE_ATTEMPTS = 20
_READ_RETRIES = 1
_WRITE_OPTION = "explorer_rooms_write"
# PostgreSQL advisory lock keys (arbitrary constants, 'rooms' in ASCII + n).
_PG_SCHEMA_LOCK = 0x726F6F6D7301
_PG_CREATE_LOCK = 0x726F6F6D7302
_PG_CONNECT_TIMEOUT_S = 5

_configured_engines: weakref.WeakSet[Engine] = weakref.WeakSet()
_configure_lock = threading.Lock()


# ---------------------------------------------------------------------------
# Values handed back to callers


@dataclass(frozen=True)
class Room:
    code: str
    title: str
    created_at: datetime  # aware, UTC
    expires_at: datetime  # aware, UTC
    revealed: bool
    closed: bool


@dataclass(frozen=True)
class CreatedRoom:
    room: Room
    token: str = field(repr=False)  # shown once to the facilitator; never stored


@dataclass(frozen=True)
class RoomSnapshot:
    room: Room
    count: int
    # One dict per participant: their option ids by input id, plus "verdict".
    answers: list[dict[str, str]]
    joined: int = 0  # participants who opened the room (answered or not)


# ---------------------------------------------------------------------------
# The store


class RoomStore:
    """Rooms and their answers in one SQL database.

    ``RoomStore(url_or_engine, settings)`` builds (or adopts) an engine and
    creates the schema if it is missing. ``now`` returns the current time
    (aware, or naive meaning UTC) and exists so tests can move the clock.
    """

    def __init__(
        self,
        url_or_engine: str | URL | Engine | None = None,
        settings: RoomSettings | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        busy_timeout_ms: int | None = None,
        create_schema: bool = True,
    ) -> None:
        self.settings = settings if settings is not None else RoomSettings()
        busy = self.settings.busy_timeout_ms if busy_timeout_ms is None else int(busy_timeout_ms)
        if busy < 0:
            raise ValueError("busy_timeout_ms must be >= 0")
        self._now = now or _system_now
        if isinstance(url_or_engine, Engine):
            self._engine = url_or_engine
            self._owns_engine = False
        else:
            url = self.settings.database_url if url_or_engine is None else url_or_engine
            self._engine = _create_engine(url, busy)
            self._owns_engine = True
        _configure_engine(self._engine, busy)
        self._dialect = self._engine.dialect.name
        # An in-memory SQLite database is one shared connection: serialise use.
        self._serial: threading.RLock | None = (
            threading.RLock() if isinstance(self._engine.pool, StaticPool) else None
        )
        if create_schema:
            self.create_schema()

    @classmethod
    def from_settings(
        cls, settings: RoomSettings | None = None, *, now: Callable[[], datetime] | None = None
    ) -> RoomStore:
        """A store on ``settings.database_url`` (settings default to the environment)."""
        settings = settings if settings is not None else RoomSettings.from_env()
        return cls(settings.database_url, settings, now=now)

    @property
    def engine(self) -> Engine:
        return self._engine

    def dispose(self) -> None:
        """Close pooled connections (only of an engine this store created)."""
        if self._owns_engine:
            self._engine.dispose()

    def create_schema(self) -> None:
        """Create missing tables; safe to run from several processes at once."""

        def work(conn: Connection) -> None:
            if self._dialect == "postgresql":
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_SCHEMA_LOCK)))
            metadata.create_all(conn, checkfirst=True)

        self._run(work, write=True)

    # -- facilitator ---------------------------------------------------------

    def create_room(self, title: str = "") -> CreatedRoom:
        """Open a room; the returned token is the only copy of the secret."""
        clean_title = self._clean_title(title)
        token = new_token()
        token_hash = hash_token(token)
        max_per_hour = self.settings.max_rooms_per_hour
        ttl = timedelta(hours=self.settings.room_ttl_hours)

        for _ in range(_CODE_ATTEMPTS):
            code = new_code()
            now = self._utcnow()

            def work(conn: Connection, code: str = code, now: datetime = now) -> Room | None:
                if self._dialect == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_CREATE_LOCK)))
                recent = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(rooms_table)
                    .where(rooms_table.c.created_at > now - timedelta(hours=1))
                ).scalar_one()
                if recent >= max_per_hour:
                    raise TooManyRooms()
                taken = conn.execute(
                    sa.select(rooms_table.c.code).where(rooms_table.c.code == code)
                ).first()
                if taken is not None:
                    return None
                conn.execute(
                    sa.insert(rooms_table).values(
                        code=code,
                        title=clean_title,
                        token_hash=token_hash,
                        created_at=now,
                        expires_at=now + ttl,
                        revealed=False,
                        closed=False,
                    )
                )
                return Room(code, clean_title, _aware(now), _aware(now + ttl), False, False)

            try:
                room = self._run(work, write=True)
            except sa_exc.IntegrityError:
                continue  # another process took the same code just now
            if room is not None:
                return CreatedRoom(room=room, token=token)
        raise StoreUnavailable()

    def verify_token(self, code: str, token: str) -> bool:
        """True when ``token`` is the facilitator token of room ``code``.

        False for a malformed or unknown code. Expiry is not checked here, so a
        facilitator of an expired room is told "expired" rather than "not yours".
        """
        try:
            code = normalise_code(code)
        except InvalidCode:
            return False
        row = self._run(lambda conn: self._room_row(conn, code), write=False)
        return row is not None and token_matches(token, row.token_hash)

    def set_revealed(self, code: str, token: str, revealed: bool) -> Room:
        """Show (True) or hide (False) the results to participants."""
        code = normalise_code(code)
        flag = bool(revealed)

        def work(conn: Connection) -> Room:
            room = self._facilitator_room(conn, code, token, self._utcnow())
            conn.execute(
                sa.update(rooms_table).where(rooms_table.c.code == code).values(revealed=flag)
            )
            return _replace(room, revealed=flag)

        return self._run(work, write=True)

    def close(self, code: str, token: str) -> Room:
        """Stop taking answers. The room stays readable until it expires."""
        code = normalise_code(code)

        def work(conn: Connection) -> Room:
            room = self._facilitator_room(conn, code, token, self._utcnow())
            if not room.closed:
                conn.execute(
                    sa.update(rooms_table).where(rooms_table.c.code == code).values(closed=True)
                )
            return _replace(room, closed=True)

        return self._run(work, write=True)

    def export_answers(self, code: str, token: str) -> list[dict[str, str]]:
        """Every current answer, oldest first, without participant ids.

        Each row holds the answer keys plus ``verdict`` and ``submitted_at``
        (ISO 8601, UTC).
        """
        code = normalise_code(code)
        a = answers_table.c

        def work(conn: Connection) -> list[dict[str, str]]:
            self._facilitator_room(conn, code, token, self._utcnow())
            result = conn.execute(
                sa.select(a.answers, a.verdict, a.updated_at)
                .where(a.room_code == code)
                .order_by(a.updated_at, a.answers)
            )
            return [
                {
                    **_decode_answers(row.answers),
                    "verdict": row.verdict,
                    "submitted_at": _aware(row.updated_at).isoformat(timespec="seconds"),
                }
                for row in result
            ]

        return self._run(work, write=False)

    # -- anyone ----------------------------------------------------------------

    def get_room(self, code: str) -> Room:
        """The room; RoomNotFound / RoomExpired when it can't be used."""
        code = normalise_code(code)
        row = self._run(lambda conn: self._room_row(conn, code), write=False)
        return self._live_room(row, self._utcnow())

    def snapshot(self, code: str) -> RoomSnapshot:
        """The room and all current answers (two queries, one transaction)."""
        code = normalise_code(code)
        a = answers_table.c

        j = joins_table.c
        joined = sa.select(sa.func.count()).where(j.room_code == code).scalar_subquery()

        def work(conn: Connection) -> RoomSnapshot:
            row = conn.execute(
                sa.select(rooms_table, joined.label("joined")).where(rooms_table.c.code == code)
            ).first()
            room = self._live_room(row, self._utcnow())
            rows = conn.execute(
                sa.select(a.answers, a.verdict)
                .where(a.room_code == code)
                .order_by(a.updated_at, a.answers)
            ).all()
            answers = [{**_decode_answers(r.answers), "verdict": r.verdict} for r in rows]
            return RoomSnapshot(room=room, count=len(answers), answers=answers, joined=row.joined)

        return self._run(work, write=False)

    # -- participants ------------------------------------------------------------

    def submit(
        self, code: str, participant_id: str, answers: Mapping[str, str], verdict: str
    ) -> None:
        """Save this participant's current answer, replacing any earlier one."""
        code = normalise_code(code)
        participant_id = _check_participant_id(participant_id)
        payload = _encode_answers(answers)
        verdict = _check_short_text(verdict, MAX_VERDICT_CHARS)
        max_answers = self.settings.max_answers_per_room
        a = answers_table.c

        def work(conn: Connection) -> None:
            now = self._utcnow()
            room = self._live_room(self._room_row(conn, code, for_update=True), now)
            if room.closed:
                raise RoomClosed()
            count, mine = conn.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.coalesce(
                        sa.func.max(sa.case((a.participant_id == participant_id, 1), else_=0)), 0
                    ),
                ).where(a.room_code == code)
            ).one()
            if not mine and count >= max_answers:
                raise RoomFull()
            values = {
                "room_code": code,
                "participant_id": participant_id,
                "answers": payload,
                "verdict": verdict,
                "updated_at": now,
            }
            self._upsert_answer(conn, values, exists=bool(mine))
            self._insert_join(conn, code, participant_id, now)

        self._run(work, write=True)

    def mark_joined(self, code: str, participant_id: str) -> None:
        """Count this participant as joined (idempotent; ignored once the room is closed
        or when a flood of joins would exceed twice the answer limit)."""
        code = normalise_code(code)
        participant_id = _check_participant_id(participant_id)
        j = joins_table.c

        def work(conn: Connection) -> None:
            room = self._live_room(self._room_row(conn, code), self._utcnow())
            if room.closed:
                return
            seen = conn.execute(sa.select(sa.func.count()).where(j.room_code == code)).scalar_one()
            if seen >= 2 * self.settings.max_answers_per_room:
                return
            self._insert_join(conn, code, participant_id, self._utcnow())

        self._run(work, write=True)

    def _insert_join(self, conn: Connection, code: str, participant_id: str, now: datetime) -> None:
        if self._dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        values = {"room_code": code, "participant_id": participant_id, "joined_at": now}
        conn.execute(dialect_insert(joins_table).values(**values).on_conflict_do_nothing())

    def own_answer(self, code: str, participant_id: str) -> dict[str, str] | None:
        """This participant's current answer (with ``verdict``), or None."""
        code = normalise_code(code)
        participant_id = _check_participant_id(participant_id)
        a = answers_table.c

        def work(conn: Connection) -> dict[str, str] | None:
            self._live_room(self._room_row(conn, code), self._utcnow())
            row = conn.execute(
                sa.select(a.answers, a.verdict).where(
                    a.room_code == code, a.participant_id == participant_id
                )
            ).first()
            if row is None:
                return None
            return {**_decode_answers(row.answers), "verdict": row.verdict}

        return self._run(work, write=False)

    # -- housekeeping ------------------------------------------------------------

    def delete_expired(self) -> int:
        """Delete expired rooms and their answers; return how many rooms went."""
        now = self._utcnow()
        r = rooms_table.c

        def work(conn: Connection) -> int:
            expired = sa.select(r.code).where(r.expires_at <= now)
            conn.execute(sa.delete(answers_table).where(answers_table.c.room_code.in_(expired)))
            conn.execute(sa.delete(joins_table).where(joins_table.c.room_code.in_(expired)))
            return conn.execute(sa.delete(rooms_table).where(r.expires_at <= now)).rowcount

        return int(self._run(work, write=True))

    # -- internals ---------------------------------------------------------------

    def _utcnow(self) -> datetime:
        value = self._now()
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def _clean_title(self, title: object) -> str:
        if title is None:
            title = ""
        if not isinstance(title, str):
            raise InvalidTitle()
        clean = title.strip()
        limit = self.settings.max_title_chars
        if len(clean) > limit:
            raise InvalidTitle(f"Keep the room title to {limit} characters or fewer.")
        if _has_control_chars(clean):
            raise InvalidTitle("The room title can't contain line breaks or control characters.")
        return clean

    def _room_row(self, conn: Connection, code: str, *, for_update: bool = False) -> Any:
        query = sa.select(rooms_table).where(rooms_table.c.code == code)
        if for_update:
            query = query.with_for_update()  # PostgreSQL row lock; SQLite ignores it
        return conn.execute(query).first()

    @staticmethod
    def _live_room(row: Any, now: datetime) -> Room:
        if row is None:
            raise RoomNotFound()
        if now >= row.expires_at:
            raise RoomExpired()
        return _to_room(row)

    def _facilitator_room(self, conn: Connection, code: str, token: str, now: datetime) -> Room:
        row = self._room_row(conn, code)
        room = self._live_room(row, now)
        if not token_matches(token, row.token_hash):
            raise NotAuthorised()
        return room

    def _upsert_answer(self, conn: Connection, values: dict[str, Any], *, exists: bool) -> None:
        update_cols = ("answers", "verdict", "updated_at")
        if self._dialect in ("sqlite", "postgresql"):
            if self._dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert as dialect_insert
            else:
                from sqlalchemy.dialects.postgresql import insert as dialect_insert
            stmt = dialect_insert(answers_table).values(**values)
            stmt = stmt.on_conflict_do_update(
                index_elements=[answers_table.c.room_code, answers_table.c.participant_id],
                set_={col: stmt.excluded[col] for col in update_cols},
            )
            conn.execute(stmt)
            return
        # Other databases: the room row lock/serialised writer makes this safe enough.
        a = answers_table.c
        if exists:
            conn.execute(
                sa.update(answers_table)
                .where(
                    a.room_code == values["room_code"],
                    a.participant_id == values["participant_id"],
                )
                .values(**{col: values[col] for col in update_cols})
            )
        else:
            conn.execute(sa.insert(answers_table).values(**values))

    def _run(self, work: Callable[[Connection], T], *, write: bool) -> T:
        """Run ``work`` in one transaction, translating database failures.

        Reads are retried once when the connection turned out to be dead (for
        example after a database restart); writes are not retried here.
        """
        retries = 0 if write else _READ_RETRIES
        for attempt in range(retries + 1):
            try:
                with self._serial if self._serial is not None else nullcontext():  # noqa: SIM117
                    with self._engine.connect() as conn:
                        if write:
                            conn.execution_options(**{_WRITE_OPTION: True})
                        with conn.begin():
                            return work(conn)
            except RoomError:
                raise
            except sa_exc.DBAPIError as error:
                if error.connection_invalidated and attempt < retries:
                    continue
                if error.connection_invalidated or isinstance(
                    error, sa_exc.OperationalError | sa_exc.InterfaceError
                ):
                    raise StoreUnavailable() from error
                raise
            except sa_exc.TimeoutError as error:  # connection pool exhausted
                raise StoreUnavailable() from error
        raise StoreUnavailable()  # pragma: no cover - the loop always returns or raises


# ---------------------------------------------------------------------------
# Engine set-up


def _system_now() -> datetime:
    return datetime.now(UTC)


def _is_sqlite_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or url.query.get("mode") == "memory"


def _create_engine(url: str | URL, busy_timeout_ms: int) -> Engine:
    url = make_url(url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    backend = url.get_backend_name()
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        if _is_sqlite_memory(url):
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            Path(url.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
            kwargs.update(pool_size=10, max_overflow=20)
    elif backend == "postgresql":
        connect_args: dict[str, Any] = {}
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = _PG_CONNECT_TIMEOUT_S
        # lock_timeout bounds every wait for a row or advisory lock, like SQLite's
        # busy_timeout. It goes in the startup packet: no SQL is sent for it.
        lock_timeout = max(1, busy_timeout_ms)  # 0 would mean "wait forever"
        options = url.query.get("options", "")
        if isinstance(options, tuple):
            options = " ".join(options)
        connect_args["options"] = f"{options} -c lock_timeout={lock_timeout}".strip()
        # pool_pre_ping: a connection left over from before a server restart is replaced
        # before use, so the first write after a quiet restart does not fail.
        kwargs.update(
            connect_args=connect_args,
            pool_size=5,
            max_overflow=15,
            pool_recycle=1800,
            pool_pre_ping=True,
        )
    return sa.create_engine(url, **kwargs)


def _configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """SQLite: WAL, busy_timeout, foreign keys, and our own BEGIN (IMMEDIATE for writes)."""
    if engine.dialect.name != "sqlite":
        return
    with _configure_lock:
        if engine in _configured_engines:
            return
        memory = _is_sqlite_memory(engine.url)
        busy = int(busy_timeout_ms)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Take over transaction control from the sqlite3 module (see the
            # SQLAlchemy SQLite dialect docs, "Serializable isolation").
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(f"PRAGMA busy_timeout = {busy:d}")
                cursor.execute("PRAGMA foreign_keys = ON")
                if not memory:
                    _enable_wal(cursor, busy)
            finally:
                cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            if conn.get_execution_options().get(_WRITE_OPTION):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        _configured_engines.add(engine)
    if not memory:
        # Pooled connections made before the listeners existed lack the settings.
        # (An in-memory database lives in its one connection: keep that.)
        engine.pool.dispose()


def _enable_wal(cursor: Any, busy_timeout_ms: int) -> None:
    """Switch the database file to WAL mode (it stays so; later calls only check).

    While several connections open a fresh database at once, the switch can
    fail with "database is locked" without SQLite's busy handler waiting, so it
    is retried here, for at most the busy timeout (and at least 0.2 s).
    """
    deadline = time.monotonic() + max(busy_timeout_ms, 200) / 1000
    for attempt in range(10_000):
        try:
            (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
            if str(mode).lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(min(0.05, 0.002 * (attempt + 1)))


# ---------------------------------------------------------------------------
# Validation and encoding


def _has_control_chars(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def _check_participant_id(participant_id: object) -> str:
    if not isinstance(participant_id, str) or not PARTICIPANT_ID_RE.fullmatch(participant_id):
        raise InvalidAnswer()
    return participant_id


def _check_short_text(value: object, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidAnswer()
    value = value.strip()
    if not 1 <= len(value) <= limit or _has_control_chars(value):
        raise InvalidAnswer()
    return value


def _encode_answers(answers: object) -> str:
    if not isinstance(answers, Mapping) or len(answers) > MAX_ANSWER_ITEMS:
        raise InvalidAnswer()
    clean: dict[str, str] = {}
    for key, value in answers.items():
        if (
            not isinstance(key, str)
            or not ANSWER_KEY_RE.fullmatch(key)
            or key in RESERVED_ANSWER_KEYS
        ):
            raise InvalidAnswer()
        clean[key] = _check_short_text(value, MAX_ANSWER_VALUE_CHARS)
    return json.dumps(clean, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _decode_answers(text: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items()}


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _to_room(row: Any) -> Room:
    return Room(
        code=row.code,
        title=row.title,
        created_at=_aware(row.created_at),
        expires_at=_aware(row.expires_at),
        revealed=bool(row.revealed),
        closed=bool(row.closed),
    )


def _replace(room: Room, **changes: Any) -> Room:
    return replace(room, **changes)


__all__ = [
    "CreatedRoom",
    "Room",
    "RoomSnapshot",
    "RoomStore",
    "answers_table",
    "metadata",
    "rooms_table",
]
