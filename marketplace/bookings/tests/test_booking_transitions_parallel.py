"""Parallel transitions on one booking: the guarded UPDATE lets exactly one win, and the money moves once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from carehub.errors import Conflict
from marketplace import ledger
from marketplace.bookings import services as bookings
from marketplace.models import Booking, BookingEvent, Commitment
from marketplace.tests.booking_world import BUDGET_PENCE, drive, request_hours
from marketplace.tests.factories import key
from marketplace.tests.parallel import run_parallel


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_booking_parallel_confirm_and_dispute_exactly_one_wins(world: Any) -> None:
    booking = drive(world, Booking.Status.DELIVERED)

    def attempt(i: int) -> Booking:
        action = "confirm" if i % 2 else "dispute"
        return bookings.booking_act(
            actor=world.person_user, booking=booking, action=action, idempotency_key=key(), reason="Nobody came"
        )

    results = run_parallel(20, attempt)
    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert (len(won), len(lost)) == (1, 19), [r for r in results if not isinstance(r, Booking | Conflict)]
    booking.refresh_from_db()
    assert booking.status == won[0].status
    assert BookingEvent.objects.filter(booking=booking, from_status=Booking.Status.DELIVERED).count() == 1
    commitment = Commitment.objects.get(pk=booking.commitment_id)
    if booking.status == Booking.Status.COMPLETED:
        assert commitment.status == Commitment.Status.SETTLED  # paid once
        assert ledger.account_budget_committed(world.budget).balance_pence == 0
    else:
        assert commitment.status == Commitment.Status.HELD  # frozen for the dispute
    call_command("check_ledger")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_booking_parallel_decline_and_cancel_exactly_one_wins(world: Any) -> None:
    booking = request_hours(world, days=3)  # free to cancel

    def attempt(i: int) -> Booking:
        if i % 2:
            return bookings.booking_decline(
                actor=world.cast.provider_owner, booking=booking, reason="Fully booked", idempotency_key=key()
            )
        return bookings.booking_cancel(actor=world.person_user, booking=booking, reason="", idempotency_key=key())

    results = run_parallel(20, attempt)
    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert (len(won), len(lost)) == (1, 19), [r for r in results if not isinstance(r, Booking | Conflict)]
    booking.refresh_from_db()
    assert booking.status in (Booking.Status.DECLINED, Booking.Status.CANCELLED)
    events = BookingEvent.objects.filter(booking=booking).exclude(from_status="")
    assert [(e.from_status, e.to_status) for e in events] == [(Booking.Status.REQUESTED, booking.status)]
    # Released once, nothing charged, and the hours are free again.
    assert ledger.account_budget_available(world.budget).balance_pence == BUDGET_PENCE
    assert Commitment.objects.get(pk=booking.commitment_id).status == Commitment.Status.RELEASED
    assert not booking.slots.filter(active=True).exists()
    call_command("check_ledger")
