"""Explore: the live explorer (sliders, radar and verdict, redrawn in the browser as the
thumb moves), then what needs the server: reasons, what would change it, the take-away.

Everything that follows the sliders is one fragment: a release reruns it alone, not the
page around it. Inside, the reasons are drawn before the component (its place is kept above
them), so the browser receives and shows them first: the component's own data is larger."""

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
from views.live_explorer import live_explorer, take_release
from views.presenter import PRESENTER_TEXT, is_presenter

content = get_content()
presenter = is_presenter()
bind_inputs_to_url(content)

st.title(content.text("explore.title"), anchor=False)
show_url_notices()


def _intro(inputs: dict[str, str]) -> None:
    if inputs == content.defaults:
        st.info(content.text("explore.first_visit"), icon=":material/touch_app:")
    else:
        st.caption(content.text("explore.intro"))


@st.fragment
def explore() -> None:
    # The live explorer and what sits with it (the intro or a first-visit invitation, the
    # advanced inputs) are drawn into this place after the reasons.
    top = st.container()
    reasons, changes = st.columns(2, gap="large")

    release = take_release(content, current_inputs(content), key="live")
    if release:
        set_main_inputs(release.inputs)
    inputs = current_inputs(content)
    result = assess(content, inputs)
    with reasons:
        panels.reasons(content, result)
        panels.contested(content)
    with changes:
        panels.what_would_change_it(content, result)

    with top:
        # An invitation to make a first move while every input is at its default (it says
        # what the intro says, and more), else the intro: above the live explorer, or below
        # it on a projector, so that the verdict, the radar and the sliders fill the first
        # screen.
        if not presenter:
            _intro(inputs)
        live_explorer(
            content,
            inputs,
            presenter=presenter,
            key="live",
            presenter_text=PRESENTER_TEXT,
            notices=release.notices if release else (),
        )
        if presenter:
            _intro(inputs)
        with st.expander(content.text("explore.advanced")):
            for spec in content.advanced_inputs:
                input_slider(spec)
    write_inputs_to_url(content, inputs)
    panels.sensitivity_view(content, result, presenter=presenter)
    panels.take_it_with_you(content, result)


explore()
panels.boundaries(content)
panels.sources_note(content)
