"""Every word a user reads comes from content/, not from string literals in code.

A simple AST scan over the pages, the view helpers and the domain modules that produce text:
a string literal with two or more English words is a finding, unless it is a docstring, a
developer-facing exception or log message, markup/CSS, wire protocol, or on the short
allow-list below.

Room errors carry only a code (and its parameters) for the logs; what a person reads is
``room_errors.<code>`` in content/ui.yaml. No page, view or route shows an exception's own
text either, which the last test here checks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from views.registry import REPO_ROOT

SCANNED = sorted(
    [
        *REPO_ROOT.glob("pages/*.py"),
        *REPO_ROOT.glob("views/**/*.py"),
        *REPO_ROOT.glob("web/*.py"),
        *REPO_ROOT.glob("explorer/render/*.py"),
        *(REPO_ROOT / "explorer" / name for name in (
            "explain.py", "tables.py", "cli.py", "reading.py", "urlstate.py", "live_table.py",
        )),
        *(REPO_ROOT / "rooms" / name for name in ("errors.py", "export.py", "statistics.py")),
    ]
)  # fmt: skip
# Three words, or two starting with a capital ("Hide table"); "top center" is a setting.
WORDS = re.compile(
    r"\b[A-Za-z]{2,}[,;:!?'\u2019]?\s+[A-Za-z]{2,}[,;:!?'\u2019]?\s+[A-Za-z]{2,}|\b[A-Z][a-z]+\s+[a-z]{2,}"
)
MARKUP = re.compile(r"^\s*[<@{\[]|[{};]\s*$|</|-src\b|\bvar\(--|rgba?\(")
# Server-sent-events lines ("event: changed", "data: ...", "retry: 2000", ": keep-alive"):
# the stream's wire format, read by the browser's EventSource and never shown to anyone.
SSE_FIELDS = re.compile(r"^(?:(?:event|data|id|retry): |: )")
# (file, start of the literal): text that cannot come from content, with the reason.
ALLOWED = {
    # Shown when the content itself failed to load, so it cannot come from content.
    ("views/content.py", "**The explorer cannot start.**"),
    # CSS font family names, not words anyone reads.
    ("views/assets.py", '"Source Sans Pro"'),
}


def _developer_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Docstrings, exception messages and log lines are for developers, not users."""
    parent = parents.get(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        if isinstance(parent, ast.Call):
            func = parent.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name[:1].isupper() and (
                "Error" in name or "Exception" in name or name.endswith("Problem")
            ):
                return True
            if (
                name in {"debug", "info", "warning", "exception", "error", "log"}
                and isinstance(func, ast.Attribute)
                and getattr(func.value, "id", "") in {"logger", "LOGGER", "_LOGGER", "log"}
            ):
                return True
        parent = parents.get(parent)
    statement = parent
    if isinstance(statement, ast.Raise):
        return True
    # A docstring.
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


def findings(path: Path, root: Path = REPO_ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    relative = path.relative_to(root).as_posix()
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        text = node.value
        if not WORDS.search(text + " ") or MARKUP.search(text) or SSE_FIELDS.match(text):
            continue
        if _developer_only(node, parents):
            continue
        if any(relative == file and text.startswith(start) for file, start in ALLOWED):
            continue
        found.append(f"{relative}:{node.lineno}: {text[:70]!r}")
    return found


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_no_user_facing_english_in_code(path):
    assert path.exists(), f"{path} was moved or removed: scan it where it is now"
    assert findings(path) == []


def _shows_own_text(handler: ast.ExceptHandler) -> list[int]:
    """Lines in an `except ... as err` block that use the exception's own text: err.message,
    err.args, str(err), repr(err), or err in an f-string or a %-format."""
    name = handler.name
    if not name:
        return []
    found = []
    for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        own = (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
            and node.attr in ("message", "args", "default_message")
        )
        own = own or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("str", "repr", "format")
            and any(isinstance(a, ast.Name) and a.id == name for a in node.args)
        )
        own = own or (
            isinstance(node, ast.FormattedValue)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        )
        if own:
            found.append(node.lineno)
    return found


SHOWING = sorted(
    [*REPO_ROOT.glob("pages/*.py"), *REPO_ROOT.glob("views/**/*.py"), *REPO_ROOT.glob("web/*.py")]
)


def shown_own_text(tree: ast.AST) -> list[int]:
    """Lines outside log calls where an exception's own text is used (see above)."""
    logged = set()
    for node in ast.walk(tree):  # a log line may carry the exception: that is what logs are for
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and getattr(node.func.value, "id", "") in {"log", "logger", "LOGGER", "_LOGGER"}
        ):
            logged.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return sorted(
        line
        for handler in ast.walk(tree)
        if isinstance(handler, ast.ExceptHandler)
        for line in _shows_own_text(handler)
        if line not in logged
    )


@pytest.mark.parametrize("path", SHOWING, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_pages_views_and_routes_never_show_an_exceptions_own_text(path):
    """They show content's words for an error's code (`room_errors.<code>`), never
    `err.message` or `str(err)`, whose English is for logs."""
    shown = shown_own_text(ast.parse(path.read_text(encoding="utf-8")))
    assert shown == [], f"{path.name}: an exception's own text used on lines {shown}"


def test_the_own_text_check_can_fail():
    source = """
try:
    pass
except RoomError as err:
    st.error(err.message)
    st.warning(f"Sorry: {err}")
    st.info(str(err))
    log.warning("room failed: %s", err)
    st.error(content.text(f"room_errors.{err.code}", **err.params))
"""
    assert shown_own_text(ast.parse(source)) == [5, 6, 7]


def test_the_words_scan_can_fail(tmp_path):
    """English in a page or in an exception class is found; the same words in an SSE line
    are not."""
    page = tmp_path / "pages" / "probe.py"
    page.parent.mkdir()
    page.write_text(
        """
import streamlit as st

class Oops(Exception):
    default_message = "Something went wrong with the room."

st.warning("Something went wrong with the room.")
yield_line = "event: end\\ndata: room has expired\\n\\n"
""",
        encoding="utf-8",
    )
    assert findings(page, tmp_path) == [
        "pages/probe.py:5: 'Something went wrong with the room.'",
        "pages/probe.py:7: 'Something went wrong with the room.'",
    ]
