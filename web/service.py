"""The small HTTP pieces the room routes share: who the client is, the cookies and the
content they speak with. The room service itself is :mod:`rooms.services`."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from explorer import Content, default_content
from rooms import Client, Room

NO_STORE = {"Cache-Control": "no-store"}


def content() -> Content:
    """The content the routes speak with: the process's one copy."""
    return default_content()


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
    "client_of",
    "content",
    "seconds_left",
    "set_room_cookie",
    "text",
]
