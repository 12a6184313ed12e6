"""The live room's three views: lobby, facilitator dashboard and participant form."""

from __future__ import annotations

import contextlib
import io
import re
import secrets
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urlencode

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
from explorer.room_stats import room_stats
from explorer.rooms import (
    FailedLookupLimiter,
    NotAuthorised,
    Room,
    RoomError,
    RoomExpired,
    RoomNotFound,
    RoomSettings,
    RoomStore,
    StoreUnavailable,
    TooManyAttempts,
    normalise_code,
)
from views import panels
from views.links import app_url
from views.presenter import is_presenter
from views.text import as_text

REFRESH_SECONDS = 3
PARTICIPANT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
CLIENT_KEY = "_room_client"
KNOWN_LOOKUPS = "_room_known_lookups"
T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _store() -> RoomStore:
    return RoomStore.from_settings(RoomSettings.from_env())


def get_store(content: Content) -> RoomStore:
    """The shared room store; a clear message (not a traceback) if it cannot be opened."""
    try:
        return _store()
    except (RoomError, ValueError) as err:
        st.error(content.text("room.store_problem", reason=err))
        st.stop()


@st.cache_resource(show_spinner=False)
def _limiter() -> FailedLookupLimiter:
    return FailedLookupLimiter(RoomSettings.from_env().max_code_lookups_per_minute)


def _client() -> str:
    """Who failed lookups count against: the IP address, else this browser session."""
    ip = st.context.ip_address
    if isinstance(ip, str) and ip:
        return f"ip:{ip}"
    if CLIENT_KEY not in st.session_state:
        st.session_state[CLIENT_KEY] = f"session:{secrets.token_hex(8)}"
    return st.session_state[CLIENT_KEY]


def limited_lookup(content: Content, key: Hashable, lookup: Callable[[], T]) -> T:
    """Look up a room code (or token) under the limit on failed guesses per client.

    A lookup that already succeeded in this session (the page reruns it on every click)
    is never refused, so a participant keeps their place even if their network is noisy.
    """
    limiter, client = _limiter(), _client()
    known = st.session_state.setdefault(KNOWN_LOOKUPS, set())
    if key not in known and not limiter.allowed(client):
        raise TooManyAttempts(content.text("room.too_many_attempts"))
    try:
        result = lookup()
    except (RoomNotFound, RoomExpired, NotAuthorised):
        limiter.record_failure(client)
        raise
    known.add(key)
    return result


def find_room(content: Content, store: RoomStore, typed: str) -> Room:
    code = normalise_code(typed)
    return limited_lookup(content, ("room", code), lambda: store.get_room(code))


def room_url(code: str, **extra: str) -> str:
    return f"{app_url()}room?{urlencode({'room': code, **extra})}"


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
            _go(lambda: {"room": find_room(content, store, typed).code})
    with start.form("start_room"):
        st.subheader(content.text("room.start_heading"), anchor=False)
        title = st.text_input(content.text("room.title_label"), max_chars=200, key="room_title")
        if st.form_submit_button(content.text("room.start_button")):

            def create() -> dict[str, str]:
                created = store.create_room(title)
                return {"room": created.room.code, "token": created.token}

            _go(create)


def _go(action) -> None:
    """Run a room action that yields the next page's query; show its error if it fails."""
    try:
        query = action()
    except RoomError as err:
        st.error(err.message)
        return
    st.query_params.from_dict(query)
    st.rerun()


@st.cache_data(show_spinner=False, max_entries=256)
def _qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    return buffer.getvalue()


def facilitator(content: Content, store: RoomStore, code: str, token: str) -> None:
    code = normalise_code(code)

    def verified_room() -> Room:
        if not store.verify_token(code, token):
            raise NotAuthorised()
        return store.get_room(code)

    room = limited_lookup(content, ("facilitator", code, token), verified_room)
    join = room_url(code)
    qr, details = st.columns([1, 3], gap="large")
    qr.image(_qr_png(join), width="stretch")
    with details:
        if room.title:
            st.subheader(as_text(room.title), anchor=False)
        st.markdown(
            f"{content.text('room.code_caption')} <span class='room-code' style='font-size:3.5rem;"
            f"font-weight:800;letter-spacing:0.3rem'>{code}</span>",
            unsafe_allow_html=True,
        )
        st.markdown(f"{content.text('room.join_link')} {join}")
        controls(content, store, room, token)
    with st.expander(content.text("room.facilitator_link")):
        st.warning(content.text("room.facilitator_warning"), icon=":material/key:")
        st.text_input(
            content.text("room.facilitator_link"), room_url(code, token=token), key="fac_link"
        )
    dashboard(content, store, code)


def controls(content: Content, store: RoomStore, room, token: str) -> None:
    reveal, close, export, _ = st.columns([1, 1, 1, 1])
    label = content.text("room.hide" if room.revealed else "room.reveal")
    if reveal.button(label, key="reveal", type="primary"):
        _act(lambda: store.set_revealed(room.code, token, not room.revealed))
    if close.button(content.text("room.close"), key="close", disabled=room.closed):
        _act(lambda: store.close(room.code, token))
    columns = [i.id for i in content.inputs] + ["verdict", "submitted_at"]

    def csv_data() -> str:
        return answers_csv(store.export_answers(room.code, token), columns)

    export.download_button(
        content.text("room.export"),
        csv_data,
        file_name=f"room-{room.code}.csv",
        mime="text/csv",
        key="export",
        on_click="ignore",
    )


def _act(action: Callable[[], object]) -> None:
    """A facilitator action; if the database is busy, say so here and keep the page."""
    try:
        action()
    except StoreUnavailable as err:
        st.error(err.message)
        return
    st.rerun()


@st.fragment(run_every=REFRESH_SECONDS)
def dashboard(content: Content, store: RoomStore, code: str) -> None:
    """Counts and, once revealed, the room's picture. One snapshot query per refresh."""
    presenter = is_presenter()
    try:
        snapshot = store.snapshot(code)
    except RoomError as err:  # busy, down or expired: say so; the next refresh retries
        st.error(err.message)
        return
    stamp = datetime.now(UTC).strftime("%H:%M:%S")
    st.caption(content.text("room.refreshed", time=stamp, seconds=REFRESH_SECONDS))
    st.markdown(content.text("room.counts", joined=snapshot.joined, answered=snapshot.count))
    if snapshot.room.closed:
        st.info(content.text("room.closed"))
    if not snapshot.room.revealed:
        st.info(content.text("room.hidden"))
        return
    if not snapshot.answers:
        st.info(content.text("room.no_answers"))
        return
    stats = room_stats(content, snapshot.answers)
    if stats.skipped:
        st.caption(content.text("room.skipped", count=stats.skipped))
    bars, chart = st.columns([2, 3], gap="large")
    with bars:
        st.markdown(f"**{content.text('room.distribution_heading')}**")
        labels = [content.verdict.approaches[v].headline for v in stats.distribution]
        colours = [MENTORING_COLOUR, COACHING_COLOUR, NEEDS_COLOUR]
        st.plotly_chart(
            distribution_bar(
                labels, list(stats.distribution.values()), colours, presenter=presenter
            ),
            key="room_distribution",
            config={"displayModeBar": False},
        )
        st.markdown(f"**{content.text('room.disagree_heading')}**")
        for dim, spread in stats.disagreement:
            st.markdown(
                "- "
                + content.text(
                    "room.disagree_line",
                    dimension=content.dimension_by_id[dim].label,
                    spread=spread,
                    mean=stats.average[dim],
                )
            )
        panels.contested(content)
    with chart:
        st.markdown(f"**{content.text('room.average_heading')}**")
        band = Band(content.text("room.spread_band"), stats.low, stats.high)
        average = extra_trace(3, content.text("room.average_trace"), stats.average)
        st.plotly_chart(
            radar(content, [*approach_traces(content), average], presenter=presenter, band=band),
            key="room_radar",
            config={"displayModeBar": False},
        )


def participant(content: Content, store: RoomStore, code: str, participant_id: str) -> None:
    room = find_room(content, store, code)
    code = room.code
    if room.title:
        st.subheader(as_text(room.title), anchor=False)
    if room.closed:
        st.info(content.text("room.closed"))
        return
    if st.session_state.get("room_joined") != code:
        # Only a head count: a busy database must not stop anyone answering.
        with contextlib.suppress(StoreUnavailable):
            store.mark_joined(code, participant_id)
            st.session_state["room_joined"] = code
    previous = store.own_answer(code, participant_id)
    st.caption(content.text("room.participant_intro"))
    with st.form("answer"):
        chosen = {}
        for spec in content.main_inputs:
            labels = {o.id: o.label for o in spec.options}
            start = (previous or {}).get(spec.id, spec.default)
            chosen[spec.id] = st.select_slider(
                spec.label,
                options=list(spec.option_ids),
                value=start if start in spec.option_ids else spec.default,
                format_func=labels.__getitem__,
                help=spec.help,
                key=f"room_{spec.id}",
            )
        answered = previous or st.session_state.get("room_submitted")
        label = content.text("room.update" if answered else "room.submit")
        submitted = st.form_submit_button(label, key="room_submit", type="primary", width="stretch")
    if submitted:
        result = evaluate(chosen, content=content)
        try:
            store.submit(code, participant_id, chosen, result.verdict)
        except StoreUnavailable as err:  # nothing saved; the form above keeps the choices
            st.error(content.text("room.not_saved", reason=err.message))
            return
        st.session_state["room_submitted"] = True
    if st.session_state.get("room_submitted") or previous:
        result = evaluate(chosen, content=content)
        st.success(content.text("room.thanks"))
        panels.verdict_panel(content, result)
        panels.contested(content)


def participant_id(raw: str | None, new: str) -> str:
    """The participant id from the link if it is well-formed, otherwise a fresh one."""
    return raw if raw and PARTICIPANT_ID.fullmatch(raw) else new
