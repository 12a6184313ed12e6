"""A room's size is its facilitator's: a seat is taken when a participant opens the room
and kept, newcomers past the last seat are turned away (and counted, for the dashboard),
and no client can take more identities from one address than the room has seats.

Issue 24, item 5: at the old defaults (500 answers a room, 120 identities per address per
room), five addresses stored 500 answers in 92 s and a real participant who had joined
was then told the room is full.
"""

from __future__ import annotations

import pytest

from rooms import Client, InvalidSeats, NotAuthorised, RoomFull, RoomStore, TooManyAttempts
from tests.support.measurements import family
from tests.support.stores import StoreFactory

MEASURED = family("rooms")
ANSWER = {"goal": "mixed"}
STUFFING_ADDRESSES = [f"198.51.100.{n}" for n in range(1, 6)]


def stuff(store: RoomStore, code: str, addresses: list[str], tries_each: int) -> tuple[int, int]:
    """One client on each address takes identities and answers until refused (at most
    ``tries_each`` per address): (answers stored, tries refused)."""
    stored = refused = 0
    for address in addresses:
        client = Client(address=address)
        for _ in range(tries_each):
            try:
                me = store.issue_participant(code, client=client)
                store.submit(code, me, ANSWER, "blend")
            except (RoomFull, TooManyAttempts):
                refused += 1
            else:
                stored += 1
    return stored, refused


def test_someone_who_opened_the_room_still_answers_after_five_addresses_stuff_it(
    make_store: StoreFactory,
) -> None:
    store = make_store()  # the defaults, as `make run` has them
    code = store.create_room("Friday workshop").room.code
    seats = store.get_room(code).seats
    early = store.issue_participant(code)
    store.mark_joined(code, early)  # opened the join link, still choosing

    tries = store.settings.max_answers_per_room  # enough to fill the largest room
    stored, refused = stuff(store, code, STUFFING_ADDRESSES, tries // len(STUFFING_ADDRESSES))
    store.submit(code, early, {"goal": "specific"}, "coaching")  # never refused: a seat

    snapshot = store.snapshot(code)
    assert store.own_answer(code, early) == {"goal": "specific", "verdict": "coaching"}
    assert stored == seats - 1 and snapshot.joined == seats
    assert snapshot.room.turned_away > 0
    MEASURED.set(
        "answer_stuffing",
        addresses=len(STUFFING_ADDRESSES),
        tries=tries,
        answers_stored_by_stuffers=stored,
        tries_refused=refused,
        seats=seats,
        joined_participant_answer_stored=1,
        turned_away_shown=snapshot.room.turned_away,
    )


def test_a_seat_is_kept_however_full_the_room_gets(make_store: StoreFactory) -> None:
    store = make_store()
    code = store.create_room(seats=2).room.code
    first, second, late = (store.issue_participant(code) for _ in range(3))
    store.mark_joined(code, first)
    store.submit(code, second, ANSWER, "blend")
    with pytest.raises(RoomFull):
        store.mark_joined(code, late)
    with pytest.raises(RoomFull):
        store.submit(code, late, ANSWER, "blend")
    store.mark_joined(code, first)  # opening the link again takes no second seat
    store.submit(code, first, ANSWER, "blend")
    store.submit(code, second, {"goal": "specific"}, "coaching")
    snapshot = store.snapshot(code)
    assert (snapshot.joined, snapshot.count, snapshot.room.turned_away) == (2, 2, 2)


def test_more_seats_let_the_turned_away_in_and_fewer_never_unseat_anyone(
    make_store: StoreFactory,
) -> None:
    store = make_store()
    created = store.create_room(seats=1)
    code, token = created.room.code, created.token
    first, late = store.issue_participant(code), store.issue_participant(code)
    store.mark_joined(code, first)
    with pytest.raises(RoomFull):
        store.mark_joined(code, late)
    assert store.set_seats(code, token, 2).seats == 2
    store.mark_joined(code, late)
    store.set_seats(code, token, 1)  # fewer than are taken: newcomers only are refused
    store.submit(code, first, ANSWER, "blend")
    store.submit(code, late, ANSWER, "blend")
    assert store.snapshot(code).count == 2


def test_only_the_facilitator_sets_the_size_and_only_within_the_sites_most(
    make_store: StoreFactory,
) -> None:
    store = make_store(max_answers_per_room=50)
    created = store.create_room()
    assert created.room.seats == 50  # the default (60) is capped by the site's most
    with pytest.raises(NotAuthorised):
        store.set_seats(created.room.code, "not the token", 10)
    for wrong in (0, -1, 51, True, 2.5, "10"):
        with pytest.raises(InvalidSeats) as caught:
            store.set_seats(created.room.code, created.token, wrong)  # type: ignore[arg-type]
        assert caught.value.params == {"limit": 50}
        with pytest.raises(InvalidSeats):
            store.create_room(seats=wrong)  # type: ignore[arg-type]
    assert store.create_room(seats=50).room.seats == 50


def test_one_address_gets_no_more_identities_than_the_room_has_seats(
    make_store: StoreFactory,
) -> None:
    store = make_store(max_identities_per_address=120)
    code = store.create_room(seats=5).room.code
    client = Client(address="192.0.2.80")
    for _ in range(5):
        store.issue_participant(code, client=client)
    with pytest.raises(TooManyAttempts):
        store.issue_participant(code, client=client)
    store.issue_participant(code, client=Client(address="192.0.2.81"))
