"""The participant's light page and its small JSON API: no Streamlit session per phone.

``GET /j/{code}`` is the join link (on the projector and in the QR code). It gives this
device its participant identity (a signed id in an HttpOnly, SameSite=Strict cookie, kept
if the device already holds a valid one: opening the link again never makes a second
participant) and answers with the participant page itself, in one response: the live
explorer's markup, style and code (the same files Explore uses, from the assets route),
the decision table, and the answer this device stored, if any.

``POST /api/rooms/{code}/answer`` stores the four answers the sliders showed at the tap
and answers with the answer *as stored*, read back after the write, which the page shows.
It is refused unless the request comes from this app's own page (``Origin`` is exactly
this server's address: web/origin.py), carries JSON, holds the identity cookie and the
device proof that came with it (``X-Explorer-Proof``: an identity planted by a page on
another port of the same host has none; rooms/identity.py); the answer is
validated like any input (unknown keys or options are refused in content's words). A page
without a proof (its storage was cleared, or the cookie was planted) asks
``POST /api/rooms/{code}/identity`` for a fresh identity and its proof.
``GET /api/rooms/{code}/picture`` is the room's picture for participants: flags only while
hidden; once revealed, the verdict distribution, the average needs and where the room
disagrees, never anyone's answer.

``GET /j`` is a small lobby where a code can be typed; ``/api/rooms/{code}/join`` (the
join address of earlier releases, still on printed QR codes) redirects to ``/j/{code}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from explorer import Content, evaluate
from rooms import (
    InvalidCode,
    Room,
    RoomError,
    RoomFull,
    StoreUnavailable,
    TooManyAttempts,
    normalise_code,
    participant_cookie,
)
from rooms.addresses import join_path
from rooms.services import GUESSES, Held, RoomService
from rooms.statistics import room_stats
from web.origin import same_origin
from web.pages import join_lobby_page, message_page, participant_page
from web.service import NO_STORE, client_of, content, set_room_cookie, text

MAX_ANSWER_BYTES = 2048  # four option ids as JSON are about 100 bytes
PROOF_HEADER = "x-explorer-proof"
NOT_THIS_DEVICE = "device"  # the answer's "reason" when the proof does not match
_STATUS = {
    "room_closed": 409,
    "room_full": 409,
    "room_expired": 410,
    "room_not_found": 404,
    "participant_unknown": 403,
    "too_many_attempts": 429,
    "invalid_answer": 400,
}


class AnswerRefused(Exception):
    """An answer that cannot be stored: the content key that says why (with its values)
    and the HTTP status to answer with."""

    def __init__(self, key: str, status: int = 400, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
        self.status = status


# --------------------------------------------------------------------------- reading


def read_answer(content: Content, payload: object) -> dict[str, str]:
    """The four main answers from a JSON object, or :class:`AnswerRefused` saying, in
    content's words, which key or value is wrong and what the valid ones are."""
    if not isinstance(payload, dict):
        raise AnswerRefused("participant.not_an_answer")
    specs = {spec.id: spec for spec in content.main_inputs}
    for key in payload:
        if key not in specs:
            valid = ", ".join(specs)
            raise AnswerRefused("participant.unknown_input", name=str(key)[:40], valid=valid)
    answer = {}
    for input_id, spec in specs.items():
        if input_id not in payload:
            raise AnswerRefused("participant.missing_input", input=spec.label)
        value = payload[input_id]
        if not isinstance(value, str) or value not in spec.option_ids:
            raise AnswerRefused(
                "participant.unknown_option",
                value=str(value)[:40],
                input=spec.label,
                valid=", ".join(spec.option_ids),
            )
        answer[input_id] = value
    return answer


async def read_json_body(request: Request) -> object:
    """The request's JSON body, at most MAX_ANSWER_BYTES, read without trusting its length."""
    if not request.headers.get("content-type", "").lower().startswith("application/json"):
        raise AnswerRefused("participant.not_an_answer", 415)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            raise AnswerRefused("participant.not_an_answer", 413)
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise AnswerRefused("participant.not_an_answer") from None


def receipt(content: Content, stored: Mapping[str, str] | None) -> dict[str, Any] | None:
    """The stored answer as the page shows it: each input and option in words, the verdict
    and when it was stored (None when this device has not answered)."""
    if not stored:
        return None
    specs = content.main_inputs
    if any(stored.get(spec.id) not in spec.option_ids for spec in specs):
        return None  # stored by an older release with other options: ask again
    verdict = str(stored.get("verdict", ""))
    approach = content.verdict.approaches.get(verdict)
    return {
        "answers": {spec.id: stored[spec.id] for spec in specs},
        "lines": [
            text(
                "participant.stored_line",
                input=spec.label,
                option=spec.option(stored[spec.id]).label,
            )
            for spec in specs
        ],
        "verdict": verdict,
        "verdict_line": text(
            "participant.stored_verdict", headline=approach.headline if approach else verdict
        ),
        "submitted_at": stored.get("submitted_at", ""),
    }


def picture(content: Content, rooms: RoomService, code: str) -> dict[str, Any]:
    """What a participant may see of the room: its flags, and once revealed its picture."""
    snapshot = rooms.store.snapshot(code)
    room = snapshot.room
    shown: dict[str, Any] = {"revealed": room.revealed, "closed": room.closed}
    if not room.revealed or not snapshot.answers:
        return shown
    stats = room_stats(content, snapshot.answers)
    headlines = {k: v.headline for k, v in content.verdict.approaches.items()}
    distribution = [
        {"verdict": verdict, "headline": headlines[verdict], "count": count}
        for verdict, count in stats.distribution.items()
    ]
    lines = []
    for dim, _ in stats.disagreement:
        low, high = round(stats.low[dim]), round(stats.high[dim])
        key = "room.disagree_line" if low != high else "room.agree_line"
        label = content.dimension_by_id[dim].label
        lines.append(content.text(key, dimension=label, low=low, high=high).replace("**", ""))
    parts = "; ".join(
        text("participant.distribution_item", headline=d["headline"], count=d["count"])
        for d in distribution
    )
    return {
        **shown,
        "answered": stats.answered,
        "distribution": distribution,
        "average": [round(stats.average[d.id], 1) for d in content.dimensions],
        "disagreement": lines,
        "summary": text("participant.picture_summary", answered=stats.answered, parts=parts),
    }


# --------------------------------------------------------------------------- routes


def _room_and_identity(rooms: RoomService, request: Request) -> tuple[Room, str, bool]:
    """The room, this device's identity, and whether it is new (worker thread)."""
    typed = str(request.path_params["code"])
    held = ""
    with contextlib.suppress(InvalidCode):
        held = request.cookies.get(participant_cookie(normalise_code(typed)), "")
    return rooms.join(typed, client_of(request), Held(identity=held))


def _identity(rooms: RoomService, request: Request, code: str, *, proven: bool = False) -> str:
    """This request's identity in room ``code``; with ``proven``, only with its proof."""
    held = request.cookies.get(participant_cookie(code), "")
    if not held or not rooms.store.verify_participant(code, held):
        raise AnswerRefused("room_errors.participant_unknown", 403)
    if proven and not rooms.store.verify_device(code, held, request.headers.get(PROOF_HEADER)):
        raise AnswerRefused("room_errors.participant_unknown", 403, reason=NOT_THIS_DEVICE)
    return held


def _opened(rooms: RoomService, request: Request) -> tuple[Room, str, str | None, dict | None]:
    """The room, this device's identity, the proof of a newly issued one (None for one the
    device already held) and its stored answer."""
    room, me, new = _room_and_identity(rooms, request)
    with contextlib.suppress(StoreUnavailable):  # busy: the first answer takes the seat
        rooms.store.mark_joined(room.code, me)
    proof = rooms.store.device_proof(room.code, me) if new else None
    return room, me, proof, rooms.store.own_answer(room.code, me, with_time=True)


def _fresh_identity(rooms: RoomService, request: Request, code: str) -> tuple[Room, str, str]:
    """A new identity for this device, and its proof (the old one could not be proven)."""
    store = rooms.store
    room = store.get_room(code)
    me = store.issue_participant(room.code, client=client_of(request))
    with contextlib.suppress(StoreUnavailable):
        store.mark_joined(room.code, me)
    return room, me, store.device_proof(room.code, me)


def participant_routes(service: Callable[[], RoomService]) -> list[BaseRoute]:
    """The participant's page and API on the room service that ``service`` returns."""

    async def join(request: Request) -> Response:
        try:
            rooms = await asyncio.to_thread(service)
            room, me, proof, stored = await asyncio.to_thread(_opened, rooms, request)
        except TooManyAttempts:
            return message_page("too_many_attempts", 429)
        except GUESSES as error:
            return join_lobby_page(error=text(f"room_errors.{error.code}"), status=404)
        except RoomFull:  # every seat taken: the facilitator is told and can add seats
            return message_page("room_full", 409)
        except RoomError:
            return message_page("store_unavailable", 503)
        page = participant_page(content(), room, receipt(content(), stored), proof)
        if proof is not None:
            set_room_cookie(page, request, participant_cookie(room.code), me, room)
        return page

    async def lobby(request: Request) -> Response:
        typed = request.query_params.get("code")
        if typed is None:
            return join_lobby_page()
        try:
            return RedirectResponse(join_path(normalise_code(typed)), 303, headers=NO_STORE)
        except InvalidCode:
            return join_lobby_page(error=text("room_errors.invalid_code"), status=400)

    async def earlier_join_address(request: Request) -> Response:
        try:
            code = normalise_code(request.path_params["code"])
        except InvalidCode:
            return join_lobby_page(error=text("room_errors.invalid_code"), status=404)
        return RedirectResponse(join_path(code), 308, headers=NO_STORE)

    async def answer(request: Request) -> Response:
        try:
            if not same_origin(request.headers, request.url.scheme):
                raise AnswerRefused("participant.not_this_site", 403)
            code = normalise_code(request.path_params["code"])
            chosen = read_answer(content(), await read_json_body(request))
            rooms = await asyncio.to_thread(service)
            stored = await asyncio.to_thread(_store_answer, rooms, request, code, chosen)
        except AnswerRefused as refused:
            return _refused(refused)
        except RoomError as error:
            message = text(f"room_errors.{error.code}", **error.params)
            return _error(message, _STATUS.get(error.code, 503))
        return JSONResponse({"receipt": receipt(content(), stored)}, headers=NO_STORE)

    async def identity(request: Request) -> Response:
        try:
            if not same_origin(request.headers, request.url.scheme):
                raise AnswerRefused("participant.not_this_site", 403)
            code = normalise_code(request.path_params["code"])
            rooms = await asyncio.to_thread(service)
            room, me, proof = await asyncio.to_thread(_fresh_identity, rooms, request, code)
        except AnswerRefused as refused:
            return _error(text(refused.key, **refused.values), refused.status)
        except RoomError as error:
            message = text(f"room_errors.{error.code}", **error.params)
            return _error(message, _STATUS.get(error.code, 503))
        response = JSONResponse({"proof": proof}, headers=NO_STORE)
        set_room_cookie(response, request, participant_cookie(room.code), me, room)
        return response

    async def room_picture(request: Request) -> Response:
        try:
            code = normalise_code(request.path_params["code"])
            rooms = await asyncio.to_thread(service)
            await asyncio.to_thread(_identity, rooms, request, code)
            shown = await asyncio.to_thread(picture, content(), rooms, code)
        except AnswerRefused as refused:
            return _error(text(refused.key, **refused.values), refused.status)
        except RoomError as error:
            return _error(text(f"room_errors.{error.code}"), _STATUS.get(error.code, 503))
        return JSONResponse(shown, headers=NO_STORE)

    return [
        Route("/j", lobby, methods=["GET"]),
        Route("/j/{code}", join, methods=["GET"]),
        Route("/api/rooms/{code}/join", earlier_join_address, methods=["GET"]),
        Route("/api/rooms/{code}/answer", answer, methods=["POST"]),
        Route("/api/rooms/{code}/identity", identity, methods=["POST"]),
        Route("/api/rooms/{code}/picture", room_picture, methods=["GET"]),
    ]


def _store_answer(
    rooms: RoomService, request: Request, code: str, chosen: dict[str, str]
) -> dict[str, str] | None:
    """Store the answer, then read it back: the page shows what the store holds."""
    me = _identity(rooms, request, code, proven=True)
    rooms.store.submit(code, me, chosen, evaluate(chosen, content=content()).verdict)
    return rooms.store.own_answer(code, me, with_time=True)


def _error(message: str, status: int, reason: str = "") -> JSONResponse:
    body = {"error": message, **({"reason": reason} if reason else {})}
    return JSONResponse(body, status_code=status, headers=NO_STORE)


def _refused(refused: AnswerRefused) -> JSONResponse:
    """An answer refused in content's words; ``reason`` tells the page what to do."""
    values = {k: v for k, v in refused.values.items() if k != "reason"}
    reason = str(refused.values.get("reason", ""))
    return _error(text(refused.key, **values), refused.status, reason)


__all__ = [
    "AnswerRefused",
    "participant_routes",
    "picture",
    "read_answer",
    "receipt",
]
