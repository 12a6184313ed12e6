"""Same-origin checks for requests that change something or open a live channel.

A browser names the page that made a request in its ``Origin`` header, and no page can
forge it. Cookies ignore ports, so a page on another port of the same host is same-*site*
(SameSite=Strict cookies go with its requests) but not same-*origin*: only an exact match
of scheme, host and port with the address this request was sent to proves the request
came from one of this app's own pages. Behind the documented nginx the Host header is
passed through as the browser sent it (``proxy_set_header Host $http_host``), and
``X-Forwarded-Proto`` says whether the browser spoke https to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit


def request_origins(headers: Mapping[str, str], scheme: str) -> set[str]:
    """The origins this request was addressed to: ``scheme://host[:port]`` as the browser
    wrote the address (the Host header), with the forwarded scheme when a proxy says so."""
    host = headers.get("host", "").strip().lower()
    if not host:
        return set()
    schemes = {scheme.lower().replace("ws", "http", 1)}
    forwarded = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    if forwarded in ("http", "https"):
        schemes.add(forwarded)
    return {_without_default_port(f"{s}://{host}") for s in schemes}


def _without_default_port(origin: str) -> str:
    for scheme, port in (("http", ":80"), ("https", ":443")):
        if origin.startswith(f"{scheme}://") and origin.endswith(port):
            return origin[: -len(port)]
    return origin


def same_origin(headers: Mapping[str, str], scheme: str) -> bool:
    """True when the request's ``Origin`` is exactly the address it was sent to.

    A request without ``Origin`` is refused: every browser sends it on a POST and on a
    WebSocket upgrade, so only a non-browser client leaves it out."""
    origin = headers.get("origin", "").strip().lower()
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin)
    if parts.path or parts.query or not parts.netloc:
        return False
    return _without_default_port(origin) in request_origins(headers, scheme)


__all__ = ["request_origins", "same_origin"]
