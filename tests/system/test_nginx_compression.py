"""deploy/nginx.conf.template's compression and caching, on nginx itself in front of two
small stand-in replicas (no Streamlit, no PostgreSQL): what a replica sends plain and
compressible is gzipped for a client that accepts it and plain for one that does not; an
event stream is never compressed and its first event passes at once; a response the
replica already encoded passes untouched; a static file keeps its long-lived caching and
the replica's security headers (once, without nginx's fallbacks). The whole cluster (two
real replicas, PostgreSQL) is tests/browser/test_cluster_browser.py.
"""

from __future__ import annotations

import gzip
import http.client
import os
import pwd
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from testkit.cluster import NGINX, free_ports
from tests.conftest import REPO_ROOT
from web.headers import SECURITY_HEADERS

pytestmark = [pytest.mark.slow]

TEMPLATE = REPO_ROOT / "deploy" / "nginx.conf.template"
START_S = 20.0
EVENT_WITHIN_S = 1.0
SCRIPT = b"export const value = 'a hashed front-end bundle';\n" * 400
PAGE = b"<!doctype html><title>join</title>" + b"<p>four sliders</p>" * 300


class Replica(BaseHTTPRequestHandler):
    """What a replica answers on the paths nginx treats apart."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in SECURITY_HEADERS:
            self.send_header(name.decode(), value.decode())
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/_stcore/health":
            self._send(200, b"ok", {"Content-Type": "text/plain"})
        elif self.path.startswith("/static/"):
            self._send(
                200,
                SCRIPT,
                {
                    "Content-Type": "application/javascript",
                    "Cache-Control": "public, immutable, max-age=31536000",
                },
            )
        elif self.path == "/j/ABCDEF":
            self._send(200, PAGE, {"Content-Type": "text/html", "Cache-Control": "no-store"})
        elif self.path == "/api/assets/encoded.js":
            self._send(
                200,
                gzip.compress(SCRIPT, mtime=0),
                {
                    "Content-Type": "text/javascript",
                    "Content-Encoding": "gzip",
                    "Cache-Control": "public, max-age=31536000, immutable",
                },
            )
        elif self.path.startswith("/api/rooms/ABCDEF/events"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"retry: 2000\n\nevent: changed\ndata: 1\n\n" + b": " * 400 + b"\n\n")
            self.wfile.flush()
            time.sleep(3)  # the stream stays open; the event must not wait for its end
            self.close_connection = True
        else:
            self._send(404, b"", {})


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not os.access(NGINX, os.X_OK):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but nginx is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    prefix = tmp_path_factory.mktemp("nginx")
    (prefix / "tmp").mkdir(mode=0o700)  # as deploy/cluster.sh makes it: the workers' own
    if os.getuid() == 0:  # started as root, the workers run as nobody
        os.chown(prefix / "tmp", pwd.getpwnam("nobody").pw_uid, -1)
    port, port_a, port_b = free_ports(3)
    replicas = [ThreadingHTTPServer(("127.0.0.1", p), Replica) for p in (port_a, port_b)]
    for replica in replicas:
        replica.daemon_threads = True
        threading.Thread(target=replica.serve_forever, daemon=True).start()
    conf = TEMPLATE.read_text()
    for name, value in {
        "PREFIX": str(prefix),
        "LISTEN": "127.0.0.1",
        "PORT": str(port),
        "PORT_A": str(port_a),
        "PORT_B": str(port_b),
    }.items():
        conf = conf.replace(f"@{name}@", value)
    (prefix / "nginx.conf").write_text(conf)
    command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e"]
    command += [str(prefix / "error.log")]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([*command, "-g", "daemon off;"])
    try:
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"nginx did not listen within {START_S} s")
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        for replica in replicas:
            replica.shutdown()
            replica.server_close()


def _get(address: str, path: str, **headers: str) -> http.client.HTTPResponse:
    host, port = address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path, headers={"Cookie": "explorer_replica=a", **headers})
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_a_plain_page_is_gzipped_when_asked_and_plain_when_not(nginx: str) -> None:
    packed = _get(nginx, "/j/ABCDEF", **{"Accept-Encoding": "gzip"})
    plain = _get(nginx, "/j/ABCDEF", **{"Accept-Encoding": "identity"})
    assert packed.status == plain.status == 200
    assert packed.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(packed.body) == PAGE  # type: ignore[attr-defined]
    assert plain.getheader("Content-Encoding") is None
    assert plain.body == PAGE  # type: ignore[attr-defined]
    assert "Accept-Encoding" in (packed.getheader("Vary") or "")


def test_what_the_replica_encoded_passes_untouched(nginx: str) -> None:
    response = _get(nginx, "/api/assets/encoded.js", **{"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(response.body) == SCRIPT  # type: ignore[attr-defined]


def test_a_static_file_sent_plain_is_gzipped_and_keeps_its_headers(nginx: str) -> None:
    response = _get(nginx, "/static/js/index.abc123.js", **{"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(response.body) == SCRIPT  # type: ignore[attr-defined]
    assert response.getheader("Cache-Control") == "public, immutable, max-age=31536000"
    for name, value in SECURITY_HEADERS:  # the replica's, once: no fallback added
        sent = [v for k, v in response.getheaders() if k.lower() == name.decode()]
        assert sent == [value.decode()], (name, sent)


def test_an_event_stream_is_not_compressed_and_its_event_passes_at_once(nginx: str) -> None:
    host, port = nginx.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as stream:
        began = time.monotonic()
        stream.sendall(
            b"GET /api/rooms/ABCDEF/events?role=participant HTTP/1.1\r\nHost: x\r\n"
            b"Accept-Encoding: gzip\r\nCookie: explorer_replica=a\r\n\r\n"
        )
        stream.settimeout(EVENT_WITHIN_S)
        received = b""
        while b"event: changed" not in received and time.monotonic() - began < EVENT_WITHIN_S:
            chunk = stream.recv(4096)
            if not chunk:
                break
            received += chunk
    head = received.split(b"\r\n\r\n", 1)[0].lower()
    assert head.startswith(b"http/1.1 200")
    assert b"content-encoding" not in head
    assert b"event: changed" in received, f"nothing within {EVENT_WITHIN_S} s"
