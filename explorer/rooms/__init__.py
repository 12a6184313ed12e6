"""Live workshop rooms: durable storage, codes and tokens (no Streamlit here).

Typical use::

    store = RoomStore.from_settings(RoomSettings.from_env())
    created = store.create_room("Team offsite")      # created.token: show once
    store.submit(created.room.code, participant_id, {"goal": "mixed"}, "coaching")
    store.snapshot(created.room.code).count
"""

from .codes import CODE_ALPHABET, CODE_LENGTH, hash_token, new_code, new_token, normalise_code
from .errors import (
    InvalidAnswer,
    InvalidCode,
    InvalidTitle,
    NotAuthorised,
    RoomClosed,
    RoomError,
    RoomExpired,
    RoomFull,
    RoomNotFound,
    StoreUnavailable,
    TooManyRooms,
)
from .ratelimit import FailedLookupLimiter, TooManyAttempts
from .settings import RoomSettings, default_database_url
from .store import CreatedRoom, Room, RoomSnapshot, RoomStore

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CreatedRoom",
    "FailedLookupLimiter",
    "InvalidAnswer",
    "InvalidCode",
    "InvalidTitle",
    "NotAuthorised",
    "Room",
    "RoomClosed",
    "RoomError",
    "RoomExpired",
    "RoomFull",
    "RoomNotFound",
    "RoomSettings",
    "RoomSnapshot",
    "RoomStore",
    "StoreUnavailable",
    "TooManyAttempts",
    "TooManyRooms",
    "default_database_url",
    "hash_token",
    "new_code",
    "new_token",
    "normalise_code",
]
