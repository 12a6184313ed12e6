"""The front end's code and style as files on one of the app's own routes.

A `st.components.v2` component's inline JS and CSS travel inside each of its deltas: for the
live explorer, 31 kB on every committed move. Served here instead, under a name that changes
with the content (`/api/assets/live_explorer.<hash>.js`), the browser fetches each once and
keeps it for a year. A known file asked for under another hash (a page from another version
of the app, say during a deploy) is served too, but not kept. Anything else is a bare 404.

The participant page (web/participant.py) takes its files from here too: the live
explorer's, its own, and ``theme.css``, the app's theme colours (.streamlit/config.toml)
as the CSS variables the live explorer's style reads.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

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
KEPT = "public, max-age=31536000, immutable"


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


async def _serve(request: Request) -> Response:
    stem, _, rest = str(request.path_params["name"]).partition(".")
    digest, _, suffix = rest.partition(".")
    name = f"{stem}.{suffix}"
    if (name not in FILES and name not in GENERATED) or not digest:
        return Response(status_code=404)
    found = asset(name)
    kept = KEPT if digest == found.digest else "no-cache"
    return Response(
        found.body,
        media_type=MEDIA_TYPES[suffix],
        headers={"Cache-Control": kept, "X-Content-Type-Options": "nosniff"},
    )


def asset_routes() -> list[BaseRoute]:
    return [Route(PREFIX + "{name}", _serve, methods=["GET", "HEAD"])]
