"""The bare baseline the benchmarks compare the app against.

The same four select-sliders as the Explore page (same labels, options and option labels,
in the sidebar) and a plain three-trace radar (one go.Scatterpolar per trace, built afresh
on every rerun, default styling, key "radar"). Nothing else: no verdict, no URL binding, no
caching beyond reading the option labels once. The third trace moves with the sliders, so a
slider move changes the plotted data exactly as it does on the Explore page.

    streamlit run benchmarks/baseline_app.py
"""

import plotly.graph_objects as go
import streamlit as st

from explorer import load_content


@st.cache_resource(show_spinner=False)
def _content():
    return load_content()


content = _content()
dims = [d.label for d in content.dimensions]

chosen = {}
with st.sidebar:
    for spec in content.main_inputs:
        labels = {o.id: o.label for o in spec.options}
        chosen[spec.id] = st.select_slider(
            spec.label,
            options=list(spec.option_ids),
            value=spec.default,
            format_func=labels.__getitem__,
            key=f"input_{spec.id}",
        )

# A stand-in for "your needs": each slider position nudges a few axes.
positions = [spec.index(chosen[spec.id]) for spec in content.main_inputs]
needs = [
    20 + 15 * positions[i % len(positions)] + 5 * positions[(i + 1) % len(positions)] % 20
    for i in range(len(dims))
]
mentoring = [d.mentoring.value for d in content.dimensions]
coaching = [d.coaching.value for d in content.dimensions]

figure = go.Figure()
for name, values in (("Mentoring", mentoring), ("Coaching", coaching), ("Your needs", needs)):
    figure.add_trace(go.Scatterpolar(r=[*values, values[0]], theta=[*dims, dims[0]], name=name))
figure.update_layout(polar={"radialaxis": {"range": [0, 100]}}, height=440)
st.plotly_chart(figure, key="radar", config={"displayModeBar": False})
