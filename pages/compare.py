"""Compare: every dimension as a sortable, searchable, downloadable row with its quotes."""

from functools import partial

import streamlit as st

from explorer.tables import comparison, labelled
from views.content import get_content
from views.tables import download, show_table

content = get_content()
st.title(content.text("compare.title"), anchor=False)
st.caption(content.text("compare.intro"))

table = comparison(content)
needle = st.text_input(content.text("compare.search"), key="compare_search", max_chars=100)
if needle:
    mask = table.apply(lambda row: row.astype(str).str.contains(needle, case=False, regex=False))
    table = table[mask.any(axis=1)]
value = partial(st.column_config.ProgressColumn, min_value=0, max_value=100, format="%d")
wide = partial(st.column_config.TextColumn, width="large")
show_table(
    content,
    table,
    {
        "mentoring": value,
        "coaching": value,
        "meaning": partial(st.column_config.TextColumn, width="medium"),
        "mentoring_says": wide,
        "coaching_says": wide,
    },
)
st.caption(content.text("compare.disagree_note"))
download(
    content.text("compare.download"),
    labelled(content, table).to_csv(index=False),
    "mentoring-vs-coaching.csv",
    key="compare_csv",
)
