"""The few HTML pages the app's own routes serve, from Jinja2 templates (web/templates/)
with autoescape on: every word comes from content and is escaped on the way out.

- ``participant_page``: the light page a phone opens from the join link (web/participant.py);
- ``join_lobby_page``: type a room code;
- ``message_page``: one message (never a traceback) and a link back to the live room;
- ``claim_confirm_page``: asked before a link from another site signs a browser in.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse

from explorer import Content
from explorer.explain import contested_lines
from explorer.live_table import component_words, live_table
from rooms import Room
from views.assets import asset_url
from web.service import NO_STORE, content, text

TEMPLATES = Path(__file__).parent / "templates"
LIVE_EXPLORER_HTML = (
    Path(__file__).resolve().parent.parent / "views" / "live_explorer" / "live_explorer.html"
)
# Words the participant page's script shows (name in the page -> content key).
PAGE_WORDS = {
    "submit": "room.submit",
    "update": "room.update",
    "saving": "participant.saving",
    "saved": "participant.saved",
    "updated": "participant.updated",
    "not_saved": "participant.not_saved",
    "offline": "participant.offline",
    "waiting": "participant.waiting",
    "closed": "participant.closed",
    "expired": "participant.expired",
    "distribution_heading": "room.distribution_heading",
    "average_heading": "room.average_heading",
    "average_trace": "room.average_trace",
    "disagree_heading": "room.disagree_heading",
}


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def script_json(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` element: ``<``, ``>`` and ``&`` are
    written as escapes, so no text in it can end the element or start markup."""
    encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        encoded = encoded.replace(char, escape)
    return Markup(encoded)


def render(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    body = _environment().get_template(template).render(asset_url=asset_url, **values)
    return HTMLResponse(body, status_code=status, headers=NO_STORE)


@functools.cache
def _default_table() -> dict[str, Any]:
    """The decision table for the advanced inputs at their defaults (all a phone needs)."""
    return live_table(content(), {})


@functools.cache
def _live_markup() -> Markup:
    """The live explorer's own markup, the same file Explore's component mounts."""
    return Markup(LIVE_EXPLORER_HTML.read_text(encoding="utf-8"))


def participant_page(
    content: Content, room: Room, stored: dict[str, Any] | None, proof: str | None
) -> HTMLResponse:
    """The participant page of ``room`` for this device: ``stored`` is its receipt (if it
    answered), ``proof`` the device proof of an identity issued with this page (None when
    the device already held one: its page keeps the proof it was given then)."""
    title = room.title or content.text("participant.heading")
    inputs = stored["answers"] if stored else dict(content.defaults)
    boot = {
        "code": room.code,
        "table": _default_table(),
        "view": {
            "inputs": {spec.id: inputs[spec.id] for spec in content.main_inputs},
            "release": None,
            "presenter": False,
            "presenter_text": None,
            "words": component_words(content),
        },
        "words": {name: content.text(key) for name, key in PAGE_WORDS.items()},
        "receipt": stored,
        "proof": proof,
        "room": {"revealed": room.revealed, "closed": room.closed},
        "urls": {
            "answer": f"/api/rooms/{room.code}/answer",
            "identity": f"/api/rooms/{room.code}/identity",
            "picture": f"/api/rooms/{room.code}/picture",
            "events": f"/api/rooms/{room.code}/events?role=participant",
            "live_explorer": asset_url("live_explorer.js"),
        },
    }
    return render(
        "participant.html",
        title=content.text("participant.page_title", title=title),
        heading=title,
        intro=content.text("room.participant_intro"),
        button=content.text("room.update" if stored else "room.submit"),
        noscript=content.text("participant.noscript"),
        closed=room.closed,
        closed_text=content.text("participant.closed"),
        live_markup=_live_markup(),
        contested=contested_lines(content),
        boot=script_json(boot),
    )


def join_lobby_page(error: str = "", status: int = 200) -> HTMLResponse:
    """Type a room code (``GET /j?code=...`` goes on to ``/j/CODE``)."""
    return render(
        "join.html",
        status,
        title=text("participant.lobby_title"),
        intro=text("participant.lobby_intro"),
        label=text("room.code_label"),
        button=text("participant.lobby_button"),
        error=error,
    )


def claim_confirm_page(claim_link: str) -> HTMLResponse:
    """Asked before a link from another site signs this browser in as a facilitator."""
    return render(
        "claim_confirm.html",
        200,
        title=text("room.claim_confirm_title"),
        question=text("room.claim_confirm_question"),
        confirm=text("room.claim_confirm_button"),
        claim_link=claim_link,
        back=text("room_errors.back_to_room"),
    )


def message_page(key: str, status: int, **values: object) -> HTMLResponse:
    """A small page with one message from ``room_errors`` and a link back to /room."""
    message = text(f"room_errors.{key}", **values)
    return render(
        "message.html",
        status,
        title=message,
        message=message,
        back=text("room_errors.back_to_room"),
    )


__all__ = [
    "claim_confirm_page",
    "join_lobby_page",
    "message_page",
    "participant_page",
    "script_json",
]
