"""Imports run one way: each layer of the app imports only the layers below it.

    explorer  the decision domain (content, scoring, explanations; render/ for markup)
    rooms     the workshop service (store, limits, identities, events) on the domain
    views     Streamlit view helpers, on rooms and the domain
    web       the app's HTTP routes and middleware, on views' asset catalogue and below
    pages, app.py   the Streamlit entry points, on everything above

The tests, the benchmarks and testkit (servers and Chromium for both) sit outside: the app
never imports them, and the benchmarks never import the tests. Every import is read from
the source (module level and inside functions alike), so a lazy import cannot hide.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# Each top-level package -> the first-party packages it may import (its own included).
MAY_IMPORT: dict[str, set[str]] = {
    "explorer": {"explorer"},
    "rooms": {"explorer", "rooms"},
    "views": {"explorer", "rooms", "views"},
    "web": {"explorer", "rooms", "views", "web"},
    "pages": {"explorer", "rooms", "views", "pages"},
    "app": {"web"},
    "testkit": {"testkit"},
    "benchmarks": {"explorer", "rooms", "views", "web", "testkit", "benchmarks"},
}
FIRST_PARTY = {*MAY_IMPORT, "tests"}
# Third-party libraries a layer must not reach for: the domain stays free of I/O beyond
# reading content, and neither it nor the service knows about Streamlit or HTTP.
NEVER: dict[str, set[str]] = {
    "explorer": {"streamlit", "sqlalchemy", "psycopg", "starlette", "itsdangerous", "uvicorn"},
    "rooms": {"streamlit", "starlette", "uvicorn"},
    "web": {"streamlit"},
}
# ...except these parts of them: web/stream_guard.py reads Streamlit's wire format (the
# messages a browser sends over the WebSocket), never Streamlit's runtime.
EXCEPT: dict[str, set[str]] = {"web": {"streamlit.proto"}}


def modules() -> Iterator[tuple[str, Path]]:
    yield "app", REPO_ROOT / "app.py"
    for package in MAY_IMPORT:
        folder = REPO_ROOT / package
        if folder.is_dir():
            for path in sorted(folder.rglob("*.py")):
                yield package, path


def imported_modules(path: Path) -> Iterator[tuple[str, int]]:
    """(module, line) of every absolute import in ``path``."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno


def imported(path: Path) -> Iterator[tuple[str, int]]:
    """(top-level name, line) of every absolute import in ``path``."""
    for module, line in imported_modules(path):
        yield module.partition(".")[0], line


def excepted(layer: str, module: str) -> bool:
    return any(module == e or module.startswith(f"{e}.") for e in EXCEPT.get(layer, ()))


def wrong_way(layer: str, path: Path) -> list[str]:
    found = []
    for module, line in imported_modules(path):
        name = module.partition(".")[0]
        refused = (name in FIRST_PARTY and name not in MAY_IMPORT[layer]) or (
            name in NEVER.get(layer, set()) and not excepted(layer, module)
        )
        if refused:
            found.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {name}")
    return found


def test_every_layer_is_read():
    layers = {layer for layer, _ in modules()}
    assert layers == set(MAY_IMPORT), "a layer has no modules: is the table out of date?"


@pytest.mark.parametrize("layer", sorted(MAY_IMPORT))
def test_a_layer_imports_only_the_layers_below_it(layer):
    problems = [
        problem for name, path in modules() if name == layer for problem in wrong_way(name, path)
    ]
    assert problems == []


def test_the_check_sees_an_import_the_wrong_way(tmp_path):
    module = tmp_path / "room_views.py"
    module.write_text(
        "def later():\n    from web.facilitator import claim_endpoint\n", encoding="utf-8"
    )
    assert list(imported(module)) == [("web", 2)]
    assert set(MAY_IMPORT["views"]).isdisjoint({"web", "tests", "testkit", "benchmarks"})
    assert "tests" not in MAY_IMPORT["benchmarks"]
    # web may read Streamlit's wire format, and nothing else of Streamlit.
    assert excepted("web", "streamlit.proto.BackMsg_pb2")
    assert not excepted("web", "streamlit") and not excepted("web", "streamlit.runtime")
    assert not excepted("web", "streamlit.protobuf_elsewhere")
    assert not excepted("views", "streamlit.proto")
