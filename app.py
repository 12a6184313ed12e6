"""Mentor or Coach? — the app's frame: page setup and navigation only."""

import streamlit as st

from pages.common import get_content
from pages.presenter import presenter_mode

content = get_content()
st.set_page_config(
    page_title=content.text("app.title"),
    page_icon=content.text("app.icon"),
    layout="wide",
    initial_sidebar_state="auto",
)
# Page files end in _page so that their names never match a URL path: Streamlit's legacy
# pages/ discovery serves a deep link by file name until this frame has run once.
navigation = st.navigation(
    [
        st.Page("pages/explore_page.py", title=content.text("explore.nav"), default=True),
        st.Page("pages/personas_page.py", title=content.text("personas.nav"), url_path="personas"),
        st.Page("pages/room_page.py", title=content.text("room.nav"), url_path="room"),
        st.Page("pages/compare_page.py", title=content.text("compare.nav"), url_path="compare"),
        st.Page(
            "pages/how_it_works_page.py", title=content.text("how.nav"), url_path="how-it-works"
        ),
    ]
)
presenter_mode(content)
navigation.run()
