"""Page styling: a compact base, and the presenter view — a toggle (bound to ?presenter=1)
that restyles every page for a projector.

The presenter view scales Streamlit's own sizing rather than restyling elements one by one:
Streamlit sizes its text in rem, so setting the root font size (what the theme's
`baseFontSize` sets for the whole app) to PRESENTER_TEXT makes body text 24 px on a 1080-line
screen and every other size follow; the live explorer is handed the same size. What the root
size cannot do (full-contrast captions and quotes, captions and labels as large as body text)
is a short list of rules below. Every selector the app's CSS relies on is in BASE_RULES or
PRESENTER_RULES, and tests/browser/test_presenter_browser.py fails when one of them stops
matching an element.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from explorer import Content

KEY = "presenter"

# The presenter's body text size: 24 px at 1080 lines (readable from the back of a room),
# 16 px at 720 lines (the same share of the screen), never below 16 px.
PRESENTER_TEXT = "max(16px, calc(100vh / 45))"

# The theme's text colour (.streamlit/config.toml): coloured text (alerts, slider values) takes
# it on a projector, for full contrast.
TEXT_COLOUR = st.get_option("theme.textColor") or "#1A1A1A"
DARK_PRIMARY = "#005380"  # the theme's primary (#0072B2), darker: white text on it at 7:1+

# (selector, declarations). Always on: a compact top and a title that fits a phone; quotes at
# full contrast (Streamlit draws blockquotes at 60 % opacity).
BASE_RULES: tuple[tuple[str, str], ...] = (
    ('[data-testid="stMainBlockContainer"]', "padding-top: 2.2rem;"),
    ('[data-testid="stMain"] h1', "font-size: clamp(1.7rem, 4vw, 2.5rem);"),
    ('[data-testid="stMarkdownContainer"] blockquote', "opacity: 1;"),
)

# Presenter only. The root size first; then what must not be smaller or greyer than body text.
PRESENTER_RULES: tuple[tuple[str, str], ...] = (
    ("html", f"font-size: {PRESENTER_TEXT};"),
    ('[data-testid="stMain"] h1', "font-size: 2rem;"),
    ('[data-testid="stCaptionContainer"]', "opacity: 1; font-size: 1rem;"),
    ('[data-testid="stMain"] [data-testid="stWidgetLabel"] p', "font-size: 1rem;"),
    ('[data-testid="stMain"] [data-testid="stExpander"] summary p', "font-size: 1rem;"),
    ('[data-testid="stMain"] button [data-testid="stMarkdownContainer"] p', "font-size: 1rem;"),
    ('[data-testid="stMain"] [data-testid="stTextInputRootElement"] input', "font-size: 1rem;"),
    ('[data-testid="stMain"] [data-testid="stNumberInputField"]', "font-size: 1rem;"),
    # Under stMain, so that they outrank Streamlit's own slider styles whatever order the
    # style sheets were inserted in (the slider's are inserted when one is first drawn). The
    # tick bar's end labels are shown at once: Streamlit fades them in on hover (a 300 ms
    # transition), which would leave them see-through while the room reads them.
    (
        '[data-testid="stMain"] [data-testid="stSliderThumbValue"]',
        f"font-size: 1rem; color: {TEXT_COLOUR};",
    ),
    (
        '[data-testid="stMain"] [data-testid="stSliderTickBar"]',
        "font-size: 1rem; opacity: 1; transition: none;",
    ),
    (
        '[data-testid="stAlertContainer"] [data-testid="stMarkdownContainer"]',
        f"color: {TEXT_COLOUR};",
    ),
    ('[data-testid="stMarkdownContainer"] blockquote', "border-left-width: 0.3rem;"),
    ('[data-testid="stTable"] :is(th, td)', f"font-size: 1rem; color: {TEXT_COLOUR};"),
    # White on the theme's blue is 5.2:1; on this darker blue, 8.3:1.
    ('[data-testid="stBaseButton-primary"]', f"background-color: {DARK_PRIMARY};"),
    (
        '[data-testid="stMultiSelectTagsContainer"] [data-tag]',
        f"background-color: {DARK_PRIMARY}; font-size: 1rem;",
    ),
)


def _css(rules: tuple[tuple[str, str], ...]) -> str:
    body = "\n".join(f"{selector} {{ {declarations} }}" for selector, declarations in rules)
    return f"<style>\n{body}\n</style>"


BASE_CSS = _css(BASE_RULES)
PRESENTER_CSS = _css(PRESENTER_RULES)
SELECTORS = tuple(dict.fromkeys(selector for selector, _ in BASE_RULES + PRESENTER_RULES))


PRESENTER_ON = ("1", "true", "yes", "on")


def asked_for_in_link() -> bool:
    """Whether the link asks for the presenter view (?presenter=1)."""
    return st.query_params.get(KEY) in PRESENTER_ON


# Whether this session's page was loaded from a link with presenter=1 (a session is one page
# load): then the sidebar is folded away, even if the browser remembers it open.
FOLD = "_presenter_fold"
_fold = st.components.v2.component(
    "explorer.presenter_fold",
    js=(Path(__file__).parent / "presenter_fold.js").read_text(encoding="utf-8"),
)

# The session's choice, kept apart from the toggle's own state: Streamlit drops every widget's
# state when a page switch comes from the script (st.switch_page), so the toggle alone would
# fall back to a link that no longer says presenter=1.
CHOSEN = "_presenter_chosen"


def is_presenter() -> bool:
    """Whether the presenter view is on for this session (set by the frame's toggle)."""
    return bool(st.session_state.get(KEY, False))


def kept_in_link() -> dict[str, str]:
    """What every in-app link and redirect carries so that presenter view stays on after it:
    ``{"presenter": "1"}`` while it is on (a new page load knows it only from the link)."""
    return {KEY: "1"} if is_presenter() else {}


def presenter_mode(content: Content) -> bool:
    """Read ?presenter=1 on first load, show the toggle, keep the link in step, apply styles;
    a page loaded from a presenter link folds the sidebar away."""
    loaded_from_link = st.session_state.setdefault(FOLD, asked_for_in_link())
    if KEY not in st.session_state:
        st.session_state[KEY] = asked_for_in_link() or bool(st.session_state.get(CHOSEN))
    on = st.sidebar.toggle(
        content.text("presenter.toggle"), key=KEY, help=content.text("presenter.help")
    )
    st.session_state[CHOSEN] = on
    st.html(BASE_CSS)
    if on:
        st.query_params[KEY] = "1"
        st.html(PRESENTER_CSS)
        if loaded_from_link:
            with st.sidebar:
                _fold(key="presenter_fold", data={"fold": True}, width="content", height="content")
    elif KEY in st.query_params:
        del st.query_params[KEY]
    return on
