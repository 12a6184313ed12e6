"""The live explorer: sliders, radar and verdict redrawn in the browser on every input event
(a `st.components.v2` component), fed by the decision table in explorer/live_table.py."""

from views.live_explorer.component import live_explorer, take_release
from views.live_explorer.report import Report, ReportNotice, read_report

__all__ = ["Report", "ReportNotice", "live_explorer", "read_report", "take_release"]
