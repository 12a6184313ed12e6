"""The room service of this process: one store and one push broker, shared by everyone.

Pages (through ``st.cache_resource``) and the app's routes call :func:`room_service`, so
a commit made by a page's script thread reaches the SSE streams served by the route,
and the limits count one client the same wherever it comes from. Building it may fail
(a bad setting, the database down): that is raised, not cached, so the next call tries
again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rooms.events import RoomEvents
from rooms.settings import RoomSettings
from rooms.store import RoomStore


@dataclass(frozen=True)
class RoomService:
    store: RoomStore
    events: RoomEvents


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


__all__ = ["RoomService", "reset_room_service", "room_service"]
