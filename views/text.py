"""Typed text shown as typed: escape what Streamlit's markdown would turn into markup."""

from __future__ import annotations

import re

# Characters Streamlit's markdown gives a meaning to (links, emphasis, code, math, lists,
# :directives:, autolinks, html); escaped, a room title or a link's parameter name is shown
# literally, never as a link, an image or markup.
MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:=&])")


def as_text(typed: str) -> str:
    """Someone's text for a markdown element: shown literally, never as a link or markup."""
    return MARKDOWN_SYNTAX.sub(r"\\\1", typed)
