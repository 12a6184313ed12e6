"""A limit on failed room-code and token lookups per client, against code guessing.

Room codes are short (31^6, about 29.7 bits), so what keeps a guesser from finding a
live room is how few guesses they get: each client may fail at most
``max_failures`` lookups in any ``window_s`` seconds (a sliding window). Successful
lookups are never counted, so people who type their code right are never slowed.

The limiter is process-wide and thread-safe (one per app process, shared by every
session); memory is bounded by ``max_clients``. No Streamlit here: the page decides
what identifies a client (its IP address, or its session when there is none).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from .errors import RoomError

DEFAULT_WINDOW_S = 60.0
DEFAULT_MAX_CLIENTS = 10_000


class TooManyAttempts(RoomError):
    default_message = "Too many attempts — wait a minute, then try again."


class FailedLookupLimiter:
    """Sliding-window count of failed lookups per client key."""

    def __init__(
        self,
        max_failures: int,
        window_s: float = DEFAULT_WINDOW_S,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = DEFAULT_MAX_CLIENTS,
    ) -> None:
        if isinstance(max_failures, bool) or not isinstance(max_failures, int) or max_failures < 1:
            raise ValueError("max_failures must be a whole number >= 1")
        if not window_s > 0:
            raise ValueError("window_s must be more than 0")
        self.max_failures = max_failures
        self.window_s = float(window_s)
        self._clock = clock
        self._max_clients = max_clients
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allowed(self, client: str) -> bool:
        """True while ``client`` has fewer than ``max_failures`` failures in the window."""
        with self._lock:
            return len(self._recent(client, self._clock())) < self.max_failures

    def record_failure(self, client: str) -> None:
        with self._lock:
            now = self._clock()
            times = self._recent(client, now)
            times.append(now)
            # Only the newest max_failures times can matter for allowed().
            while len(times) > self.max_failures:
                times.popleft()
            self._failures[client] = times
            if len(self._failures) > self._max_clients:
                self._forget_old(now)

    def retry_after(self, client: str) -> float:
        """Seconds until ``client`` may look up again (0 when it may now)."""
        with self._lock:
            now = self._clock()
            times = self._recent(client, now)
            if len(times) < self.max_failures:
                return 0.0
            return max(0.0, times[0] + self.window_s - now)

    def __len__(self) -> int:
        """How many clients have failures remembered (at most ``max_clients``)."""
        with self._lock:
            return len(self._failures)

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.get(client, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            self._failures.pop(client, None)
        return times

    def _forget_old(self, now: float) -> None:
        for key in list(self._failures):
            self._recent(key, now)
        # Still too many clients failing at once: forget the oldest first.
        while len(self._failures) > self._max_clients:
            del self._failures[next(iter(self._failures))]


__all__ = ["DEFAULT_WINDOW_S", "FailedLookupLimiter", "TooManyAttempts"]
