"""Streamlit's WebSocket is guarded (web/stream_guard.py): an upgrade from another origin is
refused, one address holds a bounded number of streams, messages are paced per connection
and per address, and a flooding connection is closed with its backlog unread."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.support.measurements import family
from web.stream_guard import STREAM_PATH, StreamGuard

MEASURED = family("floods")

APP_ORIGIN = "http://127.0.0.1:8501"


def scope(origin: str | None = APP_ORIGIN, address: str = "10.0.0.1") -> dict[str, Any]:
    headers = [(b"host", b"127.0.0.1:8501")]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {
        "type": "websocket",
        "path": STREAM_PATH,
        "scheme": "ws",
        "client": (address, 50000),
        "headers": headers,
    }


def guard(app: Any, **limits: Any) -> StreamGuard:
    limits.setdefault("per_address", (1000.0, 1000.0))
    limits.setdefault("max_connections", 30)
    return StreamGuard(app, **limits)


def messages(count: int, *, leaves: bool = False) -> Any:
    """A client that connects, sends `count` messages as fast as it can, then stays
    connected (quiet) or, if `leaves`, disconnects at once."""
    queue = [{"type": "websocket.connect"}] + [
        {"type": "websocket.receive", "bytes": b"x"} for _ in range(count)
    ]

    async def receive() -> dict[str, Any]:
        if queue:
            return queue.pop(0)
        if not leaves:
            await asyncio.sleep(3600)  # quiet; the test ends first
        return {"type": "websocket.disconnect", "code": 1000}

    return receive


class Recorder:
    """A stand-in for Streamlit: accepts, then reads until the connection ends or it has
    read `expect` messages."""

    def __init__(self, hold: asyncio.Event | None = None, expect: int = 10_000) -> None:
        self.received: list[dict[str, Any]] = []
        self.calls = 0
        self.hold = hold
        self.expect = expect

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        if self.hold is not None:
            await self.hold.wait()
        for n in range(1, 10_001):  # bounded
            message = await receive()
            self.received.append(message)
            if message["type"] == "websocket.disconnect" or n >= self.expect:
                return


def run(coro: Any, timeout: float = 20) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout))


@pytest.mark.parametrize(
    ("origin", "why"),
    [
        ("http://127.0.0.1:8791", "a page on another port of the same host"),
        ("http://localhost:8501", "another name for the host"),
        ("https://127.0.0.1:8501", "another scheme"),
        ("http://evil.example", "another site"),
        ("null", "an opaque origin"),
        (None, "no Origin header (not a browser page)"),
    ],
)
def test_an_upgrade_from_anywhere_but_this_server_s_own_pages_is_refused(origin, why):
    app = Recorder()
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    run(guard(app)(scope(origin), messages(3), send))
    assert app.calls == 0, why
    assert sent == [{"type": "websocket.close", "code": 1008}], why


def test_an_upgrade_from_the_app_s_own_page_reaches_streamlit():
    app = Recorder(expect=3)

    async def send(message: dict[str, Any]) -> None:
        pass

    run(guard(app)(scope(), messages(3), send))
    assert app.calls == 1
    assert [m["type"] for m in app.received] == ["websocket.receive"] * 3


def test_one_address_holds_a_bounded_number_of_streams_and_others_are_not_affected():
    hold = asyncio.Event()
    app = Recorder(hold)
    refused: list[str] = []

    async def main() -> None:
        middleware = guard(app, max_connections=3)

        def send_for(address: str) -> Any:
            async def send(message: dict[str, Any]) -> None:
                if message["type"] == "websocket.close":
                    refused.append(address)

            return send

        tasks = [
            asyncio.create_task(middleware(scope(), messages(0, leaves=True), send_for("10.0.0.1")))
            for _ in range(5)
        ]
        other = asyncio.create_task(
            middleware(scope(address="10.0.0.2"), messages(0, leaves=True), send_for("10.0.0.2"))
        )
        await asyncio.sleep(0.2)
        hold.set()
        await asyncio.gather(*tasks, other)
        # Once they closed, the address may connect again.
        await middleware(scope(), messages(0, leaves=True), send_for("again"))

    run(main())
    assert refused == ["10.0.0.1", "10.0.0.1"]
    assert app.calls == 3 + 1 + 1


def _received_after(
    seconds_budget: float, count: int = 200, *, leaves: bool = False, **limits: Any
) -> tuple[list[str], float]:
    app = Recorder(expect=count)
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    started = time.monotonic()
    run(guard(app, **limits)(scope(), messages(count, leaves=leaves), send), seconds_budget)
    types = [m["type"] for m in app.received]
    return types + [m["type"] for m in sent if m["type"] == "websocket.close"], (
        time.monotonic() - started
    )


def test_a_flooding_connection_is_closed_and_its_backlog_never_reaches_streamlit():
    # 200 messages at once, paced at 10 a second after a burst of 5: the backlog passes 20
    # at once, the connection is closed and Streamlit sees only what it had been handed.
    seen, seconds = _received_after(10, per_connection=(10.0, 5.0), max_backlog=20)
    assert seen[-2:] == ["websocket.disconnect", "websocket.close"]
    assert seen.count("websocket.receive") <= 6
    assert seconds < 2


def test_a_client_that_leaves_has_its_backlog_dropped():
    # 50 messages then a disconnect, paced at 10 a second: without dropping, Streamlit would
    # work through them for 4 s after the client had gone.
    seen, seconds = _received_after(
        10, 50, leaves=True, per_connection=(10.0, 5.0), max_backlog=100
    )
    assert seen[-1] == "websocket.disconnect"
    assert seen.count("websocket.receive") < 50 and seconds < 2


def test_a_person_s_burst_passes_at_once():
    seen, seconds = _received_after(5, 20, per_connection=(10.0, 30.0))
    assert seen.count("websocket.receive") == 20 and seconds < 0.5


def test_all_connections_of_one_address_share_one_pace():
    """Two connections from one address, 20 messages each, share 40 a second after a burst
    of 10: the 30 beyond the burst take about 0.75 s, though each connection alone could go
    faster."""
    app = Recorder(expect=20)

    async def send(message: dict[str, Any]) -> None:
        pass

    async def main() -> float:
        middleware = StreamGuard(
            app, per_connection=(1000.0, 1000.0), per_address=(40.0, 10.0), max_connections=5
        )
        started = time.monotonic()
        await asyncio.gather(
            middleware(scope(), messages(20), send), middleware(scope(), messages(20), send)
        )
        return time.monotonic() - started

    seconds = run(main())
    assert [m["type"] for m in app.received].count("websocket.receive") == 40
    assert 0.6 <= seconds < 3.0


def test_other_paths_and_http_pass_untouched():
    calls = []

    async def app(scope, receive, send):
        calls.append(scope["type"])

    middleware = guard(app, per_connection=(0.001, 0.0))
    run(middleware({"type": "http", "path": STREAM_PATH}, None, None))
    run(middleware({"type": "websocket", "path": "/api/other"}, None, None))
    assert calls == ["http", "websocket"]


def test_a_clear_cache_message_is_dropped_and_every_other_message_handed_on() -> None:
    """Issue 24 (Low): any client could send Streamlit's "Clear cache" and empty the
    shared caches for everyone."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    clear = BackMsg(clear_cache=True).SerializeToString()
    rerun = BackMsg()
    rerun.rerun_script.query_string = "goal=specific"
    sent = [clear, rerun.SerializeToString(), b"\xff\xfe not a BackMsg", clear]
    queue = [{"type": "websocket.connect"}] + [
        {"type": "websocket.receive", "bytes": data} for data in sent
    ]

    async def receive() -> dict[str, Any]:
        if queue:
            return queue.pop(0)
        await asyncio.sleep(3600)  # stays connected; the recorder ends first
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: Any) -> None:
        pass

    app = Recorder(expect=2)
    streams = guard(app)
    run(streams(scope(), receive, send))
    handed_on = [m.get("bytes") for m in app.received if m["type"] == "websocket.receive"]
    MEASURED.set(
        "clear_cache",
        clear_cache_sent=sent.count(clear),
        clear_cache_handed_on=sum(m == clear for m in handed_on),
        other_messages_handed_on=len(handed_on),
    )
    assert handed_on == [rerun.SerializeToString(), b"\xff\xfe not a BackMsg"]
    assert streams.refused["clear_cache"] == 2


def test_a_component_value_that_is_not_json_is_taken_out_and_the_rerun_goes_on() -> None:
    """Issue 24 (Low): a malformed report broke its own session for good, with a traceback
    in the log on every later run."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    from web.stream_guard import screened

    rerun = BackMsg()
    rerun.rerun_script.query_string = "goal=specific"
    broken = rerun.rerun_script.widget_states.widgets.add()
    broken.id = "live"
    broken.json_value = "{"
    good = rerun.rerun_script.widget_states.widgets.add()
    good.id = "other"
    good.json_value = '{"inputs": {"goal": "specific"}}'
    passed = screened({"type": "websocket.receive", "bytes": rerun.SerializeToString()})
    assert passed is not None
    kept = BackMsg.FromString(passed["bytes"])
    assert [w.id for w in kept.rerun_script.widget_states.widgets] == ["other"]
    assert kept.rerun_script.query_string == "goal=specific"
    plain = {"type": "websocket.receive", "bytes": BackMsg(load_git_info=True).SerializeToString()}
    assert screened(plain) is plain
