"""Nothing breaks on a bad link: property tests over arbitrary query strings, on every page.

Hypothesis builds query parameters from unknown keys, wrong values, repeated keys (lists),
long and 10 kB values, any Unicode and markup such as ``<script>``; each example opens a
fresh AppTest session on that link. Whatever the link, a page never raises, inputs fall back
to their defaults with a visible notice (at most three shown, then one "…and N more" line; a
link over 2,000 characters gets one notice and the defaults), and nothing from the link
reaches the page as HTML. The Room page gets cookies too, as the app's routes set them:
the facilitator's key and a participant's identity are cookies, never link parameters; a
participant is sent on to the room's light page (``/j/CODE``, the app's own route), which
each example then opens as a phone holding those cookies would.

``read_query`` itself, the pure function behind the notices, gets many more examples.
"""

from __future__ import annotations

import html
import itertools
import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.runtime.state.query_params import (
    CLIENT_STATE_QUERY_STRING_MAX_FIELDS as MAX_QUERY_FIELDS,
)
from streamlit.runtime.state.query_params import (
    CLIENT_STATE_QUERY_STRING_MAX_LENGTH as MAX_QUERY_CHARS,
)
from streamlit.testing.v1 import AppTest

import views.room_views
from explorer import load_content
from explorer.urlstate import MAX_SHOWN_VALUE, read_query
from rooms import InvalidCode, facilitator_cookie, normalise_code, participant_cookie
from tests.support.apptest import (
    FRAME,
    app_phone,
    app_rooms,
    component_data,
    give_cookies,
    jar_cookie,
    live_view,
    page_script,
)
from tests.support.measurements import family
from tests.support.rooms_app import boot_data, submit_label
from views.inputs import MAX_NOTICES
from views.inputs import MAX_QUERY_CHARS as MAX_LINK_CHARS
from views.text import as_text

CONTENT = load_content()
INPUT_IDS = [spec.id for spec in CONTENT.inputs]
OPTION_IDS = sorted({o for spec in CONTENT.inputs for o in spec.option_ids})
OTHER_KEYS = ("presenter", "room")  # other features' keys: no notice, kept in the link
LEGACY_KEYS = ("token", "participant")  # secrets that links no longer carry: unknown keys
EMBED_KEYS = ("embed", "embed_options")  # Streamlit keeps these to itself
HUGE_CHARS = 10_240
TITLE = "<script>alert('title')</script>"

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
COOKIE_SAFE = re.compile(r"[A-Za-z0-9._~-]+")  # a value a browser can hold and send back
_devices = itertools.count(1)  # each phone its own address: the identity limit is per address
MEASURED = family("urls")
ENTRY = "arbitrary_links"

# --------------------------------------------------------------------------- strategies

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
# Long values on both sides of the app's 2,000-character limit, and 10 kB ones.
huge = st.tuples(
    st.text(min_size=1, max_size=8), st.sampled_from([300, 900, 1990, HUGE_CHARS])
).map(lambda parts: (parts[0] * (parts[1] // len(parts[0]) + 1))[: parts[1]])
value = st.one_of(
    st.sampled_from(OPTION_IDS), text, st.sampled_from(NASTY), st.sampled_from(["1", "on"])
)
values = st.one_of(value, st.lists(value, max_size=4))  # a list is a repeated key
key = st.one_of(
    st.sampled_from(INPUT_IDS),
    st.sampled_from(OTHER_KEYS + LEGACY_KEYS),
    text,
    st.sampled_from(NASTY),
)
# Up to two long keys or values per link (more 10 kB ones would pass Streamlit's 512
# Ki-character limit, beyond which it ignores the whole query string).
huge_entries = st.lists(st.one_of(st.tuples(key, huge), st.tuples(huge, values)), max_size=2)
params = st.tuples(st.dictionaries(key, values, max_size=8), huge_entries).map(
    lambda parts: {**parts[0], **dict(parts[1])}
)


def room_params(code: str, token: str) -> st.SearchStrategy[dict]:
    """Links to the Room page: the live room's code mixed with junk (and old-style keys)."""
    codes = st.one_of(
        st.just(code),
        st.just(f" {code[:3].lower()}-{code[3:].lower()} "),
        st.text(alphabet="ABCDEFGHJKMNPQRSTUVWXYZ23456789", min_size=6, max_size=6),
        value,
    )
    tokens = st.one_of(st.just(token), st.just(token[:-2] + "xx"), value)
    return st.fixed_dictionaries(
        {},
        optional={
            "room": st.one_of(codes, st.lists(codes, max_size=3)),
            "token": st.one_of(tokens, st.lists(tokens, max_size=3)),
            "participant": value,
        },
    ).flatmap(lambda fixed: params.map(lambda extra: {**extra, **fixed}))


def room_cookies(code: str, token: str, identities: list[str]) -> st.SearchStrategy[dict]:
    """What a browser may hold: nothing, a participant identity or the facilitator's key
    for the room (as the app's routes set them), or any mix of right, tampered and junk
    cookies, for this room and another one."""
    keys = st.one_of(st.just(token), st.just(token[:-2] + "xx"), value)
    members = st.one_of(
        st.sampled_from(identities),
        st.sampled_from(identities).map(lambda i: i[:-2] + "xx"),
        st.sampled_from(identities).map(lambda i: i.split(".")[0] + ".forged"),
        value,
    )
    other = "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"
    mixed = st.fixed_dictionaries(
        {},
        optional={
            facilitator_cookie(code): keys,
            participant_cookie(code): members,
            facilitator_cookie(other): st.just(token),
            participant_cookie(other): st.sampled_from(identities),
        },
    )
    return st.one_of(
        st.just({}),
        st.sampled_from(identities).map(lambda i: {participant_cookie(code): i}),
        st.just({facilitator_cookie(code): token}),
        mixed,
    )


# --------------------------------------------------------------------------- what a page shows


def seen_params(sent: dict) -> dict[str, list[str]]:
    """The query parameters as the app receives them (every value, embed keys hidden)."""
    query = urlencode(sent, doseq=True)
    if len(query) > MAX_QUERY_CHARS or query.count("&") + 1 > MAX_QUERY_FIELDS:
        return {}  # Streamlit ignores such a query string altogether
    parsed = parse_qs(query, keep_blank_values=True)
    return {k: v for k, v in parsed.items() if k.lower() not in EMBED_KEYS}


def last(seen: dict[str, list[str]], name: str) -> str | None:
    values = seen.get(name)
    return values[-1] if values else None


def link_chars(seen: dict[str, list[str]]) -> int:
    """The link's size as the app measures it: every key and value, in characters."""
    return sum(len(k) + sum(len(v) for v in vals) for k, vals in seen.items())


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


def no_markup_from_the_link(at: AppTest, page: str, started: float) -> None:
    """Count what this example showed (exceptions, markup rendered, tracebacks), then
    assert there was none."""
    markup = [b for b in unsafe_html(at) if any(m in b.lower() for m in MARKUP)]
    tracebacks = [a.value for a in [*at.warning, *at.error, *at.info] if "Traceback" in a.value]
    MEASURED.add(
        ENTRY,
        app_examples=1,
        exceptions=len(at.exception),
        html_injections=len(markup),
        tracebacks_shown=len(tracebacks),
    )
    MEASURED.add_to(ENTRY, "per_page", **{page: 1})
    MEASURED.add_to(ENTRY, "seconds_per_page", **{page: time.monotonic() - started})
    assert not at.exception, [e.value for e in at.exception]
    assert not markup, markup[0][:300]
    assert not tracebacks


def fresh(query: dict) -> AppTest:
    at = AppTest.from_file(FRAME, default_timeout=60)
    for name, sent in query.items():
        at.query_params[name] = sent
    return at


def on_page(page: str, query: dict, at: AppTest | None = None, cookies: dict | None = None):
    """A session (fresh unless given) that ran once, then follows a link to `page`."""
    at = at or AppTest.from_file(FRAME, default_timeout=60).run()
    at.query_params.clear()
    at.query_params.update(query)
    if cookies:
        give_cookies(at, cookies)
    return at.switch_page(page).run()


@pytest.fixture(scope="module")
def live_room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, list[str]]]:
    """A room in a private SQLite store that the app under test shares: its code, the
    facilitator's key and a few participant identities; the room views read cookies from
    each AppTest session's jar."""
    with (
        pytest.MonkeyPatch.context() as patch,
        app_rooms(tmp_path_factory.mktemp("url-rooms")) as store,
    ):
        patch.setattr(views.room_views, "browser_cookie", jar_cookie)
        created = store.create_room(TITLE)
        code = created.room.code
        yield code, created.token, [store.issue_participant(code) for _ in range(4)]


def examples(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --------------------------------------------------------------------------- Explore


def after_the_frame(seen: dict[str, list[str]]) -> dict[str, list[str]]:
    """The link as a page reads it: the frame (views/presenter.py) reads `presenter` first,
    keeping it as "1" when it turns the presenter view on and dropping it otherwise."""
    rest = {k: v for k, v in seen.items() if k != "presenter"}
    if last(seen, "presenter") in ("1", "true", "yes", "on"):
        rest["presenter"] = ["1"]
    return rest


def expected_notices(seen: dict[str, list[str]]) -> list[str] | None:
    """The names that must each get a notice, in link order (None: the link is too long
    to read, so one notice and every input at its default)."""
    if link_chars(seen) > MAX_LINK_CHARS:
        return None
    bad = []
    for name in seen:
        spec = CONTENT.input_by_id.get(name)
        if spec is None:
            if name not in OTHER_KEYS:
                bad.append(name)
        elif last(seen, name) not in spec.option_ids:
            bad.append(name)
    return bad


@examples(EXAMPLES["explore"])
@given(query=params)
def test_explore_survives_any_link_and_resets_bad_inputs_with_a_notice(live_room, query):
    started = time.monotonic()
    at = fresh(query).run()
    no_markup_from_the_link(at, "explore", started)
    seen = after_the_frame(seen_params(query))
    warnings = [w.value for w in at.warning]
    shown = {spec.id: at.session_state[f"input_{spec.id}"] for spec in CONTENT.inputs}
    bad = expected_notices(seen)
    if bad is None:
        assert warnings == [CONTENT.text("explore.link_too_long")]
        assert shown == CONTENT.defaults
        MEASURED.add(ENTRY, links_too_long=1)
    else:
        for spec in CONTENT.inputs:
            sent = last(seen, spec.id)
            expected = sent if sent in spec.option_ids else spec.default
            assert shown[spec.id] == expected, (spec.id, sent)
        # At most three notices, each naming its parameter (shortened, every markdown
        # character escaped), in the link's order; then one line counting the rest.
        assert len(warnings) == min(len(bad), MAX_NOTICES) + (len(bad) > MAX_NOTICES)
        for name, warning in zip(bad[:MAX_NOTICES], warnings, strict=False):
            assert f"“{as_text(shorten(name))}”" in warning, (name, warning)
        if len(bad) > MAX_NOTICES:
            assert str(len(bad) - MAX_NOTICES) in warnings[-1]
        MEASURED.add(ENTRY, notices_expected=len(bad), notices_shown=len(warnings))
    # The live explorer draws what the session holds.
    assert live_view(at)["inputs"] == {s.id: shown[s.id] for s in CONTENT.main_inputs}
    # The link is rewritten to what is shown: known keys only, and each input's value is
    # the one in use.
    for name, in_link in at.query_params.items():
        assert name in CONTENT.input_by_id or name in OTHER_KEYS, name
        if name in CONTENT.input_by_id:
            final = in_link if isinstance(in_link, str) else in_link[-1]
            assert final == shown[name]


# --------------------------------------------------------------------------- Room


def expected_room_view(
    seen: dict[str, list[str]], cookies: dict[str, str], code: str, token: str, members: set
) -> str:
    room = last(seen, "room")
    if not room:
        return "lobby"
    try:
        normalised = normalise_code(room)
    except InvalidCode:
        return "refused"
    if normalised != code:
        return "refused"
    if cookies.get(facilitator_cookie(code)) == token:
        return "facilitator"
    if cookies.get(participant_cookie(code)) in members:
        return "participant"
    return "joining"


@examples(EXAMPLES["room"])
@given(data=st.data())
def test_the_room_page_survives_any_link_and_explains_what_it_refused(live_room, data):
    code, token, identities = live_room
    query = data.draw(room_params(code, token), label="query")
    cookies = data.draw(room_cookies(code, token, identities), label="cookies")
    started = time.monotonic()
    at = on_page(page_script("room"), query, cookies=cookies)
    no_markup_from_the_link(at, "room", started)
    seen = seen_params(query)
    view = expected_room_view(seen, cookies, code, token, set(identities))
    headings = [s.value for s in at.subheader]
    buttons = {b.key for b in at.button}
    if view in ("lobby", "refused"):
        assert "Join a room" in headings, headings
        if view == "refused":
            assert at.error, "a refused link must say why"
            assert "room" not in at.query_params
    elif view == "facilitator":
        assert any("answered" in m.value for m in at.markdown)
        assert "reveal" in buttons
    else:
        assert "reveal" not in buttons and "close" not in buttons
        assert not any("answered" in m.value for m in at.markdown)
        # With an identity or without, the room page sends a participant on to the
        # room's light page; that page shows the title (markup) as text.
        assert [i.value for i in at.info] == [CONTENT.text("room.joining")]
        assert not buttons and not at.select_slider
        url = component_data(at, "room_join")["url"]
        assert url == f"/j/{code}"
        participant_page_follows(url, code, cookies, keeps_identity=view == "participant")
    MEASURED.add_to(ENTRY, "room_views", **{view: 1})


def participant_page_follows(url: str, code: str, cookies: dict, *, keeps_identity: bool) -> None:
    """The room's light page, opened as a phone holding the cookies of this example: the
    answer form, the title shown as text, and the identity this phone holds kept (or, with
    none valid, a new one set by the route)."""
    n = next(_devices)
    phone = app_phone(f"198.18.{n // 256 % 256}.{n % 256}")
    held = cookies.get(participant_cookie(code))
    if isinstance(held, str) and COOKIE_SAFE.fullmatch(held):
        phone.cookies.set(participant_cookie(code), held)
    page = phone.get(url)
    assert page.status_code == 200, page.text[:300]
    assert submit_label(page.text) == CONTENT.text("room.submit")
    assert boot_data(page.text)["code"] == code
    # The title is markup, shown as text: escaped in the page's heading.
    assert TITLE not in page.text
    assert html.unescape(page.text.split("<h1>", 1)[1].split("</h1>", 1)[0]) == TITLE
    given_identity = participant_cookie(code) in page.headers.get("set-cookie", "")
    assert given_identity is not keeps_identity, (keeps_identity, page.headers)


# --------------------------------------------------------------------------- other pages


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_that_ignore_the_link_still_survive_any_link(live_room, name):
    page, title_key = PAGES[name]
    # These pages keep nothing from the link, so one session serves every example.
    session = AppTest.from_file(FRAME, default_timeout=60).run()

    @examples(EXAMPLES[name])
    @given(query=params)
    def check(query: dict) -> None:
        started = time.monotonic()
        at = on_page(page, query, session)
        no_markup_from_the_link(at, name, started)
        assert [t.value for t in at.title] == [CONTENT.text(title_key)]

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
    MEASURED.add(ENTRY, read_query_examples=1)
