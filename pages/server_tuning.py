"""Process-wide tuning for serving many sessions at once; measured in docs/performance.md.

Both steps run once per process, never raise, and change no output, only timing.
"""

from __future__ import annotations

import gc
import socket
import threading

_frozen = threading.Event()
_freeze_lock = threading.Lock()
_nodelay = threading.Event()


def freeze_startup_heap() -> None:
    """Move everything loaded at start-up out of the cyclic garbage collector's sight, once.

    Streamlit runs a full `gc.collect(2)` after every script run (`runner.postScriptGC`).
    With plotly, pandas, SQLAlchemy and pydantic loaded, that walks ~145,000 objects and
    holds the GIL for ~70 ms on a small machine: every session on the server stalls for it
    on every slider move. `gc.freeze()` (Python 3.7+) parks the objects that exist now, which
    live for the whole process anyway, in a permanent generation; the collection after each
    run then only looks at what the run created. Reference counting frees objects as before.
    """
    if _frozen.is_set():
        return
    with _freeze_lock:
        if _frozen.is_set():
            return
        import importlib

        for module in STARTUP_MODULES:
            importlib.import_module(module)
        gc.collect()
        gc.freeze()
        _frozen.set()


# Everything a page imports, so it is loaded (and frozen) before the first freeze.
STARTUP_MODULES = (
    "pandas",
    "plotly.graph_objects",
    "plotly.io",
    "segno",
    "sqlalchemy",
    "streamlit.elements.plotly_chart",
    "explorer.brief",
    "explorer.figures",
    "explorer.svg",
    "explorer.tables",
    "explorer.rooms",
    "explorer.room_stats",
    "explorer.export",
)


def _set_nodelay(sock: socket.socket) -> None:
    try:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass


def enable_tcp_nodelay() -> None:
    """Send every WebSocket message at once instead of ~40 ms later, on every connection.

    asyncio turns Nagle's algorithm off only for sockets whose `proto` is IPPROTO_TCP, and
    the sockets Streamlit's server (uvicorn) accepts report 0, so Nagle stays on. A rerun
    writes dozens of small frames: the first leaves, the rest wait for its ACK, which the
    browser's TCP delays by up to 40 ms (delayed ACK). Every slider move then arrives ~40 ms
    late, on the bare baseline as much as here. This sets TCP_NODELAY on the TCP sockets
    asyncio wraps from now on, and on the server's connections already open. Runs once per
    process; never raises (without a running server, as under AppTest, it only patches).
    """
    if _nodelay.is_set():
        return
    _nodelay.set()
    import asyncio.base_events

    asyncio.base_events._set_nodelay = _set_nodelay  # looked up at each new transport
    try:
        from streamlit.runtime import Runtime

        loop = Runtime.instance()._get_async_objs().eventloop

        def existing() -> None:
            for transport in list(getattr(loop, "_transports", {}).values()):
                sock = transport.get_extra_info("socket")
                if sock is not None:
                    _set_nodelay(sock)

        loop.call_soon_threadsafe(existing)
    except Exception:  # not Streamlit's own server, or a Streamlit that works differently
        return


def tune_server() -> None:
    """Freeze the start-up heap and send WebSocket frames without delay."""
    freeze_startup_heap()
    enable_tcp_nodelay()
