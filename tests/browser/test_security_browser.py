"""The attacks of a live workshop, tried in Chromium against the real app (issue 15).

Keys off the screen (the facilitator's address bar, history and page hold no key), the
identity on the phone (a forwarded link is someone else's seat, never this one's), a
Content-Security-Policy the app works under (no violation on any registered page or in
a room), no framing from another origin, a class of 60 behind one address answering
while a code-guesser in the same class stays stopped, and a stuffing client that cannot
add answers while real participants still can.

"One address" is simulated with an `X-Forwarded-For` header on every request of a
browser context (WebSocket included): the app's server trusts that header from
127.0.0.1 only, as it would from a proxy on the same machine (docs/deploy.md).
"""

from __future__ import annotations

import math
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Page, expect

from testkit.server import free_port
from tests.support.measurements import family
from views.registry import PAGES
from web.headers import CONTENT_SECURITY_POLICY

from .conftest import serving, wait_for_app
from .room_support import (
    CONTENT,
    DISTRIBUTION,
    JOIN_URL_RE,
    PHONE_PICTURE,
    PHONE_RECEIPT,
    SUBMIT_NAME,
    RestartableServer,
    ScriptRuns,
    SecurityWatch,
    choose,
    create_room,
    dashboard_counts,
    http_get,
    join_room,
    join_url,
    submit,
    wait_for_answered,
)

pytestmark = pytest.mark.browser
MEASURED = family("security")

CLASS_SIZE = 60
PARALLEL_PHONES = 6  # the class joins six at a time (each a fresh device: no cookies)
CLASS_ADDRESS = "203.0.113.50"  # one NAT for the whole class (TEST-NET-3)
GUESSES_PER_MINUTE = 10  # EXPLORER_MAX_CODE_LOOKUPS_PER_MINUTE (per browser session)
GUESS_CODES = (f"ZZZZ{a}{b}" for a in "23456789" for b in "23456789")
FRAME_WAIT_MS = 15_000  # the control frame renders the app well within this
REFUSED = "chrome-error://"  # what a frame that Chromium refused to load shows
# A page of the app in a frame: Streamlit's, or one of the light pages of its own routes
# (web/templates/base.html: the participant page, the join lobby, a message).
APP_IN_FRAME = '[data-testid="stApp"], main.page'
NOT_FOUND = CONTENT.text("room_errors.room_not_found")
TOO_MANY = CONTENT.text("room_errors.too_many_attempts")
ROOM_FULL = CONTENT.text("room_errors.room_full")
PAGE_READY = "body[data-ready=true]"  # the participant page's script is running


def _cookie(page: Page, name: str) -> dict:
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert name in cookies, f"no {name}: {sorted(cookies)}"
    return cookies[name]


# --------------------------------------------------------------------------- keys, ids


def test_the_facilitator_s_key_never_reaches_the_address_bar_history_or_page(new_page, app_server):
    facilitator = new_page("presenter")
    urls: list[str] = []
    facilitator.on("request", lambda r: urls.append(r.url))
    code = create_room(facilitator, app_server, "Keys off the screen")
    assert urlsplit(facilitator.url).query == f"room={code}"  # the address bar
    key = _cookie(facilitator, f"explorer_facilitator_{code}")
    assert key["httpOnly"] and key["sameSite"] == "Strict" and key["path"] == "/"
    token = key["value"]
    assert len(token) >= 16
    assert token not in facilitator.content()  # not on the page
    assert "explorer_facilitator" not in facilitator.evaluate("document.cookie")  # nor to JS
    holding_key = [u for u in urls if token in u]
    MEASURED.set(
        "facilitator_key",
        addresses_requested=len(urls),
        addresses_holding_the_key=len(holding_key),
        key_in_address_bar=int(token in facilitator.url),
        key_in_page=int(token in facilitator.content()),
    )
    assert not holding_key  # nor in any address the browser asked for
    claims = [u for u in urls if "/api/rooms/claim" in u]
    assert len(claims) == 1, claims
    # The one-time claim the lobby went through is spent: the history entry is useless.
    reuse = http_get(claims[0]).status
    MEASURED.set("facilitator_key", spent_claim_reuse_status=reuse)
    assert reuse == 410
    facilitator.go_back()
    facilitator.wait_for_url(re.compile(r"/room$"))
    assert "c=" not in facilitator.url


def test_a_participant_s_identity_stays_on_the_phone_and_a_forwarded_link_is_a_new_seat(
    new_page, app_server
):
    facilitator = new_page("presenter")
    code = create_room(facilitator, app_server, "Identity on the phone")
    mine = new_page("phone")
    join_room(mine, app_server, code)
    assert urlsplit(mine.url).path == f"/j/{code}" and not urlsplit(mine.url).query
    identity = _cookie(mine, f"explorer_participant_{code}")
    assert identity["httpOnly"] and identity["sameSite"] == "Strict"
    assert identity["value"] not in mine.content()
    choose(mine, {"goal": "specific", "timeframe": "weeks", "structure": "formal"})
    submit(mine)  # until the phone shows the answer as stored
    expect(mine.locator(PHONE_RECEIPT)).to_be_visible()
    wait_for_answered(facilitator, 1)

    # Someone is sent the link - even the old kind, with the identity in it.
    forwarded = new_page("phone")
    forwarded.goto(f"{app_server}/room?room={code}&participant={quote(identity['value'], safe='')}")
    forwarded.wait_for_url(re.compile(rf"/j/{code}$"), timeout=30_000)
    forwarded.wait_for_selector(PAGE_READY)
    assert identity["value"] not in forwarded.url
    expect(forwarded.get_by_role("button", name=CONTENT.text("room.submit"))).to_be_visible()
    expect(forwarded.locator(PHONE_RECEIPT)).to_be_hidden()  # nothing of the first answer
    theirs = _cookie(forwarded, f"explorer_participant_{code}")["value"]
    assert theirs != identity["value"]
    submit(forwarded)
    expect(forwarded.locator(PHONE_RECEIPT)).to_be_visible()
    wait_for_answered(facilitator, 2)  # a second answer: the first one was not replaced
    MEASURED.set(
        "participant_identity",
        identity_in_address=int(identity["value"] in mine.url),
        forwarded_link_took_over_the_seat=int(theirs == identity["value"]),
        answers_after_forwarding=dashboard_counts(facilitator)[1],
    )
    mine.reload()
    mine.wait_for_selector(PAGE_READY)
    expect(mine.get_by_role("button", name=CONTENT.text("room.update"))).to_be_visible()
    expect(mine.locator(PHONE_RECEIPT)).to_be_visible()  # their own answer, still theirs


# --------------------------------------------------------------------------- CSP, framing


def _watched(new_page, viewport: str = "desktop", **options) -> tuple[Page, SecurityWatch]:
    page = new_page(viewport, **options)
    return page, SecurityWatch().attach(page.context)


@pytest.mark.timeout(600)
def test_no_registered_page_and_no_room_view_violates_the_content_security_policy(
    new_page, app_server
):
    # The watcher catches a violation when there is one (here, one we cause ourselves).
    page, watch = _watched(new_page)
    response = page.goto(f"{app_server}/how-it-works")
    assert response is not None
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    wait_for_app(page)
    page.evaluate(
        "() => { const i = document.createElement('img');"
        " i.src = 'http://127.0.0.2:9/blocked.png'; document.body.appendChild(i); }"
    )
    deadline = time.monotonic() + 5
    while not watch.violations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert [v["directive"] for v in watch.violations] == ["img-src"], watch.problems()

    problems: dict[str, list[str]] = {}
    for spec in PAGES:
        page, watch = _watched(new_page)
        page.goto(f"{app_server}/{spec.url_path}")
        wait_for_app(page)
        if spec.url_path == "":  # the live explorer component: move a slider
            slider = page.get_by_role("slider").first
            slider.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(500)
            wait_for_app(page)
        problems[spec.url_path or "/"] = watch.problems()

    facilitator, fac_watch = _watched(new_page, "presenter")
    code = create_room(facilitator, app_server, "CSP")
    phone, phone_watch = _watched(new_page, "phone")
    join_room(phone, app_server, code)
    submit(phone)
    wait_for_answered(facilitator, 1)
    facilitator.get_by_role("button", name=CONTENT.text("room.reveal")).click()
    expect(facilitator.locator(DISTRIBUTION)).to_have_count(1)
    expect(phone.locator(PHONE_PICTURE)).to_be_visible()  # the phone draws the picture too
    wait_for_app(facilitator)
    problems["room (facilitator)"] = fac_watch.problems()
    problems["room (participant)"] = phone_watch.problems()
    MEASURED.set(
        "content_security_policy",
        views_watched=len(problems),
        violations=sum(len(v) for v in problems.values()),
    )
    assert {k: v for k, v in problems.items() if v} == {}


def _attacker(page: Page, app_server: str, path: str) -> tuple[str, str]:
    """A page on another loopback origin that frames `path` of the app (and, as a
    control, a page of its own origin). Served by Playwright: nothing leaves the box."""
    origin = f"http://127.0.0.1:{free_port()}"
    html = (
        "<!doctype html><title>attacker</title>"
        f'<iframe id="app" src="{app_server}{path}" width="800" height="600"></iframe>'
        f'<iframe id="control" src="{origin}/own.html" width="200" height="100"></iframe>'
    )
    page.context.route(
        f"{origin}/**",
        lambda route: route.fulfill(
            content_type="text/html",
            body=html if route.request.url.endswith("/attack.html") else "<p>own page</p>",
        ),
    )
    return origin, f"{origin}/attack.html"


def _without_frame_headers(route) -> None:
    """The app's response with its anti-framing headers taken off (the control run)."""
    response = route.fetch()
    headers = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in ("x-frame-options", "content-security-policy")
    }
    route.fulfill(response=response, headers=headers)


def _framed_app(page: Page, app_server: str, path: str) -> int:
    """Open an attacker page framing `path`; how many pages of the app render in the frame."""
    _, attack = _attacker(page, app_server, path)
    page.goto(attack)
    control = page.frame_locator("#control")
    expect(control.get_by_text("own page")).to_be_visible()  # framing works in general
    frame = page.locator("#app").element_handle().content_frame()
    assert frame is not None
    deadline = time.monotonic() + FRAME_WAIT_MS / 1000
    while time.monotonic() < deadline:  # until the app renders, or Chromium refuses
        if frame.locator(APP_IN_FRAME).count() or frame.url.startswith(REFUSED):
            break
        page.wait_for_timeout(100)
    return frame.locator(APP_IN_FRAME).count()


def test_no_page_of_the_app_can_be_framed_by_another_origin(new_page, app_server):
    # Control: without its headers, the app renders in the attacker's frame (so a frame
    # with no app in it below means the headers stopped it, not a slow load).
    page = new_page("desktop")
    page.context.route(f"{app_server}/room", _without_frame_headers)
    assert _framed_app(page, app_server, "/room") == 1
    page = new_page("desktop")  # and the light pages of the app's own routes
    page.context.route(f"{app_server}/j", _without_frame_headers)
    assert _framed_app(page, app_server, "/j") == 1
    paths = [f"/{spec.url_path}" for spec in PAGES] + ["/room?room=ABCDEF", "/j", "/j/ABCDEF"]
    framed = {path: _framed_app(new_page("desktop"), app_server, path) for path in paths}
    MEASURED.set("framing", pages_tried=len(framed), pages_framed=sum(framed.values()))
    assert not [path for path, n in framed.items() if n], framed


# --------------------------------------------------------------------------- limits


def _guess(page: Page, runs: ScriptRuns, code: str) -> str:
    """One try at the lobby's "Join a room" form; the message the app answers with."""
    before = len(runs.finished)
    page.get_by_role("textbox", name=CONTENT.text("room.code_label")).fill(code)
    page.get_by_role("button", name=CONTENT.text("room.join_button")).click()
    deadline = time.monotonic() + 30
    while len(runs.finished) == before and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # Playwright delivers the websocket frames meanwhile
    assert len(runs.finished) > before, "the lookup never ran"
    wait_for_app(page)
    alert = page.get_by_role("alert").filter(
        has_text=re.compile(f"{re.escape(NOT_FOUND)}|{re.escape(TOO_MANY)}")
    )
    expect(alert).to_have_count(1)
    return TOO_MANY if TOO_MANY in alert.inner_text() else NOT_FOUND


def _guess_until_stopped(page: Page, runs: ScriptRuns, log: list[tuple[float, str]]) -> None:
    for _ in range(GUESSES_PER_MINUTE + 1):  # bounded: the limit is 10 a minute
        answer = _guess(page, runs, next(GUESS_CODES))
        log.append((time.monotonic(), answer))
        if answer == TOO_MANY:
            return
    raise AssertionError(f"the guesser was never stopped: {log}")


@pytest.mark.timeout(900)
def test_sixty_participants_behind_one_address_answer_while_a_code_guesser_stays_stopped(
    new_page, app_server
):
    facilitator = new_page("presenter")
    code = create_room(facilitator, app_server, "One NAT")
    same_nat = {"extra_http_headers": {"X-Forwarded-For": CLASS_ADDRESS}}
    guesser = new_page("desktop", **same_nat)
    runs = ScriptRuns().attach(guesser)
    guesser.goto(f"{app_server}/room")
    wait_for_app(guesser)
    guesses: list[tuple[float, str]] = []
    _guess_until_stopped(guesser, runs, guesses)
    assert [a for _, a in guesses].count(NOT_FOUND) == GUESSES_PER_MINUTE

    phones = [new_page("phone", **same_nat) for _ in range(PARALLEL_PHONES)]
    started = time.monotonic()
    answered = 0
    for _ in range(math.ceil(CLASS_SIZE / PARALLEL_PHONES)):
        batch = phones[: min(PARALLEL_PHONES, CLASS_SIZE - answered)]
        for phone in batch:  # a new device each time: no identity cookie yet
            phone.context.clear_cookies()
            phone.goto(join_url(app_server, code), wait_until="commit")
        for phone in batch:
            phone.wait_for_selector(PAGE_READY, timeout=120_000)
            choose(phone, {"goal": "specific"})
            submit(phone)  # until the phone shows the answer as stored
        for phone in batch:
            expect(phone.locator(PHONE_RECEIPT)).to_be_visible()
            expect(phone.get_by_text(ROOM_FULL)).to_have_count(0)
        answered += len(batch)
        _guess_until_stopped(guesser, runs, guesses)  # and the guesser is stopped again
    elapsed = time.monotonic() - started
    wait_for_answered(facilitator, CLASS_SIZE, timeout_ms=60_000)
    assert dashboard_counts(facilitator) == (CLASS_SIZE, CLASS_SIZE)

    # In any minute the guesser got at most its 10 answers; every other try was refused.
    found = [t for t, a in guesses if a == NOT_FOUND]
    for i, at in enumerate(found):
        in_window = [t for t in found[i:] if t - at < 60]
        assert len(in_window) <= GUESSES_PER_MINUTE, (len(in_window), guesses)
    assert guesses[-1][1] == TOO_MANY
    MEASURED.set(
        "one_address_class_and_guesser",
        class_size=CLASS_SIZE,
        answered=dashboard_counts(facilitator)[1],
        seconds_to_answer=round(elapsed, 1),
        guesser_lookups_answered=len(found),
        guesser_tries_refused=len(guesses) - len(found),
        guesser_max_lookups_in_a_minute=max(
            (len([t for t in found[i:] if t - at < 60]) for i, at in enumerate(found)),
            default=0,
        ),
    )


@pytest.fixture
def small_room_server(tmp_path: Path) -> Iterator[str]:
    """A server whose rooms have 12 seats and whose addresses get 4 identities a room:
    small numbers, so that a stuffer would visibly fill a room if it could (the stuffer's
    4 devices take 4 seats, the 5 real participants 5 more)."""
    server = RestartableServer(
        env={
            "EXPLORER_DATA_DIR": str(tmp_path),
            "EXPLORER_MAX_ANSWERS_PER_ROOM": "12",
            "EXPLORER_MAX_IDENTITIES_PER_ADDRESS": "4",
        },
        logs=tmp_path / "logs",
    )
    with serving(server):
        yield server.url


@pytest.mark.timeout(600)
def test_a_stuffing_client_cannot_add_answers_and_real_participants_still_can(
    new_page, small_room_server
):
    base = small_room_server
    facilitator = new_page("presenter")
    code = create_room(facilitator, base, "Stuffing")
    stuffer = {"extra_http_headers": {"X-Forwarded-For": "198.51.100.66"}}

    # Old-style links, each with a made-up participant id: one device is one seat.
    device = new_page("desktop", **stuffer)
    for n in range(5):
        device.goto(f"{base}/room?room={code}&participant=stuffer{n:04d}xyz")
        device.wait_for_url(JOIN_URL_RE, timeout=30_000)
        device.wait_for_selector(PAGE_READY)
        submit(device)  # until the page shows the answer as stored
        expect(device.locator(PHONE_RECEIPT)).to_be_visible()
    wait_for_answered(facilitator, 1)

    # Forged identity cookies are not identities: the join link treats the device as a
    # new one and would give it an identity of its own (here it refuses: the address's
    # allowance of new identities for this room is used up below).
    issued = refused = 0
    for _ in range(30):  # raw HTTP joins, never keeping a cookie
        reply = http_get(join_url(base, code), headers=stuffer["extra_http_headers"])
        issued += any(c.startswith(f"explorer_participant_{code}=") for c in reply.cookies())
        refused += reply.status == 429
        assert reply.status in (200, 429)
    MEASURED.set("stuffing", raw_joins_tried=30, identities_issued=issued, joins_refused=refused)
    assert issued <= 4 - 1, issued  # 4 a room per address, one already taken above
    assert refused >= 30 - 3, refused
    for n in range(3):
        forged = new_page("desktop", **stuffer)
        value = f"{secrets.token_urlsafe(12)}.{secrets.token_urlsafe(32)}"
        forged.context.add_cookies(
            [{"name": f"explorer_participant_{code}", "value": value, "url": base}]
        )
        joins: list[str] = []
        forged.on("request", lambda r, j=joins: "/j/" in r.url and j.append(r.url))
        forged.goto(f"{base}/room?room={code}")
        forged.wait_for_url(JOIN_URL_RE, timeout=30_000)
        expect(forged.get_by_role("alert")).to_have_text(TOO_MANY)
        expect(forged.get_by_role("button", name=SUBMIT_NAME)).to_have_count(0)
        assert joins, n
    # Every identity issued is a device that opened the page (counted as joined, as a
    # phone that opens the link is); none of them added an answer.
    after_stuffing = dashboard_counts(facilitator)
    assert after_stuffing == (1 + issued, 1)

    # Real participants, each on their own phone and network, all get their answer in.
    real = 5
    for n in range(real):
        phone = new_page("phone", extra_http_headers={"X-Forwarded-For": f"203.0.113.{n + 1}"})
        join_room(phone, base, code)
        submit(phone)  # until the phone shows the answer as stored
        expect(phone.locator(PHONE_RECEIPT)).to_be_visible()
        expect(phone.get_by_text(ROOM_FULL)).to_have_count(0)
    wait_for_answered(facilitator, 1 + real)
    MEASURED.set(
        "stuffing",
        answers_after_stuffing=after_stuffing[1],
        real_participants=real,
        answers_after_real_participants=dashboard_counts(facilitator)[1],
    )
