"""The pace of reruns: a token bucket lets a burst through then paces to its rate, and the
room dashboard asks for reruns slower than the pace (the guard itself: test_stream_guard.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from web.stream_guard import PER_CONNECTION, TokenBucket

ROOM_LIVE_JS = Path(__file__).resolve().parents[2] / "views" / "room_live" / "live.js"


def test_a_bucket_lets_a_burst_through_then_paces_to_its_rate():
    bucket = TokenBucket(rate=10, burst=5)
    now = bucket.stamp
    assert [bucket.take(now) for _ in range(5)] == [0.0] * 5
    assert bucket.take(now) == pytest.approx(0.1)
    assert bucket.take(now + 1.0) == 0.0  # a second later it has refilled


def test_a_busy_room_dashboard_asks_for_reruns_slower_than_the_pace():
    """A dashboard that asked faster than the pace during a busy room built a queue: after
    300 answers, a click on Reveal waited minutes behind it (benchmarks crowd)."""
    gap_ms = int(re.search(r"const GAP_MS = (\d+);", ROOM_LIVE_JS.read_text()).group(1))
    rate, _burst = PER_CONNECTION
    assert 1000 / gap_ms < rate
