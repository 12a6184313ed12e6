"""Process set-up that runs once, at server start (from the app's lifespan).

Streamlit runs a full `gc.collect()` after every script run (`runner.postScriptGC`). With
plotly, pandas, SQLAlchemy and pydantic loaded, that walks ~150,000 long-lived objects on
every rerun of every session. `gc.freeze()` (Python 3.7+, public) moves what exists after
start-up into a permanent generation, so those collections only look at what a run made.
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
    "explorer.brief",
    "explorer.figures",
    "explorer.svg",
    "explorer.tables",
    "explorer.rooms",
    "explorer.room_stats",
    "explorer.export",
)


def freeze_startup_heap() -> int:
    """Import the start-up modules, collect once, freeze; returns the frozen object count."""
    for module in STARTUP_MODULES:
        importlib.import_module(module)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
