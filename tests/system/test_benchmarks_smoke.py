"""The benchmarks work (smoke mode: tiny counts). They are not timed tests: nothing here
asserts on a duration, only that every section ran, the browser saw what it measures,
nothing errored and nothing was lost; and that a report says so when a run failed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import report
from tests.conftest import REPO_ROOT

SMOKE_TIMEOUT_S = 900


def _minimal_results(**extra: object) -> dict:
    return {
        "generated_utc": "2026-01-01T00:00:00+00:00",
        "mode": "smoke",
        "machine": {},
        "command": "python -m benchmarks --smoke",
        "failures": {},
        **extra,
    }


def test_a_run_with_a_failed_section_says_so_first_and_keeps_the_traceback():
    results = _minimal_results(failures={"load": "Traceback ...\nRuntimeError: boom"})
    text = report.render(results, raw_path="results.json")
    assert report.problems(results) == ["section load raised an exception"]
    assert text.index("## This run had failures") < text.index("- **Run:**")
    assert "RuntimeError: boom" in text


def test_lost_answers_are_a_problem_and_a_clean_run_has_none():
    # Counted as a crowd run counts: two answers submitted and stored, one of them shown.
    submitted, stored, shown, failed = {"a", "b"}, {"a", "b"}, {"a"}, set[str]()
    crowd = {
        "sqlite": {
            "errors": len(failed),
            "lost_in_database": len(submitted - stored),
            "lost_on_dashboard": len(submitted - shown),
        },
    }
    assert report.problems(_minimal_results(crowd=crowd)) == [
        "crowd/sqlite: 0 errors, lost 0 in the database and 1 on the dashboard"
    ]
    assert report.problems(_minimal_results()) == []


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.timeout(SMOKE_TIMEOUT_S + 60)
def test_every_benchmark_runs_in_smoke_mode(tmp_path: Path):
    if not Path("/usr/bin/chromium").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing (apt-get install chromium)")
        pytest.skip("the browser benchmarks need Debian's chromium")
    out, raw = tmp_path / "performance.md", tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--out", str(out), "--json", str(raw)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=SMOKE_TIMEOUT_S,
    )
    assert run.returncode == 0, f"stdout:\n{run.stdout[-3000:]}\nstderr:\n{run.stderr[-6000:]}"
    results = json.loads(raw.read_text())
    assert results["mode"] == "smoke"
    assert results["failures"] == {}
    for section in ("rerun", "profile", "browser", "memory", "load", "room", "crowd"):
        assert section in results, section
    assert "cluster" in results or "cluster" in results["skipped"]

    keys = results["browser"]["key_presses"]
    for name in ("app", "baseline"):
        assert keys["key_to_radar_ms"][name]["n"] > 0
        assert keys["bytes_per_move"][name]["received"]["min"] > 0
    assert keys["release_to_reasons_ms"]["app"]["n"] > 0
    assert keys["bytes_per_move"]["app"]["component_code"]["min"] > 0
    for pointer in ("mouse", "touch"):
        for drag in results["browser"]["drag"][pointer]:
            assert drag["redraws_before_release"] > 0, f"the radar did not follow the {pointer}"
            assert drag["messages_sent_before_release"] == 0

    for name, variant in results["load"]["variants"].items():
        assert variant["errors"] == 0, (name, variant["error_examples"])
        assert variant["moves_done"] == variant["moves_expected"], name

    push = results["room"]["push"]
    assert push["submit_to_dashboard_ms"]["n"] == 2 * push["phones_per_stage"]
    assert push["exceptions_on_dashboard"] == 0
    for crowd in results["crowd"].values():
        assert crowd["errors"] == 0, crowd["error_examples"]
        assert crowd["lost_in_database"] == 0 and crowd["lost_on_dashboard"] == 0
        assert crowd["answers_on_dashboard"] == crowd["participants"]

    text = out.read_text()
    assert "## Goals" in text and "## Reproduce" in text
    assert "This run had failures" not in text
