"""Where a room lives on the web: the addresses web/ serves and views/ link to.

A room's addresses carry its code and, for a projector, ``presenter=1``; never a key, an
identity or a claim except in the claim link itself (which is used once).
"""

from __future__ import annotations

from urllib.parse import urlencode

PRESENTER = ("presenter", "1")  # the only parameter the claim route passes on


def claim_path(claim: str, *, presenter: bool = False) -> str:
    """The claim route's address for a claim; with ``presenter``, the room opens in
    presenter view."""
    return f"/api/rooms/claim?{urlencode([('c', claim), *([PRESENTER] if presenter else [])])}"


def room_page_url(code: str, *, presenter: bool = False) -> str:
    """The room page's address: the room code (and presenter=1) only, never a key."""
    return f"/room?{urlencode([('room', code), *([PRESENTER] if presenter else [])])}"


def join_path(code: str) -> str:
    """The short join address of room ``code``: what the QR code and the projector show."""
    return f"/j/{code}"


__all__ = ["PRESENTER", "claim_path", "join_path", "room_page_url"]
