"""Live room: facilitators create and run a room; participants join and answer anonymously.

/room is the lobby; /room?room=CODE is the room's dashboard for its facilitator (the key is a
cookie this browser holds); anyone else goes on to the room's light participant page."""

import streamlit as st

from rooms import RoomError, StoreUnavailable, normalise_code
from views import room_views
from views.content import get_content

content = get_content()
store = room_views.get_store(content)
typed = st.query_params.get("room")
room_views.keep_only_the_room_in_the_address()

st.title(content.text("room.title"), anchor=False)
try:
    if not typed:
        room_views.lobby(content, store)
    else:
        room = room_views.open_room(normalise_code(typed))
        token = room_views.facilitator_token(store, room.code)
        if token:
            room_views.facilitator(content, store, room, token)
        else:
            room_views.participant(content, room.code)
except StoreUnavailable as err:
    # The database is busy or down: keep the link (the room, and a participant's place).
    st.error(content.text("room.unavailable", reason=room_views.error_text(content, err)))
    st.button(content.text("room.retry"), key="room_retry")
except RoomError as err:
    st.error(room_views.error_text(content, err))
    st.query_params.clear()
    room_views.lobby(content, store)
