"""Reruns are bounded: a flood of WebSocket messages from one client is paced, a person's
clicks are not."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from web.throttle import PER_CONNECTION, STREAM_PATH, RerunThrottle, TokenBucket

ROOM_LIVE_JS = Path(__file__).resolve().parents[1] / "views" / "room_live" / "live.js"


def test_a_bucket_lets_a_burst_through_then_paces_to_its_rate():
    bucket = TokenBucket(rate=10, burst=5)
    now = bucket.stamp
    assert [bucket.take(now) for _ in range(5)] == [0.0] * 5
    assert bucket.take(now) == pytest.approx(0.1)
    assert bucket.take(now + 1.0) == 0.0  # a second later it has refilled


def _flood(throttle_args: dict, messages: int) -> float:
    """Seconds the app took to receive `messages` sent as fast as possible."""
    received = []

    async def app(scope, receive, send):
        for _ in range(messages):
            received.append(await receive())

    throttle = RerunThrottle(app, **throttle_args)

    async def run() -> float:
        async def receive():
            return {"type": "websocket.receive", "bytes": b"x"}

        scope = {"type": "websocket", "path": STREAM_PATH, "client": ("10.0.0.1", 1)}
        started = time.monotonic()
        await throttle(scope, receive, lambda message: None)
        return time.monotonic() - started

    seconds = asyncio.run(asyncio.wait_for(run(), timeout=10))
    assert len(received) == messages
    return seconds


def test_a_flood_on_one_connection_is_paced_to_the_refill_rate():
    # 20 messages with a burst of 5 at 50 a second: the last 15 take about 0.3 s.
    seconds = _flood({"per_connection": (50.0, 5.0)}, 20)
    assert 0.25 <= seconds < 2.0


def test_a_persons_burst_passes_at_once():
    seconds = _flood({"per_connection": (10.0, 30.0)}, 20)
    assert seconds < 0.2


def test_other_paths_and_http_are_not_paced():
    calls = []

    async def app(scope, receive, send):
        calls.append(scope["type"])

    throttle = RerunThrottle(app, per_connection=(0.001, 0.0))
    asyncio.run(throttle({"type": "http", "path": STREAM_PATH}, None, None))
    asyncio.run(throttle({"type": "websocket", "path": "/api/other"}, None, None))
    assert calls == ["http", "websocket"]


def test_a_busy_room_dashboard_asks_for_reruns_slower_than_the_pace():
    """A dashboard that asked faster than the pace during a busy room built a queue: after
    300 answers, a click on Reveal waited minutes behind it (benchmarks crowd)."""
    gap_ms = int(re.search(r"const GAP_MS = (\d+);", ROOM_LIVE_JS.read_text()).group(1))
    rate, _burst = PER_CONNECTION
    assert 1000 / gap_ms < rate
