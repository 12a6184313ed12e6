"""Errors raised by the live-room store, its limiter and its routes.

Each error has a stable ``code`` (``"room_not_found"``, ``"room_full"``, ...): the pages
show ``content.text(f"room_errors.{err.code}", **err.params)``, so every word a person
reads lives in ``content/ui.yaml``. ``message`` is an English fallback for logs and
developers only; like the user text, it never names tables, SQL, file paths or drivers.
The underlying cause (if any) is chained with ``raise ... from`` for the logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar


class RoomError(Exception):
    """Base class: ``code`` names the user text, ``params`` fill its placeholders."""

    code: ClassVar[str] = "room_error"
    default_message: ClassVar[str] = "Something went wrong with the room."

    def __init__(self, message: str | None = None, **params: object) -> None:
        self.message = message or self.default_message
        self.params: Mapping[str, object] = MappingProxyType(dict(params))
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class RoomNotFound(RoomError):
    code = "room_not_found"
    default_message = "There is no room with that code. Check the code and try again."


class RoomClosed(RoomError):
    code = "room_closed"
    default_message = "This room is closed and no longer takes answers."


class RoomExpired(RoomError):
    code = "room_expired"
    default_message = "This room has expired. Ask the facilitator for a new code."


class NotAuthorised(RoomError):
    code = "not_authorised"
    default_message = "Only the facilitator of this room can do that."


class RoomFull(RoomError):
    code = "room_full"
    default_message = "This room is full and can't take more participants."


class TooManyRooms(RoomError):
    code = "too_many_rooms"
    default_message = "Too many rooms have been opened recently. Please try again later."


class PassphraseRequired(RoomError):
    code = "passphrase_wrong"
    default_message = "Creating a room needs the facilitator passphrase of this site."


class InvalidTitle(RoomError):
    code = "title_invalid"
    default_message = "That room title can't be used."


class TitleTooLong(InvalidTitle):
    code = "title_too_long"
    default_message = "The room title is too long."


class TitleControlCharacters(InvalidTitle):
    code = "title_control_characters"
    default_message = "The room title can't contain line breaks or control characters."


class TitleFormatCharacters(InvalidTitle):
    code = "title_format_characters"
    default_message = (
        "The room title can't contain invisible formatting characters "
        "(such as text-direction or zero-width marks)."
    )


class InvalidCode(RoomError):
    code = "invalid_code"
    default_message = "Room codes are 6 letters and digits, for example ABC234."


class InvalidAnswer(RoomError):
    code = "invalid_answer"
    default_message = "That answer couldn't be saved. Please reload the page and try again."


class UnknownParticipant(RoomError):
    """The participant identity was not issued by this server for this room."""

    code = "participant_unknown"
    default_message = "This device has not joined the room yet. Open the room's join link."


class ClaimUnknown(RoomError):
    code = "claim_unknown"
    default_message = "That facilitator link is not valid."


class ClaimUsed(RoomError):
    code = "claim_used"
    default_message = "That facilitator link has already been used."


class ClaimExpired(RoomError):
    code = "claim_expired"
    default_message = "That facilitator link has expired."


class TooManyAttempts(RoomError):
    code = "too_many_attempts"
    default_message = "Too many attempts — wait a minute, then try again."


class TooManyStreams(RoomError):
    code = "too_many_streams"
    default_message = "Too many live connections right now; the page refreshes by itself."


class StoreUnavailable(RoomError):
    code = "store_unavailable"
    default_message = "The room is busy right now — please try again in a moment."


class SchemaTooNew(RoomError):
    """The database was written by a newer release: refuse it rather than damage it."""

    code = "schema_too_new"
    default_message = "The room database comes from a newer version of this app."


ALL_ERRORS: tuple[type[RoomError], ...] = (
    RoomNotFound,
    RoomClosed,
    RoomExpired,
    NotAuthorised,
    RoomFull,
    TooManyRooms,
    PassphraseRequired,
    InvalidTitle,
    TitleTooLong,
    TitleControlCharacters,
    TitleFormatCharacters,
    InvalidCode,
    InvalidAnswer,
    UnknownParticipant,
    ClaimUnknown,
    ClaimUsed,
    ClaimExpired,
    TooManyAttempts,
    TooManyStreams,
    StoreUnavailable,
    SchemaTooNew,
)

__all__ = [
    "ALL_ERRORS",
    "ClaimExpired",
    "ClaimUnknown",
    "ClaimUsed",
    "InvalidAnswer",
    "InvalidCode",
    "InvalidTitle",
    "NotAuthorised",
    "PassphraseRequired",
    "RoomClosed",
    "RoomError",
    "RoomExpired",
    "RoomFull",
    "RoomNotFound",
    "SchemaTooNew",
    "StoreUnavailable",
    "TitleControlCharacters",
    "TitleFormatCharacters",
    "TitleTooLong",
    "TooManyAttempts",
    "TooManyRooms",
    "TooManyStreams",
    "UnknownParticipant",
]
