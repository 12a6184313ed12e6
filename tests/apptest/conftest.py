"""At the AppTest level, ``store`` is the app's own room store (the one its pages share), on a
fresh SQLite folder, with the room pages reading cookies from each session's jar."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rooms import RoomStore
from tests.support.apptest import app_rooms


@pytest.fixture
def store(tmp_path, room_cookies) -> Iterator[RoomStore]:
    with app_rooms(tmp_path) as opened:
        yield opened
