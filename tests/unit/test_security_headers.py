"""The Content-Security-Policy: scripts from this server, Streamlit's one inline script by
its hash, nothing evaluated but WebAssembly (issue 24, Low). That the app renders under it with no
violation is checked in Chromium (tests/browser/test_security_browser.py)."""

from __future__ import annotations

from importlib.resources import files

from web.headers import CONTENT_SECURITY_POLICY, inline_script_hashes


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
