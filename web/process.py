"""Process set-up that runs once, at server start (from the app's lifespan).

Python's collector (and Streamlit's full `gc.collect()` after every script run, when
`runner.postScriptGC` is on; the app ships it off) walks every long-lived object: with
plotly, pandas, SQLAlchemy and pydantic loaded, ~150,000 of them. `gc.freeze()` (Python
3.7+, public) moves what exists after start-up into a permanent generation, so collections
only look at what runs made.
Reference counting frees objects as before. `make bench` measures whether it still pays.
"""

from __future__ import annotations

import gc
import importlib

# Everything the pages import, loaded before the freeze so it is frozen too.
STARTUP_MODULES = (
    "pandas",
    "plotly.graph_objects",
    "plotly.io",
    "segno",
    "sqlalchemy",
    "explorer.render.brief",
    "explorer.render.figures",
    "explorer.render.svg",
    "explorer.tables",
    "rooms",
    "rooms.statistics",
    "rooms.export",
)


def freeze_startup_heap() -> int:
    """Import the start-up modules, collect once, freeze; returns the frozen object count."""
    for module in STARTUP_MODULES:
        importlib.import_module(module)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
