"""A page on another port of the same host cannot take over a facilitator or a participant.

Cookies ignore ports, so a page served from http://127.0.0.1:OTHER is same-site with the
app at http://127.0.0.1:APP: its requests carry the app's SameSite=Strict cookies, and its
script can set cookies for the app's host. Issue 24 (High 1) opened Streamlit's WebSocket
from such a page with a facilitator's cookies and read the whole dashboard. Here, in one
Chromium profile holding a facilitator's cookie:

- the other page's WebSocket to ``/_stcore/stream`` is refused (the app checks ``Origin``);
- its POST of an answer is refused, and so is its request for a fresh identity;
- an identity cookie it plants is never used to store the participant's answer, so the
  planted identity reads back nothing;
- a claim link it sends the browser to asks before it signs the browser in.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from rooms import facilitator_cookie, participant_cookie
from rooms.addresses import claim_path
from testkit.server import HOST, free_port
from tests.support.measurements import family

from .room_support import CONTENT, choose, create_room, join_room, submit

MEASURED = family("security")

ATTACK_JS = """async (app) => {
  const result = {};
  result.websocket = await new Promise((done) => {
    const ws = new WebSocket(app.replace("http", "ws") + "/_stcore/stream", ["streamlit"]);
    ws.binaryType = "arraybuffer";
    let messages = 0;
    ws.onopen = () => {};
    ws.onmessage = () => { messages += 1; };
    ws.onerror = () => done({ opened: ws.readyState === 1, messages });
    ws.onclose = (event) => done({ opened: false, code: event.code, messages });
    setTimeout(() => { done({ opened: ws.readyState === 1, messages }); ws.close(); }, 5000);
  });
  return result;
}"""

POST_JS = """async ([url, body]) => {
  try {
    const response = await fetch(url, {
      method: "POST", mode: "no-cors", credentials: "include",
      headers: { "Content-Type": "text/plain" }, body,
    });
    return response.type;
  } catch (error) { return "failed: " + error; }
}"""


@pytest.fixture
def other_port_page(tmp_path: Path) -> Iterator[str]:
    """An empty page served from another port of the same host (the attacker's)."""
    (tmp_path / "index.html").write_text("<!doctype html><title>other</title>", encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer((HOST, free_port()), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_a_page_on_another_port_cannot_open_the_facilitator_s_stream_or_post_for_them(
    new_page, app_server, other_port_page, app_store
):
    facilitator = new_page("presenter")
    code = create_room(facilitator, app_server, "Same host")
    attacker = facilitator.context.new_page()  # same profile: the facilitator's cookies
    attacker.goto(other_port_page)
    seen = attacker.evaluate(ATTACK_JS, app_server)["websocket"]
    answer_url = f"{app_server}/api/rooms/{code}/answer"
    body = '{"goal":"specific","timeframe":"weeks","stage":"mid","structure":"formal"}'
    posted = attacker.evaluate(POST_JS, [answer_url, body])
    identity = attacker.evaluate(POST_JS, [f"{app_server}/api/rooms/{code}/identity", "{}"])
    stored = app_store.snapshot(code).count
    MEASURED.set(
        "same_host",
        websocket_opened_from_another_port=int(bool(seen.get("opened"))),
        messages_received_by_another_port=seen.get("messages", 0),
        answers_stored_from_another_port=stored,
    )
    assert not seen.get("opened") and seen.get("messages", 0) == 0, seen
    assert posted in ("opaque", "") or posted.startswith("failed"), posted
    assert identity in ("opaque", "") or identity.startswith("failed"), identity
    assert stored == 0
    # The facilitator's own page still works.
    facilitator.reload()
    facilitator.get_by_role("button", name=CONTENT.text("room.reveal")).wait_for()


def test_an_identity_planted_from_another_port_never_holds_the_participant_s_answer(
    new_page, app_server, other_port_page, app_store
):
    code = app_store.create_room("Planted").room.code
    attacker_phone = new_page("phone")
    join_room(attacker_phone, app_server, code)
    planted = next(
        c["value"]
        for c in attacker_phone.context.cookies()
        if c["name"] == participant_cookie(code)
    )
    victim = new_page("phone")
    plant = victim.context.new_page()
    plant.goto(other_port_page)
    plant.evaluate(
        "([name, value]) => { document.cookie = `${name}=${value}; path=/`; }",
        [participant_cookie(code), planted],
    )
    assert any(c["value"] == planted for c in victim.context.cookies())  # planted for the app
    join_room(victim, app_server, code)
    choose(victim, {"goal": "specific", "structure": "formal"})
    submit(victim)
    held = next(c for c in victim.context.cookies() if c["name"] == participant_cookie(code))
    read_by_planted = app_store.own_answer(code, planted)
    MEASURED.set(
        "planted_identity",
        answers_readable_by_the_planted_identity=int(read_by_planted is not None),
        participant_kept_the_planted_identity=int(held["value"] == planted),
    )
    assert read_by_planted is None
    assert held["value"] != planted and held["httpOnly"]
    assert (app_store.own_answer(code, held["value"]) or {}).get("goal") == "specific"
    with contextlib.suppress(Exception):
        plant.close()


def test_a_claim_link_another_page_sends_the_browser_to_asks_before_it_signs_in(
    new_page, app_server, other_port_page, app_store
):
    """Login CSRF (issue 24, Low): the attacker's own claim link, opened from its page,
    would have signed the victim's browser into the attacker's dashboard."""
    created = app_store.create_room("Attacker's room")
    code = created.room.code
    claim_link = f"{app_server}{claim_path(app_store.create_claim(code, created.token))}"
    victim = new_page("desktop")
    victim.goto(other_port_page)
    victim.evaluate("(link) => { window.location.href = link; }", claim_link)
    victim.wait_for_url("**/api/rooms/claim?**")
    victim.get_by_role("heading", name=CONTENT.text("room.claim_confirm_title")).wait_for()
    signed_in = any(c["name"] == facilitator_cookie(code) for c in victim.context.cookies())
    MEASURED.set("login_csrf", signed_in_by_another_page=int(signed_in))
    assert not signed_in
    # The person who did make the link continues from the question: then it opens.
    victim.get_by_role("link", name=CONTENT.text("room.claim_confirm_button")).click()
    victim.wait_for_url(f"**/room?room={code}")
    victim.get_by_role("button", name=CONTENT.text("room.reveal")).wait_for()
    assert any(c["name"] == facilitator_cookie(code) for c in victim.context.cookies())
