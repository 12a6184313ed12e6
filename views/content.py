"""The shipped content, loaded once per process (explorer.default_content: the one copy the
pages, the routes and the scoring share), and the page shown when it is broken."""

from __future__ import annotations

import streamlit as st

from explorer import Content, ContentError, default_content

# The one English text that cannot come from content: content is what failed to load.
BROKEN_CONTENT = (
    "**The explorer cannot start.** Its content files have problems; nothing you entered "
    "was lost. Please tell the people who run this site."
)


def get_content() -> Content:
    """The shipped content; if it is broken, a clear error page instead of a traceback."""
    try:
        return default_content()
    except ContentError as err:
        st.error(BROKEN_CONTENT)
        st.code("\n".join(str(p) for p in err.problems), language=None)
        st.stop()
        raise  # st.stop() does not return; this keeps type checkers sure of it
