"""Every allowed and forbidden transition of the booking state machine, with its money.

The cases are generated from the table (transitions.TRANSITIONS): each row, taken by
each side it allows, from each status. What each row must do is written out by hand in
EXPECTED, not read from the table, so a wrong row fails here; a row added to the table
without a line in EXPECTED fails test_every_transition_has_a_test_row and all its cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.notifications.models import Notification
from accounts.services import system_actor
from accounts.tests import factories as af
from carehub import clock
from carehub.errors import Conflict, NotFound, NotPermitted
from marketplace import ledger
from marketplace.bookings import services as bookings
from marketplace.bookings import transitions
from marketplace.bookings.tests.test_recurring_plans import make_plan
from marketplace.bookings.transitions import (
    AUTO_COMPLETE,
    RESOLVE_PAID,
    RESOLVE_REFUNDED,
    TRANSITIONS,
    USER_ACTIONS,
    Side,
    Transition,
)
from marketplace.models import Booking, BookingEvent, Commitment
from marketplace.tests.booking_world import BUDGET_PENCE, drive, move_to_past, request_hours
from marketplace.tests.factories import key

S = Booking.Status
C = Commitment.Status
STATES = list(S)
OPEN = frozenset({S.REQUESTED, S.ACCEPTED, S.SCHEDULED})


@dataclass(frozen=True)
class Expected:
    sources: frozenset[str]
    target: str
    after: dict[Side, str]  # who takes it → the commitment's status afterwards


EXPECTED: dict[str, Expected] = {
    "request": Expected(frozenset(), S.REQUESTED, {Side.PERSON: C.HELD, Side.SYSTEM: C.HELD}),
    "accept": Expected(frozenset({S.REQUESTED}), S.ACCEPTED, {Side.PROVIDER: C.HELD}),
    "decline": Expected(frozenset({S.REQUESTED}), S.DECLINED, {Side.PROVIDER: C.RELEASED}),
    "schedule": Expected(frozenset({S.ACCEPTED}), S.SCHEDULED, {Side.PROVIDER: C.HELD}),
    "deliver": Expected(frozenset({S.SCHEDULED}), S.DELIVERED, {Side.PROVIDER: C.HELD}),
    "confirm": Expected(frozenset({S.DELIVERED}), S.COMPLETED, {Side.PERSON: C.SETTLED}),
    "dispute": Expected(frozenset({S.DELIVERED}), S.DISPUTED, {Side.PERSON: C.HELD}),
    # The table test moves its bookings' start into the past, so the person's side cancels late and
    # pays the late share (all of it, by default); the provider always cancels free.
    "cancel": Expected(OPEN, S.CANCELLED, {Side.PROVIDER: C.RELEASED, Side.PERSON: C.SETTLED}),
    "auto_complete": Expected(frozenset({S.DELIVERED}), S.COMPLETED, {Side.SYSTEM: C.SETTLED}),
    "resolve_paid": Expected(frozenset({S.DISPUTED}), S.COMPLETED, {Side.STAFF: C.SETTLED}),
    "resolve_refunded": Expected(frozenset({S.DISPUTED}), S.CANCELLED, {Side.STAFF: C.RELEASED}),
}

MOVES = [t for t in TRANSITIONS if t.sources]


def expected(t: Transition) -> Expected:
    if t.action not in EXPECTED:
        pytest.fail(f"The table has a transition '{t.action}' with no test row: add it to EXPECTED")
    return EXPECTED[t.action]


def actor_for(world: Any, side: Side) -> Any:
    if side is Side.PERSON:
        return world.person_user
    if side is Side.PROVIDER:
        return world.cast.provider_owner
    if side is Side.STAFF:
        return af.make_user(is_staff=True, is_superuser=True)
    return system_actor()


def act(t: Transition, actor: Any, booking: Booking) -> Booking:
    """Take `t` through the service its callers use."""
    if t.action in USER_ACTIONS:  # the page and the API
        return bookings.booking_act(
            actor=actor, booking=booking, action=t.action, idempotency_key=key(), reason="A reason"
        )
    if t is AUTO_COMPLETE:  # the beat task, as the system actor
        return bookings.booking_auto_complete(booking=booking, now=clock.now() + timedelta(days=8))
    if t in (RESOLVE_PAID, RESOLVE_REFUNDED):  # the admin's dispute queue
        pay = booking.amount_pence // 2 if t is RESOLVE_PAID else 0
        return bookings.booking_resolve_dispute(
            actor=actor, booking=booking, pay_pence=pay, reason="Looked into it.", idempotency_key=key()
        )
    pytest.fail(f"This test does not know how to take '{t.action}': add it to act()")


def money(booking: Booking) -> tuple[int, int, str, int]:
    budget = booking.budget
    commitment = Commitment.objects.get(pk=booking.commitment_id)
    return (
        ledger.account_budget_available(budget).balance_pence,
        ledger.account_budget_committed(budget).balance_pence,
        commitment.status,
        commitment.settled_pence,
    )


def test_every_transition_has_a_test_row() -> None:
    assert {t.action for t in TRANSITIONS} == set(EXPECTED)
    for t in TRANSITIONS:
        e = EXPECTED[t.action]
        assert (frozenset(t.sources), t.target, t.sides) == (e.sources, e.target, frozenset(e.after)), t.action
    assert len({t.action for t in TRANSITIONS}) == len(TRANSITIONS)  # names are unique (URLs, test ids)


@pytest.mark.parametrize(
    ("t", "side", "state"),
    [
        pytest.param(t, side, state, id=f"{t.action}-{side}-{state}")
        for t in MOVES
        for side in sorted(t.sides)
        for state in STATES
    ],
)
def test_booking_transition_table(world: Any, t: Transition, side: Side, state: str) -> None:
    e = expected(t)
    actor = actor_for(world, side)
    booking = drive(world, state)
    assert booking.status == state
    if booking.starts_at > clock.now():
        move_to_past(booking)  # delivery is refused before the care starts (tested separately)
    events_before = BookingEvent.objects.filter(booking=booking).count()
    money_before = money(booking)
    last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    if state in e.sources:
        booking = act(t, actor, booking)
        assert booking.status == e.target
        event = BookingEvent.objects.filter(booking=booking).last()
        assert (event.from_status, event.to_status, event.actor) == (state, e.target, actor)
        available, committed, commitment, settled = money(booking)
        assert commitment == e.after[side]
        if commitment == C.HELD:
            assert (available, committed) == (BUDGET_PENCE - booking.amount_pence, booking.amount_pence)
        elif commitment == C.RELEASED:
            assert (available, committed) == (BUDGET_PENCE, 0)
        else:
            paid = booking.amount_pence // 2 if t is RESOLVE_PAID else booking.amount_pence
            assert (available, committed, settled) == (BUDGET_PENCE - paid, 0, paid)
        freed = e.target in (S.DECLINED, S.CANCELLED)
        assert booking.slots.filter(active=True).count() == (0 if freed else booking.quantity)
        told = Notification.objects.filter(pk__gt=last_notification)
        assert {n.subject for n in told} == {t.subject.format(service=booking.service.name)}
        assert actor not in {n.user for n in told}
    else:
        with pytest.raises(Conflict) as error:
            act(t, actor, booking)
        assert "cannot be" in error.value.message
        booking.refresh_from_db()
        assert booking.status == state
        assert BookingEvent.objects.filter(booking=booking).count() == events_before
        assert money(booking) == money_before
        assert not Notification.objects.filter(pk__gt=last_notification).exists()
    assert ledger.ledger_verify() == []


# Everyone in the cast, and the side they are on for the world's bookings (None: no side).
CAST_SIDES: dict[str, Side | None] = {
    "person": Side.PERSON,
    "carer": Side.PERSON,
    "provider_owner": Side.PROVIDER,
    "provider_staff": Side.PROVIDER,
    "staff": Side.STAFF,
    "outsider": None,
    "other_person": None,
    "other_provider_member": None,
    "commissioner": None,
}


def cast_member(world: Any, name: str) -> Any:
    if name == "person":
        return world.person_user
    if name == "other_person":
        return world.cast.other_person.user
    if name == "staff":
        return af.make_user(is_staff=True, is_superuser=True)
    if name == "other_provider_member":
        return af.make_provider_member(provider=world.cast.other_provider)
    return getattr(world.cast, name)


@pytest.mark.parametrize("t", MOVES, ids=[t.action for t in MOVES])
def test_booking_transition_refuses_everyone_off_its_sides(world: Any, t: Transition) -> None:
    e = expected(t)
    state = sorted(e.sources)[0]
    booking = drive(world, state)
    move_to_past(booking)
    before = (money(booking), BookingEvent.objects.filter(booking=booking).count())
    for name, side in CAST_SIDES.items():
        if side in e.after:
            continue
        member = cast_member(world, name)
        with pytest.raises(NotPermitted):
            transitions.require_side(t, actor=member, booking=booking)
        if t is not AUTO_COMPLETE:  # it takes no actor: the beat task runs it as the system
            with pytest.raises(NotPermitted):
                act(t, member, booking)
    booking.refresh_from_db()
    assert booking.status == state
    assert (money(booking), BookingEvent.objects.filter(booking=booking).count()) == before


@pytest.mark.parametrize("t", MOVES, ids=[t.action for t in MOVES])
def test_booking_transition_is_allowed_to_everyone_on_its_sides(world: Any, t: Transition) -> None:
    e = expected(t)
    state = sorted(e.sources)[0]
    members = [cast_member(world, name) for name, side in CAST_SIDES.items() if side in e.after]
    if Side.SYSTEM in e.after:
        members.append(system_actor())
    assert members
    for i, member in enumerate(members):
        booking = drive(world, state, hour=8 + 2 * i)  # two hours each, side by side
        move_to_past(booking)
        assert act(t, member, booking).status == e.target, member


@pytest.mark.parametrize("side", sorted(EXPECTED["request"].after))
def test_booking_request_row_creates_a_requested_booking_with_its_money_held(world: Any, side: Side) -> None:
    assert transitions.REQUEST.sources == ()  # it is not a move: nothing exists before it
    if side is Side.PERSON:
        booking = request_hours(world)
        actor = world.person_user
    else:  # a recurring plan's visits are booked by the system
        booking = make_plan(world, weeks=1, days=(1,)).bookings.get()
        actor = system_actor()
    assert (booking.status, booking.requested_by) == (transitions.REQUEST.target, actor)
    assert money(booking)[:3] == (BUDGET_PENCE - booking.amount_pence, booking.amount_pence, C.HELD)
    assert booking.events.get().to_status == S.REQUESTED
    told = Notification.objects.filter(subject=f"New booking request: {booking.service.name}")
    assert world.cast.provider_owner in {n.user for n in told}


@pytest.mark.parametrize("state", STATES)
def test_booking_page_offers_exactly_the_tables_actions(world: Any, state: str) -> None:
    booking = drive(world, state)
    url = reverse("marketplace:booking-detail", args=[booking.code])
    for name in ("person", "carer", "provider_owner", "provider_staff"):
        side = CAST_SIDES[name]
        client = Client()
        client.force_login(cast_member(world, name))
        html = client.get(url).content.decode()
        offered = {a for a in USER_ACTIONS if reverse("marketplace:booking-action", args=[booking.code, a]) in html}
        wanted = {a for a in USER_ACTIONS if state in EXPECTED[a].sources and side in EXPECTED[a].after}
        assert offered == wanted, (name, state)


def test_booking_action_urls_are_the_tables_person_and_provider_actions(world: Any) -> None:
    booking = request_hours(world)
    assert set(USER_ACTIONS) == {"accept", "decline", "schedule", "deliver", "confirm", "dispute", "cancel"}
    for action in USER_ACTIONS:
        reverse(f"marketplace-api:booking-{action}", args=[booking.code])
    client = Client()
    client.force_login(world.cast.provider_owner)
    for t in (AUTO_COMPLETE, RESOLVE_PAID, RESOLVE_REFUNDED, transitions.REQUEST):
        with pytest.raises(NoReverseMatch):
            reverse(f"marketplace-api:booking-{t.action}", args=[booking.code])
        # Neither the page nor booking_act takes the system's or staff's actions.
        page = reverse("marketplace:booking-action", args=[booking.code, t.action])
        assert client.post(page, {"idempotency_key": key(), "reason": "x"}).status_code == 404
        with pytest.raises(NotFound):
            bookings.booking_act(actor=world.cast.provider_owner, booking=booking, action=t.action, idempotency_key="k")
    booking.refresh_from_db()
    assert booking.status == S.REQUESTED
