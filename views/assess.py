"""Assessments shared by every session: computed once per input combination per process."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go
import streamlit as st

from explorer import Assessment, Content, evaluate, sensitivity
from explorer.figures import sensitivity_figure


@st.cache_resource(show_spinner=False, max_entries=4096)
def _assess(_content: Content, inputs: tuple[tuple[str, str], ...]) -> Assessment:
    return evaluate(dict(inputs), content=_content)


def assess(content: Content, inputs: Mapping[str, str]) -> Assessment:
    """`explorer.evaluate(inputs, content=content)`, shared across sessions. The result is
    immutable (frozen dataclass, read-only mappings), so sharing one object is safe."""
    return _assess(content, tuple(sorted(inputs.items())))


@st.cache_resource(show_spinner=False, max_entries=1024)
def _sensitivity_chart(
    _content: Content, inputs: tuple[tuple[str, str], ...], presenter: bool
) -> go.Figure:
    chosen = dict(inputs)
    return sensitivity_figure(_content, sensitivity(_content, chosen), chosen, presenter=presenter)


def sensitivity_chart(content: Content, inputs: Mapping[str, str], *, presenter: bool) -> go.Figure:
    """The sensitivity strips for these inputs (for each main slider, the lean at each of its
    positions, the others held), built once per combination and view: Explore redraws them on
    every committed move. Shared, so never changed after it is built (st.plotly_chart only
    reads it)."""
    return _sensitivity_chart(content, tuple(sorted(inputs.items())), presenter)
