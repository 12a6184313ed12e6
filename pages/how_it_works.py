"""How it works: the formula, the numbers with their basis, and the full decision table."""

import streamlit as st

from explorer.reading import reading_markdown
from explorer.tables import decision_table, labelled, option_targets, values_table
from views.content import get_content
from views.panels import sources_note
from views.tables import download, show_grid, show_table

content = get_content()


@st.cache_data(show_spinner=False)
def _decision_table(directory: str):
    return decision_table(content)


st.title(content.text("how.title"), anchor=False)
st.info(content.text("how.editorial"))
st.markdown(f"### {content.text('how.formula_heading')}")
st.markdown(content.text("how.formula", tie_zone=content.verdict.tie_zone))
st.latex(content.text("how.formula_math"))
st.caption(content.text("how.formula_legend"))

st.markdown(f"### {content.text('how.dimensions_heading')}")
show_table(content, values_table(content))

st.markdown(f"### {content.text('how.targets_heading')}")
targets = option_targets(content)
for spec in content.inputs:
    with st.expander(spec.label):
        show_table(content, targets[targets["input"] == spec.label].drop(columns="input"))

st.markdown(f"### {content.text('how.table_heading')}")
table = _decision_table(content.directory)
counts = table["verdict"].value_counts()
headline = {a: content.verdict.approaches[a].headline for a in ("mentoring", "coaching", "blend")}
st.markdown(
    content.text(
        "how.table_intro",
        count=len(table),
        **{name: int(counts.get(label, 0)) for name, label in headline.items()},
    )
)
show_grid(content, table, height=360)
download(
    content.text("how.download"),
    labelled(content, table).to_csv(index=False),
    "decision-table.csv",
    key="decision_csv",
)

st.markdown(f"### {content.text('reading.title')}")
with st.expander(content.text("how.reading_open")):
    st.markdown(reading_markdown(content).split("\n", 1)[1].replace("\n## ", "\n#### "))
sources_note(content)
