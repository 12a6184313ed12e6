"""Reusable drawing blocks for the pages. Each takes content and an assessment and draws."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from explorer import Assessment, Content, sensitivity
from explorer.brief import build_brief
from explorer.explain import (
    Cited,
    change_lines,
    contested_lines,
    firm_sliders,
    lean_words,
    radar_summary,
    reason_lines,
    verdict_words,
)
from explorer.figures import approach_traces, lean_meter_html, needs_trace, radar
from explorer.svg import sensitivity_svg
from explorer.tables import column_label, needs_table
from explorer.urlstate import write_query
from pages.memo import ContentMemo, inputs_key


def cited_markdown(content: Content, line: Cited) -> str:
    """A sentence, then its quote as a block (marked when read by contrast; none if editorial)."""
    if not line.quote:
        return line.text
    lead = f"{content.text('basis.by_contrast')} " if line.basis == "contrast" else ""
    return f"{line.text}\n> {lead}“{line.quote}” — *{line.location}*"


@ContentMemo
def _radar_template(content: Content, presenter: bool) -> dict[str, Any]:
    """The radar as a plain figure dict, built (and validated) once by `explorer.figures.radar`
    with the person's needs at zero. Only the needs trace's radii change from run to run."""
    zero = {d.id: 0.0 for d in content.dimensions}
    traces = [*approach_traces(content), needs_trace(content, zero)]
    figure = radar(content, traces, presenter=presenter).to_dict()
    # Plotly embeds the default template ("streamlit": placeholder colours and colour
    # scales that the browser replaces with the app's theme anyway) in every figure: 3.6 kB
    # of the radar's 8.4 kB, re-sent on every slider move. Every trace here has explicit
    # colours, and the chart renders pixel-identical without it (docs/performance.md).
    figure["layout"].pop("template", None)
    return figure


class PrebuiltFigure(go.Figure):
    """A figure that is already a validated plain dict.

    `st.plotly_chart` turns any plotly Figure into a dict with `to_dict()` and serialises
    that; a Figure built the ordinary way re-validates and deep-copies every property first
    (about 1 ms for the radar, 10 ms with the `radar()` call). This one hands over its dict.
    """

    def __init__(self, figure: dict[str, Any]) -> None:  # no BaseFigure set-up on purpose
        self._prebuilt = figure

    def to_dict(self) -> dict[str, Any]:
        return self._prebuilt

    def to_plotly_json(self) -> dict[str, Any]:
        return self._prebuilt

    def __repr__(self) -> str:
        return f"PrebuiltFigure({len(self._prebuilt.get('data', []))} traces)"


def radar_figure(
    content: Content, needs: dict[str, float], *, presenter: bool = False
) -> go.Figure:
    """The same figure as `radar(content, [*approach_traces, needs_trace(needs)])` (same JSON),
    from a cached template: only the needs trace's radii are new on each rerun."""
    template = _radar_template(content, presenter)
    data = list(template["data"])
    r = [round(needs[d.id], 1) for d in content.dimensions]
    data[-1] = {**data[-1], "r": [*r, r[0]]}  # new list and dict: the template is shared
    return PrebuiltFigure({"data": data, "layout": template["layout"]})


def radar_chart(content: Content, result: Assessment, *, presenter: bool = False, key: str) -> None:
    """The radar, its one-sentence text alternative, and a table toggle with the same numbers.

    A fragment: turning the table on or off reruns only this block, not the whole page."""
    _radar_block(content, result, presenter, key)


@st.fragment
def _radar_block(content: Content, result: Assessment, presenter: bool, key: str) -> None:
    figure = radar_figure(content, result.needs, presenter=presenter)
    st.plotly_chart(figure, key=key, config={"displayModeBar": False})
    st.caption(radar_summary(content, result) + " " + content.text("explore.radar_caption"))
    if st.toggle(content.text("accessibility.show_table"), key=f"{key}_table"):
        show_table(content, needs_table(content, result))


def show_table(
    content: Content, table: pd.DataFrame, config: dict[str, Any] | None = None, **options: Any
) -> None:
    """A table whose columns are ids, shown with their labels from content; `config` maps an
    id to a column type (its label is filled in here)."""
    columns = {}
    for column in table.columns:
        label = column_label(content, column)
        kind = (config or {}).get(column, st.column_config.Column)
        columns[column] = kind(label) if callable(kind) else kind
    st.dataframe(table, hide_index=True, width="stretch", column_config=columns, **options)


def verdict_panel(content: Content, result: Assessment, *, presenter: bool = False) -> None:
    """Headline, strength, lean meter, match and blurb with its citations."""
    verdict = content.verdict.approaches[result.verdict]
    st.subheader(content.text("cli.verdict", headline=verdict.headline), anchor=False)
    st.markdown(f"**{verdict_words(content, result)}** · {lean_words(content, result)}")
    st.html(lean_meter_html(content, result.lean, presenter=presenter))
    st.markdown(content.text("explore.match_line", **result.match))
    cited = " · ".join(dict.fromkeys(content.claim_by_id[c].location for c in verdict.claims))
    st.markdown(f"{verdict.blurb} *({cited})*")


def reasons(content: Content, result: Assessment) -> None:
    st.markdown(f"**{content.text('explore.reasons_heading')}**")
    lines = reason_lines(content, result)
    if not lines:
        st.markdown(content.text("explore.no_reasons"))
    for line in lines:
        st.markdown(cited_markdown(content, line))


def contested(content: Content) -> None:
    for heading, summary, sides in contested_lines(content):
        with st.expander(heading):
            st.markdown(summary)
            for side in sides:
                st.markdown(cited_markdown(content, side))


def what_would_change_it(content: Content, result: Assessment) -> None:
    st.markdown(f"#### {content.text('changes.heading')}")
    for line in change_lines(content, result):
        st.markdown(line)
    if firm := firm_sliders(content, result):
        st.caption(content.text("changes.firm_line", inputs=", ".join(firm)))


@ContentMemo
def _sensitivity_html(content: Content, key: tuple[tuple[str, str], ...]) -> str:
    inputs = dict(key)
    return sensitivity_svg(content, sensitivity(content, inputs), inputs)


def sensitivity_view(content: Content, result: Assessment) -> None:
    st.markdown(f"#### {content.text('changes.sensitivity_heading')}")
    st.html(_sensitivity_html(content, inputs_key(result.inputs)))
    st.caption(content.text("changes.sensitivity_caption"))


def app_url() -> str:
    """The app's root address as the browser sees it (falls back to the local default)."""
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    return f"{parts.scheme}://{parts.netloc}/"


def share_url(content: Content, inputs: dict[str, str]) -> str:
    """A link to the Explore page with these inputs."""
    return f"{app_url()}?{urlencode(write_query(content, inputs))}"


MIME_TYPES = {".csv": "text/csv", ".html": "text/html", ".md": "text/markdown"}


def download(label: str, data, file_name: str, *, key: str) -> None:
    """A download button that does not rerun the page; `data` may be a callable, which
    then runs only when the button is pressed."""
    mime = MIME_TYPES[file_name[file_name.rfind(".") :]]
    st.download_button(label, data, file_name=file_name, mime=mime, key=key, on_click="ignore")


def take_it_with_you(content: Content, result: Assessment) -> None:
    st.markdown(f"#### {content.text('brief.heading')}")
    link = share_url(content, result.inputs)
    st.text_input(content.text("brief.share_label"), link, key="share_link")
    # The brief is built when a button is pressed, not on every slider move.
    left, right = st.columns(2)
    with left:
        download(
            content.text("brief.download_html"),
            lambda: build_brief(content, result, link).html,
            "mentor-or-coach-brief.html",
            key="brief_html",
        )
    with right:
        download(
            content.text("brief.download_markdown"),
            lambda: build_brief(content, result, link).markdown,
            "mentor-or-coach-brief.md",
            key="brief_md",
        )


def boundaries(content: Content) -> None:
    st.info(f"**{content.text('boundaries.heading')}** — {content.text('boundaries.text')}")
