"""The app's pages, in navigation order: one registry that the frame and the tests read.

Adding a page: write `pages/<name>.py`, add a line here, and its title to content/ui.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    """A page: its script under pages/, its URL path ("" for the default page) and the
    content key of its title."""

    script: str
    url_path: str
    title_key: str

    @property
    def path(self) -> Path:
        return REPO_ROOT / "pages" / self.script

    @property
    def default(self) -> bool:
        return self.url_path == ""


PAGES = (
    PageSpec("explore.py", "", "explore.nav"),
    PageSpec("personas.py", "personas", "personas.nav"),
    PageSpec("room.py", "room", "room.nav"),
    PageSpec("compare.py", "compare", "compare.nav"),
    PageSpec("how_it_works.py", "how-it-works", "how.nav"),
)
