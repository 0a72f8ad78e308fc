"""Every allowed and forbidden transition of the booking state machine, with its money."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from carehub.errors import Conflict
from marketplace import ledger
from marketplace.bookings import services as bookings
from marketplace.models import Booking, BookingEvent, Commitment
from marketplace.tests.booking_world import BUDGET_PENCE, drive, move_to_past
from marketplace.tests.factories import key

S = Booking.Status
STATES = [S.REQUESTED, S.ACCEPTED, S.SCHEDULED, S.DELIVERED, S.COMPLETED, S.DECLINED, S.CANCELLED, S.DISPUTED]

# action → (who acts, states it is allowed from, resulting state, commitment status afterwards)
ACTIONS: dict[str, tuple[str, set[str], str, str]] = {
    "accept": ("provider", {S.REQUESTED}, S.ACCEPTED, Commitment.Status.HELD),
    "decline": ("provider", {S.REQUESTED}, S.DECLINED, Commitment.Status.RELEASED),
    "schedule": ("provider", {S.ACCEPTED}, S.SCHEDULED, Commitment.Status.HELD),
    "deliver": ("provider", {S.SCHEDULED}, S.DELIVERED, Commitment.Status.HELD),
    "confirm": ("person", {S.DELIVERED}, S.COMPLETED, Commitment.Status.SETTLED),
    "dispute": ("person", {S.DELIVERED}, S.DISPUTED, Commitment.Status.HELD),
    "cancel": ("provider", {S.REQUESTED, S.ACCEPTED, S.SCHEDULED}, S.CANCELLED, Commitment.Status.RELEASED),
}


def act(action: str, actor: Any, booking: Booking) -> Booking:
    kwargs: dict[str, Any] = {"actor": actor, "booking": booking, "idempotency_key": key()}
    if action in ("decline", "dispute", "cancel"):
        kwargs["reason"] = "A reason"
    return getattr(bookings, f"booking_{action}")(**kwargs)


def money(booking: Booking) -> tuple[int, int, str]:
    budget = booking.budget
    commitment = Commitment.objects.get(pk=booking.commitment_id)
    return (
        ledger.account_budget_available(budget).balance_pence,
        ledger.account_budget_committed(budget).balance_pence,
        commitment.status,
    )


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("state", STATES)
def test_booking_transition_table(world: Any, state: str, action: str) -> None:
    who, allowed_from, to, commitment_after = ACTIONS[action]
    actor = world.cast.provider_owner if who == "provider" else world.person_user
    booking = drive(world, state)
    assert booking.status == state
    if booking.starts_at > timezone.now():
        move_to_past(booking)  # delivery is refused before the care starts (tested separately)
    events_before = BookingEvent.objects.filter(booking=booking).count()
    money_before = money(booking)

    if state in allowed_from:
        booking = act(action, actor, booking)
        assert booking.status == to
        event = BookingEvent.objects.filter(booking=booking).last()
        assert (event.from_status, event.to_status, event.actor) == (state, to, actor)
        assert money(booking)[2] == commitment_after
        available, committed, _ = money(booking)
        if commitment_after == Commitment.Status.HELD:
            assert (available, committed) == (BUDGET_PENCE - booking.amount_pence, booking.amount_pence)
        else:
            assert committed == 0
    else:
        with pytest.raises(Conflict) as error:
            act(action, actor, booking)
        assert "cannot be" in error.value.message
        booking.refresh_from_db()
        assert booking.status == state
        assert BookingEvent.objects.filter(booking=booking).count() == events_before
        assert money(booking) == money_before
    assert ledger.ledger_verify() == []
