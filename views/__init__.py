"""View helpers for the Streamlit pages: inputs bound to the URL, panels, radar, presenter
view, room views and the live explorer component. Pages stay thin by calling these."""
