"""Assessments shared by every session: computed once per input combination per process."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from explorer import Assessment, Content, evaluate


@st.cache_resource(show_spinner=False, max_entries=4096)
def _assess(_content: Content, inputs: tuple[tuple[str, str], ...]) -> Assessment:
    return evaluate(dict(inputs), content=_content)


def assess(content: Content, inputs: Mapping[str, str]) -> Assessment:
    """`explorer.evaluate(inputs, content=content)`, shared across sessions. The result is
    immutable (frozen dataclass, read-only mappings), so sharing one object is safe."""
    return _assess(content, tuple(sorted(inputs.items())))
