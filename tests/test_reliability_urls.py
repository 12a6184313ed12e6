"""Nothing breaks on a bad link: property tests over arbitrary query strings, on every page.

Hypothesis builds query parameters from unknown keys, wrong values, repeated keys (lists),
10 kB values, any Unicode and markup such as ``<script>``; each example opens a fresh
AppTest session on that link. Whatever the link, a page never raises, inputs fall back to
their defaults with a visible notice, and nothing from the link reaches the page as HTML.

``read_query`` itself, the pure function behind the notices, gets many more examples.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode

import pytest
import streamlit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.runtime.state.query_params import (
    CLIENT_STATE_QUERY_STRING_MAX_FIELDS as MAX_QUERY_FIELDS,
)
from streamlit.runtime.state.query_params import (
    CLIENT_STATE_QUERY_STRING_MAX_LENGTH as MAX_QUERY_CHARS,
)
from streamlit.testing.v1 import AppTest

from explorer import load_content
from explorer.rooms import InvalidCode, RoomSettings, RoomStore, normalise_code
from explorer.urlstate import MAX_SHOWN_VALUE, read_query
from tests.appserver import record
from tests.apptest import FRAME as APP
from tests.apptest import page_script
from views.text import as_text

CONTENT = load_content()
INPUT_IDS = [spec.id for spec in CONTENT.inputs]
OPTION_IDS = sorted({o for spec in CONTENT.inputs for o in spec.option_ids})
OTHER_KEYS = ("presenter", "room", "token", "participant")
EMBED_KEYS = ("embed", "embed_options")  # Streamlit keeps these to itself
PARTICIPANT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
HUGE_CHARS = 10_240

# Examples per page: the two pages that read the link get the most.
EXAMPLES = {"explore": 250, "room": 250, "personas": 170, "compare": 170, "how": 170}
PURE_EXAMPLES = 3000
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
PAGES = {
    "personas": (page_script("personas"), "personas.title"),
    "compare": (page_script("compare"), "compare.title"),
    "how": (page_script("how-it-works"), "how.title"),
}

NASTY = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "[click](javascript:alert(1))",
    "'); DROP TABLE rooms;--",
    "../../../etc/passwd",
    "%00%ff",
    "{title}",
    "{0!r}",
    "%s%n",
    "**bold** _x_ `code`",
    "\u202eevil\u202c",
    "😀🧭",
    "\U0001d518\U0001d52b\U0001d526",  # mathematical Fraktur letters
    "é" * 3,
    " ",
    "",
]
MARKUP = ("<script", "onerror", "onload")

_counts: dict[str, int] = {}
_room_views: dict[str, int] = {}
_seconds: dict[str, float] = {}

# --------------------------------------------------------------------------- strategies

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
huge = st.text(min_size=1, max_size=8).map(lambda s: (s * (HUGE_CHARS // len(s) + 1))[:HUGE_CHARS])
value = st.one_of(
    st.sampled_from(OPTION_IDS), text, st.sampled_from(NASTY), st.sampled_from(["1", "on"])
)
values = st.one_of(value, st.lists(value, max_size=4))  # a list is a repeated key
key = st.one_of(
    st.sampled_from(INPUT_IDS), st.sampled_from(OTHER_KEYS), text, st.sampled_from(NASTY)
)
# Up to two 10 kB keys or values per link (more would pass Streamlit's 512 Ki-character
# limit, beyond which it ignores the whole query string).
huge_entries = st.lists(st.one_of(st.tuples(key, huge), st.tuples(huge, values)), max_size=2)
params = st.tuples(st.dictionaries(key, values, max_size=8), huge_entries).map(
    lambda parts: {**parts[0], **dict(parts[1])}
)


def room_params(code: str, token: str) -> st.SearchStrategy[dict]:
    """Links to the Room page: the live room's code and token mixed with junk."""
    codes = st.one_of(
        st.just(code),
        st.just(f" {code[:3].lower()}-{code[3:].lower()} "),
        st.text(alphabet="ABCDEFGHJKMNPQRSTUVWXYZ23456789", min_size=6, max_size=6),
        value,
    )
    tokens = st.one_of(st.just(token), st.just(token[:-2] + "xx"), value)
    participants = st.one_of(st.text(alphabet="abcXYZ019_-", min_size=8, max_size=64), value)
    return st.fixed_dictionaries(
        {},
        optional={
            "room": st.one_of(codes, st.lists(codes, max_size=3)),
            "token": st.one_of(tokens, st.lists(tokens, max_size=3)),
            "participant": participants,
        },
    ).flatmap(lambda fixed: params.map(lambda extra: {**extra, **fixed}))


# --------------------------------------------------------------------------- what a page shows


def seen_params(sent: dict) -> dict[str, list[str]]:
    """The query parameters as the app receives them (last value wins, embed keys hidden)."""
    query = urlencode(sent, doseq=True)
    if len(query) > MAX_QUERY_CHARS or query.count("&") + 1 > MAX_QUERY_FIELDS:
        return {}  # Streamlit ignores such a query string altogether
    parsed = parse_qs(query, keep_blank_values=True)
    return {k: v for k, v in parsed.items() if k.lower() not in EMBED_KEYS}


def last(seen: dict[str, list[str]], name: str) -> str | None:
    values = seen.get(name)
    return values[-1] if values else None


def shorten(name: str) -> str:
    return name if len(name) <= MAX_SHOWN_VALUE else name[: MAX_SHOWN_VALUE - 1] + "…"


def nodes(at: AppTest) -> Iterator[object]:
    yield from at.main
    yield from at.sidebar


def unsafe_html(at: AppTest) -> list[str]:
    """Every body the browser would render as HTML: st.html and unsafe_allow_html markdown."""
    bodies = []
    for node in nodes(at):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        if type(node).__name__ == "Html" or getattr(proto, "allow_html", False):
            bodies.append(proto.body)
    return bodies


def no_markup_from_the_link(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    for body in unsafe_html(at):
        lowered = body.lower()
        assert not any(m in lowered for m in MARKUP), body[:300]
    for alert in [*at.warning, *at.error, *at.info]:
        assert "Traceback" not in alert.value


def fresh(query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for name, sent in query.items():
        at.query_params[name] = sent
    return at


def on_page(page: str, query: dict, at: AppTest | None = None) -> AppTest:
    """A session (fresh unless given) that ran once, then follows a link to `page`."""
    at = at or AppTest.from_file(APP, default_timeout=60).run()
    at.query_params.clear()
    at.query_params.update(query)
    return at.switch_page(page).run()


def count(name: str, started: float) -> None:
    _counts[name] = _counts.get(name, 0) + 1
    _seconds[name] = _seconds.get(name, 0.0) + time.monotonic() - started


@pytest.fixture(scope="module")
def live_room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A room in a private SQLite store that the app under test shares."""
    data_dir = tmp_path_factory.mktemp("url-rooms")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EXPLORER_DATA_DIR", str(data_dir))
        patch.delenv("EXPLORER_DATABASE_URL", raising=False)
        patch.delenv("EXPLORER_CONTENT_DIR", raising=False)
        streamlit.cache_resource.clear()
        store = RoomStore.from_settings(RoomSettings.from_env())
        created = store.create_room("<script>alert('title')</script>")
        yield created.room.code, created.token
        store.dispose()
        streamlit.cache_resource.clear()


def examples(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --------------------------------------------------------------------------- Explore


@examples(EXAMPLES["explore"])
@given(query=params)
def test_explore_survives_any_link_and_resets_bad_inputs_with_a_notice(live_room, query):
    started = time.monotonic()
    at = fresh(query).run()
    no_markup_from_the_link(at)
    seen = seen_params(query)
    warnings = [w.value for w in at.warning]
    for spec in CONTENT.inputs:
        sent = last(seen, spec.id) if spec.id in seen else None
        shown = at.select_slider(key=f"input_{spec.id}").value
        if spec.id not in seen:
            assert shown == spec.default
        elif sent in spec.option_ids:
            assert shown == sent
        else:
            assert shown == spec.default, (spec.id, sent, shown)
            assert any(f"“{shorten(spec.id)}”" in w for w in warnings), (spec.id, warnings)
    for name in seen:
        if name not in CONTENT.input_by_id and name not in OTHER_KEYS:
            assert any(f"“{shorten(name)}”" in w for w in warnings), (name, warnings)
    # The link is rewritten to what is shown: known keys only, and each input's value
    # (the last one, if the key was repeated) is one of its options.
    for name, shown_value in at.query_params.items():
        assert name in CONTENT.input_by_id or name in OTHER_KEYS, name
        if name in CONTENT.input_by_id:
            final = shown_value if isinstance(shown_value, str) else shown_value[-1]
            assert final == at.select_slider(key=f"input_{name}").value
    count("explore", started)


# --------------------------------------------------------------------------- Room


def expected_room_view(seen: dict[str, list[str]], code: str, token: str) -> str:
    room, given_token = last(seen, "room"), last(seen, "token")
    if not room:
        return "lobby"
    try:
        normalised = normalise_code(room)
    except InvalidCode:
        return "refused"
    if normalised != code:
        return "refused"
    if given_token:
        return "facilitator" if given_token == token else "refused"
    return "participant"


@examples(EXAMPLES["room"])
@given(data=st.data())
def test_the_room_page_survives_any_link_and_explains_what_it_refused(live_room, data):
    code, token = live_room
    query = data.draw(room_params(code, token), label="query")
    started = time.monotonic()
    at = on_page(page_script("room"), query)
    no_markup_from_the_link(at)
    seen = seen_params(query)
    view = expected_room_view(seen, code, token)
    headings = [s.value for s in at.subheader]
    if view in ("lobby", "refused"):
        assert "Join a room" in headings, headings
        if view == "refused":
            assert at.error, "a refused link must say why"
            assert "room" not in at.query_params and "token" not in at.query_params
    elif view == "participant":
        assert at.button(key="room_submit")
        assert PARTICIPANT_ID.fullmatch(at.query_params["participant"])
        sent = last(seen, "participant")
        if sent and PARTICIPANT_ID.fullmatch(sent):
            assert at.query_params["participant"] == sent
        # The title is markup, shown as text (a heading is never rendered as HTML).
        assert as_text("<script>alert('title')</script>") in headings
    else:
        assert any("answered" in m.value for m in at.markdown)
        assert at.button(key="reveal")
    _room_views[view] = _room_views.get(view, 0) + 1
    count("room", started)


# --------------------------------------------------------------------------- other pages


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_that_ignore_the_link_still_survive_any_link(live_room, name):
    page, title_key = PAGES[name]
    # These pages keep nothing from the link, so one session serves every example.
    session = AppTest.from_file(APP, default_timeout=60).run()

    @examples(EXAMPLES[name])
    @given(query=params)
    def check(query: dict) -> None:
        started = time.monotonic()
        at = on_page(page, query, session)
        no_markup_from_the_link(at)
        assert [t.value for t in at.title] == [CONTENT.text(title_key)]
        count(name, started)

    check()


# --------------------------------------------------------------------------- read_query


pure_params = st.tuples(st.dictionaries(key, values, max_size=12), huge_entries).map(
    lambda parts: {**parts[0], **dict(parts[1])}
)


@settings(max_examples=PURE_EXAMPLES, deadline=None)
@given(raw=pure_params, other=st.lists(st.sampled_from(OTHER_KEYS), unique=True))
def test_read_query_keeps_valid_values_and_gives_one_notice_per_bad_one(raw, other):
    inputs, notices = read_query(CONTENT, raw, other)
    bad = set()
    for name, sent in raw.items():
        values = [sent] if isinstance(sent, str) else list(sent)
        final = values[-1] if values else ""
        spec = CONTENT.input_by_id.get(name)
        if spec is None:
            if name not in other:
                bad.add(name)
        elif final in spec.option_ids:
            assert inputs[name] == final
        else:
            bad.add(name)
            assert inputs[name] == spec.default
    assert set(inputs) == set(INPUT_IDS)
    assert all(inputs[i] in CONTENT.input_by_id[i].option_ids for i in INPUT_IDS)
    assert [n.param for n in notices] == [n for n in raw if n in bad]
    for notice in notices:
        message = notice.message(CONTENT)
        assert len(message) < 300  # a 10 kB key or value is never echoed in full
        assert f"“{shorten(notice.param)}”" in message
    _counts["read_query"] = _counts.get("read_query", 0) + 1


def test_zz_record_counts():
    """Runs last in this module: what was tried, for docs/reliability.md."""
    app_pages = [name for name in EXAMPLES if name in _counts]
    if len(app_pages) != len(EXAMPLES):
        pytest.skip("not every page's property test ran in this session")
    app_examples = sum(_counts[name] for name in EXAMPLES)
    assert app_examples >= 1000, _counts
    record(
        "urls",
        "arbitrary_links",
        app_examples=app_examples,
        per_page={name: _counts[name] for name in EXAMPLES},
        seconds_per_page={name: round(_seconds[name], 1) for name in EXAMPLES},
        room_views=dict(sorted(_room_views.items())),
        read_query_examples=_counts.get("read_query", 0),
        exceptions=0,
        html_injections=0,
    )
