"""Opening the app in Streamlit's AppTest, as a person following a link would."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from views.registry import PAGES, REPO_ROOT

FRAME = str(REPO_ROOT / "views" / "frame.py")


def page_script(url_path: str) -> str:
    """The script of the page registered at `url_path` (e.g. "compare")."""
    return str(next(p.path for p in PAGES if p.url_path == url_path))


def open_app(page: str | None = None, **params: str) -> AppTest:
    """Run the frame with these query parameters, then switch to the page at URL path `page`
    (e.g. "compare"); fails the test if anything raised."""
    at = AppTest.from_file(FRAME, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page_script(page)).run()
    assert not at.exception
    return at
