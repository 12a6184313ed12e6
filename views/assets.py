"""The front end's files and the addresses they are served at, under a name that changes
with the content (``/api/assets/live_explorer.<hash>.js``), so a browser fetches each once and
keeps it. The live explorer's component (views/live_explorer) and the participant page
(web/participant.py) link to them; web/assets.py serves them. ``theme.css`` is generated:
the app's theme colours (.streamlit/config.toml) as the CSS variables the live explorer's
style reads. No Streamlit here.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "/api/assets/"
STATIC = ROOT / "web" / "static"
FILES = {
    "live_explorer.js": ROOT / "views" / "live_explorer" / "live_explorer.js",
    "live_explorer.css": ROOT / "views" / "live_explorer" / "live_explorer.css",
    "participant.js": STATIC / "participant.js",
    "participant.css": STATIC / "participant.css",
}
# Theme option -> the CSS variable the live explorer's style reads (its --st-* names).
THEME_VARIABLES = {
    "primaryColor": "--st-primary-color",
    "backgroundColor": "--st-background-color",
    "secondaryBackgroundColor": "--st-secondary-background-color",
    "textColor": "--st-text-color",
}
# No web font on a phone's first load: the system's own sans-serif.
FONT_STACK = '"Source Sans Pro", "Source Sans 3", system-ui, -apple-system, "Segoe UI", sans-serif'


STREAMLIT_CONFIG = ROOT / ".streamlit" / "config.toml"


def theme_css() -> bytes:
    """The app's theme (its Streamlit config's [theme]) as CSS variables on the root."""
    theme = tomllib.loads(STREAMLIT_CONFIG.read_text(encoding="utf-8")).get("theme", {})
    lines = [f"  --st-font: {FONT_STACK};"]
    for option, variable in THEME_VARIABLES.items():
        value = theme.get(option)
        if isinstance(value, str) and value.strip():
            lines.append(f"  {variable}: {value.strip()};")
    return (":root {\n" + "\n".join(lines) + "\n}\n").encode()


GENERATED: dict[str, Callable[[], bytes]] = {"theme.css": theme_css}
MEDIA_TYPES = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}


@dataclass(frozen=True)
class Asset:
    name: str
    body: bytes
    digest: str

    @property
    def url(self) -> str:
        stem, suffix = self.name.rsplit(".", 1)
        return f"{PREFIX}{stem}.{self.digest}.{suffix}"


@cache
def asset(name: str) -> Asset:
    """One of FILES or GENERATED, read (or made) once per process."""
    body = GENERATED[name]() if name in GENERATED else FILES[name].read_bytes()
    return Asset(name, body, hashlib.sha256(body).hexdigest()[:16])


def asset_url(name: str) -> str:
    """The path the browser loads `name` (a key of FILES or GENERATED) from."""
    return asset(name).url


__all__ = [
    "FILES",
    "GENERATED",
    "MEDIA_TYPES",
    "PREFIX",
    "Asset",
    "asset",
    "asset_url",
    "theme_css",
]
