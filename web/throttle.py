"""Bounded reruns: each message a browser sends on Streamlit's WebSocket (a slider release, a
click) reruns the script, so one client sending 50 a second could hold most of a core and
slow every other visitor. This ASGI middleware paces the messages each connection sends with
a token bucket. A person never notices (a burst of ten passes at once); a flood is slowed to
the refill rate, its excess waiting in its own socket buffer rather than in the server's CPU.

Limits per address (many connections from one client) belong in front of the app, where the
real address is known: deploy/nginx.conf.template limits new WebSockets and open connections
per address. The app itself would see one address for a whole class behind one NAT.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

STREAM_PATH = "/_stcore/stream"
# Messages per second, burst. One Explore rerun costs about a tenth of a core-second on this
# 2-core machine, so even 10 a second from one client saturate a core (measured: 0.72 of a
# core at 10/s, 0.20 at 2/s). A person's releases come far slower: the live explorer reports
# once per release (a held key is one release), and a burst of ten passes at once.
PER_CONNECTION = (2.0, 10.0)


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
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = max(self.stamp, now)
        self.tokens -= 1.0
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class RerunThrottle:
    """Paces client messages on Streamlit's WebSocket, per connection."""

    def __init__(self, app: ASGIApp, per_connection: tuple[float, float] = PER_CONNECTION):
        self.app = app
        self.per_connection = per_connection

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or scope.get("path") != STREAM_PATH:
            await self.app(scope, receive, send)
            return
        bucket = TokenBucket(*self.per_connection)

        async def paced_receive() -> Message:
            message = await receive()
            if message["type"] == "websocket.receive":
                wait = bucket.take(time.monotonic())
                if wait > 0:
                    await asyncio.sleep(wait)
            return message

        await self.app(scope, paced_receive, send)
