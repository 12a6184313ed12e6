"""The room database's tables and its versioned upgrades.

Why a ``schema_version`` table and not Alembic: the schema is six small tables owned by
this one package, upgrades must run by themselves when a replica starts (there is no
operator step in a workshop), and each step is a plain function that a test runs
against a database written by the previous release. Alembic would add a dependency, a
migrations folder and an ``alembic.ini`` for that, and still need the same tests.

Versions
    1. ``rooms``, ``answers``, ``joins`` (the first releases; no version table).
    2. adds ``schema_version``, ``settings`` (the server secret that signs participant
       identities, shared by replicas) and ``claims`` (one-time facilitator links).
    3. adds ``limit_hits`` (rate limits shared by every replica: rooms.shared_limits), and
       drops the claims still open, which were sealed the old way (a claim lives minutes).
    4. adds ``rooms.seats`` (the room's size, set by its facilitator; NULL in rooms made
       before: the site's most) and ``rooms.turned_away`` (joins refused as the room was
       full, which the dashboard shows).

A database with no version table but a ``rooms`` table is version 1. One from a newer
release is refused with :class:`SchemaTooNew` rather than used or damaged. Upgrades run
in one transaction under a lock (PostgreSQL advisory lock; SQLite's single writer), so
replicas starting together upgrade once.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .errors import SchemaTooNew

SCHEMA_VERSION = 4

metadata = sa.MetaData()

rooms_table = sa.Table(
    "rooms",
    metadata,
    sa.Column("code", sa.String(6), primary_key=True),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),  # naive UTC
    sa.Column("expires_at", sa.DateTime(), nullable=False),  # naive UTC
    sa.Column("revealed", sa.Boolean(), nullable=False),
    sa.Column("closed", sa.Boolean(), nullable=False),
    # Version 4: the room's size (NULL: made before, the site's most) and refused joins.
    sa.Column("seats", sa.Integer(), nullable=True),
    sa.Column("turned_away", sa.Integer(), nullable=False, server_default="0"),
    sa.Index("ix_rooms_created_at", "created_at"),
    sa.Index("ix_rooms_expires_at", "expires_at"),
)

answers_table = sa.Table(
    "answers",
    metadata,
    sa.Column(
        "room_code",
        sa.String(6),
        sa.ForeignKey("rooms.code", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("participant_id", sa.String(64), primary_key=True),
    sa.Column("answers", sa.Text(), nullable=False),  # JSON object: input id -> option id
    sa.Column("verdict", sa.Text(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),  # naive UTC
)

joins_table = sa.Table(
    "joins",
    metadata,
    sa.Column(
        "room_code",
        sa.String(6),
        sa.ForeignKey("rooms.code", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("participant_id", sa.String(64), primary_key=True),
    sa.Column("joined_at", sa.DateTime(), nullable=False),  # naive UTC
)

# --- version 2 ---------------------------------------------------------------

schema_version_table = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
)

settings_table = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
)

claims_table = sa.Table(
    "claims",
    metadata,
    sa.Column("claim_hash", sa.String(64), primary_key=True),  # SHA-256 of the claim
    sa.Column(
        "room_code",
        sa.String(6),
        sa.ForeignKey("rooms.code", ondelete="CASCADE"),
        nullable=False,
    ),
    # The facilitator token, sealed with a key only the claim itself gives.
    sa.Column("sealed_token", sa.String(256), nullable=False),
    sa.Column("expires_at", sa.DateTime(), nullable=False),  # naive UTC
    sa.Column("used_at", sa.DateTime(), nullable=True),  # naive UTC
    sa.Index("ix_claims_expires_at", "expires_at"),
)

limit_hits_table = sa.Table(
    "limit_hits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(64), nullable=False),  # SHA-256 of the limit's key
    sa.Column("at", sa.Float, nullable=False),  # seconds since the epoch, the store's clock
    sa.Index("ix_limit_hits_key_at", "key", "at"),
)


def _upgrade_to_2(conn: Connection) -> None:
    # When a later version alters these tables, freeze their version-2 form here.
    metadata.create_all(conn, tables=[schema_version_table, settings_table, claims_table])


def _upgrade_to_3(conn: Connection) -> None:
    metadata.create_all(conn, tables=[limit_hits_table])
    conn.execute(sa.delete(claims_table))


def _upgrade_to_4(conn: Connection) -> None:
    conn.execute(sa.text("ALTER TABLE rooms ADD COLUMN seats INTEGER"))
    conn.execute(sa.text("ALTER TABLE rooms ADD COLUMN turned_away INTEGER NOT NULL DEFAULT 0"))


UPGRADES: dict[int, Callable[[Connection], None]] = {
    2: _upgrade_to_2,
    3: _upgrade_to_3,
    4: _upgrade_to_4,
}


def current_version(conn: Connection) -> int:
    """The schema version of the database ``conn`` is on (0: an empty database)."""
    tables = set(sa.inspect(conn).get_table_names())
    if schema_version_table.name in tables:
        found = conn.execute(sa.select(sa.func.max(schema_version_table.c.version))).scalar()
        return int(found or 0)
    return 1 if rooms_table.name in tables else 0


def upgrade(conn: Connection) -> int:
    """Bring the database to :data:`SCHEMA_VERSION`; returns the version it was on.

    Call inside a transaction that holds the schema lock.
    """
    found = current_version(conn)
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(
            found=found,
            supported=SCHEMA_VERSION,
        )
    if found == SCHEMA_VERSION:
        return found
    if found == 0:
        metadata.create_all(conn)
    else:
        for version in range(found + 1, SCHEMA_VERSION + 1):
            UPGRADES[version](conn)
    conn.execute(sa.delete(schema_version_table))
    conn.execute(sa.insert(schema_version_table).values(version=SCHEMA_VERSION))
    return found


__all__ = [
    "SCHEMA_VERSION",
    "answers_table",
    "claims_table",
    "current_version",
    "joins_table",
    "limit_hits_table",
    "metadata",
    "rooms_table",
    "schema_version_table",
    "settings_table",
    "upgrade",
]
