"""The room service of this process: one store and one push broker, shared by everyone, and
the one place that decides who may look a room up without counting as a guess.

Guessing room codes is limited per client (rooms.limits). A browser that holds a key or an
identity this server issued for the room (a made-up cookie vouches for nothing), or a page
session that already opened the room, is looked up directly, so guessing from the same
address (a class behind one NAT) never locks anyone out of the room they are in. Routes
(web/) and pages (views/) call the methods below rather than the limits themselves.

Pages (through ``st.cache_resource``) and the app's routes call :func:`room_service`, so
a commit made by a page's script thread reaches the SSE streams served by the route,
and the limits count one client the same wherever it comes from. Building it may fail
(a bad setting, the database down): that is raised, not cached, so the next call tries
again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from rooms.codes import normalise_code
from rooms.errors import (
    ClaimExpired,
    ClaimUnknown,
    ClaimUsed,
    InvalidCode,
    NotAuthorised,
    RoomExpired,
    RoomNotFound,
)
from rooms.events import Role, RoomEvents
from rooms.ratelimit import Client
from rooms.settings import RoomSettings
from rooms.store import Room, RoomStore

T = TypeVar("T")
# What counts as a guess: a code that is no room. An expired room's code was real.
GUESSES = (InvalidCode, RoomNotFound, RoomExpired)
CLAIM_GUESSES = (ClaimUnknown, ClaimUsed, ClaimExpired, RoomExpired, RoomNotFound)
STREAM_GUESSES = (RoomNotFound, NotAuthorised, InvalidCode)


@dataclass(frozen=True)
class Held:
    """What a browser holds for one room: its facilitator key and participant identity
    (cookies; empty when absent)."""

    key: str = ""
    identity: str = ""


@dataclass(frozen=True)
class RoomService:
    store: RoomStore
    events: RoomEvents

    def vouched(self, code: str, held: Held) -> bool:
        """Whether ``held`` is a key or an identity this server issued for room ``code``."""
        store = self.store
        return bool(
            (held.key and store.verify_token(code, held.key))
            or (held.identity and store.verify_participant(code, held.identity))
        )

    def open_room(self, typed: str, client: Client, held: Held, *, known: bool = False) -> Room:
        """The room at ``typed``: directly for a vouched browser or a room this session
        already opened (``known``), otherwise under the client's limit on guesses."""
        if known or self.vouched(typed, held):
            return self.store.get_room(typed)
        return self._guarded(client, lambda: self.store.get_room(typed), GUESSES)

    def join(self, typed: str, client: Client, held: Held) -> tuple[Room, str, bool]:
        """The room, this device's identity in it, and whether the identity is new: the
        one it holds if this server issued it, otherwise a fresh one (limited per client)."""
        try:
            code = normalise_code(typed)
        except InvalidCode:
            code = ""
        if code and held.identity and self.store.verify_participant(code, held.identity):
            return self.store.get_room(code), held.identity, False
        room = self._guarded(client, lambda: self.store.get_room(typed), GUESSES)
        return room, self.store.issue_participant(room.code, client=client), True

    def follow(self, typed: str, role: Role, client: Client, held: Held) -> tuple[Room, str]:
        """The room whose live updates this browser may follow in ``role``, and whose
        stream it is (the key or the identity it holds); guesses are limited."""

        def lookup() -> tuple[Room, str]:
            room = self.store.get_room(normalise_code(typed))
            if role is Role.FACILITATOR:
                if not held.key or not self.store.verify_token(room.code, held.key):
                    raise NotAuthorised()
                return room, held.key
            if not held.identity or not self.store.verify_participant(room.code, held.identity):
                raise NotAuthorised()
            return room, held.identity

        try:
            return self._guarded(client, lookup, STREAM_GUESSES)
        except InvalidCode as error:
            raise RoomNotFound() from error

    def redeem_claim(self, claim: str, client: Client) -> tuple[Room, str]:
        """The room and its facilitator key for a one-time claim; failed claims count as
        guesses."""

        def redeem() -> tuple[Room, str]:
            code, token = self.store.redeem_claim(claim)
            return self.store.get_room(code), token

        return self._guarded(client, redeem, CLAIM_GUESSES)

    def _guarded(
        self, client: Client, call: Callable[[], T], guesses: tuple[type[Exception], ...]
    ) -> T:
        return self.store.limits.lookups.count_failures(client, call, guesses)


_lock = threading.Lock()
_service: RoomService | None = None


def room_service() -> RoomService:
    """The process-wide store and broker, built on first use from the environment."""
    global _service
    with _lock:
        if _service is None:
            store = RoomStore.from_settings(RoomSettings.from_env())
            _service = RoomService(store, RoomEvents.for_store(store))
        return _service


def reset_room_service() -> None:
    """Forget this process's room service and dispose of its store's connections, so the
    next :func:`room_service` is built afresh from the environment.

    For tests that point the app at a private database (``EXPLORER_DATA_DIR`` or
    ``EXPLORER_DATABASE_URL``): clear ``st.cache_resource`` too, which holds the pages'
    handle on the old service. Background work started on the old service (the
    PostgreSQL listener, maintenance) belongs to the server's lifespan and is not stopped
    here.
    """
    global _service
    with _lock:
        old, _service = _service, None
    if old is not None:
        old.store.dispose()


__all__ = ["Held", "RoomService", "reset_room_service", "room_service"]
