"""The sensitivity strips on the page: a small `st.components.v2` component that shows the
markup explorer/render/strips.py builds (four line charts as HTML and inline SVG, laid out by the
browser). It replaces a Plotly figure that cost ~10 ms to build per move on the server and
~50 ms of the browser's main thread to draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from explorer import Content, sensitivity
from explorer.render.strips import sensitivity_strips_html

_HERE = Path(__file__).parent

_mount = st.components.v2.component(
    "explorer.sensitivity_strips",
    js=(_HERE / "strips.js").read_text(encoding="utf-8"),
    css=(_HERE / "strips.css").read_text(encoding="utf-8"),
)


@st.cache_resource(show_spinner=False, max_entries=1024)
def _markup(_content: Content, inputs: tuple[tuple[str, str], ...], presenter: bool) -> str:
    chosen = dict(inputs)
    leans = sensitivity(_content, chosen)
    return sensitivity_strips_html(_content, leans, chosen, presenter=presenter)


def sensitivity_strips(
    content: Content, inputs: Mapping[str, str], *, presenter: bool, key: str
) -> None:
    """Draw the strips for `inputs` (all inputs; explorer.sensitivity holds the others). The
    markup is built once per combination and view, shared by every session (the content,
    loaded once per process, is left out of the cache key)."""
    markup = _markup(content, tuple(sorted(inputs.items())), presenter)
    _mount(key=key, data={"html": markup})
