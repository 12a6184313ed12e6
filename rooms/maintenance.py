"""Expired rooms go: answers are kept no longer than the room lives.

:func:`start_maintenance` deletes expired rooms (with their answers, joins and claims)
and expired claims once at start-up and then every ``interval_s`` seconds, in a daemon
thread. The deletes are idempotent, so two replicas doing it at once is harmless. A
failed run (the database is down) is logged and retried at the next interval.
"""

from __future__ import annotations

import logging
import threading

from .store import RoomStore

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 600.0


class Maintenance:
    """The periodic clean-up thread; ``stop()`` ends it promptly."""

    def __init__(self, store: RoomStore, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        if not interval_s > 0:
            raise ValueError("interval_s must be more than 0")
        self._store = store
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="explorer-rooms-clean", daemon=True)
        self.runs = 0  # completed clean-ups
        self.deleted = 0  # rooms deleted by this thread

    def start(self) -> Maintenance:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            try:
                self.deleted += self._store.delete_expired()
                self.runs += 1
            except Exception:  # the thread must outlive a bad night of the database
                log.warning("deleting expired rooms failed; retrying later", exc_info=True)
            if self._stop.wait(self._interval_s):
                return


def start_maintenance(store: RoomStore, *, interval_s: float = DEFAULT_INTERVAL_S) -> Maintenance:
    """Delete expired rooms now and every ``interval_s`` seconds until ``stop()``."""
    return Maintenance(store, interval_s).start()


__all__ = ["DEFAULT_INTERVAL_S", "Maintenance", "start_maintenance"]
