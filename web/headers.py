"""Security headers on every HTTP response the app sends (pages, assets, its own routes).

A plain ASGI middleware (no response buffering, WebSockets untouched). The policy is the
strictest the app works under: Chromium's console shows no violations (a browser test).
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def inline_script_hashes(page: str) -> list[str]:
    """CSP sources (``'sha256-…'``) for each inline script of ``page``."""
    return [
        "'sha256-{}'".format(
            base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        )
        for body in _INLINE_SCRIPT.findall(page)
    ]


def _streamlit_index() -> str:
    """The page Streamlit serves for every app address (it ships in its package)."""
    return (files("streamlit") / "static" / "index.html").read_text(encoding="utf-8")


CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        # Scripts from this server only, plus the one inline script of Streamlit's page (by
        # its hash, so no other inline script runs) and st.components.v2's blob: modules.
        # No 'unsafe-eval': Streamlit's bundle and Plotly run without it; Streamlit's
        # protobuf decoder compiles WebAssembly, which 'wasm-unsafe-eval' allows (and
        # nothing else: no eval, no new Function, no inline handlers).
        " ".join(
            (
                "script-src 'self' 'wasm-unsafe-eval' blob:",
                *inline_script_hashes(_streamlit_index()),
            )
        ),
        # Streamlit's bundle and Plotly set inline styles.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
)


# Streamlit's cache and session counters: nothing a visitor needs, so no one gets them.
NOT_SERVED = ("/_stcore/metrics",)
# Files Streamlit serves under /media/ (the room's CSV among them): never kept by a
# browser or a shared cache.
NOT_KEPT = ("/media/",)
_NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response (replacing any the app set itself),
    keeps /media/ files out of caches and answers Streamlit's metrics with a 404."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        extra = (_NO_STORE,) if path.startswith(NOT_KEPT) else ()
        names = {name for name, _ in (*SECURITY_HEADERS, *extra)}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = [*headers, *SECURITY_HEADERS, *extra]
            await send(message)

        if path.rstrip("/") in NOT_SERVED:
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send_with_headers)
            return

        await self.app(scope, receive, send_with_headers)
