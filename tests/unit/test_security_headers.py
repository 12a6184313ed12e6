"""The Content-Security-Policy: scripts from this server, Streamlit's one inline script by
its hash, nothing evaluated but WebAssembly (issue 24, Low). That the app renders under it with no
violation is checked in Chromium (tests/browser/test_security_browser.py)."""

from __future__ import annotations

from importlib.resources import files

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from web.headers import CONTENT_SECURITY_POLICY, SecurityHeaders, inline_script_hashes


def directives() -> dict[str, list[str]]:
    parts = (d.split() for d in CONTENT_SECURITY_POLICY.split(";"))
    return {words[0]: words[1:] for words in parts if words}


def test_scripts_run_only_from_this_server_and_streamlits_page_by_hash() -> None:
    script = directives()["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    index = (files("streamlit") / "static" / "index.html").read_text(encoding="utf-8")
    hashes = inline_script_hashes(index)
    assert hashes and set(hashes) <= set(script)
    assert script == ["'self'", "'wasm-unsafe-eval'", "blob:", *hashes]


def test_a_hash_covers_exactly_one_inline_script_and_no_loaded_one() -> None:
    page = '<script>a()</script><script type="module" src="/x.js"></script><script>b()</script>'
    first, second = inline_script_hashes(page)
    assert first != second
    assert inline_script_hashes("<script>a()</script>") == [first]
    assert inline_script_hashes('<script src="/x.js"></script>') == []


def test_media_files_are_never_kept_and_streamlit_s_metrics_are_not_served() -> None:
    async def csv(request: Request) -> Response:
        return Response("a,b\n", headers={"Cache-Control": "max-age=3600"})

    app = Starlette(
        routes=[Route("/media/x.csv", csv), Route("/_stcore/metrics", csv), Route("/", csv)],
        middleware=[Middleware(SecurityHeaders)],
    )
    client = TestClient(app)
    media = client.get("/media/x.csv")
    assert media.headers.get_list("cache-control") == ["no-store"]
    assert media.text == "a,b\n"
    assert client.get("/").headers["cache-control"] == "max-age=3600"
    metrics = client.get("/_stcore/metrics")
    assert metrics.status_code == 404 and "a,b" not in metrics.text
    assert metrics.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
