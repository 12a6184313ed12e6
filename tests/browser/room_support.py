"""Helpers for the live-room browser tests (facilitator, phones, push, servers, proxies).

Rooms, through the UI as people use them
    create_room(page, base_url, title)     the lobby's "Create room" form; returns the code
                                           once the browser is back on /room?room=CODE.
    join_room(page, base_url, code)        a phone opens the join link (the QR code's URL):
                                           the light participant page, /j/CODE.
    choose(page, answers) / submit(page)   set the page's sliders, press Submit; submit
                                           waits until the phone shows the answer as stored.
    own_verdict(page, verdict)             the stored verdict line of the phone's receipt.
    dashboard_counts(page)                 (joined, answered) as the dashboard shows them.
    LatencyProbe                           in-page timestamps: a phone's Submit click and the
                                           moment a dashboard first shows a count.
    ScriptRuns                             counts Streamlit script runs from the websocket
                                           frames (see its docstring).
    SecurityWatch                          CSP violations from events and the console.

Servers
    RestartableServer                      `streamlit run app.py` that can be stopped and
                                           started again on the same port (reconnect tests).
    fresh_postgres_database()              a database of its own on the test PostgreSQL.
    http_get(url, ...)                     one request from a chosen loopback source address.

Every wait is bounded; every server started here is stopped by whoever started it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import re
import secrets
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Locator, Page, WebSocket, expect

from explorer import load_content
from testkit.server import (
    REPO_ROOT,
    StreamlitServer,
)

from .conftest import POLL_MS, wait_for_app

CONTENT = load_content()
CODE_RE = re.compile(r"^[A-Z0-9]{6}$")
ROOM_URL_RE = re.compile(r"/room\?room=[A-Z0-9]{6}$")
SUBMIT_NAME = re.compile(
    "^(" + "|".join(re.escape(CONTENT.text(k)) for k in ("room.submit", "room.update")) + ")$"
)
DISTRIBUTION = ".st-key-room_distribution .js-plotly-plot"
ROOM_RADAR = ".st-key-room_radar .js-plotly-plot"
# The participant page's own hooks (web/templates/participant.html).
PHONE_RECEIPT = '[data-testid="answer-receipt"]'
PHONE_PICTURE = '[data-testid="room-picture"]'
PHONE_CLOSED = '[data-testid="room-closed"]'
JOIN_URL_RE = re.compile(r"/j/[A-Z0-9]{6}$")
EXCEPTION = '[data-testid="stException"]'
PUSH_TIMEOUT_MS = 20_000  # a push is expected in well under a second; this only bounds a hang


def counts_regex() -> str:
    """The dashboard's count line ("N of S seats taken · M answered") as a JS/Python regex
    source, built from its wording in content/ui.yaml; group 1 = joined, group 2 = answered
    (the seats are matched, not captured)."""
    names = ("joined", "answered", "seats")
    template = CONTENT.text("room.counts", **{n: f"{{{n}}}" for n in names})
    template = template.replace("**", "")
    parts = re.split(r"(\{joined\}|\{answered\}|\{seats\})", template)
    pattern = {"{joined}": r"(\d+)", "{answered}": r"(\d+)", "{seats}": r"\d+"}
    return "".join(pattern.get(p, re.escape(p)) for p in parts)


COUNTS_RE = counts_regex()
_COUNTS_JS = """
(source) => {
  const re = new RegExp(source);
  for (const el of document.querySelectorAll('[data-testid="stMarkdownContainer"] p')) {
    const m = el.innerText.match(re);
    if (m) return [Number(m[1]), Number(m[2])];
  }
  return null;
}
"""


def dashboard_counts(page: Page) -> tuple[int, int] | None:
    """(joined, answered) as the facilitator's dashboard shows them, or None."""
    found = page.evaluate(_COUNTS_JS, COUNTS_RE)
    return None if found is None else (found[0], found[1])


def wait_for_answered(page: Page, answered: int, timeout_ms: int = PUSH_TIMEOUT_MS) -> None:
    """Until the dashboard shows `answered` answers (by itself: nothing here reloads)."""
    page.wait_for_function(
        f"(source) => {{ const c = ({_COUNTS_JS})(source); return !!c && c[1] === {answered}; }}",
        arg=COUNTS_RE,
        polling=POLL_MS,
        timeout=timeout_ms,
    )


def room_code(page: Page) -> str:
    """The code in the page's address, which must be exactly /room?room=CODE."""
    parts = urlsplit(page.url)
    assert parts.path == "/room", page.url
    assert re.fullmatch(r"room=[A-Z0-9]{6}", parts.query), f"more than the room code: {page.url}"
    return parts.query.removeprefix("room=")


def create_room(page: Page, base_url: str, title: str = "") -> str:
    """Create a room through the lobby, as a facilitator does; returns its code."""
    page.goto(f"{base_url}/room")
    wait_for_app(page)
    if title:
        page.get_by_label(CONTENT.text("room.title_label")).fill(title)
    page.get_by_role("button", name=CONTENT.text("room.start_button")).click()
    page.wait_for_url(ROOM_URL_RE, timeout=30_000)
    wait_for_app(page)
    expect(page.get_by_role("button", name=CONTENT.text("room.reveal"))).to_be_visible()
    return room_code(page)


def join_url(base_url: str, code: str) -> str:
    return f"{base_url}/j/{code}"


def join_room(page: Page, base_url: str, code: str) -> None:
    """Open the room's join link (what the QR code holds) and wait for the page's script."""
    page.goto(join_url(base_url, code))
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    expect(page.get_by_role("button", name=SUBMIT_NAME)).to_be_visible()


def choose(page: Page, answers: Mapping[str, str]) -> None:
    """Set the page's sliders (the live explorer's range inputs) to these option ids with
    the keyboard."""
    for input_id, option_id in answers.items():
        spec = CONTENT.input_by_id[input_id]
        slider = page.get_by_role("slider", name=spec.label)
        slider.focus()
        page.keyboard.press("Home")
        for _ in range(spec.option_ids.index(option_id)):
            page.keyboard.press("ArrowRight")
        expect(slider).to_have_attribute("aria-valuetext", spec.option(option_id).label)


def submit(page: Page) -> None:
    """Press Submit; wait until the phone shows an answer as stored after this press."""
    receipt = page.locator(PHONE_RECEIPT)
    shown = int(receipt.get_attribute("data-stored-count") or 0)
    page.get_by_role("button", name=SUBMIT_NAME).click()
    expect(receipt).to_have_attribute("data-stored-count", str(shown + 1), timeout=PUSH_TIMEOUT_MS)


def own_verdict(page: Page, verdict: str) -> Locator:
    """The phone's line saying which verdict its stored answer gives."""
    line = CONTENT.text(
        "participant.stored_verdict", headline=CONTENT.verdict.approaches[verdict].headline
    )
    return page.locator(f"{PHONE_RECEIPT} .receipt-verdict").filter(has_text=line)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: always one of the measured values)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


# --------------------------------------------------------------------------- measuring


_CLICK_PROBE_JS = """
() => {
  if (window.__submitProbe) return;
  window.__submitProbe = { clicks: [] };
  document.addEventListener('click', (event) => {
    const button = event.target.closest && event.target.closest('button');
    if (button && button.matches('[data-testid="submit-answer"]'))
      window.__submitProbe.clicks.push(Date.now());
  }, true);
}
"""

_COUNT_PROBE_JS = """
(source) => {
  if (window.__countProbe) return;
  const re = new RegExp(source);
  const probe = { seen: [] };
  const read = () => {
    for (const el of document.querySelectorAll('[data-testid="stMarkdownContainer"] p')) {
      const m = el.innerText.match(re);
      if (m) return Number(m[2]);
    }
    return null;
  };
  let last = read();
  new MutationObserver(() => {
    const now = Date.now();
    const answered = read();
    if (answered !== null && answered !== last) {
      last = answered;
      probe.seen.push([answered, now]);
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
  window.__countProbe = probe;
}
"""


class LatencyProbe:
    """Submit click (on a phone) -> the dashboard first showing the new count.

    Both ends are ``Date.now()`` inside the one Chromium on this machine, so the clocks are
    the same: the click is taken in the capture phase of the click event, the count by a
    MutationObserver on the dashboard's page the moment its text changes.
    """

    def __init__(self, dashboard: Page) -> None:
        self.dashboard = dashboard
        dashboard.evaluate(_COUNT_PROBE_JS, COUNTS_RE)

    @staticmethod
    def arm(phone: Page) -> None:
        phone.evaluate(_CLICK_PROBE_JS)

    @staticmethod
    def clicked_at(phone: Page) -> float:
        clicks = phone.evaluate("() => window.__submitProbe.clicks")
        assert clicks, "the Submit click was not seen"
        return float(clicks[-1])

    def shown_at(self, answered: int) -> float:
        seen = self.dashboard.evaluate("() => window.__countProbe.seen")
        for count, at in seen:
            if count >= answered:
                return float(at)
        raise AssertionError(f"the dashboard never showed {answered} answered: {seen}")


@dataclass
class ScriptRuns:
    """Streamlit script runs of one page, read from its websocket frames.

    Every run the server makes ends with a ``script_finished`` ForwardMsg (a full run or a
    fragment run); every run the browser asks for is a ``rerun_script`` BackMsg, marked
    ``is_auto_rerun`` when a fragment's ``run_every`` timer sent it. Frames are decoded
    with Streamlit's own protobuf classes. Attach before the page opens its websocket.

    It also records elements sent as cache references (``ref_hash``): see
    ``views.room_views.small`` for why the pushed dashboard must never receive one.
    """

    finished: list[tuple[float, str]] = field(default_factory=list)
    requested: list[tuple[float, bool, str]] = field(default_factory=list)
    # Elements sent as a reference to the browser's message cache (``ref_hash``).
    references: list[tuple[float, tuple[int, ...]]] = field(default_factory=list)
    sockets: int = 0

    def attach(self, page: Page) -> ScriptRuns:
        page.on("websocket", self._watch)
        return self

    def _watch(self, ws: WebSocket) -> None:
        if not ws.url.endswith("/_stcore/stream"):
            return
        self.sockets += 1
        ws.on("framereceived", self._received)
        ws.on("framesent", self._sent)

    def _received(self, payload: str | bytes) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, str):
            return
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") == "ref_hash":
            self.references.append((time.monotonic(), tuple(msg.metadata.delta_path)))
        if msg.WhichOneof("type") == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
            self.finished.append((time.monotonic(), status))

    def _sent(self, payload: str | bytes) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if isinstance(payload, str):
            return
        msg = BackMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") == "rerun_script":
            run = msg.rerun_script
            self.requested.append((time.monotonic(), run.is_auto_rerun, run.fragment_id))

    def finished_since(self, since: float) -> list[str]:
        return [status for at, status in self.finished if at >= since]

    def requested_since(self, since: float) -> list[tuple[bool, str]]:
        return [(auto, fragment) for at, auto, fragment in self.requested if at >= since]


_CSP_INIT_JS = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__reportCsp({
    directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
    line: e.lineNumber, sample: e.sample, page: location.href,
  });
}, true);
"""
CSP_CONSOLE = re.compile(r"Content Security Policy|Refused to (load|execute|apply|connect|create)")


@dataclass
class SecurityWatch:
    """CSP violations a context's pages report: ``securitypolicyviolation`` events (from
    an init script, so from the first byte of every document) and console messages."""

    violations: list[dict[str, Any]] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> SecurityWatch:
        context.expose_binding("__reportCsp", lambda _source, v: self.violations.append(v))
        context.add_init_script(_CSP_INIT_JS)
        context.on("console", self._console)
        return self

    def _console(self, message: Any) -> None:
        if CSP_CONSOLE.search(message.text):
            self.console.append(message.text)

    def problems(self) -> list[str]:
        return [json.dumps(v) for v in self.violations] + self.console


# --------------------------------------------------------------------------- servers


@dataclass(frozen=True)
class Restart:
    """What one restart took: the old process's exit (graceful unless it had to be
    killed) and the moment the new one answered its health check."""

    stopped_s: float
    killed: bool
    up_at: float


class RestartableServer(StreamlitServer):
    """A StreamlitServer that can be stopped (or killed) and started again on the same
    port, as after a deploy or a crash: open pages must find it again by themselves."""

    def restart(self, *, kill: bool = False, stop_timeout_s: float = 40.0) -> Restart:
        """SIGTERM (or SIGKILL), wait for the exit (SIGKILL after ``stop_timeout_s``),
        start on the same port and wait until it answers."""
        assert self.process is not None
        started = time.monotonic()
        killed = kill
        if kill:
            self.kill()
        else:
            self.process.terminate()
            try:
                self.process.wait(timeout=stop_timeout_s)
            except subprocess.TimeoutExpired:
                killed = True
                self.kill()
        stopped_s = time.monotonic() - started
        if self.launch(poll_s=0.05):
            return Restart(stopped_s, killed, time.monotonic())
        self.stop()
        raise RuntimeError(f"the app did not start again on port {self.port}:\n{self.tail()}")


@contextlib.contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server of ``server_url``; dropped after."""
    import sqlalchemy as sa

    name = f"explorer_browser_{secrets.token_hex(4)}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", pool_size=1)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with contextlib.suppress(sa.exc.SQLAlchemyError), admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def cookies(self) -> list[str]:
        return self.headers.get_all("Set-Cookie") or []


def http_get(
    url: str,
    *,
    source: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> Reply:
    """One GET without following redirects, optionally from a chosen loopback source
    address (127.0.0.0/8 is all loopback on Linux: a way to be "another device")."""
    parts = urlsplit(url)
    assert parts.hostname in ("127.0.0.1", "localhost"), "loopback only"
    conn = http.client.HTTPConnection(
        parts.hostname,
        parts.port,
        timeout=timeout,
        source_address=(source, 0) if source else None,
    )
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", path, headers=dict(headers or {}))
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


def wait_until(predicate: Any, timeout_s: float, what: str, poll_s: float = 0.1) -> None:
    """Poll ``predicate()`` until true; fail naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(poll_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


ARTIFACTS = REPO_ROOT / "test-artifacts"


def write_artifact(name: str, data: Mapping[str, Any]) -> Path:
    """test-artifacts/<name> as indented JSON (measured values only)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


__all__ = [
    "CONTENT",
    "DISTRIBUTION",
    "EXCEPTION",
    "PUSH_TIMEOUT_MS",
    "ROOM_RADAR",
    "SUBMIT_NAME",
    "LatencyProbe",
    "Reply",
    "Restart",
    "RestartableServer",
    "ScriptRuns",
    "SecurityWatch",
    "choose",
    "create_room",
    "dashboard_counts",
    "fresh_postgres_database",
    "http_get",
    "join_room",
    "join_url",
    "own_verdict",
    "percentile",
    "room_code",
    "submit",
    "wait_for_answered",
    "wait_until",
    "write_artifact",
]
