"""Run every benchmark and write docs/performance.md and benchmarks/results.json.

    python -m benchmarks                 # the full run (`make bench`), ~10 minutes
    python -m benchmarks --smoke --out /tmp/perf.md --json /tmp/perf.json
                                         # tiny counts: proves it all works (CI)
    python -m benchmarks --only rerun,load

Every figure is a median or percentile of many samples, reported next to a bare Streamlit
baseline (benchmarks/baseline_app.py) measured in the same run: the machine is shared and
noisy, so absolute times are only context. Nothing here fails on a timing; it fails only
when something does not work (an exception, an error count the run cannot explain).
Servers are started on 127.0.0.1 and stopped by the run; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import browser, load, report, rerun, room, serialise
from benchmarks.common import REPO_ROOT, log, machine


@dataclass(frozen=True)
class Counts:
    reruns: int
    profile_reruns: int
    moves: int
    cold_rounds: int
    warm_loads: int
    memory_sessions: int
    load_sessions: int
    load_moves: int
    room_participants: int
    room_ramp_s: float
    load_rounds: int


FULL = Counts(60, 60, 100, 3, 8, 20, 50, 10, 100, 20.0, 2)
SMOKE = Counts(5, 5, 4, 1, 1, 3, 4, 2, 5, 1.0, 1)
SECTIONS = ("serialise", "rerun", "profile", "browser", "memory", "load", "room")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--smoke", action="store_true", help="tiny counts, to prove it works")
    parser.add_argument("--out", type=Path, help="Markdown report (default docs/performance.md)")
    parser.add_argument("--json", type=Path, help="raw figures (default benchmarks/results.json)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    args = parser.parse_args(argv)
    counts = SMOKE if args.smoke else FULL
    out = args.out or REPO_ROOT / "docs" / "performance.md"
    raw = args.json or REPO_ROOT / "benchmarks" / "results.json"
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")

    results: dict = {
        "generated_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "smoke" if args.smoke else "full",
        "counts": counts.__dict__,
        "machine": machine(),
        "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
        "failures": {},
    }
    started = time.monotonic()
    steps = {
        "serialise": lambda: serialise.measure(),
        # The same deterministic slider walk twice: first every combination is new to the
        # app's shared caches, then every one has been seen (as in a busy room).
        "rerun": lambda: {
            "new_combinations": rerun.measure(counts.reruns),
            "seen_combinations": rerun.measure(counts.reruns),
            "appTest_default": rerun.measure(counts.reruns, shared_script_cache=False),
        },
        "profile": lambda: {
            "per_call": rerun.script_profile(counts.profile_reruns),
            "pyinstrument": rerun.profile(counts.profile_reruns),
        },
        "browser": lambda: browser.measure(counts.moves, counts.cold_rounds, counts.warm_loads),
        "memory": lambda: load.memory(counts.memory_sessions),
        "load": lambda: load.load(
            counts.load_sessions, counts.load_moves, rounds=counts.load_rounds
        ),
        "room": lambda: _room(counts),
    }
    for name in SECTIONS:
        if name not in only:
            continue
        log(f"--- {name}")
        began = time.monotonic()
        try:
            results[name] = steps[name]()
        except Exception:
            results["failures"][name] = traceback.format_exc()
            log(f"{name} FAILED:\n{results['failures'][name]}")
        results.setdefault("seconds", {})[name] = round(time.monotonic() - began, 1)
        results.setdefault("load_average_after", {})[name] = _loadavg()
    results["total_seconds"] = round(time.monotonic() - started, 1)

    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(json.dumps(results, indent=1, default=str) + "\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report.render(results, raw_path=_shown(raw)))
    log(f"wrote {_shown(out)} and {_shown(raw)} in {results['total_seconds']:.0f} s")
    problems = report.problems(results)
    for problem in problems:
        log(f"PROBLEM: {problem}")
    return 1 if problems else 0


def _room(counts: Counts) -> dict:
    out = {"sqlite": room.scenario(counts.room_participants, ramp_s=counts.room_ramp_s)}
    url = os.environ.get("EXPLORER_TEST_POSTGRES_URL")
    if url:
        out["postgresql"] = room.scenario(
            counts.room_participants, ramp_s=counts.room_ramp_s, database_url=url
        )
    return out


def _loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    raise SystemExit(main())
