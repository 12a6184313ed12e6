"""Typed text shown as typed, never as markup, a link or an icon.

Streamlit's markdown gives meaning to more than its syntax characters: it turns bare
addresses (``https://…``, ``www.…``, ``name@host``) into links and ``:material/…:`` into
icons, escaped or not. Inside a code span it does neither, so someone's text in a markdown
element (a link's parameter name in a warning) goes in one (`as_text`); a room title, shown
as a heading, is written as escaped HTML instead (`title_html`).
"""

from __future__ import annotations

import html
import re

_BACKTICKS = re.compile(r"`+")
_LINE_BREAKS = re.compile(r"[\r\n]+")


def as_text(typed: str) -> str:
    """Someone's text for a markdown element: an inline code span, shown literally."""
    flat = _LINE_BREAKS.sub(" ", typed)
    longest = max((len(run) for run in _BACKTICKS.findall(flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def title_html(typed: str, *, level: int = 3, css_class: str = "typed-title") -> str:
    """Someone's text as a heading of plain, escaped HTML (for ``st.html``)."""
    return f'<h{level} class="{css_class}">{html.escape(typed)}</h{level}>'
