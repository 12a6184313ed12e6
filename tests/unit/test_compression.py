"""Compression (web/compression.py), in process with Starlette's TestClient: the app's own
routes (the join page, the assets, the room's picture) and Streamlit's immutable ``/static/``
files come gzipped when the client asks (``Accept-Encoding: gzip``) and plain when it does
not; a ``/static/`` file is compressed once and then answered from the kept copy; range and
conditional requests, and files that are not immutable, pass through; ``text/event-stream``
is never compressed; ``EXPLORER_COMPRESSION=off`` stops every compression behind it.

That the real server's event stream still delivers promptly with gzip accepted is
tests/system/test_compression_server.py.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from explorer import load_content
from rooms import participant_cookie
from tests.support.rooms_app import Rooms, boot_data, post_answer
from views.assets import FILES, asset_url
from web import server
from web.assets import asset_routes
from web.compression import (
    SETTING,
    Compression,
    NoCompression,
    compression_middleware,
)
from web.participant import PROOF_HEADER

CONTENT = load_content()
GZIP = {"accept-encoding": "gzip"}
PLAIN = {"accept-encoding": "identity"}
BUNDLE = ("console.log('a hashed bundle of Streamlit');\n" * 400).encode()
IMMUTABLE = "public, immutable, max-age=31536000"


class StaticCalls:
    """A stand-in for Streamlit's ``/static/`` route that counts what reaches it."""

    def __init__(self) -> None:
        self.count = 0

    async def bundle(self, request: Request) -> Response:
        self.count += 1
        if "range" in request.headers:
            return Response(BUNDLE[:100], status_code=206, media_type="application/javascript")
        return Response(
            BUNDLE,
            media_type="application/javascript",
            headers={"Cache-Control": IMMUTABLE, "ETag": '"abc"'},
        )

    async def not_hashed(self, request: Request) -> Response:
        self.count += 1
        return Response(BUNDLE, media_type="application/javascript")

    async def font(self, request: Request) -> Response:
        self.count += 1
        return Response(BUNDLE, media_type="font/woff2", headers={"Cache-Control": IMMUTABLE})


async def _events(request: Request) -> StreamingResponse:
    async def stream() -> AsyncIterator[bytes]:
        for n in range(3):
            yield f"event: changed\ndata: {n}\n\n".encode() + b":" + b" " * 600 + b"\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream")


@pytest.fixture
def static() -> StaticCalls:
    return StaticCalls()


def _app(rooms: Rooms, static: StaticCalls, middleware: list[Middleware]) -> Starlette:
    routes = [
        *rooms.app.routes,
        *asset_routes(),
        Route("/static/js/index.abc123.js", static.bundle),
        Route("/static/js/unhashed.js", static.not_hashed),
        Route("/static/media/font.abc123.woff2", static.font),
        Route("/stream", _events),
        Route("/", lambda request: PlainTextResponse("index " * 400)),
    ]
    return Starlette(routes=routes, middleware=middleware)


@pytest.fixture
def client(rooms: Rooms, static: StaticCalls) -> TestClient:
    app = _app(rooms, static, compression_middleware({}))
    return TestClient(app, follow_redirects=False)


def _gzipped(response: Response) -> bool:
    return response.headers.get("content-encoding") == "gzip"


def test_the_app_s_middleware_compresses_unless_turned_off(monkeypatch) -> None:
    monkeypatch.delenv(SETTING, raising=False)
    assert Compression in [m.cls for m in server.middleware()]
    assert [m.cls for m in compression_middleware({SETTING: "on"})] == [Compression]
    assert [m.cls for m in compression_middleware({SETTING: " OFF "})] == [NoCompression]
    with pytest.raises(ValueError, match="EXPLORER_COMPRESSION must be 'on' or 'off'"):
        compression_middleware({SETTING: "maybe"})


def test_the_join_page_comes_gzipped_when_asked_and_plain_when_not(rooms, client) -> None:
    code = rooms.store.create_room().room.code
    plain = client.get(f"/j/{code}", headers=PLAIN)
    packed = client.get(f"/j/{code}", headers=GZIP)
    for response in (plain, packed):
        assert response.status_code == 200
        assert boot_data(response.text)["code"] == code  # the same page either way
    assert not _gzipped(plain)
    assert _gzipped(packed)
    assert "Accept-Encoding" in packed.headers["vary"]
    assert int(packed.headers["content-length"]) < len(plain.content) / 2


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_asset_comes_gzipped_when_asked_and_plain_when_not(client, name: str) -> None:
    url = asset_url(name)
    plain, packed = client.get(url, headers=PLAIN), client.get(url, headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert not _gzipped(plain) and _gzipped(packed)
    assert packed.content == plain.content  # httpx decoded it: the same file
    assert packed.headers["cache-control"] == plain.headers["cache-control"]
    assert "immutable" in packed.headers["cache-control"]


def test_the_room_s_picture_comes_gzipped_when_asked_and_plain_when_not(rooms, client) -> None:
    created = rooms.store.create_room()
    code = created.room.code
    page = client.get(f"/j/{code}")
    client.headers[PROOF_HEADER] = boot_data(page.text)["proof"]
    assert client.cookies.get(participant_cookie(code))
    answer = {spec.id: spec.option_ids[-1] for spec in CONTENT.main_inputs}
    assert post_answer(client, code, answer).status_code == 200
    rooms.store.set_revealed(code, created.token, True)
    plain = client.get(f"/api/rooms/{code}/picture", headers=PLAIN)
    packed = client.get(f"/api/rooms/{code}/picture", headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert len(plain.content) >= 500, "the picture is big enough to be worth compressing"
    assert not _gzipped(plain) and _gzipped(packed)
    assert packed.json() == plain.json() and plain.json()["answered"] == 1


def test_an_immutable_static_file_is_compressed_once_then_served_from_the_kept_copy(
    client, static
) -> None:
    first = client.get("/static/js/index.abc123.js", headers=GZIP)
    again = client.get("/static/js/index.abc123.js", headers=GZIP)
    assert static.count == 1, "the second request never reached Streamlit"
    for response in (first, again):
        assert response.status_code == 200 and _gzipped(response)
        assert response.content == BUNDLE
        assert response.headers["cache-control"] == IMMUTABLE
        assert response.headers["vary"] == "Accept-Encoding"
        assert response.headers["etag"] == 'W/"abc"'  # not the plain file's bytes
    raw = client.get("/static/js/index.abc123.js", headers=PLAIN)
    assert not _gzipped(raw) and raw.content == BUNDLE and static.count == 2


def test_range_conditional_unhashed_and_binary_static_files_pass_through(client, static) -> None:
    ranged = client.get("/static/js/index.abc123.js", headers={**GZIP, "range": "bytes=0-99"})
    assert ranged.status_code == 206 and not _gzipped(ranged)
    conditional = client.get(
        "/static/js/index.abc123.js", headers={**GZIP, "if-none-match": '"abc"'}
    )
    assert conditional.status_code == 200
    font = client.get("/static/media/font.abc123.woff2", headers=GZIP)
    assert not _gzipped(font) and font.content == BUNDLE
    unhashed = client.get("/static/js/unhashed.js", headers=GZIP)
    assert unhashed.content == BUNDLE and "immutable" not in unhashed.headers.get(
        "cache-control", ""
    )
    assert static.count == 4, "none of these was answered from a kept copy"


def test_the_root_document_is_compressed_per_request(client) -> None:
    assert _gzipped(client.get("/", headers=GZIP))
    assert not _gzipped(client.get("/", headers=PLAIN))


def test_an_event_stream_is_never_compressed(client) -> None:
    with client.stream("GET", "/stream", headers=GZIP) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers
        body = b"".join(response.iter_raw())
    assert body.count(b"event: changed") == 3


def test_off_stops_compression_behind_it_streamlit_s_own_included(rooms, static) -> None:
    # Streamlit gzips its routes itself, inside the app's middleware: stood in for here.
    inner = [*compression_middleware({SETTING: "off"}), Middleware(GZipMiddleware)]
    client = TestClient(_app(rooms, static, inner), follow_redirects=False)
    code = rooms.store.create_room().room.code
    for url in (f"/j/{code}", "/static/js/index.abc123.js", "/", asset_url("live_explorer.js")):
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200, url
        assert not _gzipped(response), url


def test_the_kept_copies_stay_within_their_budget(rooms, static) -> None:
    small = len(gzip.compress(BUNDLE, 9, mtime=0))
    app = Starlette(
        routes=[Route("/static/js/{name}", static.bundle)],
        middleware=[Middleware(Compression, cache_bytes=int(small * 2.5))],
    )
    client = TestClient(app)
    for n in range(5):
        assert client.get(f"/static/js/file{n}.js", headers=GZIP).content == BUNDLE
    layer = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(layer, Compression):
        layer = layer.app
    assert list(layer.cache) == ["/static/js/file3.js", "/static/js/file4.js"]
    assert layer.held <= small * 2.5
    assert json.dumps(sorted(layer.cache))  # plain paths, nothing else
