"""``GET /api/rooms/claim?c=<claim>``: a one-time link becomes the facilitator cookie.

After creating a room, the page makes a claim (``store.create_claim``) and sends the
browser here; a second device gets a claim link on request. This route redeems the
claim once, sets ``explorer_facilitator_<CODE>`` (HttpOnly, SameSite=Strict, Path=/,
Max-Age = the room's remaining life, Secure over https) and redirects (303) to
``/room?room=<CODE>``: no key is ever in a page's address, its history or a log's
``Referer``. The one thing the claim link may carry on is ``presenter=1`` (a room created
on a projector opens in presenter view): the redirect is built here from the room's code
and, when the link says exactly that, the fixed ``presenter=1``; nothing else the request
says goes into it. A used, expired or unknown claim gets a short page saying so, with a
link to /room; failed claims count against the client like wrong room codes.

Login CSRF: a page on another site (or on another port of this host) could send a browser
to the attacker's own claim link and so sign it into the attacker's dashboard. A browser
says where a navigation came from (``Sec-Fetch-Site``); when it came from another site
the claim is not redeemed but a page asks first, and its link, followed from this site,
redeems it. A link typed, scanned or followed from the app's own pages goes straight
through. (The confirmation cannot be clicked for the person: no other site may frame
the app.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rooms import (
    Room,
    RoomError,
    TooManyAttempts,
    facilitator_cookie,
)
from rooms.addresses import PRESENTER, claim_path, room_page_url
from rooms.services import CLAIM_GUESSES, RoomService
from web.pages import claim_confirm_page, message_page
from web.service import NO_STORE, client_of, set_room_cookie

# Sec-Fetch-Site of a navigation that another site started ("same-site": another port
# of this host, or a sibling subdomain).
FROM_ANOTHER_SITE = ("cross-site", "same-site")
_STATUS = {"claim_unknown": 404, "claim_used": 410, "claim_expired": 410, "room_expired": 410}


def asks_for_presenter(request: Request) -> bool:
    """Whether the claim link says exactly ``presenter=1`` (anything else is ignored)."""
    return request.query_params.getlist(PRESENTER[0]) == [PRESENTER[1]]


def claim_endpoint(service: Callable[[], RoomService]) -> Callable[[Request], object]:
    """The claim route's handler, on the room service that ``service`` returns."""

    async def claim(request: Request) -> Response:
        if request.headers.get("sec-fetch-site", "").lower() in FROM_ANOTHER_SITE:
            claim = request.query_params.get("c", "")
            return claim_confirm_page(claim_path(claim, presenter=asks_for_presenter(request)))
        try:
            rooms = await asyncio.to_thread(service)
            room, token = await asyncio.to_thread(_redeem, rooms, request)
        except TooManyAttempts:
            return message_page("too_many_attempts", 429)
        except CLAIM_GUESSES as error:
            return message_page(error.code, _STATUS.get(error.code, 404))
        except RoomError:
            return message_page("store_unavailable", 503)
        address = room_page_url(room.code, presenter=asks_for_presenter(request))
        response = RedirectResponse(address, status_code=303, headers=NO_STORE)
        set_room_cookie(response, request, facilitator_cookie(room.code), token, room)
        return response

    return claim


def _redeem(rooms: RoomService, request: Request) -> tuple[Room, str]:
    return rooms.redeem_claim(request.query_params.get("c", ""), client_of(request))


__all__ = ["claim_endpoint"]
