"""What `st.App` in app.py mounts: the app's routes, its middleware and its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from web.headers import SecurityHeaders
from web.process import freeze_startup_heap


def routes() -> list[BaseRoute]:
    return []


def middleware() -> list[Middleware]:
    return [Middleware(SecurityHeaders)]


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[dict[str, Any]]:
    """Once per process: freeze the start-up heap."""
    freeze_startup_heap()
    yield {}
