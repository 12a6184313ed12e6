"""Database engines for the room store: SQLite (the default) and PostgreSQL.

SQLite gets WAL mode, a busy timeout, foreign keys and our own ``BEGIN IMMEDIATE`` for
writes (one writer at a time, readers never wait). Its folder is created owner-only
(0700) and its file 0600: the file holds every answer of every live room, and nobody
else on the machine needs to read it. PostgreSQL gets a connect timeout, a
``lock_timeout`` like SQLite's busy timeout, and pre-ping so the first write after a
quiet server restart succeeds.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
import time
import weakref
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import StaticPool

from .errors import DriverMissing

WRITE_OPTION = "explorer_rooms_write"
PG_CONNECT_TIMEOUT_S = 5
DATA_DIR_MODE = 0o700
DATABASE_FILE_MODE = 0o600

_configured_engines: weakref.WeakSet[Engine] = weakref.WeakSet()
_configure_lock = threading.Lock()


def is_sqlite_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or url.query.get("mode") == "memory"


def postgres_url(url: str | URL) -> URL:
    """The URL with the psycopg 3 driver when PostgreSQL is meant."""
    url = make_url(url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def create_engine(url: str | URL, busy_timeout_ms: int) -> Engine:
    url = postgres_url(url)
    backend = url.get_backend_name()
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        if is_sqlite_memory(url):
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            private_database_file(Path(url.database or "").expanduser())
            kwargs.update(pool_size=10, max_overflow=20)
    elif backend == "postgresql":
        if url.get_driver_name() == "psycopg":
            require_psycopg()
        connect_args: dict[str, Any] = {}
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
        # lock_timeout bounds every wait for a row or advisory lock, like SQLite's
        # busy_timeout. It goes in the startup packet: no SQL is sent for it.
        lock_timeout = max(1, busy_timeout_ms)  # 0 would mean "wait forever"
        options = url.query.get("options", "")
        if isinstance(options, tuple):
            options = " ".join(options)
        connect_args["options"] = f"{options} -c lock_timeout={lock_timeout}".strip()
        kwargs.update(
            connect_args=connect_args,
            pool_size=5,
            max_overflow=15,
            pool_recycle=1800,
            pool_pre_ping=True,
        )
    return sa.create_engine(url, **kwargs)


def require_psycopg() -> None:
    """Raise :class:`DriverMissing` unless the PostgreSQL driver (an optional extra) imports."""
    try:
        import psycopg  # noqa: F401
    except ImportError as error:
        raise DriverMissing() from error


def private_database_file(path: Path) -> None:
    """Create the SQLite folder (0700) and file (0600) before SQLite does.

    SQLite gives its -wal and -shm files the database file's permissions. A file left
    readable by an earlier release is tightened. A folder that already existed is left
    as it is (it may be the user's own, e.g. the working directory).
    """
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            folder.chmod(DATA_DIR_MODE)  # mkdir's mode is filtered by the umask
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, DATABASE_FILE_MODE))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            if stat.S_IMODE(file.stat().st_mode) & 0o077:
                file.chmod(DATABASE_FILE_MODE)


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """SQLite: WAL, busy_timeout, foreign keys, and our own BEGIN (IMMEDIATE for writes)."""
    if engine.dialect.name != "sqlite":
        return
    with _configure_lock:
        if engine in _configured_engines:
            return
        memory = is_sqlite_memory(engine.url)
        busy = int(busy_timeout_ms)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Take over transaction control from the sqlite3 module (see the
            # SQLAlchemy SQLite dialect docs, "Serializable isolation").
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(f"PRAGMA busy_timeout = {busy:d}")
                cursor.execute("PRAGMA foreign_keys = ON")
                # What is deleted is overwritten with zeros, not left in free pages.
                cursor.execute("PRAGMA secure_delete = ON")
                if not memory:
                    _enable_wal(cursor, busy)
            finally:
                cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            if conn.get_execution_options().get(WRITE_OPTION):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        _configured_engines.add(engine)
    if not memory:
        # Pooled connections made before the listeners existed lack the settings.
        # (An in-memory database lives in its one connection: keep that.)
        engine.pool.dispose()


def truncate_wal(engine: Engine) -> None:
    """SQLite: copy the write-ahead log into the database file and empty it, so that what
    was just deleted (with secure_delete on) is in neither file. Best effort: a reader
    still on an older snapshot keeps the log until the next call."""
    if engine.dialect.name != "sqlite" or is_sqlite_memory(engine.url):
        return
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    finally:
        raw.close()


def _enable_wal(cursor: Any, busy_timeout_ms: int) -> None:
    """Switch the database file to WAL mode (it stays so; later calls only check).

    While several connections open a fresh database at once, the switch can
    fail with "database is locked" without SQLite's busy handler waiting, so it
    is retried here, for at most the busy timeout (and at least 0.2 s).
    """
    deadline = time.monotonic() + max(busy_timeout_ms, 200) / 1000
    for attempt in range(10_000):
        try:
            (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
            if str(mode).lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(min(0.05, 0.002 * (attempt + 1)))


__all__ = [
    "WRITE_OPTION",
    "configure_engine",
    "create_engine",
    "is_sqlite_memory",
    "postgres_url",
    "private_database_file",
]
