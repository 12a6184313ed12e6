"""Settings for the live-room store, read from the environment."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DATABASE_URL_VAR = "EXPLORER_DATABASE_URL"
DATA_DIR_VAR = "EXPLORER_DATA_DIR"
ROOM_TTL_HOURS_VAR = "EXPLORER_ROOM_TTL_HOURS"
MAX_ANSWERS_VAR = "EXPLORER_MAX_ANSWERS_PER_ROOM"
MAX_ROOMS_PER_HOUR_VAR = "EXPLORER_MAX_ROOMS_PER_HOUR"
MAX_TITLE_CHARS_VAR = "EXPLORER_MAX_TITLE_CHARS"
BUSY_TIMEOUT_MS_VAR = "EXPLORER_DB_BUSY_TIMEOUT_MS"
MAX_CODE_LOOKUPS_VAR = "EXPLORER_MAX_CODE_LOOKUPS_PER_MINUTE"

DEFAULT_ROOM_TTL_HOURS = 12.0
DEFAULT_MAX_ANSWERS_PER_ROOM = 500
DEFAULT_MAX_ROOMS_PER_HOUR = 60
DEFAULT_MAX_TITLE_CHARS = 80
DEFAULT_BUSY_TIMEOUT_MS = 5000
DEFAULT_MAX_CODE_LOOKUPS_PER_MINUTE = 10


def default_database_url(env: Mapping[str, str] | None = None) -> str:
    """SQLite file ``rooms.db`` under ``$EXPLORER_DATA_DIR`` (or ``./data``).

    The folder is not created here; the store creates it on first use.
    """
    env = os.environ if env is None else env
    data_dir = Path(env.get(DATA_DIR_VAR, "").strip() or "data")
    return f"sqlite:///{(data_dir / 'rooms.db').resolve().as_posix()}"


@dataclass(frozen=True)
class RoomSettings:
    """Limits and location of the room store. Use :meth:`from_env` in the app."""

    database_url: str = field(default_factory=default_database_url)
    room_ttl_hours: float = DEFAULT_ROOM_TTL_HOURS
    max_answers_per_room: int = DEFAULT_MAX_ANSWERS_PER_ROOM
    max_rooms_per_hour: int = DEFAULT_MAX_ROOMS_PER_HOUR
    max_title_chars: int = DEFAULT_MAX_TITLE_CHARS
    # How long a write waits for a locked database (SQLite busy_timeout,
    # PostgreSQL lock_timeout) before giving up with StoreUnavailable.
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    # Failed room-code (or facilitator-token) lookups one client may make per minute;
    # see explorer.rooms.ratelimit.
    max_code_lookups_per_minute: int = DEFAULT_MAX_CODE_LOOKUPS_PER_MINUTE

    def __post_init__(self) -> None:
        if not isinstance(self.database_url, str) or not self.database_url.strip():
            raise ValueError("database_url must be a non-empty database URL")
        ttl = self.room_ttl_hours
        if isinstance(ttl, bool) or not isinstance(ttl, int | float):
            raise ValueError("room_ttl_hours must be a number of hours")
        if not math.isfinite(ttl) or not 0 < ttl <= 24 * 366:
            raise ValueError("room_ttl_hours must be more than 0 and at most a year")
        for name, low in (
            ("max_answers_per_room", 1),
            ("max_rooms_per_hour", 1),
            ("max_title_chars", 1),
            ("busy_timeout_ms", 0),
            ("max_code_lookups_per_minute", 1),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be a whole number >= {low}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RoomSettings:
        """Read settings from ``os.environ`` (or the given mapping).

        A variable that is unset or blank takes its default; a value that
        cannot be used raises ``ValueError`` naming the variable.
        """
        env = os.environ if env is None else env
        url = env.get(DATABASE_URL_VAR, "").strip() or default_database_url(env)
        return cls(
            database_url=url,
            room_ttl_hours=_env_hours(env, ROOM_TTL_HOURS_VAR, DEFAULT_ROOM_TTL_HOURS),
            max_answers_per_room=_env_int(
                env, MAX_ANSWERS_VAR, DEFAULT_MAX_ANSWERS_PER_ROOM, 1, 1_000_000
            ),
            max_rooms_per_hour=_env_int(
                env, MAX_ROOMS_PER_HOUR_VAR, DEFAULT_MAX_ROOMS_PER_HOUR, 1, 1_000_000
            ),
            max_title_chars=_env_int(env, MAX_TITLE_CHARS_VAR, DEFAULT_MAX_TITLE_CHARS, 1, 1000),
            busy_timeout_ms=_env_int(env, BUSY_TIMEOUT_MS_VAR, DEFAULT_BUSY_TIMEOUT_MS, 0, 600_000),
            max_code_lookups_per_minute=_env_int(
                env, MAX_CODE_LOOKUPS_VAR, DEFAULT_MAX_CODE_LOOKUPS_PER_MINUTE, 1, 1_000_000
            ),
        )


def _env_int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _env_hours(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of hours, got {raw!r}") from None
    if not math.isfinite(value) or not 0 < value <= 24 * 366:
        raise ValueError(f"{name} must be more than 0 and at most 8784 hours, got {raw!r}")
    return value


__all__ = ["RoomSettings", "default_database_url"]
