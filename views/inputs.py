"""The explorer's inputs bound to the URL: read once per session, written in one step."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from explorer import Content
from explorer.content import Input
from explorer.urlstate import read_query, write_query
from views.presenter import kept_in_link
from views.registry import PAGES
from views.text import as_text

URL_READ_FLAG = "_inputs_read_from_url"
NOTICES = "_url_notices"
WRITTEN_KEY = "_inputs_written_to_url"
# Query keys that belong to other features and are left alone.
OTHER_QUERY_KEYS = ("presenter", "room")
MAX_NOTICES = 3
# A link longer than this is not read at all: one short notice, defaults everywhere.
MAX_QUERY_CHARS = 2000


def widget_key(input_id: str) -> str:
    return f"input_{input_id}"


def _query() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def bind_inputs_to_url(content: Content) -> None:
    """Seed the inputs from the link on a session's first run, and again whenever the link
    changed under us (back/forward, a pasted link); remember any notices."""
    params = _query()
    if st.session_state.get(URL_READ_FLAG) and _inputs_part(params) == st.session_state.get(
        WRITTEN_KEY
    ):
        return
    size = sum(len(k) + sum(len(v) for v in values) for k, values in params.items())
    if size > MAX_QUERY_CHARS:
        inputs, messages = dict(content.defaults), [content.text("explore.link_too_long")]
    else:
        inputs, notices = read_query(content, params, OTHER_QUERY_KEYS)
        messages = [n.message(content, as_text) for n in notices[:MAX_NOTICES]]
        if len(notices) > MAX_NOTICES:
            messages.append(content.text("explore.more_notices", count=len(notices) - MAX_NOTICES))
    for input_id, option_id in inputs.items():
        st.session_state[widget_key(input_id)] = option_id
    st.session_state[NOTICES] = messages
    st.session_state[URL_READ_FLAG] = True
    st.session_state[WRITTEN_KEY] = _inputs_part(params)


def _inputs_part(params: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The query without other features' keys: what the inputs wrote, or a link brought."""
    return {k: list(v) for k, v in params.items() if k not in OTHER_QUERY_KEYS}


def show_url_notices() -> None:
    for message in st.session_state.get(NOTICES, []):
        st.warning(message, icon=":material/link:")


def current_inputs(content: Content) -> dict[str, str]:
    """The inputs as the session holds them (after `bind_inputs_to_url`)."""
    return {
        spec.id: st.session_state.get(widget_key(spec.id), spec.default) for spec in content.inputs
    }


def input_slider(spec: Input, *, key_prefix: str = "input_") -> str:
    """One select-slider for an input, labelled from content."""
    labels = {o.id: o.label for o in spec.options}
    return st.select_slider(
        spec.label,
        options=list(spec.option_ids),
        format_func=labels.__getitem__,
        help=spec.help,
        key=f"{key_prefix}{spec.id}",
    )


def write_inputs_to_url(content: Content, inputs: Mapping[str, str]) -> None:
    """Keep the link in step with the inputs, in one step; other features' keys stay."""
    written = write_query(content, inputs)
    wanted = {key: st.query_params[key] for key in OTHER_QUERY_KEYS if key in st.query_params}
    wanted |= written
    if {key: st.query_params[key] for key in st.query_params} != wanted:
        st.query_params.from_dict(wanted)
    st.session_state[WRITTEN_KEY] = {k: [v] for k, v in written.items()}


def set_main_inputs(inputs: Mapping[str, str]) -> None:
    """Take the main inputs the live explorer reported (already validated)."""
    for input_id, option_id in inputs.items():
        st.session_state[widget_key(input_id)] = option_id


def try_in_explorer(content: Content, inputs: Mapping[str, str]) -> None:
    """Open Explore in this tab with these inputs (e.g. a persona's), as a link would."""
    for spec in content.inputs:
        st.session_state[widget_key(spec.id)] = inputs[spec.id]
    st.session_state[URL_READ_FLAG] = True
    st.session_state[NOTICES] = []
    explore = next(page for page in PAGES if page.default)
    # The switch replaces the whole query: presenter view goes with it, if it is on.
    st.switch_page(explore.path, query_params={**write_query(content, inputs), **kept_in_link()})
