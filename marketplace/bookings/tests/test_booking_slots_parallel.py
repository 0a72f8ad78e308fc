"""A slot can never be double-booked: the database constraint, and parallel requests on PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from marketplace import ledger
from marketplace.bookings import services as bookings
from marketplace.models import Booking, BookingSlot
from marketplace.tests.booking_world import BUDGET_PENCE, HOURLY_PENCE, request_hours, tomorrow_at
from marketplace.tests.factories import key
from marketplace.tests.parallel import run_parallel


def test_booking_slot_constraint_refuses_a_second_active_row(world: Any) -> None:
    booking = request_hours(world, hour=10, hours=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingSlot.objects.create(booking=booking, service=world.hourly, starts_at=tomorrow_at(10))
    # A released (inactive) slot does not block: that is how a declined hour becomes free again.
    BookingSlot.objects.filter(booking=booking).update(active=False)
    BookingSlot.objects.create(booking=booking, service=world.hourly, starts_at=tomorrow_at(10))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempts", [30])
def test_booking_parallel_requests_for_one_slot_exactly_one_wins(world: Any, attempts: int) -> None:
    def attempt(i: int) -> Booking:
        # Half the attempts want 10:00–12:00, half 11:00–13:00: every pair overlaps at 11:00.
        return bookings.booking_request(
            actor=world.person_user,
            service=world.hourly,
            person=world.cast.person,
            starts_at=tomorrow_at(10 + i % 2),
            hours=2,
            idempotency_key=key(),
        )

    started = time.monotonic()
    results = run_parallel(attempts, attempt)
    elapsed = time.monotonic() - started
    won = [r for r in results if isinstance(r, Booking)]
    taken = [r for r in results if isinstance(r, bookings.SlotTaken)]
    print(f"\n{attempts} overlapping requests: {len(won)} booked, {len(taken)} refused in {elapsed:.2f}s")
    assert [r for r in results if not isinstance(r, Booking | bookings.SlotTaken)] == []
    assert len(won) == 1
    assert len(taken) == attempts - 1
    assert {r.status_code for r in taken} == {409}
    assert BookingSlot.objects.filter(active=True).count() == 2
    assert Booking.objects.count() == 1
    assert ledger.account_budget_available(world.budget).balance_pence == BUDGET_PENCE - 2 * HOURLY_PENCE
    call_command("check_ledger")
