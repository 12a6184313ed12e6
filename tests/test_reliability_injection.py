"""No one gets in through text: room titles, answers and links are shown, exported and stored
as text, never run as HTML, spreadsheet formulas or SQL."""

from __future__ import annotations

import ast
import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from explorer import evaluate, load_content
from explorer.brief import build_brief
from explorer.export import FORMULA_START, answers_csv, neutralise
from explorer.rooms import InvalidAnswer, InvalidTitle, RoomSettings, RoomStore
from tests.appserver import postgres_url, private_schema, record
from tests.apptest import FRAME as APP
from tests.apptest import page_script
from tests.conftest import REPO_ROOT
from views.text import as_text

CONTENT = load_content()
STORE_SOURCE = REPO_ROOT / "explorer" / "rooms" / "store.py"
ROOMS_PACKAGE = REPO_ROOT / "explorer" / "rooms"

XSS = [
    "<img src=x onerror=alert(1)>",
    "[Log in again](https://evil.example) **now** :red[!] $x$",
    "<script>alert(document.cookie)</script>",
    '"><svg/onload=alert(1)>',
    "<a href='javascript:alert(1)'>x</a>",
    "</div><iframe src=//evil.example>",
]
FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "=cmd|' /C calc'!A0",
    "\t=1",
    "\r=1",
]
SQL = [
    "'); DROP TABLE rooms;--",
    "x' OR '1'='1",
    'Robert"); DELETE FROM answers; --',
    "1; UPDATE rooms SET closed = 1",
    "' UNION SELECT token_hash FROM rooms --",
]
_counts: dict[str, int] = {}


def tally(name: str, n: int = 1) -> None:
    _counts[name] = _counts.get(name, 0) + n


# --------------------------------------------------------------------------- the app


@pytest.fixture
def app_store(tmp_path, monkeypatch) -> RoomStore:
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("EXPLORER_DATABASE_URL", raising=False)
    monkeypatch.delenv("EXPLORER_CONTENT_DIR", raising=False)
    streamlit.cache_resource.clear()
    store = RoomStore.from_settings(RoomSettings.from_env())
    yield store
    store.dispose()
    streamlit.cache_resource.clear()


def rendered_as_html(at: AppTest) -> list[str]:
    """Bodies the browser renders as HTML: st.html and markdown with unsafe_allow_html."""
    bodies = []
    for node in [*at.main, *at.sidebar]:
        proto = getattr(node, "proto", None)
        if proto is not None and (
            type(node).__name__ == "Html" or getattr(proto, "allow_html", False)
        ):
            bodies.append(proto.body)
    return bodies


def room_page(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.query_params.update(params)
    at.switch_page(page_script("room")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("title", XSS[:4])
def test_a_room_title_with_markup_is_shown_as_text_to_facilitator_and_participant(app_store, title):
    at = room_page()
    at.text_input(key="room_title").input(title)
    at.button[1].click().run()  # "Create room", through the app
    assert not at.exception
    code, token = at.query_params["room"], at.query_params["token"]
    assert app_store.get_room(code).title == title  # stored as typed

    views = {"facilitator": at, "participant": room_page(room=code)}
    for who, view in views.items():
        # A heading is markdown: the title reaches it with every markdown character escaped.
        assert as_text(title) in [s.value for s in view.subheader], who
        for body in rendered_as_html(view):
            assert title not in body and "onerror" not in body and "<script" not in body, who
        tally("titles_shown_as_text")
    assert app_store.verify_token(code, token)


@settings(max_examples=500, deadline=None)
@given(typed=st.text(max_size=80))
def test_escaped_text_reads_back_exactly_and_leaves_no_markdown_syntax(typed):
    shown = as_text(typed)
    assert re.sub(r"\\(.)", r"\1", shown, flags=re.DOTALL) == typed
    unescaped = re.sub(r"\\.", "", shown, flags=re.DOTALL)
    assert not any(c in unescaped for c in "\\`*_[]()<>$:#|~!")
    tally("markdown_escape_examples")


def test_search_text_with_markup_is_never_rendered_as_html():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page_script("compare")).run()
    for text in XSS:
        at.text_input(key="compare_search").input(text).run()
        assert not at.exception
        assert all("<script" not in b and "onerror" not in b for b in rendered_as_html(at))
        tally("search_texts")


# --------------------------------------------------------------------------- CSV export


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rooms.db'}"
        return
    with private_schema(postgres_url()) as url:
        yield url


@pytest.fixture
def store(db_url):
    store = RoomStore(db_url, RoomSettings(database_url=db_url))
    yield store
    store.dispose()


def test_exported_csv_never_starts_a_cell_with_a_formula(store):
    created = store.create_room("=1+1 @room")
    code = created.room.code
    for n, formula in enumerate(FORMULAS):
        store.submit(code, f"p{n}", {"goal": formula, "-note": formula}, formula)
    stored = [f.strip() for f in FORMULAS]  # the store trims a leading tab or CR
    rows = store.export_answers(code, created.token)
    columns = [i.id for i in CONTENT.inputs] + ["verdict", "submitted_at"]
    parsed = list(csv.reader(io.StringIO(answers_csv(rows, columns))))
    header, body = parsed[0], parsed[1:]
    assert len(body) == len(stored)
    for row in parsed:
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell
    # Values survive, only prefixed with a quote; a header from an answer key is safe too.
    assert "'-note" in header
    for column in ("goal", "'-note", "verdict"):
        assert sorted(r[header.index(column)] for r in body) == sorted("'" + f for f in stored)
    tally("formula_cells_exported", len(stored) * 3)


# No lone CR inside a cell: answers_csv ends rows with "\n", so the csv module does not
# quote a "\r" (the store refuses control characters, so none reaches an export).
plain = st.text(alphabet=st.characters(blacklist_characters="\r"), max_size=40)
cells = st.one_of(
    plain,
    st.sampled_from([c for c in FORMULA_START if c != "\r"]).flatmap(
        lambda c: plain.map(lambda t: c + t)
    ),
    st.integers(),
    st.none(),
)


@settings(max_examples=1000, deadline=None)
@given(rows=st.lists(st.dictionaries(cells.map(str), cells, max_size=5), max_size=5))
def test_any_cell_or_header_is_neutralised_and_otherwise_kept(rows):
    text = answers_csv(rows, ["goal", "verdict"])
    parsed = list(csv.reader(io.StringIO(text)))
    header = parsed[0]
    for row in parsed:
        for cell in row:
            assert not cell.startswith(FORMULA_START)
    for row, out in zip(rows, parsed[1:], strict=True):
        for key, value in row.items():
            shown = out[header.index(neutralise(key))]
            original = "" if value is None else str(value)
            assert shown in (original, "'" + original)
    tally("csv_property_examples")


# --------------------------------------------------------------------------- HTML brief


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.hrefs: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)
        if tag == "a":
            self.hrefs.extend(v for k, v in attrs if k == "href")


BRIEF_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "small", "table",
    "tr", "td", "b", "ul", "li", "blockquote", "a", "svg", "g", "line", "polygon", "circle",
    "text", "path", "rect", "polyline", "tspan", "desc", "defs", "marker", "br",
}  # fmt: skip


def brief_for(share_url: str) -> str:
    result = evaluate({"goal": "specific"}, content=CONTENT)
    return build_brief(CONTENT, result, share_url).html


def test_the_html_brief_escapes_markup_in_the_share_url():
    url = 'http://evil.example/"><script>alert(1)</script><img src=x onerror=alert(1)>'
    html = brief_for(url)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    parser = _Tags()
    parser.feed(html)
    assert parser.hrefs == [url]  # the link still goes where it said, as text
    tally("brief_links")


@settings(max_examples=300, deadline=None)
@given(url=st.one_of(st.text(max_size=60), st.sampled_from(XSS)).map(lambda t: "http://x/?" + t))
def test_any_share_url_in_the_brief_stays_one_link_and_adds_no_tags(url):
    html = brief_for(url)
    parser = _Tags()
    parser.feed(html)
    assert set(parser.tags) <= BRIEF_TAGS, set(parser.tags) - BRIEF_TAGS
    assert not any(name.startswith("on") for name, _ in parser.attributes)
    assert parser.hrefs == [url]
    tally("brief_property_examples")


# --------------------------------------------------------------------------- SQL


def test_sql_in_titles_ids_and_answers_is_stored_literally_or_refused(store):
    engine = store.engine
    tables_before = set(sa.inspect(engine).get_table_names())
    stored = refused = 0
    codes = []
    for text in SQL:
        created = store.create_room(text)
        codes.append(created.room.code)
        assert store.get_room(created.room.code).title == text
        store.submit(created.room.code, "p1", {"goal": text, "note": text}, text)
        assert store.own_answer(created.room.code, "p1") == {
            "goal": text,
            "note": text,
            "verdict": text,
        }
        stored += 4
        with pytest.raises(InvalidAnswer):  # ids are letters, digits, - and _ only
            store.submit(created.room.code, text, {"goal": "mixed"}, "blend")
        with pytest.raises(InvalidAnswer):
            store.submit(created.room.code, "p2", {text: "mixed"}, "blend")
        refused += 2
    with pytest.raises(InvalidTitle):
        store.create_room("x';\nDROP TABLE rooms;--")  # control characters are refused
    refused += 1
    assert set(sa.inspect(engine).get_table_names()) == tables_before
    with engine.connect() as conn:
        assert conn.execute(
            sa.select(sa.func.count()).select_from(sa.table("rooms"))
        ).scalar() == len(SQL)
        assert conn.execute(
            sa.select(sa.func.count()).select_from(sa.table("answers"))
        ).scalar() == len(SQL)
    for code in codes:
        assert store.snapshot(code).count == 1 and not store.get_room(code).closed
    tally("sql_strings_stored_literally", stored)
    tally("sql_strings_refused", refused)


def _sql_calls(tree: ast.AST):
    """Calls that send SQL text: .execute, .exec_driver_sql, text(...)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("execute", "exec_driver_sql", "text", "executescript"):
                yield node, node.args[0]


def _builds_text(arg: ast.AST) -> str | None:
    """Why this argument is SQL built from values, or None when it is safe."""
    if isinstance(arg, ast.JoinedStr):
        for part in arg.values:
            if isinstance(part, ast.FormattedValue):
                spec = part.format_spec
                integer_only = (
                    isinstance(spec, ast.JoinedStr)
                    and len(spec.values) == 1
                    and isinstance(spec.values[0], ast.Constant)
                    and re.fullmatch(r"\d*d", str(spec.values[0].value))
                )
                if not integer_only:
                    return "an f-string interpolating a non-integer"
        return None
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod | ast.Add):
        return "a string built with % or +"
    if (
        isinstance(arg, ast.Call)
        and isinstance(arg.func, ast.Attribute)
        and arg.func.attr in ("format", "join", "replace")
    ):
        return f"a string built with .{arg.func.attr}()"
    return None


@pytest.mark.parametrize("path", sorted(ROOMS_PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_sql_is_never_built_from_strings(path: Path):
    """Statements are SQLAlchemy expressions with bound parameters. The one allowed f-string
    sets a PRAGMA from an integer setting formatted with ``:d`` (PRAGMAs take no parameters)."""
    source = path.read_text(encoding="utf-8")
    problems = []
    for call, arg in _sql_calls(ast.parse(source)):
        why = _builds_text(arg)
        if why:
            problems.append(f"{path.name}:{call.lineno}: SQL passed as {why}")
    assert not problems, problems
    for pattern in ('text(f"', ".execute(f'", "exec_driver_sql(f", " % (", ".format("):
        hits = [
            n
            for n, line in enumerate(source.splitlines(), 1)
            if pattern in line and "PRAGMA" not in line
        ]
        assert not hits, f"{path.name}: {pattern!r} on lines {hits}"


def test_the_static_check_catches_sql_built_from_text():
    """The checker itself can fail: each unsafe form below is reported."""
    unsafe = [
        "conn.execute(sa.text(f\"SELECT * FROM rooms WHERE code = '{code}'\"))",
        'conn.exec_driver_sql("DELETE FROM answers WHERE id = %s" % ident)',
        'conn.execute(text("SELECT {}".format(col)))',
        'cursor.execute(f"PRAGMA busy_timeout = {busy}")',
    ]
    for line in unsafe:
        calls = list(_sql_calls(ast.parse(line)))
        assert any(_builds_text(arg) for _, arg in calls), line
    safe = 'cursor.execute(f"PRAGMA busy_timeout = {busy:d}")'
    assert not any(_builds_text(arg) for _, arg in _sql_calls(ast.parse(safe)))


def test_zz_record_counts():
    """Runs last in this module: what was tried, for docs/reliability.md."""
    record(
        "injection",
        "markup_formulas_sql",
        **dict(sorted(_counts.items())),
        html_rendered=0,
        formulas_left_active=0,
        sql_statements_altered=0,
    )
