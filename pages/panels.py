"""Reusable drawing blocks for the pages. Each takes content and an assessment and draws."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import streamlit as st

from explorer import Assessment, Content, sensitivity
from explorer.brief import build_brief, change_lines, slider_distances, strength_line
from explorer.figures import approach_traces, lean_meter_html, needs_trace, radar
from explorer.svg import sensitivity_svg
from explorer.tables import needs_table, radar_summary
from explorer.urlstate import write_query


def quote(content: Content, claim_id: str) -> str:
    claim = content.claim_by_id[claim_id]
    return f"> “{claim.quote}” — *{claim.location}*"


def radar_chart(content: Content, result: Assessment, *, presenter: bool = False, key: str) -> None:
    """The radar, its one-sentence text alternative, and a table toggle with the same numbers."""
    figure = radar(
        content,
        [*approach_traces(content), needs_trace(content, result.needs)],
        presenter=presenter,
    )
    st.plotly_chart(figure, key=key, config={"displayModeBar": False})
    st.caption(radar_summary(content, result) + " " + content.text("explore.radar_caption"))
    if st.toggle(content.text("accessibility.show_table"), key=f"{key}_table"):
        st.dataframe(needs_table(content, result), hide_index=True, width="stretch")


def verdict_panel(content: Content, result: Assessment, *, presenter: bool = False) -> None:
    """Headline, strength, lean meter, match and blurb with its citations."""
    verdict = content.verdict.approaches[result.verdict]
    st.subheader(f"Verdict: {verdict.headline}", anchor=False)
    st.markdown(strength_line(content, result))
    st.html(lean_meter_html(content, result.lean, presenter=presenter))
    st.markdown(content.text("explore.match_line", **result.match))
    cited = " · ".join(dict.fromkeys(content.claim_by_id[c].location for c in verdict.claims))
    st.markdown(f"{verdict.blurb} *({cited})*")


def reasons(content: Content, result: Assessment) -> None:
    st.markdown(f"**{content.text('explore.reasons_heading')}**")
    if not result.reasons():
        st.markdown(content.text("explore.no_reasons"))
    for reason in result.reasons():
        dimension = content.dimension_by_id[reason.dimension]
        offered = getattr(dimension, reason.favours)
        line = content.text(
            "explore.reason_line",
            dimension=dimension.label,
            need=reason.need,
            approach=content.verdict.approaches[reason.favours].label,
            offered=offered.value,
        )
        st.markdown(line + "\n" + quote(content, offered.claims[0]))


def contested(content: Content) -> None:
    for topic in content.contested:
        with st.expander(content.text("explore.contested_heading", label=topic.label)):
            st.markdown(topic.summary)
            for side in topic.sides:
                for claim_id in side.claims:
                    st.markdown(quote(content, claim_id))


def what_would_change_it(content: Content, result: Assessment) -> None:
    st.markdown(f"#### {content.text('changes.heading')}")
    for line in change_lines(content, result):
        st.markdown(f"- {line}")
    st.markdown(content.text("changes.distances_heading"))
    st.markdown("\n".join(f"- {line}" for line in slider_distances(content, result)))


def sensitivity_view(content: Content, result: Assessment) -> None:
    st.markdown(f"#### {content.text('changes.sensitivity_heading')}")
    st.html(sensitivity_svg(content, sensitivity(content, result.inputs), result.inputs))
    st.caption(content.text("changes.sensitivity_caption"))


def app_url() -> str:
    """The app's root address as the browser sees it (falls back to the local default)."""
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    return f"{parts.scheme}://{parts.netloc}/"


def share_url(content: Content, inputs: dict[str, str]) -> str:
    """A link to the Explore page with these inputs."""
    return f"{app_url()}?{urlencode(write_query(content, inputs))}"


def take_it_with_you(content: Content, result: Assessment) -> None:
    st.markdown(f"#### {content.text('brief.heading')}")
    link = share_url(content, result.inputs)
    st.text_input(content.text("brief.share_label"), link, key="share_link")
    brief = build_brief(content, result, link)
    left, right = st.columns(2)
    left.download_button(
        content.text("brief.download_html"),
        brief.html,
        file_name="mentor-or-coach-brief.html",
        mime="text/html",
        key="brief_html",
        on_click="ignore",
    )
    right.download_button(
        content.text("brief.download_markdown"),
        brief.markdown,
        file_name="mentor-or-coach-brief.md",
        mime="text/markdown",
        key="brief_md",
        on_click="ignore",
    )


def boundaries(content: Content) -> None:
    st.info(f"**{content.text('boundaries.heading')}** — {content.text('boundaries.text')}")
