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


# Attributes a person reads (a screen reader speaks aria-label; title shows on hover).
READ_ATTRIBUTES = re.compile(
    r"""\b(?:aria-label|aria-description|title|alt|placeholder)=["']([^"']*)""", re.IGNORECASE
)
TAG = re.compile(r"<[^>]*>?")
CODE_ELEMENT = re.compile(r"<(style|script)\b.*?(?:</\1>|$)", re.DOTALL | re.IGNORECASE)
# A word inside a read attribute or an f-string's own text: two letters or more, not a
# placeholder's stand-in.
WORD = re.compile(r"(?<![{\w])[A-Za-z]{2,}(?![\w}])")
TWO_WORDS = re.compile(r"\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\b")
HOLE = "{}"  # where an f-string's value goes


def literal_text(node: ast.AST) -> str | None:
    """A string literal's text; an f-string's own text with `{}` where each value goes."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else HOLE for part in node.values
        )
    return None


def english_in(text: str, fstring: bool) -> bool:
    """Whether a literal holds words a person reads. Markup is read for its text between tags
    and its read attributes (aria-label, title, ...); CSS and wire formats are not words; an
    f-string's own words count from two (a value goes between them: "… — grounded in {}")."""
    if SSE_FIELDS.match(text):
        return False
    if MARKUP.search(text):
        if not re.search(r"<\w|\w=[\"']", text):
            return False  # CSS, a selector, a placeholder: no text and no attributes
        if any(WORD.search(value) for value in READ_ATTRIBUTES.findall(text)):
            return True
        text = TAG.sub(" ", CODE_ELEMENT.sub(" ", text))
    words = text.replace(HOLE, " ")
    if fstring and TWO_WORDS.search(words):
        return True
    return bool(WORDS.search(words + " "))


def findings(path: Path, root: Path = REPO_ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    relative = path.relative_to(root).as_posix()
    found = []
    for node in ast.walk(tree):
        # An f-string is read whole (its parts are not read again), and its format specs
        # (":+.2f") are not text.
        if isinstance(parents.get(node), (ast.JoinedStr, ast.FormattedValue)):
            continue
        text = literal_text(node)
        if text is None or not english_in(text, isinstance(node, ast.JoinedStr)):
            continue
        if _developer_only(node, parents):
            continue
        if any(relative == file and text.startswith(start) for file, start in ALLOWED):
            continue
        found.append(f"{relative}:{node.lineno}: {text[:70]!r}")  # type: ignore[attr-defined]
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


def test_the_words_scan_reads_f_strings_and_the_attributes_people_read(tmp_path):
    """Two words inside an f-string ("— grounded in {quote}") and an aria-label inside
    markup are found (both slipped past the scan once); CSS in a style element, an alt
    filled from a value and text between tags that is all values are not words."""
    module = tmp_path / "explorer" / "render" / "probe.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        """
line = f"- {text} — grounded in “{quote}” ({where})"
meter = (
    f'<div class="lean-meter" role="img" aria-label="Lean {lean:+.2f}: '
    f'{left} to {right}" style="font-size:{size}">'
)
told = f'<img alt="{words}" src="{src}">'
style = '<style>.st-key-x [data-stale="true"] { opacity: 1 !important; }</style>'
heading = f"<h2>{title}</h2><p>{summary}</p>"
""",
        encoding="utf-8",
    )
    found = findings(module, tmp_path)
    assert [line.split(":")[1] for line in found] == ["2", "4"], found
    assert "grounded in" in found[0] and "aria-label" in found[1]
