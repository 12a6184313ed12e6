"""The live room's Streamlit views: the lobby and the facilitator's dashboard (a participant
goes on to the light participant page, web/participant.py).

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
from urllib.parse import urlsplit

import plotly.graph_objects as go
import segno
import streamlit as st

from explorer import Content
from explorer.render.figures import (
    COACHING_COLOUR,
    MENTORING_COLOUR,
    NEEDS_COLOUR,
    Band,
    approach_traces,
    distribution_bar,
    extra_trace,
    radar,
)
from rooms import (
    Client,
    Room,
    RoomError,
    RoomStore,
    facilitator_cookie,
    normalise_code,
    participant_cookie,
)
from rooms.addresses import claim_path, join_path
from rooms.export import answers_csv
from rooms.services import Held, RoomService, room_service
from rooms.statistics import RoomStats, room_stats
from views import panels
from views.links import app_url
from views.presenter import is_presenter, kept_in_link
from views.room_live import navigate, room_updates
from views.text import title_html

# While a pushed update reruns the dashboard, Streamlit dims the old picture (after 0.5 s)
# until the new one is drawn; on a projector during a burst of answers that reads as
# flicker. The picture on screen stays correct until it is replaced, so it is not dimmed.
STEADY_DASHBOARD_CSS = """
<style>
.st-key-room_dashboard [data-stale="true"] { opacity: 1 !important; transition: none !important; }
</style>
"""
SAFETY_REFRESH_S = 60  # a dropped stream still catches up; the stream itself is the push
RESULTS_RADAR_HEIGHT = 410  # x1.6 on a projector: 656 px
SESSION_KEY = "_room_session"
STAGE_KEY = "room_stage"
CONFIRM_KEY = "room_confirm_close"
ERROR_KEY = "room_action_error"
FEEDBACK_KEY = "room_feedback"
DELETED_KEY = "room_deleted"


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


def keep_only_the_room_in_the_address() -> None:
    """A room's address is `?room=CODE` and nothing else: an old link's key or identity
    (`token=`, `participant=`) is dropped from the address bar, never shown or used."""
    kept = {k: st.query_params[k] for k in ("room", "presenter") if k in st.query_params}
    if set(st.query_params) - set(kept):
        st.query_params.from_dict(kept)


KNOWN_ROOMS = "_known_rooms"


def open_room(code: str) -> Room:
    """The room at `code`: looked up directly for a room this session already opened or a
    browser holding this room's key or identity, otherwise as a guess (rooms.services)."""
    known = st.session_state.setdefault(KNOWN_ROOMS, set())
    held = Held(
        key=browser_cookie(facilitator_cookie(code)) or "",
        identity=browser_cookie(participant_cookie(code)) or "",
    )
    room = _service().open_room(code, client(), held, known=code in known)
    known.add(room.code)
    return room


def join_url(code: str) -> str:
    """What the QR code and the join link open: the participant page, which gives a phone
    its identity."""
    return f"{app_url()}{join_path(code).lstrip('/')}"


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
    deleted_notice(content)
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
                room = open_room(normalise_code(typed))
            except RoomError as err:
                st.error(error_text(content, err))
            else:
                st.query_params.from_dict({"room": room.code, **kept_in_link()})
                st.rerun()
    with start.form("start_room"):
        st.subheader(content.text("room.start_heading"), anchor=False)
        title = st.text_input(content.text("room.title_label"), max_chars=200, key="room_title")
        seats = st.number_input(
            content.text("room.seats_label"),
            min_value=1,
            max_value=store.settings.max_answers_per_room,
            value=store.settings.new_room_seats,
            step=1,
            help=content.text("room.seats_help"),
            key="room_seats",
        )
        passphrase = None
        if store.settings.facilitator_passphrase is not None:
            passphrase = st.text_input(
                content.text("room.passphrase_label"), type="password", key="room_passphrase"
            )
        if st.form_submit_button(content.text("room.start_button")):
            try:
                created = store.create_room(
                    title, seats=int(seats), client=client(), passphrase=passphrase
                )
                claim = store.create_claim(created.room.code, created.token)
            except RoomError as err:
                st.error(error_text(content, err))
            else:
                # Presenter view goes through the claim route (a new page load) and back.
                st.session_state["room_claim_url"] = claim_path(claim, presenter=is_presenter())
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
    """The facilitator's dashboard: one fragment, rerun by its own controls and by the
    room's pushed changes, so that a click and a push never race a full-page run."""
    st.html(STEADY_DASHBOARD_CSS)
    with st.container(key="room_dashboard"):
        dashboard(content, store, room.code, token)


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
    """Reveal/hide, the stage switch, close (asks first, in place) and the CSV download;
    below them, an error of the last action and the close confirmation.

    The outcome of an action is shown in the dashboard itself (beside the counts), not as
    a toast: these run inside the dashboard fragment, and a toast sent from a fragment run
    takes the first place of the page's event container - where the page's style-only
    st.html elements live - and so removes the app's own CSS."""
    stage_key = f"{STAGE_KEY}_{room.code}"
    confirm_key = f"{CONFIRM_KEY}_{room.code}"
    reveal, stage, close, export = st.columns(4)

    def act(action: Callable[[], object], feedback: str | None = None) -> bool:
        """Run a facilitator action; its outcome stays on screen until the next one
        (pushed reruns come and go meanwhile)."""
        st.session_state.pop(ERROR_KEY, None)
        st.session_state.pop(FEEDBACK_KEY, None)
        try:
            action()
        except RoomError as err:
            st.session_state[ERROR_KEY] = error_text(content, err)
            return False
        if feedback:  # shown beside the counts; not a toast, see controls()
            st.session_state[FEEDBACK_KEY] = feedback
        return True

    def toggle_reveal() -> None:
        feedback = content.text("room.hidden_now" if room.revealed else "room.revealed_now")
        if act(lambda: store.set_revealed(room.code, token, not room.revealed), feedback):
            st.session_state[stage_key] = "join" if room.revealed else "results"

    def close_room() -> None:
        st.session_state[confirm_key] = False
        act(lambda: store.close(room.code, token))

    label = content.text("room.hide" if room.revealed else "room.reveal")
    reveal.button(label, key="reveal", type="primary", on_click=toggle_reveal, width="stretch")
    showing_join = stage_of(room) == "join"
    stage.button(
        content.text("room.show_results" if showing_join else "room.show_join"),
        key="stage",
        width="stretch",
        on_click=lambda: st.session_state.__setitem__(
            stage_key, "results" if showing_join else "join"
        ),
    )
    close.button(
        content.text("room.close"),
        key="close",
        disabled=room.closed,
        width="stretch",
        on_click=lambda: st.session_state.__setitem__(confirm_key, True),
    )
    export.download_button(
        content.text("room.export"),
        lambda: export_csv(content, store.export_answers(room.code, token)),
        file_name=f"room-{room.code}.csv",
        mime="text/csv",
        key="export",
        on_click="ignore",
        width="stretch",
    )
    with st.container():  # always here, so that nothing below moves when it fills
        if message := st.session_state.get(ERROR_KEY):
            st.error(message)
        if st.session_state.get(confirm_key) and not room.closed:
            # Asked in place: a dialog would be a second fragment beside the pushed one.
            with st.container(border=True, key="close_confirmation"):
                st.markdown(
                    f"**{content.text('room.close_title')}** {content.text('room.close_question')}"
                )
                yes, no, _ = st.columns([1, 1, 2])
                yes.button(
                    content.text("room.close_confirm"),
                    key="close_yes",
                    type="primary",
                    on_click=close_room,
                    width="stretch",
                )
                no.button(
                    content.text("room.close_cancel"),
                    key="close_no",
                    on_click=lambda: st.session_state.__setitem__(confirm_key, False),
                    width="stretch",
                )


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


def stage_of(room: Room) -> str:
    """What the dashboard shows: "join" (QR code and code) or "results" (the picture
    filling the screen); results once revealed, unless the facilitator switched."""
    default = "results" if room.revealed else "join"
    return str(st.session_state.get(f"{STAGE_KEY}_{room.code}", default))


@st.fragment(run_every=SAFETY_REFRESH_S)
def dashboard(content: Content, store: RoomStore, code: str, token: str) -> None:
    """The whole facilitator view. Reruns on its own controls, when the room's event
    stream says something changed, and (a safety net) once a minute."""

    def live_dot() -> None:
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
        live_dot()
        st.error(error_text(content, err))
        return
    room = snapshot.room
    stage = stage_of(room)
    if room.title:
        st.html(title_html(room.title))
    controls(content, store, room, token)
    with st.container():
        if stage == "join":
            # With the link and the QR code: a loopback link cannot be opened by any phone.
            if loopback(join_url(code)):
                st.warning(content.text("room.loopback_warning"), icon=":material/wifi_off:")
            join_view(content, code)
    # One line: the live dot, the counts, and (results first) the code small, for latecomers.
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        live_dot()
        counts = content.text(
            "room.counts", joined=snapshot.joined, answered=snapshot.count, seats=room.seats
        )
        st.markdown(counts, help=content.text("room.counts_help"), width="content")
        if stage == "results":
            st.markdown(content.text("room.corner", code=code, url=join_url(code)))
        if feedback := st.session_state.get(FEEDBACK_KEY):  # the last action's outcome
            st.caption(f":material/check_circle: {feedback}", width="content")
    with st.container():
        if room.closed:
            st.info(content.text("room.closed"))
        else:
            seats_notice(content, room, snapshot.joined)
        if not room.revealed:
            st.info(content.text("room.hidden"))
        elif not snapshot.answers:
            st.info(content.text("room.no_answers"))
        else:
            stats = room_stats(content, snapshot.answers)
            room_picture(content, stats, large=stage == "results")
    room_size(content, store, room, token)
    other_device(content, store, code, token)
    delete_now(content, store, code, token)


NEARLY_FULL = 0.9  # of the seats taken: time to tell the facilitator


def seats_notice(content: Content, room: Room, joined: int) -> None:
    """Say when the room is nearly full, full, or has turned people away."""
    if joined >= room.seats:
        st.warning(content.text("room.full", seats=room.seats), icon=":material/event_seat:")
    elif joined >= NEARLY_FULL * room.seats:
        st.warning(
            content.text("room.nearly_full", joined=joined, seats=room.seats),
            icon=":material/event_seat:",
        )
    if room.turned_away:
        st.caption(content.text("room.turned_away", count=room.turned_away))


def room_size(content: Content, store: RoomStore, room: Room, token: str) -> None:
    """Change how many people may join; everyone who has a seat keeps it."""
    key = f"room_seats_{room.code}"

    def save() -> None:  # before the rerun, so that the dashboard shows the new size
        st.session_state.pop(ERROR_KEY, None)
        seats = int(st.session_state[key])
        try:
            store.set_seats(room.code, token, seats)
        except RoomError as err:
            st.session_state[ERROR_KEY] = error_text(content, err)
        else:
            st.session_state[FEEDBACK_KEY] = content.text("room.seats_saved", seats=seats)

    with (
        st.expander(content.text("room.seats_heading", seats=room.seats)),
        st.form(f"room_size_{room.code}", border=False),
    ):
        st.number_input(
            content.text("room.seats_input"),
            min_value=1,
            max_value=store.settings.max_answers_per_room,
            value=min(room.seats, store.settings.max_answers_per_room),
            step=1,
            key=key,
        )
        st.form_submit_button(content.text("room.seats_button"), on_click=save)


def delete_now(content: Content, store: RoomStore, code: str, token: str) -> None:
    """Delete the room and all its answers at once (otherwise they go when it expires).
    Two steps: open the section, then press the button that says what it does."""

    with st.expander(content.text("room.delete_heading")):
        st.caption(content.text("room.delete_help"))
        if st.button(content.text("room.delete_button"), key="delete_room"):
            try:
                store.delete_room(code, token)
            except RoomError as err:
                st.error(error_text(content, err))
                return
            st.session_state[DELETED_KEY] = True
            st.query_params.from_dict(kept_in_link())  # the lobby, in the same view
            st.rerun(scope="app")  # this runs inside the dashboard fragment


def deleted_notice(content: Content) -> None:
    """After a deletion the page is the lobby again; say what happened, once."""
    if st.session_state.pop(DELETED_KEY, False):
        st.success(content.text("room.deleted"))


def other_device(content: Content, store: RoomStore, code: str, token: str) -> None:
    """A one-time link that makes another device this room's facilitator (on request)."""
    link_key = f"room_claim_link_{code}"

    def make_link() -> None:
        st.session_state.pop(link_key, None)
        try:
            claim = store.create_claim(code, token)
        except RoomError as err:
            st.session_state[link_key] = error_text(content, err)
            return
        # The claim only: the other device opens the dashboard in the view it chooses.
        st.session_state[link_key] = f"{app_url()}{claim_path(claim).lstrip('/')}"

    with st.expander(content.text("room.other_device")):
        st.caption(content.text("room.other_device_help"))
        st.button(content.text("room.other_device_button"), key="claim_link", on_click=make_link)
        if link := st.session_state.get(link_key):
            st.code(link, language=None)


def small(figure: go.Figure) -> go.Figure:
    """The figure without Plotly's default template (about 7 kB that the app's theme
    replaces in the browser anyway), so that its message stays below Streamlit's 10 kB
    cache threshold (``global.minCachedMessageSize``).

    Why it matters: a cached element is sent as a reference (``ref_hash``) when it did
    not change. Streamlit 1.67 keeps such references when it drops the unsent deltas of
    a fragment run that the next run overtakes (pushed reruns in a burst do), and the
    browser then places the reference without its siblings: "Bad delta path index" and
    a blank page. Small elements are always sent whole, so a rerun can never orphan
    them."""
    return figure.update_layout(template=go.layout.Template())


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
        bar = distribution_bar(
            labels, list(stats.distribution.values()), colours, presenter=presenter
        )
        if presenter:  # the axis words as large as the numbers, readable from the back
            bar.update_xaxes(tickfont={"size": 20}).update_yaxes(tickfont={"size": 16})
        if large:
            bar.update_layout(height=400)
        st.plotly_chart(small(bar), key="room_distribution", config={"displayModeBar": False})
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
        traces = [*approach_traces(content), average]
        if large:
            # The results stage: as tall as a 1080-pixel screen allows below the controls;
            # this column is wide enough for the legend in two rows, not three.
            figure = radar(content, traces, presenter=True, height=RESULTS_RADAR_HEIGHT, band=band)
            figure.update_layout(margin={"b": 190}, legend={"x": 0, "xanchor": "left"})
        else:
            figure = radar(content, traces, presenter=presenter, band=band)
        st.plotly_chart(small(figure), key="room_radar", config={"displayModeBar": False})


# --------------------------------------------------------------------------- participant


def participant(content: Content, code: str) -> None:
    """A participant's link to the room page goes on to the light participant page
    (web/participant.py: no Streamlit session per phone), which gives this device its
    identity if it has none."""
    st.info(content.text("room.joining"))
    navigate(join_path(code), key="room_join")
