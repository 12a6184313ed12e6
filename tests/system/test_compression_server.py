"""Compression on the real server (``streamlit run app.py``): Streamlit's front-end files and
the root document come gzipped when the browser accepts it (Streamlit alone leaves them
plain), hashed files are kept a year; the rooms' event stream is never compressed or held
back (an answer reaches an open facilitator stream at once, gzip accepted); and
``EXPLORER_COMPRESSION=off`` serves everything plain.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rooms import RoomSettings, RoomStore, facilitator_cookie
from tests.support.appserver import AppServer
from web.compression import SETTING
from web.participant import PROOF_HEADER

pytestmark = [pytest.mark.slow]

EVENT_WITHIN_S = 2.0  # "promptly": an unbuffered stream delivers in milliseconds
READ_LIMIT_S = 10.0
_BOOT = '<script type="application/json" id="boot">'


def _get(base: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=READ_LIMIT_S)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        found = {k.lower(): v for k, v in response.getheaders()}
        found["set-cookie"] = "\n".join(response.headers.get_all("set-cookie") or [])
        return response.status, found, response.read()
    finally:
        connection.close()


def _serve(tmp: Path, **env: str) -> AppServer:
    return AppServer(
        {"EXPLORER_DATA_DIR": str(tmp / "data"), "EXPLORER_DATABASE_URL": "", **env}, tmp / "logs"
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, Path]]:
    tmp = tmp_path_factory.mktemp("compression")
    with _serve(tmp) as server:
        yield server, tmp / "data"


def _bundle(base: str) -> str:
    """The first hashed script the root document loads (Streamlit's /static/js/...)."""
    _, _, page = _get(base, "/", {})
    found = re.search(rb'src="\./(static/js/[^"]+\.js)"', page)
    assert found, "the root document names no script"
    return "/" + found.group(1).decode()


def test_streamlit_s_files_and_the_root_document_come_gzipped_and_kept(app) -> None:
    server, _ = app
    script = _bundle(server.url)
    status, plain_headers, plain = _get(server.url, script, {"Accept-Encoding": "identity"})
    assert status == 200 and "content-encoding" not in plain_headers
    for _ in range(2):  # compressed once, then from the kept copy: the same either way
        status, headers, body = _get(server.url, script, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["content-encoding"] == "gzip"
        assert gzip.decompress(body) == plain
        assert len(body) < len(plain) / 2
        assert (
            "immutable" in headers["cache-control"]
            and "max-age=31536000" in headers["cache-control"]
        )
        assert headers["content-security-policy"], "security headers on the kept copy too"
    status, headers, _ = _get(server.url, "/", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert headers["cache-control"] == "no-cache"  # the document that names the hashes


def _facilitator_and_phone(server: AppServer, data: Path) -> tuple[str, str, dict[str, str]]:
    """A room (created in the server's store), the facilitator's cookie from the claim
    route, and a phone's headers (cookie and proof) from the join page."""
    env = {"EXPLORER_DATA_DIR": str(data), "EXPLORER_DATABASE_URL": ""}
    store = RoomStore.from_settings(RoomSettings.from_env(env))
    try:
        created = store.create_room("Compression")
        code = created.room.code
        claim = store.create_claim(code, created.token)
    finally:
        store.dispose()
    _, headers, _ = _get(server.url, f"/api/rooms/claim?c={claim}", {})
    held = re.search(rf"{facilitator_cookie(code)}=([^;]+)", headers["set-cookie"])
    assert held, "the claim route set no facilitator cookie"
    status, headers, page = _get(server.url, f"/j/{code}", {})
    assert status == 200
    cookie = headers["set-cookie"].split(";", 1)[0]
    boot = page.decode().split(_BOOT, 1)[1].split("</script>", 1)[0]
    phone = {
        "Cookie": cookie,
        PROOF_HEADER: json.loads(boot)["proof"],
        "Origin": server.url,
        "Content-Type": "application/json",
    }
    return code, f"{facilitator_cookie(code)}={held.group(1)}", phone


def test_an_answer_reaches_an_open_event_stream_at_once_with_gzip_accepted(app) -> None:
    server, data = app
    code, facilitator, phone = _facilitator_and_phone(server, data)
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=READ_LIMIT_S) as stream:
        stream.sendall(
            (
                f"GET /api/rooms/{code}/events?role=facilitator HTTP/1.1\r\nHost: {host}\r\n"
                f"Accept: text/event-stream\r\nAccept-Encoding: gzip, deflate, br\r\n"
                f"Cookie: {facilitator}\r\nConnection: close\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += stream.recv(4096)
        headers = head.split(b"\r\n\r\n", 1)[0].decode().lower()
        assert headers.startswith("http/1.1 200")
        assert "text/event-stream" in headers
        assert "content-encoding" not in headers
        already = head.split(b"\r\n\r\n", 1)[1]

        answer = {"goal": "specific", "timeframe": "weeks", "stage": "mid", "structure": "formal"}
        connection = http.client.HTTPConnection(host, int(port), timeout=READ_LIMIT_S)
        connection.request("POST", f"/api/rooms/{code}/answer", json.dumps(answer), phone)
        assert connection.getresponse().status == 200
        connection.close()
        sent = time.monotonic()

        received = already
        stream.settimeout(EVENT_WITHIN_S)
        while b"event: changed" not in received and time.monotonic() - sent < EVENT_WITHIN_S:
            chunk = stream.recv(4096)
            if not chunk:
                break
            received += chunk
        assert b"event: changed" in received, f"nothing within {EVENT_WITHIN_S} s: {received!r}"


def test_off_serves_everything_plain(tmp_path: Path) -> None:
    with _serve(tmp_path, **{SETTING: "off"}) as server:
        script = _bundle(server.url)
        for path in ("/", script, "/j"):
            status, headers, _ = _get(server.url, path, {"Accept-Encoding": "gzip"})
            assert status == 200, path
            assert "content-encoding" not in headers, path
