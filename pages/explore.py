"""Explore: the sliders drive the radar and the verdict panel."""

import streamlit as st

from views import panels
from views.assess import assess
from views.content import get_content
from views.inputs import bind_inputs_to_url, input_slider, show_url_notices, write_inputs_to_url
from views.presenter import is_presenter
from views.radar import radar_chart

content = get_content()
bind_inputs_to_url(content)
inputs = {}
with st.sidebar:
    st.subheader(content.text("explore.sidebar_heading"), anchor=False)
    for spec in content.main_inputs:
        inputs[spec.id] = input_slider(spec)
    with st.expander(content.text("explore.advanced")):
        for spec in content.advanced_inputs:
            inputs[spec.id] = input_slider(spec)
write_inputs_to_url(content, inputs)
result = assess(content, inputs)
presenter = is_presenter()

st.title(content.text("explore.title"), anchor=False)
st.caption(content.text("explore.intro"))
show_url_notices()

panel, chart = st.columns([2, 3], gap="large")
with panel:
    panels.verdict_panel(content, result, presenter=presenter)
with chart:
    radar_chart(content, result, presenter=presenter, key="radar")

reasons, changes = st.columns(2, gap="large")
with reasons:
    panels.reasons(content, result)
    panels.contested(content)
with changes:
    panels.what_would_change_it(content, result)
panels.sensitivity_view(content, result, presenter=presenter)
panels.take_it_with_you(content, result)
panels.boundaries(content)
