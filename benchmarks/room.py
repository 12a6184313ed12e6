"""The live room, measured as a workshop uses it: answers pushed to the projected dashboard.

Three measurements, each on its own server(s) and a fresh database:

- **push** (Chromium): a facilitator at 1920x1080 creates a room through the lobby (the
  claim route sets the facilitator cookie) while phone contexts (390x844, touch) open the
  join link (the join route sets each phone's identity cookie). The phones, all open at
  once, submit one at a time. Timed from the phone's `click` on Submit to the moment the
  dashboard's count line shows the new count: each page stamps the event with
  `performance.timeOrigin + performance.now()` (one clock for every page of the browser), the
  dashboard with a MutationObserver. Half the answers arrive while the join view is shown,
  half after the facilitator pressed Reveal (every update then redraws both charts). The
  same runs across two replicas behind nginx (deploy/cluster.sh) on PostgreSQL, the
  facilitator pinned to replica a and the phones to b by nginx's routing cookie.
- **idle**: the revealed dashboard left open with nothing happening; every run of its
  script (whole page or the dashboard fragment) is counted from the page's own WebSocket
  (CDP), and each rerun request is told apart as pushed (it carries the live-updates
  component's trigger) or timed (the fragment's `run_every` safety refresh).
- **crowd**: N participants in one room while a Chromium dashboard is open, the room hidden
  while they answer and revealed once everyone has (a workshop's usual order), or revealed
  throughout (the heaviest case: every participant's page and every dashboard update then
  draws the room's picture). Each participant is what the light participant page does over
  HTTP: it opens the join link `/j/CODE` (identity cookie, device proof), keeps the room's
  participant event stream open as the page's EventSource does, and POSTs its four answers
  to the JSON API; one in five then changes an answer and sends again. Counted: submit
  latency (request sent → the stored answer back), errors, answers lost (read back per
  participant: confirmed, yet the database holds neither that answer nor a later one sent;
  and the database's count minus the dashboard's final count), the server's CPU per answer
  and RSS per connected phone, and the load generator's own CPU. Run at several sizes
  (`curve`), revealed throughout, it gives the capacity curve (benchmarks/__main__.py).

All participants come from 127.0.0.1, so the per-address ceiling on new identities
(`EXPLORER_MAX_IDENTITIES_PER_ADDRESS`, 120 per 10 minutes by default) is raised for the
crowd to the number of participants plus a margin. A room bigger than the defaults allow
(`EXPLORER_MAX_ANSWERS_PER_ROOM`, 500; `EXPLORER_MAX_EVENT_STREAMS`, 2,000 per process, a
tenth kept for facilitators, and a phone briefly holds two while its stream rotates) gets
them raised as a facilitator of such a room would (`_room_size_env`); nothing else changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.client
import json
import os
import random
import re
import resource
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from benchmarks.common import (
    APP,
    MANY_VISITORS_ENV,
    PHONE,
    PROJECTOR,
    Frames,
    Sampler,
    Server,
    chromium,
    log,
    summary,
)
from benchmarks.wsclient import gather_bounded
from testkit.cluster import CLUSTER_SCRIPT, NGINX, Cluster, running_cluster
from testkit.server import REPO_ROOT

PAGE_TIMEOUT_MS = 60_000
ANSWER_WAIT_S = 15.0  # one answer must reach the dashboard within this
GAP_S = 0.5  # between two phones' submits, so measurements never overlap
CROWD_LIMIT_S = 900.0
RESUBMIT_SHARE = 0.2  # one in five participants changes an answer
EVENT_READ_S = 40.0  # a stream sends at least a comment every 15 s and rotates every 20 s
EVENT_RETRY_S = 2.0  # the stream's retry hint
EVENT_STREAMS_MAX = 200  # streams one participant may open in a run (rotations included)
DASHBOARD_CATCH_UP_S = 60.0
CLUSTER_START_S = 180.0
REVEAL_WAIT_S = 300.0  # the reveal after a crowd: how long it takes is a result
SCREENSHOTS = REPO_ROOT / "test-artifacts"

# The dashboard's answer count, recorded in the page each time it changes.
_WATCH_COUNT_JS = r"""
(pattern) => {
  if (window.__room) return;
  const re = new RegExp(pattern);
  const read = () => {
    for (const p of document.querySelectorAll('[data-testid="stMarkdownContainer"] p')) {
      const m = p.textContent.trim().match(re);
      if (m) return Number(m[1]);
    }
    return null;
  };
  const room = { seen: [], read, last: read() };
  window.__room = room;
  room.seen.push([performance.timeOrigin + performance.now(), room.last]);
  new MutationObserver(() => {
    const count = read();
    if (count !== null && count !== room.last) {
      room.last = count;
      room.seen.push([performance.timeOrigin + performance.now(), count]);
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}
"""
_STAMP_CLICK_JS = """
() => {
  window.__clicked = 0;
  window.addEventListener('click', () => {
    window.__clicked = performance.timeOrigin + performance.now();
  }, { capture: true, once: true });
}
"""
_CONNECTION_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app ? `${app.getAttribute('data-test-connection-state')}, script `
    + app.getAttribute('data-test-script-state') : 'no app';
}
"""
_SETTLED_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelectorAll('[data-stale="true"]').length === 0;
}
"""


@functools.cache
def _content() -> Any:
    from explorer import load_content

    return load_content()


def count_pattern() -> str:
    """A regex for the dashboard's count line, built from its wording in content/ui.yaml
    (e.g. "**{joined}** joined · **{answered}** answered"); group 1 is the answer count."""
    template = _content().text("room.counts").replace("**", "")
    parts = re.split(r"(\{[a-z_]+\})", template)
    pattern = "".join(
        r"(\d+)" if p == "{answered}" else r"\d+" if p.startswith("{") else re.escape(p)
        for p in parts
    )
    return f"^{pattern}$"


def _text(key: str) -> str:
    return _content().text(key)


# --------------------------------------------------------------------------- databases


@contextlib.contextmanager
def fresh_database(postgres_url: str | None) -> Iterator[tuple[str, str]]:
    """(database URL, data folder) for one measurement: a new SQLite file in a temporary
    folder, or a new database on the PostgreSQL server of `postgres_url` (dropped after)."""
    data_dir = tempfile.mkdtemp(prefix="bench-room-")
    admin = None
    name = f"explorer_bench_{secrets.token_hex(4)}"
    try:
        if postgres_url is None:
            yield "", data_dir
            return
        import sqlalchemy as sa

        admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(postgres_url).set(database=name)
        yield url.render_as_string(hide_password=False), data_dir
    finally:
        if admin is not None:
            import sqlalchemy as sa

            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)


def _store(database_url: str, data_dir: str, **env: str) -> Any:
    from rooms import RoomSettings, RoomStore

    env = {"EXPLORER_DATA_DIR": data_dir, "EXPLORER_DATABASE_URL": database_url, **env}
    return RoomStore.from_settings(RoomSettings.from_env(env))


# --------------------------------------------------------------------------- facilitator


def _create_through_lobby(page: Any, base_url: str) -> str:
    """Lobby → Create room, as a facilitator does; returns the room code once the claim
    route has set the facilitator cookie and the dashboard shows its count line."""
    page.goto(f"{base_url}/room")
    start = page.get_by_role("button", name=_text("room.start_button"))
    start.wait_for()
    page.get_by_role("textbox", name=_text("room.title_label")).fill("Benchmark workshop")
    start.click()
    page.wait_for_url(re.compile(r"/room\?room=[A-Z0-9]+"), timeout=PAGE_TIMEOUT_MS)
    code = parse_qs(urlsplit(page.url).query)["room"][0]
    _watch(page)
    return code


def _watch(page: Any) -> None:
    """Wait for the dashboard's count line, then record every change of it in the page."""
    pattern = count_pattern()
    page.wait_for_function(
        """(pattern) => [...document.querySelectorAll('[data-testid="stMarkdownContainer"] p')]
             .some((p) => new RegExp(pattern).test(p.textContent.trim()))""",
        arg=pattern,
        polling=100,
        timeout=PAGE_TIMEOUT_MS,
    )
    page.evaluate(_WATCH_COUNT_JS, pattern)


def _shown(page: Any) -> int | None:
    return page.evaluate("() => window.__room.last")


def _reveal(page: Any, timeout_ms: float = PAGE_TIMEOUT_MS) -> float:
    """Press Reveal and wait until the dashboard has redrawn with the results; seconds."""
    began = time.monotonic()
    page.get_by_role("button", name=_text("room.reveal")).click()
    page.get_by_role("button", name=_text("room.hide")).wait_for(timeout=timeout_ms)
    page.wait_for_function(_SETTLED_JS, polling=50, timeout=timeout_ms)
    return time.monotonic() - began


# --------------------------------------------------------------------------- push


def _phone(browser: Any, base_url: str, code: str, replica: str | None) -> Any:
    context = browser.new_context(**PHONE)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    if replica:
        context.add_cookies([{"name": "explorer_replica", "value": replica, "url": base_url}])
    page = context.new_page()
    page.goto(f"{base_url}/j/{code}")  # the light participant page, as the QR code opens
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_role("button", name=_text("room.submit")).wait_for()
    return page


def _submit_and_time(facilitator: Any, phone: Any) -> float:
    """ms from the phone's click on Submit to the dashboard showing one more answer."""
    before = _shown(facilitator) or 0
    phone.evaluate(_STAMP_CLICK_JS)
    phone.get_by_test_id("submit-answer").click()
    facilitator.wait_for_function(
        "(n) => window.__room.last >= n",
        arg=before + 1,
        polling=50,
        timeout=ANSWER_WAIT_S * 1000,
    )
    clicked = phone.evaluate("() => window.__clicked")
    seen = facilitator.evaluate("() => window.__room.seen")
    shown_at = next(at for at, count in seen if count is not None and count >= before + 1)
    return shown_at - clicked


def push(
    browser: Any,
    base_url: str,
    phones: int,
    *,
    facilitator_replica: str | None = None,
    phone_replica: str | None = None,
) -> dict[str, Any]:
    """Submit → dashboard count, `phones` answers before reveal and `phones` after."""
    context = browser.new_context(**PROJECTOR)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    if facilitator_replica:
        context.add_cookies(
            [{"name": "explorer_replica", "value": facilitator_replica, "url": base_url}]
        )
    opened: list[Any] = [context]
    times: dict[str, list[float]] = {"join_view": [], "results_view": []}
    try:
        facilitator = context.new_page()
        code = _create_through_lobby(facilitator, base_url)
        for stage in times:
            if stage == "results_view":
                _reveal(facilitator)
            group = [_phone(browser, base_url, code, phone_replica) for _ in range(phones)]
            opened += [page.context for page in group]
            for page in group:
                times[stage].append(_submit_and_time(facilitator, page))
                page.wait_for_timeout(GAP_S * 1000)
        errors = facilitator.locator('[data-testid="stException"]').count()
    finally:
        for ctx in opened:
            ctx.close()
    every = [t for values in times.values() for t in values]
    result = {
        "phones_per_stage": phones,
        "submit_to_dashboard_ms": summary(every),
        "by_stage_ms": {stage: summary(values) for stage, values in times.items()},
        "raw_ms": times,
        "exceptions_on_dashboard": errors,
    }
    s = result["submit_to_dashboard_ms"]
    log(f"push: submit->dashboard p50 {s['p50']:.0f} ms p95 {s['p95']:.0f} ms ({s['n']})")
    return result


def idle(browser: Any, base_url: str, server_pid: int, seconds: float) -> dict[str, Any]:
    """Runs of an open, revealed, idle dashboard's script over `seconds`."""
    context = browser.new_context(**PROJECTOR)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page = context.new_page()
        frames = Frames(page)
        _create_through_lobby(page, base_url)
        _reveal(page)
        page.wait_for_timeout(2000)  # let the reveal's own pushes pass
        mark = frames.mark()
        with Sampler(server_pid) as sampler:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                page.wait_for_timeout(min(1000, max(1, (deadline - time.monotonic()) * 1000)))
        window = frames.frames[mark:]
    finally:
        context.close()
    finished = [f for f in window if not f.sent and f.kind == "script_finished"]
    requests = [f for f in window if f.sent and f.kind == "rerun_script"]
    result = {
        "seconds": seconds,
        "runs": len(finished),
        "fragment_runs": sum(1 for f in finished if f.fragment),
        "runs_per_minute": 60 * len(finished) / seconds,
        "pushed_requests": sum(1 for f in requests if f.trigger),
        "timed_requests": sum(1 for f in requests if not f.trigger),
        "bytes_received": sum(f.size for f in window if not f.sent),
        "server": sampler.result(),
    }
    log(
        f"idle dashboard: {result['runs']} runs in {seconds:.0f} s "
        f"({result['pushed_requests']} pushed, {result['timed_requests']} timed)"
    )
    return result


def single_server(phones: int, idle_seconds: float) -> dict[str, Any]:
    """Push and idle on one `streamlit run app.py` with SQLite, as `make run` serves."""
    with fresh_database(None) as (url, data_dir), chromium() as browser:
        env = {"EXPLORER_DATA_DIR": data_dir, "EXPLORER_DATABASE_URL": url}
        with Server(APP, env=env) as server:
            return {
                "push": push(browser, server.url, phones),
                "idle": idle(browser, server.url, server.pid, idle_seconds),
            }


# --------------------------------------------------------------------------- cluster


def cluster_unavailable(postgres_url: str | None) -> str | None:
    """Why the two-replica run cannot happen here, or None."""
    if not postgres_url:
        return "EXPLORER_TEST_POSTGRES_URL is not set (source .ci/postgres.sh)"
    if not os.access(NGINX, os.X_OK):
        return "nginx is not installed"
    if not shutil.which("curl"):
        return "curl is not installed"
    if not CLUSTER_SCRIPT.exists():
        return "deploy/cluster.sh is missing"
    return None


@contextlib.contextmanager
def _cluster(database_url: str, data_dir: str, **env: str) -> Iterator[Cluster]:
    """deploy/cluster.sh on free loopback ports, with `env` for both replicas."""
    env = {
        "EXPLORER_DATABASE_URL": database_url,
        "EXPLORER_DATA_DIR": data_dir,
        "PYTHON": sys.executable,
        **env,
    }
    with running_cluster(env, Path(data_dir), CLUSTER_START_S) as cluster:
        yield cluster


def two_replicas(postgres_url: str, phones: int) -> dict[str, Any]:
    """Push across replicas: the facilitator on replica a, every phone on replica b."""
    with (
        fresh_database(postgres_url) as (url, data_dir),
        _cluster(url, data_dir) as cluster,
        chromium() as browser,
    ):
        result = push(browser, cluster.url, phones, facilitator_replica="a", phone_replica="b")
    return {"facilitator_replica": "a", "phone_replica": "b", **result}


# --------------------------------------------------------------------------- crowd


def _join(base_url: str, code: str) -> tuple[str, str, str]:
    """GET /j/CODE as a phone does: the identity cookie it sets (name, value) and the
    device proof the page keeps (from its boot data)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        connection.request("GET", f"/j/{code}")
        response = connection.getresponse()
        page = response.read().decode("utf-8")
        if response.status != 200:
            raise RuntimeError(f"join answered {response.status}")
        cookie = response.getheader("set-cookie") or ""
    finally:
        connection.close()
    name, _, rest = cookie.partition("=")
    value = rest.split(";", 1)[0]
    if not name.startswith("explorer_participant_") or not value:
        raise RuntimeError("join set no identity cookie")
    boot = page.split('<script type="application/json" id="boot">', 1)[1]
    proof = json.loads(boot.split("</script>", 1)[0])["proof"]
    return name, value, proof


class _Crowd:
    """What every participant shares: phones keep the room page (and its event stream)
    open until everyone has answered, as they do in a workshop."""

    def __init__(self, count: int) -> None:
        self.remaining = count
        self.everyone_done = asyncio.Event()

    def finished_one(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.everyone_done.set()


async def _follow_events(
    base_url: str, code: str, cookie: tuple[str, str], stop: asyncio.Event, stats: dict
) -> None:
    """What a participant page's EventSource does: keep the room's participant stream open
    (with the identity cookie), open the next one on "rotate", until `stop`. Any answer
    but 200 is counted as refused, and retried after the stream's retry hint."""
    parts = urlsplit(base_url)
    request = (
        f"GET /api/rooms/{code}/events?role=participant HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\nAccept: text/event-stream\r\n"
        f"Cookie: {cookie[0]}={cookie[1]}\r\nConnection: close\r\n\r\n"
    ).encode()
    for _attempt in range(EVENT_STREAMS_MAX):
        if stop.is_set():
            return
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, parts.port), EVENT_READ_S
        )
        try:
            writer.write(request)
            status = (await asyncio.wait_for(reader.readline(), EVENT_READ_S)).split()
            stats["opened"] += 1
            if len(status) < 2 or status[1] != b"200":
                stats["refused"] += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), EVENT_RETRY_S)
                continue
            while not stop.is_set():
                reading = asyncio.ensure_future(reader.read(4096))
                stopping = asyncio.ensure_future(stop.wait())
                done, _ = await asyncio.wait(
                    {reading, stopping}, timeout=EVENT_READ_S, return_when="FIRST_COMPLETED"
                )
                stopping.cancel()
                if reading not in done:
                    reading.cancel()
                    if not done:
                        raise TimeoutError("the event stream sent nothing (not even a comment)")
                    return
                chunk = reading.result()
                stats["changed"] += chunk.count(b"event: changed")
                if not chunk or b"event: rotate" in chunk or b"event: end" in chunk:
                    break
        except TimeoutError:
            if stop.is_set():
                return
            raise
        finally:
            writer.close()


async def _participant(
    http: httpx.AsyncClient,
    base_url: str,
    code: str,
    seed: int,
    delay: float,
    changes_mind: bool,
    crowd: _Crowd,
) -> dict[str, Any]:
    """One phone: open the join link (identity cookie and device proof), keep the room's
    participant stream open, answer over the JSON API as the page does (its Origin, the
    cookie, the proof); one in five changes one answer and sends again."""
    rng = random.Random(seed)
    options = {spec.id: list(spec.option_ids) for spec in _content().main_inputs}
    events = {"opened": 0, "refused": 0, "changed": 0}
    out: dict[str, Any] = {
        "submits": 0,
        "latencies": [],
        "errors": [],
        "thanked": None,  # the answer (option ids) the last stored receipt confirmed
        "attempted": None,  # the last answer sent, confirmed or not
        "identity": None,
        "events": events,
    }
    follower = None
    try:
        await asyncio.sleep(delay)
        name, identity, proof = await asyncio.to_thread(_join, base_url, code)
        out["identity"] = identity
        follower = asyncio.ensure_future(
            _follow_events(base_url, code, (name, identity), crowd.everyone_done, events)
        )
        headers = {
            "Origin": base_url,
            "Content-Type": "application/json",
            "Cookie": f"{name}={identity}",
            "X-Explorer-Proof": proof,
        }
        chosen = {key: rng.choice(values) for key, values in options.items()}
        for attempt in range(2 if changes_mind else 1):
            await asyncio.sleep(rng.uniform(1.0, 4.0))  # reading, moving the sliders
            if attempt:
                key = rng.choice(list(options))
                chosen = {**chosen, key: rng.choice(options[key])}
            out["attempted"] = dict(chosen)
            sent = time.monotonic()
            response = await http.post(f"/api/rooms/{code}/answer", json=chosen, headers=headers)
            out["latencies"].append((time.monotonic() - sent) * 1000)
            out["submits"] += 1
            body = response.json() if response.content else {}
            if response.status_code == 200 and body.get("receipt"):
                out["thanked"] = body["receipt"]["answers"]
            else:
                out["errors"].append(
                    f"submit refused ({response.status_code}): {str(body.get('error'))[:160]}"
                )
    except Exception as err:
        out["errors"].append(f"{type(err).__name__}: {err}")
    finally:
        crowd.finished_one()
    try:
        await crowd.everyone_done.wait()  # the page stays open until everyone has answered
        if follower is not None:
            await asyncio.wait_for(follower, EVENT_READ_S)
    except Exception as err:
        out["errors"].append(f"event stream: {type(err).__name__}: {err}")
    if events["refused"]:
        out["errors"].append(f"event stream refused {events['refused']} time(s)")
    return out


def _room_size_env(participants: int) -> dict[str, str]:
    """The settings a room of `participants` phones needs raised above their defaults
    (rooms/settings.py): answers per room, and open event streams per process (participants
    may fill 90 %; each holds up to two while its stream rotates)."""
    from rooms import RoomSettings

    defaults = RoomSettings()
    env = {}
    if participants > defaults.max_answers_per_room:
        env["EXPLORER_MAX_ANSWERS_PER_ROOM"] = str(participants)
    streams = 3 * participants  # two each while rotating, over the 90 % share, a margin
    if streams > defaults.max_event_streams:
        env["EXPLORER_MAX_EVENT_STREAMS"] = str(streams)
    return env


def _own_cpu() -> float:
    """CPU seconds of this process (the participants' load generator), all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _crowd_thread(server: Served, code: str, count: int, ramp_s: float, out: dict) -> None:
    rng = random.Random(7)

    async def run() -> list[Any]:
        crowd = _Crowd(count)
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        timeout = httpx.Timeout(ANSWER_WAIT_S * 4)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=timeout) as http:
            people = [
                _participant(
                    http,
                    server.url,
                    code,
                    i,
                    ramp_s * i / count,
                    rng.random() < RESUBMIT_SHARE,
                    crowd,
                )
                for i in range(count)
            ]
            return await gather_bounded(people, CROWD_LIMIT_S)

    try:
        out["people"] = asyncio.run(run())
    except BaseException as err:  # reported by the caller, never swallowed
        out["error"] = err


def crowd(
    participants: int,
    ramp_s: float,
    postgres_url: str | None,
    *,
    revealed: bool,
    two_replicas: bool = False,
    curve: bool = False,
) -> dict[str, Any]:
    """`participants` answer in one room while the dashboard is open: hidden while they
    answer and revealed once everyone has (a workshop's usual order), or `revealed`
    throughout (every participant's page and every dashboard update then draws the
    room's picture: the heaviest case). On one app server, or (`two_replicas`, PostgreSQL)
    on deploy/cluster.sh: nginx in front of two replicas, each client sent to either."""
    database = "postgresql" if postgres_url else "sqlite"
    with fresh_database(postgres_url) as (url, data_dir):
        env = {
            "EXPLORER_DATA_DIR": data_dir,
            "EXPLORER_DATABASE_URL": url,
            "EXPLORER_MAX_IDENTITIES_PER_ADDRESS": str(participants + 20),
            **_room_size_env(participants),
            **MANY_VISITORS_ENV,
        }
        store = _store(url, data_dir, **_room_size_env(participants))
        try:
            created = store.create_room("Benchmark crowd", seats=participants)
            room = Room(created.room.code, created.token, database, revealed)
            if revealed:
                store.set_revealed(room.code, room.token, True)
            with contextlib.ExitStack() as stack:
                if two_replicas:
                    cluster = stack.enter_context(_cluster(url, data_dir, **env))
                    served = Served(cluster.url, cluster.ws_url, cluster.replica_pids())
                else:
                    server = stack.enter_context(Server(APP, env=env))
                    served = Served(server.url, server.ws_url, (server.pid,))
                browser = stack.enter_context(chromium())
                result = _crowd_run(browser, served, store, room, participants, ramp_s)
        finally:
            store.dispose()
    result["database"] = database
    result["servers"] = "two replicas behind nginx" if two_replicas else "one server"
    result["revealed_while_answering"] = revealed
    result["curve"] = curve
    result["settings_raised"] = _room_size_env(participants)
    s = result["submit_latency_ms"]
    log(
        f"crowd ({database}, {result['servers']}): {participants} participants, "
        f"{s.get('n', 0)} submits, errors {result['errors']}, lost {result['lost_in_database']} "
        f"(db) / {result['lost_on_dashboard']} (dashboard), submit p95 {s.get('p95', 0):.0f} ms"
    )
    return result


@dataclass(frozen=True)
class Served:
    """Where the crowd goes: the base URL, Streamlit's WebSocket, and the app processes
    whose CPU and memory are sampled."""

    url: str
    ws_url: str
    pids: tuple[int, ...]


@dataclass(frozen=True)
class Room:
    code: str
    token: str
    database: str
    revealed: bool


def _read_back(store: Any, room: Room, people: list[dict[str, Any]]) -> tuple[int, int]:
    """(lost, saved but never confirmed), read back per participant with the store's own
    `own_answer`. Lost: confirmed, yet the database holds neither the answer the receipt
    confirmed nor a later one the participant sent. Never confirmed: the database holds an
    answer for someone whose submit never came back stored (it timed out)."""
    keys = [spec.id for spec in _content().main_inputs]
    lost = unconfirmed = 0
    for person in people:
        if person["identity"] is None:
            continue
        stored = store.own_answer(room.code, person["identity"]) or {}
        held = {k: stored[k] for k in keys if k in stored}
        if person["thanked"] is None:
            unconfirmed += bool(held)
        elif held not in (person["thanked"], person["attempted"]):
            lost += 1
    return lost, unconfirmed


def _crowd_run(
    browser: Any, server: Served, store: Any, room: Room, count: int, ramp_s: float
) -> dict[str, Any]:
    context = browser.new_context(**PROJECTOR)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page = context.new_page()
        frames = Frames(page)
        claim = store.create_claim(room.code, room.token)
        page.goto(f"{server.url}/api/rooms/claim?c={claim}")
        _watch(page)
        mark = frames.mark()
        outcome: dict[str, Any] = {}
        worker = threading.Thread(
            target=_crowd_thread, args=(server, room.code, count, ramp_s, outcome), daemon=True
        )
        progress: list[tuple[float, int | None]] = []
        with Sampler(server.pids) as sampler:
            started, client_cpu = time.monotonic(), _own_cpu()
            worker.start()
            while worker.is_alive() and time.monotonic() - started < CROWD_LIMIT_S:
                progress.append((round(time.monotonic() - started, 1), _shown(page)))
                page.wait_for_timeout(1000)
            worker.join(timeout=5)
            if "error" in outcome:
                raise outcome["error"]
            if "people" not in outcome:
                raise TimeoutError(f"participants did not finish in {CROWD_LIMIT_S}s")
            finished, client_cpu = time.monotonic() - started, _own_cpu() - client_cpu
            revealing, reveal_problem = None, None
            if not room.revealed:  # everyone has answered: the facilitator reveals
                try:
                    revealing = _reveal(page, REVEAL_WAIT_S * 1000)
                except PlaywrightTimeout:
                    state = page.evaluate(_CONNECTION_JS)
                    reveal_problem = (
                        f"the dashboard did not show the results within {REVEAL_WAIT_S:.0f} s "
                        f"of Reveal (connection: {state})"
                    )
            stored = store.snapshot(room.code).count
            deadline = time.monotonic() + DASHBOARD_CATCH_UP_S
            while _shown(page) != stored and time.monotonic() < deadline:
                page.wait_for_timeout(200)
            shown = _shown(page)
            caught_up = time.monotonic() - started - finished
        SCREENSHOTS.mkdir(exist_ok=True)
        with contextlib.suppress(PlaywrightTimeout):  # a stuck dashboard is shown as it is
            page.wait_for_function(_SETTLED_JS, polling=100, timeout=PAGE_TIMEOUT_MS)
        stage = "revealed" if room.revealed else "hidden"
        shot = SCREENSHOTS / f"benchmark-room-{count}-{room.database}-{stage}.png"
        page.screenshot(path=str(shot), full_page=True)
        dashboard_runs = sum(
            1 for f in frames.frames[mark:] if not f.sent and f.kind == "script_finished"
        )
        exceptions = page.locator('[data-testid="stException"]').count()
    finally:
        context.close()
    people = outcome["people"]
    crashed = [p for p in people if isinstance(p, BaseException)]
    people = [p for p in people if not isinstance(p, BaseException)]
    thanked = sum(p["thanked"] is not None for p in people)
    lost, unconfirmed = _read_back(store, room, people)
    streams = {k: sum(p["events"][k] for p in people) for k in ("opened", "refused", "changed")}
    latencies = [x for p in people for x in p["latencies"]]
    errors = [e for p in people for e in p["errors"]] + [repr(c) for c in crashed]
    errors += [reveal_problem] if reveal_problem else []
    return {
        "participants": count,
        "ramp_seconds": ramp_s,
        "submissions": len(latencies),
        "participants_thanked": thanked,
        "answers_in_database": stored,
        "answers_on_dashboard": shown,
        "lost_in_database": lost,
        "lost_on_dashboard": stored - (shown or 0),
        "saved_but_not_confirmed": unconfirmed,
        "errors": len(errors) + exceptions,
        "error_examples": errors[:5],
        "submit_latency_ms": summary(latencies),
        "participant_event_streams": streams,
        "seconds_until_last_submit": finished,
        "dashboard_catch_up_seconds": caught_up,
        "reveal_seconds": revealing,
        "dashboard_runs": dashboard_runs,
        "dashboard_progress": progress[:: max(1, len(progress) // 20)],
        "server": sampler.result(),
        "load_generator_cpu_percent_of_one_core": 100 * client_cpu / finished,
        "rss_per_phone_kb": 1024
        * (sampler.result()["rss_peak_mb"] - sampler.result()["rss_before_mb"])
        / max(1, count),
        "server_cpu_ms_per_answer": 1000
        * sampler.result()["cpu_seconds"]
        / max(1, sum(p["submits"] for p in people)),
        "screenshot": str(shot.relative_to(REPO_ROOT)),
    }
