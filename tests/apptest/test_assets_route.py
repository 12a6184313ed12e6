"""The live explorer's code and style on the app's own route (web/assets.py), in process with
Starlette's TestClient: served under their content hash and kept for a year, served but not
kept under another hash, nothing else served (a 404); and the component asks for them instead of
carrying them in every delta."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.support.apptest import open_app
from views.assets import FILES, PREFIX, asset, asset_url
from web.assets import asset_routes


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(Starlette(routes=asset_routes()))


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_file_is_served_under_its_hash_and_kept(client, name):
    response = client.get(asset_url(name))
    assert response.status_code == 200
    assert response.content == FILES[name].read_bytes()
    kind = "text/javascript" if name.endswith(".js") else "text/css"
    assert response.headers["content-type"].startswith(kind)
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_address_changes_with_the_content(tmp_path, monkeypatch):
    changed = tmp_path / "live_explorer.js"
    changed.write_text("export default () => {};\n")
    before = asset_url("live_explorer.js")
    monkeypatch.setitem(FILES, "live_explorer.js", changed)
    asset.cache_clear()
    try:
        assert asset_url("live_explorer.js") != before
    finally:
        asset.cache_clear()


def test_another_version_s_address_is_served_but_not_kept(client):
    response = client.get(f"{PREFIX}live_explorer.0123456789abcdef.js")
    assert response.status_code == 200
    assert response.content == FILES["live_explorer.js"].read_bytes()
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    [
        "live_explorer.js",
        "live_explorer..js",
        "other.0123456789abcdef.js",
        "live_explorer.0123456789abcdef.html",
        "..%2F..%2Fpyproject.0123.toml",
        "live_explorer.0123.js.map",
    ],
)
def test_anything_else_is_a_404_that_serves_nothing(client, path):
    response = client.get(PREFIX + path)
    assert response.status_code == 404
    assert response.content in (b"", b"Not Found")  # ours, or the router's for a "/"


def test_the_component_carries_a_loader_not_its_code():
    at = open_app()
    (component,) = [e for e in at.get("bidi_component") if e.proto.id.endswith("-live")]
    carried = component.proto.js_content
    assert asset_url("live_explorer.js") in carried
    assert asset_url("live_explorer.css") in carried
    assert len(carried) < 4000
    assert not component.proto.css_content
