"""Mentor or Coach? — the app: `streamlit run app.py` (or `make run`).

`st.App` serves the frame (views/frame.py, which runs the pages) and adds the app's own HTTP
side from web/: security headers on every response, and the process set-up that runs once
at start.
"""

import streamlit as st

from web.server import lifespan, middleware, routes

app = st.App("views/frame.py", routes=routes(), middleware=middleware(), lifespan=lifespan)
