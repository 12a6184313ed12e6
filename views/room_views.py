"""The live room's three views: lobby, facilitator dashboard and participant form.

Secrets stay off the screen: the facilitator's key and a participant's identity live in
HttpOnly cookies set by the app's own routes (web/), read here with `st.context.cookies`,
never in a link. The dashboard is pushed: a tiny component listens to the room's event
stream and reruns only the dashboard fragment when something changed.
"""

from __future__ import annotations

import io
import ipaddress
import secrets
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import segno
import streamlit as st

from explorer import Content, evaluate
from explorer.export import answers_csv
from explorer.figures import (
    COACHING_COLOUR,
    MENTORING_COLOUR,
    NEEDS_COLOUR,
    Band,
    approach_traces,
    distribution_bar,
    extra_trace,
    radar,
)
from explorer.room_stats import RoomStats, room_stats
from explorer.rooms import (
    Client,
    Room,
    RoomError,
    RoomFull,
    RoomStore,
    StoreUnavailable,
    facilitator_cookie,
    normalise_code,
    participant_cookie,
)
from views import panels
from views.inputs import input_slider
from views.links import app_url
from views.presenter import is_presenter
from views.room_live import navigate, room_updates
from views.text import as_text
from web.service import RoomService, room_service

SAFETY_REFRESH_S = 60  # a dropped stream still catches up; the stream itself is the push
SESSION_KEY = "_room_session"
STAGE_KEY = "room_stage"


@st.cache_resource(show_spinner=False)
def _service() -> RoomService:
    return room_service()


def get_store(content: Content) -> RoomStore:
    """The shared room store; a clear message (not a traceback) if it cannot be opened."""
    try:
        return _service().store
    except (RoomError, ValueError) as err:
        st.error(error_text(content, err))
        st.stop()
        raise


def error_text(content: Content, err: Exception) -> str:
    """A room error in the words of content/ui.yaml (never the exception's own text)."""
    if isinstance(err, RoomError):
        return content.text(f"room_errors.{err.code}", **err.params)
    return content.text("room_errors.room_error")


def client() -> Client:
    """Who this browser is, for the limits: its address and this session."""
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = secrets.token_hex(8)
    ip = st.context.ip_address
    return Client(
        address=ip if isinstance(ip, str) and ip else None, session=st.session_state[SESSION_KEY]
    )


def room_url(code: str) -> str:
    return f"{app_url()}room?{urlencode({'room': code})}"


def join_url(code: str) -> str:
    """What the QR code and the join link open: the route that gives a phone its identity."""
    return f"{app_url()}api/rooms/{code}/join"


def loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --------------------------------------------------------------------------- lobby


def lobby(content: Content, store: RoomStore) -> None:
    """Join by code, or start a room. Problems are shown in place; nothing is lost."""
    st.caption(content.text("room.intro"))
    join, start = st.columns(2, gap="large")
    with join.form("join_room"):
        st.subheader(content.text("room.join_heading"), anchor=False)
        typed = st.text_input(
            content.text("room.code_label"),
            max_chars=12,
            help=content.text("room.code_help"),
            key="join_code",
        )
        if st.form_submit_button(content.text("room.join_button")):
            try:
                room = store.find_room(normalise_code(typed), client())
            except RoomError as err:
                st.error(error_text(content, err))
            else:
                st.query_params.from_dict({"room": room.code})
                st.rerun()
    with start.form("start_room"):
        st.subheader(content.text("room.start_heading"), anchor=False)
        title = st.text_input(content.text("room.title_label"), max_chars=200, key="room_title")
        passphrase = None
        if store.settings.facilitator_passphrase is not None:
            passphrase = st.text_input(
                content.text("room.passphrase_label"), type="password", key="room_passphrase"
            )
        if st.form_submit_button(content.text("room.start_button")):
            try:
                created = store.create_room(title, client=client(), passphrase=passphrase)
                claim = store.create_claim(created.room.code, created.token)
            except RoomError as err:
                st.error(error_text(content, err))
            else:
                st.session_state["room_claim_url"] = f"/api/rooms/claim?c={claim}"
    if url := st.session_state.pop("room_claim_url", None):
        # The claim route sets the facilitator's cookie and comes back to /room?room=CODE.
        st.info(content.text("room.opening"))
        navigate(url, key="room_claim")


# --------------------------------------------------------------------------- facilitator


def browser_cookie(name: str) -> str | None:
    """One cookie this browser sent when it opened the page (HttpOnly ones included)."""
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) else None


def facilitator_token(store: RoomStore, code: str) -> str | None:
    """The facilitator's key from this browser's cookie, if it opens this room."""
    token = browser_cookie(facilitator_cookie(code))
    if isinstance(token, str) and token and store.verify_token(code, token):
        return token
    return None


def facilitator(content: Content, store: RoomStore, room: Room, token: str) -> None:
    """The dashboard: the join view before reveal, the results filling the screen after it
    (switchable), with the controls and a pushed count of who joined and answered."""
    code = room.code
    stage_default = "results" if room.revealed else "join"
    stage = st.session_state.get(f"{STAGE_KEY}_{code}", stage_default)
    if room.title:
        st.subheader(as_text(room.title), anchor=False)
    controls(content, store, room, token)
    if loopback(join_url(code)):
        st.warning(content.text("room.loopback_warning"), icon=":material/wifi_off:")
    if stage == "join":
        join_view(content, code)
    else:
        st.markdown(
            content.text("room.corner", code=code, url=join_url(code)),
            unsafe_allow_html=False,
        )
    dashboard(content, store, code, results_first=stage == "results")
    with st.expander(content.text("room.other_device")):
        st.caption(content.text("room.other_device_help"))
        if st.button(content.text("room.other_device_button"), key="claim_link"):
            claim = store.create_claim(code, token)
            st.code(f"{app_url()}api/rooms/claim?c={claim}", language=None)


def join_view(content: Content, code: str) -> None:
    url = join_url(code)
    qr, details = st.columns([1, 2], gap="large", vertical_alignment="center")
    qr.image(_qr_png(url), width="stretch", caption=content.text("room.qr_caption"))
    with details:
        st.markdown(
            f"{content.text('room.code_caption')} <span class='room-code' "
            "style='font-size:3.5rem;font-weight:800;letter-spacing:0.3rem'>"
            f"{code}</span>",
            unsafe_allow_html=True,
        )
        st.markdown(f"{content.text('room.join_link')} {url}")


@st.cache_data(show_spinner=False, max_entries=256)
def _qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    return buffer.getvalue()


def controls(content: Content, store: RoomStore, room: Room, token: str) -> None:
    stage_key = f"{STAGE_KEY}_{room.code}"
    reveal, stage, close, export = st.columns(4)

    def toggle_reveal() -> None:
        try:
            store.set_revealed(room.code, token, not room.revealed)
        except RoomError as err:
            st.session_state["room_action_error"] = error_text(content, err)
            return
        st.session_state[stage_key] = "join" if room.revealed else "results"
        st.toast(content.text("room.hidden_now" if room.revealed else "room.revealed_now"))

    label = content.text("room.hide" if room.revealed else "room.reveal")
    reveal.button(label, key="reveal", type="primary", on_click=toggle_reveal, width="stretch")
    showing_join = st.session_state.get(stage_key, "results" if room.revealed else "join")
    stage.button(
        content.text("room.show_results" if showing_join == "join" else "room.show_join"),
        key="stage",
        width="stretch",
        on_click=lambda: st.session_state.__setitem__(
            stage_key, "results" if showing_join == "join" else "join"
        ),
    )
    if close.button(content.text("room.close"), key="close", disabled=room.closed, width="stretch"):
        confirm_close(content, store, room, token)
    export.download_button(
        content.text("room.export"),
        lambda: export_csv(content, store.export_answers(room.code, token)),
        file_name=f"room-{room.code}.csv",
        mime="text/csv",
        key="export",
        on_click="ignore",
        width="stretch",
    )
    if message := st.session_state.pop("room_action_error", None):
        st.error(message)


def confirm_close(content: Content, store: RoomStore, room: Room, token: str) -> None:
    @st.dialog(content.text("room.close_title"))
    def ask() -> None:
        st.markdown(content.text("room.close_question"))
        yes, no = st.columns(2)
        if yes.button(content.text("room.close_confirm"), key="close_yes", type="primary"):
            _act(content, lambda: store.close(room.code, token))
        if no.button(content.text("room.close_cancel"), key="close_no"):
            st.rerun()

    ask()


def _act(content: Content, action: Callable[[], object]) -> None:
    """A facilitator action; if the database is busy, say so here and keep the page."""
    try:
        action()
    except RoomError as err:
        st.error(error_text(content, err))
        return
    st.rerun()


def export_csv(content: Content, rows: list[dict[str, str]]) -> str:
    """The answers as CSV: each main input's option id with its readable label beside it,
    the verdict with its headline, and when it was submitted."""
    columns: list[str] = []
    out = []
    for spec in content.main_inputs:
        columns += [spec.id, f"{spec.id}_label"]
    columns += ["verdict", "verdict_label", "submitted_at"]
    for row in rows:
        line: dict[str, str] = {"submitted_at": row.get("submitted_at", "")}
        for spec in content.main_inputs:
            option = row.get(spec.id, "")
            line[spec.id] = option
            line[f"{spec.id}_label"] = (
                spec.option(option).label if option in spec.option_ids else ""
            )
        verdict = row.get("verdict", "")
        line["verdict"] = verdict
        approach = content.verdict.approaches.get(verdict)
        line["verdict_label"] = approach.headline if approach else ""
        out.append(line)
    return answers_csv(out, columns)


@st.fragment(run_every=SAFETY_REFRESH_S)
def dashboard(content: Content, store: RoomStore, code: str, *, results_first: bool) -> None:
    """Counts and, once revealed, the room's picture. Reruns when the room's event stream
    says something changed (and, as a safety net, once a minute)."""
    room_updates(
        code,
        "facilitator",
        key="room_updates",
        live_label=content.text("room_errors.live"),
        offline_label=content.text("room_errors.offline"),
    )
    try:
        snapshot = store.snapshot(code)
    except RoomError as err:  # busy, down or expired: say so; the next change retries
        st.error(error_text(content, err))
        return
    st.markdown(
        content.text("room.counts", joined=snapshot.joined, answered=snapshot.count),
        help=content.text("room.counts_help"),
    )
    if snapshot.room.closed:
        st.info(content.text("room.closed"))
    if not snapshot.room.revealed:
        st.info(content.text("room.hidden"))
        return
    if not snapshot.answers:
        st.info(content.text("room.no_answers"))
        return
    room_picture(content, room_stats(content, snapshot.answers), large=results_first)


def room_picture(content: Content, stats: RoomStats, *, large: bool = False) -> None:
    """The verdict distribution, the average radar with its spread, and where the room
    disagrees most, in words a facilitator can say aloud."""
    presenter = is_presenter() or large
    if stats.skipped:
        st.caption(content.text("room.skipped", count=stats.skipped))
    bars, chart = st.columns([2, 3], gap="large")
    with bars:
        st.markdown(f"#### {content.text('room.distribution_heading')}")
        labels = [content.verdict.approaches[v].headline for v in stats.distribution]
        colours = [MENTORING_COLOUR, COACHING_COLOUR, NEEDS_COLOUR]
        st.plotly_chart(
            distribution_bar(
                labels, list(stats.distribution.values()), colours, presenter=presenter
            ),
            key="room_distribution",
            config={"displayModeBar": False},
        )
        st.markdown(f"#### {content.text('room.disagree_heading')}")
        for dim, _ in stats.disagreement:
            low, high = round(stats.low[dim]), round(stats.high[dim])
            key = "room.disagree_line" if low != high else "room.agree_line"
            label = content.dimension_by_id[dim].label
            st.markdown("- " + content.text(key, dimension=label, low=low, high=high))
        panels.contested(content)
    with chart:
        st.markdown(f"#### {content.text('room.average_heading')}")
        band = Band(content.text("room.spread_band"), stats.low, stats.high)
        average = extra_trace(3, content.text("room.average_trace"), stats.average)
        st.plotly_chart(
            radar(content, [*approach_traces(content), average], presenter=presenter, band=band),
            key="room_radar",
            config={"displayModeBar": False},
        )


# --------------------------------------------------------------------------- participant


def participant_identity(store: RoomStore, code: str) -> str | None:
    """This device's identity in the room (the signed cookie value), if the server issued it."""
    value = browser_cookie(participant_cookie(code))
    if value and store.verify_participant(code, value):
        return value
    return None


def participant(content: Content, store: RoomStore, room: Room) -> None:
    code = room.code
    me = participant_identity(store, code)
    if me is None:
        # The join route gives this device its identity (a cookie) and comes back here.
        st.info(content.text("room.joining"))
        navigate(f"/api/rooms/{code}/join", key="room_join")
        return
    if room.title:
        st.subheader(as_text(room.title), anchor=False)
    joined_key = f"room_joined_{code}"
    if not st.session_state.get(joined_key):
        try:  # only a head count: a busy database must not stop anyone answering
            store.mark_joined(code, me)
            st.session_state[joined_key] = True
        except StoreUnavailable:
            pass
    stored = store.own_answer(code, me) or {}
    previous = {spec.id: stored[spec.id] for spec in content.main_inputs if spec.id in stored}
    previous = previous if len(previous) == len(content.main_inputs) else None
    submitted_key = f"room_submitted_{code}"
    if room.closed:
        st.info(content.text("room.closed"))
    else:
        answer_form(content, store, code, me, previous, submitted_key)
    if previous or st.session_state.get(submitted_key):
        chosen = previous or st.session_state[submitted_key]
        st.success(content.text("room.thanks"))
        panels.verdict_panel(content, evaluate(chosen, content=content))
        panels.contested(content)
    participant_room_picture(content, store, code)


def answer_form(
    content: Content,
    store: RoomStore,
    code: str,
    me: str,
    previous: dict[str, str] | None,
    submitted_key: str,
) -> None:
    st.caption(content.text("room.participant_intro"))
    with st.form("answer"):
        chosen = {}
        for spec in content.main_inputs:
            start = (previous or {}).get(spec.id, spec.default)
            key = f"room_{spec.id}"
            if key not in st.session_state:
                st.session_state[key] = start if start in spec.option_ids else spec.default
            chosen[spec.id] = input_slider(spec, key_prefix="room_")
        answered = previous or st.session_state.get(submitted_key)
        label = content.text("room.update" if answered else "room.submit")
        submitted = st.form_submit_button(label, key="room_submit", type="primary", width="stretch")
    if submitted:
        result = evaluate(chosen, content=content)
        try:
            store.submit(code, me, chosen, result.verdict)
        except RoomFull as err:  # the participant stays in the room, link and all
            st.warning(error_text(content, err))
            return
        except RoomError as err:  # nothing saved; the form above keeps the choices
            st.error(content.text("room.not_saved", reason=error_text(content, err)))
            return
        st.session_state[submitted_key] = dict(result.inputs)
        st.rerun()


@st.fragment(run_every=SAFETY_REFRESH_S)
def participant_room_picture(content: Content, store: RoomStore, code: str) -> None:
    """The room's picture once the facilitator reveals it (pushed on reveal and close)."""
    room_updates(code, "participant", key="room_updates_participant")
    try:
        snapshot = store.snapshot(code)
    except RoomError:
        return
    if snapshot.room.revealed and snapshot.answers:
        st.divider()
        room_picture(content, room_stats(content, snapshot.answers))
