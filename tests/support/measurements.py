"""What the reliability tests measured in this run, written once when the run ends.

A test module declares its family once (``MEASURED = family("urls")``) and its tests and
assertion helpers add what they actually did or saw, as it happens::

    MEASURED.add("arbitrary_links", app_examples=1, exceptions=len(at.exception))
    MEASURED.set("code_enumeration", entropy_bits=29.73)

``add`` sums counts across tests and examples; ``set`` keeps the last value (figures that
are not counts). Nothing is ever written as a literal: a count of zero means the check ran
and found nothing, and a count no test reached is absent.

``REGISTRY.write_artifacts`` (called by ``pytest_sessionfinish`` in tests/conftest.py) merges each
family into ``test-artifacts/reliability/<family>.json`` (tests/support/appserver.py's folder, which
docs/reliability.md is filled from):

* each entry measured in this run gets ``recorded_at``, ``tests`` (how many tests added to
  it), ``run_failed`` (whether anything in the run failed) and ``failed_tests`` (the
  failed tests among those that added to it);
* ``"_run"`` says how the run that last touched the family ended: ``run_failed``, the
  pytest exit status, how many of the family's tests ran and which of them failed;
* entries of the family that this run did not measure (e.g. slow tests deselected, or a
  test that failed before adding anything) are kept with ``"stale": true``.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.appserver import ARTIFACTS

RUN_KEY = "_run"


@dataclass
class _Entry:
    values: dict[str, Any] = field(default_factory=dict)
    tests: set[str] = field(default_factory=set)


@dataclass
class Family:
    """One artifact file's measurements, added to by the modules that declared it."""

    name: str
    registry: Registry
    modules: set[str] = field(default_factory=set)
    entries: dict[str, _Entry] = field(default_factory=dict)

    def _entry(self, entry: str) -> _Entry:
        found = self.entries.setdefault(entry, _Entry())
        if self.registry.current_test:
            found.tests.add(self.registry.current_test)
        return found

    def add(self, entry: str, **counts: float) -> None:
        """Add these counts to `entry` (a count seen for the first time starts at 0)."""
        values = self._entry(entry).values
        for key, n in counts.items():
            values[key] = values.get(key, 0) + n

    def add_to(self, entry: str, key: str, **counts: float) -> None:
        """Add counts to a breakdown under `key` (e.g. examples per page)."""
        breakdown = self._entry(entry).values.setdefault(key, {})
        for name, n in counts.items():
            breakdown[name] = breakdown.get(name, 0) + n

    def set(self, entry: str, **values: Any) -> None:
        """Figures that are not counts (a probability, a duration): the last value is kept."""
        self._entry(entry).values.update(values)


@dataclass
class Registry:
    """Families by name, and which tests ran and failed (fed by tests/conftest.py's hooks)."""

    families: dict[str, Family] = field(default_factory=dict)
    current_test: str = ""
    ran: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)

    def family(self, name: str, module: str) -> Family:
        found = self.families.setdefault(name, Family(name, self))
        found.modules.add(Path(module).name)
        return found

    def test_started(self, nodeid: str) -> None:
        self.current_test = nodeid
        self.ran.add(nodeid)

    def test_reported(self, nodeid: str, *, failed: bool, finished: bool) -> None:
        """A phase of a test reported (setup, call or teardown); any failure counts."""
        if failed:
            self.failed.add(nodeid)
        if finished:
            self.current_test = ""

    def write_artifacts(self, exit_status: int, folder: Path = ARTIFACTS) -> list[Path]:
        """Merge this run's measurements into `folder`/<family>.json for every family whose
        tests ran; returns the files written."""
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        run_failed = bool(self.failed) or exit_status != 0
        written = []
        for fam in self.families.values():
            ran = {t for t in self.ran if _module(t) in fam.modules}
            if not ran:
                continue
            path = folder / f"{fam.name}.json"
            data = _read(path)
            for name, old in data.items():
                if name != RUN_KEY and name not in fam.entries and isinstance(old, dict):
                    old["stale"] = True
            for name, entry in sorted(fam.entries.items()):
                data[name] = {
                    **_tidy(entry.values),
                    "recorded_at": stamp,
                    "tests": len(entry.tests),
                    "run_failed": run_failed,
                    "failed_tests": sorted(entry.tests & self.failed),
                }
            data[RUN_KEY] = {
                "recorded_at": stamp,
                "run_failed": run_failed,
                "exit_status": int(exit_status),
                "tests_run": len(ran),
                "failed_tests": sorted(ran & self.failed),
            }
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            written.append(path)
        return written


REGISTRY = Registry()


def family(name: str) -> Family:
    """The family `name` (its artifact file), declared by the calling test module."""
    return REGISTRY.family(name, inspect.stack()[1].filename)


def _module(nodeid: str) -> str:
    return Path(nodeid.split("::", 1)[0]).name


def _tidy(values: dict[str, Any]) -> dict[str, Any]:
    """Sums of float timings to four significant digits (0.1 + 0.2 -> 0.3)."""
    return {
        k: _tidy(v) if isinstance(v, dict) else float(f"{v:.4g}") if isinstance(v, float) else v
        for k, v in values.items()
    }


def _read(path: Path) -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return data
    return {}
