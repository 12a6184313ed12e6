"""The live rooms' HTTP side, for ``st.App(..., routes=..., lifespan=...)`` in app.py.

``room_routes()`` lists the routes; ``rooms_lifespan`` starts, once per server process,
the PostgreSQL NOTIFY listener (only with PostgreSQL: with SQLite the one process
publishes in-process) and the expired-room clean-up, and stops both at shutdown. If the
database cannot be reached at start-up, the app still starts (the room page says what is
wrong) and the lifespan keeps trying every ``RETRY_S`` seconds in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute, Route

from rooms import DriverMissing, Maintenance, RoomError, start_maintenance
from rooms.services import RoomService, room_service
from web.facilitator import claim_endpoint
from web.participant import participant_routes
from web.room_events import events_endpoint

if TYPE_CHECKING:  # the PostgreSQL driver is an optional extra: imported only when used
    from rooms.pg_listener import PgListener

log = logging.getLogger(__name__)
RETRY_S = 30.0


def room_routes(service: Callable[[], RoomService] = room_service) -> list[BaseRoute]:
    """The rooms' routes: the facilitator's claim, the participant's page (``/j/CODE``) and
    answers, and the push stream."""
    return [
        Route("/api/rooms/claim", claim_endpoint(service), methods=["GET"]),
        *participant_routes(service),
        Route("/api/rooms/{code}/events", events_endpoint(service), methods=["GET"]),
    ]


@dataclass
class Background:
    """What runs beside the server for the rooms: the listener and the clean-up."""

    maintenance: Maintenance | None = None
    listener: PgListener | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self, rooms: RoomService) -> None:
        self.maintenance = start_maintenance(rooms.store)
        if rooms.store.is_postgresql:
            from rooms.pg_listener import PgListener

            self.listener = PgListener(
                rooms.store.engine.url,
                rooms.events.publish,
                on_reconnect=rooms.events.publish_all,
            ).start()

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        if self.maintenance is not None:
            self.maintenance.stop()


@contextlib.asynccontextmanager
async def rooms_lifespan(
    _app: Any = None, *, service: Callable[[], RoomService] = room_service
) -> AsyncIterator[dict[str, Any]]:
    """Start the rooms' background work with the server; stop it at shutdown.

    Yields the app state entry ``{"rooms_background": Background}`` (``st.App`` merges
    a lifespan's mapping into ``app.state``).
    """
    background = Background()

    async def start_when_possible() -> None:
        for _attempt in range(1_000_000):  # bounded; ends at shutdown
            try:
                background.start(await asyncio.to_thread(service))
                return
            except DriverMissing as error:  # installing it needs a restart: say so once
                log.error(
                    "EXPLORER_DATABASE_URL points at PostgreSQL, but its driver is not "
                    "installed: run %s (or use `make run`, whose lock includes it)",
                    error.params["install"],
                )
                return
            except (RoomError, ValueError) as error:  # database down, or a bad setting
                log.error("the room service is not available yet: %s", error)
            await asyncio.sleep(RETRY_S)

    background.tasks.append(asyncio.create_task(start_when_possible()))
    try:
        yield {"rooms_background": background}
    finally:
        for task in background.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.to_thread(background.stop)


__all__ = ["Background", "room_routes", "rooms_lifespan"]
