"""Page styling: a compact base, and the presenter view — a toggle (bound to ?presenter=1)
that restyles every page for a projector."""

from __future__ import annotations

import streamlit as st

from explorer import Content

KEY = "presenter"
PRESENTER_CSS = """
<style>
[data-testid="stMain"] { font-size: 22px; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] h1,
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { color: #000 !important; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] * { color: #222 !important; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li { font-size: 1.35rem; }
[data-testid="stMain"] h1 { font-size: 3rem !important; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 2.3rem !important; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.2rem !important; }
[data-testid="stMain"] blockquote { border-left-width: 6px !important; }
</style>
"""


BASE_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; }
[data-testid="stMain"] h1 { font-size: clamp(1.7rem, 4vw, 2.5rem); }
</style>
"""


def is_presenter() -> bool:
    """Whether the presenter view is on for this session (set by the frame's toggle)."""
    return bool(st.session_state.get(KEY, False))


def presenter_mode(content: Content) -> bool:
    """Read ?presenter=1 on first load, show the toggle, keep the link in step, apply styles."""
    if KEY not in st.session_state:
        st.session_state[KEY] = st.query_params.get(KEY) in ("1", "true", "yes", "on")
    on = st.sidebar.toggle(
        content.text("presenter.toggle"), key=KEY, help=content.text("presenter.help")
    )
    st.html(BASE_CSS)
    if on:
        st.query_params[KEY] = "1"
        st.html(PRESENTER_CSS)
    elif KEY in st.query_params:
        del st.query_params[KEY]
    return on
