"""The live explorer's code and style as files on one of the app's own routes.

A `st.components.v2` component's inline JS and CSS travel inside each of its deltas: for the
live explorer, 31 kB on every committed move. Served here instead, under a name that changes
with the content (`/api/assets/live_explorer.<hash>.js`), the browser fetches each once and
keeps it for a year. A known file asked for under another hash (a page from another version
of the app, say during a deploy) is served too, but not kept. Anything else is a bare 404.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "/api/assets/"
FILES = {
    "live_explorer.js": ROOT / "views" / "live_explorer" / "live_explorer.js",
    "live_explorer.css": ROOT / "views" / "live_explorer" / "live_explorer.css",
}
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
    """One of FILES, read once per process."""
    body = FILES[name].read_bytes()
    return Asset(name, body, hashlib.sha256(body).hexdigest()[:16])


def asset_url(name: str) -> str:
    """The path the browser loads `name` (a key of FILES) from."""
    return asset(name).url


async def _serve(request: Request) -> Response:
    stem, _, rest = str(request.path_params["name"]).partition(".")
    digest, _, suffix = rest.partition(".")
    name = f"{stem}.{suffix}"
    if name not in FILES or not digest:
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
