"""Production settings, checked through the running server rather than by reading a file.

The app is started with ``streamlit run`` and only address/port/headless/file-watcher flags,
so everything else comes from ``.streamlit/config.toml``. A test speaks Streamlit's own
protocol to it (HTTP, and protobuf messages over the ``/_stcore/stream`` websocket, as the
browser does) and checks what a visitor would actually receive:

* an exception in a page reaches the browser with no traceback, type or message;
* usage statistics are off in the session's configuration;
* a cross-site upload without the XSRF cookie and token is refused (403), and a websocket
  from another origin is refused, while the same requests from the app itself work.
"""

from __future__ import annotations

import json
import shutil
import time
import tomllib
from collections.abc import Iterator

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.conftest import CONTENT_DIR, REPO_ROOT
from tests.support.appserver import AppServer, http
from tests.support.measurements import family

XSRF_COOKIE = "_streamlit_xsrf"
EVIL_ORIGIN = "http://evil.example"
RUN_TIMEOUT_S = 60.0
# Streamlit's own words for a redacted error (streamlit/elements/exception.py).
REDACTED = "This app has encountered an error. The original error message is redacted"
MEASURED = family("production")
ENTRY = "through_the_server"


def test_the_config_file_asks_for_production_settings():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app on content whose Explore page raises (a wording key is missing)."""
    root = tmp_path_factory.mktemp("production")
    content = root / "content"
    shutil.copytree(CONTENT_DIR, content)
    ui = content / "ui.yaml"
    text = ui.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("  title: Mentor or coach"))
    ui.write_text(text.replace(line + "\n", ""), encoding="utf-8")  # explore.title is gone
    env = {
        "EXPLORER_CONTENT_DIR": str(content),
        "EXPLORER_DATA_DIR": str(root / "data"),
        "EXPLORER_DATABASE_URL": "",
    }
    with AppServer(env, root / "logs") as app:
        yield app
    assert "KeyError" in app.tail(20_000), "the error should be in the server's log"


def xsrf_cookie(server: AppServer) -> str:
    status, headers, _ = http(f"{server.url}/_stcore/health")
    assert status == 200
    cookie = headers.get("set-cookie") or headers.get("Set-Cookie") or ""
    name, _, rest = cookie.partition("=")
    assert name == XSRF_COOKIE, cookie
    assert "samesite=lax" in cookie.lower() or "samesite=strict" in cookie.lower(), cookie
    return rest.split(";", 1)[0]


def stream(server: AppServer, cookie: str, origin: str) -> ClientConnection:
    return connect(
        server.url.replace("http://", "ws://") + "/_stcore/stream",
        origin=origin,
        subprotocols=["streamlit", cookie],
        additional_headers={"Cookie": f"{XSRF_COOKIE}={cookie}"},
        open_timeout=30,
    )


class Session:
    """One browser session, spoken to as the browser does."""

    def __init__(self, ws: ClientConnection, cookie: str) -> None:
        self.ws, self.cookie, self.id = ws, cookie, ""

    def run(self, query: str = "") -> list[tuple[ForwardMsg, bytes]]:
        """Run the app once (as on page load); every message until the run finishes."""
        message = BackMsg()
        message.rerun_script.query_string = query
        self.ws.send(message.SerializeToString())
        received = []
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while time.monotonic() < deadline:
            data = self.ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            data = data if isinstance(data, bytes) else data.encode()
            forward = ForwardMsg()
            forward.ParseFromString(data)
            received.append((forward, data))
            if forward.WhichOneof("type") == "new_session":
                self.id = forward.new_session.initialize.session_id
            if forward.WhichOneof("type") == "script_finished":
                return received
        raise AssertionError(f"the run did not finish within {RUN_TIMEOUT_S:.0f}s")


@pytest.fixture
def session(server: AppServer) -> Iterator[Session]:
    cookie = xsrf_cookie(server)
    with stream(server, cookie, origin=server.url) as ws:
        yield Session(ws, cookie)


def exceptions(messages: list[tuple[ForwardMsg, bytes]]):
    for m, _ in messages:
        if (
            m.WhichOneof("type") == "delta"
            and m.delta.WhichOneof("type") == "new_element"
            and m.delta.new_element.WhichOneof("type") == "exception"
        ):
            yield m.delta.new_element.exception


def test_an_exception_in_a_page_reaches_the_browser_without_any_detail(server, session):
    messages = session.run()
    shown_all = list(exceptions(messages))
    # Nothing on the wire names the error or the code. (Streamlit tells every browser the
    # main script's path when a session starts; no other message may carry a path.)
    raw = b"".join(data for _, data in messages)
    secrets = (b"Traceback", b"KeyError", b"pages/explore.py", b"content.py")
    leaked: list[object] = [secret for secret in secrets if secret in raw]
    leaked += [
        message.WhichOneof("type")
        for message, data in messages
        if message.WhichOneof("type") != "new_session" and str(REPO_ROOT).encode() in data
    ]
    leaked += [e.type for e in shown_all if e.stack_trace or e.type]
    MEASURED.add(
        ENTRY,
        exceptions_sent=len(shown_all),
        errors_redacted=sum(e.message.startswith(REDACTED) for e in shown_all),
        details_leaked=len(leaked),
    )
    (shown,) = shown_all
    assert shown.message.startswith(REDACTED)
    assert not leaked, leaked


def test_usage_statistics_are_off_in_the_served_session(session):
    messages = session.run()
    (new_session,) = [m.new_session for m, _ in messages if m.WhichOneof("type") == "new_session"]
    assert new_session.config.gather_usage_stats is False
    assert new_session.config.toolbar_mode == new_session.config.ToolbarMode.VIEWER


def _upload(server: AppServer, session_id: str, headers: dict[str, str], method: str = "PUT"):
    boundary = "reliability-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
    ).encode()
    url = f"{server.url}/_stcore/upload_file/{session_id}/reliability-file"
    content_type = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return http(url, method=method, data=body, headers={**content_type, **headers})[0]


def test_a_cross_site_upload_without_the_xsrf_token_is_refused(server, session):
    session.run()  # a live session to upload into
    assert session.id
    cookie = {"Cookie": f"{XSRF_COOKIE}={session.cookie}"}
    other = xsrf_cookie(server)  # a valid token, but not this browser's
    attempts = {
        "no cookie, no token": {"Origin": EVIL_ORIGIN},
        "cookie only (what a cross-site form sends)": {**cookie, "Origin": EVIL_ORIGIN},
        "token only": {"X-Xsrftoken": session.cookie},
        "token from another browser": {**cookie, "X-Xsrftoken": other},
        "garbage token": {**cookie, "X-Xsrftoken": "2|00|00|0"},
    }
    statuses = {
        (what, method): _upload(server, session.id, headers, method=method)
        for what, headers in attempts.items()
        for method in ("PUT", "DELETE")
    }
    refused = [k for k, status in statuses.items() if status == 403]
    accepted = [k for k, status in statuses.items() if 200 <= status < 300]
    MEASURED.add(
        ENTRY,
        cross_site_requests_tried=len(statuses),
        cross_site_requests_refused=len(refused),
        accepted=len(accepted),
    )
    assert len(refused) == len(statuses), statuses
    # The same upload with the cookie and its token, as the app's own page sends it, works:
    # so the 403s above came from the XSRF check and nothing else.
    assert _upload(server, session.id, {**cookie, "X-Xsrftoken": session.cookie}) == 204


def test_a_websocket_from_another_origin_is_refused(server):
    cookie = xsrf_cookie(server)
    status = 101
    try:
        with stream(server, cookie, origin=EVIL_ORIGIN):
            pass
    except InvalidStatus as refused:
        status = refused.response.status_code
    MEASURED.add(
        ENTRY,
        cross_site_websockets_tried=1,
        cross_site_websockets_refused=int(status == 403),
        accepted=int(status == 101),
    )
    assert status == 403


def test_host_config_allows_no_wildcard_origin(server):
    status, _, body = http(f"{server.url}/_stcore/host-config")
    assert status == 200
    allowed = json.loads(body)["allowedOrigins"]
    assert "*" not in allowed and not any(o.startswith("http://") for o in allowed)


def test_streamlit_s_metrics_are_not_served_and_media_files_are_never_kept(server):
    """Issue 24 (Info, Low): /_stcore/metrics was public, and the room's CSV under /media/
    was served without Cache-Control: no-store."""
    metrics, headers, _ = http(f"{server.url}/_stcore/metrics")
    assert metrics == 404 and "content-security-policy" in {k.lower() for k in headers}
    status, headers, _ = http(f"{server.url}/media/not-a-file.csv")
    kept = {k.lower(): v for k, v in headers.items()}.get("cache-control")
    MEASURED.set("info_endpoints", metrics_status=metrics, media_cache_control=kept or "")
    assert kept == "no-store"
    assert status == 404  # no such file; a real one is served the same way, not kept
