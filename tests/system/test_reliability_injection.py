"""No one gets in through text: room titles, answers and links are shown, exported and stored
as text, never run as HTML, spreadsheet formulas or SQL."""

from __future__ import annotations

import ast
import csv
import io
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from explorer import evaluate, load_content
from explorer.render.brief import build_brief
from rooms import (
    InvalidAnswer,
    InvalidTitle,
    RoomStore,
    UnknownParticipant,
)
from rooms.export import FORMULA_START, answers_csv, neutralise
from tests.conftest import REPO_ROOT
from tests.support.apptest import (
    FRAME,
    app_phone,
    app_rooms,
    component_data,
    facilitator_of,
    open_app,
    page_script,
)
from tests.support.measurements import family
from tests.support.rooms_app import submit_label
from views.room_views import export_csv
from views.text import as_text, title_html

CONTENT = load_content()
STORE_SOURCE = REPO_ROOT / "rooms" / "store.py"
ROOMS_PACKAGE = REPO_ROOT / "rooms"

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
MEASURED = family("injection")
ENTRY = "markup_formulas_sql"


def tally(**counts: int) -> None:
    MEASURED.add(ENTRY, **counts)


# --------------------------------------------------------------------------- the app


@pytest.fixture
def app_store(tmp_path, room_cookies) -> RoomStore:
    """The room store the app under test uses, on a fresh SQLite folder."""
    with app_rooms(tmp_path) as store:
        yield store


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


ACTIVE_TAGS = {"script", "img", "svg", "iframe", "a", "object", "embed", "style", "link"}


def markup_rendered(at: AppTest, *markup: str) -> list[str]:
    """The HTML bodies on the page in which typed `markup` became markup (counted, then
    asserted): the text appears unescaped, or a parsed element is active (a script, an
    image, a link...) or carries an event handler. Escaped text (``&lt;img``) is text."""
    found = []
    for body in rendered_as_html(at):
        elements = _Page(body).elements
        active = any(
            tag in ACTIVE_TAGS or any(name.startswith("on") for name, _ in attrs)
            for tag, attrs in elements
        )
        if active or any(m in body for m in markup if "<" in m):
            found.append(body)
    tally(pages_checked_for_html=1, html_rendered=len(found))
    return found


class _Page(HTMLParser):
    """A page's elements (each start tag with its attributes, in order) and the text of its
    <title> and <h1>; a <script>'s content is text to the parser, as to a browser."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
        self.texts = {"title": "", "h1": ""}
        self._in: str | None = None
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, tuple(attrs)))
        if tag in self.texts:
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.texts[self._in] += data


def participant_page(code: str) -> _Page:
    """The page a phone gets from the room's join link (/j/CODE, the app's own route)."""
    response = app_phone().get(f"/j/{code}")
    assert response.status_code == 200
    assert submit_label(response.text) == CONTENT.text("room.submit")
    return _Page(response.text)


@pytest.mark.parametrize("title", XSS[:4])
def test_a_room_title_with_markup_is_shown_as_text_to_facilitator_and_participant(app_store, title):
    at = open_app("room")
    at.text_input(key="room_title").input(title)
    next(b for b in at.button if b.label == CONTENT.text("room.start_button")).click().run()
    assert not at.exception
    # The browser goes to the claim route, which redeems the claim for the facilitator's key.
    claim = component_data(at, "room_claim")["url"].split("c=", 1)[1]
    code, token = app_store.redeem_claim(claim)
    assert app_store.get_room(code).title == title  # stored as typed

    facilitator = open_app("room", cookies=facilitator_of(code, token), room=code)
    assert facilitator.button(key="reveal")
    # The heading is escaped HTML, not markdown (which would link addresses in it).
    assert title_html(title) in [h.proto.body for h in facilitator.html]
    assert not markup_rendered(facilitator, title, "onerror", "<script")
    tally(titles_shown_as_text=1)

    # The participant's page is HTML from a template: the title is its heading and its
    # window title, as text, and it adds no element or attribute to the page (compared
    # with the same page for a room with a plain title).
    page = participant_page(code)
    plain = participant_page(app_store.create_room("Plain title").room.code)
    added = Counter(page.elements) - Counter(plain.elements)
    tally(pages_checked_for_html=1, html_rendered=sum(added.values()))
    assert not added, list(added)
    assert page.texts["h1"] == title
    assert page.texts["title"] == CONTENT.text("participant.page_title", title=title)
    tally(titles_shown_as_text=1)
    assert app_store.verify_token(code, token)


@settings(max_examples=500, deadline=None)
@given(typed=st.text(max_size=80))
def test_typed_text_becomes_one_code_span_that_reads_back_exactly(typed):
    """Inside a code span markdown makes no link, icon or emphasis: the span's fence is
    longer than any run of backticks in the text, so nothing in it can close it early."""
    shown = as_text(typed)
    fence = re.match(r"`+", shown).group(0)
    assert shown.endswith(fence) and len(shown) >= 2 * len(fence)
    inner = shown[len(fence) : -len(fence)]
    assert all(len(run) < len(fence) for run in re.findall(r"`+", inner))
    flat = re.sub(r"[\r\n]+", " ", typed)
    padded = inner.startswith(" ") and inner.endswith(" ") and inner != flat
    assert (inner[1:-1] if padded else inner) == flat
    tally(markdown_escape_examples=1)


def test_search_text_with_markup_is_never_rendered_as_html():
    at = AppTest.from_file(FRAME, default_timeout=60).run()
    at.switch_page(page_script("compare")).run()
    for text in XSS:
        at.text_input(key="compare_search").input(text).run()
        assert not at.exception
        assert not markup_rendered(at, "<script", "onerror")
        tally(search_texts=1)


# --------------------------------------------------------------------------- CSV export


def live_formulas(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run (counted, then asserted)."""
    found = [cell for row in rows for cell in row if cell.startswith(FORMULA_START)]
    tally(csv_cells_checked=sum(len(row) for row in rows), formulas_left_active=len(found))
    return found


def test_exported_csv_never_starts_a_cell_with_a_formula(store):
    created = store.create_room("=1+1 @room")
    code = created.room.code
    for formula in FORMULAS:
        who = store.issue_participant(code)
        store.submit(code, who, {"goal": formula, "-note": formula}, formula)
    stored = [f.strip() for f in FORMULAS]  # the store trims a leading tab or CR
    rows = store.export_answers(code, created.token)
    columns = [i.id for i in CONTENT.inputs] + ["verdict", "submitted_at"]
    parsed = list(csv.reader(io.StringIO(answers_csv(rows, columns))))
    header, body = parsed[0], parsed[1:]
    assert len(body) == len(stored)
    assert not live_formulas(parsed)
    # Values survive, only prefixed with a quote; a header from an answer key is safe too.
    assert "'-note" in header
    for column in ("goal", "'-note", "verdict"):
        assert sorted(r[header.index(column)] for r in body) == sorted("'" + f for f in stored)
    # The facilitator's download (ids with labels beside them) is neutralised the same way.
    download = list(csv.reader(io.StringIO(export_csv(CONTENT, rows))))
    assert len(download) == len(stored) + 1
    assert not live_formulas(download)
    tally(formula_cells_exported=len(stored) * 3)


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
    tally(csv_property_examples=1)


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
    "text", "path", "rect", "polyline", "tspan", "desc", "defs", "marker", "br", "q",
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
    tally(brief_links=1)


@settings(max_examples=300, deadline=None)
@given(url=st.one_of(st.text(max_size=60), st.sampled_from(XSS)).map(lambda t: "http://x/?" + t))
def test_any_share_url_in_the_brief_stays_one_link_and_adds_no_tags(url):
    html = brief_for(url)
    parser = _Tags()
    parser.feed(html)
    assert set(parser.tags) <= BRIEF_TAGS, set(parser.tags) - BRIEF_TAGS
    assert not any(name.startswith("on") for name, _ in parser.attributes)
    assert parser.hrefs == [url]
    tally(brief_property_examples=1)


# --------------------------------------------------------------------------- SQL


def row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
            for name in sa.inspect(engine).get_table_names()
        }


def test_sql_in_titles_ids_and_answers_is_stored_literally_or_refused(store):
    engine = store.engine
    store.verify_participant("ABCDEF", "x.y")  # the signing secret exists before counting
    before = row_counts(engine)
    stored = refused = 0
    codes = []
    for text in SQL:
        created = store.create_room(text)
        code = created.room.code
        codes.append(code)
        assert store.get_room(code).title == text
        me = store.issue_participant(code)
        store.submit(code, me, {"goal": text, "note": text}, text)
        assert store.own_answer(code, me) == {"goal": text, "note": text, "verdict": text}
        stored += 4
        # An identity the server did not issue is refused, whatever it holds.
        for forged in (text, f"{text}.{text}", me.split(".")[0] + "." + text):
            with pytest.raises(UnknownParticipant):
                store.submit(code, forged, {"goal": "mixed"}, "blend")
            with pytest.raises(UnknownParticipant):
                store.own_answer(code, forged)
            refused += 2
        with pytest.raises(InvalidAnswer):  # answer keys are letters, digits, - and _ only
            store.submit(code, me, {text: "mixed"}, "blend")
        refused += 1
    with pytest.raises(InvalidTitle):
        store.create_room("x';\nDROP TABLE rooms;--")  # control characters are refused
    refused += 1
    after = row_counts(engine)
    expected = {**before, "rooms": before["rooms"] + len(SQL), "answers": len(SQL)}
    expected["joins"] = before.get("joins", 0) + len(SQL)  # answering counts as joined
    # Each stored answer counts once against its identity's limit, in the shared database.
    expected["limit_hits"] = before.get("limit_hits", 0) + len(SQL)
    changed_tables = set(after) ^ set(before)
    unexpected_rows = {t: after.get(t) for t in expected if after.get(t) != expected[t]}
    tally(
        sql_strings_stored_literally=stored,
        sql_strings_refused=refused,
        tables_added_or_dropped=len(changed_tables),
        tables_with_unexpected_rows=len(unexpected_rows),
    )
    assert not changed_tables and not unexpected_rows, (changed_tables, unexpected_rows, before)
    for code in codes:
        assert store.snapshot(code).count == 1 and not store.get_room(code).closed


def _sql_calls(tree: ast.AST):
    """Calls that send SQL text: .execute, .exec_driver_sql, text(...)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("execute", "exec_driver_sql", "text", "executescript"):
                yield node, node.args[0]


def _quoted_identifier(arg: ast.AST) -> bool:
    """``sql.SQL("<constant>").format(sql.Identifier(...), ...)``: psycopg's composition of
    identifiers. LISTEN (like PRAGMA) takes no bind parameters, so its channel name must be
    in the statement; ``sql.Identifier`` double-quotes it (an embedded quote is doubled), so
    even a hostile name stays one identifier, and the template itself is a constant. Any
    other argument to ``.format()`` (a plain string, ``sql.SQL(name)``, ...) is reported."""
    if not (
        isinstance(arg, ast.Call)
        and isinstance(arg.func, ast.Attribute)
        and arg.func.attr == "format"
        and not arg.keywords
    ):
        return False
    template = arg.func.value
    if not (
        isinstance(template, ast.Call)
        and ast.unparse(template.func) in ("sql.SQL", "SQL")
        and len(template.args) == 1
        and isinstance(template.args[0], ast.Constant)
        and isinstance(template.args[0].value, str)
    ):
        return False
    return all(
        isinstance(a, ast.Call) and ast.unparse(a.func) in ("sql.Identifier", "Identifier")
        for a in arg.args
    )


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
    if _quoted_identifier(arg):
        return None
    if (
        isinstance(arg, ast.Call)
        and isinstance(arg.func, ast.Attribute)
        and arg.func.attr in ("format", "join", "replace")
    ):
        return f"a string built with .{arg.func.attr}()"
    return None


def _prose_lines(tree: ast.AST) -> set[int]:
    """Lines of docstrings: words about SQL, not SQL sent anywhere."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def test_the_sql_scan_reads_the_rooms_package():
    assert STORE_SOURCE in sorted(ROOMS_PACKAGE.glob("*.py")), "rooms/ moved: scan it there"


@pytest.mark.parametrize("path", sorted(ROOMS_PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_sql_is_never_built_from_strings(path: Path):
    """Statements are SQLAlchemy expressions with bound parameters. Allowed: a PRAGMA set
    from an integer setting formatted with ``:d``, and psycopg's quoted identifiers for
    LISTEN (neither takes parameters; see `_quoted_identifier`)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    problems, identifiers = [], set()
    for call, arg in _sql_calls(tree):
        why = _builds_text(arg)
        if why:
            problems.append(f"{path.name}:{call.lineno}: SQL passed as {why}")
        elif _quoted_identifier(arg):
            identifiers.add(call.lineno)
    tally(modules_scanned_for_sql=1, sql_built_from_strings=len(problems))
    assert not problems, problems
    # A second, cruder look at the text itself (outside docstrings), in case SQL is built
    # away from the call that sends it.
    skip = _prose_lines(tree) | identifiers
    for pattern in ('text(f"', ".execute(f'", "exec_driver_sql(f", " % (", ".format("):
        hits = [
            n
            for n, line in enumerate(source.splitlines(), 1)
            if pattern in line and "PRAGMA" not in line and n not in skip
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
    # Identifier composition is allowed only in its exact safe form.
    unsafe += [
        'conn.execute(sql.SQL("LISTEN {}").format(channel))',
        'conn.execute(sql.SQL("LISTEN {}").format(sql.SQL(channel)))',
        'conn.execute(sql.SQL("LISTEN " + channel).format())',
        'conn.execute(sql.SQL(f"LISTEN {channel}").format(sql.Identifier(channel)))',
        "conn.execute(sql.SQL(template).format(sql.Identifier(channel)))",
        'conn.execute(sql.SQL("LISTEN {c}").format(c=sql.Identifier(channel)))',
    ]
    for line in unsafe:
        calls = list(_sql_calls(ast.parse(line)))
        assert any(_builds_text(arg) for _, arg in calls), line
    for safe in (
        'cursor.execute(f"PRAGMA busy_timeout = {busy:d}")',
        'conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))',
    ):
        assert not any(_builds_text(arg) for _, arg in _sql_calls(ast.parse(safe))), safe
