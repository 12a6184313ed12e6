"""``GET /api/rooms/{code}/events?role=facilitator|participant``: a room's live updates.

A Server-Sent-Events stream (``text/event-stream``) of ``event: changed`` lines, and a
comment every ~15 s so proxies and phones keep the connection open. The events carry
nothing but a counter: the page reruns and reads, through the store, what its holder
may see. Why SSE and not a WebSocket: the traffic is one-way (server to browser), SSE
is plain HTTP (cookies, proxies and the app's security headers apply as to any GET),
and the browser's ``EventSource`` reconnects by itself after a server restart (the
``retry:`` hint sets how soon).

Refusals: a malformed, unknown or expired room is 404 (and counts as a failed lookup
against the client, like typing a wrong code); a facilitator stream without the room's
facilitator cookie is 403 (also counted); over the limit is 429; too many open streams
in this process, or the database down, is 503.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from explorer.rooms import (
    InvalidCode,
    NotAuthorised,
    Role,
    Room,
    RoomError,
    RoomExpired,
    RoomNotFound,
    TooManyAttempts,
    TooManyStreams,
    facilitator_cookie,
    normalise_code,
)
from web.service import NO_STORE, RoomService, client_of, seconds_left

HEARTBEAT_S = 15.0
RETRY_MS = 2000
# A stream ends after this long (or when its room expires); EventSource then reconnects.
MAX_STREAM_S = 3600.0
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def events_endpoint(
    service: Callable[[], RoomService],
) -> Callable[[Request], object]:
    """The route's handler, on the room service that ``service`` returns."""

    async def room_events(request: Request) -> Response:
        try:
            role = Role(request.query_params.get("role", Role.PARTICIPANT))
        except ValueError:
            return _plain("unknown role", 400)
        try:
            rooms = await asyncio.to_thread(service)
            room = await asyncio.to_thread(_allowed_room, rooms, request, role)
        except (RoomNotFound, RoomExpired):
            return _plain("no such room", 404)
        except NotAuthorised:
            return _plain("facilitator only", 403)
        except TooManyAttempts:
            return _plain("too many attempts", 429, {"Retry-After": "60"})
        except RoomError:  # the database is down or busy: EventSource retries later
            return _plain("unavailable", 503, {"Retry-After": "5"})
        if not rooms.events.has_capacity():
            return _plain("too many streams", 503, {"Retry-After": "30"})
        stream = _stream(rooms, room, role, seconds_left(room))
        return StreamingResponse(stream, media_type="text/event-stream", headers=SSE_HEADERS)

    return room_events


def _allowed_room(rooms: RoomService, request: Request, role: Role) -> Room:
    """The room, if this request may follow it (runs in a worker thread)."""
    store, client = rooms.store, client_of(request)

    def lookup() -> Room:
        code = normalise_code(request.path_params["code"])
        room = store.get_room(code)
        if role is Role.FACILITATOR:
            token = request.cookies.get(facilitator_cookie(room.code), "")
            if not token or not store.verify_token(room.code, token):
                raise NotAuthorised()
        return room

    # An expired room is no sign of guessing (its code was real): not counted.
    failures = (RoomNotFound, NotAuthorised, InvalidCode)
    try:
        return store.limits.lookups.count_failures(client, lookup, failures)
    except InvalidCode as error:
        raise RoomNotFound() from error


async def _stream(
    rooms: RoomService, room: Room, role: Role, room_left_s: float
) -> AsyncIterator[str]:
    """The stream's lines, until the room expires ("end": do not reconnect) or
    MAX_STREAM_S has passed (the browser reconnects)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(MAX_STREAM_S, room_left_s)
    try:
        async with rooms.events.subscribe(
            room.code, role, flags=(room.revealed, room.closed)
        ) as subscription:
            yield f"retry: {RETRY_MS}\n: live\n\n"
            while (left := deadline - loop.time()) > 0:
                if await subscription.wait(min(HEARTBEAT_S, left)):
                    yield f"event: changed\ndata: {subscription.delivered}\n\n"
                else:
                    yield ": keep-alive\n\n"
            if room_left_s <= MAX_STREAM_S:
                yield "event: end\ndata: expired\n\n"
    except TooManyStreams:
        yield f"retry: {RETRY_MS * 15}\n\n"


def _plain(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message, status_code=status, headers={**NO_STORE, **(headers or {})})


__all__ = ["HEARTBEAT_S", "MAX_STREAM_S", "RETRY_MS", "SSE_HEADERS", "events_endpoint"]
