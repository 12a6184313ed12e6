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
navigation = st.navigation(
    [
        st.Page("pages/explore.py", title=content.text("explore.nav"), default=True),
        st.Page("pages/personas.py", title=content.text("personas.nav")),
        st.Page("pages/compare.py", title=content.text("compare.nav")),
        st.Page("pages/how_it_works.py", title=content.text("how.nav")),
    ]
)
presenter_mode(content)
navigation.run()
