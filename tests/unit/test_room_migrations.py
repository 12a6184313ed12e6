"""The room database's versioned schema: a previous release's database is upgraded in
place with nothing lost, and a newer release's database is refused, on SQLite and
PostgreSQL (fixtures from test_rooms_store; PostgreSQL required under CI=true).

Version 1 below is the exact schema the previous release's ``metadata.create_all`` made
(rooms, answers, joins; no version table), frozen here so the test keeps meaning what it
says when the app's own tables change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from rooms import (
    SCHEMA_VERSION,
    RoomSettings,
    RoomStore,
    SchemaTooNew,
    TooManyAttempts,
    hash_token,
)
from rooms.schema import (
    UPGRADES,
    claims_table,
    current_version,
    limit_hits_table,
    schema_version_table,
)

V1 = sa.MetaData()
sa.Table(
    "rooms",
    V1,
    sa.Column("code", sa.String(6), primary_key=True),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("expires_at", sa.DateTime(), nullable=False),
    sa.Column("revealed", sa.Boolean(), nullable=False),
    sa.Column("closed", sa.Boolean(), nullable=False),
    sa.Index("ix_rooms_created_at", "created_at"),
    sa.Index("ix_rooms_expires_at", "expires_at"),
)
sa.Table(
    "answers",
    V1,
    sa.Column(
        "room_code", sa.String(6), sa.ForeignKey("rooms.code", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("participant_id", sa.String(64), primary_key=True),
    sa.Column("answers", sa.Text(), nullable=False),
    sa.Column("verdict", sa.Text(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
)
sa.Table(
    "joins",
    V1,
    sa.Column(
        "room_code", sa.String(6), sa.ForeignKey("rooms.code", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("participant_id", sa.String(64), primary_key=True),
    sa.Column("joined_at", sa.DateTime(), nullable=False),
)

CODE = "K7QPX3"
TOKEN = "previous-release-facilitator-token"
NOW = datetime.now(UTC).replace(microsecond=0, tzinfo=None)  # the schema stores naive UTC


def write_version_1(url: str) -> None:
    """A database as the previous release left it: one live room, three answers."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            V1.create_all(conn)
            rooms, answers, joins = (V1.tables[n] for n in ("rooms", "answers", "joins"))
            conn.execute(
                rooms.insert().values(
                    code=CODE,
                    title="Before the upgrade",
                    token_hash=hash_token(TOKEN),
                    created_at=NOW,
                    expires_at=NOW + timedelta(hours=12),
                    revealed=True,
                    closed=False,
                )
            )
            for n, goal in enumerate(["holistic", "mixed", "specific"]):
                pid = f"old-participant-{n}"
                conn.execute(
                    answers.insert().values(
                        room_code=CODE,
                        participant_id=pid,
                        answers=f'{{"goal":"{goal}"}}',
                        verdict="blend",
                        updated_at=NOW + timedelta(seconds=n),
                    )
                )
                conn.execute(
                    joins.insert().values(room_code=CODE, participant_id=pid, joined_at=NOW)
                )
            conn.execute(
                joins.insert().values(room_code=CODE, participant_id="only-joined", joined_at=NOW)
            )
    finally:
        engine.dispose()


def version_of(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return current_version(conn)
    finally:
        engine.dispose()


def test_a_previous_release_database_is_upgraded_with_nothing_lost(db_url: str) -> None:
    write_version_1(db_url)
    assert version_of(db_url) == 1
    store = RoomStore(db_url, RoomSettings(database_url=db_url))
    try:
        assert version_of(db_url) == SCHEMA_VERSION == 4
        snapshot = store.snapshot(CODE)
        assert snapshot.room.title == "Before the upgrade" and snapshot.room.revealed
        # A room made before rooms had a size has the site's most, and no one turned away.
        assert (snapshot.room.seats, snapshot.room.turned_away) == (500, 0)
        assert (snapshot.count, snapshot.joined) == (3, 4)
        assert sorted(a["goal"] for a in snapshot.answers) == ["holistic", "mixed", "specific"]
        assert store.verify_token(CODE, TOKEN)
        exported = store.export_answers(CODE, TOKEN)
        assert [row["goal"] for row in exported] == ["holistic", "mixed", "specific"]
        # What version 2 adds works on the upgraded database.
        claim = store.create_claim(CODE, TOKEN)
        assert store.redeem_claim(claim) == (CODE, TOKEN)
        newcomer = store.issue_participant(CODE)
        store.submit(CODE, newcomer, {"goal": "mixed"}, "blend")
        assert store.snapshot(CODE).count == 4
        # What version 4 adds works too: the facilitator sets the room's size.
        assert store.set_seats(CODE, TOKEN, 5).seats == store.get_room(CODE).seats == 5
    finally:
        store.dispose()
    reopened = RoomStore(db_url, RoomSettings(database_url=db_url))  # upgrading is idempotent
    try:
        assert reopened.snapshot(CODE).count == 4 and version_of(db_url) == SCHEMA_VERSION
    finally:
        reopened.dispose()


def test_a_version_2_database_drops_its_old_claims_and_counts_limits_in_the_database(
    db_url: str,
) -> None:
    write_version_1(db_url)
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            UPGRADES[2](conn)
            conn.execute(sa.delete(schema_version_table))
            conn.execute(sa.insert(schema_version_table).values(version=2))
            conn.execute(
                sa.insert(claims_table).values(
                    claim_hash="0" * 64,
                    room_code=CODE,
                    sealed_token="sealed the old way",
                    expires_at=NOW + timedelta(minutes=10),
                    used_at=None,
                )
            )
    finally:
        engine.dispose()
    assert version_of(db_url) == 2
    store = RoomStore(db_url, RoomSettings(database_url=db_url, max_submits_per_minute=1))
    try:
        assert version_of(db_url) == SCHEMA_VERSION
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(claims_table)).scalar() == 0
        newcomer = store.issue_participant(CODE)
        store.submit(CODE, newcomer, {"goal": "mixed"}, "blend")
        with pytest.raises(TooManyAttempts):
            store.submit(CODE, newcomer, {"goal": "holistic"}, "blend")
        with store.engine.connect() as conn:
            hits = conn.execute(sa.select(limit_hits_table.c.key)).scalars().all()
        assert hits and all(len(key) == 64 and newcomer not in key for key in hits)
    finally:
        store.dispose()


def test_an_empty_database_starts_at_the_current_version(db_url: str) -> None:
    RoomStore(db_url, RoomSettings(database_url=db_url)).dispose()
    assert version_of(db_url) == SCHEMA_VERSION


def test_a_newer_release_database_is_refused_and_left_alone(db_url: str) -> None:
    RoomStore(db_url, RoomSettings(database_url=db_url)).dispose()
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            newer = SCHEMA_VERSION + 1
            conn.execute(sa.text("UPDATE schema_version SET version = :v"), {"v": newer})
            conn.execute(sa.text("CREATE TABLE from_the_future (x INTEGER)"))
        with pytest.raises(SchemaTooNew) as caught:
            RoomStore(db_url, RoomSettings(database_url=db_url))
        assert caught.value.code == "schema_too_new"
        assert dict(caught.value.params) == {"found": newer, "supported": SCHEMA_VERSION}
        message = caught.value.message
        assert f"found={newer}" in message and str(SCHEMA_VERSION) in message
        assert "sqlite" not in caught.value.message.lower()
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version FROM schema_version")).scalar() == newer
            assert "from_the_future" in sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()
