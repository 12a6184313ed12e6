"""Personas: a stepper through illustrative people, and an overlay comparing several."""

import streamlit as st

from explorer import evaluate
from explorer.render.figures import approach_traces, extra_trace, radar
from views import panels
from views.content import get_content
from views.inputs import try_in_explorer
from views.presenter import is_presenter
from views.radar import radar_chart

content = get_content()
presenter = is_presenter()
personas = content.personas.personas
STEP = "persona_step"

st.title(content.text("personas.title"), anchor=False)
st.caption(content.text("personas.intro"))

step = st.session_state.get(STEP, 0) % len(personas)
back, where, forward = st.columns([1, 2, 1], vertical_alignment="center")
if back.button(content.text("personas.previous"), key="persona_prev", width="stretch"):
    step = (step - 1) % len(personas)
if forward.button(content.text("personas.next"), key="persona_next", width="stretch"):
    step = (step + 1) % len(personas)
st.session_state[STEP] = step
position = content.text("personas.position", number=step + 1, count=len(personas))
where.markdown(f"**{position}**", text_alignment="center")

persona = personas[step]
result = evaluate(persona.inputs, content=content)
st.subheader(persona.name, anchor=False)
st.markdown(f"*{content.personas.label}* — {persona.story}")
if st.button(content.text("personas.try_it"), key="persona_try", type="primary"):
    try_in_explorer(content, result.inputs)
chart, panel = st.columns([3, 2], gap="large")
with chart:
    owner = content.text("personas.owner", name=persona.name)
    radar_chart(content, result, presenter=presenter, key="persona_radar", owner=owner)
    panels.answers(content, result, content.text("personas.answers_heading", name=persona.name))
with panel:
    panels.verdict_panel(content, result, presenter=presenter)
    panels.reasons(content, result, content.text("personas.subject", name=persona.name))
    panels.contested(content)

st.divider()
st.subheader(content.text("personas.overlay_heading"), anchor=False)
names = {p.id: p.name for p in personas}
chosen = st.multiselect(
    content.text("personas.overlay_pick"),
    list(names),
    default=[personas[0].id, personas[2].id],
    format_func=names.__getitem__,
    max_selections=4,
    key="persona_overlay",
)
if len(chosen) < 2:
    st.info(content.text("personas.overlay_need_more"))
else:
    by_id = {p.id: p for p in personas}
    results = {pid: evaluate(by_id[pid].inputs, content=content) for pid in chosen}
    traces = [
        extra_trace(i, f"{names[pid]} — {content.verdict.approaches[r.verdict].headline}", r.needs)
        for i, (pid, r) in enumerate(results.items())
    ]
    st.plotly_chart(
        radar(content, [*approach_traces(content), *traces], presenter=presenter),
        key="overlay_radar",
        config={"displayModeBar": False},
    )
panels.sources_note(content)
