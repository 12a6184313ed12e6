"""Guards Streamlit's WebSocket (``/_stcore/stream``): who may open it, how many one address
may hold, and how fast their messages are worked through.

- **Same origin only.** Streamlit accepts an upgrade from a page on any port of localhost;
  cookies ignore ports, so a page on another port of the same host would get a facilitator's
  whole dashboard. An upgrade whose ``Origin`` is not exactly this server's address
  (web/origin.py) is refused before it reaches Streamlit.
- **Connections per address.** One address holds at most ``max_connections`` streams at a
  time (a tab is one; EXPLORER_MAX_STREAMS_PER_ADDRESS); more are refused. Behind the
  documented nginx the address is the one nginx saw (uvicorn trusts its X-Forwarded-For
  from loopback).
- **Paced messages.** Each message a browser sends (a slider release, a click) reruns the
  script, so one client sending 50 a second could hold most of a core. Every message takes a
  token from its connection's bucket and from its address's shared bucket, and waits for
  the later of the two: a person never notices (a burst passes at once), a flood is slowed
  to the refill rate however many connections it opens.
- **No one empties the caches for everyone.** Streamlit's "Clear cache" message empties
  every ``st.cache_data`` and ``st.cache_resource`` of the process, for every visitor; the
  app's menu does not offer it (``toolbarMode = "viewer"``) but any client could send it.
  Such a message is dropped here, never handed on.
- **No one breaks their own session for good.** A component value that is not JSON made
  Streamlit fail in every later run of that session, with a traceback in the log each
  time; it is taken out of the message here, and the run goes on with the value before.
- **Floods are closed, backlogs dropped.** A connection's messages are read ahead into a
  short queue; one that keeps more than ``max_backlog`` waiting sends far faster than a
  person can: it is closed. When a client leaves, what it had queued is dropped, never
  worked through (a backlog that ran for minutes after an attacker had gone).

Limits at the edge (new connections per second, per address) stay in
deploy/nginx.conf.template: nginx refuses before the app spends anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field

from google.protobuf.message import DecodeError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit.proto.BackMsg_pb2 import BackMsg

from rooms import RoomSettings, address_group
from web.origin import same_origin

log = logging.getLogger(__name__)

STREAM_PATH = "/_stcore/stream"
# Messages per second, burst. One Explore rerun costs about a tenth of a core-second on this
# 2-core machine, so even 10 a second from one client saturate a core (measured: 0.72 of a
# core at 10/s, 0.20 at 2/s). A person's releases come far slower: the live explorer reports
# once per release (a held key is one release), and a burst of ten passes at once.
PER_CONNECTION = (2.0, 10.0)
# All streams of one address together: a classroom behind one NAT exploring at once sends
# a few releases a second; a client with many connections gets no more than this.
# The defaults of EXPLORER_STREAM_MESSAGES_PER_SECOND_PER_ADDRESS and
# EXPLORER_MAX_STREAMS_PER_ADDRESS (rooms/settings.py); a burst of five seconds'.
PER_ADDRESS_BURST_S = 5.0
# Messages a connection may have waiting for their turn. A person's burst passes at once
# (the bucket's burst is smaller); a client that keeps more than this waiting sends faster
# than the pace for long, which no person does: it is closed.
MAX_BACKLOG = 30
POLICY_VIOLATION = 1008  # the WebSocket close code for "refused by policy"
LOG_EVERY_S = 60.0  # a refusal is logged once a minute per address, not once per attempt


@dataclass
class TokenBucket:
    """`rate` tokens a second up to `burst`; `take()` says how long to wait for one."""

    rate: float
    burst: float
    tokens: float = field(init=False)
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self, now: float) -> float:
        """Take a token (the balance may go negative); the seconds to wait before acting."""
        self.refill(now)
        self.tokens -= 1.0
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = max(self.stamp, now)

    def full(self, now: float) -> bool:
        self.refill(now)
        return self.tokens >= self.burst


@dataclass
class _Address:
    bucket: TokenBucket
    open: int = 0


def _drop(queue: asyncio.Queue[Message]) -> None:
    while not queue.empty():
        queue.get_nowait()


def screened(message: Message) -> Message | None:
    """A client's WebSocket message as Streamlit may have it: None for a "Clear cache"
    (dropped), and a rerun without the component values that are not JSON (Streamlit
    would fail on them in every later run of the session, before the app's own
    validation sees them); anything else as it came."""
    data = message.get("bytes")
    if message["type"] != "websocket.receive" or not data:
        return message
    back = BackMsg()
    try:
        back.ParseFromString(data)
    except DecodeError:
        return message  # not ours to judge: Streamlit answers a malformed message itself
    kind = back.WhichOneof("type")
    if kind == "clear_cache":
        return None
    if kind == "rerun_script":
        widgets = back.rerun_script.widget_states.widgets
        unreadable = [
            n
            for n, widget in enumerate(widgets)
            if widget.WhichOneof("value") == "json_value" and not _is_json(widget.json_value)
        ]
        if unreadable:
            for n in reversed(unreadable):
                del widgets[n]  # the session keeps the value it had: the run goes on
            return {**message, "bytes": back.SerializeToString()}
    return message


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _headers(scope: Scope) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope.get("headers", [])
    }


class StreamGuard:
    """ASGI middleware for ``/_stcore/stream`` (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_connection: tuple[float, float] = PER_CONNECTION,
        per_address: tuple[float, float] | None = None,
        max_connections: int | None = None,
        max_backlog: int = MAX_BACKLOG,
    ) -> None:
        """Limits not given come from the environment's settings (RoomSettings.from_env)."""
        if per_address is None or max_connections is None:
            settings = RoomSettings.from_env()
            rate = settings.stream_messages_per_second_per_address
            per_address = per_address or (rate, rate * PER_ADDRESS_BURST_S)
            max_connections = max_connections or settings.max_streams_per_address
        self.app = app
        self.per_connection = per_connection
        self.per_address = per_address
        self.max_connections = max_connections
        self.max_backlog = max_backlog
        self.addresses: dict[str, _Address] = {}
        self._logged: dict[tuple[str, str], float] = {}
        self.refused: dict[str, int] = {"origin": 0, "connections": 0, "flood": 0, "clear_cache": 0}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or scope.get("path") != STREAM_PATH:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = address_group(client[0] if client else None) or "?"
        if not same_origin(_headers(scope), scope.get("scheme", "ws")):
            await self._refuse(receive, send, "origin", address)
            return
        entry = self.addresses.setdefault(address, _Address(TokenBucket(*self.per_address)))
        if entry.open >= self.max_connections:
            await self._refuse(receive, send, "connections", address)
            return
        entry.open += 1
        try:
            await self._paced(scope, receive, send, entry, address)
        finally:
            entry.open -= 1
            if entry.open == 0 and entry.bucket.full(time.monotonic()):
                self.addresses.pop(address, None)

    async def _paced(
        self, scope: Scope, receive: Receive, send: Send, entry: _Address, address: str
    ) -> None:
        """Run Streamlit with this connection's messages read ahead into a short queue and
        handed on at the pace. The queue is the connection's backlog: when it overflows the
        client sends faster than any person, and it is closed; when the client leaves, the
        backlog is dropped and Streamlit hears of the disconnect at once."""
        own = TokenBucket(*self.per_connection)
        backlog: asyncio.Queue[Message] = asyncio.Queue()
        closed = False

        async def read_ahead() -> None:
            nonlocal closed
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    _drop(backlog)
                    backlog.put_nowait(message)
                    return
                passed = screened(message)
                if passed is None:
                    self.refused["clear_cache"] += 1
                    self._log_once("clear_cache", address)
                    continue
                message = passed
                if backlog.qsize() >= self.max_backlog:
                    closed = True
                    self.refused["flood"] += 1
                    self._log_once("flood", address)
                    _drop(backlog)
                    backlog.put_nowait({"type": "websocket.disconnect", "code": POLICY_VIOLATION})
                    await send({"type": "websocket.close", "code": POLICY_VIOLATION})
                    return
                backlog.put_nowait(message)

        reader: asyncio.Task[None] | None = None

        async def paced_receive() -> Message:
            nonlocal reader
            if reader is None:  # the handshake first, then read ahead
                reader = asyncio.create_task(read_ahead())
                return await receive()
            message = await backlog.get()
            if message["type"] == "websocket.receive":
                now = time.monotonic()
                wait = max(own.take(now), entry.bucket.take(now))
                if wait > 0:
                    await asyncio.sleep(wait)
            return message

        async def guarded_send(message: Message) -> None:
            if not closed:
                await send(message)

        try:
            await self.app(scope, paced_receive, guarded_send)
        finally:
            if reader is not None:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader

    async def _refuse(self, receive: Receive, send: Send, why: str, address: str) -> None:
        """Refuse the upgrade: the client gets an HTTP 403 and Streamlit never sees it."""
        self.refused[why] += 1
        self._log_once(why, address)
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.close", "code": POLICY_VIOLATION})

    def _log_once(self, why: str, address: str) -> None:
        now = time.monotonic()
        if now - self._logged.get((why, address), -LOG_EVERY_S) >= LOG_EVERY_S:
            self._logged[(why, address)] = now
            if len(self._logged) > 10_000:  # bounded: forget the oldest half
                for key in sorted(self._logged, key=self._logged.__getitem__)[:5_000]:
                    del self._logged[key]
            log.warning(
                "stream refused (%s) for %s; further refusals for a minute unlogged", why, address
            )


__all__ = [
    "MAX_BACKLOG",
    "PER_CONNECTION",
    "STREAM_PATH",
    "StreamGuard",
    "TokenBucket",
]
