"""The benchmarks work (smoke mode: tiny counts). They are not timed tests: nothing here
asserts on a duration, only that every section ran, nothing errored and nothing was lost.

Also checks the claim the Explore page's fast radar path rests on: it sends the same
figure as `explorer.figures.radar` (less plotly's template, which the browser replaces).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import plotly.io as pio
import pytest
import streamlit.elements.plotly_chart  # noqa: F401  (sets plotly's default template)

from explorer import evaluate
from explorer.figures import approach_traces, needs_trace, radar
from pages.panels import radar_figure
from tests.conftest import REPO_ROOT

SMOKE_TIMEOUT_S = 900


@pytest.mark.parametrize("presenter", [False, True])
@pytest.mark.parametrize(
    "inputs",
    [
        {},
        {"goal": "specific", "timeframe": "weeks", "stage": "senior", "structure": "formal"},
        {"goal": "holistic", "support": "accountability", "network": "no"},
    ],
)
def test_fast_radar_sends_the_same_figure_as_explorer_figures(content, inputs, presenter):
    result = evaluate(inputs, content=content)
    slow = radar(
        content,
        [*approach_traces(content), needs_trace(content, result.needs)],
        presenter=presenter,
    ).to_dict()
    slow["layout"].pop("template")
    fast = radar_figure(content, result.needs, presenter=presenter).to_dict()
    assert json.loads(pio.to_json(fast, validate=False)) == json.loads(
        pio.to_json(slow, validate=False)
    )


def test_fast_radar_never_changes_the_shared_template(content):
    first = pio.to_json(radar_figure(content, evaluate({}, content=content).needs).to_dict())
    radar_figure(content, evaluate({"goal": "specific"}, content=content).needs)
    again = pio.to_json(radar_figure(content, evaluate({}, content=content).needs).to_dict())
    assert first == again


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
    for section in ("serialise", "rerun", "profile", "browser", "memory", "load", "room"):
        assert section in results, section
    for name in ("app", "baseline"):
        load = results["load"][name]
        assert load["errors"] == 0 and load["moves_done"] == load["moves_expected"]
        assert results["browser"]["slider_to_radar"]["latency_ms"][name]["n"] > 0
        assert results["browser"]["slider_to_radar"]["bytes_per_move"][name]["min"] > 0
    for room in results["room"].values():
        assert room["errors"] == 0
        assert room["lost_in_database"] == 0 and room["lost_on_dashboard"] == 0
        assert room["answers_on_dashboard"] == room["participants"]
    text = out.read_text()
    assert "| Slider → radar in Chromium, p50 |" in text and "## Reproduce" in text
