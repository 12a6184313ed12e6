"""The room service's limits, built from :class:`RoomSettings`.

The store counts them in its database (rooms.shared_limits), so every replica sharing the
database shares each limit; without a window factory (tests of the limits themselves) they
are counted in this process's memory.

* ``lookups``: failed room-code, facilitator-token, claim and passphrase attempts
  (per minute; per browser session, under a higher ceiling per address). The app's
  HTTP routes have no browser session, so their requests count per address with the
  address ceiling: a slot is held while a lookup runs, and a tighter limit would turn
  away a class whose phones all scan the QR code in the same instant. This is what
  keeps guessing a 6-character code hopeless (see docs/reliability.md for the odds).
* ``identities``: new participant identities per room (per 10 minutes), counted per
  address only, with a ceiling high enough for a whole class behind one address.
* ``submits``: answers per participant identity (per minute).
* ``rooms``: rooms one browser session creates per hour, under a ceiling per address that
  keeps a few clients from reaching the global ceiling of live rooms the store keeps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import TooManyAttempts
from .ratelimit import ClientLimiter, SlidingWindowLimiter, Window
from .settings import RoomSettings

WindowFactory = Callable[[float], Window]

LOOKUP_WINDOW_S = 60.0
IDENTITY_WINDOW_S = 600.0
SUBMIT_WINDOW_S = 60.0
ROOM_WINDOW_S = 3600.0


@dataclass(frozen=True)
class RoomLimits:
    lookups: ClientLimiter
    identities: ClientLimiter
    submits: Window
    rooms: ClientLimiter
    submits_per_window: int

    @classmethod
    def from_settings(
        cls,
        settings: RoomSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        window: WindowFactory | None = None,
    ) -> RoomLimits:
        per_address_ids = settings.max_identities_per_address
        per_client_rooms = settings.max_rooms_per_client_per_hour

        def counted(window_s: float) -> Window:
            if window is not None:
                return window(window_s)
            return SlidingWindowLimiter(window_s, clock=clock)

        per_address_lookups = max(
            settings.max_code_lookups_per_minute,
            settings.max_code_lookups_per_minute_per_address,
        )
        return cls(
            lookups=ClientLimiter(
                settings.max_code_lookups_per_minute,
                per_address_lookups,
                LOOKUP_WINDOW_S,
                anonymous=per_address_lookups,
                window=counted(LOOKUP_WINDOW_S),
                name="lookups",
            ),
            identities=ClientLimiter(
                per_address_ids,
                per_address_ids,
                IDENTITY_WINDOW_S,
                anonymous=per_address_ids,
                window=counted(IDENTITY_WINDOW_S),
                name="identities",
            ),
            submits=counted(SUBMIT_WINDOW_S),
            rooms=ClientLimiter(
                per_client_rooms,
                settings.max_rooms_per_address_per_hour,
                ROOM_WINDOW_S,
                window=counted(ROOM_WINDOW_S),
                name="rooms",
            ),
            submits_per_window=settings.max_submits_per_minute,
        )

    def count_submit(self, participant_id: str) -> None:
        """Record one submit by this identity, or raise :class:`TooManyAttempts`."""
        if self.submits.try_acquire({f"submits|{participant_id}": self.submits_per_window}) is None:
            raise TooManyAttempts()


__all__ = ["RoomLimits"]
