"""Compressed responses where the client accepts them (``Accept-Encoding: gzip``).

Streamlit already gzips what goes through its own middleware, the app's routes among them
(the participant page, its JSON API, ``/api/assets/``), but deliberately not its front end's
files under ``/static/`` (about 3 MB on Explore's first load) nor the root document, because
Starlette's ``GZipMiddleware`` would compress them again on every request. This middleware,
mounted through ``st.App(middleware=…)``, fills that gap without the recurring cost:

- ``/static/`` files that Streamlit marks ``immutable`` (content-hashed names, kept a year
  by the browser) are compressed **once** and kept in memory (bounded: ``CACHE_BYTES`` of
  compressed bytes, least recently used dropped first); later requests are answered from
  that copy without reaching Streamlit. Range and conditional requests, and anything not
  immutable or not compressible, pass through untouched.
- Everything else goes through Starlette's own ``GZipMiddleware``, which leaves alone what
  is already encoded (Streamlit's own gzip ran first), small bodies, and the content types
  it excludes, ``text/event-stream`` among them: the rooms' live updates
  (web/room_events.py) stream unbuffered.

``EXPLORER_COMPRESSION=off`` turns compression off altogether, Streamlit's own included
(the request's ``Accept-Encoding`` is removed before anything else sees it): for a proxy
that compresses by itself (deploy/nginx.conf.template can), or to measure the difference
(benchmarks/lighthouse.py). Anything but ``on`` (the default) or ``off`` is refused at start.
"""

from __future__ import annotations

import gzip
import os
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SETTING = "EXPLORER_COMPRESSION"
STATIC_PREFIX = "/static/"
MINIMUM_SIZE = 500  # bytes; smaller bodies are sent as they are (as Streamlit does)
DYNAMIC_LEVEL = 6  # per request: the root document and whatever else Streamlit left plain
STATIC_LEVEL = 9  # once per file, so the smallest output is worth its CPU
CACHE_BYTES = 32 * 2**20  # compressed copies kept (Streamlit's bundle is about 6 MB)
LARGEST_FILE = 16 * 2**20  # a bigger file is streamed as it is, never held in memory
THREAD_FROM = 64 * 2**10  # compress bodies this large off the event loop
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "application/wasm",
    "application/xml",
    "image/svg+xml",
    "font/ttf",
    "font/otf",
    "application/vnd.ms-fontobject",
)


def compression_middleware(env: Mapping[str, str] | None = None) -> list[Middleware]:
    """The middleware for ``EXPLORER_COMPRESSION`` (``on`` by default, or ``off``)."""
    value = (os.environ if env is None else env).get(SETTING, "on").strip().lower() or "on"
    if value == "on":
        return [Middleware(Compression)]
    if value == "off":
        return [Middleware(NoCompression)]
    raise ValueError(f"{SETTING} must be 'on' or 'off', not {value!r}")


class NoCompression:
    """Removes ``Accept-Encoding`` from every HTTP request, so nothing behind it (Streamlit's
    own gzip included) compresses a response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


@dataclass(frozen=True)
class _Compressed:
    headers: list[tuple[bytes, bytes]]
    body: bytes


class Compression:
    """Immutable ``/static/`` files gzipped once and kept; the rest by ``GZipMiddleware``."""

    def __init__(self, app: ASGIApp, cache_bytes: int = CACHE_BYTES) -> None:
        self.app = app
        self.dynamic = GZipMiddleware(app, minimum_size=MINIMUM_SIZE, compresslevel=DYNAMIC_LEVEL)
        self.cache: OrderedDict[str, _Compressed] = OrderedDict()
        self.cache_bytes = cache_bytes
        self.held = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path: str = scope.get("path", "")
        if not (
            path.startswith(STATIC_PREFIX)
            and scope.get("method") == "GET"
            and "gzip" in headers.get("accept-encoding", "")
            and not any(name in headers for name in ("range", "if-none-match", "if-modified-since"))
        ):
            await self.dynamic(scope, receive, send)
            return
        kept = self.cache.get(path)
        if kept is not None:
            self.cache.move_to_end(path)
            await _send(send, kept)
            return
        await self._compress_once(path, scope, receive, send)

    async def _compress_once(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Ask Streamlit for the file; keep a gzipped copy when it is one worth keeping,
        otherwise pass the response on as it comes (streamed, never held)."""
        start: Message | None = None
        chunks: list[bytes] = []
        passing = False

        async def capture(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
                if not _worth_keeping(message):
                    passing = True
                    await send(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            else:  # pragma: no cover - a message type this middleware does not know
                await send(message)

        await self.app(scope, receive, capture)
        if passing or start is None:
            return
        body = b"".join(chunks)
        if len(body) < MINIMUM_SIZE:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        if len(body) >= THREAD_FROM:
            packed = await run_in_threadpool(gzip.compress, body, STATIC_LEVEL, mtime=0)
        else:
            packed = gzip.compress(body, STATIC_LEVEL, mtime=0)
        kept = _Compressed(_encoded_headers(start["headers"], len(packed)), packed)
        self._keep(path, kept)
        await _send(send, kept)

    def _keep(self, path: str, kept: _Compressed) -> None:
        if len(kept.body) > self.cache_bytes:
            return
        self.cache[path] = kept
        self.held += len(kept.body)
        while self.held > self.cache_bytes:
            _, dropped = self.cache.popitem(last=False)
            self.held -= len(dropped.body)


def _worth_keeping(start: Message) -> bool:
    headers = Headers(raw=start.get("headers", []))
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    length = headers.get("content-length")
    return (
        start.get("status") == 200
        and "content-encoding" not in headers
        and "immutable" in headers.get("cache-control", "")
        and media_type.startswith(COMPRESSIBLE)
        and length is not None
        and length.isdigit()
        and int(length) <= LARGEST_FILE
    )


def _encoded_headers(raw: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    """The file's headers for its gzipped copy: its length, its encoding, Vary, and the
    validator marked weak (the bytes differ from the file's own)."""
    out: list[tuple[bytes, bytes]] = []
    for name, value in raw:
        lower = name.lower()
        if lower in (b"content-length", b"content-encoding", b"vary"):
            continue
        if lower == b"etag" and not value.startswith(b"W/"):
            value = b"W/" + value
        out.append((name, value))
    out += [
        (b"content-length", str(length).encode()),
        (b"content-encoding", b"gzip"),
        (b"vary", b"Accept-Encoding"),
    ]
    return out


async def _send(send: Send, kept: _Compressed) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": list(kept.headers)})
    await send({"type": "http.response.body", "body": kept.body})
