"""A rerun flood from one client does not take the server from everyone else.

One raw WebSocket client sends 50 reruns a second for a few seconds (what a script, not a
person, does); meanwhile another visitor opens the app. The server paces the flood
(web/throttle.py), so its CPU use stays bounded and the other visitor's first page run
stays quick. Loopback only; every loop bounded.
"""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from tests.appserver import AppServer
from tests.measurements import family
from tests.support.server import HOST

pytestmark = pytest.mark.slow

MEASURED = family("floods")
FLOOD_RATE = 50  # reruns a second, as in the attack issue 15 reports
FLOOD_SECONDS = 6.0
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


def _rerun(url: str, query: str = "") -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = ""
    msg.rerun_script.context_info.url = url
    return msg.SerializeToString()


def _first_run_seconds(server: AppServer) -> float:
    """A new visitor: open the socket, run the page once, until the script finished."""
    started = time.monotonic()
    with connect(server.ws_url, subprotocols=["streamlit"], open_timeout=30) as ws:
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
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_rerun_flood_is_paced_and_another_visitor_still_loads_quickly(tmp_path):
    with AppServer({"EXPLORER_DATA_DIR": str(tmp_path / "data")}, tmp_path / "logs") as server:
        assert server.url.startswith(f"http://{HOST}:")
        quiet = _first_run_seconds(server)
        sent = 0
        stop = threading.Event()

        def flood() -> None:
            nonlocal sent
            # Each rerun asks for other inputs, as a script moving the sliders would.
            payloads = [_rerun(server.url, f"goal={goal}") for goal in ("holistic", "specific")]
            with connect(server.ws_url, subprotocols=["streamlit"], open_timeout=30) as ws:

                def drain() -> None:  # read everything, so the server never waits on us
                    while not stop.is_set():
                        with contextlib.suppress(TimeoutError):
                            ws.recv(timeout=0.5)

                reader = threading.Thread(target=drain, daemon=True)
                reader.start()
                end = time.monotonic() + FLOOD_SECONDS
                while time.monotonic() < end and not stop.is_set():
                    ws.send(payloads[sent % 2])
                    sent += 1
                    time.sleep(1 / FLOOD_RATE)
                stop.set()
                reader.join(timeout=5)

        thread = threading.Thread(target=flood, daemon=True)
        cpu_before, wall_before = _cpu_seconds(server.pid), time.monotonic()
        thread.start()
        time.sleep(1.5)  # past the burst: the flood is being paced now
        during = _first_run_seconds(server)
        thread.join(timeout=FLOOD_SECONDS + 30)
        stop.set()
        cpu_share = (_cpu_seconds(server.pid) - cpu_before) / (time.monotonic() - wall_before)
        assert server.alive
    MEASURED.set(
        "rerun_flood",
        flood_messages_sent=sent,
        flood_rate_per_second=FLOOD_RATE,
        server_cpu_share_during_flood=round(cpu_share, 3),
        other_visitor_first_run_s_quiet=round(quiet, 3),
        other_visitor_first_run_s_during_flood=round(during, 3),
    )
    assert sent >= FLOOD_RATE * FLOOD_SECONDS * 0.5  # the flood really ran
    assert cpu_share < 0.5, f"the server used {cpu_share:.0%} of a core during the flood"
    assert during < max(4 * quiet, 3.0), (quiet, during)


def _one_run(server: AppServer, query: str) -> tuple[int, int]:
    """(messages, bytes) the server sends for one page run with this query string."""
    messages = received = 0
    with connect(server.ws_url, subprotocols=["streamlit"], open_timeout=30, max_size=None) as ws:
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
