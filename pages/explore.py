"""Explore: the live explorer (sliders, radar and verdict, redrawn in the browser as the
thumb moves), then what needs the server: reasons, what would change it, the take-away."""

import streamlit as st

from views import panels
from views.assess import assess
from views.content import get_content
from views.inputs import (
    bind_inputs_to_url,
    current_inputs,
    input_slider,
    set_main_inputs,
    show_url_notices,
    write_inputs_to_url,
)
from views.live_explorer import live_explorer
from views.presenter import PRESENTER_TEXT, is_presenter

content = get_content()
presenter = is_presenter()
bind_inputs_to_url(content)

st.title(content.text("explore.title"), anchor=False)
show_url_notices()
# Above the live explorer: an invitation to make a first move while every input is at its
# default (it says what the intro says, and more), else the intro. On a projector they
# follow it instead, so that the verdict, the radar and the sliders fill the first screen.
above = st.container()
chosen = live_explorer(
    content, current_inputs(content), presenter=presenter, key="live", presenter_text=PRESENTER_TEXT
)
if chosen:
    set_main_inputs(chosen)
with st.container() if presenter else above:
    if current_inputs(content) == content.defaults:
        st.info(content.text("explore.first_visit"), icon=":material/touch_app:")
    else:
        st.caption(content.text("explore.intro"))
with st.expander(content.text("explore.advanced")):
    for spec in content.advanced_inputs:
        input_slider(spec)
inputs = current_inputs(content)
write_inputs_to_url(content, inputs)
result = assess(content, inputs)

reasons, changes = st.columns(2, gap="large")
with reasons:
    panels.reasons(content, result)
    panels.contested(content)
with changes:
    panels.what_would_change_it(content, result)
panels.sensitivity_view(content, result, presenter=presenter)
panels.take_it_with_you(content, result)
panels.boundaries(content)
panels.sources_note(content)
