"""Shared fixtures: the shipped content, a writable copy of it to break, and cookies for the
room pages in AppTest; and the hooks that write what the reliability tests measured
(tests/support/measurements.py) once the run is over, marked with how the run ended."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from explorer import Content, load_content
from tests.support.measurements import REGISTRY

pytest_plugins = ["tests.support.stores"]  # db_url, make_store, store: written once

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = REPO_ROOT / "content"


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A copy of the shipped content folder that a test may edit."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


@pytest.fixture
def room_cookies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Room pages in AppTest read cookies from each session's own jar (tests/support/apptest.py:
    `open_app(..., cookies=...)`, `give_cookies`): AppTest cannot send real cookies, and
    `views.room_views.browser_cookie` is the one place the room views read them."""
    import views.room_views
    from tests.support.apptest import jar_cookie

    monkeypatch.setattr(views.room_views, "browser_cookie", jar_cookie)


def pytest_runtest_logstart(nodeid: str, location: object) -> None:
    REGISTRY.test_started(nodeid)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    REGISTRY.test_reported(report.nodeid, failed=report.failed, finished=report.when == "teardown")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    REGISTRY.write_artifacts(int(exitstatus))
