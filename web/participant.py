"""``GET /api/rooms/{code}/join``: this device gets its participant identity, in a cookie.

The join link and the QR code point here. The server makes a random participant id,
signs it for the room (HMAC-SHA256 with the database's secret), sets
``explorer_participant_<CODE>=<id>.<signature>`` (HttpOnly, SameSite=Strict, Path=/,
Max-Age = the room's remaining life) and redirects (303) to ``/room?room=<CODE>``. The
identity stays on the device: the link anyone can forward holds only the room code.

A device that already holds a valid identity for the room keeps it (opening the link
again never makes a second participant). New identities are limited per address per
room, with a ceiling that a whole class behind one address stays under; an unknown
room counts as a failed lookup, like a wrong code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from explorer.rooms import (
    InvalidCode,
    Room,
    RoomError,
    RoomExpired,
    RoomNotFound,
    TooManyAttempts,
    normalise_code,
    participant_cookie,
)
from web.facilitator import room_page_url
from web.service import NO_STORE, RoomService, client_of, message_page, set_room_cookie


def join_endpoint(service: Callable[[], RoomService]) -> Callable[[Request], object]:
    """The join route's handler, on the room service that ``service`` returns."""

    async def join(request: Request) -> Response:
        try:
            rooms = await asyncio.to_thread(service)
            room, identity = await asyncio.to_thread(_identity, rooms, request)
        except TooManyAttempts:
            return message_page("too_many_attempts", 429)
        except (InvalidCode, RoomNotFound, RoomExpired) as error:
            return message_page(error.code, 404)
        except RoomError:
            return message_page("store_unavailable", 503)
        response = RedirectResponse(room_page_url(room.code), status_code=303, headers=NO_STORE)
        if identity is not None:
            set_room_cookie(response, request, participant_cookie(room.code), identity, room)
        return response

    return join


def _identity(rooms: RoomService, request: Request) -> tuple[Room, str | None]:
    """The room, and a new identity unless the device has a valid one (worker thread)."""
    store, client = rooms.store, client_of(request)
    failures = (InvalidCode, RoomNotFound, RoomExpired)

    def lookup() -> Room:
        return store.get_room(normalise_code(request.path_params["code"]))

    room = store.limits.lookups.count_failures(client, lookup, failures)
    held = request.cookies.get(participant_cookie(room.code))
    if held and store.verify_participant(room.code, held):
        return room, None
    return room, store.issue_participant(room.code, client=client)


__all__ = ["join_endpoint"]
