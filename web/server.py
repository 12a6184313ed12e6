"""What `st.App` in app.py mounts: the app's routes, its middleware and its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from web.assets import asset_routes
from web.compression import compression_middleware
from web.headers import SecurityHeaders
from web.process import freeze_startup_heap
from web.rooms_routes import room_routes, rooms_lifespan
from web.stream_guard import StreamGuard


def routes() -> list[BaseRoute]:
    """The live rooms' own routes (facilitator claim, participant join, push stream) and the
    live explorer's code and style as cacheable files."""
    return [*room_routes(), *asset_routes()]


def middleware() -> list[Middleware]:
    """Security headers on every response, the WebSocket guard, and compression where the
    client accepts it (web/compression.py; ``EXPLORER_COMPRESSION=off`` turns it off)."""
    return [Middleware(SecurityHeaders), Middleware(StreamGuard), *compression_middleware()]


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
    """Once per process: freeze the start-up heap, then run the rooms' background work
    (PostgreSQL listener, expired-room clean-up) for as long as the server runs."""
    freeze_startup_heap()
    async with rooms_lifespan(app) as state:
        yield dict(state)
