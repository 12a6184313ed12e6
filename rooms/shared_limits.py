"""Rate limits counted in the rooms database, so every replica that shares it shares one limit.

Counted per process, two replicas behind nginx would each allow the whole limit (and N
replicas N times it). Here each attempt is a row of ``limit_hits`` (the SHA-256 of its key,
never the address or session itself, and the time), and one write transaction checks the
recent rows and records the new one:

* on PostgreSQL it first takes a transaction-scoped advisory lock per key (in a fixed
  order, so two attempts never wait on each other in a circle): two replicas admitting the
  same key at once are serialised, so neither overshoots;
* on SQLite the store's write transactions are ``BEGIN IMMEDIATE``, which serialises them.

Rows older than the window go as the same keys are counted again; the store's maintenance
deletes the rest (:func:`forget_old_hits`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rooms.ratelimit import Ticket
from rooms.schema import limit_hits_table

T = TypeVar("T")
Run = Callable[[Callable[[Connection], T]], T]
# The longest window any limit uses (rooms per hour): older rows count for nothing.
LONGEST_WINDOW_S = 3600.0


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


class DatabaseWindow:
    """:class:`rooms.ratelimit.Window` in the rooms database.

    ``write`` and ``read`` run a function in one write (or read) transaction of the store;
    ``clock`` is the store's time in seconds; ``postgresql`` says whether to take advisory
    locks.
    """

    def __init__(
        self,
        window_s: float,
        *,
        write: Run,
        read: Run,
        clock: Callable[[], float],
        postgresql: bool,
    ) -> None:
        if not window_s > 0:
            raise ValueError("window_s must be more than 0")
        self.window_s = float(window_s)
        self._write = write
        self._read = read
        self._clock = clock
        self._postgresql = postgresql

    def try_acquire(self, limits: Mapping[str, int]) -> Ticket | None:
        digests = {key_digest(key): (key, limit) for key, limit in limits.items()}
        h = limit_hits_table.c

        def work(conn: Connection) -> Ticket | None:
            if self._postgresql:
                for digest in sorted(digests):
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(digest))))
            now = self._clock()
            since = now - self.window_s
            conn.execute(sa.delete(limit_hits_table).where(h.key.in_(list(digests)), h.at <= since))
            counted = conn.execute(
                sa.select(h.key, sa.func.count()).where(h.key.in_(list(digests))).group_by(h.key)
            )
            counts: dict[str, int] = {str(key): int(n) for key, n in counted}
            if any(counts.get(digest, 0) >= limit for digest, (_, limit) in digests.items()):
                return None
            entries = []
            for digest, (key, _) in digests.items():
                row_id = conn.execute(
                    sa.insert(limit_hits_table).values(key=digest, at=now).returning(h.id)
                ).scalar_one()
                entries.append((key, float(row_id)))
            return Ticket(tuple(entries))

        return self._write(work)

    def refund(self, ticket: Ticket) -> None:
        ids = [int(slot) for _, slot in ticket.entries]
        if ids:
            self._write(
                lambda conn: conn.execute(
                    sa.delete(limit_hits_table).where(limit_hits_table.c.id.in_(ids))
                )
            )

    def used(self, key: str) -> int:
        h = limit_hits_table.c
        since = self._clock() - self.window_s

        def work(conn: Connection) -> int:
            query = sa.select(sa.func.count()).where(h.key == key_digest(key), h.at > since)
            return int(conn.execute(query).scalar_one())

        return self._read(work)


def forget_old_hits(conn: Connection, now: float) -> int:
    """Delete the hits no window can count any more; returns how many went."""
    old = limit_hits_table.c.at <= now - LONGEST_WINDOW_S
    return conn.execute(sa.delete(limit_hits_table).where(old)).rowcount or 0


__all__ = ["DatabaseWindow", "forget_old_hits", "key_digest"]
