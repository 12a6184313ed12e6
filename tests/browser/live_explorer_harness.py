"""A bare page for the live explorer's browser tests: content, the component, and what it
reported. Served by live_explorer_harness_app.py (which also puts the repo on the path and
mounts the asset route the component loads its code from): run
`streamlit run tests/browser/live_explorer_harness_app.py`.

Query parameters: the main and advanced inputs (e.g. ?goal=specific&support=balanced) and
presenter=1. A select box changes the `support` input, so a test can make Python send the
component a new table; a button sets the main inputs from Python, as a link would.
"""

import json

import streamlit as st

from explorer import Content, load_content
from explorer.urlstate import read_query
from views.live_explorer import live_explorer, take_release


@st.cache_resource
def content() -> Content:
    return load_content()


st.set_page_config(page_title="Live explorer harness", layout="wide")
CONTENT = content()
if "inputs" not in st.session_state:
    params = {k: v for k, v in st.query_params.to_dict().items() if k != "presenter"}
    st.session_state.inputs, _ = read_query(CONTENT, params)
component = st.container()  # first on the page, as on the Explore page; filled below
support = CONTENT.input_by_id["support"]
st.session_state.inputs["support"] = st.selectbox(
    support.label,
    support.option_ids,
    index=support.index(st.session_state.inputs["support"]),
    key="support",
)
if st.button("Back to the defaults"):  # a stand-in for a shared link or back/forward
    st.session_state.inputs = {**CONTENT.defaults, "support": st.session_state.support}
report = take_release(CONTENT, st.session_state.inputs, key="live")
if report is not None:
    st.session_state.inputs.update(report.inputs)
    st.session_state.reports = st.session_state.get("reports", 0) + 1
with component:
    live_explorer(
        CONTENT,
        st.session_state.inputs,
        presenter=st.query_params.get("presenter") == "1",
        key="live",
        notices=report.notices if report else (),
    )
main = {spec.id: st.session_state.inputs[spec.id] for spec in CONTENT.main_inputs}
st.text(f"reports={st.session_state.get('reports', 0)} inputs={json.dumps(main, sort_keys=True)}")
