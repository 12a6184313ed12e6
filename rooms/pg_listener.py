"""One PostgreSQL LISTEN connection per app process, for commits made by other replicas.

The store sends ``pg_notify('explorer_rooms', code)`` inside each committing write, so
PostgreSQL delivers it at commit to every listening process. This listener runs in a
daemon thread on its own psycopg connection (not the pool's: a LISTEN connection is
held for good), hands each payload to ``on_payload`` (the broker, which validates it),
and reconnects with a bounded exponential backoff when the connection drops (a server
restart, a failover, ``pg_terminate_backend``). Notifications sent while it was
disconnected are lost, so after every reconnect it calls ``on_reconnect`` (the broker
tells every open stream to refresh once).

``stop()`` ends the thread within about ``poll_s`` seconds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from .store import NOTIFY_CHANNEL

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5
BACKOFF_FIRST_S = 0.1
BACKOFF_MAX_S = 5.0


def libpq_conninfo(url: str | URL) -> str:
    """A libpq URI from a SQLAlchemy URL (``postgresql+psycopg://`` etc.)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


class PgListener:
    """LISTEN on the rooms channel in a daemon thread (see the module docstring)."""

    def __init__(
        self,
        url: str | URL,
        on_payload: Callable[[str], None],
        *,
        on_reconnect: Callable[[], None] | None = None,
        channel: str = NOTIFY_CHANNEL,
        poll_s: float = 1.0,
        backoff_max_s: float = BACKOFF_MAX_S,
    ) -> None:
        self._conninfo = libpq_conninfo(url)
        self._on_payload = on_payload
        self._on_reconnect = on_reconnect
        self._channel = channel
        self._poll_s = poll_s
        self._backoff_max_s = backoff_max_s
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None
        self.connections = 0  # successful LISTENs so far (1 + reconnects)
        self.backend_pid: int | None = None

    def start(self) -> PgListener:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="explorer-rooms-listen", daemon=True
            )
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        backoff = BACKOFF_FIRST_S
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = BACKOFF_FIRST_S
            except (psycopg.Error, OSError) as error:
                log.warning("rooms NOTIFY listener disconnected: %s", type(error).__name__)
            finally:
                self._connected.clear()
            if self._stop.wait(backoff):
                break
            backoff = min(backoff * 2, self._backoff_max_s)

    def _listen(self) -> None:
        with psycopg.connect(
            self._conninfo,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            keepalives=1,
            keepalives_idle=30,
            keepalives_interval=10,
            keepalives_count=3,
        ) as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
            self.backend_pid = conn.info.backend_pid
            self.connections += 1
            self._connected.set()
            if self.connections > 1 and self._on_reconnect is not None:
                self._on_reconnect()
            while not self._stop.is_set():
                for notify in conn.notifies(timeout=self._poll_s, stop_after=256):
                    self._deliver(notify.payload)

    def _deliver(self, payload: str) -> None:
        try:
            self._on_payload(payload)
        except Exception:  # one bad delivery must not stop the listener
            log.exception("rooms NOTIFY delivery failed")


__all__ = ["PgListener", "libpq_conninfo"]
