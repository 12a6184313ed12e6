"""The Plotly radar with its text alternative and a table toggle (Personas, rooms)."""

from __future__ import annotations

import streamlit as st

from explorer import Assessment, Content
from explorer.explain import radar_summary
from explorer.render.figures import approach_traces, needs_trace, radar
from explorer.tables import needs_table
from views.tables import show_table


@st.fragment
def radar_chart(
    content: Content, result: Assessment, *, presenter: bool = False, key: str, owner: str = ""
) -> None:
    """The radar, its one-sentence text alternative, and a table toggle with the same numbers.

    A fragment: turning the table on or off reruns only this block, not the whole page."""
    figure = radar(
        content,
        [*approach_traces(content), needs_trace(content, result.needs, owner or None)],
        presenter=presenter,
    )
    st.plotly_chart(figure, key=key, config={"displayModeBar": False})
    summary = radar_summary(content, result, owner)
    st.caption(summary + " " + content.text("explore.radar_caption"))
    if st.toggle(content.text("accessibility.show_table"), key=f"{key}_table"):
        show_table(content, needs_table(content, result))
