"""A rerun flood from one client does not take the server from everyone else.

One raw WebSocket client sends 50 reruns a second for a few seconds (what a script, not a
person, does); meanwhile another visitor opens the app. The server paces the flood
(web/stream_guard.py), so its CPU use stays bounded and the other visitor's first page run
stays quick. The same holds when the client opens 60 connections at once (one address is
limited as a whole), and its backlog is not worked through after it leaves. The other
visitor connects from another loopback address (127.0.0.2), as another machine would.
Loopback only; every loop bounded.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import threading
import time
from typing import Any

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from testkit.server import HOST
from tests.support.appserver import AppServer
from tests.support.measurements import family

pytestmark = pytest.mark.slow

MEASURED = family("floods")
FLOOD_RATE = 50  # reruns a second, as in the attack issue 15 reports
FLOOD_SECONDS = 6.0
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
OTHER_VISITOR = "127.0.0.2"  # another loopback address: another machine, to the server
HOSTILE_CONNECTIONS = 60
RECOVERY_S = 5.0
SESSIONS_SENDING_HUGE = 30


def _rerun(url: str, query: str = "") -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = ""
    msg.rerun_script.context_info.url = url
    return msg.SerializeToString()


def stream(server: AppServer, source: str = HOST, **options: Any) -> ClientConnection:
    """Streamlit's WebSocket as a browser page of the app opens it (its Origin), from the
    loopback address `source`."""
    sock = socket.create_connection((HOST, server.port), timeout=30, source_address=(source, 0))
    return connect(
        server.ws_url,
        sock=sock,
        origin=server.url,
        subprotocols=["streamlit"],
        open_timeout=30,
        **options,
    )


def _first_run_seconds(server: AppServer, source: str = OTHER_VISITOR) -> float:
    """A new visitor: open the socket, run the page once, until the script finished."""
    started = time.monotonic()
    with stream(server, source) as ws:
        ws.send(_rerun(server.url))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            message = ForwardMsg()
            message.ParseFromString(ws.recv(timeout=60))
            if message.WhichOneof("type") == "script_finished":
                assert message.script_finished in DONE
                return time.monotonic() - started
    raise AssertionError("the page never finished")


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


class Flood:
    """`connections` raw clients on one address, each sending reruns at FLOOD_RATE (as a
    script, not a person, does) and reconnecting whenever it is refused or closed, until
    `stop()`. Counts what was sent, opened, refused and closed by the server."""

    def __init__(self, server: AppServer, connections: int) -> None:
        self.server = server
        self.stopping = threading.Event()
        self.counts = {"sent": 0, "opened": 0, "refused": 0, "closed_by_server": 0}
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True)
            for n in range(connections)
        ]

    def start(self) -> Flood:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _count(self, key: str) -> None:
        with self._lock:
            self.counts[key] += 1

    def _drain(self, ws: ClientConnection) -> None:
        """Read everything the server sends, so that it never waits on this client (and the
        client sees at once when the server closes it)."""
        for _ in range(1_000_000):  # bounded; ends when the connection does
            try:
                ws.recv(timeout=0.5)
            except TimeoutError:
                if self.stopping.is_set():
                    return
            except (ConnectionClosed, OSError):
                return

    def _client(self, n: int) -> None:
        # Each rerun asks for other inputs, as a script moving the sliders would.
        url = self.server.url
        payloads = [_rerun(url, f"goal={goal}&n={n}") for goal in ("holistic", "specific")]
        for _attempt in range(200):  # bounded: reconnect after each refusal or close
            if self.stopping.is_set():
                return
            try:
                with stream(self.server) as ws:
                    self._count("opened")
                    reader = threading.Thread(target=self._drain, args=(ws,), daemon=True)
                    reader.start()
                    for k in range(100_000):  # bounded by the flood's end
                        if self.stopping.is_set():
                            return
                        ws.send(payloads[k % 2])
                        self._count("sent")
                        time.sleep(1 / FLOOD_RATE)
            except InvalidStatus:
                self._count("refused")
            except (ConnectionClosed, OSError):
                self._count("closed_by_server")
            time.sleep(0.2)


def test_a_rerun_flood_is_paced_and_another_visitor_still_loads_quickly(tmp_path):
    with AppServer({"EXPLORER_DATA_DIR": str(tmp_path / "data")}, tmp_path / "logs") as server:
        assert server.url.startswith(f"http://{HOST}:")
        quiet = _first_run_seconds(server)
        cpu_before, wall_before = _cpu_seconds(server.pid), time.monotonic()
        flood = Flood(server, 1).start()
        time.sleep(1.5)  # past the burst: the flood is being paced now
        during = _first_run_seconds(server)
        time.sleep(max(0.0, FLOOD_SECONDS - (time.monotonic() - wall_before)))
        flood.stop()
        cpu_share = (_cpu_seconds(server.pid) - cpu_before) / (time.monotonic() - wall_before)
        assert server.alive
    MEASURED.set(
        "rerun_flood",
        flood_messages_sent=flood.counts["sent"],
        flood_rate_per_second=FLOOD_RATE,
        flood_connections_closed_by_server=flood.counts["closed_by_server"],
        server_cpu_share_during_flood=round(cpu_share, 3),
        other_visitor_first_run_s_quiet=round(quiet, 3),
        other_visitor_first_run_s_during_flood=round(during, 3),
    )
    assert flood.counts["sent"] >= FLOOD_RATE * FLOOD_SECONDS * 0.3  # the flood really ran
    assert flood.counts["closed_by_server"] > 0  # and was closed for it
    assert cpu_share < 0.5, f"the server used {cpu_share:.0%} of a core during the flood"
    assert during < max(4 * quiet, 3.0), (quiet, during)


def test_sixty_flooding_connections_from_one_address_leave_other_visitors_quick(tmp_path):
    """Issue 24: 60 connections from one client sent 78,224 messages in 61 s and another
    visitor's first run took over 20 s until 151 s after the client had left. Now one
    address holds at most EXPLORER_MAX_STREAMS_PER_ADDRESS streams, all of them share one
    pace, a flooding connection is closed and what it had queued is dropped."""
    with AppServer({"EXPLORER_DATA_DIR": str(tmp_path / "data")}, tmp_path / "logs") as server:
        quiet = statistics.median(_first_run_seconds(server) for _ in range(3))
        flood = Flood(server, HOSTILE_CONNECTIONS).start()
        time.sleep(3.0)  # every connection open and past its burst
        during = statistics.median(_first_run_seconds(server) for _ in range(3))
        flood.stop()
        left = time.monotonic()
        time.sleep(RECOVERY_S)
        after = _first_run_seconds(server)
        recovered_s = time.monotonic() - left
        assert server.alive
    counts = flood.counts
    MEASURED.set(
        "many_connections",
        hostile_connections=HOSTILE_CONNECTIONS,
        hostile_messages_sent=counts["sent"],
        hostile_connections_opened=counts["opened"],
        hostile_upgrades_refused=counts["refused"],
        hostile_connections_closed_by_server=counts["closed_by_server"],
        other_visitor_first_run_s_quiet=round(quiet, 3),
        other_visitor_first_run_s_during_flood=round(during, 3),
        other_visitor_first_run_s_after_flood=round(after, 3),
        after_flood_measured_s_after_it_ended=round(recovered_s, 1),
    )
    assert counts["sent"] > HOSTILE_CONNECTIONS * 20  # the flood really ran
    assert counts["refused"] > 0 and counts["closed_by_server"] > 0
    assert during < 2 * quiet, (quiet, during)
    assert after < 2 * quiet, (quiet, after)


def test_huge_client_messages_are_refused_and_leave_no_memory_behind(tmp_path):
    """Issue 24: 30 sessions each sent one 24 MB widget report (23 MB here, under
    Streamlit's default limit of 25); the server went from 1,476 to 3,114 MB and stayed
    there. The app now takes at most 1 MB from a client per message
    (server.maxWidgetStateSize; the live explorer's report is under 200 bytes)."""
    huge = BackMsg()
    huge.rerun_script.query_string = "x" * 23_000_000  # under Streamlit's own 25 MB
    payload = huge.SerializeToString()
    with AppServer({"EXPLORER_DATA_DIR": str(tmp_path / "data")}, tmp_path / "logs") as server:
        _first_run_seconds(server)
        before = _rss_mb(server.pid)
        refused = 0
        for n in range(SESSIONS_SENDING_HUGE):
            source = f"127.0.0.{10 + n}"  # as many machines: no per-address limit applies
            try:
                with stream(server, source) as ws:
                    ws.send(payload)
                    for _ in range(100):  # bounded: until the server closes the socket
                        ws.recv(timeout=10)
            except ConnectionClosed:
                refused += 1
            except TimeoutError:
                pass
        time.sleep(2.0)
        after = _rss_mb(server.pid)
        still_quick = _first_run_seconds(server)
        assert server.alive
    MEASURED.set(
        "huge_messages",
        sessions=SESSIONS_SENDING_HUGE,
        message_mb=round(len(payload) / 2**20, 1),
        refused=refused,
        server_rss_mb_before=round(before),
        server_rss_mb_after=round(after),
        other_visitor_first_run_s_after=round(still_quick, 3),
    )
    assert refused == SESSIONS_SENDING_HUGE
    assert after - before < 150, (before, after)


def _one_run(server: AppServer, query: str) -> tuple[int, int]:
    """(messages, bytes) the server sends for one page run with this query string."""
    messages = received = 0
    with stream(server, max_size=None) as ws:
        ws.send(_rerun(server.url, query))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            data = ws.recv(timeout=60)
            messages += 1
            received += len(data)
            message = ForwardMsg()
            message.ParseFromString(data)
            if message.WhichOneof("type") == "script_finished":
                return messages, received
    raise AssertionError("the page never finished")


def test_a_huge_link_is_answered_in_one_step_not_one_message_per_unknown_key(tmp_path):
    # Issue 15: a 507 kB link with ~1,000 unknown keys made the server rewrite the query
    # once per key (1,003 messages, 255 MB). Now the link is refused with one notice.
    unknown = "&".join(f"k{n:04d}={'x' * 500}" for n in range(990))
    assert 490_000 < len(unknown) < 512 * 1024
    with AppServer({"EXPLORER_DATA_DIR": str(tmp_path / "data")}, tmp_path / "logs") as server:
        plain = _one_run(server, "goal=specific")
        huge = _one_run(server, unknown)
    MEASURED.set(
        "huge_link",
        link_bytes=len(unknown),
        unknown_keys=990,
        messages_for_a_plain_link=plain[0],
        messages_for_the_huge_link=huge[0],
        bytes_for_a_plain_link=plain[1],
        bytes_for_the_huge_link=huge[1],
    )
    assert huge[0] <= plain[0] + 5, (plain, huge)
    assert huge[1] < 3 * plain[1] + 2 * len(unknown), (plain, huge)


def test_a_report_that_is_not_json_breaks_no_session_and_writes_no_traceback(tmp_path):
    """Issue 24 (Low): one malformed live-explorer report broke its session for good (every
    later run failed) and wrote a traceback to the log each time."""
    from benchmarks.wsclient import Session

    async def scenario(ws_url: str) -> tuple[list[str], list[str], str]:
        session = Session(ws_url)
        await session.connect()
        live = session.widget("live")
        live.state = {}
        with_broken = BackMsg()  # what the browser would send, with the value not JSON
        client = with_broken.rerun_script
        client.query_string = session.query_string
        client.fragment_id = live.fragment_id
        item = client.widget_states.widgets.add()
        item.id = live.id
        item.json_value = '{"inputs": {"goal": "specific"'
        await session._ws.send(with_broken.SerializeToString())
        broken = await session._read_until_finished(time.perf_counter())
        after = await session.set_component_state(
            "live", {"inputs": {"goal": "specific", "release": 1}}
        )
        await session.close()
        return broken.exceptions, after.exceptions, session.query_string

    logs = tmp_path / "logs"
    with AppServer({"EXPLORER_DATA_DIR": str(tmp_path / "data")}, logs) as server:
        broken, after, query = asyncio.run(scenario(server.ws_url))
    log = "".join(p.read_text(encoding="utf-8", errors="replace") for p in logs.glob("*"))
    MEASURED.set(
        "malformed_report",
        exceptions_shown=len(broken) + len(after),
        tracebacks_logged=log.count("Traceback"),
        next_move_applied=int("goal=specific" in query),
    )
    assert broken == [] and after == []
    assert "goal=specific" in query  # the next real move works
    assert "Traceback" not in log
