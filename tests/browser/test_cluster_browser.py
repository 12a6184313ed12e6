"""Two replicas behind nginx on one PostgreSQL store (deploy/cluster.sh), end to end.

A phone served by replica b answers, and the facilitator's dashboard on replica a counts
it by push (PostgreSQL NOTIFY between the replicas, then the dashboard's event stream;
no polling). Through nginx: the app's security headers arrive as the app sent them, the
event stream is not buffered, the access log holds no query string or Referer, the app's
per-address limits see the client's own address (X-Forwarded-For from nginx only), and
one client's flood of WebSocket connections is refused without touching anyone else.

Needs nginx, PostgreSQL (EXPLORER_TEST_POSTGRES_URL, from `source .ci/postgres.sh`) and
Debian's Chromium. Without them the test is skipped, except under CI=true, where it fails.
Clients on other addresses are simulated with loopback source addresses (127.0.0.0/8).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import pwd
import re
import shutil
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from testkit.cluster import NGINX, Cluster, running_cluster
from tests.conftest import REPO_ROOT
from tests.support.measurements import family
from web.headers import SECURITY_HEADERS

from .conftest import VIEWPORTS, wait_for_app
from .room_support import (
    CONTENT,
    LatencyProbe,
    ScriptRuns,
    choose,
    create_room,
    fresh_postgres_database,
    http_get,
    join_room,
    percentile,
    room_code,
    submit,
    wait_for_answered,
    write_artifact,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

MEASURED = family("floods")
START_TIMEOUT_S = 120
PAGE_TIMEOUT_MS = 60_000
IN_CI = os.environ.get("CI") == "true"
IDENTITIES_PER_ADDRESS = 5  # the cluster's EXPLORER_MAX_IDENTITIES_PER_ADDRESS
PHONES_ON_B = 4
FLOOD_ATTEMPTS = 1_500  # bounded: nginx allows a burst of 60 new WebSockets at 5/s
SSE_FIRST_BYTES_S = 3.0
ANSWERS = [
    {"goal": "specific", "timeframe": "weeks", "stage": "mid", "structure": "formal"},
    {"goal": "holistic", "timeframe": "years", "stage": "early", "structure": "informal"},
    {"goal": "mixed", "timeframe": "months", "stage": "senior", "structure": "balanced"},
]


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster_database() -> Iterator[str]:
    url = os.environ.get("EXPLORER_TEST_POSTGRES_URL")
    if not url:
        _unavailable("EXPLORER_TEST_POSTGRES_URL is not set (source .ci/postgres.sh)")
    with fresh_postgres_database(url) as database:
        yield database


@pytest.fixture(scope="module")
def cluster_prefix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """nginx's folder (its rendered config and access log), kept for the checks."""
    return tmp_path_factory.mktemp("nginx")


@pytest.fixture(scope="module")
def cluster(
    cluster_database: str, cluster_prefix: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """deploy/cluster.sh on free loopback ports; yields nginx's base URL."""
    if not os.access(NGINX, os.X_OK):
        _unavailable("nginx is not installed (apt-get install nginx)")
    if not shutil.which("curl"):
        _unavailable("curl is not installed")
    logs = tmp_path_factory.mktemp("cluster")
    env = {
        "EXPLORER_DATABASE_URL": cluster_database,
        "EXPLORER_DATA_DIR": str(logs),
        "EXPLORER_MAX_IDENTITIES_PER_ADDRESS": str(IDENTITIES_PER_ADDRESS),
        "CLUSTER_PREFIX": str(cluster_prefix),
        "PYTHON": os.environ.get("PYTHON", str(REPO_ROOT / ".venv" / "bin" / "python")),
    }
    try:
        with running_cluster(env, logs, START_TIMEOUT_S) as running:
            yield running.url
    except RuntimeError as err:
        pytest.fail(str(err))


@pytest.fixture
def pinned(browser: Browser, cluster: str) -> Iterator[object]:
    """Factory: pinned(replica, viewport) -> Page whose every request nginx sends to that
    replica (its routing cookie set up front, as a returning browser has it)."""
    contexts: list[BrowserContext] = []

    def make(replica: str, viewport: str = "desktop") -> Page:
        context = browser.new_context(**VIEWPORTS[viewport])
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        context.add_cookies([{"name": "explorer_replica", "value": replica, "url": cluster}])
        contexts.append(context)
        page = context.new_page()
        page.on("response", lambda r: _check_replica(r, replica))
        return page

    yield make
    for context in contexts:
        context.close()


def _check_replica(response, replica: str) -> None:
    served = response.headers.get("x-explorer-replica")
    if served is not None:
        assert served == replica, f"{response.url} was served by {served}, not {replica}"


def _store(database_url: str):
    from rooms import RoomSettings, RoomStore

    return RoomStore(database_url, RoomSettings(database_url=database_url))


# --------------------------------------------------------------------------- push


@pytest.mark.timeout(600)
def test_a_phone_on_replica_b_reaches_the_dashboard_on_replica_a_by_push(cluster, pinned):
    facilitator = pinned("a", "presenter")
    runs = ScriptRuns().attach(facilitator)
    code = create_room(facilitator, cluster, "Across replicas")
    assert room_code(facilitator) == code
    probe = LatencyProbe(facilitator)

    latencies_ms = []
    for n in range(1, PHONES_ON_B + 2):
        phone = pinned("b" if n <= PHONES_ON_B else "a", "phone")  # the last one on a
        join_room(phone, cluster, code)
        choose(phone, ANSWERS[n % len(ANSWERS)])
        probe.arm(phone)
        started = time.monotonic()
        submit(phone)
        wait_for_answered(facilitator, n)
        latencies_ms.append(probe.shown_at(n) - probe.clicked_at(phone))
        assert time.monotonic() - started < 30
    wait_for_app(facilitator)

    # Push, not polling: no run in the meantime came from the once-a-minute safety timer.
    auto = [r for r in runs.requested if r[1]]
    assert auto == [], f"safety-timer reruns: {auto}"
    expect(facilitator.get_by_text(CONTENT.text("room.hidden"))).to_be_visible()

    on_b = latencies_ms[:PHONES_ON_B]
    write_artifact(
        "cluster-latency.json",
        {
            "what": (
                "ms from a phone's Submit click (phone on replica b) to the dashboard on "
                "replica a showing the new count, through nginx, PostgreSQL NOTIFY and SSE"
            ),
            "samples_ms_phone_on_b": [round(x) for x in on_b],
            "sample_ms_phone_on_a": round(latencies_ms[-1]),
            "p50_ms": round(percentile(on_b, 50)),
            "p95_ms": round(percentile(on_b, 95)),
            "percentiles": "nearest rank over the samples",
        },
    )
    assert max(latencies_ms) < 5_000, latencies_ms


# --------------------------------------------------------------------------- headers, SSE


def test_nginx_passes_the_app_s_security_headers_and_streams_events_unbuffered(
    cluster, cluster_database
):
    expected = {name.decode(): value.decode() for name, value in SECURITY_HEADERS}
    paths = (("/room", "a"), ("/", "b"), ("/j/ABCDEF", "b"), ("/api/rooms/ABCDEF/join", "a"))
    for path, replica in paths:
        reply = http_get(cluster + path, headers={"Cookie": f"explorer_replica={replica}"})
        for name, value in expected.items():
            assert reply.headers.get_all(name) == [value], (path, name, reply.headers)

    store = _store(cluster_database)
    try:
        created = store.create_room("Stream through nginx")
        code = created.room.code
        identity = store.issue_participant(code)  # a participant stream needs one
        parts = urlsplit(cluster)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            conn.request(
                "GET",
                f"/api/rooms/{code}/events?role=participant",
                headers={
                    "Cookie": f"explorer_replica=b; explorer_participant_{code}={identity}",
                    "Accept": "text/event-stream",
                },
            )
            started = time.monotonic()
            response = conn.getresponse()
            assert response.status == 200
            assert response.getheader("Content-Type", "").startswith("text/event-stream")
            for name, value in expected.items():
                assert response.headers.get_all(name) == [value], (name, response.headers)
            first = response.read1(4096)
            assert first.startswith(b"retry:"), first
            assert time.monotonic() - started < SSE_FIRST_BYTES_S  # not held in a buffer
            # A change committed outside both replicas (this test's own store) reaches the
            # stream on replica b through PostgreSQL NOTIFY, and through nginx at once.
            changed_at = time.monotonic()
            store.set_revealed(code, created.token, True)
            event = b""
            while b"event: changed" not in event and time.monotonic() - changed_at < 5:
                event += response.read1(4096)  # heartbeats come every 15 s: never blocks long
            assert b"event: changed" in event, event
            assert time.monotonic() - changed_at < 5
        finally:
            conn.close()
    finally:
        store.dispose()


# --------------------------------------------------------------------------- addresses


def _join(cluster: str, code: str, source: str, **headers: str):
    """A device with no cookie opening the room's join link (the participant page)."""
    return http_get(
        f"{cluster}/j/{code}",
        source=source,
        headers={"Cookie": "explorer_replica=a", **headers},
    )


def test_the_app_counts_each_client_by_the_address_nginx_saw_not_by_a_forged_header(
    cluster, cluster_database
):
    store = _store(cluster_database)
    try:
        code = store.create_room("Addresses").room.code
    finally:
        store.dispose()
    phone = "127.0.0.5"
    statuses = [_join(cluster, code, phone).status for _ in range(IDENTITIES_PER_ADDRESS)]
    assert statuses == [200] * IDENTITIES_PER_ADDRESS  # each a new identity (no cookie kept)
    assert _join(cluster, code, phone).status == 429  # this address's allowance is used up
    # A client cannot pose as someone else: nginx replaces X-Forwarded-For.
    assert _join(cluster, code, phone, **{"X-Forwarded-For": "198.51.100.23"}).status == 429
    # Another device (another address) behind the same nginx is counted on its own.
    other = _join(cluster, code, "127.0.0.6")
    assert other.status == 200
    assert any(c.startswith(f"explorer_participant_{code}=") for c in other.cookies())


NGINX_STREAM_BURST = 60  # deploy/nginx.conf.template, location = /_stcore/stream


def test_nginx_stops_one_client_s_flood_of_websocket_connections_and_no_one_else(cluster):
    flooder, bystander = "127.0.0.9", "127.0.0.10"
    refused = None
    for attempt in range(FLOOD_ATTEMPTS):
        reply = http_get(f"{cluster}/_stcore/stream", source=flooder)
        if reply.status == 429:
            refused = (attempt, reply)
            break
    assert refused is not None, f"{FLOOD_ATTEMPTS} connection attempts, none refused"
    attempt, reply = refused
    # Phones in a room use the light participant page (plain HTTP), so only laptops open a
    # WebSocket: a burst of NGINX_STREAM_BURST is a room of them reconnecting at once.
    assert attempt >= NGINX_STREAM_BURST, f"refused after only {attempt}"
    # nginx's own refusal carries the security headers too (the app never saw it).
    assert reply.headers.get("X-Frame-Options") == "DENY"
    assert "frame-ancestors 'none'" in reply.headers.get("Content-Security-Policy", "")
    assert reply.headers.get("X-Content-Type-Options") == "nosniff"
    assert http_get(f"{cluster}/_stcore/stream", source=bystander).status != 429
    assert http_get(f"{cluster}/_stcore/health", source=flooder).status == 200


# --------------------------------------------------------------------------- access log


def test_the_access_log_holds_no_query_string_and_no_referer(cluster, cluster_prefix):
    secret = "s3cr3tClaimValue0123456789abcdef"
    referer = f"{cluster}/room?room=ABCDEF&token={secret}-referer"
    requests = [
        f"/api/rooms/claim?c={secret}",  # a one-time facilitator link
        f"/room?room=ABCDEF&token={secret}",  # an old-style link with a key in it
        f"/api/rooms/ABCDEF/events?role=facilitator&k={secret}",
    ]
    for path in requests:
        http_get(cluster + path, headers={"Referer": referer, "Cookie": "explorer_replica=a"})
    log_file = cluster_prefix / "access.log"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # nginx writes a line when a request completes
        lines = log_file.read_text(encoding="utf-8").splitlines()
        if sum(1 for line in lines if "/api/rooms/claim " in line) and any(
            "/api/rooms/ABCDEF/events " in line for line in lines
        ):
            break
        time.sleep(0.1)
    text = log_file.read_text(encoding="utf-8")
    assert '"GET /api/rooms/claim HTTP/1.1"' in text
    assert '"GET /room HTTP/1.1"' in text
    assert '"GET /api/rooms/ABCDEF/events HTTP/1.1"' in text
    assert secret not in text
    assert "?" not in text, [line for line in text.splitlines() if "?" in line][:3]


def test_only_nginx_s_workers_may_use_its_temporary_folder(cluster, cluster_prefix):
    """Issue 24 (Info): the folder was mode 777 (anyone on the host could read what nginx
    buffered there, or plant files)."""
    folder = cluster_prefix / "tmp"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    owner = pwd.getpwnam("nobody").pw_uid if os.getuid() == 0 else os.getuid()
    assert folder.stat().st_uid == owner
    # Over plain http the replica cookie cannot be Secure (over https nginx adds it).
    reply = http_get(cluster + "/_stcore/health")
    cookie = next(v for v in reply.headers.get_all("Set-Cookie") if "explorer_replica=" in v)
    assert "HttpOnly" in cookie and "Secure" not in cookie
    rendered = (cluster_prefix / "nginx.conf").read_text(encoding="utf-8")
    assert 'https "; Secure";' in rendered


SLOW_CLIENTS = 200
HEADER_TIMEOUT_S = 10  # client_header_timeout in deploy/nginx.conf.template


def _half_sent_headers(port: int, count: int) -> list[socket.socket]:
    """``count`` connections that send the start of a request's headers and then nothing."""
    held = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /_stcore/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        held.append(sock)
    return held


def _open_connections(pid: int) -> int:
    return sum(1 for fd in Path(f"/proc/{pid}/fd").iterdir() if "socket" in os.readlink(fd))


def _closed_by_peer(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(4096) is not None  # b"" (closed) or a 408 nginx sent first
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_half_sent_headers_never_reach_a_replica_and_nginx_drops_them(cluster, cluster_prefix):
    """Issue 24, item 8: uvicorn keeps half-sent request headers open indefinitely (19,700
    such connections took the app's file handles). The app alone has no setting for it; in
    front of it, nginx holds such a connection at most client_header_timeout, and never
    passes it on. The same connections sent to a replica directly are measured as well: the
    unprotected path, for the figure."""
    conf = (cluster_prefix / "nginx.conf").read_text(encoding="utf-8")
    ports = tuple(int(p) for p in re.findall(r"server 127\.0\.0\.1:(\d+);", conf))
    replica_a_port = ports[0]  # upstream replica_a, which the health check below asks
    (replica,) = Cluster(cluster, (replica_a_port,)).replica_pids()
    before = _open_connections(replica)
    nginx_port = int(urlsplit(cluster).port or 80)
    with contextlib.ExitStack() as stack:
        slow = _half_sent_headers(nginx_port, SLOW_CLIENTS)
        for sock in slow:
            stack.callback(sock.close)
        time.sleep(1)
        through_nginx = _open_connections(replica) - before
        health = http_get(cluster + "/_stcore/health", headers={"Cookie": "explorer_replica=a"})
        deadline = time.monotonic() + HEADER_TIMEOUT_S + 10
        closed = 0
        while time.monotonic() < deadline:  # bounded: nginx's header timeout and a margin
            closed = sum(_closed_by_peer(s) for s in slow)
            if closed == len(slow):
                break
            time.sleep(0.5)
    with contextlib.ExitStack() as stack:
        direct = _half_sent_headers(replica_a_port, SLOW_CLIENTS)
        for sock in direct:
            stack.callback(sock.close)
        time.sleep(HEADER_TIMEOUT_S + 2)
        held_directly = _open_connections(replica) - before
    MEASURED.set(
        "slow_headers",
        connections=SLOW_CLIENTS,
        reached_the_replica_through_nginx=max(0, through_nginx),
        dropped_by_nginx=closed,
        header_timeout_s=HEADER_TIMEOUT_S,
        held_by_the_app_alone_after_s=HEADER_TIMEOUT_S + 2,
        held_by_the_app_alone=max(0, held_directly),
    )
    assert health.status == 200
    assert through_nginx < 10, through_nginx  # none of them: a few are the app's own
    assert closed == SLOW_CLIENTS, closed
