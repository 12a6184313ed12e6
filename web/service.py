"""The room service of this process: one store and one push broker, shared by everyone.

Pages (through ``st.cache_resource``) and the app's routes call :func:`room_service`, so
a commit made by a page's script thread reaches the SSE streams served by the route,
and the limits count one client the same wherever it comes from. Building it may fail
(a bad setting, the database down): that is raised, not cached, so the next call tries
again.

Also the small HTTP pieces the room routes share: who the client is, the cookies and the
content they speak with.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from explorer import Content, load_content
from explorer.rooms import Client, Room, RoomEvents, RoomSettings, RoomStore

NO_STORE = {"Cache-Control": "no-store"}


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


@functools.cache
def content() -> Content:
    """The content the routes speak with, loaded once per process."""
    return load_content()


def text(key: str, **values: object) -> str:
    """Wording for the routes' pages and answers, from content/ui.yaml (``section.key``)."""
    return content().text(key, **values)


def client_of(request: Request) -> Client:
    """The client a route's limits count: its address (routes have no browser session)."""
    return Client(address=request.client.host if request.client else None)


def seconds_left(room: Room) -> int:
    """The room's remaining life in whole seconds: a room cookie's Max-Age."""
    return max(1, int((room.expires_at - datetime.now(UTC)).total_seconds()))


def set_room_cookie(
    response: Response, request: Request, name: str, value: str, room: Room
) -> None:
    """An HttpOnly, SameSite=Strict cookie for the whole site that ends with the room."""
    response.set_cookie(
        name,
        value,
        max_age=seconds_left(room),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


__all__ = [
    "NO_STORE",
    "RoomService",
    "client_of",
    "content",
    "reset_room_service",
    "room_service",
    "seconds_left",
    "set_room_cookie",
    "text",
]
