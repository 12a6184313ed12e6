"""Errors raised by the live-room store, its limiter and its routes.

Each error has a stable ``code`` (``"room_not_found"``, ``"room_full"``, ...): the pages
show ``content.text(f"room_errors.{err.code}", **err.params)``, so every word a person
reads lives in ``content/ui.yaml``. ``message`` is the code and its parameters, for logs;
it never names tables, SQL, file paths or drivers.
The underlying cause (if any) is chained with ``raise ... from`` for the logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

POSTGRES_INSTALL = "pip install 'mentor-or-coach[postgres]'"


class RoomError(Exception):
    """Base class: ``code`` names the user text, ``params`` fill its placeholders."""

    code: ClassVar[str] = "room_error"

    def __init__(self, **params: object) -> None:
        self.params: Mapping[str, object] = MappingProxyType(dict(params))
        details = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        self.message = f"{self.code} ({details})" if details else self.code
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class RoomNotFound(RoomError):
    code = "room_not_found"


class RoomClosed(RoomError):
    code = "room_closed"


class RoomExpired(RoomError):
    code = "room_expired"


class NotAuthorised(RoomError):
    code = "not_authorised"


class RoomFull(RoomError):
    code = "room_full"


class InvalidSeats(RoomError):
    """A room's size outside 1..``limit`` (the site's ``EXPLORER_MAX_ANSWERS_PER_ROOM``)."""

    code = "invalid_seats"


class TooManyRooms(RoomError):
    code = "too_many_rooms"


class PassphraseRequired(RoomError):
    code = "passphrase_wrong"


class InvalidTitle(RoomError):
    code = "title_invalid"


class TitleTooLong(InvalidTitle):
    code = "title_too_long"


class TitleControlCharacters(InvalidTitle):
    code = "title_control_characters"


class TitleFormatCharacters(InvalidTitle):
    code = "title_format_characters"


class TitleStackedMarks(InvalidTitle):
    code = "title_stacked_marks"


class InvalidCode(RoomError):
    code = "invalid_code"


class InvalidAnswer(RoomError):
    code = "invalid_answer"


class UnknownParticipant(RoomError):
    """The participant identity was not issued by this server for this room."""

    code = "participant_unknown"


class ClaimUnknown(RoomError):
    code = "claim_unknown"


class ClaimUsed(RoomError):
    code = "claim_used"


class ClaimExpired(RoomError):
    code = "claim_expired"


class TooManyAttempts(RoomError):
    code = "too_many_attempts"


class TooManyStreams(RoomError):
    code = "too_many_streams"


class StoreUnavailable(RoomError):
    code = "store_unavailable"


class DriverMissing(RoomError):
    """PostgreSQL is configured but its driver (the ``postgres`` extra) is not installed;
    ``install`` is the command that installs it."""

    code = "driver_missing"

    def __init__(self) -> None:
        super().__init__(install=POSTGRES_INSTALL)


class SchemaTooNew(RoomError):
    """The database was written by a newer release: refuse it rather than damage it."""

    code = "schema_too_new"


ALL_ERRORS: tuple[type[RoomError], ...] = (
    RoomNotFound,
    RoomClosed,
    RoomExpired,
    NotAuthorised,
    RoomFull,
    InvalidSeats,
    TooManyRooms,
    PassphraseRequired,
    InvalidTitle,
    TitleTooLong,
    TitleControlCharacters,
    TitleFormatCharacters,
    TitleStackedMarks,
    InvalidCode,
    InvalidAnswer,
    UnknownParticipant,
    ClaimUnknown,
    ClaimUsed,
    ClaimExpired,
    TooManyAttempts,
    TooManyStreams,
    StoreUnavailable,
    DriverMissing,
    SchemaTooNew,
)

__all__ = [
    "ALL_ERRORS",
    "ClaimExpired",
    "ClaimUnknown",
    "ClaimUsed",
    "DriverMissing",
    "InvalidAnswer",
    "InvalidCode",
    "InvalidSeats",
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
    "TitleStackedMarks",
    "TitleTooLong",
    "TooManyAttempts",
    "TooManyRooms",
    "TooManyStreams",
    "UnknownParticipant",
]
