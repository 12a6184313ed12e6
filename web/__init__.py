"""The app's HTTP side, mounted by `st.App` in app.py: its own routes and middleware (no
Streamlit internals). Streamlit pages never import this package."""
