"""Compare: every dimension as a card with both approaches' values, their basis and quotes."""

import streamlit as st

from explorer.explain import contested_lines
from explorer.tables import comparison, labelled
from views.compare_cards import contested_card, dimension_card
from views.content import get_content
from views.panels import sources_note
from views.tables import download

content = get_content()
st.title(content.text("compare.title"), anchor=False)
st.caption(content.text("compare.intro"))

needle = st.text_input(content.text("compare.search"), key="compare_search", max_chars=100)
table = comparison(content)
shown = [
    d
    for d, (_, row) in zip(content.dimensions, table.iterrows(), strict=False)
    if not needle or row.astype(str).str.contains(needle, case=False, regex=False).any()
]
if needle and not shown:
    st.info(content.text("compare.no_match"))
left, right = st.columns(2, gap="medium")
for n, dimension in enumerate(shown):
    with left if n % 2 == 0 else right:
        dimension_card(content, dimension)
for heading, summary, sides in contested_lines(content):
    contested_card(content, heading, summary, sides)
st.caption(content.text("compare.disagree_note"))
download(
    content.text("compare.download"),
    labelled(content, table).to_csv(index=False),
    "mentoring-vs-coaching.csv",
    key="compare_csv",
)
sources_note(content)
