"""Push for live rooms: who must redraw, told the moment a room changes.

:class:`RoomEvents` fans a room's changes out to the open live-update streams of this
process (the app's SSE route). ``publish(code)`` may be called from any thread: the
store calls it after each commit (Streamlit runs scripts in threads) and, with
PostgreSQL, the NOTIFY listener calls it for commits made by other replicas.

What a subscriber hears, by role:

* a **facilitator** stream hears "changed" for every committed answer, join, reveal or
  hide, and close;
* a **participant** stream hears "changed" only when the room's revealed/closed flags
  change. The broker reads the flags when a change is published and compares them
  with the last ones it saw for that room, so a participant's stream never carries a
  hint of how many people answered, or when.

Events carry no answers and no identities: only "something changed", after which the
page reads what its holder may see through the store. Each subscriber keeps at most one
pending event (a burst of 300 answers is one wake-up, not 300 queued events), so a
slow reader can never make the server queue without bound.

A published code is never trusted: anything that is not exactly a room code (for
example a NOTIFY payload from someone else's ``pg_notify``) is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import re
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .codes import CODE_ALPHABET, CODE_LENGTH
from .errors import RoomError, TooManyStreams

if TYPE_CHECKING:
    from .store import RoomStore

log = logging.getLogger(__name__)

Flags = tuple[bool, bool]  # (revealed, closed)
FlagsReader = Callable[[str], Flags | None]

DEFAULT_MAX_SUBSCRIBERS = 2000
# Of the process's streams, this share is kept for facilitators: participants (anyone with
# a room's code can become one) can never take the streams a facilitator's dashboard needs.
FACILITATOR_SHARE = 0.1
# Streams one holder (a participant identity, a facilitator's browser) may have open at
# once: a phone with a few tabs. More identities need the join route, which limits them
# per address and per room.
MAX_STREAMS_PER_HOLDER = 3
# How often one flag check re-reads a room that changed again while it was reading.
_MAX_RECHECKS = 100
_CODE_RE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


class Role(enum.StrEnum):
    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"


def valid_code(payload: object) -> str | None:
    """``payload`` if it is exactly a canonical room code, else None."""
    if isinstance(payload, str) and _CODE_RE.fullmatch(payload):
        return payload
    return None


@dataclass(eq=False)
class Subscription:
    """One open stream's mailbox: at most one pending "changed", set from any thread."""

    code: str
    role: Role
    loop: asyncio.AbstractEventLoop
    _pending: asyncio.Event = field(default_factory=asyncio.Event)
    delivered: int = 0

    def notify(self) -> None:
        """Mark a change pending (thread-safe; a second one before delivery merges)."""
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody listens
            self.loop.call_soon_threadsafe(self._pending.set)

    async def wait(self, timeout: float) -> bool:
        """True when a change arrived within ``timeout`` seconds (and take it)."""
        try:
            await asyncio.wait_for(self._pending.wait(), timeout)
        except TimeoutError:
            return False
        self._pending.clear()
        self.delivered += 1
        return True


class RoomEvents:
    """In-process fan-out of room changes to live streams (see the module docstring)."""

    def __init__(
        self, flags: FlagsReader, *, max_subscribers: int = DEFAULT_MAX_SUBSCRIBERS
    ) -> None:
        self._flags = flags
        self._max = max_subscribers
        # Participants may fill all but the facilitators' share (at least one stream).
        self._max_participants = max(1, int(max_subscribers * (1 - FACILITATOR_SHARE)))
        self._holders: dict[str, int] = {}
        self._lock = threading.Lock()
        self._subs: dict[str, set[Subscription]] = {}
        self._known_flags: dict[str, Flags | None] = {}
        self._checking: set[str] = set()
        self._dirty: set[str] = set()
        self.ignored = 0  # payloads dropped because they were not room codes

    @classmethod
    def for_store(cls, store: RoomStore, *, max_subscribers: int | None = None) -> RoomEvents:
        """A broker that hears every commit of ``store`` and reads flags through it."""

        def flags(code: str) -> Flags | None:
            try:
                room = store.get_room(code)
            except RoomError:
                return None
            return room.revealed, room.closed

        events = cls(flags, max_subscribers=max_subscribers or store.settings.max_event_streams)
        store.on_commit(events.publish)
        return events

    # -- publishing (any thread) -------------------------------------------------

    def publish(self, payload: object) -> None:
        """Room ``payload`` changed: wake its facilitators, and its participants if
        the revealed/closed flags changed. Anything but a room code is ignored."""
        code = valid_code(payload)
        with self._lock:
            if code is None:
                self.ignored += 1
                return
            subs = list(self._subs.get(code, ()))
        for sub in subs:
            if sub.role is Role.FACILITATOR:
                sub.notify()
        if any(sub.role is Role.PARTICIPANT for sub in subs):
            self._check_flags(code)

    def publish_all(self) -> None:
        """Every subscribed room may have changed (e.g. after the NOTIFY listener
        reconnected and may have missed some)."""
        with self._lock:
            codes = list(self._subs)
        for code in codes:
            self.publish(code)

    def _check_flags(self, code: str) -> None:
        with self._lock:
            if code in self._checking:  # another thread is reading: it reads again
                self._dirty.add(code)
                return
            self._checking.add(code)
        try:
            for _ in range(_MAX_RECHECKS):
                try:
                    now = self._flags(code)
                except Exception:  # the store is down: the page's slow refresh covers it
                    log.warning("could not read the flags of a room", exc_info=True)
                    return
                with self._lock:
                    before = self._known_flags.get(code, now)
                    if code in self._subs:
                        self._known_flags[code] = now
                    subs = [s for s in self._subs.get(code, ()) if s.role is Role.PARTICIPANT]
                if now != before:
                    for sub in subs:
                        sub.notify()
                with self._lock:
                    if code not in self._dirty:
                        return
                    self._dirty.discard(code)
        finally:
            with self._lock:
                self._checking.discard(code)
                self._dirty.discard(code)

    # -- subscribing (the event loop) --------------------------------------------

    @contextlib.asynccontextmanager
    async def subscribe(
        self,
        code: str,
        role: Role | str,
        *,
        flags: Flags | None = None,
        holder: str | None = None,
    ) -> AsyncIterator[Subscription]:
        """A subscription to room ``code`` for the duration of the ``async with``.

        ``flags`` are the room's (revealed, closed) as the caller just read them: the
        baseline a participant's first change is compared with. ``holder`` names whose
        stream it is (a participant's identity, a facilitator's key): one holder has at
        most MAX_STREAMS_PER_HOLDER open. Raises :class:`TooManyStreams` past a limit.
        """
        checked = valid_code(code)
        if checked is None:
            raise ValueError("not a room code")
        sub = Subscription(checked, Role(role), asyncio.get_running_loop())
        held = f"{checked}|{holder}" if holder else None
        with self._lock:
            if not self._room_for(sub.role) or (
                held and self._holders.get(held, 0) >= MAX_STREAMS_PER_HOLDER
            ):
                raise TooManyStreams()
            self._subs.setdefault(checked, set()).add(sub)
            if held:
                self._holders[held] = self._holders.get(held, 0) + 1
            if flags is not None:
                self._known_flags.setdefault(checked, flags)
        try:
            yield sub
        finally:
            with self._lock:
                subs = self._subs.get(checked)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._subs[checked]
                        self._known_flags.pop(checked, None)
                if held:
                    left = self._holders.get(held, 1) - 1
                    if left > 0:
                        self._holders[held] = left
                    else:
                        self._holders.pop(held, None)

    def _room_for(self, role: Role) -> bool:
        """Whether another stream of ``role`` fits (call with the lock held)."""
        every = [s for subs in self._subs.values() for s in subs]
        if len(every) >= self._max:
            return False
        if role is Role.PARTICIPANT:
            return sum(s.role is Role.PARTICIPANT for s in every) < self._max_participants
        return True

    def has_capacity(self, role: Role | str = Role.FACILITATOR) -> bool:
        """Whether a stream of ``role`` would be accepted now (before its holder's limit)."""
        with self._lock:
            return self._room_for(Role(role))

    def subscribers(self, code: str | None = None) -> int:
        """Open subscriptions (to room ``code``, or to all rooms)."""
        with self._lock:
            if code is not None:
                return len(self._subs.get(code, ()))
            return sum(len(s) for s in self._subs.values())


__all__ = [
    "FACILITATOR_SHARE",
    "MAX_STREAMS_PER_HOLDER",
    "Flags",
    "Role",
    "RoomEvents",
    "Subscription",
    "valid_code",
]
