"""The reliability artifacts report only what was measured, and say when the run failed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.measurements import RUN_KEY, Registry

MODULE = "tests/test_reliability_demo.py"


def run(registry: Registry, name: str) -> str:
    """A test of the demo module starts (what pytest_runtest_logstart reports)."""
    nodeid = f"{MODULE}::{name}"
    registry.test_started(nodeid)
    return nodeid


def finish(registry: Registry, nodeid: str, *, failed: bool = False) -> None:
    """Its call phase reports, then its teardown (what pytest_runtest_logreport sees)."""
    registry.test_reported(nodeid, failed=failed, finished=False)
    registry.test_reported(nodeid, failed=False, finished=True)


def artifact(folder: Path) -> dict:
    return json.loads((folder / "demo.json").read_text(encoding="utf-8"))


def tried(*links: str) -> dict[str, int]:
    """What a links test counts: the links it tried and those that raised (a "!" here)."""
    return {"examples": len(links), "exceptions": sum("!" in link for link in links)}


def test_counts_add_up_across_tests_and_only_what_was_added_is_written(tmp_path):
    registry = Registry()
    demo = registry.family("demo", MODULE)
    for name in ("test_a", "test_b"):
        nodeid = run(registry, name)
        demo.add("links", **tried("?a", "?b", "?c", "?d", "?e"))
        demo.add_to("links", "per_page", explore=5)
        finish(registry, nodeid)
    registry.write_artifacts(0, tmp_path)
    links = artifact(tmp_path)["links"]
    assert links["examples"] == 10 and links["exceptions"] == 0
    assert links["per_page"] == {"explore": 10}
    assert links["tests"] == 2 and links["run_failed"] is False and links["failed_tests"] == []
    assert "html_rendered" not in links  # never counted, so never claimed
    assert artifact(tmp_path)[RUN_KEY]["tests_run"] == 2


def test_a_failed_test_marks_its_entry_and_the_run(tmp_path):
    registry = Registry()
    demo = registry.family("demo", MODULE)
    passing = run(registry, "test_pass")
    demo.add("links", **tried("?a", "?b", "?c"))
    finish(registry, passing)
    failing = run(registry, "test_fail")
    demo.add("links", **tried("?!"))  # counted by the helper, then it asserted
    finish(registry, failing, failed=True)
    registry.write_artifacts(1, tmp_path)
    data = artifact(tmp_path)
    assert data["links"]["exceptions"] == 1
    assert data["links"]["run_failed"] is True
    assert data["links"]["failed_tests"] == [failing]
    assert data[RUN_KEY]["run_failed"] is True and data[RUN_KEY]["failed_tests"] == [failing]


def test_a_failure_elsewhere_in_the_run_still_marks_the_run_failed(tmp_path):
    registry = Registry()
    demo = registry.family("demo", MODULE)
    nodeid = run(registry, "test_pass")
    demo.add("links", examples=1)
    finish(registry, nodeid)
    other = "tests/test_other.py::test_broken"
    registry.test_started(other)
    finish(registry, other, failed=True)
    registry.write_artifacts(1, tmp_path)
    data = artifact(tmp_path)
    assert data["links"]["run_failed"] is True and data["links"]["failed_tests"] == []


def test_entries_this_run_did_not_measure_are_kept_but_marked_stale(tmp_path):
    (tmp_path / "demo.json").write_text(
        json.dumps({"old": {"examples": 7, "recorded_at": "earlier"}}), encoding="utf-8"
    )
    registry = Registry()
    demo = registry.family("demo", MODULE)
    nodeid = run(registry, "test_a")
    demo.add("links", examples=1)
    finish(registry, nodeid)
    registry.write_artifacts(0, tmp_path)
    data = artifact(tmp_path)
    assert data["old"] == {"examples": 7, "recorded_at": "earlier", "stale": True}
    assert "stale" not in data["links"]


def test_a_family_whose_tests_did_not_run_is_left_alone(tmp_path):
    registry = Registry()
    registry.family("demo", MODULE).add("links", examples=1)  # e.g. at import, no test ran
    assert registry.write_artifacts(0, tmp_path) == []
    assert not (tmp_path / "demo.json").exists()
