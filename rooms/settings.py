"""Settings for the live-room store, read from ``EXPLORER_*`` environment variables.

pydantic-settings does the reading and validation; this module only says what each
setting is and turns a validation error into one ``ValueError`` that names the
environment variable an operator has to fix. ``RoomSettings(...)`` built in code uses
the given values and the defaults only, so a test's settings never depend on the
shell it runs in; :meth:`RoomSettings.from_env` is what the app uses.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ENV_PREFIX = "EXPLORER_"
MAX_HOURS = 24 * 366


def default_database_url(env: Mapping[str, str] | None = None) -> str:
    """SQLite file ``rooms.db`` under ``$EXPLORER_DATA_DIR`` (or ``./data``).

    The folder is not created here; the store creates it (owner-only) on first use.
    """
    env = os.environ if env is None else env
    return _sqlite_url(env.get(f"{ENV_PREFIX}DATA_DIR", "").strip() or "data")


def _sqlite_url(data_dir: str | Path) -> str:
    return f"sqlite:///{(Path(data_dir) / 'rooms.db').resolve().as_posix()}"


class RoomSettings(BaseSettings):
    """Limits and location of the room store. Use :meth:`from_env` in the app.

    Each field is read from ``EXPLORER_<FIELD NAME>`` except where an alias says otherwise.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, frozen=True, extra="ignore", populate_by_name=True
    )

    data_dir: Path = Path("data")
    # Blank means the SQLite file under data_dir; PostgreSQL when several replicas share.
    database_url: str = ""
    room_ttl_hours: float = Field(12.0, gt=0, le=MAX_HOURS, allow_inf_nan=False)
    # The most seats a facilitator may give a room, and the seats a new room has unless
    # its facilitator says otherwise (a workshop's size, not a conference hall's): a seat is
    # taken when a participant opens the room, and someone who has one is never refused.
    max_answers_per_room: int = Field(500, ge=1, le=1_000_000)
    default_room_seats: int = Field(60, ge=1, le=1_000_000)
    # Global ceiling: live rooms created in the last hour, by everyone.
    max_rooms_per_hour: int = Field(60, ge=1, le=1_000_000)
    # Rooms one browser session may create per hour, and all sessions of one address (a
    # venue's network) together: a few clients never reach the global ceiling (with the
    # defaults it takes five addresses); on a public host, set a facilitator passphrase.
    max_rooms_per_client_per_hour: int = Field(6, ge=1, le=1_000_000)
    max_rooms_per_address_per_hour: int = Field(12, ge=1, le=1_000_000)
    max_title_chars: int = Field(80, ge=1, le=1000)
    # How long a write waits for a locked database (SQLite busy_timeout, PostgreSQL
    # lock_timeout) before giving up with StoreUnavailable. Writes take milliseconds, but a
    # 300-phone room on one 2-core process starves the writer holding the lock of CPU: at
    # 5 s, 22 of 300 submits failed "room busy" (benchmarks crowd); a person would rather wait.
    busy_timeout_ms: int = Field(15_000, ge=0, le=600_000, alias="EXPLORER_DB_BUSY_TIMEOUT_MS")
    # Failed room-code, token or claim lookups per minute: per browser session, and a
    # higher ceiling per address (a class behind one NAT shares it); see ratelimit.
    max_code_lookups_per_minute: int = Field(10, ge=1, le=1_000_000)
    max_code_lookups_per_minute_per_address: int = Field(100, ge=1, le=1_000_000)
    # New participant identities per address per room in 10 minutes, and never more than
    # the room has seats: high enough for a whole class behind one address.
    max_identities_per_address: int = Field(120, ge=1, le=1_000_000)
    # Submits per participant identity per minute.
    max_submits_per_minute: int = Field(30, ge=1, le=1_000_000)
    # One-time facilitator claim links live this long.
    claim_ttl_minutes: float = Field(10.0, gt=0, le=24 * 60, allow_inf_nan=False)
    # Open live-update streams per app process.
    max_event_streams: int = Field(2000, ge=1, le=1_000_000)
    # Streamlit's WebSocket (web/stream_guard.py): streams one address may hold at once (a
    # tab is one), and the messages a second all of them together are worked through.
    max_streams_per_address: int = Field(30, ge=1, le=1_000_000)
    stream_messages_per_second_per_address: float = Field(8.0, gt=0, le=1_000_000)
    # Set on public deployments: creating a room then needs this passphrase.
    facilitator_passphrase: SecretStr | None = None

    @model_validator(mode="before")
    @classmethod
    def _database_url_or_default(cls, data: Any) -> Any:
        """A blank database URL means the SQLite file under ``data_dir``."""
        if isinstance(data, Mapping) and not str(data.get("database_url") or "").strip():
            data_dir = data.get("data_dir") or cls.model_fields["data_dir"].default
            if isinstance(data_dir, str | Path):
                return {**data, "database_url": _sqlite_url(data_dir)}
        return data

    @property
    def new_room_seats(self) -> int:
        """The seats of a room whose facilitator did not choose (within the site's most)."""
        return min(self.default_room_seats, self.max_answers_per_room)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the values given in code: the environment is read by :meth:`from_env`."""
        return (init_settings,)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RoomSettings:
        """Read settings from ``os.environ`` (or the given mapping).

        A variable that is unset or blank takes its default; a value that cannot be
        used raises ``ValueError`` naming the variable and what it must be.
        """
        env = os.environ if env is None else env
        given = {
            name.upper(): value.strip()
            for name, value in env.items()
            if isinstance(value, str) and value.strip()
        }
        values: dict[str, Any] = {
            field: given[env_var(field)] for field in cls.model_fields if env_var(field) in given
        }
        try:
            return cls(**values)
        except ValidationError as error:
            raise ValueError(_explain(error, values)) from None


def env_var(field: str) -> str:
    """The environment variable that sets ``field``."""
    alias = RoomSettings.model_fields[field].alias
    return alias or f"{ENV_PREFIX}{field.upper()}"


def _explain(error: ValidationError, values: Mapping[str, Any]) -> str:
    problems = []
    for item in error.errors(include_url=False):
        field = str(item["loc"][0]) if item["loc"] else ""
        name = next(
            (n for n in RoomSettings.model_fields if field in (n, env_var(n))), field or "?"
        )
        got = values.get(name, values.get(env_var(name), item.get("input")))
        shown = "(hidden)" if name == "facilitator_passphrase" else repr(got)
        problems.append(f"{env_var(name)}: {item['msg']}, got {shown}")
    return "; ".join(problems)


__all__ = ["RoomSettings", "default_database_url", "env_var"]
