"""Run every benchmark and write docs/performance.md and benchmarks/results.json.

    python -m benchmarks                 # the full run (`make bench`), about 15-20 minutes
    source .ci/postgres.sh && python -m benchmarks   # adds PostgreSQL and two replicas
    python -m benchmarks --smoke --out /tmp/perf.md --json /tmp/perf.json
                                         # tiny counts: proves it all works (CI)
    python -m benchmarks --only browser,load
    python -m benchmarks --only lighthouse,room --merge
                                         # these sections anew, the others kept from the
                                         # last run's results.json (each says which run)
    python -m benchmarks --report-only  # re-render docs/performance.md from results.json

Every comparison is against a bare Streamlit baseline (benchmarks/baseline_app.py) measured
in the same run: the machine is shared and noisy, so absolute times are context and the
ratios are the figures. Nothing here fails on a timing; the run fails (exit 1) only when
something does not work: a section that raised, an error, an answer lost. Servers are started
on 127.0.0.1 and stopped by the run; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import browser, lighthouse, load, report, rerun, room
from benchmarks.common import MOVE_INTERVAL_S, code_version, load_average, log, machine
from testkit.server import REPO_ROOT


@dataclass(frozen=True)
class Counts:
    serial_moves: int
    profile_reruns: int
    key_presses: int
    drag_rounds: int
    cold_rounds: int
    warm_loads: int
    memory_sessions: int
    load_sessions: int
    load_moves: int
    load_rounds: int
    room_phones: int
    idle_seconds: float
    crowd_sizes: tuple[int, ...]  # the capacity curve: participants per run
    crowd_ramp_s: float
    lighthouse_runs: int  # 0: skipped (smoke: npm and a dozen Lighthouse runs are slow)


FULL = Counts(40, 30, 60, 3, 3, 8, 20, 50, 10, 2, 10, 90.0, (300, 1000, 2000), 60.0, 3)
SMOKE = Counts(3, 3, 3, 1, 1, 1, 2, 3, 2, 1, 1, 5.0, (6,), 1.0, 0)
SECTIONS = (
    "rerun",
    "profile",
    "browser",
    "memory",
    "load",
    "lighthouse",
    "room",
    "cluster",
    "crowd",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--smoke", action="store_true", help="tiny counts, to prove it works")
    parser.add_argument("--out", type=Path, help="Markdown report (default docs/performance.md)")
    parser.add_argument("--json", type=Path, help="raw figures (default benchmarks/results.json)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: render the report again from the raw figures of the last run",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the sections this run does not measure from the previous raw figures",
    )
    args = parser.parse_args(argv)
    counts = SMOKE if args.smoke else FULL
    out = args.out or REPO_ROOT / "docs" / "performance.md"
    raw = args.json or REPO_ROOT / "benchmarks" / "results.json"
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if args.report_only:
        previous = json.loads(raw.read_text())
        out.write_text(report.render(previous, raw_path=_shown(raw)))
        log(f"wrote {_shown(out)} from {_shown(raw)} ({previous['generated_utc']})")
        return 1 if report.problems(previous) else 0

    results: dict[str, Any] = {
        "generated_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "smoke" if args.smoke else "full",
        "counts": asdict(counts),
        "move_interval_s": MOVE_INTERVAL_S,
        "machine": machine(),
        "code_at_start": code_version(),
        "command": " ".join(
            ["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])]
        ),
        "failures": {},
        "skipped": {},
        "seconds": {},
        "load_average_after": {},
    }
    started = time.monotonic()
    for name in SECTIONS:
        if name not in only:
            continue
        log(f"--- {name}")
        began = time.monotonic()
        try:
            outcome = _steps(counts)[name]()
        except Exception:
            results["failures"][name] = traceback.format_exc()
            log(f"{name} FAILED:\n{results['failures'][name]}")
        else:
            if isinstance(outcome, str):
                results["skipped"][name] = outcome
                log(f"{name} skipped: {outcome}")
            else:
                for part, text in (outcome.pop("failures", None) or {}).items():
                    results["failures"][f"{name}/{part}"] = text
                results[name] = outcome
        results["seconds"][name] = round(time.monotonic() - began, 1)
        results["load_average_after"][name] = load_average()
    results["total_seconds"] = round(time.monotonic() - started, 1)
    results["code_at_end"] = code_version()
    if args.merge and raw.exists():
        results = _merged(json.loads(raw.read_text()), results, only)

    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(json.dumps(results, indent=1, default=str) + "\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report.render(results, raw_path=_shown(raw)))
    log(f"wrote {_shown(out)} and {_shown(raw)} in {results['total_seconds']:.0f} s")
    problems = report.problems(results)
    for problem in problems:
        log(f"PROBLEM: {problem}")
    return 1 if problems else 0


def _steps(counts: Counts) -> dict[str, Callable[[], Any]]:
    """Each section's measurement; a string result means "skipped, because ..."."""
    postgres = os.environ.get("EXPLORER_TEST_POSTGRES_URL") or None
    c = counts
    return {
        "rerun": lambda: rerun.serial(c.serial_moves),
        "profile": lambda: rerun.profile(c.profile_reruns),
        "browser": lambda: browser.measure(
            c.key_presses, c.drag_rounds, c.cold_rounds, c.warm_loads
        ),
        "memory": lambda: load.memory(c.memory_sessions),
        "load": lambda: load.load(c.load_sessions, c.load_moves, c.load_rounds),
        "lighthouse": lambda: (
            "not run in smoke mode (installs Lighthouse with npm; a dozen runs of about 20 s)"
            if c.lighthouse_runs == 0
            else lighthouse.unavailable() or lighthouse.measure(c.lighthouse_runs)
        ),
        "room": lambda: room.single_server(c.room_phones, c.idle_seconds),
        "cluster": lambda: (
            room.cluster_unavailable(postgres) or room.two_replicas(postgres or "", c.room_phones)
        ),
        "crowd": lambda: _crowds(c, postgres),
    }


def _crowds(c: Counts, postgres: str | None) -> dict[str, Any]:
    """The crowded room. The capacity curve: each size of `c.crowd_sizes` on SQLite, revealed
    throughout (the heaviest case); the smallest also hidden while answering and revealed
    at the end (a workshop's usual order); the largest on PostgreSQL and on two replicas
    behind nginx when PostgreSQL is there. Each run stands alone: one that raises is
    recorded as a failure of its own ("crowd/<name>") and the others still run."""
    ramp, smallest, largest = c.crowd_ramp_s, min(c.crowd_sizes), max(c.crowd_sizes)
    runs: dict[str, Callable[[], dict[str, Any]]] = {}
    for size in sorted(c.crowd_sizes):
        runs[f"sqlite_revealed_{size}"] = functools.partial(
            room.crowd, size, ramp, None, revealed=True, curve=True
        )
    runs[f"sqlite_{smallest}"] = functools.partial(room.crowd, smallest, ramp, None, revealed=False)
    if postgres:
        runs[f"postgresql_revealed_{largest}"] = functools.partial(
            room.crowd, largest, ramp, postgres, revealed=True
        )
        if room.cluster_unavailable(postgres) is None:
            runs[f"postgresql_two_replicas_revealed_{largest}"] = functools.partial(
                room.crowd, largest, ramp, postgres, revealed=True, two_replicas=True
            )
    out: dict[str, Any] = {}
    for name, run in runs.items():
        try:
            out[name] = run()
        except Exception:
            out.setdefault("failures", {})[name] = traceback.format_exc()
            log(f"crowd/{name} FAILED:\n{out['failures'][name]}")
    return out


def _merged(previous: dict[str, Any], new: dict[str, Any], only: list[str]) -> dict[str, Any]:
    """`new`, with every section it did not measure taken from `previous`; each section
    says in `sections_from` which run (time, mode, code) measured it."""
    merged = dict(new)
    earlier = previous.get("sections_from") or {}
    provenance: dict[str, Any] = {}
    for name in SECTIONS:
        if name in only:
            provenance[name] = _provenance(new)
        elif name in previous or name in (previous.get("skipped") or {}):
            provenance[name] = earlier.get(name) or _provenance(previous)
            for key in ("seconds", "load_average_after", "skipped"):
                if name in (previous.get(key) or {}):
                    merged[key] = {**merged.get(key, {}), name: previous[key][name]}
            if name in previous:
                merged[name] = previous[name]
            for failed, text in (previous.get("failures") or {}).items():
                if failed == name or failed.startswith(f"{name}/"):
                    merged["failures"] = {**merged.get("failures", {}), failed: text}
    merged["sections_from"] = provenance
    return merged


def _provenance(results: dict[str, Any]) -> dict[str, Any]:
    return {
        "generated_utc": results.get("generated_utc"),
        "mode": results.get("mode"),
        "command": results.get("command"),
        "code_at_start": results.get("code_at_start"),
        "code_at_end": results.get("code_at_end"),
    }


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    raise SystemExit(main())
