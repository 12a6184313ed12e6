"""The live explorer harness (live_explorer_harness.py) served as app.py serves the pages:
through `st.App`, with the app's asset route, from which the component loads its code and
style. Run with `streamlit run tests/browser/live_explorer_harness_app.py`."""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(
    0, str(Path(__file__).resolve().parents[2])
)  # the repo, for web, explorer and views

from web.assets import asset_routes

app = st.App(str(Path(__file__).with_name("live_explorer_harness.py")), routes=asset_routes())
