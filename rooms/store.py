"""Durable storage for live workshop rooms (SQLAlchemy Core; SQLite or PostgreSQL).

A facilitator creates a room and receives a short code plus a secret token; the server
issues each participant a signed identity and stores one current answer per identity
(re-submitting replaces it); the facilitator can reveal or hide results, close the room
and export the answers. Everything lives in the database, so rooms outlive an app
restart and several app processes can share one store.

Concurrency
    Every write runs in its own short transaction. On SQLite, writes start with
    ``BEGIN IMMEDIATE`` (one writer at a time, WAL mode so readers never wait); on
    PostgreSQL, a submit locks its room row and room creation takes a transaction-level
    advisory lock. Checks such as "is the room full?" are made and acted on atomically.

Push
    Every committing write that changes what a dashboard shows (create, submit, a new
    join, reveal/hide, close) calls the commit listeners with the room code after the
    commit (see :mod:`rooms.events`). On PostgreSQL it also sends
    ``pg_notify('explorer_rooms', code)`` inside the transaction, which PostgreSQL
    delivers at commit to every replica's listener.

Failure
    A locked or unreachable database raises :class:`StoreUnavailable`; the failed write
    is rolled back and nothing committed before is lost. Reads are retried once after a
    dropped connection.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import StaticPool

from . import identity
from .codes import hash_token, new_code, new_token, normalise_code, token_matches
from .engine import WRITE_OPTION, configure_engine, create_engine, truncate_wal
from .errors import (
    ClaimExpired,
    ClaimUnknown,
    ClaimUsed,
    InvalidSeats,
    NotAuthorised,
    PassphraseRequired,
    RoomClosed,
    RoomError,
    RoomExpired,
    RoomFull,
    RoomNotFound,
    StoreUnavailable,
    TooManyAttempts,
    TooManyRooms,
    UnknownParticipant,
)
from .limits import RoomLimits
from .ratelimit import Client
from .schema import (
    answers_table,
    claims_table,
    joins_table,
    rooms_table,
    settings_table,
    upgrade,
)
from .settings import RoomSettings
from .shared_limits import DatabaseWindow, forget_old_hits
from .validation import (
    MAX_VERDICT_CHARS,
    check_short_text,
    clean_title,
    decode_answers,
    encode_answers,
)

T = TypeVar("T")
log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "explorer_rooms"
PARTICIPANT_SECRET_KEY = "participant_hmac_key"
_CODE_ATTEMPTS = 20
_READ_RETRIES = 1
_CHANGED = "explorer_rooms_changed"
# PostgreSQL advisory lock keys (arbitrary constants, 'rooms' in ASCII + n).
_PG_SCHEMA_LOCK = 0x726F6F6D7301
_PG_CREATE_LOCK = 0x726F6F6D7302


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
    seats: int  # how many participants may open the room (its facilitator sets it)
    turned_away: int = 0  # joins refused because every seat was taken


@dataclass(frozen=True)
class CreatedRoom:
    room: Room
    token: str = field(repr=False)  # goes into the facilitator's cookie; never stored


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

    ``RoomStore(url_or_engine, settings)`` builds (or adopts) an engine and brings the
    schema to the current version. ``now`` returns the current time (aware, or naive
    meaning UTC) and exists so tests can move the clock; ``limits`` defaults to a fresh
    set from the settings (one per store, so one per process in the app).
    """

    def __init__(
        self,
        url_or_engine: str | URL | Engine | None = None,
        settings: RoomSettings | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        limits: RoomLimits | None = None,
        busy_timeout_ms: int | None = None,
        upgrade_schema: bool = True,
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
            self._engine = create_engine(url, busy)
            self._owns_engine = True
        configure_engine(self._engine, busy)
        self._dialect = self._engine.dialect.name
        # An in-memory SQLite database is one shared connection: serialise use.
        self._serial: threading.RLock | None = (
            threading.RLock() if isinstance(self._engine.pool, StaticPool) else None
        )
        self._listeners: list[Callable[[str], None]] = []
        self._secret: str | None = None
        self._secret_lock = threading.Lock()
        self.limits = (
            limits
            if limits is not None
            else RoomLimits.from_settings(self.settings, window=self._shared_window)
        )
        if upgrade_schema:
            self.upgrade_schema()

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

    @property
    def is_postgresql(self) -> bool:
        return self._dialect == "postgresql"

    def dispose(self) -> None:
        """Close pooled connections (only of an engine this store created)."""
        if self._owns_engine:
            self._engine.dispose()

    def upgrade_schema(self) -> None:
        """Create or upgrade the tables; safe to run from several processes at once.

        Raises :class:`~rooms.errors.SchemaTooNew` for a newer release's
        database.
        """

        def work(conn: Connection) -> None:
            if self._dialect == "postgresql":
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_SCHEMA_LOCK)))
            upgrade(conn)

        self._run(work, write=True)

    def on_commit(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(code)`` after each commit that changed room ``code``.

        Listeners run in the writing thread and must be quick; their errors are logged
        and never undo or fail the write.
        """
        self._listeners.append(listener)

    # -- facilitator ---------------------------------------------------------

    def create_room(
        self,
        title: str = "",
        *,
        seats: int | None = None,
        client: Client | None = None,
        passphrase: str | None = None,
    ) -> CreatedRoom:
        """Open a room; the returned token is the only copy of the secret.

        ``seats`` is how many participants may open it (default ``default_room_seats``,
        at most ``max_answers_per_room``). With ``EXPLORER_FACILITATOR_PASSPHRASE`` set,
        ``passphrase`` must match it. ``client`` (when given) is limited to its hourly
        share of rooms; the database keeps a global ceiling of live rooms created in the
        last hour.
        """
        clean = clean_title(title, self.settings.max_title_chars)
        seats = self.settings.new_room_seats if seats is None else self._checked_seats(seats)
        self._check_passphrase(passphrase, client)
        ticket = None
        if client is not None:
            ticket = self.limits.rooms.try_acquire(client)
            if ticket is None:
                raise TooManyRooms()
        try:
            return self._insert_room(clean, seats)
        except (StoreUnavailable, TooManyRooms):
            if ticket is not None:
                self.limits.rooms.refund(ticket)
            raise

    def _check_passphrase(self, passphrase: str | None, client: Client | None) -> None:
        expected = self.settings.facilitator_passphrase
        if expected is None:
            return

        def check() -> None:
            given = passphrase if isinstance(passphrase, str) else ""
            digest = hashlib.sha256(given.encode("utf-8", "replace")).digest()
            wanted = hashlib.sha256(expected.get_secret_value().encode("utf-8")).digest()
            if not hmac.compare_digest(digest, wanted):
                raise PassphraseRequired()

        if client is None:
            check()
        else:
            self.limits.lookups.count_failures(client, check, (PassphraseRequired,))

    def _checked_seats(self, seats: object) -> int:
        most = self.settings.max_answers_per_room
        if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= most:
            raise InvalidSeats(limit=most)
        return seats

    def set_seats(self, code: str, token: str, seats: int) -> Room:
        """Change how many participants may open the room. Fewer seats than have been
        taken refuses newcomers only: everyone who has a seat keeps it."""
        code = normalise_code(code)
        return self._facilitator_sets(code, token, seats=self._checked_seats(seats))

    def _facilitator_sets(self, code: str, token: str, **values: Any) -> Room:
        """Set the room's columns ``values`` for its facilitator; a change is pushed."""

        def work(conn: Connection) -> Room:
            room = self._facilitator_room(conn, code, token, self._utcnow())
            if any(getattr(room, name) != value for name, value in values.items()):
                conn.execute(
                    sa.update(rooms_table).where(rooms_table.c.code == code).values(**values)
                )
                self._changed(conn, code)
            return replace(room, **values)

        return self._run(work, write=True)

    def _insert_room(self, title: str, seats: int) -> CreatedRoom:
        token = new_token()
        token_hash = hash_token(token)
        ceiling = self.settings.max_rooms_per_hour
        ttl = timedelta(hours=self.settings.room_ttl_hours)
        r = rooms_table.c
        for _ in range(_CODE_ATTEMPTS):
            code = new_code()
            now = self._utcnow()

            def work(conn: Connection, code: str = code, now: datetime = now) -> Room | None:
                if self._dialect == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_CREATE_LOCK)))
                live_recent = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(rooms_table)
                    .where(r.created_at > now - timedelta(hours=1), r.expires_at > now)
                ).scalar_one()
                if live_recent >= ceiling:
                    raise TooManyRooms()
                if conn.execute(sa.select(r.code).where(r.code == code)).first() is not None:
                    return None
                conn.execute(
                    sa.insert(rooms_table).values(
                        code=code,
                        title=title,
                        token_hash=token_hash,
                        created_at=now,
                        expires_at=now + ttl,
                        revealed=False,
                        closed=False,
                        seats=seats,
                        turned_away=0,
                    )
                )
                self._changed(conn, code)
                return Room(code, title, _aware(now), _aware(now + ttl), False, False, seats)

            try:
                room = self._run(work, write=True)
            except sa_exc.IntegrityError:
                continue  # another process took the same code just now
            if room is not None:
                return CreatedRoom(room=room, token=token)
        raise StoreUnavailable()

    def _shared_window(self, window_s: float) -> DatabaseWindow:
        """A limit window counted in this store's database (every replica shares it)."""
        return DatabaseWindow(
            window_s,
            write=lambda work: self._run(work, write=True),
            read=lambda work: self._run(work, write=False),
            clock=lambda: self._utcnow().replace(tzinfo=UTC).timestamp(),
            postgresql=self._dialect == "postgresql",
        )

    def verify_token(self, code: str, token: str) -> bool:
        """True when ``token`` is the facilitator token of room ``code``.

        False for a malformed or unknown code. Expiry is not checked here, so a
        facilitator of an expired room is told "expired" rather than "not yours".
        """
        try:
            code = normalise_code(code)
        except RoomError:
            return False
        row = self._run(lambda conn: self._room_row(conn, code), write=False)
        return row is not None and token_matches(token, row.token_hash)

    def set_revealed(self, code: str, token: str, revealed: bool) -> Room:
        """Show (True) or hide (False) the results to participants."""
        code = normalise_code(code)
        return self._facilitator_sets(code, token, revealed=bool(revealed))

    def close(self, code: str, token: str) -> Room:
        """Stop taking answers. The room stays readable until it expires."""
        return self._facilitator_sets(normalise_code(code), token, closed=True)

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
                    **decode_answers(row.answers),
                    "verdict": row.verdict,
                    "submitted_at": _aware(row.updated_at).isoformat(timespec="seconds"),
                }
                for row in result
            ]

        return self._run(work, write=False)

    # -- facilitator claims (a one-time link that sets the facilitator cookie) -----

    def create_claim(self, code: str, token: str) -> str:
        """A one-time claim for room ``code`` that :meth:`redeem_claim` turns into its token.

        It expires after ``claim_ttl_minutes`` (or with the room, if sooner). Only the
        claim's hash and the token sealed under the claim are stored.
        """
        code = normalise_code(code)
        claim = identity.new_claim()
        ttl = timedelta(minutes=self.settings.claim_ttl_minutes)

        def work(conn: Connection) -> None:
            now = self._utcnow()
            room = self._facilitator_room(conn, code, token, now)
            conn.execute(
                sa.insert(claims_table).values(
                    claim_hash=identity.claim_hash(claim),
                    room_code=code,
                    sealed_token=identity.seal_token(claim, token),
                    expires_at=min(now + ttl, room.expires_at.replace(tzinfo=None)),
                    used_at=None,
                )
            )

        self._run(work, write=True)
        return claim

    def redeem_claim(self, claim: str) -> tuple[str, str]:
        """(room code, facilitator token) for a claim, which is then used up.

        Raises ClaimUnknown, ClaimUsed, ClaimExpired, or RoomExpired. Two browsers
        redeeming one claim at once: exactly one succeeds.
        """
        if not identity.claim_well_formed(claim):
            raise ClaimUnknown()
        digest = identity.claim_hash(claim)
        c = claims_table.c

        def work(conn: Connection) -> tuple[str, str]:
            now = self._utcnow()
            taken = conn.execute(
                sa.update(claims_table)
                .where(c.claim_hash == digest, c.used_at.is_(None), c.expires_at > now)
                .values(used_at=now)
            ).rowcount
            row = conn.execute(
                sa.select(c.room_code, c.sealed_token, c.expires_at, c.used_at).where(
                    c.claim_hash == digest
                )
            ).first()
            if row is None:
                raise ClaimUnknown()
            if taken != 1:
                raise ClaimUsed() if row.used_at is not None else ClaimExpired()
            room_row = self._room_row(conn, row.room_code)
            self._live_room(room_row, now)
            token = identity.unseal_token(claim, row.sealed_token)
            if token is None or not token_matches(token, room_row.token_hash):
                raise ClaimUnknown()
            return row.room_code, token

        return self._run(work, write=True)

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
            answers = [{**decode_answers(r.answers), "verdict": r.verdict} for r in rows]
            joined_count = row.joined if row is not None else 0  # _live_room refused a missing row
            return RoomSnapshot(room=room, count=len(answers), answers=answers, joined=joined_count)

        return self._run(work, write=False)

    # -- participants ------------------------------------------------------------

    def issue_participant(self, code: str, *, client: Client | None = None) -> str:
        """A new participant identity for room ``code``: the cookie value ``<id>.<sig>``.

        ``client`` (when given) is limited to ``max_identities_per_address`` new
        identities per room per 10 minutes, and never to more than the room has seats.
        Nothing is stored until the participant joins or answers.
        """
        room = self.get_room(code)
        if client is not None:
            try:
                self.limits.identities.acquire(client, scope=room.code, ceiling=room.seats)
            except TooManyAttempts:
                if self._run(lambda conn: self._turned_away_if_full(conn, room), write=True):
                    raise RoomFull() from None  # the truer reason: no seat is left
                raise
        _participant_id, cookie = identity.sign_new_participant(self._participant_key(), room.code)
        return cookie

    def verify_participant(self, code: str, cookie_value: object) -> str | None:
        """The participant id in a cookie value this server issued for room ``code``."""
        try:
            code = normalise_code(code)
        except RoomError:
            return None
        return identity.verified_participant(self._participant_key(), code, cookie_value)

    def device_proof(self, code: str, participant: str) -> str:
        """The proof that goes with a participant identity to the page it is issued to (see
        rooms/identity.py, "Device proofs")."""
        return identity.device_proof(self._participant_key(), normalise_code(code), participant)

    def verify_device(self, code: str, participant: object, proof: object) -> bool:
        """Whether ``proof`` came with this identity from this server."""
        try:
            code = normalise_code(code)
        except RoomError:
            return False
        return identity.proof_matches(self._participant_key(), code, participant, proof)

    def submit(self, code: str, participant: str, answers: Mapping[str, str], verdict: str) -> None:
        """Save this participant's current answer, replacing any earlier one.

        ``participant`` is the signed identity from :meth:`issue_participant`; anything
        else raises :class:`UnknownParticipant`. Too many submits by one identity raise
        :class:`TooManyAttempts`. A participant without a seat takes one, or is refused
        with :class:`RoomFull` when every seat is taken (counted as turned away); one who
        has a seat is never refused for a full room.
        """
        code = normalise_code(code)
        participant_id = self._verified(code, participant)
        payload = encode_answers(answers)
        verdict = check_short_text(verdict, MAX_VERDICT_CHARS)
        self.limits.count_submit(f"{code}|{participant_id}")

        def work(conn: Connection) -> bool:
            now = self._utcnow()
            room = self._live_room(self._room_row(conn, code, for_update=True), now)
            if room.closed:
                raise RoomClosed()
            if not self._take_seat(conn, room, participant_id, now):
                return False
            self._upsert_answer(
                conn,
                {
                    "room_code": code,
                    "participant_id": participant_id,
                    "answers": payload,
                    "verdict": verdict,
                    "updated_at": now,
                },
            )
            self._changed(conn, code)
            return True

        if not self._run(work, write=True):
            raise RoomFull()

    def mark_joined(self, code: str, participant: str) -> None:
        """Give this participant a seat in the room (idempotent; nothing once the room is
        closed). :class:`RoomFull` when every seat is taken, counted as turned away."""
        code = normalise_code(code)
        participant_id = self._verified(code, participant)

        def work(conn: Connection) -> bool:
            now = self._utcnow()
            room = self._live_room(self._room_row(conn, code, for_update=True), now)
            return room.closed or self._take_seat(conn, room, participant_id, now)

        if not self._run(work, write=True):
            raise RoomFull()

    def _take_seat(self, conn: Connection, room: Room, participant_id: str, now: datetime) -> bool:
        """Whether the participant has a seat now: one taken before, or a free one taken
        now. When none is free the refusal is counted (and committed: the caller returns
        False rather than raising, so that the count is kept)."""
        j = joins_table.c
        mine = j.participant_id == participant_id
        if conn.execute(sa.select(j.participant_id).where(j.room_code == room.code, mine)).first():
            return True
        if self._turned_away_if_full(conn, room):
            return False
        self._insert_join(conn, room.code, participant_id, now)
        self._changed(conn, room.code)
        return True

    def _turned_away_if_full(self, conn: Connection, room: Room) -> bool:
        """Whether every seat is taken; if so, one more join turned away is counted."""
        j = joins_table.c
        taken = conn.execute(
            sa.select(sa.func.count()).where(j.room_code == room.code)
        ).scalar_one()
        if taken < room.seats:
            return False
        conn.execute(
            sa.update(rooms_table)
            .where(rooms_table.c.code == room.code)
            .values(turned_away=rooms_table.c.turned_away + 1)
        )
        self._changed(conn, room.code)
        return True

    def own_answer(
        self, code: str, participant: str, *, with_time: bool = False
    ) -> dict[str, str] | None:
        """This participant's current answer (with ``verdict``; with ``submitted_at`` too,
        ISO 8601 UTC as the CSV has it, when ``with_time``), or None."""
        code = normalise_code(code)
        participant_id = self._verified(code, participant)
        a = answers_table.c

        def work(conn: Connection) -> dict[str, str] | None:
            self._live_room(self._room_row(conn, code), self._utcnow())
            row = conn.execute(
                sa.select(a.answers, a.verdict, a.updated_at).where(
                    a.room_code == code, a.participant_id == participant_id
                )
            ).first()
            if row is None:
                return None
            answer = {**decode_answers(row.answers), "verdict": row.verdict}
            if with_time:
                answer["submitted_at"] = _aware(row.updated_at).isoformat(timespec="seconds")
            return answer

        return self._run(work, write=False)

    # -- housekeeping ------------------------------------------------------------

    def delete_room(self, code: str, token: str) -> None:
        """Delete the room now, with its answers, joins and claims (the facilitator's choice;
        otherwise it goes when it expires). Open pages are told it changed."""
        code = normalise_code(code)

        def work(conn: Connection) -> None:
            self._facilitator_room(conn, code, token, self._utcnow())
            for table in (answers_table, joins_table, claims_table):
                conn.execute(sa.delete(table).where(table.c.room_code == code))
            conn.execute(sa.delete(rooms_table).where(rooms_table.c.code == code))
            self._changed(conn, code)

        self._run(work, write=True)
        truncate_wal(self._engine)

    def delete_expired(self) -> int:
        """Delete expired rooms with their answers, joins and claims, expired claims, and
        limit hits no window counts any more.

        Returns how many rooms went. Idempotent, so replicas may run it at once.
        """
        now = self._utcnow()
        r = rooms_table.c

        def work(conn: Connection) -> int:
            expired = sa.select(r.code).where(r.expires_at <= now)
            for table in (answers_table, joins_table, claims_table):
                conn.execute(sa.delete(table).where(table.c.room_code.in_(expired)))
            conn.execute(sa.delete(claims_table).where(claims_table.c.expires_at <= now))
            forget_old_hits(conn, now.replace(tzinfo=UTC).timestamp())
            return conn.execute(sa.delete(rooms_table).where(r.expires_at <= now)).rowcount

        deleted = int(self._run(work, write=True))
        if deleted:
            truncate_wal(self._engine)
        return deleted

    # -- internals ---------------------------------------------------------------

    def _utcnow(self) -> datetime:
        value = self._now()
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def _verified(self, code: str, participant: object) -> str:
        participant_id = identity.verified_participant(self._participant_key(), code, participant)
        if participant_id is None:
            raise UnknownParticipant()
        return participant_id

    def _participant_key(self) -> str:
        """The database's secret for signing identities, created on first use."""
        with self._secret_lock:
            if self._secret is None:
                self._secret = self._run(self._read_secret, write=False) or self._run(
                    self._create_secret, write=True
                )
            return self._secret

    @staticmethod
    def _read_secret(conn: Connection) -> str | None:
        s = settings_table.c
        return conn.execute(
            sa.select(s.value).where(s.key == PARTICIPANT_SECRET_KEY)
        ).scalar_one_or_none()

    def _create_secret(self, conn: Connection) -> str:
        values = {"key": PARTICIPANT_SECRET_KEY, "value": identity.new_secret()}
        conn.execute(self._insert(settings_table).values(**values).on_conflict_do_nothing())
        secret = self._read_secret(conn)
        assert secret is not None  # inserted just now, or by another replica first
        return secret

    def _insert(self, table: sa.Table) -> Any:
        """INSERT with ON CONFLICT support for this store's dialect."""
        if self._dialect == "sqlite":
            return sqlite.insert(table)
        return postgresql.insert(table)

    def _insert_join(self, conn: Connection, code: str, participant_id: str, now: datetime) -> bool:
        values = {"room_code": code, "participant_id": participant_id, "joined_at": now}
        inserted = conn.execute(self._insert(joins_table).values(**values).on_conflict_do_nothing())
        return inserted.rowcount == 1

    def _upsert_answer(self, conn: Connection, values: dict[str, Any]) -> None:
        stmt = self._insert(answers_table).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[answers_table.c.room_code, answers_table.c.participant_id],
            set_={col: stmt.excluded[col] for col in ("answers", "verdict", "updated_at")},
        )
        conn.execute(stmt)

    def _changed(self, conn: Connection, code: str) -> None:
        """Mark room ``code`` changed by this transaction: NOTIFY (PostgreSQL, sent at
        commit) and the commit listeners (after commit, see :meth:`_run`)."""
        if self._dialect == "postgresql":
            conn.execute(sa.select(sa.func.pg_notify(NOTIFY_CHANNEL, code)))
        conn.info.setdefault(_CHANGED, set()).add(code)

    def _room_row(self, conn: Connection, code: str, *, for_update: bool = False) -> Any:
        query = sa.select(rooms_table).where(rooms_table.c.code == code)
        if for_update:
            query = query.with_for_update()  # PostgreSQL row lock; SQLite ignores it
        return conn.execute(query).first()

    def _live_room(self, row: Any, now: datetime) -> Room:
        if row is None:
            raise RoomNotFound()
        if now >= row.expires_at:
            raise RoomExpired()
        return _to_room(row, self.settings.max_answers_per_room)

    def _facilitator_room(self, conn: Connection, code: str, token: str, now: datetime) -> Room:
        row = self._room_row(conn, code)
        room = self._live_room(row, now)
        if not token_matches(token, row.token_hash):
            raise NotAuthorised()
        return room

    def _run(self, work: Callable[[Connection], T], *, write: bool) -> T:
        """Run ``work`` in one transaction, translating database failures.

        Reads are retried once when the connection turned out to be dead (for example
        after a database restart); writes are not retried here. After a write commits,
        the commit listeners hear of every room it changed.
        """
        retries = 0 if write else _READ_RETRIES
        for attempt in range(retries + 1):
            try:
                with self._serial if self._serial is not None else nullcontext():  # noqa: SIM117
                    with self._engine.connect() as conn:
                        conn.info.pop(_CHANGED, None)
                        if write:
                            conn.execution_options(**{WRITE_OPTION: True})
                        with conn.begin():
                            result = work(conn)
                        changed = conn.info.pop(_CHANGED, set())
                self._tell_listeners(changed)
                return result
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

    def _tell_listeners(self, codes: set[str]) -> None:
        for code in sorted(codes):
            for listener in self._listeners:
                try:
                    listener(code)
                except Exception:  # a listener must never fail a committed write
                    log.exception("room commit listener failed")


def _system_now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _to_room(row: Any, seats_before_v4: int) -> Room:
    """The room in ``row``; one made before rooms had a size has the site's most."""
    return Room(
        code=row.code,
        title=row.title,
        created_at=_aware(row.created_at),
        expires_at=_aware(row.expires_at),
        revealed=bool(row.revealed),
        closed=bool(row.closed),
        seats=row.seats if row.seats is not None else seats_before_v4,
        turned_away=int(row.turned_away or 0),
    )


__all__ = [
    "NOTIFY_CHANNEL",
    "CreatedRoom",
    "Room",
    "RoomSnapshot",
    "RoomStore",
]
