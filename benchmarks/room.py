"""The workshop room: 100 participants answer while the facilitator's dashboard refreshes.

The room is created through the RoomStore on the same database the server uses, and
revealed, so every dashboard refresh also draws the distribution bar and the room radar.
The facilitator is a real Chromium page on the dashboard (it refreshes itself every few
seconds, as on the projector). The participants are real Streamlit sessions on the Room
page, driven over the WebSocket (benchmarks/wsclient.py): each opens the join link, sets
the four sliders of the form and presses Submit; a share of them change their mind and
submit again. Nothing is sent anywhere but 127.0.0.1.

Counted: submit latency, errors (an exception, a missing "thank you", a failed socket),
and submissions lost: people who got "thank you" minus answers in the database, and minus
the count the facilitator's dashboard shows once it has refreshed.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import tempfile
import threading
import time

from benchmarks.common import APP, Server, chromium, log, summary
from benchmarks.load import Sampler
from benchmarks.wsclient import Session

FORM_KEYS = ("room_goal", "room_timeframe", "room_stage", "room_structure")
SCENARIO_LIMIT_S = 600.0
DASHBOARD_WAIT_S = 60.0
_COUNT_JS = r"""
(pattern) => {
  const re = new RegExp(pattern);
  for (const p of document.querySelectorAll('[data-testid="stMarkdownContainer"] p')) {
    const m = p.innerText.trim().match(re);
    if (m) return Number(m[1]);
  }
  return null;
}
"""


def count_pattern() -> str:
    """A regex for the dashboard's count line, built from its wording in content/ui.yaml
    (e.g. "**{joined}** joined · **{answered}** answered"); group 1 is the answer count."""
    from explorer import load_content

    template = load_content().text("room.counts").replace("**", "")
    parts = re.split(r"(\{[a-z_]+\})", template)
    out = []
    for part in parts:
        if part == "{answered}":
            out.append(r"(\d+)")
        elif part.startswith("{") and part.endswith("}"):
            out.append(r"\d+")
        else:
            out.append(re.escape(part))
    return "^" + "".join(out) + "$"


def _thanks() -> str:
    from explorer import load_content

    return load_content().text("room.thanks").split("—")[0].strip()


async def _participant(
    server: Server, code: str, seed: int, delay: float, resubmit: bool, thanks: str
) -> dict:
    rng = random.Random(seed)
    out: dict = {"latencies": [], "errors": [], "submitted": 0, "id": None}
    await asyncio.sleep(delay)
    session = Session(server.ws_url, page_name="room", query_string=f"room={code}")
    try:
        first = await session.connect()
        out["errors"] += first.exceptions
        match = re.search(r"participant=([A-Za-z0-9_-]+)", session.query_string)
        out["id"] = match.group(1) if match else None
        for attempt in range(2 if resubmit else 1):
            await asyncio.sleep(rng.uniform(1.0, 4.0))  # reading, moving the sliders
            for key in FORM_KEYS if attempt == 0 else (rng.choice(FORM_KEYS),):
                session.set_value(key, rng.choice(session.widget(key).options))
            result = await session.click("room_submit")
            out["latencies"].append(result.seconds * 1000)
            out["errors"] += result.exceptions
            if any(thanks in text for text in result.texts):
                out["submitted"] = 1
            else:
                out["errors"].append("no thank-you after submit")
    except Exception as err:
        out["errors"].append(f"{type(err).__name__}: {err}")
    finally:
        await session.close()
    return out


def _run_participants(
    server: Server, code: str, count: int, ramp_s: float, share: float
) -> list[dict]:
    thanks = _thanks()
    rng = random.Random(7)

    async def run() -> list[dict]:
        people = [
            _participant(server, code, i, ramp_s * i / count, rng.random() < share, thanks)
            for i in range(count)
        ]
        return await asyncio.wait_for(asyncio.gather(*people), SCENARIO_LIMIT_S)

    return asyncio.run(run())


def scenario(
    participants: int = 100,
    ramp_s: float = 20.0,
    resubmit_share: float = 0.2,
    database_url: str | None = None,
) -> dict:
    from explorer.rooms import RoomSettings, RoomStore

    data_dir = tempfile.mkdtemp(prefix="bench-room-")
    env = {"EXPLORER_DATA_DIR": data_dir, "EXPLORER_MAX_ANSWERS_PER_ROOM": str(participants + 10)}
    if database_url:
        env["EXPLORER_DATABASE_URL"] = database_url
    else:
        env["EXPLORER_DATABASE_URL"] = ""
    store = RoomStore.from_settings(RoomSettings.from_env({**os.environ, **env}))
    try:
        created = store.create_room("Benchmark room")
        code, token = created.room.code, created.token
        store.set_revealed(code, token, True)
        with Server(APP, env=env) as server, chromium() as browser:
            context = browser.new_context(viewport={"width": 1920, "height": 1080})
            context.set_default_timeout(60_000)
            page = context.new_page()
            page.goto(f"{server.url}/room?room={code}&token={token}")
            pattern = count_pattern()
            page.wait_for_function(
                f"(p) => ({_COUNT_JS})(p) !== null", arg=pattern, polling=200, timeout=60_000
            )
            outcome: dict = {}

            def participants_thread() -> None:
                try:
                    outcome["people"] = _run_participants(
                        server, code, participants, ramp_s, resubmit_share
                    )
                except BaseException as err:  # reported below, never swallowed
                    outcome["error"] = err

            worker = threading.Thread(target=participants_thread, daemon=True)
            seen: list[tuple[float, int | None]] = []
            with Sampler(server.pid) as sampler:
                started = time.monotonic()
                worker.start()
                while worker.is_alive() and time.monotonic() - started < SCENARIO_LIMIT_S:
                    seen.append((time.monotonic() - started, page.evaluate(_COUNT_JS, pattern)))
                    page.wait_for_timeout(1000)
                worker.join(timeout=5)
                if "error" in outcome:
                    raise outcome["error"]
                if "people" not in outcome:
                    raise TimeoutError(f"participants did not finish in {SCENARIO_LIMIT_S}s")
                people = outcome["people"]
                stored = store.snapshot(code).count
                # The dashboard refreshes on its own: wait (bounded) for it to catch up.
                deadline = time.monotonic() + DASHBOARD_WAIT_S
                shown = page.evaluate(_COUNT_JS, pattern)
                while shown != stored and time.monotonic() < deadline:
                    page.wait_for_timeout(500)
                    shown = page.evaluate(_COUNT_JS, pattern)
                dashboard_seconds = time.monotonic() - started
            exceptions_on_dashboard = page.locator('[data-testid="stException"]').count()
            context.close()
    finally:
        store.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)
    submitted = sum(p["submitted"] for p in people)
    latencies = [x for p in people for x in p["latencies"]]
    errors = [e for p in people for e in p["errors"]]
    result = {
        "participants": participants,
        "database": "postgresql" if database_url else "sqlite",
        "submissions": len(latencies),
        "participants_thanked": submitted,
        "answers_in_database": stored,
        "answers_on_dashboard": shown,
        "lost_in_database": submitted - stored,
        "lost_on_dashboard": submitted - (shown or 0),
        "errors": len(errors) + exceptions_on_dashboard,
        "error_examples": errors[:5],
        "submit_latency_ms": summary(latencies),
        "dashboard_progress": seen[:: max(1, len(seen) // 20)],
        "seconds_until_dashboard_complete": dashboard_seconds,
        "server": sampler.result(),
    }
    log(
        f"room: {participants} participants, {len(latencies)} submits, errors {result['errors']}, "
        f"lost {result['lost_in_database']} (db) / {result['lost_on_dashboard']} (dashboard), "
        f"submit p95 {result['submit_latency_ms'].get('p95', float('nan')):.0f} ms"
    )
    return result
