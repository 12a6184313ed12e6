"""Explore: four sliders drive the radar and the verdict panel."""

import streamlit as st

from pages import panels
from pages.common import (
    bind_inputs_to_url,
    get_content,
    input_sliders,
    show_url_notices,
    write_inputs_to_url,
)
from pages.memo import assess
from pages.presenter import KEY as PRESENTER

content = get_content()
bind_inputs_to_url(content)
inputs = input_sliders(content)
write_inputs_to_url(content, inputs)
result = assess(content, inputs)
presenter = st.session_state.get(PRESENTER, False)

st.title(content.text("explore.title"), anchor=False)
st.caption(content.text("explore.intro"))
show_url_notices()

panel, chart = st.columns([2, 3], gap="large")
with panel:
    panels.verdict_panel(content, result, presenter=presenter)
with chart:
    panels.radar_chart(content, result, presenter=presenter, key="radar")

reasons, changes = st.columns(2, gap="large")
with reasons:
    panels.reasons(content, result)
    panels.contested(content)
with changes:
    panels.what_would_change_it(content, result)
panels.sensitivity_view(content, result)
panels.take_it_with_you(content, result)
panels.boundaries(content)
