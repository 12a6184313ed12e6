"""Mentor or Coach? — the frame every page runs in: page set-up and navigation only.

This is the Streamlit script `st.App` in app.py serves. It lives here, not beside pages/, so
Streamlit never falls back to its legacy pages/ discovery: every page's URL opens cleanly on
a server nobody has visited yet.
"""

import streamlit as st

from views.content import get_content
from views.presenter import asked_for_in_link, presenter_mode
from views.registry import PAGES

content = get_content()
st.set_page_config(
    page_title=content.text("app.title"),
    page_icon=content.text("app.icon"),
    layout="wide",
    # A projector link opens with the navigation folded away: the room sees the page.
    initial_sidebar_state="collapsed" if asked_for_in_link() else "auto",
)
navigation = st.navigation(
    [
        st.Page(
            page.path,
            title=content.text(page.title_key),
            url_path=page.url_path or None,
            default=page.default,
        )
        for page in PAGES
    ]
)
presenter_mode(content)
navigation.run()
