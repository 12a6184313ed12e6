"""Live room updates in the page: a tiny component around the browser's EventSource.

``room_updates(code, role, key=...)`` opens ``/api/rooms/<code>/events?role=...`` (same
origin, so the facilitator cookie goes with it) and, on each change, sets a trigger
that reruns the enclosing ``st.fragment``: the dashboard redraws when something changed
and never otherwise (0 reruns a minute on an idle dashboard). Changes are throttled to
one rerun per 600 ms (below the app's pacing of a connection, web/throttle.py) with a
trailing run, so a burst of answers is a few reruns and the last change is never lost.
After a reconnect (a server restart) it reruns once, in case changes were missed. It
renders nothing visible, unless labels for a small "live" dot are given.

``navigate(url, key=...)`` sends the browser to one of the app's own room routes once: the
claim route that sets the facilitator cookie, or a room's participant page ``/j/CODE``.

Component JavaScript is loaded as a ``blob:`` module, so the page's Content-Security-
Policy must allow ``blob:`` in ``script-src``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

from rooms import InvalidCode, normalise_code

_HERE = Path(__file__).parent
_ROLES = ("facilitator", "participant")
_ROOM_ROUTE = re.compile(r"/api/rooms/[A-Za-z0-9_\-/]+(\?[A-Za-z0-9_\-=&%.]*)?|/j/[A-Z0-9]{6}")

_live = st.components.v2.component(
    "explorer.room_live",
    js=(_HERE / "live.js").read_text(encoding="utf-8"),
    # Several lines: Streamlit reads a one-line string with "[" or "/" as a file path.
    css="""
.room-live-dot {
  display: inline-block; width: .6rem; height: .6rem; border-radius: 50%;
  background: var(--st-gray-color, #999);
}
.room-live-dot[data-connected="true"] { background: var(--st-green-color, #2e7d32); }
""",
)
_navigate = st.components.v2.component(
    "explorer.room_navigate", js=(_HERE / "navigate.js").read_text(encoding="utf-8")
)


def events_url(code: str, role: str) -> str:
    """The SSE route of room ``code`` for ``role`` (raises ValueError when invalid)."""
    if role not in _ROLES:
        raise ValueError(f"role must be one of {', '.join(_ROLES)}")
    try:
        code = normalise_code(code)
    except InvalidCode as error:
        raise ValueError("not a room code") from error
    return f"/api/rooms/{code}/events?role={role}"


def room_updates(
    code: str, role: str, *, key: str, live_label: str = "", offline_label: str = ""
) -> None:
    """Rerun the enclosing fragment whenever room ``code`` changes (for ``role``).

    With ``live_label`` (and ``offline_label``), a small dot shows whether updates are
    flowing, labelled for screen readers.
    """
    data = {"url": events_url(code, role), "live": live_label, "offline": offline_label}
    _live(key=key, data=data, width="content", height="content")


def safe_room_route(url: str) -> bool:
    """True for a same-origin path under /api/rooms/, or /j/CODE (no scheme, host or ``//``)."""
    parts = urlsplit(url)
    return (
        not parts.scheme
        and not parts.netloc
        and "//" not in url
        and "\\" not in url
        and _ROOM_ROUTE.fullmatch(url) is not None
    )


def navigate(url: str, *, key: str) -> None:
    """Send the browser to ``url`` (an /api/rooms/ or /j/ path of this app) once."""
    if not safe_room_route(url):
        raise ValueError("navigate() only goes to this app's room routes")
    _navigate(key=key, data={"url": url}, width="content", height="content")


__all__ = ["events_url", "navigate", "room_updates", "safe_room_route"]
