"""Live room: facilitators create and run a room; participants join and answer anonymously."""

import secrets

import streamlit as st

from explorer.rooms import RoomError, StoreUnavailable
from views import room_views
from views.content import get_content

content = get_content()
store = room_views.get_store(content)
code, token = st.query_params.get("room"), st.query_params.get("token")

st.title(content.text("room.title"), anchor=False)
try:
    if code and token:
        room_views.facilitator(content, store, code, token)
    elif code:
        participant = room_views.participant_id(
            st.query_params.get("participant"), secrets.token_urlsafe(12)
        )
        st.query_params["participant"] = participant
        room_views.participant(content, store, code, participant)
    else:
        room_views.lobby(content, store)
except StoreUnavailable as err:
    # The database is busy or down: keep the link (the room, and a participant's place).
    st.error(content.text("room.unavailable", reason=err.message))
    st.button(content.text("room.retry"), key="room_retry")
except RoomError as err:
    st.error(err.message)
    st.query_params.clear()
    room_views.lobby(content, store)
