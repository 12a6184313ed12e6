"""The app exactly as app.py serves it, minus the lifespan's `gc.freeze()`.

Only for `make bench`: the load benchmark runs it beside app.py to see whether freezing the
start-up heap (web/process.py) still pays. The routes, the middleware and the rooms'
background work are the app's own; only `freeze_startup_heap()` is left out.

    streamlit run benchmarks/app_unfrozen.py
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import streamlit as st

from web.rooms_routes import rooms_lifespan
from web.server import middleware, routes

FRAME = Path(__file__).resolve().parents[1] / "views" / "frame.py"


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
    async with rooms_lifespan(app) as state:
        yield dict(state)


app = st.App(str(FRAME), routes=routes(), middleware=middleware(), lifespan=lifespan)
