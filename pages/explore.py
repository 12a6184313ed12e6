"""Explore: four sliders drive the radar and the verdict panel."""

import streamlit as st

from explorer import evaluate
from explorer.figures import approach_traces, lean_meter_html, needs_trace, radar
from pages.common import (
    bind_inputs_to_url,
    get_content,
    input_sliders,
    show_url_notices,
    write_inputs_to_url,
)

content = get_content()
bind_inputs_to_url(content)
inputs = input_sliders(content)
write_inputs_to_url(content, inputs)
result = evaluate(inputs, content=content)

st.title(content.text("explore.title"))
st.caption(content.text("explore.intro"))
show_url_notices()

chart, panel = st.columns([3, 2], gap="large")
with chart:
    figure = radar(content, [*approach_traces(content), needs_trace(content, result.needs)])
    st.plotly_chart(figure, key="radar", config={"displayModeBar": False})
    st.caption(content.text("explore.radar_caption"))

with panel:
    verdict = content.verdict.approaches[result.verdict]
    st.subheader(f"Verdict: {verdict.headline}", anchor=False)
    if result.verdict == "blend":
        st.markdown(content.text("explore.blend_strength_line", lean=result.lean))
    else:
        strength = result.strength_label.capitalize()
        st.markdown(content.text("explore.strength_line", strength=strength, lean=result.lean))
    st.html(lean_meter_html(content, result.lean))
    st.markdown(content.text("explore.match_line", **result.match))
    cited = " · ".join(content.claim_by_id[c].location for c in verdict.claims)
    st.markdown(f"{verdict.blurb} *({cited})*")
    st.markdown(f"**{content.text('explore.reasons_heading')}**")
    for reason in result.reasons():
        dimension = content.dimension_by_id[reason.dimension]
        offered = getattr(dimension, reason.favours)
        claim = content.claim_by_id[offered.claims[0]]
        st.markdown(
            content.text(
                "explore.reason_line",
                dimension=dimension.label,
                need=reason.need,
                approach=content.verdict.approaches[reason.favours].label,
                offered=offered.value,
            )
            + f"\n> “{claim.quote}” — *{claim.location}*"
        )
    for topic in content.contested:
        with st.expander(content.text("explore.contested_heading", label=topic.label)):
            st.markdown(topic.summary)
            for side in topic.sides:
                for claim_id in side.claims:
                    claim = content.claim_by_id[claim_id]
                    st.markdown(f"> “{claim.quote}” — *{claim.location}*")
