"""Requesting bookings: hourly slots and one-off quantities, and every refusal from the issue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.tests import factories as af
from carehub.errors import Conflict, DomainError, NotPermitted
from directory.models import AvailabilityException
from marketplace import ledger
from marketplace.bookings import services as bookings
from marketplace.models import Booking, BookingSlot, Commitment, IdempotencyRecord, LedgerTransaction
from marketplace.tests.booking_world import (
    BUDGET_PENCE,
    HOURLY_PENCE,
    drive,
    move_to_past,
    request_hours,
    tomorrow_at,
)
from marketplace.tests.factories import key


def available(world: Any) -> int:
    return ledger.account_budget_available(world.budget).balance_pence


def nothing_written(world: Any) -> None:
    assert not Booking.objects.exists()
    assert not BookingSlot.objects.exists()
    assert not Commitment.objects.exists()
    assert available(world) == BUDGET_PENCE


def test_booking_request_hourly_commits_hours_times_price(world: Any) -> None:
    booking = request_hours(world, hour=10, hours=3)
    assert booking.status == Booking.Status.REQUESTED
    assert (booking.quantity, booking.amount_pence) == (3, 3 * HOURLY_PENCE)
    assert booking.ends_at - booking.starts_at == timedelta(hours=3)
    assert list(booking.slots.values_list("starts_at", flat=True)) == [tomorrow_at(h) for h in (10, 11, 12)]
    assert booking.commitment.amount_pence == 3 * HOURLY_PENCE
    assert booking.commitment.reference == f"booking-{booking.code}"
    assert available(world) == BUDGET_PENCE - 3 * HOURLY_PENCE
    assert booking.events.get().to_status == Booking.Status.REQUESTED
    assert ledger.ledger_verify() == []


def test_booking_request_one_off_is_quantity_times_unit_price(world: Any) -> None:
    booking = bookings.booking_request(
        actor=world.person_user, service=world.visits, person=world.cast.person, quantity=3, idempotency_key=key()
    )
    assert (booking.kind, booking.amount_pence) == (Booking.Kind.ONE_OFF, 13_500)
    assert available(world) == BUDGET_PENCE - 13_500


def test_booking_request_by_carer_with_book_scope(world: Any) -> None:
    booking = request_hours(world, actor=world.cast.carer)
    assert booking.requested_by == world.cast.carer
    assert booking.person == world.cast.person


def test_booking_request_refuses_slot_already_taken(world: Any) -> None:
    request_hours(world, hour=10, hours=2)
    with pytest.raises(bookings.SlotTaken, match="already booked that time"):
        request_hours(world, hour=11, hours=2)
    assert Booking.objects.count() == 1
    assert available(world) == BUDGET_PENCE - 2 * HOURLY_PENCE


def test_booking_request_slot_is_free_again_after_decline(world: Any) -> None:
    first = request_hours(world, hour=10, hours=1)
    bookings.booking_decline(actor=world.cast.provider_owner, booking=first, reason="Ill", idempotency_key=key())
    second = request_hours(world, hour=10, hours=1)
    assert second.status == Booking.Status.REQUESTED


def test_booking_request_refuses_time_in_the_past(world: Any) -> None:
    past = tomorrow_at(10, days=-1)
    with pytest.raises(DomainError, match="That time has passed"):
        bookings.booking_request(
            actor=world.person_user,
            service=world.hourly,
            person=world.cast.person,
            starts_at=past,
            hours=1,
            idempotency_key=key(),
        )
    nothing_written(world)


@pytest.mark.parametrize("hour", [6, 19])  # 06:00 before opening; 19:00 + 2 hours runs past 20:00
def test_booking_request_refuses_outside_availability(world: Any, hour: int) -> None:
    with pytest.raises(DomainError, match="not available"):
        request_hours(world, hour=hour, hours=2)
    nothing_written(world)


def test_booking_request_refuses_a_closed_day(world: Any) -> None:
    AvailabilityException.objects.create(service=world.hourly, date=timezone.localdate() + timedelta(days=1))
    with pytest.raises(DomainError, match="not available"):
        request_hours(world)
    nothing_written(world)


def test_booking_request_refuses_beyond_budget(world: Any) -> None:
    # £500 budget, £20 an hour: 12 hours on each of three days is £720.
    request_hours(world, hour=8, hours=12, days=1)
    request_hours(world, hour=8, hours=12, days=2)
    before = (Booking.objects.count(), available(world), LedgerTransaction.objects.count())
    with pytest.raises(DomainError, match="not enough left"):
        request_hours(world, hour=8, hours=12, days=3)
    assert (Booking.objects.count(), available(world), LedgerTransaction.objects.count()) == before
    assert not BookingSlot.objects.filter(starts_at=tomorrow_at(8, days=3)).exists()


def test_booking_request_refuses_carer_without_book_scope(world: Any) -> None:
    viewer = af.make_user(full_name="Vi Ewer")
    af.make_carer_link(carer=viewer, person=world.cast.person, can_book=False)
    for actor in (viewer, world.cast.outsider, world.cast.provider_owner, world.cast.other_person.user):
        with pytest.raises(NotPermitted, match="permission to book"):
            request_hours(world, actor=actor)
    nothing_written(world)


def test_booking_request_refuses_odd_hours(world: Any) -> None:
    for starts_at, hours, message in [
        (tomorrow_at(10) + timedelta(minutes=30), 1, "on the hour"),
        (tomorrow_at(10), 0, "from 1 to 12 hours"),
        (tomorrow_at(10), 13, "from 1 to 12 hours"),
        (None, 1, "Choose the day"),
    ]:
        with pytest.raises(DomainError, match=message):
            bookings.booking_request(
                actor=world.person_user,
                service=world.hourly,
                person=world.cast.person,
                starts_at=starts_at,
                hours=hours,
                idempotency_key=key(),
            )
    nothing_written(world)


def test_booking_request_same_key_books_once(world: Any) -> None:
    same = key()
    kwargs = {"actor": world.person_user, "service": world.hourly, "person": world.cast.person, "hours": 1}
    first = bookings.booking_request(starts_at=tomorrow_at(10), idempotency_key=same, **kwargs)
    again = bookings.booking_request(starts_at=tomorrow_at(10), idempotency_key=same, **kwargs)
    assert again.pk == first.pk
    assert Booking.objects.count() == 1
    assert available(world) == BUDGET_PENCE - HOURLY_PENCE
    with pytest.raises(DomainError, match="different request"):
        bookings.booking_request(starts_at=tomorrow_at(14), idempotency_key=same, **kwargs)


def test_booking_accept_refuses_another_providers_member(world: Any) -> None:
    booking = request_hours(world)
    other = af.make_provider_member(provider=world.cast.other_provider)
    for actor in (other, world.person_user, world.cast.outsider, world.cast.carer):
        with pytest.raises(NotPermitted):
            bookings.booking_accept(actor=actor, booking=booking, idempotency_key=key())
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
    assert booking.events.count() == 1


def test_booking_confirm_twice_pays_once(world: Any) -> None:
    booking = drive(world, Booking.Status.DELIVERED)
    bookings.booking_confirm(actor=world.person_user, booking=booking, idempotency_key=key())
    payable = ledger.account_provider_payable(world.cast.provider.pk).balance_pence
    with pytest.raises(Conflict, match="already been completed"):
        bookings.booking_confirm(actor=world.cast.carer, booking=booking, idempotency_key=key())
    assert ledger.account_provider_payable(world.cast.provider.pk).balance_pence == payable
    assert booking.events.filter(to_status=Booking.Status.COMPLETED).count() == 1


def test_booking_confirm_refuses_provider_and_outsider(world: Any) -> None:
    booking = drive(world, Booking.Status.DELIVERED)
    for actor in (world.cast.provider_owner, world.cast.outsider):
        with pytest.raises(NotPermitted):
            bookings.booking_confirm(actor=actor, booking=booking, idempotency_key=key())
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DELIVERED


def test_booking_deliver_refused_before_the_care_starts(world: Any) -> None:
    booking = drive(world, Booking.Status.SCHEDULED)
    with pytest.raises(DomainError, match="once it has started"):
        bookings.booking_deliver(actor=world.cast.provider_owner, booking=booking, idempotency_key=key())
    booking.refresh_from_db()
    assert booking.status == Booking.Status.SCHEDULED


def test_booking_decline_needs_a_reason(world: Any) -> None:
    booking = request_hours(world)
    with pytest.raises(DomainError, match="Give a reason"):
        bookings.booking_decline(actor=world.cast.provider_owner, booking=booking, reason=" ", idempotency_key=key())
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_idempotency_records_are_not_left_by_refusals(world: Any) -> None:
    with pytest.raises(NotPermitted):
        request_hours(world, actor=world.cast.outsider)
    assert not IdempotencyRecord.objects.filter(actor=world.cast.outsider).exists()


def test_move_to_past_helper_keeps_slots_in_step(world: Any) -> None:
    booking = request_hours(world)
    move_to_past(booking)
    assert booking.slots.first().starts_at == booking.starts_at


def test_booking_confirm_retried_with_the_same_key_returns_the_first_result(world: Any) -> None:
    booking = drive(world, Booking.Status.DELIVERED)
    same = key()
    first = bookings.booking_confirm(actor=world.person_user, booking=booking, idempotency_key=same)
    again = bookings.booking_confirm(actor=world.person_user, booking=booking, idempotency_key=same)
    assert first.pk == again.pk and again.status == Booking.Status.COMPLETED
    assert booking.events.filter(to_status=Booking.Status.COMPLETED).count() == 1
    assert LedgerTransaction.objects.filter(reason="settle", reference=f"booking-{booking.code}").count() == 1
    assert ledger.ledger_verify() == []
