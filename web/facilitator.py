"""``GET /api/rooms/claim?c=<claim>``: a one-time link becomes the facilitator cookie.

After creating a room, the page makes a claim (``store.create_claim``) and sends the
browser here; a second device gets a claim link on request. This route redeems the
claim once, sets ``explorer_facilitator_<CODE>`` (HttpOnly, SameSite=Strict, Path=/,
Max-Age = the room's remaining life, Secure over https) and redirects (303) to
``/room?room=<CODE>``: no key is ever in a page's address, its history or a log's
``Referer``. A used, expired or unknown claim gets a short page saying so, with a link
to /room; failed claims count against the client like wrong room codes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from explorer.rooms import (
    ClaimExpired,
    ClaimUnknown,
    ClaimUsed,
    Room,
    RoomError,
    RoomExpired,
    RoomNotFound,
    TooManyAttempts,
    facilitator_cookie,
)
from web.service import NO_STORE, RoomService, client_of, message_page, set_room_cookie

CLAIM_FAILURES = (ClaimUnknown, ClaimUsed, ClaimExpired, RoomExpired, RoomNotFound)
_STATUS = {"claim_unknown": 404, "claim_used": 410, "claim_expired": 410, "room_expired": 410}


def room_page_url(code: str) -> str:
    """The room page's address: the room code only, never a key."""
    return f"/room?{urlencode({'room': code})}"


def claim_endpoint(service: Callable[[], RoomService]) -> Callable[[Request], object]:
    """The claim route's handler, on the room service that ``service`` returns."""

    async def claim(request: Request) -> Response:
        try:
            rooms = await asyncio.to_thread(service)
            room, token = await asyncio.to_thread(_redeem, rooms, request)
        except TooManyAttempts:
            return message_page("too_many_attempts", 429)
        except CLAIM_FAILURES as error:
            return message_page(error.code, _STATUS.get(error.code, 404))
        except RoomError:
            return message_page("store_unavailable", 503)
        response = RedirectResponse(room_page_url(room.code), status_code=303, headers=NO_STORE)
        set_room_cookie(response, request, facilitator_cookie(room.code), token, room)
        return response

    return claim


def _redeem(rooms: RoomService, request: Request) -> tuple[Room, str]:
    store = rooms.store

    def redeem() -> tuple[Room, str]:
        code, token = store.redeem_claim(request.query_params.get("c", ""))
        return store.get_room(code), token

    return store.limits.lookups.count_failures(client_of(request), redeem, CLAIM_FAILURES)


__all__ = ["claim_endpoint", "room_page_url"]
