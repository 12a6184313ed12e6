"""What every page shares: the cached content and the inputs bound to the URL."""

from __future__ import annotations

import streamlit as st

from explorer import Content, ContentError, load_content
from explorer.urlstate import read_query, write_query
from pages.server_tuning import tune_server

URL_READ_FLAG = "_inputs_read_from_url"
NOTICES = "_url_notices"
OTHER_QUERY_KEYS = ("presenter", "room", "token", "participant")


@st.cache_resource(show_spinner=False)
def _load_content() -> Content:
    return load_content()


def get_content() -> Content:
    """The shipped content; if it is broken, a clear error page instead of a traceback."""
    try:
        content = _load_content()
        tune_server()
        return content
    except ContentError as err:
        st.set_page_config(page_title="Mentor or Coach?")
        st.error(
            "**The explorer cannot start.** Its content files have problems; nothing you "
            "entered was lost. Please tell the people who run this site."
        )
        st.code("\n".join(str(p) for p in err.problems), language=None)
        st.stop()


def widget_key(input_id: str) -> str:
    return f"input_{input_id}"


def bind_inputs_to_url(content: Content) -> None:
    """On a session's first run, seed the widgets from the link and remember any notices."""
    if st.session_state.get(URL_READ_FLAG):
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    inputs, notices = read_query(content, params, OTHER_QUERY_KEYS)
    for input_id, option_id in inputs.items():
        st.session_state[widget_key(input_id)] = option_id
    st.session_state[NOTICES] = [n.message(content) for n in notices]
    st.session_state[URL_READ_FLAG] = True


def show_url_notices() -> None:
    for message in st.session_state.get(NOTICES, []):
        st.warning(message, icon=":material/link:")


def input_sliders(content: Content) -> dict[str, str]:
    """The four main select-sliders and the advanced ones in an expander, in the sidebar."""
    chosen = {}
    with st.sidebar:
        st.subheader(content.text("explore.sidebar_heading"))
        for spec in content.main_inputs:
            chosen[spec.id] = _slider(spec)
        with st.expander(content.text("explore.advanced")):
            for spec in content.advanced_inputs:
                chosen[spec.id] = _slider(spec)
    return chosen


def _slider(spec) -> str:
    labels = {o.id: o.label for o in spec.options}
    return st.select_slider(
        spec.label,
        options=list(spec.option_ids),
        format_func=labels.__getitem__,
        help=spec.help,
        key=widget_key(spec.id),
    )


def write_inputs_to_url(content: Content, inputs: dict[str, str]) -> None:
    """Keep the link in step with the sliders, leaving other features' keys alone."""
    wanted = write_query(content, inputs)
    for spec in content.inputs:
        if spec.id in wanted:
            if st.query_params.get(spec.id) != wanted[spec.id]:
                st.query_params[spec.id] = wanted[spec.id]
        elif spec.id in st.query_params:
            del st.query_params[spec.id]
    for key in list(st.query_params):
        if key not in content.input_by_id and key not in OTHER_QUERY_KEYS:
            del st.query_params[key]
