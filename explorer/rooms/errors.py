"""Errors raised by the live-room store.

Every error carries a short message that is safe to show to a participant or a
facilitator as it is: it never names tables, SQL, file paths or drivers. The
underlying cause (if any) is chained with ``raise ... from`` for the logs only.
"""

from __future__ import annotations


class RoomError(Exception):
    """Base class: ``str(error)`` and ``error.message`` are user-facing text."""

    default_message = "Something went wrong with the room."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class RoomNotFound(RoomError):
    default_message = "There is no room with that code. Check the code and try again."


class RoomClosed(RoomError):
    default_message = "This room is closed and no longer takes answers."


class RoomExpired(RoomError):
    default_message = "This room has expired. Ask the facilitator for a new code."


class NotAuthorised(RoomError):
    default_message = "Only the facilitator of this room can do that."


class RoomFull(RoomError):
    default_message = "This room is full and can't take more participants."


class TooManyRooms(RoomError):
    default_message = "Too many rooms have been opened recently. Please try again later."


class InvalidTitle(RoomError):
    default_message = "That room title can't be used."


class InvalidCode(RoomError):
    default_message = "Room codes are 6 letters and digits, for example ABC234."


class InvalidAnswer(RoomError):
    default_message = "That answer couldn't be saved. Please reload the page and try again."


class StoreUnavailable(RoomError):
    default_message = "The room is busy right now — please try again in a moment."


__all__ = [
    "InvalidAnswer",
    "InvalidCode",
    "InvalidTitle",
    "NotAuthorised",
    "RoomClosed",
    "RoomError",
    "RoomExpired",
    "RoomFull",
    "RoomNotFound",
    "StoreUnavailable",
    "TooManyRooms",
]
