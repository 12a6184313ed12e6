"""Opening the app in Streamlit's AppTest, as a person following a link would."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "app.py")


def open_app(page: str | None = None, **params: str) -> AppTest:
    """Run the app with these query parameters, then switch to `page` (e.g. "compare");
    fails the test if anything raised."""
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(f"pages/{page}_page.py").run()
    assert not at.exception
    return at
