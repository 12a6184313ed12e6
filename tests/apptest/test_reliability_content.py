"""Nothing breaks: the app started on each broken content folder shows a clear error page.

Every case of the bad-content corpus (tests/support/bad_content.py) is copied into a fresh folder,
broken, and the whole app is started on it with ``EXPLORER_CONTENT_DIR`` (AppTest). The
visitor must get the "cannot start" page naming the broken file, never a traceback.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer import default_content
from tests.support.apptest import FRAME as APP
from tests.support.bad_content import CASES, apply_case
from tests.support.measurements import family
from views.registry import PAGES as REGISTERED

PAGES = [str(page.path) for page in REGISTERED if not page.default]
MEASURED = family("content")
ENTRY = "app_on_broken_content"


@pytest.fixture
def broken_content(content_copy: Path, monkeypatch: pytest.MonkeyPatch):
    """Point the app at a broken copy; the process keeps one copy of content, so forget it."""

    def make(file: str, edit) -> Path:
        apply_case(content_copy, file, edit)
        monkeypatch.setenv("EXPLORER_CONTENT_DIR", str(content_copy))
        return content_copy

    default_content.cache_clear()
    yield make
    default_content.cache_clear()


def shows_cannot_start(at: AppTest, file: str) -> None:
    errors = [e.value for e in at.error]
    # The problems are listed in a code block under the error: every line names its file.
    listing = "\n".join(c.value for c in at.code)
    shown = [*errors, listing, *(e.value for e in at.exception)]
    MEASURED.add(
        ENTRY,
        app_runs=1,
        exceptions=len(at.exception),
        tracebacks_shown=sum("Traceback" in text or 'File "' in text for text in shown),
    )
    assert not at.exception, [e.value for e in at.exception]
    assert any("cannot start" in e for e in errors), errors
    assert file in listing, listing
    assert "Traceback" not in listing and 'File "' not in listing
    # Nothing of the app itself is drawn on broken content.
    assert not at.select_slider and not at.get("plotly_chart")


@pytest.mark.parametrize(("case", "file", "edit", "key"), CASES, ids=[c[0] for c in CASES])
def test_the_app_on_broken_content_shows_an_error_page_not_a_traceback(
    broken_content, case, file, edit, key
):
    broken_content(file, edit)
    started = time.monotonic()
    at = AppTest.from_file(APP, default_timeout=60).run()
    MEASURED.add(ENTRY, broken_files_tried=1, seconds=time.monotonic() - started)
    shows_cannot_start(at, file)


@pytest.mark.parametrize("page", PAGES)
def test_a_deep_link_to_another_page_on_broken_content_also_gets_the_error_page(
    broken_content, page
):
    file, edit = "inputs.yaml", ("default: year", "default: decade")
    broken_content(file, edit)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["room"] = "ABC234"
    at.run()
    shows_cannot_start(at, file)
    # Each page loads the content itself too, so reaching it any other way is no different.
    at.switch_page(page).run()
    shows_cannot_start(at, file)
