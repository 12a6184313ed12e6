"""The benchmark report's new parts, from made-up raw figures (no server, no timing): the
Lighthouse rows against their goals, the capacity curve read from the crowd's curve runs,
and ``--merge`` keeping the sections a run did not measure with the run they came from."""

from __future__ import annotations

from typing import Any

from benchmarks import report
from benchmarks.__main__ import _merged


def _page(lcp: float, size: float) -> dict[str, Any]:
    return {
        "runs": 3,
        "errors": [],
        "lcp_ms": lcp,
        "fcp_ms": lcp - 40,
        "tti_ms": lcp + 300,
        "cls": 0.0,
        "bytes": size,
        "requests": 8,
    }


def _results(**extra: Any) -> dict[str, Any]:
    return {
        "generated_utc": "2026-01-02T00:00:00+00:00",
        "mode": "full",
        "machine": {},
        "command": "python -m benchmarks --only lighthouse",
        "failures": {},
        **extra,
    }


LIGHTHOUSE = {
    "lighthouse_version": "12.2.3",
    "node": "v20.0.0",
    "preset": "mobile",
    "runs": 3,
    "phone": {
        "join": _page(1000, 30_000),
        "baseline": _page(40_000, 7_000_000),
        "lcp_ratio": 1000 / 40_000,
        "fcp_ratio": 960 / 39_960,
        "tti_ratio": 1300 / 40_300,
        "bytes_ratio": 30_000 / 7_000_000,
    },
    "explore": {
        "compressed": _page(9000, 1_200_000),
        "uncompressed": _page(20_000, 3_100_000),
        "bytes_ratio": 1_200_000 / 3_100_000,
        "lcp_ratio": 0.45,
    },
}


def _crowd(participants: int, p95: float) -> dict[str, Any]:
    """A crowd run's figures as the benchmark writes them; the counts of losses and errors
    are derived from the answers and examples given here, as the benchmark derives them."""
    in_database = on_dashboard = confirmed = participants
    error_examples: list[str] = []
    return {
        "participants": participants,
        "ramp_seconds": 60.0,
        "submissions": participants * 6 // 5,
        "participants_thanked": confirmed,
        "answers_in_database": in_database,
        "answers_on_dashboard": on_dashboard,
        "lost_in_database": participants - in_database,
        "lost_on_dashboard": in_database - on_dashboard,
        "saved_but_not_confirmed": in_database - confirmed,
        "errors": len(error_examples),
        "error_examples": error_examples,
        "submit_latency_ms": {"n": 10, "p50": p95 / 3, "p95": p95, "p99": p95 * 1.2},
        "participant_event_streams": {"opened": participants, "refused": 0, "changed": 1},
        "seconds_until_last_submit": 70.0,
        "dashboard_catch_up_seconds": 1.0,
        "reveal_seconds": None,
        "dashboard_runs": 30,
        "dashboard_progress": [[1.0, 0], [2.0, 1]],
        "server": {"cpu_percent_of_one_core": 50.0, "rss_peak_mb": 300.0},
        "load_generator_cpu_percent_of_one_core": 40.0,
        "server_cpu_ms_per_answer": 12.5,
        "rss_per_phone_kb": 40.0,
        "screenshot": "test-artifacts/x.png",
        "database": "sqlite",
        "servers": "one server",
        "revealed_while_answering": True,
        "curve": True,
    }


def test_the_lighthouse_rows_compare_the_join_link_with_the_bare_page() -> None:
    text = report.render(_results(lighthouse=LIGHTHOUSE), raw_path="results.json")
    assert "## First loads in Lighthouse" in text
    row = next(line for line in text.splitlines() if "join link `/j/CODE` (Lighthouse" in line)
    assert f"0.03{report.TIMES}" in row and "| yes |" in row
    size = next(line for line in text.splitlines() if "join link: bytes transferred" in line)
    assert f"0.004{report.TIMES}" in size and "| yes |" in size
    assert report.problems(_results(lighthouse=LIGHTHOUSE)) == []


def test_a_lighthouse_page_without_an_lcp_is_a_problem() -> None:
    broken = {**LIGHTHOUSE, "phone": {**LIGHTHOUSE["phone"], "join": _page(0, 0)}}
    broken["phone"]["join"]["lcp_ms"] = None
    assert report.problems(_results(lighthouse=broken)) == ["lighthouse/phone/join: no LCP"]


def test_the_capacity_curve_lists_each_size_and_the_largest_is_held_to_its_goal() -> None:
    crowd = {"sqlite_revealed_2000": _crowd(2000, 900.0), "sqlite_revealed_300": _crowd(300, 90.0)}
    text = report.render(_results(crowd=crowd), raw_path="results.json")
    curve = text.split("## Capacity curve", 1)[1].split("\n## ", 1)[0]
    sizes = [line.split("|")[1].strip() for line in curve.splitlines() if line.startswith("| 3")]
    sizes += [line.split("|")[1].strip() for line in curve.splitlines() if line.startswith("| 2")]
    assert sizes == ["300", "2,000"]
    assert "12.5 ms of server CPU per answer" in curve
    goals = [line for line in text.splitlines() if "participants in one room" in line]
    assert any("2000 participants" in g and "p95 ≤ 500 ms" in g and "**no**" in g for g in goals)
    assert any("300 participants" in g and "| yes |" in g for g in goals)


def test_merge_keeps_the_sections_not_measured_and_says_which_run_measured_each() -> None:
    earlier = _results(
        generated_utc="2026-01-01T00:00:00+00:00",
        command="python -m benchmarks",
        load={"kept": True},
        seconds={"load": 10.0, "lighthouse": 1.0},
        failures={"crowd/sqlite": "old traceback"},
        crowd={"old": _crowd(6, 10.0)},
    )
    new = _results(
        lighthouse=LIGHTHOUSE, seconds={"lighthouse": 99.0}, crowd={"new": _crowd(300, 90.0)}
    )
    merged = _merged(earlier, new, ["lighthouse", "crowd"])
    assert merged["load"] == {"kept": True}
    assert list(merged["crowd"]) == ["new"], "a section measured again replaces the old one"
    assert merged["failures"] == {}, "the old run's crowd failure went with its crowd"
    assert merged["seconds"] == {"lighthouse": 99.0, "load": 10.0}
    sources = merged["sections_from"]
    assert sources["load"]["generated_utc"] == "2026-01-01T00:00:00+00:00"
    assert sources["lighthouse"]["generated_utc"] == "2026-01-02T00:00:00+00:00"
    shown = {k: merged[k] for k in ("sections_from", "lighthouse", "crowd")}
    text = report.render(_results(**shown), raw_path="results.json")
    assert "Sections from more than one run" in text
    assert "> - `load`: 2026-01-01T00:00:00+00:00, full" in text
