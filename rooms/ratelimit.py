"""Sliding-window rate limits, keyed per browser session first with a per-address ceiling.

Why it is built this way:

* **Atomic check-and-record.** A check followed by a separate record lets 30 guesses
  that arrive together all pass the check before any is recorded. Here one lock covers
  both: :meth:`SlidingWindowLimiter.try_acquire` records the attempt as it admits it.
  Where only *failures* should count (room-code lookups), the slot is taken before the
  lookup and handed back (:meth:`~SlidingWindowLimiter.refund`) when it succeeded, so
  concurrent guesses can never overshoot the limit.
* **Per session, then per address.** A class behind one NAT shares an address, so an
  address-only limit lets one guesser lock out the class. A client is counted under its
  browser session (tight limit) and its address (a higher ceiling); a request without a
  session (the app's own HTTP routes) is counted under its address with the limit the
  caller chooses for anonymous clients.
* **IPv6 grouped by /64.** One household or phone is usually given a whole /64, so each
  address in it is not a new client.

Where the attempts are counted is a :class:`Window`: :class:`SlidingWindowLimiter` counts
them in this process's memory (bounded by ``max_keys``; for tests and single-process use),
:class:`rooms.shared_limits.DatabaseWindow` in the rooms database, so that every replica
that shares the database shares one limit. No Streamlit here: pages and routes say who the
client is with :class:`Client`.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from .errors import TooManyAttempts

T = TypeVar("T")
DEFAULT_MAX_KEYS = 20_000
_MAX_KEY_CHARS = 200


def address_group(address: str | None) -> str | None:
    """The unit an address is limited as: IPv4 as is, IPv6 by its /64 network."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:_MAX_KEY_CHARS] or None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


@dataclass(frozen=True)
class Client:
    """Who an attempt counts against: the browser session (if known) and the address."""

    address: str | None = None
    session: str | None = None


@dataclass(frozen=True)
class Ticket:
    """Slots one attempt took (key, and what identifies the slot under it: its time in
    memory, its row in the database), so that they can be handed back."""

    entries: tuple[tuple[str, float], ...]


class Window(Protocol):
    """At most a limit of attempts per key in any ``window_s`` seconds, checked and recorded
    in one atomic step."""

    window_s: float

    def try_acquire(self, limits: Mapping[str, int]) -> Ticket | None: ...

    def refund(self, ticket: Ticket) -> None: ...

    def used(self, key: str) -> int: ...


class SlidingWindowLimiter:
    """At most ``limit`` attempts per key in any ``window_s`` seconds, thread-safe."""

    def __init__(
        self,
        window_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        if not window_s > 0:
            raise ValueError("window_s must be more than 0")
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self.window_s = float(window_s)
        self._clock = clock
        self._max_keys = max_keys
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def try_acquire(self, limits: Mapping[str, int]) -> Ticket | None:
        """Take one slot under every key (key -> its limit), or none if any is full."""
        with self._lock:
            now = self._clock()
            recent = {key: self._recent(key, now) for key in limits}
            if any(len(recent[key]) >= limit for key, limit in limits.items()):
                return None
            for key, times in recent.items():
                times.append(now)
                self._times[key] = times
            if len(self._times) > self._max_keys:
                self._forget(now)
            return Ticket(tuple((key, now) for key in limits))

    def refund(self, ticket: Ticket) -> None:
        """Hand back the slots of an attempt that should not count (e.g. it succeeded)."""
        with self._lock:
            for key, stamp in ticket.entries:
                times = self._times.get(key)
                if times is not None and stamp in times:
                    times.remove(stamp)
                    if not times:
                        del self._times[key]

    def used(self, key: str) -> int:
        """How many slots ``key`` holds in the current window."""
        with self._lock:
            return len(self._recent(key, self._clock()))

    def __len__(self) -> int:
        """How many keys are remembered (at most ``max_keys``)."""
        with self._lock:
            return len(self._times)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._times.get(key, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            self._times.pop(key, None)
        return times

    def _forget(self, now: float) -> None:
        for key in list(self._times):
            self._recent(key, now)
        while len(self._times) > self._max_keys:  # still too many: oldest keys first
            del self._times[next(iter(self._times))]


class ClientLimiter:
    """A limit per browser session under a higher ceiling per address (grouped /64).

    ``anonymous`` is the limit for a request that has no session (an HTTP route): it
    is counted under its address with that limit as well as the address ceiling.
    ``window`` counts the attempts (by default in this process's memory); ``name`` keeps
    this limiter's keys apart from other limiters' counted in the same window store.
    """

    def __init__(
        self,
        per_session: int,
        per_address: int,
        window_s: float,
        *,
        anonymous: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = DEFAULT_MAX_KEYS,
        window: Window | None = None,
        name: str = "",
    ) -> None:
        for name, value in (("per_session", per_session), ("per_address", per_address)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1")
        self.per_session = per_session
        self.per_address = per_address
        self.anonymous = per_session if anonymous is None else anonymous
        self.name = name
        self.window: Window = (
            window
            if window is not None
            else SlidingWindowLimiter(window_s, clock=clock, max_keys=max_keys)
        )

    def limits(self, client: Client, scope: str = "", ceiling: int | None = None) -> dict[str, int]:
        """The keys (and their limits) that an attempt by ``client`` counts under; no
        limit above ``ceiling`` when one is given."""
        group = address_group(client.address)
        session = (client.session or "")[:_MAX_KEY_CHARS]
        scope = f"{self.name}|{scope}" if self.name else scope
        keys: dict[str, int] = {}
        if session:
            keys[f"{scope}|session|{session}"] = self.per_session
        elif group:
            keys[f"{scope}|anonymous|{group}"] = self.anonymous
        else:
            keys[f"{scope}|unknown"] = self.anonymous
        if group:
            keys[f"{scope}|address|{group}"] = self.per_address
        if ceiling is not None:
            keys = {key: min(limit, max(1, ceiling)) for key, limit in keys.items()}
        return keys

    def try_acquire(
        self, client: Client, scope: str = "", ceiling: int | None = None
    ) -> Ticket | None:
        return self.window.try_acquire(self.limits(client, scope, ceiling))

    def acquire(self, client: Client, scope: str = "", ceiling: int | None = None) -> Ticket:
        """Take a slot or raise :class:`TooManyAttempts`."""
        ticket = self.try_acquire(client, scope, ceiling)
        if ticket is None:
            raise TooManyAttempts()
        return ticket

    def refund(self, ticket: Ticket) -> None:
        self.window.refund(ticket)

    def count_failures(
        self,
        client: Client,
        call: Callable[[], T],
        failures: Iterable[type[BaseException]],
        scope: str = "",
    ) -> T:
        """Run ``call`` if ``client`` may still fail; only the listed failures count.

        The slot is taken before ``call`` runs and handed back unless it raised one of
        ``failures``, so simultaneous attempts never get past the limit.
        """
        ticket = self.acquire(client, scope)
        counted = tuple(failures)
        try:
            result = call()
        except counted:
            raise
        except BaseException:
            self.refund(ticket)
            raise
        self.refund(ticket)
        return result


__all__ = [
    "Client",
    "ClientLimiter",
    "SlidingWindowLimiter",
    "Ticket",
    "TooManyAttempts",
    "Window",
    "address_group",
]
