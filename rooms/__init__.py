"""Live workshop rooms: durable storage, identities, limits and push (no Streamlit here).

Typical use::

    store = RoomStore.from_settings(RoomSettings.from_env())
    events = RoomEvents.for_store(store)          # push: one broker per process
    created = store.create_room("Team offsite", client=client)
    claim = store.create_claim(created.room.code, created.token)   # -> cookie route
    me = store.issue_participant(created.room.code, client=client)  # -> cookie
    store.submit(created.room.code, me, {"goal": "mixed"}, "coaching")
    store.snapshot(created.room.code).count
"""

from .codes import CODE_ALPHABET, CODE_LENGTH, hash_token, new_code, new_token, normalise_code
from .cookies import facilitator_cookie, participant_cookie
from .errors import (
    ALL_ERRORS,
    ClaimExpired,
    ClaimUnknown,
    ClaimUsed,
    DriverMissing,
    InvalidAnswer,
    InvalidCode,
    InvalidSeats,
    InvalidTitle,
    NotAuthorised,
    PassphraseRequired,
    RoomClosed,
    RoomError,
    RoomExpired,
    RoomFull,
    RoomNotFound,
    SchemaTooNew,
    StoreUnavailable,
    TitleControlCharacters,
    TitleFormatCharacters,
    TitleStackedMarks,
    TitleTooLong,
    TooManyAttempts,
    TooManyRooms,
    TooManyStreams,
    UnknownParticipant,
)
from .events import Role, RoomEvents, Subscription
from .limits import RoomLimits
from .maintenance import Maintenance, start_maintenance
from .ratelimit import Client, ClientLimiter, SlidingWindowLimiter, address_group
from .schema import SCHEMA_VERSION
from .settings import RoomSettings, default_database_url
from .store import CreatedRoom, Room, RoomSnapshot, RoomStore

__all__ = [
    "ALL_ERRORS",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "SCHEMA_VERSION",
    "ClaimExpired",
    "ClaimUnknown",
    "ClaimUsed",
    "Client",
    "ClientLimiter",
    "CreatedRoom",
    "DriverMissing",
    "InvalidAnswer",
    "InvalidCode",
    "InvalidSeats",
    "InvalidTitle",
    "Maintenance",
    "NotAuthorised",
    "PassphraseRequired",
    "Role",
    "Room",
    "RoomClosed",
    "RoomError",
    "RoomEvents",
    "RoomExpired",
    "RoomFull",
    "RoomLimits",
    "RoomNotFound",
    "RoomSettings",
    "RoomSnapshot",
    "RoomStore",
    "SchemaTooNew",
    "SlidingWindowLimiter",
    "StoreUnavailable",
    "Subscription",
    "TitleControlCharacters",
    "TitleFormatCharacters",
    "TitleStackedMarks",
    "TitleTooLong",
    "TooManyAttempts",
    "TooManyRooms",
    "TooManyStreams",
    "UnknownParticipant",
    "address_group",
    "default_database_url",
    "facilitator_cookie",
    "hash_token",
    "new_code",
    "new_token",
    "normalise_code",
    "participant_cookie",
    "start_maintenance",
]
