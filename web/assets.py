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

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from views.assets import FILES, GENERATED, MEDIA_TYPES, PREFIX, asset

KEPT = "public, max-age=31536000, immutable"


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
