"""``GET /api/rooms/{code}/events?role=facilitator|participant``: a room's live updates.

A Server-Sent-Events stream (``text/event-stream``) of ``event: changed`` lines, and a
comment every ~15 s so proxies and phones keep the connection open. Each stream lives
about 20 s, then sends ``event: rotate`` (the browser opens the next stream while this
one still delivers) so that a server restart never waits on open streams; ``event:
end`` means the room has expired and the browser should stop. The events carry
nothing but a counter: the page reruns and reads, through the store, what its holder
may see. Why SSE and not a WebSocket: the traffic is one-way (server to browser), SSE
is plain HTTP (cookies, proxies and the app's security headers apply as to any GET),
and the browser's ``EventSource`` reconnects by itself after a server restart (the
``retry:`` hint sets how soon).

Refusals carry a status and no body (only EventSource reads them): a malformed, unknown
or expired room is 404 (and counts as a failed lookup against the client, like typing a
wrong code); a facilitator stream without the room's facilitator cookie, or a participant
stream without an identity this server issued for the room, is 403 (also counted); over
the limit is 429; too many open streams in this process (participants never take the
share kept for facilitators, and one identity holds at most a few), or the database down,
is 503.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from rooms import (
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
    participant_cookie,
)
from rooms.services import Held, RoomService
from web.service import NO_STORE, client_of, seconds_left

HEARTBEAT_S = 15.0
RETRY_MS = 2000
# Streams are short-lived on purpose: the server's graceful shutdown waits for every open
# response, and nothing public tells a stream that the server is stopping, so a stream
# ends by itself within ROTATE_AFTER_S + ROTATE_OVERLAP_S. The browser opens the next
# one on "rotate" while the old one still delivers: no change is lost, no rerun is made.
ROTATE_AFTER_S = 20.0
ROTATE_OVERLAP_S = 5.0
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def events_endpoint(
    service: Callable[[], RoomService],
) -> Callable[[Request], object]:
    """The route's handler, on the room service that ``service`` returns."""

    async def room_events(request: Request) -> Response:
        try:
            role = Role(request.query_params.get("role", Role.PARTICIPANT))
        except ValueError:
            return _refused(400)
        try:
            rooms = await asyncio.to_thread(service)
            room, holder = await asyncio.to_thread(_allowed_room, rooms, request, role)
        except (RoomNotFound, RoomExpired):
            return _refused(404)
        except NotAuthorised:
            return _refused(403)
        except TooManyAttempts:
            return _refused(429, {"Retry-After": "60"})
        except RoomError:  # the database is down or busy: EventSource retries later
            return _refused(503, {"Retry-After": "5"})
        if not rooms.events.has_capacity(role):
            return _refused(503, {"Retry-After": "30"})
        stream = _stream(rooms, room, role, holder, seconds_left(room))
        return StreamingResponse(stream, media_type="text/event-stream", headers=SSE_HEADERS)

    return room_events


def _allowed_room(rooms: RoomService, request: Request, role: Role) -> tuple[Room, str]:
    """The room, if this request may follow it, and whose stream it is: the facilitator's
    key or the participant's identity, from this browser's cookie (worker thread)."""
    typed = str(request.path_params["code"])
    held = Held()
    with contextlib.suppress(InvalidCode):
        code = normalise_code(typed)
        held = Held(
            key=request.cookies.get(facilitator_cookie(code), ""),
            identity=request.cookies.get(participant_cookie(code), ""),
        )
    return rooms.follow(typed, role, client_of(request), held)


async def _stream(
    rooms: RoomService, room: Room, role: Role, holder: str, room_left_s: float
) -> AsyncIterator[str]:
    """The stream's lines until the room expires ("end": the browser stops) or the
    stream has run ROTATE_AFTER_S ("rotate": the browser opens a new stream, and this
    one keeps delivering for ROTATE_OVERLAP_S so that no change falls in the gap)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    expires = started + room_left_s
    rotate_at = started + ROTATE_AFTER_S
    ends = min(expires, rotate_at + ROTATE_OVERLAP_S)
    rotated = False
    try:
        async with rooms.events.subscribe(
            room.code, role, flags=(room.revealed, room.closed), holder=holder
        ) as subscription:
            yield f"retry: {RETRY_MS}\n: live\n\n"
            while (now := loop.time()) < ends:
                if not rotated and now >= rotate_at:
                    rotated = True
                    yield "event: rotate\ndata: \n\n"
                wake_at = ends if rotated else min(ends, rotate_at)
                if await subscription.wait(min(HEARTBEAT_S, max(0.0, wake_at - now))):
                    yield f"event: changed\ndata: {subscription.delivered}\n\n"
                elif loop.time() < wake_at:
                    yield ": keep-alive\n\n"
            if ends >= expires:
                yield "event: end\ndata: expired\n\n"
    except TooManyStreams:
        yield f"retry: {RETRY_MS * 15}\n\n"


def _refused(status: int, headers: dict[str, str] | None = None) -> Response:
    """A refusal with no body: only the browser's EventSource reads this route, and it acts
    on the status alone (no person ever sees the body)."""
    return Response(status_code=status, headers={**NO_STORE, **(headers or {})})


__all__ = [
    "HEARTBEAT_S",
    "RETRY_MS",
    "ROTATE_AFTER_S",
    "ROTATE_OVERLAP_S",
    "SSE_HEADERS",
    "events_endpoint",
]
